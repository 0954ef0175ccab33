"""Atom feeds of the latest topics, for the whole forum and per category."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum import services
from forum.models import Category, Post, Topic
from tierslieu import i18n
from tierslieu.errors import N_
from tierslieu.guards import path_text
from tierslieu.responses import rfc3339
from tierslieu.urls import path_for

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 30
# Characters XML 1.0 forbids (C0 controls but tab and newlines, lone surrogates, U+FFFE/F):
# people can type them into a title or a post, and ElementTree writes them as they are,
# which makes the whole feed unreadable for every subscriber.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return NOT_XML.sub("", value)


async def build_feed(base: str, title: str, self_path: str, html_path: str, category: Category | None) -> bytes:
    query = Topic.filter(hidden_at=None)
    if category is not None:
        ids = [category.id] + [c.id for c in await Category.filter(parent_id=category.id)]
        query = query.filter(category_id__in=ids)
    topics = await query.order_by("-created_at", "-id").limit(FEED_SIZE).prefetch_related("author")
    openings = {
        p.topic_id: p  # type: ignore[attr-defined]
        for p in await Post.filter(topic_id__in=[t.id for t in topics], number=1)
    }
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = base + self_path
    ET.SubElement(feed, f"{{{ATOM}}}title").text = _xml_text(title)
    updated = topics[0].created_at if topics else datetime(2026, 1, 1, tzinfo=UTC)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = rfc3339(updated)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=base + self_path)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=base + html_path)
    for topic in topics:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        url = base + path_for("forum:topic", topic_id=topic.id)
        ET.SubElement(entry, f"{{{ATOM}}}id").text = url
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _xml_text(topic.title)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = rfc3339(topic.created_at)
        ET.SubElement(entry, f"{{{ATOM}}}published").text = rfc3339(topic.created_at)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=url)
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = _xml_text(topic.author.display_name)
        opening = openings.get(topic.id)
        if opening is not None and opening.hidden_at is None:
            ET.SubElement(entry, f"{{{ATOM}}}content", type="html").text = _xml_text(opening.body_html)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _response(body: bytes) -> Response:
    return Response(body, media_type="application/atom+xml; charset=utf-8", headers={"Cache-Control": "max-age=300"})


async def forum_feed(request: Request) -> Response:
    base = request.app.state.settings.base_url.rstrip("/")
    title = i18n.gettext(request.state.locale, N_("Forum: latest topics"))
    return _response(await build_feed(base, title, path_for("forum:feed"), path_for("forum:index"), None))


async def category_feed(request: Request) -> Response:
    category = await services.category_by_slug(path_text(request, "slug", max_length=80))
    base = request.app.state.settings.base_url.rstrip("/")
    title = i18n.gettext(request.state.locale, N_("Forum: latest topics in %(name)s"), name=category.name)
    feed_path = path_for("forum:category_feed", slug=category.slug)
    return _response(await build_feed(base, title, feed_path, path_for("forum:category", slug=category.slug), category))


routes = [
    Route("/forum/feed.atom", forum_feed, name="forum:feed"),
    Route("/forum/c/{slug}/feed.atom", category_feed, name="forum:category_feed"),
]
