"""The mentee and their current mentor record activity; anyone else is refused."""

from __future__ import annotations

import pytest

from mentorship_runtime.principal import Principal
from progress.domain.errors import Conflict, Forbidden, NotFound
from progress.domain.learning_paths import MilestoneSpec, ModuleSpec
from progress.service_layer import commands, handlers
from services.progress.tests.unit.builders import PATH

from .world import (
    ADMIN,
    MENTEE,
    MENTEE_ID,
    MENTOR,
    OTHER_MENTOR,
    OTHER_MENTOR_ID,
    STRANGER,
    World,
)


def check_in(
    actor: Principal, check_in_id: str = "ci-1", confidence: int = 3
) -> commands.RecordCheckIn:
    return commands.RecordCheckIn(
        actor=actor,
        mentee_id=MENTEE_ID,
        check_in_id=check_in_id,
        module_id="basics",
        confidence=confidence,
        note="getting there",
    )


def session(actor: Principal, world: World, rating: int | None = None) -> commands.LogSession:
    return commands.LogSession(
        actor=actor,
        mentee_id=MENTEE_ID,
        session_id="ss-1",
        held_on=world.clock().date(),
        duration_minutes=45,
        module_ids=("basics",),
        notes="we talked",
        rating=rating,
    )


async def test_a_check_in_by_the_mentee_is_stored_and_announced() -> None:
    world = World()
    await world.tracked()

    stored = await handlers.record_check_in(check_in(MENTEE), world.ctx)

    assert [(c.id, c.confidence, c.assessed_by) for c in stored.tracking.check_ins] == [
        ("ci-1", 3, "mentee")
    ]
    assert (await world.store.get(MENTEE_ID)).version == stored.version
    assert world.outbox.types() == ["progress.check_in.recorded"]


async def test_the_same_check_in_again_changes_nothing_and_announces_nothing_more() -> None:
    world = World()
    await world.tracked()
    first = await handlers.record_check_in(check_in(MENTEE), world.ctx)

    again = await handlers.record_check_in(check_in(MENTEE), world.ctx)

    assert again.version == first.version
    assert world.outbox.types() == ["progress.check_in.recorded"]


async def test_a_check_in_by_the_mentor_counts_as_the_mentors_assessment() -> None:
    world = World()
    await world.tracked()

    stored = await handlers.record_check_in(check_in(MENTOR), world.ctx)

    assert stored.tracking.check_ins[0].assessed_by == "mentor"


async def test_a_stranger_may_not_record_activity() -> None:
    world = World()
    await world.tracked()

    with pytest.raises(Forbidden):
        await handlers.record_check_in(check_in(STRANGER), world.ctx)
    with pytest.raises(Forbidden):
        await handlers.complete_milestone(
            commands.CompleteMilestone(ADMIN, MENTEE_ID, "read", None), world.ctx
        )
    assert world.outbox.events == []


async def test_a_former_mentor_may_no_longer_record_activity() -> None:
    world = World()
    await world.tracked()
    await handlers.on_match_accepted(
        world.accepted(mentor_id=OTHER_MENTOR_ID, mentor=OTHER_MENTOR), world.ctx
    )

    with pytest.raises(Forbidden):
        await handlers.record_check_in(check_in(MENTOR), world.ctx)
    stored = await handlers.record_check_in(check_in(OTHER_MENTOR), world.ctx)
    assert stored.tracking.check_ins[0].assessed_by == "mentor"


async def test_activity_for_a_mentee_nobody_tracks_is_not_found() -> None:
    world = World()

    with pytest.raises(NotFound):
        await handlers.record_check_in(check_in(MENTEE), world.ctx)


async def test_a_completed_milestone_is_stored_and_announced() -> None:
    world = World()
    await world.tracked()

    stored = await handlers.complete_milestone(
        commands.CompleteMilestone(MENTEE, MENTEE_ID, "read", "a link"), world.ctx
    )

    assert "read" in stored.tracking.completed_milestone_ids
    assert world.outbox.types() == ["progress.milestone.completed"]


async def test_the_mentor_reopens_a_completed_milestone() -> None:
    world = World()
    await world.tracked()
    await handlers.complete_milestone(
        commands.CompleteMilestone(MENTEE, MENTEE_ID, "read", None), world.ctx
    )

    stored = await handlers.reopen_milestone(
        commands.ReopenMilestone(MENTOR, MENTEE_ID, "read", "not quite"), world.ctx
    )

    assert "read" not in stored.tracking.completed_milestone_ids
    assert world.outbox.types()[-1] == "progress.milestone.reopened"


async def test_the_mentee_may_not_reopen_a_milestone() -> None:
    world = World()
    await world.tracked()
    await handlers.complete_milestone(
        commands.CompleteMilestone(MENTEE, MENTEE_ID, "read", None), world.ctx
    )

    with pytest.raises(Forbidden):
        await handlers.reopen_milestone(
            commands.ReopenMilestone(MENTEE, MENTEE_ID, "read", "oops"), world.ctx
        )


async def test_a_session_logged_is_stored_with_the_loggers_rating_and_announced() -> None:
    world = World()
    await world.tracked()

    stored = await handlers.log_session(session(MENTOR, world, rating=4), world.ctx)

    logged = stored.tracking.sessions[0]
    assert (logged.id, logged.mentor_rating, logged.mentee_rating) == ("ss-1", 4, None)
    assert world.outbox.types() == ["progress.session.logged"]


async def test_each_side_rates_a_session_on_their_own_side() -> None:
    world = World()
    await world.tracked()
    await handlers.log_session(session(MENTOR, world, rating=4), world.ctx)

    stored, role = await handlers.rate_session(
        commands.RateSession(MENTEE, MENTEE_ID, "ss-1", 5), world.ctx
    )

    assert role == "mentee"
    assert (
        stored.tracking.sessions[0].mentee_rating,
        stored.tracking.sessions[0].mentor_rating,
    ) == (
        5,
        4,
    )
    assert world.outbox.types()[-1] == "progress.session.rated"


async def test_rating_a_session_that_was_never_logged_is_not_found() -> None:
    world = World()
    await world.tracked()

    with pytest.raises(NotFound):
        await handlers.rate_session(commands.RateSession(MENTEE, MENTEE_ID, "ss-9", 5), world.ctx)


async def test_a_stranger_may_not_rate_a_session() -> None:
    world = World()
    await world.tracked()
    await handlers.log_session(session(MENTOR, world), world.ctx)

    with pytest.raises(Forbidden):
        await handlers.rate_session(commands.RateSession(STRANGER, MENTEE_ID, "ss-1", 5), world.ctx)


# ---- learning paths -------------------------------------------------------------------------

MODULE = ModuleSpec(
    "first-steps",
    "First steps",
    "Where to begin.",
    (MilestoneSpec("say-hello", "Say hello", "In the welcome space.", "A link."),),
)


async def test_an_admin_creates_a_path_as_its_version_1_and_a_retry_answers_it_again() -> None:
    world = World()
    create = commands.CreatePath(ADMIN, "onboarding", "Onboarding", (MODULE,))

    path = await handlers.create_path(create, world.ctx)
    again = await handlers.create_path(create, world.ctx)

    assert (path.id, path.version) == ("onboarding", 1)
    assert again == path
    assert await world.store.path("onboarding", 1) == path


async def test_a_path_id_taken_by_other_content_is_a_conflict() -> None:
    world = World()
    await handlers.create_path(
        commands.CreatePath(ADMIN, "onboarding", "Onboarding", (MODULE,)), world.ctx
    )

    with pytest.raises(Conflict):
        await handlers.create_path(
            commands.CreatePath(ADMIN, "onboarding", "Something else", (MODULE,)), world.ctx
        )


async def test_only_admins_create_and_publish_paths() -> None:
    world = World()

    with pytest.raises(Forbidden):
        await handlers.create_path(
            commands.CreatePath(MENTOR, "onboarding", "Onboarding", (MODULE,)), world.ctx
        )
    with pytest.raises(Forbidden):
        await handlers.publish_path_version(
            commands.PublishPathVersion(MENTOR, PATH.id, "New", (MODULE,)), world.ctx
        )


async def test_publishing_new_content_makes_the_next_version_and_the_same_content_makes_none() -> (
    None
):
    world = World()
    publish = commands.PublishPathVersion(ADMIN, PATH.id, "Small path, revised", (MODULE,))

    path, created = await handlers.publish_path_version(publish, world.ctx)
    same, again = await handlers.publish_path_version(publish, world.ctx)

    assert (path.version, created) == (2, True)
    assert (same.version, again) == (2, False)
    assert (await world.store.latest_path(PATH.id)).title == "Small path, revised"


async def test_publishing_a_version_of_an_unknown_path_is_not_found() -> None:
    world = World()

    with pytest.raises(NotFound):
        await handlers.publish_path_version(
            commands.PublishPathVersion(ADMIN, "nowhere", "Nowhere", (MODULE,)), world.ctx
        )
