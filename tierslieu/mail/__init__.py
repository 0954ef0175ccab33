"""The mail outbox: a mail is a row written with the change that causes it, sent afterwards.

Writing a mail
    ``await mail.send(user, "accounts/roles_changed", {...}, kind="account")`` renders
    ``templates/mail/accounts/roles_changed.txt`` in the recipient's locale and writes an
    :class:`~tierslieu.models.OutboxMail` row on the *current* Tortoise connection: called
    inside ``async with in_transaction():`` it commits or rolls back with the change.
    ``to`` is a user (locale and zone are theirs) or a bare address (pass ``locale=``).

Templates
    Plain text, one file per mail with two blocks, each rendered alone: ``subject``
    (folded onto one line) and ``body``, which ``mail/_layout.txt`` then wraps with the
    signature and, for optional kinds, the unsubscribe link. Only the blocks are rendered,
    so top-level ``{% set %}`` outside them is not seen. Context: the caller's values
    plus ``user`` (None for a bare address), ``base_url``, ``locale``, ``timezone``,
    ``kind`` (a :class:`MailKind`) and ``unsubscribe_url`` (or None). Texts go through
    ``_()``; ``{{ when|datetime }}`` shows an instant in the recipient's zone.

Kinds
    ``security`` (verification, reset, address change, suspension) is mandatory: no
    preference, no List-Unsubscribe. Every other kind is optional, registered with
    :func:`register_kind`, listed by :func:`kinds` for the profile page, and carries
    RFC 8058 one-click ``List-Unsubscribe`` headers. A user whose preference for the kind
    is ``never`` gets nothing (``send`` returns None); other modes (a digest, say) are for
    the caller to honour. Deleted users get nothing; suspended users only security mails.

Configuration
    ``create_app`` builds ``MailSender(settings)``, whose constructor calls
    :func:`configure`: that is where ``send`` finds the base URL and the key that signs
    unsubscribe links, and the sender it wakes after writing a row.

Sending
    :meth:`MailSender.deliver_due` claims due rows (``FOR UPDATE SKIP LOCKED`` on
    PostgreSQL, so several processes never send a mail twice), marks each claimed one
    with an attempt and a retry time, then sends over SMTP (``TIERSLIEU_SMTP_URL``:
    ``smtp://user:pass@host:587?starttls=1``, ``smtps://host:465``; without ``starttls``
    aiosmtplib upgrades when the server offers it, ``starttls=0`` never does) or, with no
    SMTP configured, writes them to the ``tierslieu.mail`` log. A failure is recorded and
    retried with exponential backoff, at most ``MAX_ATTEMPTS`` times.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from jinja2 import Environment
from tortoise import connections
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from accounts.models import User
from tierslieu import i18n, personal_data
from tierslieu.errors import N_
from tierslieu.models import OutboxMail
from tierslieu.settings import Settings
from tierslieu.templating import create_environment
from tierslieu.validation import parse_id

if TYPE_CHECKING:
    from tierslieu.mail.sender import MailSender

log = logging.getLogger("tierslieu.mail")

SECURITY = "security"
NEVER = "never"
IMMEDIATE = "immediate"
LAYOUT = "mail/_layout.txt"
_KIND_NAME = re.compile(r"[a-z][a-z0-9_.-]{0,39}")

# --- kinds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailKind:
    name: str
    label: str  # an English message id, translated where it is shown
    modes: tuple[str, ...]
    default: str
    optional: bool = True


_kinds: dict[str, MailKind] = {
    SECURITY: MailKind(SECURITY, N_("Security of my account"), (IMMEDIATE,), IMMEDIATE, optional=False),
}


def register_kind(
    name: str, label: str, modes: tuple[str, ...] = (IMMEDIATE, NEVER), default: str = IMMEDIATE
) -> MailKind:
    """Declare an optional kind of mail; every part registers its own at import time."""
    if not _KIND_NAME.fullmatch(name) or name == SECURITY:
        raise ValueError(f"invalid mail kind name {name!r}")
    if default not in modes or NEVER not in modes:
        raise ValueError(f"mail kind {name!r}: the default must be a mode and 'never' must be one")
    new = MailKind(name, label, tuple(modes), default)
    if _kinds.setdefault(name, new) != new:
        raise ValueError(f"mail kind {name!r} is already registered differently")
    return new


def kind(name: str) -> MailKind:
    """A registered kind, the mandatory ``security`` one included (KeyError otherwise)."""
    return _kinds[name]


def kinds() -> list[MailKind]:
    """The optional kinds, in registration order: what a person may choose about."""
    return [item for item in _kinds.values() if item.optional]


def preference(user: User, kind_name: str) -> str:
    """The user's mode for a kind: their choice when it is still a valid mode, else the default."""
    item = kind(kind_name)
    chosen = (user.mail_preferences or {}).get(kind_name)
    return chosen if chosen in item.modes else item.default


register_kind("account", N_("News about my account (roles and other changes)"))


async def set_preference(user: User, kind_name: str, mode: str) -> None:
    """Store a mode for an optional kind, without losing a concurrent change to another."""
    item = kind(kind_name)
    if not item.optional or mode not in item.modes:
        raise ValueError(f"mode {mode!r} is not allowed for mail kind {kind_name!r}")
    async with in_transaction():
        fresh = await User.select_for_update().get(id=user.id)
        fresh.mail_preferences = {**(fresh.mail_preferences or {}), kind_name: mode}
        await fresh.save(update_fields=["mail_preferences"])
    user.mail_preferences = fresh.mail_preferences


# --- configuration ----------------------------------------------------------------------


@dataclass
class _State:
    settings: Settings | None = None
    sender: MailSender | None = None


_state = _State()


def configure(settings: Settings, sender: MailSender | None = None) -> None:
    """Give ``send`` its settings (and the sender to wake); MailSender() calls this."""
    _state.settings = settings
    _state.sender = sender


def _settings() -> Settings:
    if _state.settings is None:
        raise RuntimeError("tierslieu.mail is not configured: create_app() or MailSender(settings) does it")
    return _state.settings


# --- unsubscribe tokens -----------------------------------------------------------------


def _signature(secret_key: str, user_id: int, kind_name: str) -> str:
    message = f"mail-unsubscribe:{user_id}:{kind_name}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:18]).decode()


def unsubscribe_token(user_id: int, kind_name: str) -> str:
    """``<user id>.<kind>.<signature>``: the kind stays readable, the signature unforgeable."""
    return f"{user_id}.{kind_name}.{_signature(_settings().secret_key, user_id, kind_name)}"


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    user_part, _, rest = token.partition(".")
    kind_name, _, signature = rest.rpartition(".")
    user_id = parse_id(user_part)  # not isdigit(): "²" passes it, and int() refuses it
    if user_id is None or not signature:
        return None
    expected = _signature(_settings().secret_key, user_id, kind_name)
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    return user_id, kind_name


def unsubscribe_url(user_id: int, kind_name: str) -> str:
    query = urlencode({"t": unsubscribe_token(user_id, kind_name)})
    return f"{_settings().base_url}/mail/unsubscribe?{query}"


# --- writing mails ----------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar; method=REQUEST"
    content: str


@cache
def _environment() -> Environment:
    return create_environment()


def render_mail(template: str, context: dict[str, Any], locale: str) -> tuple[str, str]:
    """``(subject, body)`` of ``templates/mail/<template>.txt`` in ``locale``."""
    env = _environment()
    compiled = env.get_template(f"mail/{template}.txt")
    missing = {"subject", "body"} - set(compiled.blocks)
    if missing:
        raise ValueError(f"mail template {template!r} lacks the block(s) {sorted(missing)}")
    with i18n.use_locale(locale):
        subject = "".join(compiled.blocks["subject"](compiled.new_context(context)))
        content = "".join(compiled.blocks["body"](compiled.new_context(context))).strip()
        body = env.get_template(LAYOUT).render({**context, "content": content})
    subject = " ".join(subject.split())[:255]
    body = re.sub(r"\n{3,}", "\n\n", body.strip()) + "\n"
    return subject, body


async def send(
    to: User | str,
    template: str,
    context: dict[str, Any],
    *,
    kind: str = SECURITY,
    attachments: list[Attachment] | None = None,
    send_after: datetime | None = None,
    locale: str = i18n.DEFAULT_LOCALE,
    timezone: str = i18n.DEFAULT_TIMEZONE,
) -> OutboxMail | None:
    """Write a mail to the outbox in the current transaction, or None when it is not wanted.

    ``locale`` and ``timezone`` apply only to a bare address; a user's own are used otherwise.
    """
    settings = _settings()
    item = _kinds[kind]
    headers: dict[str, str] = {}
    link = None
    if isinstance(to, User):
        if to.deleted_at is not None:
            return None
        if item.optional and (to.suspended_at is not None or preference(to, kind) == NEVER):
            return None
        user, address, locale, timezone = to, to.email, to.locale, to.timezone
        if item.optional:
            link = unsubscribe_url(to.id, kind)
            headers["List-Unsubscribe"] = f"<{link}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    else:
        user, address = None, to
    full_context = {
        "user": user,
        "base_url": settings.base_url,
        "locale": locale,
        "timezone": timezone,
        "kind": item,
        "unsubscribe_url": link,
        **context,
    }
    subject, body = render_mail(template, full_context, locale)
    connection = connections.get("default")
    row = await OutboxMail.create(
        user_id=user.id if user is not None else None,
        to_address=address,
        kind=kind,
        subject=subject,
        body_text=body,
        headers=headers,
        attachments=[asdict(attachment) for attachment in attachments or ()],
        send_after=send_after or _now(),
        using_db=connection,
    )
    if _state.sender is not None:
        _state.sender.notify(connection)
    return row


def _now() -> datetime:
    return datetime.now(UTC)


# --- personal data ----------------------------------------------------------------------


async def _export(user: User) -> list[dict[str, Any]]:
    rows = await OutboxMail.filter(user_id=user.id).order_by("created_at")
    return [
        {
            "kind": row.kind,
            "subject": row.subject,
            "created_at": row.created_at.isoformat(),
            "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        }
        for row in rows
    ]


async def _erase(user: User) -> None:
    # a pending security mail (such as "your account was deleted") still goes out
    done_or_optional = Q(sent_at__isnull=False) | ~Q(kind=SECURITY)
    await OutboxMail.filter(done_or_optional, user_id=user.id).delete()


personal_data.register("mails", _export, _erase)


# --- re-exports: sender.py and routes.py import from this module, so they come last ----

from tierslieu.mail.routes import CSRF_EXEMPT as CSRF_EXEMPT  # noqa: E402
from tierslieu.mail.routes import resolve_unsubscribe as resolve_unsubscribe  # noqa: E402
from tierslieu.mail.routes import routes as routes  # noqa: E402
from tierslieu.mail.routes import unsubscribe as unsubscribe  # noqa: E402
from tierslieu.mail.sender import BATCH_SIZE as BATCH_SIZE  # noqa: E402
from tierslieu.mail.sender import FIRST_RETRY as FIRST_RETRY  # noqa: E402
from tierslieu.mail.sender import KEEP_SENT as KEEP_SENT  # noqa: E402
from tierslieu.mail.sender import LONGEST_RETRY as LONGEST_RETRY  # noqa: E402
from tierslieu.mail.sender import MAX_ATTEMPTS as MAX_ATTEMPTS  # noqa: E402
from tierslieu.mail.sender import POLL_SECONDS as POLL_SECONDS  # noqa: E402
from tierslieu.mail.sender import SMTP_TIMEOUT as SMTP_TIMEOUT  # noqa: E402
from tierslieu.mail.sender import MailSender as MailSender  # noqa: E402
from tierslieu.mail.sender import retry_delay as retry_delay  # noqa: E402
from tierslieu.mail.sender import smtp_options as smtp_options  # noqa: E402
