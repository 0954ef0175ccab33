"""Forum pages: categories, topic lists, topics, posting, votes, search.

Every page works without JavaScript; ``static/forum.js`` only adds live updates and
suggestions while typing. Moderation pages are in ``forum.moderation_routes``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum import (
    api,
    feeds,
    mentions,
    moderation,
    moderation_routes,
    notify,
    people_routes,
    permissions,
    reading,
    search,
    services,
)
from forum.forms import FlagIn, PostEdit, PostIn, TopicIn
from forum.models import Post, Topic
from forum.pages import page
from forum.queries import TopicView
from tierslieu import pagecache
from tierslieu.errors import N_, DomainError, Invalid
from tierslieu.guards import current_user, id_param, int_param, optional_user, page_number, path_text, text_param
from tierslieu.pages import form_error, see_other
from tierslieu.responses import parse, read_form
from tierslieu.templating import render
from tierslieu.urls import path_for
from tierslieu.validation import MAX_ID

STATUSES = ("unanswered", "solved", "unsolved")


# --- lists -------------------------------------------------------------------------------------


def _filters(request: Request) -> tuple[str | None, str | None]:
    status = request.query_params.get("status")
    tag = text_param(request, "tag", max_length=30).strip().lower() or None
    return (status if status in STATUSES else None), tag


async def index(request: Request) -> Response:
    viewer = optional_user(request)
    status, tag = _filters(request)
    topics = await reading.list_topics(viewer, tag=tag, status=status, page=page_number(request))
    return await page(
        request,
        "forum/index.html",
        {
            "tree": services.category_tree(await services.list_categories()),
            "listing": topics,
            "category": None,
            "status": status,
            "tag": tag,
            "statuses": STATUSES,
            "watching": False,
        },
    )


async def category_page(request: Request) -> Response:
    viewer = optional_user(request)
    category = await services.category_by_slug(path_text(request, "slug", max_length=80))
    status, tag = _filters(request)
    categories = await services.list_categories()
    children = [c for c in categories if c.parent_id == category.id]  # type: ignore[attr-defined]
    topics = await reading.list_topics(
        viewer, category_ids=[category.id, *(c.id for c in children)], tag=tag, status=status, page=page_number(request)
    )
    return await page(
        request,
        "forum/category.html",
        {
            "category": category,
            "parent": next((c for c in categories if c.id == category.parent_id), None),  # type: ignore[attr-defined]
            "children": children,
            "listing": topics,
            "status": status,
            "tag": tag,
            "statuses": STATUSES,
            "watching": await notify.is_watching(viewer, category=category),
        },
    )


async def watch_category(request: Request) -> Response:
    user = current_user(request)
    category = await services.category_by_slug(path_text(request, "slug", max_length=80))
    values = await read_form(request)
    if values.get("action") == "unwatch":
        await notify.unwatch_category(user, category)
    else:
        await notify.watch_category(user, category)
    return see_other(path_for("forum:category", slug=category.slug))


# --- a new topic -------------------------------------------------------------------------------


async def new_topic(request: Request) -> Response:
    user = current_user(request)
    categories = await services.list_categories()
    context: dict[str, Any] = {"categories": categories, "preview": None, "similar": []}
    if request.method == "GET":
        category_id = request.query_params.get("category", "")
        return await page(request, "forum/new_topic.html", {**context, "values": {"category_id": category_id}})
    values = await read_form(request)
    values = {key: value for key, value in values.items() if isinstance(value, str)}
    try:
        data = parse(TopicIn, values)
        if values.get("step") == "preview":
            context["preview"] = (await mentions.render(data.body)).html
            context["similar"] = await search.similar_topics(data.title)
            return await page(request, "forum/new_topic.html", {**context, "values": values})
        topic = await services.create_topic(user, data, limiter=request.app.state.limiter)
    except DomainError as error:
        return await page(
            request, "forum/new_topic.html", {**context, "values": values, **form_error(request, error)}, error.status
        )
    return see_other(path_for("forum:topic", topic_id=topic.id))


# --- a topic -----------------------------------------------------------------------------------


async def topic_page(request: Request) -> Response:
    topic_id = request.path_params["topic_id"]
    return await pagecache.cached(request, services.topic_versions(topic_id), lambda: _topic_page(request))


async def _topic_page(request: Request) -> Response:
    viewer = optional_user(request)
    result = await services.topic_page(request.path_params["topic_id"], page_number(request), viewer)
    topic = result.topic
    await reading.mark_read(viewer, topic, [p.number for p in result.posts], topic.last_read)
    quote = ""
    quote_id = id_param(request, "quote")
    if viewer is not None and quote_id is not None:
        quoted = await Post.get_or_none(id=quote_id, topic_id=topic.id, hidden_at=None).prefetch_related("author")
        if quoted is not None:
            quote = _quote(quoted)
    categories = await services.list_categories() if permissions.can_moderate(viewer) else []
    done = DONE.get(request.query_params.get("done", "")) if permissions.can_moderate(viewer) else None
    return await _topic(request, topic, result, topic.last_read, {"body": quote}, categories=categories, done=done)


async def _topic(
    request: Request,
    topic: TopicView,
    result: services.TopicPage,
    last_read: int,
    values: dict[str, Any],
    status_code: int = 200,
    **context: Any,
) -> Response:
    """A page of a topic, its reply form filled with ``values``."""
    return await page(
        request,
        "forum/topic.html",
        {
            "topic": topic,
            "result": result,
            "last_read": last_read,
            "values": values,
            "categories": [],
            "done": None,
            **context,
        },
        status_code,
    )


def _quote(post: Post) -> str:
    lines = "\n".join(f"> {line}" for line in post.body_markdown.strip().splitlines())
    return f"{lines}\n> — @{mentions.mention_handle(post.author)}\n\n"


async def reply(request: Request) -> Response:
    user = current_user(request)
    topic_id = request.path_params["topic_id"]
    values = await read_form(request)
    values = {key: value for key, value in values.items() if isinstance(value, str)}
    try:
        data = parse(PostIn, values)
        if values.get("step") == "preview":
            result = await services.topic_page(topic_id, 10**6, user)
            last = result.topic.post_count
            preview = (await mentions.render(data.body)).html
            return await _topic(request, result.topic, result, last, values, preview=preview)
        post, topic = await services.reply(user, topic_id, data.body, limiter=request.app.state.limiter)
    except DomainError as error:
        return await _topic_with_error(request, topic_id, values, error)
    return see_other(await _permalink(request, post, topic))


async def _topic_with_error(request: Request, topic_id: int, values: dict, error: DomainError) -> Response:
    viewer = optional_user(request)
    result = await services.topic_page(topic_id, 10**6, viewer)
    topic = result.topic
    return await _topic(request, topic, result, topic.post_count, values, error.status, **form_error(request, error))


# What a moderator just did, confirmed at the top of the topic page (``?done=…``).
DONE = {
    "post-hidden": N_("The post is hidden: only moderators see it now."),
    "post-restored": N_("The post is visible to everyone again."),
    "lock": N_("The topic is locked: it no longer accepts replies."),
    "unlock": N_("The topic accepts replies again."),
    "pin": N_("The topic is pinned at the top of its category."),
    "unpin": N_("The topic is no longer pinned."),
    "hide": N_("The topic is hidden: only moderators see it now."),
    "restore": N_("The topic is visible to everyone again."),
    "moved": N_("The topic was moved."),
}


async def _permalink(request: Request, post: Post, topic: Topic) -> str:
    number = await services.permalink_page(post, topic)
    url = path_for("forum:topic", topic_id=topic.id)
    query = [f"page={number}"] if number > 1 else []
    if request.query_params.get("done") in DONE:
        query.append(f"done={request.query_params['done']}")
    return f"{url}{'?' + '&'.join(query) if query else ''}#p{post.id}"


async def permalink(request: Request) -> Response:
    post, topic = await services.get_post(request.path_params["post_id"], optional_user(request))
    return RedirectResponse(await _permalink(request, post, topic), status_code=302)


async def first_unread(request: Request) -> Response:
    viewer = optional_user(request)
    topic = await services.get_topic(request.path_params["topic_id"], viewer)
    post = await reading.first_unread_post(viewer, topic)
    return RedirectResponse(await _permalink(request, post, topic), status_code=302)


async def posts_after(request: Request) -> Response:
    """New posts as HTML, for the "new replies" button of forum.js."""
    viewer = optional_user(request)
    topic = await services.topic_view(request.path_params["topic_id"], viewer)
    after = int_param(request, "after", 0, low=0, high=MAX_ID)
    posts = await services.posts_after(topic, after, viewer)
    await reading.mark_read(viewer, topic, [p.number for p in posts], topic.last_read)
    return render(
        request,
        "forum/_posts.html",
        {
            "topic": topic,
            "posts": posts,
            "can": permissions,
            "last_read": after,
            "handle": mentions.mention_handle,
        },
    )


async def watch_topic(request: Request) -> Response:
    user = current_user(request)
    topic = await services.get_topic(request.path_params["topic_id"], user)
    values = await read_form(request)
    if values.get("action") == "unwatch":
        await notify.unwatch_topic(user, topic)
    else:
        await notify.watch_topic(user, topic)
    return see_other(path_for("forum:topic", topic_id=topic.id))


# --- a post ------------------------------------------------------------------------------------


async def vote(request: Request) -> Response:
    user = current_user(request)
    values = await read_form(request)
    raw = str(values.get("value", ""))
    if raw not in ("1", "-1", "0"):
        raise Invalid("invalid", N_("Choose one of the proposed values."))
    post = await services.vote(user, request.path_params["post_id"], int(raw))
    topic = await services.get_topic(post.topic_id, user)  # type: ignore[attr-defined]
    return see_other(await _permalink(request, post, topic))


async def accept(request: Request) -> Response:
    user = current_user(request)
    topic = await services.accept_answer(user, request.path_params["post_id"])
    return see_other(path_for("forum:topic", topic_id=topic.id))


async def unaccept(request: Request) -> Response:
    user = current_user(request)
    topic = await services.unaccept_answer(user, request.path_params["topic_id"])
    return see_other(path_for("forum:topic", topic_id=topic.id))


async def edit_post(request: Request) -> Response:
    user = current_user(request)
    post, topic = await services.get_post(request.path_params["post_id"], user)
    if not permissions.can_edit_post(user, post, topic):
        raise DomainError("forbidden", N_("Only the author or a moderator may edit this post."), status=403)
    context = {"post": post, "topic": topic}
    if request.method == "GET":
        return await page(
            request, "forum/edit.html", {**context, "values": {"body": post.body_markdown, "title": topic.title}}
        )
    values = {k: v for k, v in (await read_form(request)).items() if isinstance(v, str)}
    try:
        data = parse(PostEdit, {**values, "title": values.get("title") or None})
        if values.get("step") == "preview":
            preview = (await mentions.render(data.body)).html
            return await page(request, "forum/edit.html", {**context, "values": values, "preview": preview})
        post = await services.edit_post(user, post.id, data)
    except DomainError as error:
        return await page(
            request, "forum/edit.html", {**context, "values": values, **form_error(request, error)}, error.status
        )
    return see_other(await _permalink(request, post, topic))


async def history(request: Request) -> Response:
    viewer = optional_user(request)
    post, topic = await services.get_post(request.path_params["post_id"], viewer)
    if not permissions.can_see_post_body(viewer, post):
        raise DomainError("not_found", N_("This page does not exist or is not visible to you."), status=404)
    return await page(
        request, "forum/history.html", {"post": post, "topic": topic, "revisions": await services.revisions(post)}
    )


async def flag(request: Request) -> Response:
    user = current_user(request)
    post, topic = await services.get_post(request.path_params["post_id"], user)
    context = {"post": post, "topic": topic, "done": False}
    if request.method == "GET":
        return await page(request, "forum/flag.html", context)
    values = {k: v for k, v in (await read_form(request)).items() if isinstance(v, str)}
    try:
        data = parse(FlagIn, values)
        await moderation.flag_post(user, post.id, data.reason)
    except DomainError as error:
        return await page(
            request, "forum/flag.html", {**context, "values": values, **form_error(request, error)}, error.status
        )
    return await page(request, "forum/flag.html", {**context, "done": True})


# --- search, and the notification pages' former addresses ---------------------------------------


async def moved_notifications(request: Request) -> Response:
    """Notifications moved to /notifications (links in mails sent before still work)."""
    target = path_for("notifications:list")
    return RedirectResponse(f"{target}?{request.url.query}" if request.url.query else target, status_code=301)


async def moved_notification(request: Request) -> Response:
    target = path_for("notifications:open", notification_id=request.path_params["notification_id"])
    return RedirectResponse(target, status_code=301)


async def search_page(request: Request) -> Response:
    query = text_param(request, "q", max_length=200)
    number = page_number(request)
    hits = await search.search_topics(query, limit=21, offset=(number - 1) * 20) if query.strip() else []
    return await page(
        request,
        "forum/search.html",
        {"q": query, "hits": hits[:20], "page": number, "more": len(hits) > 20},
    )


routes = [
    Route("/forum", index, name="forum:index"),
    Route("/forum/new", new_topic, methods=["GET", "POST"], name="forum:new"),
    Route("/forum/search", search_page, name="forum:search"),
    Route("/forum/notifications", moved_notifications, name="forum:notifications"),
    Route("/forum/notifications/{notification_id:int}", moved_notification, name="forum:notification"),
    Route("/forum/c/{slug}", category_page, name="forum:category"),
    Route("/forum/c/{slug}/watch", watch_category, methods=["POST"], name="forum:watch_category"),
    Route("/forum/t/{topic_id:int}", topic_page, name="forum:topic"),
    Route("/forum/t/{topic_id:int}/reply", reply, methods=["POST"], name="forum:reply"),
    Route("/forum/t/{topic_id:int}/unread", first_unread, name="forum:unread"),
    Route("/forum/t/{topic_id:int}/after", posts_after, name="forum:after"),
    Route("/forum/t/{topic_id:int}/watch", watch_topic, methods=["POST"], name="forum:watch_topic"),
    Route("/forum/t/{topic_id:int}/unaccept", unaccept, methods=["POST"], name="forum:unaccept"),
    Route("/forum/p/{post_id:int}", permalink, name="forum:permalink"),
    Route("/forum/p/{post_id:int}/vote", vote, methods=["POST"], name="forum:vote"),
    Route("/forum/p/{post_id:int}/accept", accept, methods=["POST"], name="forum:accept"),
    Route("/forum/p/{post_id:int}/edit", edit_post, methods=["GET", "POST"], name="forum:edit"),
    Route("/forum/p/{post_id:int}/history", history, name="forum:history"),
    Route("/forum/p/{post_id:int}/flag", flag, methods=["GET", "POST"], name="forum:flag"),
    *moderation_routes.routes,
    *people_routes.routes,
    *feeds.routes,
]
api_routes = api.routes
