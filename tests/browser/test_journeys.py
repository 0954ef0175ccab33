"""End-to-end journeys in a real browser, each run with JavaScript and without.

People drive the real pages (forms, buttons, links); factories only set the world up
(a category, an event, a room, other people). The texts expected are the French ones
the visitors read.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.async_api import expect

from accounts.models import Role
from events import services as events_services
from forum.models import Topic
from helpdesk.models import Appointment
from mentoring import services as mentoring_services
from mentoring.forms import MentorProfileIn
from tests.bookings.helpers import at, make_room, next_monday
from tests.browser.conftest import OpenPage, sign_in
from tests.browser.journeys import (
    assert_clean,
    follow_channel,
    mark_document,
    nt,
    press,
    same_document,
    sign_up,
    subscribed,
    t,
)
from tests.events.helpers import make_event
from tests.forum.factories import make_category, make_reply
from tests.helpdesk.helpers import agenda_path, make_hours
from tests.helpers import PASSWORD, fresh_code, make_user
from tests.mentoring.helpers import next_weekday
from tierslieu import clock
from tierslieu.i18n import LocalTime

both = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])


# --- forum: a question asked, answered while the asker watches, and solved ---------------------

QUESTION = "Comment faire découvrir la récursivité en première ?"
FIRST_ANSWER = "Commencez par des poupées russes, en vrai, sur la table."
ANSWER = "Faites dessiner l’arbre des appels de factorielle(4) au tableau."


@both
async def test_a_question_asked_is_answered_live_and_solved(open_page: OpenPage, js: bool) -> None:
    category = await make_category("Pédagogie")
    helper = await make_user(display_name="Camille Roux")
    answerer = await make_user(display_name="Dominique Lenoir")

    asker = await open_page(js=js)
    await sign_up(asker, "Alix Martin", "alix@example.org", PASSWORD)
    await asker.get_by_role("link", name=t("Forum"), exact=True).click()
    await asker.get_by_role("link", name=t("Ask a question or start a discussion")).click()
    await expect(asker.get_by_role("heading", level=1)).to_have_text(t("New topic"))
    await asker.get_by_label(t("Category")).select_option(label=category.name)
    await asker.get_by_label(t("Title")).fill(QUESTION)
    await asker.get_by_label(t("Your message")).fill("Mes élèves bloquent sur les appels qui s’empilent.")
    await press(asker, asker.get_by_role("button", name=t("Publish"), exact=True))
    await expect(asker.get_by_role("heading", level=1)).to_have_text(QUESTION)
    topic = await Topic.get(title=QUESTION)
    assert asker.url.endswith(f"/forum/t/{topic.id}")
    await make_reply(topic, helper, FIRST_ANSWER)  # someone else answered first

    live = follow_channel(asker, f"topic:{topic.id}") if js else None
    await asker.reload()
    posts = asker.locator("#posts article")
    await expect(posts).to_have_count(2)
    if live is not None:
        await subscribed(live)
    await mark_document(asker)

    other = await open_page(js=js)
    await sign_in(other, answerer.email, PASSWORD)
    await other.goto("/forum")
    await other.get_by_role("link", name=QUESTION).click()
    await other.get_by_label(t("Your message")).fill(ANSWER)
    reply = other.get_by_role("region", name=t("Reply"))
    await press(other, reply.get_by_role("button", name=t("Publish"), exact=True))
    await expect(other.locator("#posts article", has_text=ANSWER)).to_be_visible()

    if js:
        announcement = t("1 new reply: show it")
        # read out by the aria-live region, and not drowned by the "new notification" said at once
        await expect(asker.locator("#live-status")).to_contain_text(announcement)
        await asker.get_by_role("button", name=announcement).click()
        await expect(posts.filter(has_text=ANSWER)).to_be_visible()
        await expect(asker.get_by_role("button", name=announcement)).to_be_hidden()
        assert await same_document(asker), "the new reply came with a navigation"
    else:
        await expect(posts.filter(has_text=ANSWER)).to_have_count(0)
        await asker.reload()
        await expect(posts.filter(has_text=ANSWER)).to_be_visible()
    await expect(posts).to_have_count(3)

    answer = posts.filter(has_text=ANSWER)
    await press(asker, answer.get_by_role("button", name=t("Accept this answer")))
    await expect(asker.get_by_text(t("Solved"), exact=True)).to_be_visible()
    await expect(posts.nth(0)).to_contain_text("Mes élèves bloquent")
    await expect(posts.nth(1)).to_contain_text(ANSWER)
    await expect(posts.nth(1)).to_contain_text(t("Accepted answer"))
    await expect(posts.nth(2)).to_contain_text(FIRST_ANSWER)
    await expect(posts.nth(2)).not_to_contain_text(t("Accepted answer"))
    await expect(asker.get_by_role("button", name=t("Withdraw the acceptance"))).to_be_visible()

    await other.reload()
    await expect(other.get_by_text(t("Solved"), exact=True)).to_be_visible()
    await expect(other.locator("#posts article").nth(1)).to_contain_text(ANSWER)
    await assert_clean(asker, other, js=js)


# --- events: a full event, the waiting list, a place freed ------------------------------------


@both
async def test_a_member_waits_for_a_place_and_gets_it(open_page: OpenPage, js: bool) -> None:
    event = await make_event(capacity=1, title="Atelier robots pour débutants")
    holder = await make_user(display_name="Bérénice Petit")
    await events_services.register(holder, event.id)  # the only place is taken
    member = await make_user(display_name="Gaël Moreau")
    waiting = f"[data-live-waiting='{event.id}']"

    page = await open_page(js=js)
    await sign_in(page, member.email, PASSWORD)
    await page.get_by_role("link", name=t("Events"), exact=True).click()
    await page.get_by_role("link", name=event.title).first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    await expect(page.get_by_text(nt("%(num)s place left", "%(num)s places left", 0))).to_be_visible()
    await expect(page.locator(waiting)).to_have_text(nt("%(num)s person waiting", "%(num)s people waiting", 0))

    live = follow_channel(page, f"event:{event.id}") if js else None
    await press(page, page.get_by_role("button", name=t("Register")))
    full = t("The event is full: you are on the waiting list. You will be told by mail when a place is yours.")
    await expect(page.get_by_role("status")).to_have_text(full)
    await expect(page.get_by_text(t("You are number %(position)s on the waiting list.", position=1))).to_be_visible()
    await expect(page.locator(waiting)).to_have_text(nt("%(num)s person waiting", "%(num)s people waiting", 1))
    if live is not None:
        await subscribed(live)
    await mark_document(page)

    other = await open_page(js=js)
    await sign_in(other, holder.email, PASSWORD)
    await other.goto(f"/events/{event.id}")
    await expect(other.get_by_text(t("You have a confirmed place."))).to_be_visible()
    await press(other, other.get_by_role("button", name=t("Cancel my registration")))
    await expect(other.get_by_role("status")).to_have_text(t("Your registration is cancelled."))
    await expect(other.get_by_text(t("You have a confirmed place."))).to_have_count(0)

    if js:  # the waiting list shrinks and the member's own line changes on the open page, without a reload
        await expect(page.locator(waiting)).to_have_text(nt("%(num)s person waiting", "%(num)s people waiting", 0))
        await expect(page.locator("#my-registration")).to_have_text(t("You have a confirmed place."))
        await expect(page.locator("#live-status")).to_contain_text(t("You have a confirmed place."))
        assert await same_document(page), "the waiting list changed with a navigation"
    await page.reload()
    await expect(page.get_by_text(t("You have a confirmed place."))).to_be_visible()
    await expect(page.get_by_text(t("You are number %(position)s on the waiting list.", position=1))).to_have_count(0)
    await expect(page.locator(waiting)).to_have_text(nt("%(num)s person waiting", "%(num)s people waiting", 0))
    await assert_clean(page, other, js=js)


# --- bookings: a room booked, the same time refused, another time taken ------------------------


@both
async def test_a_booked_time_is_refused_and_a_free_one_taken(open_page: OpenPage, js: bool) -> None:
    room = await make_room(name="Salle Lovelace")
    day = next_monday().isoformat()
    first, second = await make_user(display_name="Hélène Costa"), await make_user(display_name="Ismaël Diallo")

    async def open_form(page) -> None:
        await page.get_by_role("link", name=t("Rooms"), exact=True).click()
        await page.get_by_role("link", name=room.name).first.click()
        await page.get_by_role("link", name=t("Book this room")).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(t("Book %(room)s", room=room.name))

    async def fill(page, start: str, end: str, purpose: str, people: str) -> None:
        await page.get_by_label(t("Day (first day of a repeated booking)")).fill(day)
        await page.get_by_label(t("Start time")).fill(start)
        await page.get_by_label(t("End time")).fill(end)
        await page.get_by_label(t("Purpose")).fill(purpose)
        await page.get_by_label(t("Number of people")).fill(people)

    confirmed = t("Your booking is confirmed. A confirmation with a calendar invitation is on its way.")
    page = await open_page(js=js)
    await sign_in(page, first.email, PASSWORD)
    await open_form(page)
    await fill(page, "10:00", "11:30", "Réunion du club de lecture", "6")
    await press(page, page.get_by_role("button", name=t("Book"), exact=True))
    await expect(page.get_by_role("status")).to_have_text(confirmed)

    other = await open_page(js=js)
    await sign_in(other, second.email, PASSWORD)
    await open_form(other)
    await fill(other, "11:00", "12:00", "Répétition de théâtre", "4")
    await press(other, other.get_by_role("button", name=t("Book"), exact=True))
    # the time taken, written the way people read it ("lun. 14 déc., 10 h à 11 h 30")
    starts, ends = at(next_monday(), "10:00"), at(next_monday(), "11:30")
    taken = t(
        "This room is already booked from %(starts)s to %(ends)s.",
        starts=LocalTime(starts, "Europe/Paris"),
        ends=LocalTime(ends, "Europe/Paris", time_only=True),
    )
    assert taken.startswith("Cette salle est déjà réservée de ") and "10\u00a0h à 11\u00a0h\u00a030" in taken
    await expect(other.get_by_role("alert")).to_have_text(taken)
    await expect(other.get_by_text(t("This time is already booked."))).to_be_visible()
    for label, value in [
        (t("Day (first day of a repeated booking)"), day),
        (t("Start time"), "11:00"),
        (t("End time"), "12:00"),
        (t("Purpose"), "Répétition de théâtre"),
        (t("Number of people"), "4"),
    ]:
        await expect(other.get_by_label(label)).to_have_value(value)

    await other.get_by_label(t("Start time")).fill("11:30")
    await other.get_by_label(t("End time")).fill("12:30")
    await press(other, other.get_by_role("button", name=t("Book"), exact=True))
    await expect(other.get_by_role("status")).to_have_text(confirmed)
    await expect(other.get_by_role("definition").filter(has_text="Répétition de théâtre")).to_be_visible()
    await assert_clean(page, other, js=js)


# --- help desk: a visitor books a slot, signing up on the way; the helper follows up -----------

NEED = "Je suis professeure de SVT et je voudrais débuter Python pour la SNT."
FOLLOW_UP = "Prochaines étapes : installer Thonny, puis demander un mentorat."


@both
async def test_a_visitor_books_a_help_desk_slot_signing_up_on_the_way(open_page: OpenPage, js: bool) -> None:
    hours = await make_hours()
    helper = await hours.helper
    watcher = await open_page(js=js)
    watching = follow_channel(watcher, "helpdesk") if js else None
    await watcher.goto("/helpdesk?topic=python")
    if watching is not None:
        await subscribed(watching)

    page = await open_page(js=js)
    await page.goto("/")
    await page.get_by_role("link", name=t("Help desk"), exact=True).first.click()
    await page.get_by_label(t("Topic")).select_option("python")
    await press(page, page.get_by_role("button", name=t("Show free slots")))
    first_slot = page.locator("ul.slots li a.button").first
    chosen = await first_slot.locator("xpath=..").get_attribute("data-slot")
    await first_slot.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(t("Book a help-desk appointment"))
    await page.get_by_label(t("Your need, in a few lines")).fill(NEED)
    await page.get_by_label(t("Your name, as others will see it")).fill("Awa Sarr")
    await page.get_by_label(t("Email address")).fill("awa.sarr@example.org")
    await page.get_by_label(t("Password"), exact=True).fill(PASSWORD)
    await press(page, page.get_by_role("button", name=t("Create my account and book")))
    await expect(page.get_by_role("status")).to_have_text(
        t("Your appointment is confirmed. A confirmation with a calendar invitation is on its way.")
    )
    await expect(page.get_by_text(NEED)).to_be_visible()
    account = page.get_by_role("navigation", name=t("Account"))
    await expect(account.get_by_role("link", name="Awa Sarr")).to_be_visible()

    taken = watcher.locator(f'[data-slot="{chosen}"]')
    if js:
        await expect(taken).to_have_class("taken")  # struck out live, without a reload
    else:
        await expect(taken.locator("a")).to_have_attribute("href", re.compile("/helpdesk/book"))
        await watcher.reload()
        await expect(taken).to_have_count(0)

    # the day comes: the helper marks it done and writes a follow-up, which the person reads
    appointment = await Appointment.get(person__email="awa.sarr@example.org")
    now = clock.now()
    await Appointment.filter(id=appointment.id).update(starts_at=now - timedelta(minutes=30), ends_at=now)
    desk = await open_page(js=js)
    await sign_in(desk, helper.email, PASSWORD)
    await desk.fill("input[name=code]", await fresh_code(helper.email) or "")
    await press(desk, desk.get_by_role("button", name=t("Sign in")))
    # the agenda shows the day the appointment began, in the helper's zone (just after
    # midnight there, that is yesterday)
    await desk.goto(agenda_path(helper, now - timedelta(minutes=30)))
    await expect(desk.get_by_text("Awa Sarr")).to_be_visible()
    await press(desk, desk.get_by_role("button", name=t("Mark as done")))
    await desk.get_by_role("link", name=re.compile("Awa Sarr")).click()
    await desk.get_by_label(t("Follow-up for the person")).fill(FOLLOW_UP)
    await press(desk, desk.get_by_role("button", name=t("Save the follow-up")))
    await page.reload()
    await expect(page.get_by_role("heading", name=t("Follow-up from the helper"))).to_be_visible()
    await expect(page.get_by_text(FOLLOW_UP)).to_be_visible()
    await assert_clean(page, watcher, desk, js=js)


# --- mentoring: a request made, accepted, and an on-site session booked --------------------------


@both
async def test_mentoring_requested_accepted_and_a_session_booked_on_site(open_page: OpenPage, js: bool) -> None:
    room = await make_room(name="Salle Ada Lovelace")
    mentor = await make_user(display_name="Claire Martin", roles=(Role.MENTOR,))
    await mentoring_services.save_profile(
        mentor,
        MentorProfileIn(
            skills=["nsi", "capes"],
            languages=["fr"],
            formats=["onsite", "online"],
            max_mentees=2,
            bio="Professeure de NSI à Lyon.",
            availability={"tue": [["18:00", "21:00"]], "thu": [["18:00", "21:00"]]},
        ),
    )
    mentee = await make_user(display_name="Thomas Girard")

    page = await open_page(js=js)
    await sign_in(page, mentee.email, PASSWORD)
    await page.get_by_role("link", name=t("Mentoring"), exact=True).first.click()
    await page.get_by_role("link", name=t("Ask for mentoring")).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(t("Ask for mentoring"))
    await page.get_by_label(t("Topic")).fill("Préparer le CAPES NSI")
    await page.get_by_label("NSI (numérique et sciences informatiques)").check()
    await page.get_by_label(t("Languages you speak")).fill("fr")
    await page.get_by_label(t("Tuesday")).fill("18:00-21:00")
    await press(page, page.get_by_role("button", name=t("Send my request")))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Préparer le CAPES NSI")
    suggestion = page.get_by_role("listitem").filter(has_text="Claire Martin")
    await expect(suggestion).to_contain_text("parle français")
    await expect(suggestion).to_contain_text("libre le mardi soir")
    await press(page, page.get_by_role("button", name=t("Offer my request to %(name)s", name="Claire Martin")))
    await expect(page.get_by_role("status")).to_have_text(
        t("The request is offered. The mentor has 7 days to answer; you are told either way.")
    )
    request_url = page.url.split("?")[0]

    other = await open_page(js=js)
    await sign_in(other, mentor.email, PASSWORD)
    await other.get_by_role("link", name=t("Mentoring"), exact=True).first.click()
    await other.get_by_role("link", name="Préparer le CAPES NSI").click()
    await expect(other.get_by_text(mentee.email)).to_have_count(0)
    await other.get_by_label(t("A word for the person (optional)")).fill("Avec plaisir, à mardi !")
    await press(other, other.get_by_role("button", name=t("Accept"), exact=True))
    await expect(other.get_by_role("status")).to_have_text(t("You accepted: you now see each other's contact details."))
    await expect(other.get_by_role("link", name=mentee.email)).to_be_visible()

    waiting = follow_channel(page, f"mentoring:{request_url.rsplit('/', 1)[1]}") if js else None
    await page.goto(request_url)
    await expect(page.get_by_role("link", name=mentor.email)).to_be_visible()
    if js and waiting is not None:
        await subscribed(waiting)
        await mark_document(page)
        await other.get_by_label(t("Your message")).fill("N'oubliez pas vos annales.")
        await press(other, other.get_by_role("button", name=t("Send"), exact=True))
        await expect(page.get_by_text("N'oubliez pas vos annales.")).to_be_visible()
        assert await same_document(page)

    day = next_weekday(1).isoformat()
    await page.get_by_label(t("Day"), exact=True).fill(day)
    await page.get_by_label(t("Start"), exact=True).fill("10:00")
    await page.get_by_label(t("End"), exact=True).fill("11:00")
    await page.get_by_label(t("Room (on site)")).select_option(label=room.name)
    await press(page, page.get_by_role("button", name=t("Book the session")))
    await expect(page.get_by_role("alert")).to_have_text(t("This time is outside the mentor's weekly availability."))
    await page.get_by_label(t("Day"), exact=True).fill(day)
    await page.get_by_label(t("Start"), exact=True).fill("18:30")
    await page.get_by_label(t("End"), exact=True).fill("19:30")
    await page.get_by_label(t("Room (on site)")).select_option(label=room.name)
    await press(page, page.get_by_role("button", name=t("Book the session")))
    await expect(page.get_by_role("status")).to_have_text(
        t("The session is booked; both of you get a calendar invitation by mail.")
    )
    await expect(page.get_by_text(t("On site: %(room)s", room=room.name))).to_be_visible()
    await assert_clean(page, other, js=js)
