"""End-to-end journeys in a real browser, each run with JavaScript and without.

People drive the real pages (forms, buttons, links); factories only set the world up
(a category, an event, a room, other people). The texts expected are the French ones
the visitors read.
"""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from events import services as events_services
from forum.models import Topic
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
from tests.helpers import PASSWORD, make_user
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
