"""Markdown written by people, made safe: markdown-it-py, then nh3.

The "js-default" preset refuses raw HTML (the default preset passes it through);
nh3 then keeps an allow-list of tags and attributes and marks links as nofollow ugc.

``@handle`` written in prose (not in code, not inside a link, not escaped as ``\\@``) is a
mention: :class:`Document` lists them, and its :meth:`Document.html` makes each one a link
(``<a class="mention">``) when the caller knows where it leads, plain text otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

# "@SophieLaurent", "@Émilie.Côté": word characters, dots and hyphens, after neither a word
# character nor another "@" (an e-mail address is no mention). A trailing dot or hyphen
# ends the sentence, not the handle.
MENTION_RE = re.compile(r"(?<![\w@])@([\w.-]{2,80})")

MentionUrl = Callable[[str], str | None]


def _mentions_rule(state: StateCore) -> None:
    """Turn each mention in prose into a ``mention`` token (its handle in ``content``).

    Runs before ``text_join``, so that an escaped "\\@" (a token of its own) starts none; code
    spans are ``code_inline`` tokens and code blocks are no inline content, so neither is
    looked at; text between ``link_open`` and ``link_close`` already leads somewhere."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        depth = 0
        for token in block.children:
            if token.type == "link_open":
                depth += 1
            elif token.type == "link_close":
                depth -= 1
            if token.type == "text" and depth == 0 and "@" in token.content:
                children += _split(token)
            else:
                children.append(token)
        block.children = children


def _split(token: Token) -> list[Token]:
    parts: list[Token] = []
    text, start = token.content, 0
    for match in MENTION_RE.finditer(text):
        handle = match.group(1).rstrip(".-")
        if len(handle) < 2:
            continue
        if match.start() > start:
            parts.append(_text(text[start : match.start()], token))
        mention = Token("mention", "", 0, content=handle, level=token.level)
        parts.append(mention)
        start = match.start() + 1 + len(handle)
    if start < len(text):
        parts.append(_text(text[start:], token))
    return parts


def _text(content: str, like: Token) -> Token:
    return Token("text", "", 0, content=content, level=like.level)


def _render_mention(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    handle = tokens[idx].content
    url = env["mention_url"](handle) if env.get("mention_url") else None
    text = escapeHtml(f"@{handle}")
    return f'<a class="mention" href="{escapeHtml(url)}">{text}</a>' if url else text


# linkify: a bare URL written in a post ("https://eduscol.education.fr/…") becomes a link.
_parser = MarkdownIt("js-default", {"linkify": True, "typographer": False}).enable(["table", "linkify"])
_parser.core.ruler.before("text_join", "mentions", _mentions_rule)
_parser.add_render_rule("mention", _render_mention)

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
# attributes kept only with one of these values (the rest of the attribute is dropped)
ALLOWED_VALUES = {"a": {"class": {"mention"}}}


class Document:
    """A Markdown text parsed once: the handles it mentions, then its safe HTML."""

    def __init__(self, text: str) -> None:
        self.tokens = _parser.parse(text)
        mentions: list[str] = []
        for block in self.tokens:
            for token in block.children or ():
                if token.type == "mention" and token.content not in mentions:
                    mentions.append(token.content)
        self.mentions = mentions  # as written, in order, once each

    def html(self, mention_url: MentionUrl | None = None) -> str:
        """Safe HTML; a mention whose handle ``mention_url`` gives a path for becomes a link."""
        env = {"mention_url": mention_url}
        return nh3.clean(
            _parser.renderer.render(self.tokens, _parser.options, env),
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            tag_attribute_values=ALLOWED_VALUES,
            url_schemes={"http", "https", "mailto"},
            link_rel="nofollow ugc noopener",
        )


def render(text: str) -> str:
    """Safe HTML for a Markdown text (mentions stay text)."""
    return Document(text).html()
