from datetime import timedelta

import pytest

from notify.domain import texts
from notify.domain.digest import build_digest
from notify.domain.directory import Language, Role
from notify.domain.errors import Invalid
from notify.domain.events import EventKind
from notify.domain.notifications import Priority

from .builders import GRACE, NOW, notification, person

K = EventKind
GRACE_FR = person("pt-grace", "Grace", roles=(Role.MENTOR,), language=Language.FR)
MILESTONE_1 = notification(
    event_id="ev-1", title="Ada reached a milestone", body="Ada reached “Profile”."
)
MILESTONE_2 = notification(
    event_id="ev-2",
    created_at=NOW + timedelta(hours=1),
    title="Bob reached a milestone",
    body="Bob reached “Privacy”.\n\nA word of recognition goes a long way.",
)
PROPOSAL = notification(
    event_id="ev-3",
    kind=K.MATCH_PROPOSED,
    priority=Priority.NORMAL,
    created_at=NOW + timedelta(hours=2),
    title="New mentee proposed: Carl",
    body="Please accept or decline before Monday 9 November 2026 at 09:00 (Europe/Paris).",
)


def test_the_digest_groups_notifications_by_kind_most_urgent_first() -> None:
    title, text, _ = build_digest(GRACE, [MILESTONE_2, PROPOSAL, MILESTONE_1])

    assert title == "Your daily summary: 3 notifications"
    assert text.splitlines() == [
        "Hello Grace, here is what happened since your last summary.",
        "",
        "Mentoring proposals (1)",
        "- New mentee proposed: Carl",
        "  Please accept or decline before Monday 9 November 2026 at 09:00 (Europe/Paris).",
        "",
        "Milestones reached (2)",
        "- Ada reached a milestone",
        "  Ada reached “Profile”.",
        "- Bob reached a milestone",
        "  Bob reached “Privacy”. A word of recognition goes a long way.",
    ]


def test_the_digest_speaks_the_recipients_language() -> None:
    title, text, html = build_digest(GRACE_FR, [MILESTONE_1])

    assert title == "Votre résumé du jour : 1 notification"
    assert text.startswith("Bonjour Grace, voici ce qui s'est passé depuis votre dernier résumé.")
    assert "Jalons atteints (1)" in text
    assert "<h2>Jalons atteints (1)</h2>" in html


def test_the_digest_html_escapes_what_it_shows() -> None:
    hostile = notification(title="<script>x</script> reached a milestone", body="A & B")
    named = person("pt-grace", "<img src=x>", roles=(Role.MENTOR,))

    _, _, html = build_digest(named, [hostile])

    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;x&lt;/script&gt; reached a milestone" in html
    assert "A &amp; B" in html
    assert html.startswith("<p>Hello &lt;img src=x&gt;, here is")


def test_a_notification_delivered_twice_appears_once() -> None:
    title, text, _ = build_digest(GRACE, [MILESTONE_1, MILESTONE_1])

    assert title == "Your daily summary: 1 notification"
    assert text.count("Ada reached a milestone") == 1


def test_a_digest_needs_notifications_and_only_the_recipients_own() -> None:
    with pytest.raises(Invalid, match="at least one"):
        build_digest(GRACE, [])
    with pytest.raises(Invalid, match="pt-grace"):
        build_digest(GRACE, [notification(recipient_id="pt-ada")])


def test_every_kind_has_a_heading_in_both_languages() -> None:
    assert set(texts.DIGEST_GROUPS) == set(EventKind)
    assert all(set(names) == {"en", "fr"} for names in texts.DIGEST_GROUPS.values())
