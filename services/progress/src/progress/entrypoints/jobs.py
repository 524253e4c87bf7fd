"""Periodic jobs of the progress worker: stall detection, and the deletion of the export parts
past their day.

(The outbox sweep runs in every worker, from ``mentorship_runtime.service_app``.)
"""

from __future__ import annotations

from collections.abc import Callable

from mentorship_runtime.export_parts import PURGE_SECONDS
from mentorship_runtime.jobs import every
from mentorship_runtime.service_app import Job
from progress.config import Settings
from progress.service_layer.data_exports import ExportContext, delete_expired_parts
from progress.service_layer.handlers import Context, detect_stalls


def jobs(
    context: Callable[[], Context],
    settings: Settings,
    export_context: Callable[[], ExportContext],
) -> list[Job]:
    return [
        lambda: every(
            settings.detection_seconds, "detect_stalls", lambda: detect_stalls(context())
        ),
        lambda: every(
            PURGE_SECONDS,
            "delete_expired_export_parts",
            lambda: delete_expired_parts(export_context()),
        ),
    ]
