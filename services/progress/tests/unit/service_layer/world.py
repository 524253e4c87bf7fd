"""Progress's use cases on in-memory fakes (``tests.unit.fakes``), at a clock the test moves:
who is who, mentoring's events as they arrive, and the wiring of the contexts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events import (
    MatchAccepted,
    MatchDeclined,
    MatchEnded,
    ParticipantWithdrawn,
    ProgramAdmin,
    ProgramPublished,
)
from mentorship_runtime.principal import Principal
from mentorship_testing.clock import Clock
from progress.domain.learning_paths import LearningPath
from progress.service_layer.data_exports import ExportContext
from progress.service_layer.erasures import ErasureContext
from progress.service_layer.handlers import Context, on_match_accepted, on_program_published
from progress.service_layer.ports import Stored
from services.progress.tests.unit.builders import PATH
from services.progress.tests.unit.fakes import (
    FakeErasures,
    FakeExportParts,
    FakePersonalData,
    FakePlannedSessions,
    FakeReportMarks,
    FakeTrackingStore,
    Outbox,
)

PROGRAM = "pg-1"
MENTEE_ID = "pt-ada"
MENTOR_ID = "pt-grace"
OTHER_MENTOR_ID = "pt-alan"


def person(user_id: str, *roles: str) -> Principal:
    return Principal(user_id, frozenset(roles), user_id.title(), f"{user_id}@example.org")


MENTEE = person("u-ada", "mentee")
MENTOR = person("u-grace", "mentor")
OTHER_MENTOR = person("u-alan", "mentor")
ADMIN = person("u-admin", "admin")
OTHER_ADMIN = person("u-other-admin", "admin")
STRANGER = person("u-stranger", "mentee")


@dataclass
class World:
    clock: Clock = field(default_factory=Clock)
    stall_window: timedelta = timedelta(days=14)
    outbox: Outbox = field(default_factory=Outbox)
    store: FakeTrackingStore = field(init=False)
    planned: FakePlannedSessions = field(init=False)
    reports: FakeReportMarks = field(init=False)
    parts: FakeExportParts = field(init=False)
    erasures: FakeErasures = field(init=False)
    personal: FakePersonalData = field(default_factory=FakePersonalData)

    def __post_init__(self) -> None:
        self.store = FakeTrackingStore(self.outbox)
        self.planned = FakePlannedSessions(self.outbox)
        self.reports = FakeReportMarks()
        self.parts = FakeExportParts(self.outbox)
        self.erasures = FakeErasures(self.store, self.planned, self.parts, self.outbox)
        self.store.paths[(PATH.id, PATH.version)] = PATH

    @property
    def ctx(self) -> Context:
        return Context(
            store=self.store,
            clock=self.clock,
            stall_window=self.stall_window,
            planned=self.planned,
            erasures=self.erasures,
            reports=self.reports,
        )

    @property
    def export_ctx(self) -> ExportContext:
        return ExportContext(self.store, self.parts, self.personal, self.clock)

    @property
    def erasure_ctx(self) -> ErasureContext:
        return ErasureContext(self.store, self.erasures, self.clock)

    def event(self, payload: EventPayload) -> Envelope[Any]:
        """An event that happens now; the clock then moves on a second."""
        made = new_envelope(payload, producer="mentoring", clock=self.clock)
        self.clock.advance(seconds=1)
        return made

    def published(self, name: str = "Spring", **extra: Any) -> Envelope[Any]:
        return self.event(
            ProgramPublished(
                program_id=PROGRAM,
                name=name,
                status="open",
                learning_path_id=extra.pop("learning_path_id", PATH.id),
                admins=[ProgramAdmin(user_id=ADMIN.user_id)],
                **extra,
            )
        )

    def accepted(
        self,
        mentor_id: str = MENTOR_ID,
        mentor: Principal = MENTOR,
        mentee_id: str = MENTEE_ID,
        **extra: Any,
    ) -> Envelope[Any]:
        return self.event(
            MatchAccepted(
                match_id=f"m-{mentee_id}-{mentor_id}",
                program_id=PROGRAM,
                mentee_id=mentee_id,
                mentor_id=mentor_id,
                mentee_user_id=MENTEE.user_id if mentee_id == MENTEE_ID else f"u-{mentee_id}",
                mentor_user_id=mentor.user_id,
                **extra,
            )
        )

    def ended(self, mentor_id: str = MENTOR_ID, mentee_id: str = MENTEE_ID) -> Envelope[Any]:
        return self.event(
            MatchEnded(
                match_id=f"m-{mentee_id}-{mentor_id}",
                program_id=PROGRAM,
                mentee_id=mentee_id,
                mentor_id=mentor_id,
                outcome="ended_early",
            )
        )

    def declined(self, mentor_id: str = MENTOR_ID) -> Envelope[Any]:
        return self.event(
            MatchDeclined(
                match_id=f"m-{MENTEE_ID}-{mentor_id}",
                program_id=PROGRAM,
                mentee_id=MENTEE_ID,
                mentor_id=mentor_id,
            )
        )

    def withdrawn(self, participant_id: str = MENTEE_ID) -> Envelope[Any]:
        return self.event(ParticipantWithdrawn(participant_id=participant_id, program_id=PROGRAM))

    async def tracked(self) -> Stored:
        """Ada followed by Grace on the small path, in a program Admin administers."""
        await on_program_published(self.published(), self.ctx)
        await on_match_accepted(self.accepted(), self.ctx)
        return await self.store.get(MENTEE_ID)

    def add_path(self, path: LearningPath) -> None:
        self.store.paths[(path.id, path.version)] = path
