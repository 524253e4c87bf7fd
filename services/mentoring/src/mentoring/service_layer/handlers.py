"""One handler per command: load, ask the domain, write state and events in one operation.

Every handler is safe to re-run. A creation with an idempotency key (``mentorship_runtime.
idempotency``: programs, participants, proposals, matching runs) gets an id derived from the
caller and the key: the same request again returns what the first one created, without a second
event; another request with that key is ``KeyReused`` (409). A transition retried by the same
person finds the target state reached and returns it without a second event.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from mentoring.domain import matching as engine
from mentoring.domain.errors import CapacityFull, Conflict, Forbidden, Invalid, NotFound
from mentoring.domain.matches import Match, MatchStatus, Party, ProposedBy, Side
from mentoring.domain.matching import (
    CohortResult,
    Exclusion,
    ScoredMentor,
    score_pair,
    violations,
)
from mentoring.domain.participants import Participant, ParticipantStatus, require_skill_levels
from mentoring.domain.programs import (
    Admin,
    MatchingSettings,
    Program,
    ProgramStatus,
    matching_weights,
)
from mentoring.service_layer import admin_language, audit, cohorts
from mentoring.service_layer import commands as cmd
from mentoring.service_layer.candidates import (
    manager_lookup,
    mentee_candidate,
    mentor_candidate,
    policy_of,
)
from mentoring.service_layer.events import EventFactory
from mentoring.service_layer.ports import (
    Earlier,
    ImportRecords,
    MentoringStore,
    Roster,
    RunClaim,
    RunReports,
    RunSummary,
    UnmatchedMentee,
)
from mentorship_runtime.concurrency import retrying
from mentorship_runtime.logging import get_logger
from mentorship_runtime.moments import as_stored
from mentorship_runtime.principal import Principal
from mentorship_runtime.request_keys import KeyReused, derived_id, fingerprint

ID_NAMESPACE = uuid.UUID("5b0c7f3e-1d2a-4f4e-9a51-6b1f0c2d3e4f")
RUN_LEASE = timedelta(minutes=2)
"""A matching run claimed longer ago than this and not finished is taken over by a retry."""
RUN_WAIT_SECONDS = 60.0
"""How long a retry waits for the run its key started to finish, before a 409 to retry later."""
RUN_POLL_SECONDS = 0.2
log = get_logger("mentoring.handlers")
T = TypeVar("T")


@dataclass
class Context:
    """What a core use case works with: the ports it reaches the world through, the clock, and
    the correlation id its events carry."""

    store: MentoringStore
    reports: RunReports
    imports: ImportRecords
    roster: Roster
    clock: Callable[[], datetime]
    correlation_id: str | None = None

    @property
    def events(self) -> EventFactory:
        return EventFactory(self.clock, self.correlation_id)


def new_id(prefix: str, idempotency_key: str | None = None, actor: str = "") -> str:
    """The id derived from ``actor`` and the key, or a new random one without a key."""
    if idempotency_key is not None:
        return derived_id(prefix, idempotency_key, actor, namespace=ID_NAMESPACE)
    return f"{prefix}_{uuid.uuid4().hex}"


def request_fingerprint(command: Any) -> str:
    """What a creating command asks, whoever asks and with whichever key."""
    asked = {
        f.name: getattr(command, f.name)
        for f in dataclasses.fields(command)
        if f.name not in ("actor", "idempotency_key")
    }
    return fingerprint({"command": type(command).__name__, **asked})


def _created_before(earlier: Earlier[T], request: str, key: str, created: str) -> T:
    if earlier.fingerprint != request:
        raise KeyReused(key, created)
    return earlier.value


def _written(new: T, earlier: Earlier[T] | None, request: str, key: str | None, created: str) -> T:
    """What a creating request answers once it wrote: what it created, or, when the id was
    taken already, what the same key created before."""
    if earlier is None:
        return new
    if key is None:  # a random id is never taken
        raise Conflict(f"{created} exists already")
    return _created_before(earlier, request, key, created)


# ---- authorization --------------------------------------------------------------------------


def require_admin(program: Program, actor: Principal) -> None:
    if not (actor.is_admin and program.is_admin(actor.user_id)):
        raise Forbidden(f"only an admin of program {program.id!r} can do this")


def require_self_or_admin(participant: Participant, program: Program, actor: Principal) -> None:
    if participant.user_id == actor.user_id:
        return
    require_admin(program, actor)


# ---- programs -------------------------------------------------------------------------------


async def create_program(c: cmd.CreateProgram, ctx: Context) -> Program:
    if not c.actor.is_admin:
        raise Forbidden("only admins create programs")
    key = c.idempotency_key
    program_id = new_id("pg", key, c.actor.user_id)
    request = request_fingerprint(c)
    if key is not None:
        earlier = await ctx.store.program_created(program_id)
        if earlier is not None:
            return _created_before(earlier, request, key, f"program {program_id!r}")
    program = Program(
        id=program_id,
        name=c.name,
        description=c.description,
        learning_path_id=c.learning_path_id,
        admins=(
            Admin(
                c.actor.user_id,
                c.actor.name,
                c.actor.email,
                await admin_language.profile_language(ctx.roster, c.actor.user_id),
            ),
        ),
        settings=MatchingSettings(
            weights=matching_weights(c.weights),
            department_preference=c.department_preference,
            proposal_expiry_days=c.proposal_expiry_days,
            default_mentor_capacity=c.default_mentor_capacity,
            mutual_acceptance=c.mutual_acceptance,
        ),
        status=c.status,
        created_at=as_stored(ctx.clock()),
        stall_window_days=c.stall_window_days,
        check_in_reminder_days=c.check_in_reminder_days,
    )
    earlier = await ctx.store.add_program(
        program,
        [
            ctx.events.program_published(program),
            audit.program_created(ctx, c.actor.user_id, program),
        ],
        fingerprint=request if key is not None else None,
    )
    return _written(program, earlier, request, key, f"program {program_id!r}")


async def update_program(c: cmd.UpdateProgram, ctx: Context) -> Program:
    async def attempt() -> Program:
        program = await ctx.store.program(c.program_id)
        require_admin(program, c.actor)
        settings = program.settings
        settings = replace(
            settings,
            weights=matching_weights(c.weights) if c.weights is not None else settings.weights,
            department_preference=c.department_preference or settings.department_preference,
            proposal_expiry_days=c.proposal_expiry_days or settings.proposal_expiry_days,
            default_mentor_capacity=c.default_mentor_capacity or settings.default_mentor_capacity,
            mutual_acceptance=(
                c.mutual_acceptance
                if c.mutual_acceptance is not None
                else settings.mutual_acceptance
            ),
        )
        updated = replace(
            program,
            name=c.name or program.name,
            description=c.description if c.description is not None else program.description,
            settings=settings,
            stall_window_days=c.stall_window_days or program.stall_window_days,
            check_in_reminder_days=c.check_in_reminder_days or program.check_in_reminder_days,
            self_erasure=c.self_erasure if c.self_erasure is not None else program.self_erasure,
        )
        if c.status is not None:
            updated = updated.change_status(c.status)
        if updated == program:
            return program
        return await ctx.store.save_program(
            updated,
            [
                ctx.events.program_published(updated),
                audit.program_changed(ctx, c.actor.user_id, program, updated),
            ],
        )

    return await retrying(attempt)


# ---- participants ---------------------------------------------------------------------------


async def register_participant(c: cmd.RegisterParticipant, ctx: Context) -> Participant:
    """Register a person in a program once: a person registered there already (under another
    id) is ``AlreadyRegistered``, which names their participant id."""
    program = await ctx.store.program(c.program_id)
    if c.user_id != c.actor.user_id:
        require_admin(program, c.actor)
    elif not (c.actor.roles & c.roles or c.actor.is_admin):
        raise Forbidden(f"your token grants none of the roles {sorted(c.roles)}")
    key = c.idempotency_key
    participant_id = new_id("pt", key, c.actor.user_id)
    request = request_fingerprint(c)
    created = f"participant {participant_id!r}"
    if key is not None:
        earlier = await ctx.store.participant_created(participant_id)
        if earlier is not None:
            return _created_before(earlier, request, key, created)
    if not program.accepts_participants:
        raise Conflict(f"program {program.id!r} is {program.status.value}: it takes no one new")
    await _check_ranked_mentors(ctx, program.id, c.ranked_mentors)
    participant = Participant(
        id=participant_id,
        program_id=program.id,
        user_id=c.user_id,
        roles=c.roles,
        display_name=c.display_name,
        email=c.email,
        language=c.language,
        languages=c.languages,
        timezone=c.timezone,
        department=c.department,
        manager_id=c.manager_id,
        availability=c.availability,
        competencies=require_skill_levels("competencies", c.competencies),
        goals=require_skill_levels("goals", c.goals),
        capacity=c.capacity if c.capacity is not None else program.settings.default_mentor_capacity,
        ranked_mentors=c.ranked_mentors,
        status=ParticipantStatus.ACTIVE,
        registered_at=as_stored(ctx.clock()),
    )
    events = [ctx.events.participant_registered(participant)]
    if c.user_id != c.actor.user_id:
        events.append(audit.participant_registered(ctx, c.actor.user_id, participant))
    earlier = await ctx.store.add_participant(
        participant, events, fingerprint=request if key is not None else None
    )
    return _written(participant, earlier, request, key, created)


async def _check_ranked_mentors(ctx: Context, program_id: str, ranked: tuple[str, ...]) -> None:
    if not ranked:
        return
    found = {p.id: p for p in await ctx.store.participants_by_ids(list(ranked))}
    for position, mentor_id in enumerate(ranked):
        mentor = found.get(mentor_id)
        if mentor is None or mentor.program_id != program_id or not mentor.is_mentor:
            raise Invalid(
                f"ranked_mentors.{position}", f"{mentor_id!r} is not a mentor of this program"
            )


PROFILE_FIELDS = {
    "display_name",
    "email",
    "language",
    "languages",
    "timezone",
    "department",
    "manager_id",
    "availability",
    "competencies",
    "goals",
    "capacity",
    "ranked_mentors",
    "roles",
}
ANNOUNCED_FIELDS = {"display_name", "email", "language", "timezone", "department", "roles"}


async def update_participant(c: cmd.UpdateParticipant, ctx: Context) -> Participant:
    given = c.changes
    for name, levels in (("competencies", given.competencies), ("goals", given.goals)):
        if not isinstance(levels, cmd.Unset):
            require_skill_levels(name, levels)

    async def attempt() -> Participant:
        participant = await ctx.store.participant(c.participant_id)
        program = await ctx.store.program(participant.program_id)
        require_self_or_admin(participant, program, c.actor)
        if not participant.is_active:
            raise Conflict(f"participant {participant.id!r} has withdrawn")
        if not isinstance(given.ranked_mentors, cmd.Unset):
            await _check_ranked_mentors(ctx, program.id, given.ranked_mentors)
        updated = given.applied_to(participant)
        changed = {
            name for name in PROFILE_FIELDS if getattr(participant, name) != getattr(updated, name)
        }
        if not changed:
            return participant
        announced = changed & ANNOUNCED_FIELDS
        events = [ctx.events.participant_updated(updated, announced)] if announced else []
        if participant.user_id != c.actor.user_id:
            events.append(
                audit.participant_changed(ctx, c.actor.user_id, participant, updated, changed)
            )
        return await ctx.store.save_participant(updated, events)

    return await retrying(attempt)


async def withdraw_participant(c: cmd.WithdrawParticipant, ctx: Context) -> Participant:
    async def attempt() -> Participant:
        participant = await ctx.store.participant(c.participant_id)
        program = await ctx.store.program(participant.program_id)
        require_self_or_admin(participant, program, c.actor)
        if not participant.is_active:
            return participant  # a retried withdrawal: already done
        withdrawn = participant.withdraw()
        return await ctx.store.save_participant(
            withdrawn,
            [
                ctx.events.participant_withdrawn(withdrawn, c.reason),
                audit.participant_withdrawn(ctx, c.actor.user_id, participant, withdrawn),
            ],
        )

    withdrawn = await retrying(attempt)
    if not withdrawn.open_matches:
        return withdrawn
    for match in await ctx.store.matches_by_ids(list(withdrawn.open_matches)):
        await _close_for_withdrawal(match, withdrawn, ctx)
    return await ctx.store.participant(withdrawn.id)  # their places released


async def _close_for_withdrawal(match: Match, who: Participant, ctx: Context) -> None:
    """End ``who``'s active match, or close their proposal as declined by their side. The reason
    names their side, never the person: it travels in the match's event and stays on the match
    after an erasure."""
    side: Party = "mentor" if match.mentor.participant_id == who.id else "mentee"
    reason = f"the {side} withdrew from the program"
    now = ctx.clock()
    if match.status is MatchStatus.ACTIVE:
        closed = match.end(outcome="ended_early", now=now, reason=reason)
    elif match.status is MatchStatus.PROPOSED:
        closed = match.close_for_withdrawal(side=side, now=now, reason=reason)
    else:
        return
    await ctx.store.save_match(closed, [ctx.events.for_transition(closed)])
    await _release(closed, ctx)
    if closed.mentor.participant_id == who.id:  # the mentee goes on with their next best
        await propose_next_best(closed, ctx)


# ---- proposals ------------------------------------------------------------------------------


async def propose_match(c: cmd.ProposeMatch, ctx: Context) -> Match:
    mentee = await ctx.store.participant(c.mentee_id)
    program = await ctx.store.program(mentee.program_id)
    recorded_by = None
    if c.actor.user_id == mentee.user_id and c.actor.has("mentee"):
        proposed_by = ProposedBy.MENTEE
    else:
        require_admin(program, c.actor)
        proposed_by = ProposedBy.ADMIN
        recorded_by = c.actor.user_id
    match_id = new_id("m", c.idempotency_key, c.actor.user_id)
    return await _propose(
        program,
        mentee,
        c.mentor_id,
        proposed_by,
        match_id,
        ctx,
        key=c.idempotency_key,
        recorded_by=recorded_by,
    )


def _same_pair(match: Match, mentee_id: str, mentor_id: str, key: str | None) -> Match:
    """The match stored under a proposal's id, if it pairs the same people: a retry. Another
    pair is ``KeyReused`` for a caller's key; for an id the service derived (an escalation, a
    run) the stored proposal stands."""
    asked = (mentee_id, mentor_id)
    if key is not None and (match.mentee.participant_id, match.mentor.participant_id) != asked:
        raise KeyReused(key, f"match {match.id!r}")
    return match


async def _propose(
    program: Program,
    mentee: Participant,
    mentor_id: str,
    proposed_by: ProposedBy,
    match_id: str,
    ctx: Context,
    scored: ScoredMentor | None = None,
    key: str | None = None,
    recorded_by: str | None = None,
) -> Match:
    """Claim a place on both sides, then write the proposal; undo the claims if it fails.

    A proposal stored under ``match_id`` already is returned (a retried request), if it pairs
    the same people (``_same_pair``). ``recorded_by``: the admin whose proposal the audit trail
    records, in the proposal's write."""
    existing = await ctx.store.matches_by_ids([match_id])
    if existing:
        return _same_pair(existing[0], mentee.id, mentor_id, key)
    mentor = await ctx.store.participant(mentor_id)
    if not program.matches:
        raise Conflict(f"program {program.id!r} is {program.status.value}: no matching now")
    if mentor.program_id != program.id:
        raise Invalid("mentor_id", f"{mentor_id!r} is not in program {program.id!r}")
    if not mentee.is_mentee or not mentee.is_active:
        raise Invalid("mentee_id", f"{mentee.id!r} is not an active mentee")
    if not mentor.is_mentor or not mentor.is_active:
        raise Invalid("mentor_id", f"{mentor.id!r} is not an active mentor")
    if scored is None:
        scored = await _score(program, mentee, mentor, ctx)
    match = Match.propose(
        match_id=match_id,
        program_id=program.id,
        learning_path_id=program.learning_path_id,
        mentee=Side(mentee.id, mentee.user_id, mentee.display_name),
        mentor=Side(mentor.id, mentor.user_id, mentor.display_name),
        proposed_by=proposed_by,
        score=round(scored.score, 2),
        reasons=scored.reasons,
        now=as_stored(ctx.clock()),
        expiry_days=program.settings.proposal_expiry_days,
        mentee_must_accept=program.settings.mutual_acceptance,
    )
    try:
        await ctx.store.claim_place(mentee.id, match.id, 1)
    except Conflict:
        raise Conflict(f"mentee {mentee.id!r} already has an open match") from None
    try:
        await ctx.store.claim_place(mentor.id, match.id, max(1, mentor.capacity))
        events = [ctx.events.for_transition(match)]
        if recorded_by is not None:
            events.append(audit.match_proposed(ctx, recorded_by, match))
        inserted = await ctx.store.add_match(match, events)
    except BaseException:
        await ctx.store.release_place(mentee.id, match.id)
        await ctx.store.release_place(mentor.id, match.id)
        raise
    if not inserted:  # a concurrent request with the same id wrote it first
        stored = await ctx.store.match(match.id)
        try:
            return _same_pair(stored, mentee.id, mentor.id, key)
        except KeyReused:
            sides = (stored.mentee.participant_id, stored.mentor.participant_id)
            for claimed in {mentee.id, mentor.id} - set(sides):  # the stored match keeps its own
                await ctx.store.release_place(claimed, match.id)
            raise
    log.info("match_proposed", match_id=match.id, proposed_by=proposed_by.value)
    return match


async def _score(
    program: Program, mentee: Participant, mentor: Participant, ctx: Context
) -> ScoredMentor:
    now = ctx.clock()
    people = manager_lookup(await ctx.store.participants_by_ids([mentee.id, mentor.id]))
    past = (await ctx.store.past_mentors([mentee.id])).get(mentee.id, set())
    mentee_view = mentee_candidate(mentee, now, people, past)
    mentor_view = mentor_candidate(mentor, now, people)
    broken = [v for v in violations(mentee_view, mentor_view) if v is not Exclusion.NO_CAPACITY]
    if broken:
        rules = ", ".join(v.value.replace("_", " ") for v in broken)
        raise Invalid("mentor_id", f"{mentor.id!r} cannot mentor {mentee.id!r}: {rules}")
    if mentor_view.capacity == 0:
        raise CapacityFull(mentor.id, mentor.capacity)
    return score_pair(mentee_view, mentor_view, policy_of(program))


# ---- lifecycle ------------------------------------------------------------------------------


async def _release(match: Match, ctx: Context) -> None:
    await ctx.store.release_place(match.mentee.participant_id, match.id)
    await ctx.store.release_place(match.mentor.participant_id, match.id)


async def accept_match(c: cmd.AcceptMatch, ctx: Context) -> Match:
    async def attempt() -> Match:
        match = await ctx.store.match(c.match_id)
        if match.has_accepted(c.actor.user_id):
            return match  # a retried acceptance: already done, no second event
        program = await ctx.store.program(match.program_id)
        if program.status is ProgramStatus.CLOSED:
            raise Conflict(f"program {program.id!r} is closed: no match starts in it")
        accepted = match.accept(by_user=c.actor.user_id, now=ctx.clock())
        return await ctx.store.save_match(accepted, [ctx.events.for_transition(accepted)])

    return await retrying(attempt)


async def decline_match(c: cmd.DeclineMatch, ctx: Context) -> Match:
    async def attempt() -> tuple[Match, bool]:
        match = await ctx.store.match(c.match_id)
        if match.has_declined(c.actor.user_id):
            return match, False
        declined = match.decline(by_user=c.actor.user_id, now=ctx.clock(), reason=c.reason)
        return await ctx.store.save_match(declined, [ctx.events.for_transition(declined)]), True

    declined, changed = await retrying(attempt)
    await _release(declined, ctx)
    if changed:
        await propose_next_best(declined, ctx)
    return declined


async def end_match(c: cmd.EndMatch, ctx: Context, *, recorded: bool = True) -> Match:
    """End an active match (one of its sides, or an admin of its program). An admin ending
    someone else's match is recorded in the audit trail, unless ``recorded`` is false: closing a
    program ends its matches under the close's own record."""

    async def attempt() -> Match:
        match = await ctx.store.match(c.match_id)
        by_admin = not match.involves(c.actor.user_id)
        if by_admin:
            require_admin(await ctx.store.program(match.program_id), c.actor)
        target = MatchStatus.COMPLETED if c.outcome == "completed" else MatchStatus.ENDED_EARLY
        if match.status is target:
            return match
        ended = match.end(outcome=c.outcome, now=ctx.clock(), reason=c.reason)
        events = [ctx.events.for_transition(ended)]
        if by_admin and recorded:
            events.append(audit.match_ended(ctx, c.actor.user_id, match, ended))
        return await ctx.store.save_match(ended, events)

    ended = await retrying(attempt)
    await _release(ended, ctx)
    return ended


async def expire_due_proposals(ctx: Context, *, limit: int = 200) -> list[Match]:
    """Expire every proposal past its deadline and offer each mentee the next best mentor.

    Run periodically by the worker; after downtime it catches up on everything overdue.
    """
    expired: list[Match] = []
    for due in await ctx.store.due_proposals(ctx.clock(), limit):
        try:
            lapsed = due.expire(now=ctx.clock())
            lapsed = await ctx.store.save_match(lapsed, [ctx.events.for_transition(lapsed)])
        except Conflict:
            continue  # answered or expired by someone else meanwhile
        await _release(lapsed, ctx)
        expired.append(lapsed)
        await propose_next_best(lapsed, ctx)
    return expired


async def propose_next_best(previous: Match, ctx: Context) -> Match | None:
    """Escalation: after a decline or an expiry, propose the best mentor the mentee has not had."""
    program = await ctx.store.program(previous.program_id)
    mentee = await ctx.store.participant(previous.mentee.participant_id)
    if not program.matches or not mentee.is_active or mentee.open_matches:
        return None
    candidates = await suggestions_for(mentee, program, ctx, k=1)
    if not candidates:
        log.info("no_next_mentor", mentee_id=mentee.id, after=previous.id)
        return None
    best = candidates[0]
    match_id = new_id("m", f"escalation-after:{previous.id}")
    try:
        return await _propose(
            program, mentee, best.mentor_id, ProposedBy.ESCALATION, match_id, ctx, scored=best
        )
    except Conflict as exc:
        log.warning("escalation_skipped", mentee_id=mentee.id, reason=str(exc))
        return None


# ---- suggestions and cohort runs ------------------------------------------------------------


async def suggestions_for(
    mentee: Participant, program: Program, ctx: Context, *, k: int
) -> list[ScoredMentor]:
    now = ctx.clock()
    everyone = await ctx.store.active_participants(program.id)
    people = manager_lookup(everyone)
    past = (await ctx.store.past_mentors([mentee.id])).get(mentee.id, set())
    mentors = [mentor_candidate(p, now, people) for p in everyone if p.is_mentor]
    pool = engine.MentorPool(mentors, policy_of(program))
    return pool.suggest(mentee_candidate(mentee, now, people, past), k=k)


async def _claim_run(
    run_id: str, key: str, c: cmd.RunMatching, program: Program, ctx: Context
) -> RunSummary | None:
    """Claim a keyed run's id (None), or the report of the run that holds it already.

    A run of the same key still running is waited for (at most ``RUN_WAIT_SECONDS``, then a
    409 to retry later), or taken over when its claim is older than ``RUN_LEASE`` (the process
    that ran it died: its proposals stand, the new attempt proposes for whoever still waits)."""
    deadline = time.monotonic() + RUN_WAIT_SECONDS
    while True:
        earlier = await ctx.store.run(run_id)
        if earlier is None:
            if not program.matches:
                raise Conflict(f"program {program.id!r} is {program.status.value}: no matching now")
            claim = RunClaim(
                run_id=run_id,
                program_id=program.id,
                objective=c.objective,
                by=c.actor.user_id,
                claimed_at=as_stored(ctx.clock()),
            )
            if await ctx.store.claim_run(claim):
                return None
            continue
        if (earlier.program_id, earlier.objective) != (c.program_id, c.objective):
            raise KeyReused(key, f"matching run {run_id!r}")
        if earlier.summary is not None:
            return earlier.summary
        now = as_stored(ctx.clock())
        claimed_at = earlier.claimed_at
        if (
            claimed_at is not None
            and claimed_at <= now - RUN_LEASE
            and await ctx.store.take_over_run(run_id, claimed_at, now)
        ):
            log.warning("matching_run_taken_over", run_id=run_id)
            return None
        if time.monotonic() >= deadline:
            raise Conflict(
                f"matching run {run_id!r} of this Idempotency-Key is still running; retry later"
            )
        await asyncio.sleep(RUN_POLL_SECONDS)


async def run_matching(c: cmd.RunMatching, ctx: Context) -> cohorts.Report:
    """Propose the cohort's optimal matches (to the mentees ``cohorts.cohort_of`` names) and
    store the report. With an idempotency key the run happens once (``_claim_run``) and a retry
    gets its report."""
    program = await ctx.store.program(c.program_id)
    require_admin(program, c.actor)
    run_id = new_id("run", c.idempotency_key, c.actor.user_id)
    if c.idempotency_key is not None:
        earlier = await _claim_run(run_id, c.idempotency_key, c, program, ctx)
        if earlier is not None:
            return await cohorts.read_back(earlier, ctx.reports)
    elif not program.matches:
        raise Conflict(f"program {program.id!r} is {program.status.value}: no matching now")
    now = as_stored(ctx.clock())
    cohort = await cohorts.cohort_of(program, now, ctx.store)
    result: CohortResult = engine.match_cohort(
        cohort.mentees, cohort.mentors, policy_of(program), c.objective
    )
    proposed: dict[str, str] = {}
    skipped: list[UnmatchedMentee] = []
    for assignment in result.assignments:
        scored = ScoredMentor(
            mentor_id=assignment.mentor_id,
            score=assignment.score,
            breakdown=assignment.breakdown,
            reasons=tuple(s.reason for s in assignment.breakdown),
        )
        try:
            match = await _propose(
                program,
                cohort.by_id[assignment.mentee_id],
                assignment.mentor_id,
                ProposedBy.COHORT_RUN,
                new_id("m", f"{run_id}:{assignment.mentee_id}"),
                ctx,
                scored=scored,
            )
            proposed[assignment.mentee_id] = match.id
        except (Conflict, Invalid, NotFound) as exc:
            skipped.append(UnmatchedMentee(assignment.mentee_id, str(exc)))
    summary, sections = cohorts.report_of(
        run_id=run_id,
        program=program,
        objective=c.objective,
        actor=c.actor,
        now=now,
        cohort=cohort,
        result=result,
        preview=False,
        proposed=proposed,
        skipped=skipped,
    )
    return await cohorts.stored(
        summary, sections, ctx.reports, [audit.matching_reported(ctx, summary)]
    )
