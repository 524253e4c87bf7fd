"""The default learning path shipped with the platform; each program may revise it."""

from __future__ import annotations

from progress.domain.learning_paths import LearningPath, Milestone, Module

DEFAULT_PATH_ID = "social-business-accompaniment"

_PURPOSE = Module(
    id="purpose",
    title="Purpose and strategy",
    description="Why the company does this, and what is expected of me.",
    milestones=(
        Milestone(
            id="explain-the-why",
            title="Explain why the company is doing this",
            description=(
                "Put into your own words the business reasons behind the rollout (finding "
                "expertise faster, breaking silos between sites and teams, fewer e-mail chains) "
                "and how they connect to the company's strategy."
            ),
            evidence_expected=(
                "A short summary, ten lines at most, or a two-minute explanation to your mentor "
                "during a session."
            ),
        ),
        Milestone(
            id="clarify-expectations",
            title="Clarify what is expected of you",
            description=(
                "Talk with your manager about what participation is expected from you and your "
                "team: which communities, how often, and what stays optional."
            ),
            evidence_expected="What you agreed with your manager, shared with your mentor.",
        ),
        Milestone(
            id="set-a-personal-goal",
            title="Set a personal goal",
            description=(
                "Choose one concrete thing you want the network to change in your work within "
                "the next three months, and how you will know it happened."
            ),
            evidence_expected="The goal and its sign of success, written in a check-in note.",
        ),
    ),
)

_COMMUNITY_RULES = Module(
    id="community-rules",
    title="Community rules and governance",
    description="How to behave, moderate and contribute in a community (savoir-être).",
    milestones=(
        Milestone(
            id="know-the-charter",
            title="Know the usage charter",
            description=(
                "Read the company's usage charter and community guidelines, then discuss with "
                "your mentor the two rules that surprised you most and why they exist."
            ),
            evidence_expected="The two rules and their reasons, noted after the discussion.",
        ),
        Milestone(
            id="handle-tricky-situations",
            title="Know how to react to a tricky situation",
            description=(
                "Decide how you would react to an off-topic post, a heated exchange, and "
                "confidential data shared by mistake: reply in public, write privately, or "
                "alert the community manager."
            ),
            evidence_expected="Your answer to the three situations, discussed in a session.",
        ),
        Milestone(
            id="contribute-by-the-rules",
            title="Contribute in line with a community's purpose",
            description=(
                "Post or reply in a community you belong to, following its stated purpose and "
                "tone: welcome a newcomer, or point a question to the right place."
            ),
            evidence_expected="A link to your contribution.",
        ),
    ),
)

_DIGITAL_IDENTITY = Module(
    id="digital-identity",
    title="Professional digital identity",
    description="Profile, privacy, what to share and what not to.",
    milestones=(
        Milestone(
            id="complete-the-profile",
            title="Complete a professional profile",
            description=(
                "Add a photo, your role, team and location, your areas of expertise and the "
                "languages you speak, so that colleagues can find you for what you know."
            ),
            evidence_expected="A link to your profile, reviewed with your mentor.",
        ),
        Milestone(
            id="sort-what-to-share",
            title="Know what to share and what not to",
            description=(
                "Sort real examples into: fine in an open community, only in a restricted one, "
                "only in a private message, never on the network (customer data, HR matters, "
                "unannounced results), following the confidentiality policy."
            ),
            evidence_expected="Your sorted examples, discussed in a session.",
        ),
        Milestone(
            id="tune-privacy-and-notifications",
            title="Tune privacy and notification settings",
            description=(
                "Check who can see your profile and activity, and set notifications so that the "
                "network keeps you informed without interrupting you all day."
            ),
            evidence_expected="The settings you chose and why, described in a check-in note.",
        ),
    ),
)

_USES_FOR_MY_JOB = Module(
    id="uses-for-my-job",
    title="Uses for my own job",
    description="The two or three uses that matter in my daily work.",
    milestones=(
        Milestone(
            id="pick-my-uses",
            title="Pick the uses that matter for your job",
            description=(
                "List your recurring tasks (sharing information, finding an expert, "
                "coordinating a project, keeping up with your field) and pick two or three "
                "where the network does better than e-mail or meetings."
            ),
            evidence_expected="The chosen uses and, for each, the task it replaces or improves.",
        ),
        Milestone(
            id="practise-one-use",
            title="Put one use into practice for real work",
            description=(
                "For at least two weeks, use the network for an actual piece of work: run a "
                "project's updates in a group instead of an e-mail thread, for instance."
            ),
            evidence_expected="A link to the group or thread, and what changed for you and others.",
        ),
        Milestone(
            id="follow-useful-sources",
            title="Follow the communities that feed your work",
            description=(
                "Follow three communities or people whose content is directly useful to your "
                "job, and leave those that are only noise."
            ),
            evidence_expected="The three you follow, and one useful thing you learned from them.",
        ),
    ),
)

_BRINGING_VALUE = Module(
    id="bringing-value",
    title="Bringing value to discussions",
    description="Asking, answering, summarising and recognising others.",
    milestones=(
        Milestone(
            id="ask-in-the-open",
            title="Ask a question in the open",
            description=(
                "Ask a work question in a community rather than privately, with enough context "
                "for others to answer and for later readers to benefit."
            ),
            evidence_expected="A link to the question and the answers it received.",
        ),
        Milestone(
            id="answer-or-summarise",
            title="Answer a question or summarise a discussion",
            description=(
                "Share what you know by answering a colleague's question, or write a summary of "
                "a long thread with its conclusions and open points."
            ),
            evidence_expected="A link to your answer or summary.",
        ),
        Milestone(
            id="recognise-a-colleague",
            title="Recognise a colleague's contribution",
            description=(
                "Thank or credit in public someone whose post helped you, saying specifically "
                "what it changed for you."
            ),
            evidence_expected="A link to your message.",
        ),
    ),
)

_KNOWING_THE_LIMITS = Module(
    id="knowing-the-limits",
    title="Knowing the limits",
    description="Critical distance, time and energy, and when not to use the tools.",
    milestones=(
        Milestone(
            id="set-time-boundaries",
            title="Set your own time boundaries",
            description=(
                "Decide when and how often you check the network, silence it outside working "
                "hours, and tell your team what they can expect from you."
            ),
            evidence_expected="Your routine, reviewed with your mentor after two weeks of use.",
        ),
        Milestone(
            id="choose-the-channel",
            title="Choose the right channel",
            description=(
                "For real situations (a conflict, an urgent incident, a formal decision, a quick "
                "question) decide whether the network, a call, a meeting or an e-mail fits best."
            ),
            evidence_expected="Your choices and their reasons, discussed in a session.",
        ),
        Milestone(
            id="keep-a-critical-eye",
            title="Keep a critical eye",
            description=(
                "Spot an unverified claim, an echo chamber or a debate going in circles, and "
                "decide how to respond: check the source, take it offline, or let it go."
            ),
            evidence_expected="One example you met and how you handled it.",
        ),
    ),
)

DEFAULT_PATH = LearningPath(
    id=DEFAULT_PATH_ID,
    version=1,
    title="Social business accompaniment",
    modules=(
        _PURPOSE,
        _COMMUNITY_RULES,
        _DIGITAL_IDENTITY,
        _USES_FOR_MY_JOB,
        _BRINGING_VALUE,
        _KNOWING_THE_LIMITS,
    ),
)
