"""The weight of every key page in Chromium, for visitors on slow and expensive mobile data.

- First view (a new context, so an empty cache): at most 50 KB over the wire, in at most
  5 requests.
- Repeat view (the same context opens the same page again): at most 10 KB; the static
  files come from the cache without any request (hashed URLs, cached for a year).

Bytes are transfer sizes as Chromium reports them (``request.sizes()``: the response's
headers plus its body as sent, so compressed). Signed-in pages sign in through the
context's request API, which shares the cookies but not the browser's cache.
``pytest -s`` prints the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.async_api import BrowserContext, Page, Request

from tests.browser.conftest import OpenPage
from tests.browser.pages import MEMBER, STAFF, KeyPage, key_pages, staff_code

FIRST_VIEW_BYTES = 50 * 1024
FIRST_VIEW_REQUESTS = 5
REPEAT_VIEW_BYTES = 10 * 1024


@dataclass
class View:
    """What one navigation cost. ``network``: the requests that went over the wire, with
    their bytes; ``cached``: those the browser answered from its cache (Chromium still
    reports them, with no bytes at all)."""

    network: list[tuple[str, int]] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return sum(size for _url, size in self.network)

    @property
    def static_requests(self) -> list[str]:
        return [url for url, _size in self.network if "/static/" in url]

    def __str__(self) -> str:
        return f"{self.bytes / 1024:.1f} KB in {len(self.network)} requests ({len(self.cached)} from the cache)"


async def measure(page: Page, path: str) -> View:
    """Opens ``path``, waits for the network to settle, and weighs the finished requests."""
    finished: list[Request] = []

    def record(request: Request) -> None:
        finished.append(request)

    page.on("requestfinished", record)
    try:
        response = await page.goto(path, wait_until="networkidle")
    finally:
        page.remove_listener("requestfinished", record)
    assert response is not None and response.status == 200, (path, response and response.status)
    assert page.url.endswith(path), (path, page.url)  # not sent to the login page
    view = View()
    for request in finished:
        sizes = await request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        if size > 0:
            view.network.append((request.url, size))
        else:
            view.cached.append(request.url)
    return view


async def sign_in_quietly(context: BrowserContext, staff: bool = False) -> None:
    """Signs in as the demo member (or the demo coordinator, second step included) without
    loading a page (the browser cache stays empty)."""
    form = await context.request.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', await form.text())
    assert token, "no CSRF token in the login form"
    email, password = STAFF if staff else MEMBER
    done = await context.request.post(
        "/login", form={"csrf_token": token.group(1), "email": email, "password": password, "next": "/me"}
    )
    if staff:
        assert done.ok and done.url.endswith("/login/code"), (done.status, done.url)
        token = re.search(r'name="csrf_token" value="([^"]+)"', await done.text())
        assert token, "no CSRF token in the second step's form"
        done = await context.request.post(
            "/login/code", form={"csrf_token": token.group(1), "code": await staff_code()}
        )
    assert done.ok and "/login" not in done.url, (done.status, done.url)


def table(rows: list[tuple[KeyPage, View, View]]) -> str:
    lines = [f"{'page':<16} {'first KB':>9} {'requests':>9} {'repeat KB':>10} {'requests':>9} {'cached':>7}"]
    for key, first, repeat in rows:
        lines.append(
            f"{key.name:<16} {first.bytes / 1024:>9.1f} {len(first.network):>9} "
            f"{repeat.bytes / 1024:>10.1f} {len(repeat.network):>9} {len(repeat.cached):>7}"
        )
    return "\n".join(lines)


def over_budget(key: KeyPage, first: View, repeat: View) -> list[str]:
    problems = []
    if first.bytes > FIRST_VIEW_BYTES or len(first.network) > FIRST_VIEW_REQUESTS:
        problems.append(f"first view {first}: budget {FIRST_VIEW_BYTES // 1024} KB in {FIRST_VIEW_REQUESTS} requests")
    if repeat.bytes > REPEAT_VIEW_BYTES:
        problems.append(f"repeat view {repeat}: budget {REPEAT_VIEW_BYTES // 1024} KB")
    # asked again for what the first view fetched (the browser fetches the icon on its own
    # schedule: on a busy machine its first fetch may not have finished when the page settled)
    fetched = {url for url, _size in first.network}
    again = [url for url in repeat.static_requests if url in fetched]
    if again:
        problems.append(f"repeat view asked again for {', '.join(again)}")
    return [f"{key.name} ({key.path}): {problem}" for problem in problems]


async def test_key_pages_are_light(open_page: OpenPage) -> None:
    rows: list[tuple[KeyPage, View, View]] = []
    for key in await key_pages():
        page = await open_page(locale="fr")  # a new context: an empty cache
        if key.signed_in:
            await sign_in_quietly(page.context, staff=key.staff)
        first = await measure(page, key.path)
        repeat = await measure(page, key.path)
        rows.append((key, first, repeat))
        await page.context.close()
    report = table(rows)
    print(f"\nPage weight (transferred, compressed), Chromium:\n{report}")
    problems = [problem for row in rows for problem in over_budget(*row)]
    assert not problems, "\n".join(problems) + "\n" + report
