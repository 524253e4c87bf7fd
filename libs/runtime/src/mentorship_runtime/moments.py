"""Moments as the platform stores them."""

from __future__ import annotations

from datetime import datetime


def as_stored(moment: datetime) -> datetime:
    """``moment`` as a MongoDB server keeps it: to the millisecond. A resource answered at its
    creation then reads the same as the stored one answered to a retry."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
