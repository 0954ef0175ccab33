"""Markdown written by people, made safe: markdown-it-py, then nh3.

The "js-default" preset refuses raw HTML (the default preset passes it through);
nh3 then keeps an allow-list of tags and attributes and marks links as nofollow ugc.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

# linkify: a bare URL written in a post ("https://eduscol.education.fr/…") becomes a link.
_parser = MarkdownIt("js-default", {"linkify": True, "typographer": False}).enable(["table", "linkify"])

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}


def render(text: str) -> str:
    """Safe HTML for a Markdown text."""
    return nh3.clean(
        _parser.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    )
