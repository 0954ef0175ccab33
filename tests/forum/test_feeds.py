"""The Atom feeds stay well-formed whatever people type (tests/browser/test_xss.py reads them too)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from forum.feeds import build_feed
from tests.forum.factories import make_category, make_topic
from tests.helpers import make_user

ATOM = "{http://www.w3.org/2005/Atom}"


async def test_control_characters_typed_by_people_do_not_break_the_feed() -> None:
    author = await make_user(display_name="Zoé\x08 Martin")
    category = await make_category("Aide\x0b")
    await make_topic(author, category=category, title="<svg\x0conload=x> un titre\x01", body="Un texte\x1f ici\x07.")

    body = await build_feed("http://testserver", "Forum\x02", "/forum/feed.atom", "/forum", category)

    feed = ET.fromstring(body)  # noqa: S314 - our own feed
    entry = feed.find(f"{ATOM}entry")
    assert entry is not None
    assert entry.findtext(f"{ATOM}title") == "<svg" + "onload=x> un titre"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Zoé Martin"
    assert entry.findtext(f"{ATOM}content") == "<p>Un texte ici.</p>\n"
    assert feed.findtext(f"{ATOM}title") == "Forum"
