"""Periodic jobs of the notify worker: deliveries, reminders, weekly digests, events waiting too
long for a name, expired export parts.

(The outbox sweep runs in every worker, from ``mentorship_runtime.service_app``.)
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from mentorship_runtime.export_parts import PURGE_SECONDS
from mentorship_runtime.jobs import every
from mentorship_runtime.service_app import Job
from notify.config import Settings
from notify.service_layer.context import Context
from notify.service_layer.data_exports import ExportContext, delete_expired_parts
from notify.service_layer.delivery import DeliveryWorker
from notify.service_layer.handlers import OVERDUE_BATCH, OVERDUE_POLL_SECONDS, plan_overdue
from notify.service_layer.nudges import send_due_nudges
from notify.service_layer.reminders import send_due_reminders
from notify.service_layer.weekly_digests import send_due_weekly_digests


def jobs(
    context: Callable[[], Context],
    settings: Settings,
    *,
    export_context: Callable[[], ExportContext],
    delivery_worker: Callable[[], AbstractAsyncContextManager[DeliveryWorker]],
) -> list[Job]:
    """``delivery_worker``: a worker with its senders, open while it runs."""

    async def deliver() -> None:
        async with delivery_worker() as worker:
            # a backlog is worked through without pausing between full rounds
            await every(
                settings.delivery_poll_seconds,
                "deliveries",
                worker.run_once,
                again=lambda round_: round_.full,
            )

    return [
        deliver,
        lambda: every(
            settings.reminder_poll_seconds,
            "rating_reminders",
            lambda: send_due_reminders(context()),
        ),
        lambda: every(settings.reminder_poll_seconds, "nudges", lambda: send_due_nudges(context())),
        lambda: every(
            settings.reminder_poll_seconds,
            "weekly_digests",
            lambda: send_due_weekly_digests(context()),
        ),
        # events parked for a name that never came are planned with the generic wording
        lambda: every(
            OVERDUE_POLL_SECONDS,
            "overdue_parked_events",
            lambda: plan_overdue(context()),
            again=lambda planned: planned >= OVERDUE_BATCH,
        ),
        lambda: every(
            PURGE_SECONDS,
            "delete_expired_export_parts",
            lambda: delete_expired_parts(export_context()),
        ),
    ]
