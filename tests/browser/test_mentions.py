"""Mentioning someone in a real browser: "@sop" typed in the reply box offers the people
whose handle starts so, one is chosen with the keyboard, and the published reply links to
their forum page. The list of suggestions passes axe-core while it is open."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import expect

from tests.browser.conftest import OpenPage, sign_in
from tests.browser.journeys import assert_clean, press, t
from tests.browser.test_accessibility import audit, describe
from tests.forum.factories import make_topic
from tests.helpers import PASSWORD, make_user

QUESTION = "Quel éditeur Python pour des élèves de seconde ?"
HELP = (
    "Markdown: **bold**, `code`, ``` for code blocks, > to quote. To mention someone, write @ and their handle,"
    " shown beside their name; yours is %(handle)s."
)


async def test_a_mention_is_suggested_chosen_with_the_keyboard_and_becomes_a_link(open_page: OpenPage) -> None:
    sophie = await make_user(display_name="Sophie Laurent")
    await make_user(display_name="Sophia Martin")
    await make_user(display_name="Karim Benali")
    topic = await make_topic(await make_user(display_name="Alix Martin"), title=QUESTION)
    writer = await make_user(display_name="Camille Roux")

    page = await open_page()
    await sign_in(page, writer.email, PASSWORD)
    await page.goto(f"/forum/t/{topic.id}")
    reply = page.get_by_role("region", name=t("Reply"))
    message = reply.get_by_label(t("Your message"))
    await expect(reply).to_contain_text(t(HELP, handle="@CamilleRoux"))  # how to mention, without JavaScript too

    await message.click()
    await page.keyboard.type("Merci @so", delay=30)
    people = page.get_by_role("listbox", name=t("People to mention"))
    await expect(people.get_by_role("option")).to_have_count(2)
    await page.keyboard.press("Escape")
    await expect(people).to_be_hidden()
    await expect(message).to_have_value("Merci @so")

    await page.keyboard.type("p", delay=30)
    options = people.get_by_role("option")
    await expect(options).to_have_text(["Sophia Martin @SophiaMartin", "Sophie Laurent @SophieLaurent"])
    await expect(message).to_have_attribute("aria-activedescendant", await options.nth(0).get_attribute("id") or "")
    await expect(page.locator("#live-status")).to_contain_text(
        t("%(num)s people to mention: up and down arrows to choose, Enter to insert", num=2)
    )
    await page.keyboard.press("ArrowDown")
    second = options.nth(1)
    await expect(second).to_have_attribute("aria-selected", "true")
    await expect(message).to_have_attribute("aria-activedescendant", await second.get_attribute("id") or "")
    await page.keyboard.press("Enter")
    await expect(people).to_be_hidden()
    await expect(message).to_have_value("Merci @SophieLaurent ")
    await page.keyboard.type("pour l’idée de Thonny.")

    await press(page, reply.get_by_role("button", name=t("Publish"), exact=True))
    posted = page.locator("#posts article", has_text="pour l’idée de Thonny.")
    link = posted.locator(".post-body").get_by_role("link", name="@SophieLaurent")
    await expect(link).to_have_attribute("href", f"/forum/u/{sophie.id}")
    await expect(link).to_have_class("mention")
    await link.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sophie Laurent")
    await expect(page.locator("main")).to_contain_text("@SophieLaurent")
    await assert_clean(page, js=True)


async def test_the_open_list_of_suggestions_passes_axe(open_page: OpenPage, axe_script: Path) -> None:
    await make_user(display_name="Sophie Laurent")
    await make_user(display_name="Sophia Martin")
    writer = await make_user()
    page = await open_page(bypass_csp=True)  # axe-core is injected into the page
    await sign_in(page, writer.email, PASSWORD)
    await page.goto("/forum/new")
    await page.get_by_label(t("Your message")).click()
    await page.keyboard.type("Une question pour @sop", delay=30)
    await expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(2)
    violations = await audit(page, None, "fr", axe_script)
    assert not violations, describe({"new topic, suggestions open": violations})
    await page.get_by_role("option", name="Sophia Martin @SophiaMartin").click()
    await expect(page.get_by_label(t("Your message"))).to_have_value("Une question pour @SophiaMartin ")
    await expect(page.get_by_role("listbox")).to_be_hidden()
