"""What the kernel needs to know about people, as small callables.

The kernel imports no part, ``accounts`` included: the composition root builds one
:class:`Identity` from the accounts part's services and hands it to the middleware (who is
asking), the mail outbox (who a mail goes to, the unsubscribe page), the personal calendar
feed and the site pages. A person is whatever object the accounts part returns; the kernel
reads only ``id``, ``email``, ``display_name``, ``locale``, ``timezone``, ``deleted_at``,
``suspended_at`` and ``needs_two_factor`` from it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tierslieu.errors import DomainError
    from tierslieu.settings import Settings


@dataclass(frozen=True)
class TwoStepGate:
    """Staff whose role asks for two-step sign-in and who have not enrolled yet reach only
    the paths ``is_open(path)`` allows; pages send them to ``enrolment_url(path, query)``,
    other requests get ``required_error()``."""

    is_open: Callable[[str], bool]
    enrolment_url: Callable[[str, str], str]
    required_error: Callable[[], DomainError]


@dataclass(frozen=True)
class Identity:
    # session cookie -> (session, person, roles), or None when unknown, expired or revoked
    resolve_session: Callable[[str, Settings], Awaitable[tuple[Any, Any, frozenset[str]] | None]]
    # bearer token -> (person, roles, token), or None
    resolve_api_token: Callable[[str], Awaitable[tuple[Any, frozenset[str], Any] | None]]
    # secret of a personal calendar feed (and the key that signs it) -> person, or None
    calendar_owner: Callable[[str, str], Awaitable[Any | None]]
    # an active (not deleted) person by id, or None: the recipient of a mail written earlier
    find: Callable[[int], Awaitable[Any | None]]
    # the mode a person chose for an optional kind of mail (None: never chose), and setting it
    mail_preference: Callable[[Any, str], str | None]
    set_mail_preference: Callable[[Any, str, str], Awaitable[None]]
    # may this person edit the site's legal pages?
    can_edit_site_pages: Callable[[Any], bool]
    two_step: TwoStepGate


_current: Identity | None = None


def install(identity: Identity) -> None:
    """The composition root hands the accounts part's callables over, once per app."""
    global _current
    _current = identity


def current() -> Identity:
    if _current is None:
        raise RuntimeError("no identity installed: the composition root calls tierslieu.identity.install() first")
    return _current
