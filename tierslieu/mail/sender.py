"""Sending the outbox: :class:`MailSender`, a background task that delivers due rows over SMTP."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from email import charset, encoders
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
from aiosmtplib import SMTPRecipientsRefused, SMTPResponseException
from tortoise.exceptions import BaseORMException
from tortoise.transactions import in_transaction

from tierslieu import background, clock
from tierslieu.mail import Attachment, compose, configure, forget_secrets, log
from tierslieu.models import OutboxMail
from tierslieu.settings import ConfigError, Settings

MAX_ATTEMPTS = 8
BATCH_SIZE = 50
POLL_SECONDS = 30.0
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=12)
KEEP_SENT = timedelta(days=30)
SMTP_TIMEOUT = 30.0
STOP_GRACE = 5.0  # seconds a mail being handed over may take to finish when the sender stops
# After a wake-up the sender lets a burst end (a recurring series, a promotion wave, many
# bookings at once) before it composes and sends: the burst's requests keep the CPU, and its
# mails leave in one batch (one claim, one update). A burst is over once no mail came for
# QUIET_SECONDS; no mail waits longer than LONGEST_WAIT for it. Then each mail is composed
# in a pause between requests, for at most LONGEST_WAIT more per batch.
QUIET_SECONDS = 0.5
LONGEST_WAIT = 10.0

# UTF-8 bodies as quoted-printable: readable, and safe through any SMTP server.
UTF8 = charset.Charset("utf-8")
UTF8.header_encoding = charset.QP
UTF8.body_encoding = charset.QP


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
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._purged_at: datetime | None = None
        configure(settings, self)

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            if self.smtp is None:
                log.warning("TIERSLIEU_SMTP_URL is not set: mails are written to the log, not sent")
            self._task = asyncio.create_task(self._run(), name="tierslieu-mail-sender")

    async def stop(self) -> None:
        tasks = [self._task] if self._task is not None else []
        self._task = None
        # A library may turn the cancellation into its own error (aiosmtplib, a driver),
        # which the loop would log and survive: the flag ends the loop all the same.
        self._stopping = True
        self._wake.set()
        # The mail being handed to the server finishes and is marked sent (cancelled between
        # the two, it would go again at the next start); the rest of its batch waits for
        # that start. Past the grace, the task is cancelled.
        if tasks:
            _, unfinished = await asyncio.wait(tasks, timeout=STOP_GRACE)
            tasks = list(unfinished)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def wake(self) -> None:
        self._wake.set()

    def notify(self) -> None:
        """A row was written. The sender wakes and lets the burst end (QUIET_SECONDS without
        a new row) before it claims rows: by then the transaction that wrote this one is over
        (Tortoise has no on-commit hook); one still open is caught by the next wake or poll."""
        self.wake()

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            sent = 0
            try:
                sent = await self.deliver_due()
                await self._purge()
            except (BaseORMException, OSError):
                if self._stopping:
                    return
                log.exception("mail delivery failed; will try again")
            if self._stopping:
                return
            if sent >= BATCH_SIZE:
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self._wake.wait()
                await self._settle()

    async def _settle(self) -> None:
        """Wait until no mail has come for QUIET_SECONDS, or LONGEST_WAIT in all (a sleep
        per quiet period, not a wake-up per mail: bursts come hundreds a second)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LONGEST_WAIT
        while not self._stopping and (remaining := deadline - loop.time()) > 0:
            self._wake.clear()
            await asyncio.sleep(min(QUIET_SECONDS, remaining))
            if not self._wake.is_set():
                return

    async def _purge(self) -> None:
        """Sent mails (reset links included) are kept a month for support, then deleted."""
        now = clock.now()
        if self._purged_at is not None and now - self._purged_at < timedelta(hours=1):
            return
        self._purged_at = now
        await OutboxMail.filter(sent_at__lt=now - KEEP_SENT).delete()
        await OutboxMail.filter(sent_at=None, attempts__gte=MAX_ATTEMPTS, send_after__lt=now - KEEP_SENT).delete()

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
            # one UPDATE per number of attempts so far (nearly always one for the batch)
            by_attempts: dict[int, list[OutboxMail]] = {}
            for row in rows:
                by_attempts.setdefault(row.attempts + 1, []).append(row)
            for attempts, group in by_attempts.items():
                send_after = now + retry_delay(attempts)
                await (
                    OutboxMail.filter(id__in=[row.id for row in group])
                    .using_db(connection)
                    .update(attempts=attempts, send_after=send_after)
                )
                for row in group:
                    row.attempts, row.send_after = attempts, send_after
        return rows

    async def deliver_due(self, limit: int = BATCH_SIZE, *, now: datetime | None = None) -> int:
        """Send the mails that are due; returns how many went out."""
        rows = await self._claim(now or clock.now(), limit)
        if not rows:
            return 0
        messages: list[tuple[OutboxMail, Message]] = []
        patience = asyncio.get_running_loop().time() + LONGEST_WAIT
        for row in rows:
            await background.pause(until=patience)  # composing waits for a pause between requests
            try:
                if await compose(row):
                    messages.append((row, self.build_message(row)))
            except (ValueError, KeyError) as exc:  # a header the mail library refuses, an unknown composer
                await self._failed(row, exc, permanent=True)
        if self.smtp is None:
            for row, _message in messages:
                about = {"mail_id": row.id, "to": row.to_address, "kind": row.kind}
                if self.settings.production:
                    log.info("mail not sent (no SMTP server): %s", row.subject, extra=about)
                    log.debug("mail body:\n%s", row.body_text, extra=about)
                else:  # development: the whole mail, so that its links (sign-up, reset) can be followed
                    log.info(
                        "mail not sent (no SMTP server), to %s: %s\n%s",
                        row.to_address,
                        row.subject,
                        row.body_text,
                        extra=about,
                    )
            await OutboxMail.filter(id__in=[row.id for row, _ in messages]).update(sent_at=clock.now(), last_error="")
            await forget_secrets(row for row, _ in messages)
            return len(messages)
        return await self._send_smtp(messages)

    async def _send_smtp(self, messages: list[tuple[OutboxMail, Message]]) -> int:
        sent = 0
        pending = list(messages)
        try:
            async with aiosmtplib.SMTP(**(self.smtp or {})) as smtp:
                while pending and not self._stopping:
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
        await OutboxMail.filter(id=row.id).update(sent_at=clock.now(), last_error="")
        await forget_secrets([row])

    async def _failed(self, row: OutboxMail, exc: Exception, *, permanent: bool = False) -> None:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        attempts = MAX_ATTEMPTS if permanent else row.attempts
        await OutboxMail.filter(id=row.id).update(last_error=error, attempts=attempts)
        if attempts >= MAX_ATTEMPTS:  # never sent: its links are of no use any more
            await forget_secrets([row])
        level = logging.ERROR if attempts >= MAX_ATTEMPTS else logging.WARNING
        about = {"mail_id": row.id, "to": row.to_address, "attempts": attempts}
        log.log(level, "mail not sent: %s", error, extra=about)

    def build_message(self, row: OutboxMail) -> Message:
        """The MIME message of a row. Built with the classic ``email.mime`` classes: the
        header registry of ``EmailMessage`` costs ten times more for the same bytes."""
        body = MIMEText(row.body_text, "plain", UTF8)
        attachments = [_attachment(Attachment(**item)) for item in row.attachments or ()]
        if attachments:
            message: Message = MIMEMultipart("mixed")
            for part in (body, *attachments):
                message.attach(part)
        else:
            message = body
        message["From"] = _address(self.settings.mail_from)
        message["To"] = _address(row.to_address)
        message["Subject"] = _header(row.subject)
        message["Date"] = format_datetime(clock.now())
        # stable across retries, so a mail sent twice after a crash shows once
        stamp = int(row.created_at.timestamp())
        message["Message-ID"] = f"<tierslieu.{row.id}.{stamp}@{self.domain}>"
        message["Auto-Submitted"] = "auto-generated"
        for name, value in (row.headers or {}).items():
            message[name] = _header(value)
        return message


def _header(value: str) -> str | Header:
    if any(char in value for char in "\r\n"):
        raise ValueError(f"a mail header cannot hold a line break: {value!r}")
    return value if value.isascii() else Header(value, UTF8)


def _address(value: str) -> str:
    """``Name <address>`` with the name encoded when it is not ASCII."""
    name, address = parseaddr(value)
    if not address or "@" not in address or any(char in value for char in "\r\n"):
        raise ValueError(f"not a mail address: {value!r}")
    return formataddr((name, address), charset=UTF8)


def _attachment(attachment: Attachment) -> Message:
    parsed = Message()
    parsed["Content-Type"] = attachment.content_type
    params = {key: value for key, value in parsed.get_params()[1:] if key != "charset"}
    maintype, subtype = parsed.get_content_maintype(), parsed.get_content_subtype()
    if maintype == "text":
        part: Message = MIMEText(attachment.content, subtype, UTF8)
    else:
        part = MIMEBase(maintype, subtype)
        part.set_payload(attachment.content.encode())
        encoders.encode_base64(part)
    for key, value in params.items():
        part.set_param(key, value)
    part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
    return part


def _permanent(exc: Exception) -> bool:
    """A 5xx answer will not change on a retry."""
    if isinstance(exc, SMTPResponseException):
        return 500 <= exc.code < 600
    if isinstance(exc, SMTPRecipientsRefused):
        return all(500 <= item.code < 600 for item in exc.recipients)
    return False
