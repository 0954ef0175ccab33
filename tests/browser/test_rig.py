"""The rig itself: Chromium opens a page of the live server, with and without JavaScript."""

from __future__ import annotations

import pytest

from tests.browser.conftest import OpenPage, csp_violations, node_tool, sign_in
from tests.browser.pages import MEMBER, key_pages, sign_in_staff


async def test_the_home_page_opens_with_javascript(open_page: OpenPage) -> None:
    page = await open_page()
    response = await page.goto("/")
    assert response is not None and response.status == 200
    assert await page.locator("main").count() == 1
    assert await page.evaluate("document.documentElement.lang") == "fr"
    assert await csp_violations(page) == []
    assert page.errors == []  # type: ignore[attr-defined]


async def test_the_home_page_opens_without_javascript_in_english(open_page: OpenPage) -> None:
    page = await open_page(js=False, locale="en", width=360, height=740)
    response = await page.goto("/")
    assert response is not None and response.status == 200
    assert await page.evaluate("1") == 1  # evaluate still works: only the page's own scripts are off
    assert await page.locator("html").get_attribute("lang") == "en"


async def test_every_key_page_answers_for_its_visitor(open_page: OpenPage) -> None:
    pages = await key_pages()
    anonymous, member, staff = await open_page(js=False), await open_page(js=False), await open_page(js=False)
    await sign_in(member, *MEMBER)
    await sign_in_staff(staff)
    for key in pages:
        page = staff if key.staff else member if key.signed_in else anonymous
        response = await page.goto(key.path)
        assert response is not None and response.status == 200, key
        assert page.url.endswith(key.path), (key, page.url)


def test_a_missing_npm_tool_skips_the_check_outside_ci(tmp_path, monkeypatch) -> None:
    """The README's `pytest` on a machine without node_modules (nor npm) skips the checks
    that need axe-core or the Nu HTML Checker instead of failing with FileNotFoundError."""
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="npm ci"):
        node_tool("node_modules/axe-core/axe.min.js", root=tmp_path)
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="axe-core"):
        node_tool("node_modules/axe-core/axe.min.js", root=tmp_path)


def test_a_present_npm_tool_is_used_as_it_is(tmp_path) -> None:
    tool = tmp_path / "node_modules" / "axe-core" / "axe.min.js"
    tool.parent.mkdir(parents=True)
    tool.write_text("/* axe */")
    assert node_tool("node_modules/axe-core/axe.min.js", root=tmp_path) == tool
