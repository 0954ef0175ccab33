"""Happenings: how a lower part tells the parts above it what happened, without knowing them.

A part declares the happenings it announces in its manifest (``Part.announces``, named
``<part>.<what>``, e.g. ``events.attendance_recorded``); a higher part declares what it
listens to (``Part.listens``). The announcing service calls :func:`announce` once its
transaction has committed, so listeners only ever hear of what is stored; calling it inside
a transaction is a programming error. Each listener runs in turn, in the order of the
installed parts, in its own transactions; one that fails is logged and the others still hear
of it: the announcer's work is done and stays done.
"""

from __future__ import annotations

import logging
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.exceptions import BaseORMException

from tierslieu import parts
from tierslieu.errors import DomainError
from tierslieu.parts import Happening

log = logging.getLogger("tierslieu.happenings")


async def announce(name: str, **data: Any) -> Happening:
    """Tell every listener of ``name`` (declared by an installed part) what happened."""
    installation = parts.installed()
    if name not in installation.happenings():
        raise ValueError(f"no installed part announces {name!r}")
    if isinstance(connections.get("default"), TransactionalDBClient):
        raise RuntimeError(f"{name!r} announced inside a transaction: announce after the commit")
    happening = Happening(name, data)
    for listener in installation.listeners.get(name, ()):
        try:
            await listener(happening)
        except (DomainError, BaseORMException, OSError):
            log.exception("a listener of %s failed", name, extra={"happening": name})
    return happening
