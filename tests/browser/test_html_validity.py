"""Every key page, as the server sends it, is valid HTML for the Nu HTML Checker (vnu),
in French and in English, anonymous or signed in as the demo member.

The HTML is fetched through the browser context's request API (the context's cookies,
so signed-in pages are included), before any script runs. All documents go to one
``java -jar vnu.jar`` run: the JVM takes seconds to start.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.async_api import Page

from tests.browser.conftest import OpenPage, node_tool, sign_in
from tests.browser.pages import MEMBER, key_pages, sign_in_staff
from tierslieu.middleware import LOCALE_COOKIE

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")
LOCALES = ("fr", "en")
# A document with one known error, checked with the pages: proves the checker ran on the files.
CANARY = '<!doctype html><html lang="en"><head><title>canary</title></head><body><p><ul></ul></p></body></html>'


def _skip_reason() -> str | None:
    if JAVA is None:
        return "needs java (apt-get install openjdk-17-jre-headless) to run the Nu HTML Checker"
    node_tool(str(VNU_JAR.relative_to(ROOT)))  # installs it, or skips
    return None


async def _choose_locale(page: Page, live_server: str, locale: str) -> None:
    """The language cookie wins over the member's own language and Accept-Language."""
    await page.context.add_cookies([{"name": LOCALE_COOKIE, "value": locale, "url": live_server}])


def run_checker(files: list[Path]) -> list[dict]:
    """The checker's messages for all ``files``, in one JVM."""
    assert JAVA is not None
    result = subprocess.run(
        [JAVA, "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # vnu writes its JSON report on stderr (stdout only with --stdout).
    report = json.loads(result.stderr or result.stdout)
    return report["messages"]


def describe(message: dict) -> str:
    where = Path(message.get("url", "?").removeprefix("file:")).name
    line = message.get("lastLine", message.get("firstLine", "?"))
    extract = " ".join(message.get("extract", "").split())
    return f"{where}:{line}: {message.get('message', '')}" + (f"\n    {extract}" if extract else "")


async def test_key_pages_are_valid_html(open_page: OpenPage, live_server: str, tmp_path: Path) -> None:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    pages = await key_pages()
    anonymous, member, staff = await open_page(js=False), await open_page(js=False), await open_page(js=False)
    await sign_in(member, *MEMBER)
    await sign_in_staff(staff)
    files: list[Path] = []
    for locale in LOCALES:
        for page in (anonymous, member, staff):
            await _choose_locale(page, live_server, locale)
        for key in pages:
            page = staff if key.staff else member if key.signed_in else anonymous
            response = await page.context.request.get(key.path)
            assert response.status == 200, (key, locale, response.status)
            assert response.headers["content-type"].startswith("text/html"), key
            html = await response.text()
            assert f'<html lang="{locale}"' in html, (key, locale)
            path = tmp_path / f"{key.name}.{locale}.html"
            path.write_text(html, encoding="utf-8")
            files.append(path)

    canary = tmp_path / "canary.html"
    canary.write_text(CANARY, encoding="utf-8")
    messages = run_checker([canary, *files])
    errors = [message for message in messages if message.get("type") == "error"]
    assert any(describe(error).startswith("canary.html:") for error in errors), "the checker did not run"
    errors = [error for error in errors if not describe(error).startswith("canary.html:")]
    if errors:
        pytest.fail(f"{len(errors)} HTML errors in {len(files)} documents:\n" + "\n".join(map(describe, errors)), False)
