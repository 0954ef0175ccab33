"""What a person sees in daily use (issue 18): the solved tag only on solved topics, one's
own vote visibly pressed, pages that stay 360 px wide with long words and URLs, errors
under the field they are about.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pyotp
from playwright.async_api import Page, expect

from forum import services as forum_services
from tests.browser.conftest import OpenPage, sign_in
from tests.browser.journeys import press, t
from tests.forum.factories import make_category, make_reply, make_topic
from tests.helpers import PASSWORD, make_user
from tierslieu import clock

EDUSCOL = "https://eduscol.education.fr/document/30010/download?attachment=ressources-nsi-premiere-programmation-recursive.pdf"
LONG_WORD = "anticonstitutionnellement" * 16  # 400 characters, no space
PHONE = {"width": 360, "height": 740}


async def page_width(page: Page) -> int:
    return await page.evaluate("document.documentElement.scrollWidth")


async def test_solved_shows_only_on_a_solved_topic(open_page: OpenPage) -> None:
    author = await make_user()
    topic = await make_topic(author, kind="question")
    discussion = await make_topic(author, kind="discussion")
    page = await open_page(js=False)
    for unsolved in (topic, discussion):
        await page.goto(f"/forum/t/{unsolved.id}")
        await expect(page.get_by_text(t("Solved"), exact=True)).to_be_hidden()
    answer = await make_reply(topic)
    await forum_services.accept_answer(author, answer.id)
    await page.goto(f"/forum/t/{topic.id}")
    await expect(page.get_by_text(t("Solved"), exact=True)).to_be_visible()


async def test_my_own_vote_is_visibly_pressed(open_page: OpenPage) -> None:
    topic = await make_topic()
    await make_reply(topic, body="Une réponse à voter.")
    voter = await make_user(email="voter@example.org")
    page = await open_page(js=False)
    await sign_in(page, voter.email, PASSWORD)
    await page.goto(f"/forum/t/{topic.id}")
    post = page.locator(".post").nth(1)
    useful = post.get_by_role("button", name=t("Useful"), exact=False).first
    before = await useful.evaluate("b => getComputedStyle(b).backgroundColor")
    await press(page, useful)
    useful = page.locator(".post").nth(1).locator("button[aria-pressed=true]")
    await expect(useful).to_have_count(1)
    after = await useful.evaluate("b => getComputedStyle(b).backgroundColor")
    assert after != before, "a pressed vote looks the same as an unpressed one"


async def test_long_words_and_urls_keep_a_phone_page_360_px_wide(open_page: OpenPage) -> None:
    category = await make_category("Ressources")
    author = await make_user(display_name="Sophie Laurent")
    topic = await make_topic(author, category=category, title="Programme " + LONG_WORD[:130], body=f"Voir {EDUSCOL}")
    await make_reply(topic, body=LONG_WORD)
    await make_reply(topic, body=f"| colonne | lien |\n|---|---|\n| {LONG_WORD} | {EDUSCOL} |")
    page = await open_page(**PHONE)
    paths = [f"/forum/t/{topic.id}", f"/forum/c/{category.slug}", "/forum", "/forum/search?q=programme"]
    for path in paths:
        await page.goto(path)
        assert await page_width(page) <= 360, (path, await page_width(page))
    # the URL in a post is a link
    await page.goto(f"/forum/t/{topic.id}")
    await expect(page.locator(f'.post-body a[href="{EDUSCOL}"]')).to_have_count(2)
    # signed in: the profile (sessions table with a long browser name) and the reply form
    await page.context.set_extra_http_headers({"User-Agent": "Mozilla/5.0 " + LONG_WORD})
    await sign_in(page, author.email, PASSWORD)
    for path in ["/me", f"/forum/t/{topic.id}", "/notifications", "/bookings", "/events", "/rooms"]:
        await page.goto(path)
        assert await page_width(page) <= 360, (path, await page_width(page))


async def test_times_are_short_absolute_without_javascript_and_relative_with_it(open_page: OpenPage) -> None:
    topic = await make_topic(title="Une question datée")
    bare = await open_page(js=False)
    await bare.goto(f"/forum/t/{topic.id}")
    stamp = bare.locator(".post time").first
    absolute = (await stamp.text_content() or "").strip()
    assert "\u00a0h" in absolute and ":00:00" not in absolute and "2026-" not in absolute, absolute
    assert (await stamp.get_attribute("datetime") or "").endswith("Z")
    live = await open_page()
    await live.goto(f"/forum/t/{topic.id}")
    stamp = live.locator(".post time").first
    await expect(stamp).to_have_text("maintenant")
    assert await stamp.get_attribute("title") == absolute


async def test_a_booking_conflict_shows_under_the_start_with_free_times_offered(open_page: OpenPage) -> None:
    from bookings import services as bookings_services
    from tests.bookings.helpers import at, make_room, next_monday

    room = await make_room(name="Salle Hopper")
    day = next_monday()
    first = await make_user()
    await bookings_services.create_booking(first, room.id, at(day, "14:00"), at(day, "16:00"), "Cours")
    member = await make_user(email="booker@example.org")
    page = await open_page(**PHONE)
    await sign_in(page, member.email, PASSWORD)
    await page.goto(f"/rooms/{room.id}/book?date={day}&start=15:00&end=16:00")
    await page.get_by_label(t("Purpose")).fill("Révisions NSI")
    await press(page, page.get_by_role("button", name=t("Book"), exact=True))
    start_field = page.locator(".field", has=page.locator("#f-start"))
    await expect(start_field.locator(".error")).to_be_visible()
    people_field = page.locator(".field", has=page.locator("#f-people"))
    await expect(people_field.locator(".error")).to_have_count(0)
    offers = page.get_by_role("region", name=t("Free at another time or in another room")).get_by_role("link")
    assert await offers.count() >= 2
    assert await page_width(page) <= 360


async def test_an_expired_session_keeps_the_reply_through_sign_in_and_back(open_page: OpenPage) -> None:
    from accounts.models import Session

    topic = await make_topic(title="Une question qui attendra")
    person = await make_user(email="slow-writer@example.org")
    reply = "Une longue réponse écrite pendant que la session expirait."
    for js in (False, True):
        page = await open_page(js=js)
        await sign_in(page, person.email, PASSWORD)
        await page.goto(f"/forum/t/{topic.id}")
        await page.get_by_label(t("Your message")).fill(reply)
        await Session.filter(user_id=person.id).delete()  # the session ends meanwhile
        await press(page, page.get_by_role("button", name=t("Publish"), exact=True))
        await expect(page.locator("main textarea[readonly]")).to_have_value(reply)  # nothing lost
        link = page.get_by_role("link", name=t("Sign in again and go back to the page"))
        await expect(link).to_be_visible()
        if not js:
            continue
        await link.click()
        await page.fill("input[name=email]", person.email)
        await page.fill("input[name=password]", PASSWORD)
        await press(page, page.locator("form:has(input[name=password]) [type=submit]"))
        assert page.url.endswith(f"/forum/t/{topic.id}"), page.url
        await expect(page.get_by_label(t("Your message"))).to_have_value(reply)


async def test_the_header_takes_two_lines_on_a_phone_and_every_link_stays_reachable(open_page: OpenPage) -> None:
    """A coordinator sees every section and the administration: on a 360 px phone the
    header still takes two lines (the links scroll sideways), each link can be scrolled
    into view and clicked, and the page itself stays 360 px wide."""
    coordinator = await make_user(
        email="coordination@example.org", display_name="Camille Coordination", roles=("coordinator",)
    )
    for signed_in in (False, True):
        page = await open_page(**PHONE)
        if signed_in:
            await sign_in(page, coordinator.email, PASSWORD)
            await page.fill("input[name=code]", pyotp.TOTP(coordinator.totp_secret).now())
            await press(page, page.locator("form:has(input[name=code]) [type=submit]"))
        await page.goto("/events")
        assert page.url.endswith("/events"), page.url
        header = page.locator(".site-header")
        height = await header.evaluate("h => h.getBoundingClientRect().height")
        assert height <= 100, f"the header is {height} px high on a phone"
        assert await page_width(page) <= 360
        links = header.locator("a, button")
        names = [await link.text_content() for link in await links.all()]
        assert signed_in == (t("Sign out") in " ".join(names)), names
        for link in await links.all():
            await link.scroll_into_view_if_needed()
            box = await link.bounding_box()
            assert box and 0 <= box["x"] and box["x"] + box["width"] <= 360, (await link.text_content(), box)


async def test_event_cards_carry_a_date_badge(open_page: OpenPage) -> None:
    from tests.events.helpers import make_event

    event = await make_event(title="Webinaire du mardi")
    page = await open_page(**PHONE)
    await page.goto("/events")
    card = page.locator(".card", has=page.get_by_role("link", name="Webinaire du mardi"))
    badge = card.locator(".date-badge")
    await expect(badge).to_have_attribute("aria-hidden", "true")  # the time beside it is read out
    local = event.starts_at.astimezone(ZoneInfo("Europe/Paris"))
    assert (await badge.locator("b").text_content()) == str(local.day)
    assert timedelta(0) < event.starts_at - clock.now()
