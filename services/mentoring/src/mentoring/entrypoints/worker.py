"""Periodic jobs of the mentoring worker: expiring proposals, the outbox sweep, reconciliation."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from mentoring.service_layer.handlers import expire_due_proposals
from mentoring.service_layer.reconciliation import release_stale_places
from mentorship_runtime.jobs import every

if TYPE_CHECKING:
    from mentoring.bootstrap import Service
    from mentoring.config import Settings


class Worker:
    def __init__(self, service: Service, settings: Settings) -> None:
        self._service = service
        self._settings = settings

    def jobs(self) -> list[Coroutine[Any, Any, None]]:
        service, settings = self._service, self._settings
        return [
            every(
                settings.expiry_check_seconds,
                "expire_proposals",
                lambda: expire_due_proposals(service.context()),
            ),
            service.relay.run_sweeper(
                service.store.outbox_collections, every=settings.outbox_sweep_seconds
            ),
            every(
                settings.reconcile_seconds,
                "reconcile",
                lambda: release_stale_places(service.context()),
            ),
        ]
