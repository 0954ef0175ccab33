"""Moderation pages: review queue, hide/restore, lock, pin, move, log, categories and tags."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum import moderation, services
from forum.forms import CategoryIn, ModerationIn, MoveIn, TagMerge, TagRename
from forum.models import Tag
from forum.pages import page
from forum.permissions import can_moderate
from tierslieu.errors import N_, DomainError, Forbidden
from tierslieu.guards import current_user, page_number, path_text
from tierslieu.pages import form_error, see_other
from tierslieu.responses import parse, read_form
from tierslieu.urls import path_for


def _moderator(request: Request):
    user = current_user(request)
    if not can_moderate(user):
        raise Forbidden("forbidden", N_("Only moderators may do this."))
    return user


async def _form(request: Request) -> dict[str, str]:
    return {k: v for k, v in (await read_form(request)).items() if isinstance(v, str)}


async def queue(request: Request) -> Response:
    _moderator(request)
    return await page(request, "forum/moderation.html", {"flags": await moderation.review_queue()})


async def resolve_flag(request: Request) -> Response:
    user = _moderator(request)
    values = await _form(request)
    data = parse(ModerationIn, values)
    await moderation.resolve_flag(user, request.path_params["flag_id"], values.get("action", ""), data.reason)
    return see_other(path_for("forum:moderation"))


async def moderate_topic(request: Request) -> Response:
    user = _moderator(request)
    values = await _form(request)
    data = parse(ModerationIn, values)
    action = values.get("action", "")
    topic = await moderation.set_topic_state(user, request.path_params["topic_id"], action, data.reason)
    return see_other(path_for("forum:topic", topic_id=topic.id) + f"?done={action}")


async def move_topic(request: Request) -> Response:
    user = _moderator(request)
    data = parse(MoveIn, await _form(request))
    topic = await moderation.move_topic(user, request.path_params["topic_id"], data.category_id, data.reason)
    return see_other(path_for("forum:topic", topic_id=topic.id) + "?done=moved")


async def moderate_post(request: Request) -> Response:
    user = _moderator(request)
    values = await _form(request)
    data = parse(ModerationIn, values)
    if values.get("action") not in ("hide", "restore"):
        raise DomainError("invalid", N_("Choose one of the proposed values."))
    post = await moderation.set_post_hidden(
        user, request.path_params["post_id"], values["action"] == "hide", data.reason
    )
    done = "post-hidden" if post.hidden_at else "post-restored"
    return see_other(path_for("forum:permalink", post_id=post.id) + f"?done={done}")


async def log(request: Request) -> Response:
    _moderator(request)
    entries, pages = await moderation.moderation_log(page_number(request))
    return await page(request, "forum/log.html", {"entries": entries, "page": page_number(request), "pages": pages})


async def new_category(request: Request) -> Response:
    user = _moderator(request)
    categories = [c for c in await services.list_categories() if c.parent_id is None]  # type: ignore[attr-defined]
    if request.method == "GET":
        return await page(request, "forum/category_form.html", {"parents": categories, "category": None})
    values = await _form(request)
    try:
        data = parse(CategoryIn, {**values, "parent_id": values.get("parent_id") or None})
        category = await services.create_category(user, data)
    except DomainError as error:
        return await page(
            request,
            "forum/category_form.html",
            {"parents": categories, "category": None, "values": values, **form_error(request, error)},
            error.status,
        )
    return see_other(path_for("forum:category", slug=category.slug))


async def edit_category(request: Request) -> Response:
    user = _moderator(request)
    category = await services.get_category(request.path_params["category_id"])
    parents = [c for c in await services.list_categories() if c.parent_id is None and c.id != category.id]  # type: ignore[attr-defined]
    context = {"parents": parents, "category": category}
    if request.method == "GET":
        values = {"name": category.name, "description": category.description, "parent_id": category.parent_id}  # type: ignore[attr-defined]
        return await page(request, "forum/category_form.html", {**context, "values": values})
    values = await _form(request)
    try:
        data = parse(CategoryIn, {**values, "parent_id": values.get("parent_id") or None})
        category = await services.update_category(user, category.id, data)
    except DomainError as error:
        return await page(
            request,
            "forum/category_form.html",
            {**context, "values": values, **form_error(request, error)},
            error.status,
        )
    return see_other(path_for("forum:category", slug=category.slug))


async def tags(request: Request) -> Response:
    _moderator(request)
    return await page(request, "forum/tags.html", {"tags": await Tag.all().order_by("name")})


async def rename_tag(request: Request) -> Response:
    user = _moderator(request)
    data = parse(TagRename, await _form(request))
    await moderation.rename_tag(user, path_text(request, "name", max_length=30), data.name, data.reason)
    return see_other(path_for("forum:tags"))


async def merge_tag(request: Request) -> Response:
    user = _moderator(request)
    data = parse(TagMerge, await _form(request))
    await moderation.merge_tags(user, path_text(request, "name", max_length=30), data.into, data.reason)
    return see_other(path_for("forum:tags"))


routes = [
    Route("/forum/moderation", queue, name="forum:moderation"),
    Route("/forum/moderation/log", log, name="forum:log"),
    Route("/forum/moderation/flags/{flag_id:int}", resolve_flag, methods=["POST"], name="forum:resolve_flag"),
    Route("/forum/moderation/categories/new", new_category, methods=["GET", "POST"], name="forum:new_category"),
    Route(
        "/forum/moderation/categories/{category_id:int}/edit",
        edit_category,
        methods=["GET", "POST"],
        name="forum:edit_category",
    ),
    Route("/forum/moderation/tags", tags, name="forum:tags"),
    Route("/forum/moderation/tags/{name}/rename", rename_tag, methods=["POST"], name="forum:rename_tag"),
    Route("/forum/moderation/tags/{name}/merge", merge_tag, methods=["POST"], name="forum:merge_tag"),
    Route("/forum/t/{topic_id:int}/moderate", moderate_topic, methods=["POST"], name="forum:moderate_topic"),
    Route("/forum/t/{topic_id:int}/move", move_topic, methods=["POST"], name="forum:move"),
    Route("/forum/p/{post_id:int}/moderate", moderate_post, methods=["POST"], name="forum:moderate_post"),
]
