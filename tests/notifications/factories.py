"""Notifications factories for tests: kinds of the installed forum part."""

from __future__ import annotations

from typing import Any

from notifications import services
from notifications.models import Notification
from tierslieu.i18n import Message

KIND = "forum.reply"
LABEL = "%(actor)s replied in “%(title)s”"


async def make_notification(
    user: Any, *, actor: Any = None, kind: str = KIND, title: str = "Un sujet", **overrides
) -> Notification:
    values = {"url": "/forum/t/1", "actor_id": actor.id if actor else None, **overrides}
    params = {"actor": actor.display_name if actor else "?", "title": title}
    created = await services.notify([user.id], kind, Message(LABEL, params), **values)
    assert len(created) == 1
    return created[0]
