"""Periodic jobs of the mentoring worker: expiring proposals, reconciliation, and the deletion
of the export parts past their day.

(The outbox sweep runs in every worker, from ``mentorship_runtime.service_app``.)
"""

from __future__ import annotations

from collections.abc import Callable

from mentoring.config import Settings
from mentoring.service_layer.data_exports import ExportContext, delete_expired_parts
from mentoring.service_layer.handlers import Context, expire_due_proposals
from mentoring.service_layer.reconciliation import release_stale_places
from mentorship_runtime.export_parts import PURGE_SECONDS
from mentorship_runtime.jobs import every
from mentorship_runtime.service_app import Job


def jobs(
    context: Callable[[], Context],
    settings: Settings,
    export_context: Callable[[], ExportContext],
) -> list[Job]:
    return [
        lambda: every(
            settings.expiry_check_seconds,
            "expire_proposals",
            lambda: expire_due_proposals(context()),
        ),
        lambda: every(
            settings.reconcile_seconds, "reconcile", lambda: release_stale_places(context())
        ),
        lambda: every(
            PURGE_SECONDS,
            "delete_expired_export_parts",
            lambda: delete_expired_parts(export_context()),
        ),
    ]
