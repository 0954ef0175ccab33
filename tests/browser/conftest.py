"""The browser rig: Debian's Chromium driven by Playwright (async API, in the test's event
loop) against the app served by a real uvicorn on the test database (``live_server``).

Every test here is marked ``browser``; without a Chromium binary they skip, except under CI
(``CI`` set), which installs Debian's ``chromium`` and must run them.

- ``browser``: one headless Chromium for the whole run.
- ``open_page(js=True, locale="fr", width=1280, height=800, bypass_csp=False)``: a page in
  a fresh context (own cookies) whose relative URLs go to the live server (``bypass_csp``
  only for tools injected into the page, such as axe-core; never for the XSS checks). Every page records the
  Content-Security-Policy violations and the scripts' errors it sees
  (:func:`csp_violations`, ``page.errors``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

CHROMIUM = os.environ.get("TIERSLIEU_CHROMIUM") or "/usr/bin/chromium"  # Debian's package
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

# The flags this machine's closed network needs (no background connections) and root needs.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Installed in every page before its own scripts: keeps the CSP violations it reports.
RECORD_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push({directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample});
});
"""

OpenPage = Callable[..., Awaitable[Page]]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = not Path(CHROMIUM).exists()
    if missing and os.environ.get("CI"):
        raise pytest.UsageError(f"CI runs the browser checks: no Chromium at {CHROMIUM}")
    skip = pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(skip)


def node_tool(relative: str, root: Path = ROOT) -> Path:
    """A file of the checks' npm tools (package.json), installed with ``npm ci`` when absent.

    Without npm (or when the install fails, say offline) the test skips; under CI it fails,
    since CI must run every check.
    """
    path = root / relative
    if not path.exists() and shutil.which("npm") is not None and (root / "package-lock.json").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
            cwd=root,
            capture_output=True,
            timeout=300,
            check=False,
        )
    if not path.exists():
        reason = f"needs {relative} (run `npm ci --ignore-scripts`)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's script, from node_modules (installed on first use)."""
    return node_tool("node_modules/axe-core/axe.min.js")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def open_page(browser: Browser, live_server: str) -> AsyncIterator[OpenPage]:
    contexts: list[BrowserContext] = []

    async def make(
        *, js: bool = True, locale: str = "fr", width: int = 1280, height: int = 800, bypass_csp: bool = False
    ) -> Page:
        context = await browser.new_context(
            bypass_csp=bypass_csp,
            base_url=live_server,
            java_script_enabled=js,
            locale={"fr": "fr-FR", "en": "en-GB"}.get(locale, locale),
            viewport={"width": width, "height": height},
            timezone_id="Europe/Paris",
        )
        context.set_default_timeout(15_000)
        await context.add_init_script(RECORD_CSP)
        contexts.append(context)
        page = await context.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
        return page

    yield make
    for context in contexts:
        await context.close()


async def csp_violations(page: Page) -> list[dict]:
    """The CSP violations the page has reported so far (always empty without JavaScript)."""
    return await page.evaluate("window.__csp || []")


async def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the login form (members: no second step)."""
    await page.goto("/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", password)
    async with page.expect_navigation():
        await page.click("form:has(input[name=password]) [type=submit]")
