"""What each part contributes to "download my data" and "delete my account".

Accounts imports no part: every part registers an exporter and an eraser here when
its module is imported, and the account services call them all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

Exporter = Callable[[Any], Awaitable[Any]]
Eraser = Callable[[Any], Awaitable[None]]


@dataclass(frozen=True)
class Contributor:
    name: str
    export: Exporter
    erase: Eraser


_contributors: dict[str, Contributor] = {}


def register(name: str, export: Exporter, erase: Eraser) -> None:
    """``export(user)`` returns JSON-ready data; ``erase(user)`` runs inside the
    deletion transaction, deleting private data and anonymising public contributions."""
    _contributors[name] = Contributor(name, export, erase)


def contributors() -> list[Contributor]:
    return list(_contributors.values())
