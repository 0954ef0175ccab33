"""Full-text search: FTS5 on SQLite, the ``forum_french`` configuration (french + unaccent) on PostgreSQL.

Queries are built from word characters only and always passed as bound parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from tortoise import connections

from forum.models import Post, SearchEntry, Topic
from tierslieu.db import dialect
from tierslieu.markdown import render as render_markdown

WORD_RE = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8
START, STOP = "\x01", "\x02"
CANDIDATES = 300  # PostgreSQL: matches ranked per query, the most recent first


@dataclass
class Hit:
    topic_id: int
    post_id: int
    title: str
    snippet: Markup
    matches: int = 1  # the topic's posts that match (search_topics)


def plain_text(markdown_text: str) -> str:
    html = render_markdown(markdown_text)
    return (
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&#39;", "'")
        .strip()
    )


def words(query: str) -> list[str]:
    return [w.lower() for w in WORD_RE.findall(query)][:MAX_WORDS]


async def index_post(post: Post, topic: Topic) -> None:
    """Index a post's text, or update its entry; the opening post carries the topic's title."""
    title = topic.title if post.number == 1 else ""
    body = plain_text(post.body_markdown)
    entry = await SearchEntry.get_or_none(post_id=post.id)
    if entry is None:
        await SearchEntry.create(post_id=post.id, topic_id=topic.id, title=title, body=body)
    else:
        entry.title, entry.body = title, body
        await entry.save(update_fields=["title", "body"])


async def remove_post(post_id: int) -> None:
    await SearchEntry.filter(post_id=post_id).delete()


def highlight(text: str) -> Markup:
    """Escape the text, then turn the match markers into <mark>."""
    escaped = str(escape(text))
    return Markup(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S704 - escaped above


def _fts_query(terms: list[str], joiner: str, column: str | None = None) -> str:
    expression = joiner.join(f'"{t}"*' for t in terms)
    return f"{column} : ({expression})" if column else expression


def _ts_query(terms: list[str], joiner: str) -> str:
    return joiner.join(f"{t}:*" for t in terms)


VISIBLE = "p.hidden_at IS NULL AND t.hidden_at IS NULL"
SINGLE_WORD = "SELECT id FROM forum_search_entry WHERE document @@ to_tsquery('forum_french', $1)"
SEVERAL_WORDS = SINGLE_WORD + " OFFSET 0"


async def search(query: str, *, limit: int = 20, offset: int = 0) -> list[Hit]:
    """The matching posts, best first, each with its snippet."""
    terms = words(query)
    if not terms:
        return []
    hits = await _ranked(terms, limit, offset)
    return await _with_snippets(terms, hits)


async def _ranked(terms: list[str], limit: int, offset: int) -> list[Hit]:
    """Matching visible posts, best first, without snippets (made for the hits shown only)."""
    connection = connections.get("default")
    if dialect() == "sqlite":
        sql = f"""
            SELECT e.topic_id, e.post_id, t.title
            FROM forum_search s
            JOIN forum_search_entry e ON e.id = s.rowid
            JOIN forum_post p ON p.id = e.post_id
            JOIN forum_topic t ON t.id = e.topic_id
            WHERE forum_search MATCH ? AND {VISIBLE}
            ORDER BY bm25(forum_search, 4.0, 1.0)
            LIMIT ? OFFSET ?
        """  # noqa: S608 - constant fragments only
        rows = await connection.execute_query_dict(sql, [_fts_query(terms, " AND "), limit, offset])
    else:
        # One word: the query stays visible to the planner, which walks the newest posts for a
        # common word and uses the GIN index for a rare one. Several words: their conjunction
        # is rarer than the planner guesses, so the GIN index is used (OFFSET 0 keeps it).
        matches = SINGLE_WORD if len(terms) == 1 else SEVERAL_WORDS
        # Rank the most recent matches only: a common word matches thousands of posts, and
        # ranking reads every one of their vectors.
        sql = f"""
            WITH q AS (SELECT to_tsquery('forum_french', $1) AS q),
            candidates AS (
                SELECT e.post_id, e.topic_id, e.document
                FROM forum_search_entry e
                WHERE e.id IN (
                    SELECT m.id FROM ({matches}) m ORDER BY m.id DESC LIMIT {CANDIDATES}
                )
            )
            SELECT c.topic_id, c.post_id, t.title
            FROM candidates c
            JOIN forum_post p ON p.id = c.post_id
            JOIN forum_topic t ON t.id = c.topic_id, q
            WHERE {VISIBLE}
            ORDER BY ts_rank(c.document, q.q) DESC, c.post_id DESC
            LIMIT $2 OFFSET $3
        """  # noqa: S608 - constant fragments only
        rows = await connection.execute_query_dict(sql, [_ts_query(terms, " & "), limit, offset])
    return [Hit(r["topic_id"], r["post_id"], r["title"], Markup("")) for r in rows]


async def _with_snippets(terms: list[str], hits: list[Hit]) -> list[Hit]:
    """Each hit's snippet, the matched words marked: one query for the hits shown (making a
    snippet reads and parses the post's whole text again, the costliest part of a search)."""
    if not hits:
        return hits
    connection = connections.get("default")
    ids = [hit.post_id for hit in hits]
    marks = ", ".join("?" if dialect() == "sqlite" else f"${n}" for n in range(2, len(ids) + 2))
    if dialect() == "sqlite":
        sql = f"""
            SELECT e.post_id, snippet(forum_search, 1, char(1), char(2), '…', 16) AS snippet
            FROM forum_search s JOIN forum_search_entry e ON e.id = s.rowid
            WHERE forum_search MATCH ? AND e.post_id IN ({marks})
        """  # noqa: S608 - placeholders only
        query = _fts_query(terms, " AND ")
    else:
        sql = f"""
            SELECT e.post_id,
                   ts_headline('forum_french', e.body, to_tsquery('forum_french', $1),
                               'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=30, MinWords=12')
                       AS snippet
            FROM forum_search_entry e WHERE e.post_id IN ({marks})
        """  # noqa: S608 - placeholders only
        query = _ts_query(terms, " & ")
    rows = await connection.execute_query_dict(sql, [query, *ids])
    snippets = {row["post_id"]: row["snippet"] or "" for row in rows}
    for hit in hits:
        hit.snippet = highlight(snippets.get(hit.post_id, ""))
    return hits


# Words every question has: matching on them finds nothing similar ("sans", "comment").
STOP_WORDS = frozenset(
    """
    alors après aussi autre autres avant avec avoir beaucoup bien cela celle celles celui ceux
    cette chaque chez comme comment contre dans depuis donc dont elle elles encore entre être
    faire fait faut leur leurs mais même mêmes moins notre nous peut peuvent plus pour pourquoi
    quand quel quelle quelles quels quoi sans selon sont sous tous tout toute toutes très trop
    vers votre vous quelqu quelque quelques avez avons était étaient cest estce

    about after also because could from have how into more should that their there these this
    what when where which while with without would your
    """.split()
)


def meaningful(terms: list[str]) -> list[str]:
    return [term for term in terms if len(term) > 3 and term not in STOP_WORDS]


SCAN_LIMIT = 400  # posts read to group a page of topics


async def search_topics(query: str, *, limit: int = 20, offset: int = 0) -> list[Hit]:
    """One hit a topic (its best post, with how many of its posts match), best first."""
    terms = words(query)
    if not terms:
        return []
    topics: dict[int, Hit] = {}
    for hit in await _ranked(terms, min(SCAN_LIMIT, (offset + limit) * 4), 0):
        if hit.topic_id in topics:
            topics[hit.topic_id].matches += 1
        else:
            topics[hit.topic_id] = hit
    return await _with_snippets(terms, list(topics.values())[offset : offset + limit])


async def similar_topics(title: str, *, limit: int = 5, exclude: int | None = None) -> list[dict]:
    """Topics whose title shares meaningful words with ``title`` (any of them), best first."""
    terms = meaningful(words(title))
    if not terms:
        return []
    connection = connections.get("default")
    if dialect() == "sqlite":
        sql = f"""
            SELECT t.id, t.title, t.solved_post_id
            FROM forum_search s
            JOIN forum_search_entry e ON e.id = s.rowid
            JOIN forum_post p ON p.id = e.post_id
            JOIN forum_topic t ON t.id = e.topic_id
            WHERE forum_search MATCH ? AND p.number = 1 AND {VISIBLE} AND t.id != ?
            ORDER BY bm25(forum_search, 4.0, 1.0)
            LIMIT ?
        """  # noqa: S608 - constant fragments only
        rows = await connection.execute_query_dict(sql, [_fts_query(terms, " OR ", "title"), exclude or 0, limit])
    else:
        sql = f"""
            SELECT t.id, t.title, t.solved_post_id
            FROM forum_search_entry e
            JOIN forum_post p ON p.id = e.post_id
            JOIN forum_topic t ON t.id = e.topic_id,
            to_tsquery('forum_french', $1) q
            WHERE e.title <> '' AND to_tsvector('forum_french', e.title) @@ q
              AND p.number = 1 AND {VISIBLE} AND t.id <> $2
            ORDER BY ts_rank(to_tsvector('forum_french', e.title), q) DESC
            LIMIT $3
        """  # noqa: S608 - constant fragments only
        rows = await connection.execute_query_dict(sql, [_ts_query(terms, " | "), exclude or 0, limit])
    return [{"id": r["id"], "title": r["title"], "solved": r["solved_post_id"] is not None} for r in rows]
