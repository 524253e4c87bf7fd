"""Periodic jobs of the mentoring worker: expiring proposals and reconciliation.

(The outbox sweep runs in every worker, from ``mentorship_runtime.service_app``.)
"""

from __future__ import annotations

from collections.abc import Callable

from mentoring.config import Settings
from mentoring.service_layer.handlers import Context, expire_due_proposals
from mentoring.service_layer.reconciliation import release_stale_places
from mentorship_runtime.jobs import every
from mentorship_runtime.service_app import Job


def jobs(context: Callable[[], Context], settings: Settings) -> list[Job]:
    return [
        lambda: every(
            settings.expiry_check_seconds,
            "expire_proposals",
            lambda: expire_due_proposals(context()),
        ),
        lambda: every(
            settings.reconcile_seconds, "reconcile", lambda: release_stale_places(context())
        ),
    ]
