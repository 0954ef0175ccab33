"""The forum part of the JSON API (/api/v1/forum), as written in API.md."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from forum import permissions, reading, search, services
from forum.forms import CategoryIn, PostEdit, PostIn, TopicIn, VoteIn
from forum.queries import PostView, TopicView
from notifications import services as notifications
from tierslieu.guards import current_user, optional_user, page_number, text_param
from tierslieu.openapi import api
from tierslieu.responses import JSONResponse, parse, read_json
from tierslieu.urls import path_for
from tierslieu.validation import Id, QueryText


class TopicQuery(BaseModel):
    category_id: Id | None = None
    tag: QueryText(30) | None = None
    status: Literal["unanswered", "solved", "unsolved"] | None = None
    limit: int = Field(default=30, ge=1, le=100)
    cursor: QueryText(200) | None = None


class CategoryOut(BaseModel):
    id: int
    slug: str
    name: str
    parent_id: int | None


class CategoriesOut(BaseModel):
    items: list[CategoryOut]


class CategoryCreated(BaseModel):
    id: int
    slug: str
    name: str


class AuthorOut(BaseModel):
    id: int
    display_name: str


class PostOut(BaseModel):
    id: int
    number: int
    author: AuthorOut
    body_html: str
    score: int
    accepted: bool
    hidden: bool
    created_at: datetime
    edited_at: datetime | None
    url: str


class TopicOut(BaseModel):
    id: int
    url: str
    title: str
    kind: Literal["question", "discussion"]
    category_id: int
    tags: list[str]
    solved_post_id: int | None
    locked: bool
    post_count: int
    page: int
    pages: int
    posts: list[PostOut]


class TopicSummary(BaseModel):
    id: int
    url: str
    title: str
    kind: Literal["question", "discussion"]
    category_id: int
    tags: list[str]
    solved_post_id: int | None
    post_count: int
    created_at: datetime
    last_post_at: datetime


class TopicsOut(BaseModel):
    items: list[TopicSummary]
    next_cursor: str | None


class PostCreated(BaseModel):
    id: int
    number: int
    url: str
    body_html: str


class ScoreOut(BaseModel):
    score: int


class AcceptOut(BaseModel):
    topic_id: int
    solved_post_id: int


class SearchHit(BaseModel):
    topic_id: int
    post_id: int
    title: str
    snippet: str
    url: str


class SearchOut(BaseModel):
    items: list[SearchHit]


class SimilarItem(BaseModel):
    id: int
    title: str
    solved: bool
    url: str


class SimilarOut(BaseModel):
    items: list[SimilarItem]


def _topic_url(request: Request, topic_id: int) -> str:
    return request.app.state.settings.base_url.rstrip("/") + path_for("forum:topic", topic_id=topic_id)


def _post_url(request: Request, post_id: int) -> str:
    return request.app.state.settings.base_url.rstrip("/") + path_for("forum:permalink", post_id=post_id)


def _post_out(request: Request, post: PostView, topic: TopicView, viewer) -> dict:
    visible = permissions.can_see_post_body(viewer, post)
    return PostOut(
        id=post.id,
        number=post.number,
        author=AuthorOut(id=post.author.id, display_name=post.author.display_name),
        body_html=post.body_html if visible else "",
        score=post.score,
        accepted=post.id == topic.solved_post_id,
        hidden=post.hidden_at is not None,
        created_at=post.created_at,
        edited_at=post.edited_at,
        url=_post_url(request, post.id),
    ).model_dump(mode="json")


@api("/forum/categories", "GET", summary="List forum categories", responses={200: CategoriesOut})
async def list_categories(request: Request) -> Response:
    items = [
        CategoryOut(id=c.id, slug=c.slug, name=c.name, parent_id=c.parent_id).model_dump()  # type: ignore[attr-defined]
        for c in await services.list_categories()
    ]
    return JSONResponse({"items": items})


@api(
    "/forum/categories",
    "POST",
    summary="Create a forum category",
    access="moderator",
    body=CategoryIn,
    responses={201: CategoryCreated},
)
async def create_category(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, CategoryIn)
    category = await services.create_category(user, data)
    return JSONResponse(CategoryCreated(id=category.id, slug=category.slug, name=category.name).model_dump(), 201)


@api(
    "/forum/topics",
    "POST",
    summary="Open a topic (question or discussion)",
    access="member",
    body=TopicIn,
    responses={201: TopicOut},
    errors=(429,),
)
async def create_topic(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, TopicIn)
    topic = await services.create_topic(user, data, limiter=request.app.state.limiter)
    return JSONResponse(await _topic_out(request, topic.id, 1, user), status_code=201)


async def _topic_out(request: Request, topic_id: int, page: int, viewer) -> dict:
    result = await services.topic_page(topic_id, page, viewer)
    topic = result.topic
    return TopicOut(
        id=topic.id,
        url=_topic_url(request, topic.id),
        title=topic.title,
        kind=topic.kind.value,
        category_id=topic.category_id,
        tags=sorted(topic.tags),
        solved_post_id=topic.solved_post_id,
        locked=topic.locked_at is not None,
        post_count=topic.post_count,
        page=result.page,
        pages=result.pages,
        posts=[],
    ).model_dump(mode="json") | {"posts": [_post_out(request, p, topic, viewer) for p in result.posts]}


@api(
    "/forum/topics",
    "GET",
    summary="Topics, latest activity first (paginated)",
    responses={200: TopicsOut},
    query={
        "category_id": "a category (its subcategories included)",
        "tag": "a tag",
        "status": "unanswered, solved or unsolved",
        "limit": "1 to 100 (default 30)",
        "cursor": "next_cursor of the previous page",
    },
)
async def list_topics(request: Request) -> Response:
    params = parse(TopicQuery, dict(request.query_params))
    topics, next_cursor = await reading.topics_after(
        optional_user(request),
        category_id=params.category_id,
        tag=params.tag,
        status=params.status,
        limit=params.limit,
        cursor=params.cursor,
    )
    items = [
        TopicSummary(
            id=t.id,
            url=_topic_url(request, t.id),
            title=t.title,
            kind=t.kind.value,
            category_id=t.category_id,  # type: ignore[attr-defined]
            tags=sorted(tag.name for tag in t.tags),
            solved_post_id=t.solved_post_id,
            post_count=t.post_count,
            created_at=t.created_at,
            last_post_at=t.last_post_at,
        ).model_dump(mode="json")
        for t in topics
    ]
    return JSONResponse({"items": items, "next_cursor": next_cursor})


@api(
    "/forum/topics/{topic_id:int}",
    "GET",
    summary="A topic with one page of 20 posts (the opening post first, then the accepted answer)",
    responses={200: TopicOut},
    errors=(404,),
    query={"page": "page number, from 1"},
)
async def get_topic(request: Request) -> Response:
    viewer = optional_user(request)
    return JSONResponse(await _topic_out(request, request.path_params["topic_id"], page_number(request), viewer))


@api(
    "/forum/topics/{topic_id:int}/posts",
    "POST",
    summary="Reply in a topic",
    access="member",
    body=PostIn,
    responses={201: PostCreated},
    errors=(404, 409, 429),
)
async def create_post(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, PostIn)
    post, _topic = await services.reply(
        user, request.path_params["topic_id"], data.body, limiter=request.app.state.limiter
    )
    out = PostCreated(id=post.id, number=post.number, url=_post_url(request, post.id), body_html=post.body_html)
    return JSONResponse(out.model_dump(), status_code=201)


@api(
    "/forum/posts/{post_id:int}",
    "PATCH",
    summary="Edit a post (its author or a moderator); the previous text is kept as a revision",
    access="member",
    body=PostEdit,
    responses={200: PostCreated},
    errors=(404, 409),
)
async def edit_post(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, PostEdit)
    post = await services.edit_post(user, request.path_params["post_id"], data)
    out = PostCreated(id=post.id, number=post.number, url=_post_url(request, post.id), body_html=post.body_html)
    return JSONResponse(out.model_dump())


@api(
    "/forum/posts/{post_id:int}/votes",
    "POST",
    summary="Vote on an answer: 1, -1, or 0 to remove one's vote",
    access="member, not the author",
    body=VoteIn,
    responses={200: ScoreOut},
    errors=(404, 409),
)
async def vote(request: Request) -> Response:
    user = current_user(request)
    data = await read_json(request, VoteIn)
    post = await services.vote(user, request.path_params["post_id"], data.value)
    return JSONResponse({"score": post.score})


@api(
    "/forum/posts/{post_id:int}/accept",
    "POST",
    summary="Accept an answer",
    access="the asker or a moderator",
    responses={200: AcceptOut},
    errors=(404, 409),
)
async def accept(request: Request) -> Response:
    user = current_user(request)
    topic = await services.accept_answer(user, request.path_params["post_id"])
    return JSONResponse({"topic_id": topic.id, "solved_post_id": topic.solved_post_id})


@api(
    "/forum/search",
    "GET",
    summary="Search titles and posts (French and English; accents folded, prefixes match)",
    responses={200: SearchOut},
    query={"q": "the words to find"},
)
async def search_posts(request: Request) -> Response:
    query = text_param(request, "q", max_length=200)
    hits = await search.search(query, limit=20)
    items = [
        SearchHit(
            topic_id=h.topic_id,
            post_id=h.post_id,
            title=h.title,
            snippet=str(h.snippet),
            url=_post_url(request, h.post_id),
        ).model_dump()
        for h in hits
    ]
    return JSONResponse({"items": items})


@api(
    "/forum/similar",
    "GET",
    summary="Existing topics whose title resembles a title being typed",
    responses={200: SimilarOut},
    query={"title": "the title being typed"},
)
async def similar(request: Request) -> Response:
    title = text_param(request, "title", max_length=200)
    items = [
        SimilarItem(id=t["id"], title=t["title"], solved=t["solved"], url=_topic_url(request, t["id"])).model_dump()
        for t in await search.similar_topics(title)
    ]
    return JSONResponse({"items": items})


class CountOut(BaseModel):
    unread: int


@api(
    "/forum/notifications/unread",
    "GET",
    summary="How many forum notifications I have not read",
    access="signed in",
    responses={200: CountOut},
)
async def unread(request: Request) -> Response:
    user = current_user(request)
    return JSONResponse({"unread": await notifications.unread_count(user, part="forum")})


routes = [
    list_categories,
    create_category,
    create_topic,
    list_topics,
    get_topic,
    create_post,
    edit_post,
    vote,
    accept,
    search_posts,
    similar,
    unread,
]
