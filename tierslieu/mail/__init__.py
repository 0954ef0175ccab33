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
    ``Part.mail_kinds`` in a part's manifest, listed by :func:`kinds` for the profile page, and carries
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
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from email.utils import parseaddr
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from jinja2 import Environment
from tortoise.expressions import Q

from tierslieu import clock, db, i18n, identity, parts
from tierslieu.calendar import host_of
from tierslieu.errors import N_
from tierslieu.models import OutboxMail
from tierslieu.parts import MailKind
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

# --- kinds ---------------------------------------------------------------------------
# Every optional kind is declared in a part's manifest (``Part.mail_kinds``); the kernel's
# own manifest declares ``security``.

SECURITY_KIND = MailKind(SECURITY, N_("Security of my account"), (IMMEDIATE,), IMMEDIATE, optional=False)


def kind(name: str) -> MailKind:
    """An installed kind, the mandatory ``security`` one included (KeyError otherwise)."""
    return parts.installed().mail_kinds[name]


def kinds() -> list[MailKind]:
    """The optional kinds, in the order of the installed parts: what a person may choose about."""
    return [item for item in parts.installed().mail_kinds.values() if item.optional]


def preference(user: Any, kind_name: str) -> str:
    """The user's mode for a kind: their choice when it is still a valid mode, else the default."""
    item = kind(kind_name)
    chosen = identity.current().mail_preference(user, kind_name) if item.optional else None
    return chosen if chosen in item.modes else item.default


async def set_preference(user: Any, kind_name: str, mode: str) -> None:
    """Store a mode for an optional kind (the accounts part keeps it with the person)."""
    item = kind(kind_name)
    if not item.optional or mode not in item.modes:
        raise ValueError(f"mode {mode!r} is not allowed for mail kind {kind_name!r}")
    await identity.current().set_mail_preference(user, kind_name, mode)


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


def configured_settings() -> Settings:
    if _state.settings is None:
        raise RuntimeError("tierslieu.mail is not configured: create_app() or MailSender(settings) does it")
    return _state.settings


def base_url() -> str:
    """The site's address, as links in mails and invitations write it."""
    return configured_settings().base_url


def sender_address() -> str:
    """The address mails and calendar invitations come from."""
    settings = configured_settings()
    return parseaddr(settings.mail_from)[1] or f"no-reply@{host_of(settings.base_url)}"


# --- unsubscribe tokens -----------------------------------------------------------------


def _signature(secret_key: str, user_id: int, kind_name: str) -> str:
    message = f"mail-unsubscribe:{user_id}:{kind_name}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:18]).decode()


def unsubscribe_token(user_id: int, kind_name: str) -> str:
    """``<user id>.<kind>.<signature>``: the kind stays readable, the signature unforgeable."""
    return f"{user_id}.{kind_name}.{_signature(configured_settings().secret_key, user_id, kind_name)}"


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    user_part, _, rest = token.partition(".")
    kind_name, _, signature = rest.rpartition(".")
    user_id = parse_id(user_part)  # not isdigit(): "²" passes it, and int() refuses it
    if user_id is None or not signature:
        return None
    expected = _signature(configured_settings().secret_key, user_id, kind_name)
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    return user_id, kind_name


def unsubscribe_url(user_id: int, kind_name: str) -> str:
    query = urlencode({"t": unsubscribe_token(user_id, kind_name)})
    return f"{configured_settings().base_url}/mail/unsubscribe?{query}"


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


@dataclass(frozen=True)
class _Recipient:
    user: Any  # a person (see tierslieu.identity), None for a bare address
    address: str
    locale: str
    timezone: str
    headers: dict[str, str]
    unsubscribe_url: str | None


def _recipient(to: Any, kind_name: str, locale: str, timezone: str) -> _Recipient | None:
    """Who gets the mail, in which language and zone; None when it is not wanted."""
    item = kind(kind_name)
    if isinstance(to, str):
        return _Recipient(None, to, locale, timezone, {}, None)
    if to.deleted_at is not None:
        return None
    if item.optional and (to.suspended_at is not None or preference(to, kind_name) == NEVER):
        return None
    headers: dict[str, str] = {}
    link = None
    if item.optional:
        link = unsubscribe_url(to.id, kind_name)
        headers["List-Unsubscribe"] = f"<{link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return _Recipient(to, to.email, to.locale, to.timezone, headers, link)


def _render_for(recipient: _Recipient, kind_name: str, template: str, context: dict[str, Any]) -> tuple[str, str]:
    full_context = {
        "user": recipient.user,
        "base_url": configured_settings().base_url,
        "locale": recipient.locale,
        "timezone": recipient.timezone,
        "kind": kind(kind_name),
        "unsubscribe_url": recipient.unsubscribe_url,
        **context,
    }
    return render_mail(template, full_context, recipient.locale)


async def _write(recipient: _Recipient, kind_name: str, send_after: datetime | None, **values: Any) -> OutboxMail:
    row = await db.insert(
        OutboxMail,
        user_id=recipient.user.id if recipient.user is not None else None,
        to_address=recipient.address,
        kind=kind_name,
        headers=recipient.headers,
        send_after=send_after or clock.now(),
        **values,
    )
    if _state.sender is not None:
        _state.sender.notify()
    return row


async def send(
    to: Any,
    template: str,
    context: dict[str, Any],
    *,
    kind: str = SECURITY,
    attachments: list[Attachment] | None = None,
    send_after: datetime | None = None,
    locale: str = i18n.DEFAULT_LOCALE,
    timezone: str = i18n.DEFAULT_TIMEZONE,
    secrets: Sequence[str] = (),
) -> OutboxMail | None:
    """Write a mail to the outbox in the current transaction, or None when it is not wanted.

    ``to`` is a person or a bare address: ``locale`` and ``timezone`` apply only to a bare
    address; a person's own are used otherwise. ``secrets`` are the texts of the mail that
    give access (the token of a one-time link, a secret address): the outbox keeps them only
    until the mail is sent (see :func:`forget_secrets`).
    """
    recipient = _recipient(to, kind, locale, timezone)
    if recipient is None:
        return None
    subject, body = _render_for(recipient, kind, template, context)
    kept = sorted({secret for secret in secrets if secret}, key=len, reverse=True)
    return await _write(
        recipient,
        kind,
        send_after,
        subject=subject,
        body_text=body,
        attachments=[asdict(attachment) for attachment in attachments or ()],
        params={SECRETS: kept} if kept else None,
    )


SECRETS = "secrets"
FORGOTTEN = "[removed once sent]"


def without_secrets(row: OutboxMail) -> str | None:
    """The body of a row with its secrets replaced by :data:`FORGOTTEN`, or None when it has
    none (a row of ``send_later`` keeps its composer's params)."""
    secrets = (row.params or {}).get(SECRETS) if not row.composer else None
    if not secrets:
        return None
    body = row.body_text
    for secret in secrets:
        body = body.replace(secret, FORGOTTEN)
    return body


async def forget_secrets(rows: Iterable[OutboxMail]) -> None:
    """Once a mail is sent (or will never be), its one-time links and secret addresses leave
    the outbox: whoever reads the table (a backup, support, an intruder) finds no way in."""
    for row in rows:
        body = without_secrets(row)
        if body is not None:
            row.body_text, row.params = body, None
            await OutboxMail.filter(id=row.id).update(body_text=body, params=None)


# --- mails composed when they are sent ----------------------------------------------------


@dataclass(frozen=True)
class Composition:
    """What a composer says: a template, its context, the attachments."""

    template: str
    context: dict[str, Any]
    attachments: list[Attachment] = field(default_factory=list)


# ``composer(params, person)``: declared in a part's manifest (``Part.mail_composers``)
Composer = Callable[[dict[str, Any], Any], Awaitable[Composition | None]]


async def send_later(to: Any, composer: str, params: dict[str, Any], *, kind: str) -> OutboxMail | None:
    """``send`` for hot paths: the row is written now, in the current transaction (so the mail
    is as certain as the change), and its text is composed by the sender just before it goes
    out, from ``params`` and what is true then; a composer that finds nothing to say any more
    (a booking cancelled meanwhile) returns None and the mail is dropped."""
    if composer not in parts.installed().mail_composers:
        raise ValueError(f"unknown mail composer {composer!r}")
    recipient = _recipient(to, kind, i18n.DEFAULT_LOCALE, i18n.DEFAULT_TIMEZONE)
    if recipient is None:
        return None
    return await _write(recipient, kind, None, subject="", body_text="", composer=composer, params=params)


DROPPED = "dropped: nothing to say any more"


async def compose(row: OutboxMail) -> bool:
    """Write the text of a row from ``send_later`` (no-op for other rows). False when the
    mail is dropped (its composer has nothing to say, or the person is gone): the row is
    then marked done, with the reason in ``last_error``."""
    if not row.composer or row.body_text:
        return True
    user = await identity.current().find(row.user_id) if row.user_id is not None else None
    recipient = _recipient(user, row.kind, i18n.DEFAULT_LOCALE, i18n.DEFAULT_TIMEZONE) if user else None
    composer = parts.installed().mail_composers[row.composer]
    composition = await composer(row.params or {}, user) if recipient and user else None
    if recipient is None or composition is None:
        row.sent_at, row.last_error = clock.now(), DROPPED
        await OutboxMail.filter(id=row.id).update(sent_at=row.sent_at, last_error=DROPPED)
        return False
    row.subject, row.body_text = _render_for(recipient, row.kind, composition.template, composition.context)
    row.attachments = [asdict(attachment) for attachment in composition.attachments]
    await OutboxMail.filter(id=row.id).update(subject=row.subject, body_text=row.body_text, attachments=row.attachments)
    return True


async def compose_pending() -> int:
    """Compose every row still waiting for its text (the sender composes the rows it sends)."""
    rows = await OutboxMail.filter(sent_at=None, body_text="").exclude(composer="").order_by("id")
    return sum([await compose(row) for row in rows])


# --- personal data ----------------------------------------------------------------------


async def export_personal_data(user: Any) -> list[dict[str, Any]]:
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


async def erase_personal_data(user: Any) -> None:
    # a pending security mail (such as "your account was deleted") still goes out
    done_or_optional = Q(sent_at__isnull=False) | ~Q(kind=SECURITY)
    await OutboxMail.filter(done_or_optional, user_id=user.id).delete()



# --- re-exports: sender.py imports from this module, so they come last ------------------
# (the unsubscribe pages stay in tierslieu.mail.routes: a service that writes mail loads no page)

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
