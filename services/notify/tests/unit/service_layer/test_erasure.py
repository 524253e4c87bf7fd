"""A person's erasure on fakes: others' notifications reworded, theirs deleted, done once."""

from __future__ import annotations

from mentorship_contracts.events import NotifyErasureDone, PersonalDataErasureRequested
from notify.domain.erasure import Texts
from notify.service_layer.erasures import on_erasure_requested
from notify.service_layer.ports import DirectoryEntry, KeptCopy, KeptNotification
from services.notify.tests.unit.fakes import FakeClock, FakeErasures, KeptFor, erasure_context

from .events import T0, event

REQUEST = PersonalDataErasureRequested(
    erasure_id="er-1",
    subject_user_id="u-ada",
    participant_ids=["pt-ada"],
    program_ids=["pg-1"],
    scope="person",
    requested_by="u-ada",
    requested_at=T0,
)
ABOUT_ADA = Texts(title="Ada's confidence dropped", body="Ada needs you.", html_body="<p>Ada</p>")


def kept(notification_id: str, recipient: str, user: str, texts: Texts) -> KeptFor:
    return KeptFor(KeptNotification(notification_id, recipient, texts), "pt-ada", user)


def world() -> FakeErasures:
    return FakeErasures(
        entries_by_id={
            "pt-ada": DirectoryEntry("pt-ada", "Ada", "ada@example.org", "en"),
            "pt-grace": DirectoryEntry("pt-grace", "Grace", "grace@example.org", "fr"),
        },
        partners={"pt-ada": (set(), {"pt-grace"})},
        admins={"pg-1": {"u-alan": "en"}},
        notifications={
            "n-grace": kept("n-grace", "pt-grace", "u-grace", ABOUT_ADA),
            "n-ada": kept("n-ada", "pt-ada", "u-ada", Texts(title="Welcome Ada")),
        },
        copies={"n-grace": [KeptCopy("deliveries", "n-grace:email", ABOUT_ADA)]},
        deliveries_by_notification={"n-ada": 2},
        deliveries_of_account={"u-ada": 1},
        about={"pt-ada": 3},
        preferences={"u-ada"},
        parts={"u-ada": 1},
    )


async def test_others_notifications_no_longer_name_the_person_in_the_readers_language() -> None:
    erasures = world()

    await on_erasure_requested(event(REQUEST), erasure_context(erasures, FakeClock(T0)))

    texts = erasures.notifications["n-grace"].kept.texts
    assert texts.title == "Un ancien participant's confidence dropped"
    assert texts.body is not None
    assert "Ada" not in texts.body
    [copy] = erasures.copies["n-grace"]
    assert copy.texts == texts


async def test_the_persons_own_data_goes_and_the_done_event_counts_it() -> None:
    erasures = world()

    await on_erasure_requested(event(REQUEST), erasure_context(erasures, FakeClock(T0)))

    assert "n-ada" not in erasures.notifications
    assert erasures.erased == {"pt-ada"}
    assert not erasures.preferences
    counts, [done] = erasures.records["er-1"]
    assert isinstance(done.data, NotifyErasureDone)
    assert done.data.counts == counts
    assert counts == {
        "directory_entries": 1,
        "notifications": 1,
        "deliveries": 3,
        "preferences": 1,
        "records_about": 3,
        "export_parts": 1,
        "notifications_reworded": 1,
        "program_admins": 0,
    }


async def test_a_redelivered_request_does_nothing_again() -> None:
    erasures = world()
    ctx = erasure_context(erasures, FakeClock(T0))
    request = event(REQUEST)
    await on_erasure_requested(request, ctx)
    before = dict(erasures.records)

    await on_erasure_requested(request, ctx)

    assert erasures.records == before
