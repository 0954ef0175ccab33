"""Accessibility: axe-core finds no violation at all on any key page, in French and in
English, at desktop width and on a 360 px phone.

axe runs with its default rule set plus every WCAG 2.x A/AA rule it leaves off by
default (target size, the obsolete duplicate-id rules, ...). One browser context per
(locale, width): the anonymous pages first and the login form with an error, then the
demo member signs in once and every page is checked again as the member (signed-in
pages show more: votes, reply forms, booking links, the notifications badge).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import Page

from tests.browser.conftest import OpenPage, sign_in
from tests.browser.pages import MEMBER, key_pages, sign_in_staff

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "wcag2a-obsolete"]

# Enables the WCAG A/AA rules that axe leaves off by default, then runs everything.
RUN_AXE = """
async (tags) => {
  const rules = {};
  for (const rule of axe.getRules(tags)) rules[rule.ruleId] = {enabled: true};
  const results = await axe.run(document, {resultTypes: ['violations'], rules});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary || ''})),
  }));
}
"""

SIZES = {"desktop": (1280, 800), "phone": (360, 740)}


def describe(found: dict[str, list[dict]]) -> str:
    lines = []
    for name, violations in found.items():
        for violation in violations:
            lines.append(f"{name}: {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:8]:
                summary = " ".join(node["summary"].split())[:300]
                lines.append(f"    {node['target']}  -- {summary}")
            if len(violation["nodes"]) > 8:
                lines.append(f"    ... and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


async def audit(page: Page, path: str | None, locale: str, axe: Path) -> list[dict]:
    """Open ``path`` (None: audit the page as it is) and return axe's violations."""
    if path is not None:
        response = await page.goto(path)
        assert response is not None and response.status == 200, (path, response and response.status)
    assert await page.evaluate("document.documentElement.lang") == locale, path or page.url
    await page.add_script_tag(path=str(axe))
    return await page.evaluate(RUN_AXE, WCAG_TAGS)


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("locale", ["fr", "en"])
async def test_no_key_page_has_an_accessibility_violation(
    open_page: OpenPage, axe_script: Path, locale: str, size: str
) -> None:
    pages = await key_pages()
    width, height = SIZES[size]
    page = await open_page(locale=locale, width=width, height=height, bypass_csp=True)
    found: dict[str, list[dict]] = {}

    async def check(name: str, path: str | None, on: Page | None = None) -> None:
        violations = await audit(on or page, path, locale, axe_script)
        if violations:
            found[name] = violations

    for key in pages:
        if not key.signed_in:
            await check(key.name, key.path)
    # A form shown again with its error (aria-invalid, the alert, the error text).
    await page.goto("/login")
    await page.fill("input[name=email]", MEMBER[0])
    await page.fill("input[name=password]", "not-the-password")
    async with page.expect_navigation():
        await page.click("form:has(input[name=password]) [type=submit]")
    assert await page.locator("main [role=alert]").count() == 1, "the login form shows no error"
    await check("login-error", None)
    # Signed in once: every page again as the member, who also sees votes, reply and booking links.
    await sign_in(page, *MEMBER)
    await page.goto(f"/lang/{locale}?next=/")  # the profile's language would win otherwise
    for key in pages:
        if key.name not in {"login", "signup"} and not key.staff:
            await check(f"{key.name} (member)" if not key.signed_in else key.name, key.path)
    assert page.errors == []  # type: ignore[attr-defined]
    # The staff pages, as the demo coordinator (second step included).
    staff = await open_page(locale=locale, width=width, height=height, bypass_csp=True)
    await sign_in_staff(staff)
    await staff.goto(f"/lang/{locale}?next=/")
    for key in pages:
        if key.staff:
            await check(key.name, key.path, staff)
    assert staff.errors == []  # type: ignore[attr-defined]
    assert not found, f"axe-core violations ({locale}, {width}x{height}):\n{describe(found)}"


async def test_the_audit_reports_a_violation(open_page: OpenPage, axe_script: Path) -> None:
    """The check can fail: an image without text and an unlabelled field are reported."""
    page = await open_page(bypass_csp=True)
    await page.goto("/login")
    broken = '<img src="/static/app.css"><input type="text" name="x">'
    await page.evaluate("(html) => document.querySelector('main').insertAdjacentHTML('beforeend', html)", broken)
    await page.add_script_tag(path=str(axe_script))
    ids = {violation["id"] for violation in await page.evaluate(RUN_AXE, WCAG_TAGS)}
    assert {"image-alt", "label"} <= ids, json.dumps(sorted(ids))
