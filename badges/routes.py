"""The badges pages: the classes, a class with its awards and linked events, my badges, an
award, its public share page, the issuer profile; the images; and the API routes."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from badges import api, permissions, services
from badges.forms import MAX_IMAGE_BYTES, AwardCreate, ClassCreate, EventLinkCreate, IssuerChange, Revocation
from tierslieu.errors import N_, DomainError, Invalid
from tierslieu.guards import current_user, optional_user, path_text
from tierslieu.pages import form_error, form_page, see_other
from tierslieu.responses import parse, read_form
from tierslieu.templating import render
from tierslieu.urls import path_for

PNG_HEADERS = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    return [item for item in (value if isinstance(value, list) else [value]) if isinstance(item, str)]


async def index(request: Request) -> Response:
    user = optional_user(request)
    return render(
        request,
        "badges/index.html",
        {
            "classes": await services.list_classes(),
            "can_create": permissions.can_create_class(user),
            "can_manage_issuer": permissions.can_manage_issuer(user),
        },
    )


async def _image_from_form(value: Any) -> bytes | None:
    if not isinstance(value, UploadFile):
        return None
    try:
        raw = await value.read(MAX_IMAGE_BYTES + 1) if value.filename else b""
    finally:
        await value.close()
    if len(raw) > MAX_IMAGE_BYTES:
        raise Invalid(
            "invalid",
            N_("Some fields are missing or invalid."),
            fields={"image": N_("The image is too large (512 kB at most).")},
        )
    return raw or None


async def new_class(request: Request) -> Response:
    user = current_user(request)
    if not permissions.can_create_class(user):
        raise DomainError("forbidden", N_("Only facilitators and coordinators create badges."), status=403)
    vocabulary = await services.skill_vocabulary(request.state.locale)
    if request.method == "GET":
        return form_page(request, "badges/class_form.html", vocabulary=vocabulary)
    values = await read_form(request)
    shown = {key: value for key, value in values.items() if isinstance(value, str | list)}
    try:
        data = parse(
            ClassCreate,
            {
                "name": values.get("name", ""),
                "description": values.get("description", ""),
                "criteria": values.get("criteria", ""),
                "skills": _as_list(values.get("skills")),
                "image": await _image_from_form(values.get("image")),
            },
        )
        badge_class = await services.create_class(user, data)
    except DomainError as error:
        return form_page(request, "badges/class_form.html", error, shown, vocabulary=vocabulary)
    return see_other(path_for("badges:class", badge_class_id=badge_class.id))


async def _class_page(request: Request, error: DomainError | None = None, status: int | None = None) -> Response:
    user = optional_user(request)
    badge_class = await services.get_class(request.path_params["badge_class_id"])
    is_mentor = user is not None and await services.is_mentor_of_someone(user)
    return render(
        request,
        "badges/class.html",
        {
            "badge_class": badge_class,
            "skills": await services.skill_labels(badge_class, request.state.locale),
            "issuer": await services.issuer(),
            "links": await services.event_links(badge_class),
            "awards": await services.class_awards(user, badge_class),
            "can_award": permissions.may_award_someone(user, badge_class, is_mentor=is_mentor),
            "can_revoke": permissions.can_revoke(user, badge_class),
            "linkable": await services.linkable_events(user),
            **(form_error(request, error) if error else {"errors": {}, "error": None}),
        },
        status_code=error.status if error else 200,
    )


async def class_detail(request: Request) -> Response:
    return await _class_page(request)


async def class_image(request: Request) -> Response:
    badge_class = await services.get_class(request.path_params["badge_class_id"])
    return Response(badge_class.image, media_type="image/png", headers=PNG_HEADERS)


async def award(request: Request) -> Response:
    user = current_user(request)
    badge_class_id = request.path_params["badge_class_id"]
    values = await read_form(request)
    try:
        data = parse(AwardCreate, {"user_id": values.get("user_id", ""), "evidence": values.get("evidence", "")})
        await services.award_badge(user, badge_class_id, data)
    except DomainError as error:
        if error.status in (409, 422):
            return await _class_page(request, error)
        raise
    return see_other(path_for("badges:class", badge_class_id=badge_class_id) + "?done=awarded")


async def link(request: Request) -> Response:
    user = current_user(request)
    badge_class_id = request.path_params["badge_class_id"]
    values = await read_form(request)
    try:
        data = parse(
            EventLinkCreate,
            {
                "event_id": values.get("event_id", ""),
                "required_session_ids": _as_list(values.get("required_session_ids")),
            },
        )
        await services.link_event(user, badge_class_id, data)
    except DomainError as error:
        if error.status in (409, 422):
            return await _class_page(request, error)
        raise
    return see_other(path_for("badges:class", badge_class_id=badge_class_id) + "?done=linked")


async def link_sessions(request: Request) -> Response:
    user = current_user(request)
    values = await read_form(request)
    ids = [int(value) for value in _as_list(values.get("required_session_ids")) if value.isdigit() and len(value) < 10]
    badge_class_id = await services.set_required_sessions(user, request.path_params["link_id"], ids)
    return see_other(path_for("badges:class", badge_class_id=badge_class_id) + "?done=sessions")


async def unlink(request: Request) -> Response:
    user = current_user(request)
    await read_form(request)
    badge_class_id = await services.unlink_event(user, request.path_params["link_id"])
    return see_other(path_for("badges:class", badge_class_id=badge_class_id) + "?done=unlinked")


async def mine(request: Request) -> Response:
    user = current_user(request)
    return render(request, "badges/mine.html", {"awards": await services.my_awards(user)})


async def _award_page(request: Request, error: DomainError | None = None) -> Response:
    user = current_user(request)
    award_, badge_class = await services.visible_award(user, request.path_params["award_id"])
    return render(
        request,
        "badges/award.html",
        {
            "award": award_,
            "badge_class": badge_class,
            "evidence": await services.evidence_summary(award_),
            "is_recipient": award_.recipient_id == user.id,
            "can_revoke": permissions.can_revoke(user, badge_class) and award_.revoked_at is None,
            "share_url": request.app.state.settings.base_url + path_for("badges:share", token=award_.share_token),
            "assertion_url": services.assertion_url(award_.id),
            **(form_error(request, error) if error else {"errors": {}, "error": None}),
        },
        status_code=error.status if error else 200,
    )


async def award_detail(request: Request) -> Response:
    return await _award_page(request)


async def share(request: Request) -> Response:
    user = current_user(request)
    values = await read_form(request)
    award_ = await services.set_shared(user, request.path_params["award_id"], values.get("shared") == "1")
    return see_other(path_for("badges:award", award_id=award_.id) + "?done=shared")


async def revoke(request: Request) -> Response:
    user = current_user(request)
    award_id = request.path_params["award_id"]
    values = await read_form(request)
    try:
        await services.revoke(user, award_id, parse(Revocation, {"reason": values.get("reason", "")}).reason)
    except DomainError as error:
        if error.status in (409, 422):
            return await _award_page(request, error)
        raise
    return see_other(path_for("badges:award", award_id=award_id) + "?done=revoked")


async def shared_page(request: Request) -> Response:
    token = path_text(request, "token", max_length=64)
    award_, badge_class = await services.shared_award(token)
    return render(
        request,
        "badges/shared.html",
        {
            "award": award_,
            "badge_class": badge_class,
            "holder": await services.holder_name(award_),
            "skills": await services.skill_labels(badge_class, request.state.locale),
            "issuer": await services.issuer(),
            "evidence": await services.evidence_summary(award_),
            "assertion_url": services.assertion_url(award_.id),
        },
    )


async def baked(request: Request) -> Response:
    image = await services.baked_image(request.path_params["award_id"])
    return Response(
        image,
        media_type="image/png",
        headers={
            **PNG_HEADERS,
            "Content-Disposition": f'attachment; filename="badge-{request.path_params["award_id"]}.png"',
        },
    )


async def issuer_page(request: Request) -> Response:
    user = current_user(request)
    if not permissions.can_manage_issuer(user):
        raise DomainError("forbidden", N_("This page is for admins and coordinators."), status=403)
    profile = await services.issuer()
    current = {"name": profile.name, "url": profile.url, "email": profile.email, "description": profile.description}
    if request.method == "GET":
        return form_page(request, "badges/issuer.html", values=current)
    values = await read_form(request)
    try:
        await services.change_issuer(user, parse(IssuerChange, values))
    except DomainError as error:
        return form_page(request, "badges/issuer.html", error, {**current, **values})
    return see_other(path_for("badges:issuer") + "?done=1")


routes = [
    Route("/badges", index, name="badges:index"),
    Route("/badges/mine", mine, name="badges:mine"),
    Route("/badges/issuer", issuer_page, methods=["GET", "POST"], name="badges:issuer"),
    Route("/badges/classes/new", new_class, methods=["GET", "POST"], name="badges:new_class"),
    Route("/badges/classes/{badge_class_id:int}", class_detail, name="badges:class"),
    Route("/badges/classes/{badge_class_id:int}/image.png", class_image, name="badges:class_image"),
    Route("/badges/classes/{badge_class_id:int}/awards", award, methods=["POST"], name="badges:award_new"),
    Route("/badges/classes/{badge_class_id:int}/links", link, methods=["POST"], name="badges:link"),
    Route("/badges/links/{link_id:int}/sessions", link_sessions, methods=["POST"], name="badges:link_sessions"),
    Route("/badges/links/{link_id:int}/delete", unlink, methods=["POST"], name="badges:unlink"),
    Route("/badges/awards/{award_id:int}", award_detail, name="badges:award"),
    Route("/badges/awards/{award_id:int}/share", share, methods=["POST"], name="badges:set_shared"),
    Route("/badges/awards/{award_id:int}/revoke", revoke, methods=["POST"], name="badges:revoke"),
    Route("/badges/awards/{award_id:int}/badge.png", baked, name="badges:baked"),
    Route("/badges/s/{token}", shared_page, name="badges:share"),
]
api_routes = api.routes
