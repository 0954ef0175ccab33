"""The mail outbox against a real SMTP server (aiosmtpd on a loopback port)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from tortoise.transactions import in_transaction

from accounts.models import User
from tests.helpers import personal_data
from tierslieu import mail, parts
from tierslieu.app import installation
from tierslieu.mail import sender as mail_sender
from tierslieu.models import OutboxMail
from tierslieu.parts import MailKind
from tierslieu.settings import ConfigError, Settings

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tierslieu//test//EN\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:event-1@tierslieu\r\nDTSTAMP:20260101T090000Z\r\n"
    "DTSTART:20260110T090000Z\r\nDTEND:20260110T100000Z\r\nSUMMARY:Atelier Python\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Inbox:
    """What the SMTP server received, parsed."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    delay: float = 0.0  # seconds before the server answers a mail's data
    receiving: threading.Event = field(default_factory=threading.Event)  # a mail's data came

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        self.receiving.set()
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.recipients.append(list(envelope.rcpt_tos))
        await asyncio.sleep(self.delay)
        return "250 Message accepted"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such mailbox"
        if address.startswith("busy@"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def start_server(inbox: Inbox) -> Controller:
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    return controller


@pytest.fixture
async def inbox() -> AsyncIterator[Inbox]:
    received = Inbox(loopback_port())
    controller = await asyncio.to_thread(start_server, received)
    yield received
    await asyncio.to_thread(controller.stop)


@pytest.fixture
def mail_settings(settings: Settings, inbox: Inbox) -> Settings:
    return replace(settings, smtp_url=f"smtp://127.0.0.1:{inbox.port}")


@pytest.fixture
async def sender(mail_settings: Settings) -> AsyncIterator[mail.MailSender]:
    outbox = mail.MailSender(mail_settings)
    yield outbox
    await outbox.stop()


async def make_user(**overrides) -> User:
    values = {
        "email": "amina@example.org",
        "display_name": "Amina Diop",
        "password_hash": "x",
        "locale": "en",
    }
    values.update(overrides)
    return await User.create(**values)


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


# --- writing mails --------------------------------------------------------------------------


async def test_mail_is_written_in_the_recipients_language(sender, inbox):
    french = await make_user(email="awa@example.org", display_name="Awa", locale="fr")
    english = await make_user(email="john@example.org", display_name="John", locale="en")
    for person in (french, english):
        await mail.send(person, "account_notice", {"roles": ["mentor"]}, kind="account")

    assert await sender.deliver_due() == 2

    pairs = zip(inbox.recipients, inbox.messages, strict=True)
    by_address = {rcpt[0]: message for rcpt, message in pairs}
    assert by_address["john@example.org"]["Subject"] == "Your account has changed"
    assert "Hello John," in body(by_address["john@example.org"])
    assert by_address["awa@example.org"]["Subject"] == "Votre compte a changé"
    assert "Bonjour Awa," in body(by_address["awa@example.org"])
    assert "mentor" in body(by_address["awa@example.org"])


async def test_a_bare_address_takes_the_given_locale(sender, inbox):
    row = await mail.send("guest@example.org", "account_notice", {"roles": []}, locale="en")

    assert row is not None and row.user_id is None
    assert row.subject == "Your account has changed"
    assert await sender.deliver_due() == 1
    assert inbox.recipients == [["guest@example.org"]]


async def test_headers_of_a_delivered_mail(sender, inbox, mail_settings):
    user = await make_user()
    await mail.send(user, "account_notice", {"roles": ["helper"]}, kind="account")
    await sender.deliver_due()

    (message,) = inbox.messages
    assert message["From"] == mail_settings.mail_from
    assert message["To"] == "amina@example.org"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@testserver>")
    assert message["Date"]


async def test_list_unsubscribe_only_for_optional_kinds(sender, inbox):
    user = await make_user()
    await mail.send(user, "account_notice", {"roles": ["helper"]}, kind="account")
    await mail.send(user, "account_notice", {"roles": ["helper"]})  # security: mandatory
    await sender.deliver_due()

    optional, security = sorted(inbox.messages, key=lambda m: "List-Unsubscribe" not in m)
    link = optional["List-Unsubscribe"].strip()  # a long header may be folded
    assert link.startswith("<http://testserver/mail/unsubscribe?t=") and link.endswith(">")
    assert optional["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link[1:-1] in body(optional)  # the footer offers the same link
    assert "List-Unsubscribe" not in security
    assert "List-Unsubscribe-Post" not in security
    assert "/mail/unsubscribe" not in body(security)


async def test_preference_never_skips_the_mail(sender):
    user = await make_user(mail_preferences={"account": "never"})

    assert mail.preference(user, "account") == "never"
    assert await mail.send(user, "account_notice", {"roles": []}, kind="account") is None
    # security mails cannot be refused
    assert await mail.send(user, "account_notice", {"roles": []}) is not None
    assert await OutboxMail.filter(kind="account").count() == 0


async def test_deleted_and_suspended_people(sender):
    gone = await make_user(email="gone@example.org", deleted_at=datetime.now(UTC))
    suspended = await make_user(email="out@example.org", suspended_at=datetime.now(UTC))

    assert await mail.send(gone, "account_notice", {"roles": []}) is None
    assert await mail.send(suspended, "account_notice", {"roles": []}, kind="account") is None
    assert await mail.send(suspended, "account_notice", {"roles": []}) is not None


async def test_preference_falls_back_to_the_default(sender):
    user = await make_user(mail_preferences={"account": "weekly"})

    assert mail.preference(user, "account") == "immediate"
    assert mail.preference(user, "security") == "immediate"
    assert [item.name for item in mail.kinds()][:1] == ["account"]
    assert "security" not in {item.name for item in mail.kinds()}


async def test_a_mail_of_a_rolled_back_transaction_is_never_sent(sender, inbox):
    user = await make_user()

    with pytest.raises(LookupError):
        async with in_transaction():
            await User.filter(id=user.id).update(display_name="Changed")
            await mail.send(user, "account_notice", {"roles": ["admin"]}, kind="account")
            raise LookupError("the change failed")

    assert await OutboxMail.all().count() == 0
    assert await sender.deliver_due() == 0
    assert inbox.messages == []

    async with in_transaction():
        await mail.send(user, "account_notice", {"roles": ["admin"]}, kind="account")
    assert await sender.deliver_due() == 1


async def test_smtp_down_then_delivered_on_a_later_run(settings):
    port = loopback_port()  # nothing listens there yet
    sender = mail.MailSender(replace(settings, smtp_url=f"smtp://127.0.0.1:{port}"))
    try:
        user = await make_user()
        await mail.send(user, "account_notice", {"roles": ["mentor"]}, kind="account")

        assert await sender.deliver_due() == 0
        row = await OutboxMail.get()
        assert row.sent_at is None
        assert row.attempts == 1
        assert row.last_error
        assert row.send_after > datetime.now(UTC) + timedelta(minutes=4)
        assert await sender.deliver_due() == 0  # not due again before the backoff

        received = Inbox(port)
        controller = await asyncio.to_thread(start_server, received)
        try:
            assert await sender.deliver_due(now=row.send_after + timedelta(seconds=1)) == 1
        finally:
            await asyncio.to_thread(controller.stop)
        row = await OutboxMail.get()
        assert row.sent_at is not None
        assert row.attempts == 2
        assert row.last_error == ""
        assert received.recipients == [["amina@example.org"]]
    finally:
        await sender.stop()


async def test_gives_up_after_the_last_attempt(settings):
    sender = mail.MailSender(replace(settings, smtp_url=f"smtp://127.0.0.1:{loopback_port()}"))
    await mail.send("x@example.org", "account_notice", {"roles": []})
    await OutboxMail.all().update(attempts=mail.MAX_ATTEMPTS)

    assert await sender.deliver_due(now=datetime.now(UTC) + timedelta(days=2)) == 0
    assert (await OutboxMail.get()).attempts == mail.MAX_ATTEMPTS


async def test_attachments_keep_their_content_type(sender, inbox):
    user = await make_user()
    invitation = mail.Attachment("atelier.ics", "text/calendar; method=REQUEST", ICS)
    data = mail.Attachment("data.json", "application/json", '{"roles": []}')
    await mail.send(user, "account_notice", {"roles": []}, kind="account", attachments=[invitation, data])
    await sender.deliver_due()

    (message,) = inbox.messages
    part, json_part = list(message.iter_attachments())
    assert json_part.get_content_type() == "application/json"
    assert json_part.get_content() == b'{"roles": []}'
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "atelier.ics"
    assert "SUMMARY:Atelier Python" in part.get_content()
    assert "Your roles" in body(message)


async def test_a_refused_recipient_does_not_stop_the_others(sender, inbox):
    for address in ("nobody@example.org", "busy@example.org", "amina@example.org"):
        await mail.send(address, "account_notice", {"roles": []})

    assert await sender.deliver_due() == 1

    assert inbox.recipients == [["amina@example.org"]]
    refused = await OutboxMail.get(to_address="nobody@example.org")
    assert refused.attempts == mail.MAX_ATTEMPTS  # 5xx: a retry would not help
    assert "No such mailbox" in refused.last_error
    busy = await OutboxMail.get(to_address="busy@example.org")
    assert busy.attempts == 1 and busy.sent_at is None  # 4xx: tried again later


async def test_send_after_delays_delivery(sender, inbox):
    later = datetime.now(UTC) + timedelta(hours=1)
    await mail.send("x@example.org", "account_notice", {"roles": []}, send_after=later)

    assert await sender.deliver_due() == 0
    assert await sender.deliver_due(now=later) == 1


async def test_without_smtp_mails_go_to_the_log(settings, caplog):
    sender = mail.MailSender(settings)
    await mail.send("x@example.org", "account_notice", {"roles": ["facilitator"]}, locale="en")

    with caplog.at_level(logging.DEBUG, logger="tierslieu.mail"):
        assert await sender.deliver_due() == 1
    sent = [r for r in caplog.records if r.name == "tierslieu.mail" and r.levelno == logging.INFO]
    assert sent[0].to == "x@example.org"
    assert "Your account has changed" in sent[0].getMessage()
    # in development the whole mail shows at INFO, its links included, so they can be followed
    assert "facilitator" in sent[0].getMessage() and "http" in sent[0].getMessage()
    assert (await OutboxMail.get()).sent_at is not None


async def test_concurrent_senders_never_send_a_mail_twice(mail_settings, inbox):
    senders = [mail.MailSender(mail_settings) for _ in range(3)]
    for number in range(30):
        await mail.send(f"person{number}@example.org", "account_notice", {"roles": []})

    results = await asyncio.gather(*(sender.deliver_due(limit=7) for sender in senders * 2))

    assert sum(results) == 30
    addresses = [rcpt[0] for rcpt in inbox.recipients]
    assert sorted(addresses) == sorted(f"person{number}@example.org" for number in range(30))
    assert await OutboxMail.filter(sent_at=None).count() == 0
    assert await OutboxMail.filter(attempts=1).count() == 30


async def test_stopping_lets_the_mail_being_handed_over_finish(sender, inbox):
    """Stopped while the server takes a mail, the sender waits for the answer and marks the
    mail sent: cancelled in between, it would go again at the next start."""
    inbox.delay = 0.5
    await mail.send(await make_user(), "account_notice", {"roles": []}, kind="account")
    sender.start()
    for _ in range(250):
        if inbox.receiving.is_set():
            break
        await asyncio.sleep(0.02)
    assert inbox.receiving.is_set()
    await sender.stop()
    assert len(inbox.messages) == 1
    assert (await OutboxMail.get()).sent_at is not None


async def test_the_background_sender_is_woken_after_commit(sender, inbox):
    user = await make_user()
    sender.start()
    async with in_transaction():
        await mail.send(user, "account_notice", {"roles": []}, kind="account")
        await asyncio.sleep(0.1)  # the sender must not miss the row committed after its wake
    for _ in range(250):  # the SMTP server runs in its own thread
        if inbox.messages:
            break
        await asyncio.sleep(0.02)
    await sender.stop()
    assert len(inbox.messages) == 1
    assert (await OutboxMail.get()).sent_at is not None


async def test_personal_data_export_and_erasure(sender):
    user = await make_user()
    other = await make_user(email="other@example.org")
    await mail.send(user, "account_notice", {"roles": []}, kind="account")
    await sender.deliver_due()
    await mail.send(user, "account_notice", {"roles": []}, kind="account")  # pending, optional
    await mail.send(user, "account_notice", {"roles": []})  # pending security notice
    await mail.send(other, "account_notice", {"roles": []})
    contributor = personal_data("mails")

    exported = await contributor.export(user)
    assert len(exported) == 3
    assert exported[0]["subject"] == "Your account has changed" and exported[0]["sent_at"]

    await contributor.erase(user)
    (kept,) = await OutboxMail.filter(user_id=user.id)
    assert kept.kind == "security" and kept.sent_at is None  # still goes out
    assert await OutboxMail.filter(user_id=other.id).count() == 1


async def test_old_sent_mails_are_purged(sender):
    await mail.send("x@example.org", "account_notice", {"roles": []})
    await mail.send("y@example.org", "account_notice", {"roles": []})
    await sender.deliver_due()
    await OutboxMail.filter(to_address="x@example.org").update(
        sent_at=datetime.now(UTC) - mail.KEEP_SENT - timedelta(days=1)
    )

    await sender._purge()

    assert await OutboxMail.all().values_list("to_address", flat=True) == ["y@example.org"]


# --- unsubscribe links ----------------------------------------------------------------------


def token_of(row: OutboxMail) -> str:
    link = row.headers["List-Unsubscribe"][1:-1]
    return parse_qs(urlsplit(link).query)["t"][0]


async def test_unsubscribe_page_asks_before_changing_anything(client):
    user = await make_user()
    row = await mail.send(user, "account_notice", {"roles": []}, kind="account")
    assert row is not None

    response = await client.get("/mail/unsubscribe", params={"t": token_of(row)})

    assert response.status_code == 200
    assert 'method="post"' in response.text
    assert 'name="csrf_token"' in response.text
    await user.refresh_from_db()
    assert mail.preference(user, "account") == "immediate"


async def test_one_click_unsubscribe_needs_no_csrf_token(client):
    user = await make_user()
    row = await mail.send(user, "account_notice", {"roles": []}, kind="account")
    assert row is not None

    response = await client.post(
        "/mail/unsubscribe",
        params={"t": token_of(row)},
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 200
    await user.refresh_from_db()
    assert mail.preference(user, "account") == "never"
    assert await mail.send(user, "account_notice", {"roles": []}, kind="account") is None


async def test_unsubscribe_keeps_other_preferences(client):
    user = await make_user(mail_preferences={"forum": "never"})
    token = mail.unsubscribe_token(user.id, "account")

    response = await client.post("/mail/unsubscribe", params={"t": token})

    assert response.status_code == 200
    await user.refresh_from_db()
    assert user.mail_preferences == {"forum": "never", "account": "never"}


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_forged_tokens_are_not_found(client, method):
    user = await make_user()
    other = await make_user(email="other@example.org")
    good = mail.unsubscribe_token(user.id, "account")
    signature = good.rsplit(".", 1)[1]
    forged = [
        "",
        "garbage",
        f"{other.id}.account.{signature}",  # someone else's id with this signature
        f"{user.id}.account.{signature[:-2]}AA",
        mail.unsubscribe_token(user.id, "security"),  # mandatory mails cannot be refused
        mail.unsubscribe_token(user.id, "no-such-kind"),
    ]
    for token in forged:
        response = await client.request(method, "/mail/unsubscribe", params={"t": token})
        assert response.status_code == 404, token
    await user.refresh_from_db()
    assert mail.preference(user, "account") == "immediate"


async def test_a_deleted_account_cannot_be_unsubscribed(client):
    user = await make_user(deleted_at=datetime.now(UTC))
    token = mail.unsubscribe_token(user.id, "account")
    response = await client.get("/mail/unsubscribe", params={"t": token})
    assert response.status_code == 404


# --- small parts ----------------------------------------------------------------------------


def test_smtp_urls():
    assert mail.smtp_options("smtp://me%40site:p%2Fss@mail.example.org:587?starttls=1") == {
        "hostname": "mail.example.org",
        "port": 587,
        "username": "me@site",
        "password": "p/ss",
        "use_tls": False,
        "start_tls": True,
        "timeout": mail.SMTP_TIMEOUT,
    }
    implicit = mail.smtp_options("smtps://mail.example.org")
    assert implicit["use_tls"] is True and implicit["start_tls"] is False
    assert implicit["port"] is None  # aiosmtplib picks 465
    assert mail.smtp_options("smtp://localhost:25?starttls=0")["start_tls"] is False
    assert mail.smtp_options("smtp://localhost:25")["start_tls"] is None
    for bad in ("http://mail.example.org", "smtp://", "smtp://host:port"):
        with pytest.raises(ConfigError):
            mail.smtp_options(bad)


def test_kinds_are_checked():
    def install_kind(*args, **kwargs) -> parts.Installation:
        return parts.build([*installation().parts, parts.Part(name="extra", mail_kinds=[MailKind(*args, **kwargs)])])

    with pytest.raises(ValueError):
        install_kind("security", "Not allowed")
    with pytest.raises(ValueError):
        install_kind("digest-test", "Digest", modes=("daily", "immediate"))  # no "never"
    with pytest.raises(ValueError):
        install_kind("account", "Another label")
    same = install_kind("account", mail.kind("account").label)
    assert same.mail_kinds["account"] == mail.kind("account")


def test_retry_delays_grow_and_stop_growing():
    delays = [mail.retry_delay(n) for n in range(1, mail.MAX_ATTEMPTS + 3)]
    assert delays == sorted(delays)
    assert delays[0] == timedelta(minutes=5)
    assert delays[-1] == mail.LONGEST_RETRY


# --- mails composed when they are sent ------------------------------------------------------


async def _compose_notice(params: dict, user: User) -> mail.Composition | None:
    if params.get("obsolete"):
        return None
    attachment = mail.Attachment("invitation.ics", "text/calendar; method=REQUEST", ICS)
    return mail.Composition("account_notice", {"roles": params["roles"]}, [attachment])


@pytest.fixture(autouse=True)
def _with_test_composer(app) -> Iterator[None]:
    """A part of the tests' own, installed after the app's: its composer writes notices."""
    extra = parts.Part(name="tests", mail_composers={"tests/notice": _compose_notice})
    previous = parts.install(parts.build([*installation().parts, extra]))
    yield
    if previous is not None:
        parts.install(previous)


async def test_a_mail_sent_later_is_composed_when_it_leaves(sender, inbox):
    user = await make_user(display_name="Awa", locale="fr")
    row = await mail.send_later(user, "tests/notice", {"roles": ["mentor"]}, kind="account")
    assert row is not None and row.subject == "" and row.body_text == ""
    assert row.headers["List-Unsubscribe"].startswith("<http://testserver/mail/unsubscribe?t=")
    await User.filter(id=user.id).update(locale="en")  # composed with what is true when it leaves

    assert await sender.deliver_due() == 1

    message = inbox.messages[0]
    assert message["Subject"] == "Your account has changed"
    assert "Hello Awa," in body(message) and "mentor" in body(message)
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "text/calendar" and "SUMMARY:Atelier Python" in attachment.get_content()
    stored = await OutboxMail.get(id=row.id)
    assert stored.subject == "Your account has changed" and stored.sent_at is not None


async def test_a_mail_with_nothing_left_to_say_is_dropped(sender, inbox):
    user = await make_user()
    await mail.send_later(user, "tests/notice", {"roles": [], "obsolete": True}, kind="account")
    gone = await make_user(email="gone@example.org")
    await mail.send_later(gone, "tests/notice", {"roles": []}, kind="account")
    await User.filter(id=gone.id).update(deleted_at=datetime.now(UTC))

    assert await sender.deliver_due() == 0

    assert inbox.messages == []
    rows = await OutboxMail.all()
    assert len(rows) == 2 and all(row.sent_at is not None and row.last_error == mail.DROPPED for row in rows)


async def test_send_later_respects_preferences_and_known_composers(sender):
    user = await make_user(mail_preferences={"account": "never"})
    assert await mail.send_later(user, "tests/notice", {"roles": []}, kind="account") is None
    with pytest.raises(ValueError, match="unknown mail composer"):
        await mail.send_later(user, "tests/nobody", {}, kind="account")


async def test_a_burst_of_mails_leaves_in_one_batch_once_it_is_over(sender, inbox, monkeypatch):
    monkeypatch.setattr(mail_sender, "QUIET_SECONDS", 0.2)
    runs: list[int] = []
    deliver = sender.deliver_due

    async def counted(*args, **kwargs) -> int:
        sent = await deliver(*args, **kwargs)
        runs.append(sent)
        return sent

    monkeypatch.setattr(sender, "deliver_due", counted)
    sender.start()
    await asyncio.sleep(0.05)  # the first run finds nothing
    for number in range(5):  # mails keep coming, closer together than the quiet period
        await mail.send(f"person{number}@example.org", "account_notice", {"roles": []})
        await asyncio.sleep(0.05)
    for _ in range(100):  # the run is over once it has marked the mails sent, after the inbox got them
        if len(runs) == 2:
            break
        await asyncio.sleep(0.02)
    await sender.stop()
    assert runs == [0, 5] and len(inbox.messages) == 5


async def test_one_time_links_leave_the_outbox_once_sent(sender, inbox, client):
    """Issue 17, finding 11: a sent reset, verification or address-change link, and a new
    calendar link, are no longer readable in the outbox table; the mail that went out had them."""
    from accounts import services as accounts
    from tests.helpers import csrf_token

    person = await make_user()
    await accounts.send_verification(person)
    token = await csrf_token(client, "/password/forgot")
    await client.post("/password/forgot", data={"csrf_token": token, "email": person.email})
    await accounts.revoke_access(person, rotate_calendar=True)
    rows = await OutboxMail.filter(user_id=person.id).order_by("id")
    assert len(rows) == 3 and all(row.params and row.params["secrets"] for row in rows)
    secrets = [secret for row in rows for secret in row.params["secrets"]]
    assert all(secret in row.body_text for row in rows for secret in row.params["secrets"])
    assert await sender.deliver_due() == 3
    delivered = "".join(body(message) for message in inbox.messages)
    assert all(secret in delivered for secret in secrets)  # the person got the links
    for row in await OutboxMail.filter(user_id=person.id):
        assert row.sent_at is not None and row.params is None
        assert mail.FORGOTTEN in row.body_text
        assert not any(secret in row.body_text for secret in secrets), row.body_text
    # a mail that will never be sent forgets them too
    await accounts.send_verification(person)
    [pending] = await OutboxMail.filter(user_id=person.id, sent_at=None)
    await sender._failed(pending, RuntimeError("refused"), permanent=True)
    pending = await OutboxMail.get(id=pending.id)
    assert pending.params is None and mail.FORGOTTEN in pending.body_text
