"""Screenshots of the key pages, in French, on a phone and on a desktop, for the README.

Serves a fresh instance (``bench/harness.py``: a temporary directory and SQLite file, a
free port on 127.0.0.1), fills it with the demo content (``tierslieu demo`` on the same
data directory), then opens the pages in Debian's Chromium (``TIERSLIEU_CHROMIUM``, or
``chromium`` on the PATH) and writes ``docs/screenshots/<page>-<phone|desktop>.png``:
phone pages 360 px wide, full page up to 1600 px high; desktop pages 1280 px wide, up to
1000 px high. The PNGs are reduced to 256 colours to stay small. The booking form is
opened as the demo member.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image
from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from harness import Server, running_server, tierslieu_command  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

MEMBER = ("membre@demo.tierslieu.fr", "demo-tierslieu")
SIZES = {"phone": (360, 740, 1600), "desktop": (1280, 800, 1000)}  # width, viewport height, longest capture


def fill_demo(server: Server) -> None:
    """``tierslieu demo`` on the server's own database (SQLite in WAL mode takes a second writer)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TIERSLIEU_")}
    env |= {
        "TIERSLIEU_DATA_DIR": str(server.data_dir),
        "TIERSLIEU_ENV": "development",
        "TIERSLIEU_DATABASE_URL": server.database_url,
    }
    subprocess.run(  # noqa: S603 - our own console script
        [*tierslieu_command(), "demo"], cwd=server.data_dir, env=env, check=True, stdout=subprocess.DEVNULL
    )


async def first_link(page: Page, path: str, selector: str) -> str:
    await page.goto(path)
    href = await page.locator(selector).first.get_attribute("href")
    if not href:
        raise RuntimeError(f"no link {selector!r} on {path}: is the demo content there?")
    return href


async def sign_in(page: Page) -> None:
    await page.goto("/login")
    await page.fill("input[name=email]", MEMBER[0])
    await page.fill("input[name=password]", MEMBER[1])
    async with page.expect_navigation():
        await page.click("form:has(input[name=password]) [type=submit]")


async def capture(page: Page, path: str, target: Path, longest: int) -> None:
    response = await page.goto(path)
    if response is None or response.status != 200:
        raise RuntimeError(f"{path} answered {response and response.status}")
    width, height = await page.evaluate("[document.documentElement.clientWidth, document.documentElement.scrollHeight]")
    png = await page.screenshot(full_page=True, clip={"x": 0, "y": 0, "width": width, "height": min(height, longest)})
    save_small_png(png, target)


def save_small_png(png: bytes, target: Path) -> None:
    """256 colours, no dithering: text stays sharp and the file a few dozen KiB."""
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(256, dither=Image.Dither.NONE)
    image.save(target, optimize=True)
    print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: {target.stat().st_size // 1024} KiB")


async def shoot(browser: Browser, base_url: str, out: Path) -> None:
    for size, (width, height, longest) in SIZES.items():
        contexts = {}
        for who in ("anonymous", "member"):
            contexts[who] = await browser.new_context(
                base_url=base_url,
                locale="fr-FR",
                timezone_id="Europe/Paris",
                viewport={"width": width, "height": height},
            )
        anonymous = await contexts["anonymous"].new_page()
        member = await contexts["member"].new_page()
        await sign_in(member)
        topic = await first_link(anonymous, "/forum", ".topic-list .topic-title a")
        event = await first_link(anonymous, "/events", "main article h2 a, main h2 a")
        room = await first_link(anonymous, "/rooms", "main table th[scope=row] a")
        shots = [
            ("home", anonymous, "/"),
            ("forum", anonymous, "/forum"),
            ("forum-topic", anonymous, topic),
            ("events", anonymous, "/events"),
            ("event", anonymous, event),
            ("rooms", anonymous, "/rooms"),
            ("room-week", anonymous, room),
            ("room-book", member, room.rstrip("/") + "/book"),
        ]
        for name, page, path in shots:
            await capture(page, path, out / f"{name}-{size}.png", longest)
        for context in contexts.values():
            await context.close()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="where to write the PNGs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    async with running_server() as server:
        fill_demo(server)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                await shoot(browser, server.base_url, args.out.resolve())
            finally:
                await browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
