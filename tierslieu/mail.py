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

import asyncio
import base64
import contextlib
import hashlib
import hmac
import logging
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage, Message
from email.utils import format_datetime
from functools import cache
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import aiosmtplib
from aiosmtplib import SMTPRecipientsRefused, SMTPResponseException
from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.exceptions import BaseORMException
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from accounts.models import User
from tierslieu import i18n, personal_data
from tierslieu.errors import N_, NotFound
from tierslieu.models import OutboxMail
from tierslieu.settings import ConfigError, Settings
from tierslieu.templating import create_environment, render

log = logging.getLogger("tierslieu.mail")

SECURITY = "security"
NEVER = "never"
IMMEDIATE = "immediate"
LAYOUT = "mail/_layout.txt"
MAX_ATTEMPTS = 8
BATCH_SIZE = 50
POLL_SECONDS = 30.0
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=12)
KEEP_SENT = timedelta(days=30)
SMTP_TIMEOUT = 30.0
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
    SECURITY: MailKind(
        SECURITY, N_("Security of my account"), (IMMEDIATE,), IMMEDIATE, optional=False
    ),
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
        raise RuntimeError(
            "tierslieu.mail is not configured: create_app() or MailSender(settings) does it"
        )
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
    if not user_part.isdigit() or len(user_part) > 12 or not signature:
        return None
    expected = _signature(_settings().secret_key, int(user_part), kind_name)
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    return int(user_part), kind_name


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


# --- sending ----------------------------------------------------------------------------


def smtp_options(url: str) -> dict[str, Any]:
    """aiosmtplib.SMTP keyword arguments for an ``smtp://`` or ``smtps://`` URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError("TIERSLIEU_SMTP_URL must look like smtp://user:password@host:587?starttls=1")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError("TIERSLIEU_SMTP_URL has an invalid port") from None
    starttls = parse_qs(parts.query).get("starttls", [""])[-1].lower()
    start_tls = {"1": True, "true": True, "yes": True, "0": False, "false": False}.get(starttls)
    return {
        "hostname": parts.hostname,
        "port": port,
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "use_tls": parts.scheme == "smtps",
        "start_tls": False if parts.scheme == "smtps" else start_tls,
        "timeout": SMTP_TIMEOUT,
    }


def retry_delay(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


class MailSender:
    """Sends the outbox: a background task woken by ``send`` and every ``POLL_SECONDS``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.smtp = smtp_options(settings.smtp_url) if settings.smtp_url else None
        self.domain = urlsplit(settings.base_url).hostname or "localhost"
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._watchers: set[asyncio.Task[None]] = set()
        self._purged_at: datetime | None = None
        configure(settings, self)

    def start(self) -> None:
        if self._task is None:
            if self.smtp is None:
                log.warning("TIERSLIEU_SMTP_URL is not set: mails are written to the log, not sent")
            self._task = asyncio.create_task(self._run(), name="tierslieu-mail-sender")

    async def stop(self) -> None:
        tasks = [task for task in (self._task, *self._watchers) if task is not None]
        self._task = None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def wake(self) -> None:
        self._wake.set()

    def notify(self, connection: BaseDBAsyncClient) -> None:
        """A row was written: wake now, or once the transaction that wrote it is over."""
        if self._task is None or not isinstance(connection, TransactionalDBClient):
            self.wake()
            return
        watcher = asyncio.create_task(self._wake_after(connection))
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)

    async def _wake_after(self, connection: TransactionalDBClient) -> None:
        # Tortoise has no on-commit hook; a longer transaction is caught by the next poll.
        for _ in range(600):
            if connection._finalized:
                break
            await asyncio.sleep(0.05)
        self.wake()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            sent = 0
            try:
                sent = await self.deliver_due()
                await self._purge()
            except (BaseORMException, OSError):
                log.exception("mail delivery failed; will try again")
            if sent >= BATCH_SIZE:
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self._wake.wait()

    async def _purge(self) -> None:
        """Sent mails (reset links included) are kept a month for support, then deleted."""
        now = _now()
        if self._purged_at is not None and now - self._purged_at < timedelta(hours=1):
            return
        self._purged_at = now
        await OutboxMail.filter(sent_at__lt=now - KEEP_SENT).delete()
        await OutboxMail.filter(
            sent_at=None, attempts__gte=MAX_ATTEMPTS, send_after__lt=now - KEEP_SENT
        ).delete()

    async def _claim(self, now: datetime, limit: int) -> list[OutboxMail]:
        """Take due rows and push their next try into the future before sending them, so
        another process (PostgreSQL skips locked rows) or a crash never sends one twice at once."""
        async with in_transaction() as connection:
            rows = await (
                OutboxMail.filter(sent_at=None, send_after__lte=now, attempts__lt=MAX_ATTEMPTS)
                .order_by("send_after", "id")
                .limit(limit)
                .select_for_update(skip_locked=True)
                .using_db(connection)
            )
            for row in rows:
                row.attempts += 1
                row.send_after = now + retry_delay(row.attempts)
                await row.save(update_fields=["attempts", "send_after"], using_db=connection)
        return rows

    async def deliver_due(self, limit: int = BATCH_SIZE, *, now: datetime | None = None) -> int:
        """Send the mails that are due; returns how many went out."""
        rows = await self._claim(now or _now(), limit)
        if not rows:
            return 0
        messages: list[tuple[OutboxMail, EmailMessage]] = []
        for row in rows:
            try:
                messages.append((row, self.build_message(row)))
            except ValueError as exc:  # a header or address the mail library refuses
                await self._failed(row, exc, permanent=True)
        if self.smtp is None:
            for row, _message in messages:
                about = {"mail_id": row.id, "to": row.to_address, "kind": row.kind}
                log.info("mail not sent (no SMTP server): %s", row.subject, extra=about)
                log.debug("mail body:\n%s", row.body_text, extra=about)
                await self._sent(row)
            return len(messages)
        return await self._send_smtp(messages)

    async def _send_smtp(self, messages: list[tuple[OutboxMail, EmailMessage]]) -> int:
        sent = 0
        pending = list(messages)
        try:
            async with aiosmtplib.SMTP(**(self.smtp or {})) as smtp:
                while pending:
                    row, message = pending[0]
                    try:
                        await smtp.send_message(message)
                    except (SMTPResponseException, SMTPRecipientsRefused) as exc:
                        # the server answered about this mail: the connection is still good
                        pending.pop(0)
                        await self._failed(row, exc, permanent=_permanent(exc))
                        continue
                    pending.pop(0)
                    await self._sent(row)
                    sent += 1
        except (aiosmtplib.SMTPException, OSError) as exc:
            for row, _message in pending:
                await self._failed(row, exc)
        return sent

    async def _sent(self, row: OutboxMail) -> None:
        await OutboxMail.filter(id=row.id).update(sent_at=_now(), last_error="")

    async def _failed(self, row: OutboxMail, exc: Exception, *, permanent: bool = False) -> None:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        attempts = MAX_ATTEMPTS if permanent else row.attempts
        await OutboxMail.filter(id=row.id).update(last_error=error, attempts=attempts)
        level = logging.ERROR if attempts >= MAX_ATTEMPTS else logging.WARNING
        about = {"mail_id": row.id, "to": row.to_address, "attempts": attempts}
        log.log(level, "mail not sent: %s", error, extra=about)

    def build_message(self, row: OutboxMail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.mail_from
        message["To"] = row.to_address
        message["Subject"] = row.subject
        message["Date"] = format_datetime(_now())
        # stable across retries, so a mail sent twice after a crash shows once
        stamp = int(row.created_at.timestamp())
        message["Message-ID"] = f"<tierslieu.{row.id}.{stamp}@{self.domain}>"
        message["Auto-Submitted"] = "auto-generated"
        for name, value in (row.headers or {}).items():
            message[name] = value
        message.set_content(row.body_text)
        for item in row.attachments or ():
            _attach(message, Attachment(**item))
        return message


def _attach(message: EmailMessage, attachment: Attachment) -> None:
    parsed = Message()
    parsed["Content-Type"] = attachment.content_type
    params = {key: value for key, value in parsed.get_params()[1:]}
    params.pop("charset", None)
    maintype, subtype = parsed.get_content_maintype(), parsed.get_content_subtype()
    if maintype == "text":
        message.add_attachment(
            attachment.content, subtype=subtype, filename=attachment.filename, params=params
        )
    else:
        message.add_attachment(
            attachment.content.encode(),
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
            params=params,
        )


def _permanent(exc: Exception) -> bool:
    """A 5xx answer will not change on a retry."""
    if isinstance(exc, SMTPResponseException):
        return 500 <= exc.code < 600
    if isinstance(exc, SMTPRecipientsRefused):
        return all(500 <= item.code < 600 for item in exc.recipients)
    return False


# --- unsubscribe pages ------------------------------------------------------------------


async def resolve_unsubscribe(token: str) -> tuple[User, MailKind]:
    """The person and the optional kind named by a signed link, or 404."""
    found = read_unsubscribe_token(token)
    item = _kinds.get(found[1]) if found else None
    if found is None or item is None or not item.optional:
        raise NotFound()
    user = await User.get_or_none(id=found[0], deleted_at=None)
    if user is None:
        raise NotFound()
    return user, item


async def unsubscribe(request: Request) -> Response:
    """GET shows a confirmation form (mail scanners follow links, so GET changes nothing);
    POST, from that form or a mail client's one-click (RFC 8058), sets the kind to never."""
    token = request.query_params.get("t", "")
    user, item = await resolve_unsubscribe(token)
    done = request.method == "POST"
    if done:
        await set_preference(user, item.name, NEVER)
    action = request.url_for("mail:unsubscribe").include_query_params(t=token)
    context = {"kind_label": item.label, "action": str(action), "done": done}
    return render(request, "mail/unsubscribe.html", context)


routes = [Route("/mail/unsubscribe", unsubscribe, methods=["GET", "POST"], name="mail:unsubscribe")]

# The one-click POST comes from a mail client, without a session or CSRF token: the
# signed token in the query string authenticates it.
CSRF_EXEMPT = frozenset({"/mail/unsubscribe"})


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
