"""Events notify in-app as well as by mail: a place from the waiting list, a change, a
cancellation; each kind reaches the right people only, and 'never' silences it."""

from __future__ import annotations

from events import services
from events.forms import EventChange
from notifications import services as notifications
from tests.events.helpers import make_event
from tests.helpers import make_user
from tierslieu.models import OutboxMail


async def notes(user) -> list[tuple[str, str, str]]:
    """(kind, url, English text) of this person's notifications, newest first."""
    listing = await notifications.list_notifications(user)
    return [(row.kind, row.url, message.text("en")) for row, message in listing.items]


async def test_a_place_from_the_waiting_list_is_told_to_the_promoted_person_only() -> None:
    event = await make_event(capacity=1, title="Python au lycée")
    holder, waiting, bystander = await make_user(), await make_user(), await make_user()
    await services.register(holder, event.id)
    await services.register(waiting, event.id)
    await services.register(bystander, (await make_event(facilitator=event.facilitator)).id)
    await services.cancel_registration(holder, event.id)
    assert await notes(waiting) == [("events.promoted", f"/events/{event.id}", "A place is yours: Python au lycée")]
    assert await notes(holder) == [] and await notes(bystander) == [] and await notes(event.facilitator) == []
    # the mail with its invitation is written as before
    mail = await OutboxMail.filter(user_id=waiting.id).order_by("-id").first()
    assert "Python au lycée" in mail.subject and mail.attachments


async def test_a_higher_capacity_promotes_and_tells_without_a_change_notice() -> None:
    event = await make_event(capacity=1)
    first, second = await make_user(), await make_user()
    await services.register(first, event.id)
    await services.register(second, event.id)
    await services.change_event(event.facilitator, event.id, EventChange(capacity=2))
    assert [kind for kind, _, _ in await notes(second)] == ["events.promoted"]
    assert await notes(first) == []


async def test_a_change_is_told_to_confirmed_registrants_only() -> None:
    event = await make_event(capacity=1)
    confirmed, waiting = await make_user(), await make_user()
    await services.register(confirmed, event.id)
    await services.register(waiting, event.id)
    await services.change_event(event.facilitator, event.id, EventChange(title="Nouveau titre"))
    assert await notes(confirmed) == [("events.changed", f"/events/{event.id}", "Event changed: Nouveau titre")]
    assert await notes(waiting) == [] and await notes(event.facilitator) == []
    assert await OutboxMail.filter(user_id=confirmed.id, subject="Événement modifié : Nouveau titre").count() == 1


async def test_a_cancellation_is_told_to_everyone_registered_or_waiting() -> None:
    event = await make_event(capacity=1, title="Atelier annulé")
    confirmed, waiting, bystander = await make_user(), await make_user(), await make_user()
    await services.register(confirmed, event.id)
    await services.register(waiting, event.id)
    await services.cancel_event(event.facilitator, event.id)
    for person in (confirmed, waiting):
        assert await notes(person) == [("events.cancelled", f"/events/{event.id}", "Event cancelled: Atelier annulé")]
        assert await OutboxMail.filter(user_id=person.id, subject="Événement annulé : Atelier annulé").count() == 1
    assert await notes(bystander) == [] and await notes(event.facilitator) == []


async def test_never_silences_a_kind_but_not_the_mail() -> None:
    event = await make_event()
    person = await make_user()
    await notifications.set_preferences(person, {"events.changed": "never"})
    await services.register(person, event.id)
    await services.change_event(event.facilitator, event.id, EventChange(title="Autre titre"))
    assert await notes(person) == []
    assert await OutboxMail.filter(user_id=person.id, subject="Événement modifié : Autre titre").count() == 1
    await services.cancel_event(event.facilitator, event.id)
    assert [kind for kind, _, _ in await notes(person)] == ["events.cancelled"]


async def test_the_kinds_offer_in_app_or_never_only() -> None:
    person = await make_user()
    chosen = await notifications.preferences(person)
    assert {chosen[kind] for kind in ("events.promoted", "events.changed", "events.cancelled")} == {"inapp"}
    for kind in services.NOTIFICATION_KINDS:
        assert kind.modes == ("inapp", "never")
