"""Demo content: badge classes, and awards given the way the space gives them."""

from __future__ import annotations

from collections.abc import Callable


async def run(report: Callable[[str], None]) -> list[str]:
    return []
