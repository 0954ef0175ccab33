"""notify() and the rest of the notifications' services, on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from accounts import services as accounts
from notifications import services
from notifications.models import Notification, Preference
from tests.helpers import PASSWORD, make_user
from tests.notifications.factories import KIND, LABEL, make_notification
from tierslieu import mail, parts
from tierslieu.app import installation
from tierslieu.errors import Invalid, NotFound
from tierslieu.i18n import Message
from tierslieu.models import OutboxMail
from tierslieu.parts import NotificationKind, Part
from tierslieu.ratelimit import RateLimiter

MESSAGE = Message(LABEL, {"actor": "Karim", "title": "Les boucles"})


async def test_each_mode_is_honoured() -> None:
    people = {mode: await make_user() for mode in ("inapp", "immediate", "digest", "never")}
    for mode, person in people.items():
        await services.set_preferences(person, {KIND: mode})
    created = await services.notify([p.id for p in people.values()], KIND, MESSAGE, url="/forum/t/7", excerpt="x" * 500)
    assert {n.user_id for n in created} == {people[m].id for m in ("inapp", "immediate", "digest")}  # type: ignore[attr-defined]
    assert all(len(n.excerpt) == services.EXCERPT_LENGTH for n in created)
    rows = {n.user_id: n for n in await Notification.all()}  # type: ignore[attr-defined]
    assert not await Notification.exists(user_id=people["never"].id)
    assert rows[people["digest"].id].digest_pending and not rows[people["immediate"].id].digest_pending
    mailed = await OutboxMail.filter(kind=services.MAIL_KIND)
    assert [m.user_id for m in mailed] == [people["immediate"].id]
    assert "Les boucles" in mailed[0].subject and "/forum/t/7" in mailed[0].body_text
    assert "List-Unsubscribe" in mailed[0].headers


async def test_the_default_mode_holds_until_a_choice() -> None:
    person = await make_user()
    assert (await services.preferences(person))[KIND] == "immediate"
    await services.notify([person.id], KIND, MESSAGE, url="/forum/t/1")
    assert await OutboxMail.filter(user_id=person.id).count() == 1


async def test_an_unknown_kind_is_a_programming_error() -> None:
    person = await make_user()
    with pytest.raises(ValueError, match="unknown notification kind"):
        await services.notify([person.id], "forum.nothing", MESSAGE, url="/forum")
    with pytest.raises(ValueError, match="local path"):
        await services.notify([person.id], KIND, MESSAGE, url="https://evil.example/")
    assert not await Notification.exists()


async def test_deleted_people_and_the_actor_are_left_out() -> None:
    actor = await make_user()
    gone = await make_user()
    await accounts.load_roles(gone)
    await accounts.delete_account(gone, PASSWORD, limiter=RateLimiter.create())
    reader = await make_user()
    created = await services.notify(
        [actor.id, gone.id, reader.id, reader.id], KIND, MESSAGE, url="/x", actor_id=actor.id
    )
    assert [n.user_id for n in created] == [reader.id]  # type: ignore[attr-defined]
    assert await services.notify([actor.id], KIND, MESSAGE, url="/x", actor_id=actor.id) == []


async def test_notify_writes_inside_the_callers_transaction() -> None:
    person = await make_user()

    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        async with in_transaction():
            await services.notify([person.id], KIND, MESSAGE, url="/x")
            raise Undo
    assert not await Notification.exists()
    assert not await OutboxMail.exists(user_id=person.id)


async def test_unread_count_list_open_and_mark_all_read() -> None:
    reader, actor = await make_user(), await make_user(display_name="Karim Benali")
    assert await services.unread_count(None) == 0
    first = await make_notification(reader, actor=actor)
    for _ in range(services.PER_PAGE):
        await make_notification(reader)
    assert await services.unread_count(reader) == services.PER_PAGE + 1
    assert await services.unread_count(reader, part="events") == 0
    listing = await services.list_notifications(reader, 2)
    assert (listing.page, listing.pages) == (2, 2)
    assert [n.id for n, _ in listing.items] == [first.id]
    await actor.__class__.filter(id=actor.id).update(display_name="Karim B.")
    assert listing.items[0][1].text("fr").startswith("Karim Benali")
    assert (await services.list_notifications(reader, 99)).items[0][1].text("fr").startswith("Karim B.")
    other = await make_user()
    with pytest.raises(NotFound):
        await services.open_notification(other, first.id)
    opened = await services.open_notification(reader, first.id)
    assert opened.read_at is not None and opened.url == "/forum/t/1"
    assert await services.unread_count(reader) == services.PER_PAGE
    assert await services.mark_all_read(reader) == services.PER_PAGE
    assert await services.unread_count(reader) == 0


async def test_preferences_are_checked_and_unique_in_the_database() -> None:
    person = await make_user()
    with pytest.raises(Invalid) as refused:
        await services.set_preferences(person, {KIND: "sometimes", "forum.mention": "never"})
    assert set(refused.value.fields) == {KIND}
    assert not await Preference.exists(user_id=person.id)
    chosen = await services.set_preferences(person, {KIND: "digest", "unknown.kind": "never"})
    chosen = await services.set_preferences(person, {KIND: "never"})
    assert chosen[KIND] == "never" and chosen["forum.mention"] == "immediate"
    assert await Preference.filter(user_id=person.id).count() == 1
    with pytest.raises(IntegrityError):
        await Preference.create(user_id=person.id, kind=KIND, mode="inapp")
    with pytest.raises((IntegrityError, OperationalError)):
        await Preference.create(user_id=person.id, kind="forum.topic", mode="sometimes")


async def test_the_daily_digest() -> None:
    reader = await make_user()
    await services.set_preferences(reader, {KIND: "digest"})
    early = await make_notification(reader, title="Premier")
    await Notification.filter(id=early.id).update(created_at=datetime.now(UTC) - timedelta(days=2))
    await make_notification(reader, title="Second")
    read = await make_notification(reader, title="Déjà lu")
    await services.open_notification(reader, read.id)
    assert not await OutboxMail.exists(user_id=reader.id)
    assert await services.send_digests(older_than=services.DIGEST_EVERY) == 1
    digest = await OutboxMail.get(user_id=reader.id)
    assert "Premier" in digest.body_text and "Second" in digest.body_text and "Déjà lu" not in digest.body_text
    assert "2 nouvelles notifications" in digest.subject
    assert not await Notification.exists(digest_pending=True)
    assert await services.send_digests() == 0


async def test_notification_mails_can_be_turned_off_in_one_click() -> None:
    reader = await make_user()
    await services.set_preferences(reader, {KIND: "digest", "forum.mention": "immediate"})
    await mail.set_preference(reader, services.MAIL_KIND, "never")
    await make_notification(reader)
    await make_notification(reader, kind="forum.mention")
    assert await services.send_digests() == 0
    assert not await OutboxMail.exists(user_id=reader.id)
    assert await services.unread_count(reader) == 2


async def test_without_mail_writes_in_app_notifications_only() -> None:
    reader = await make_user()
    with services.without_mail():
        await make_notification(reader)
    assert await services.unread_count(reader) == 1
    assert not await OutboxMail.exists(user_id=reader.id)


async def test_export_and_erase() -> None:
    reader = await make_user(locale="en")
    actor = await make_user(display_name="Karim Benali")
    await services.set_preferences(reader, {KIND: "inapp"})
    await make_notification(reader, actor=actor, title="Loops")
    data = await accounts.export_personal_data(reader)
    exported = data["notifications"]
    assert exported["preferences"] == {KIND: "inapp"}
    assert exported["notifications"][0]["text"] == "Karim Benali replied in “Loops”"
    assert exported["notifications"][0]["url"] == "/forum/t/1"
    await accounts.load_roles(actor)
    await accounts.delete_account(actor, PASSWORD, limiter=RateLimiter.create())
    row = await Notification.get(user_id=reader.id)
    assert "actor" not in row.message["params"]
    assert "Karim" not in str(await services.export(reader))
    await accounts.load_roles(reader)
    await accounts.delete_account(reader, PASSWORD, limiter=RateLimiter.create())
    assert not await Notification.exists(user_id=reader.id)
    assert not await Preference.exists(user_id=reader.id)


async def test_a_kind_offers_only_its_own_modes() -> None:
    quiet = NotificationKind("quiet.told", "Told", default="inapp", modes=("inapp", "never"))
    previous = parts.install(parts.build([*installation().parts, Part(name="quiet", notification_kinds=[quiet])]))
    try:
        person = await make_user()
        with pytest.raises(Invalid) as refused:
            await services.set_preferences(person, {"quiet.told": "immediate"})
        assert set(refused.value.fields) == {"quiet.told"}
        # a mode stored before the kind stopped offering it falls back to the default
        await Preference.create(user_id=person.id, kind="quiet.told", mode="immediate")
        assert (await services.preferences(person))["quiet.told"] == "inapp"
        await services.notify([person.id], "quiet.told", MESSAGE, url="/events")
        assert await Notification.filter(user_id=person.id).count() == 1
        assert not await OutboxMail.filter(user_id=person.id).exists()
    finally:
        if previous is not None:
            parts.install(previous)
    with pytest.raises(ValueError):
        NotificationKind("quiet.bad", "Bad", default="immediate", modes=("inapp", "never"))
