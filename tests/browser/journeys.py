"""Steps shared by the end-to-end journeys (tests/browser/test_journeys.py): what a person
does on the pages (sign up, press a button and wait for the next page), the texts they
should see (taken from the French catalogue, the visitors' language here), and the
checks every journey ends with (no script error, no CSP violation).
"""

from __future__ import annotations

import asyncio
import json

from playwright.async_api import Locator, Page, WebSocket, expect

from tests.browser.conftest import csp_violations
from tierslieu import i18n

LOCALE = "fr"
LIVE_TIMEOUT = 10.0  # seconds for a page's websocket to subscribe


def t(message: str, **params: object) -> str:
    """A text as a French visitor reads it."""
    return i18n.gettext(LOCALE, message, **params)


def nt(singular: str, plural: str, n: int, **params: object) -> str:
    return i18n.ngettext(LOCALE, singular, plural, n, num=n, **params)


async def press(page: Page, button: Locator) -> None:
    """Click a button that submits a form, and wait for the page it leads to."""
    async with page.expect_navigation():
        await button.click()


async def sign_up(page: Page, name: str, email: str, password: str) -> None:
    """Create an account through /signup, reached from the header link."""
    await page.goto("/")
    await page.get_by_role("link", name=t("Create an account")).first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(t("Create an account"))
    await page.get_by_label(t("Your name, as others will see it")).fill(name)
    await page.get_by_label(t("Email address")).fill(email)
    await page.get_by_label(t("Password"), exact=True).fill(password)
    await press(page, page.get_by_role("button", name=t("Create my account")))
    account = page.get_by_role("navigation", name=t("Account"))
    await expect(account.get_by_role("link", name=name)).to_be_visible()


def follow_channel(page: Page, channel: str) -> asyncio.Future[None]:
    """Arm this before the navigation: resolves once the page's websocket (live.js) has
    subscribed to ``channel``, so that an update published afterwards must reach it."""
    subscribed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_frame(payload: str | bytes) -> None:
        try:
            message = json.loads(payload)
        except ValueError:
            return
        if isinstance(message, dict) and message.get("subscribed") == channel and not subscribed.done():
            subscribed.set_result(None)

    def on_socket(socket: WebSocket) -> None:
        socket.on("framereceived", on_frame)

    page.on("websocket", on_socket)
    return subscribed


async def subscribed(waiting: asyncio.Future[None]) -> None:
    await asyncio.wait_for(waiting, LIVE_TIMEOUT)


async def mark_document(page: Page) -> None:
    """Tag the loaded document, so that :func:`same_document` can tell a navigation happened."""
    await page.evaluate("window.__journeyMark = 'still here'")


async def same_document(page: Page) -> bool:
    return await page.evaluate("window.__journeyMark === 'still here'")


async def assert_clean(*pages: Page, js: bool) -> None:
    """No script error on any page; with JavaScript, no Content-Security-Policy violation."""
    for page in pages:
        assert page.errors == [], page.errors  # type: ignore[attr-defined]
        if js:
            assert await csp_violations(page) == [], page.url
