"""The one clock: the current instant, aware and in UTC (what every stored time is in)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
