"""The aria-live region (#live-status, filled by static/live.js): live updates arriving
together are all read out, none replaced by the next one."""

from __future__ import annotations

from playwright.async_api import expect

from forum import services
from tests.browser.conftest import OpenPage, sign_in
from tests.browser.journeys import assert_clean, follow_channel, subscribed, t
from tests.forum.factories import make_topic
from tests.helpers import PASSWORD, make_user


async def test_a_new_reply_and_its_notification_are_both_read_out(open_page: OpenPage) -> None:
    asker = await make_user()
    topic = await make_topic(asker)  # the asker watches their topic: a reply also notifies them
    page = await open_page()
    await sign_in(page, asker.email, PASSWORD)
    live = follow_channel(page, f"topic:{topic.id}")
    await page.goto(f"/forum/t/{topic.id}")
    await subscribed(live)

    await services.reply(await make_user(), topic.id, "Une première réponse.")
    status = page.locator("#live-status")
    await expect(status).to_contain_text(t("1 new reply: show it"))
    await expect(status).to_contain_text(t("New notification"))

    await services.reply(await make_user(), topic.id, "Une deuxième réponse.")
    await expect(status.get_by_text(t("New notification"), exact=True)).to_have_count(2)  # the same words, read again
    await expect(status).to_contain_text(t("%(num)s new replies: show them", num=2))
    await assert_clean(page, js=True)
