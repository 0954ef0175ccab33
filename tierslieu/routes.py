"""The shell's own pages: home, health check, legal pages, the OpenAPI document."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from tortoise import connections
from tortoise.exceptions import BaseORMException

from tierslieu import i18n, identity, markdown, parts
from tierslieu.errors import N_, Forbidden, Invalid, NotFound
from tierslieu.guards import current_user
from tierslieu.models import SitePage
from tierslieu.openapi import API_PREFIX, build_document, mounted_api_routes
from tierslieu.pages import see_other
from tierslieu.responses import JSONResponse, field_messages, parse, read_form
from tierslieu.static import static_url
from tierslieu.templating import TEMPLATES_DIR, render
from tierslieu.urls import path_for

SITE_PAGES = {
    "privacy": N_("Privacy notice"),
    "legal": N_("Legal notice"),
    "accessibility": N_("Accessibility statement"),
}


class PageEdit(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body_markdown: str = Field(min_length=1, max_length=100_000)


async def home(request: Request) -> Response:
    """The home page, with the panels of the installed parts (each part's manifest lists its
    own: the next events, the latest questions…), in the parts' order."""
    panels = []
    for part in parts.installed().parts:
        for panel in part.home_panels:
            context = await panel.context(request.state.user)
            if context is not None:
                panels.append((panel.template, context))
    return render(request, "home.html", {"panels": panels})


async def healthz(request: Request) -> Response:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except (BaseORMException, OSError) as exc:
        return JSONResponse({"status": "error", "database": str(exc.__class__.__name__)}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"}, headers={"Cache-Control": "no-store"})


async def openapi(request: Request) -> Response:
    routes = mounted_api_routes(request.app.routes)
    return JSONResponse(build_document(routes, request.app.state.settings.base_url + API_PREFIX))


def default_page(slug: str, locale: str) -> tuple[str, str]:
    source = (TEMPLATES_DIR / "pages" / "defaults" / f"{slug}.{locale}.md").read_text(encoding="utf-8")
    return i18n.gettext(locale, SITE_PAGES[slug]), source


async def site_page(request: Request) -> Response:
    slug = request.path_params["slug"]
    if slug not in SITE_PAGES:
        raise NotFound()
    locale = request.state.locale
    page = await SitePage.get_or_none(slug=slug, locale=locale)
    if page is not None:
        title, body_html, updated_at = page.title, page.body_html, page.updated_at
    else:
        title, source = default_page(slug, locale)
        body_html, updated_at = markdown.render(source), None
    return render(
        request,
        "pages/page.html",
        {
            "slug": slug,
            "title": title,
            "body_html": body_html,
            "updated_at": updated_at,
            "can_edit": identity.current().can_edit_site_pages(request.state.user),
        },
    )


async def edit_site_page(request: Request) -> Response:
    user = current_user(request)
    slug = request.path_params["slug"]
    if not identity.current().can_edit_site_pages(user):
        raise Forbidden("forbidden", N_("Only admins can edit this page."))
    if slug not in SITE_PAGES:
        raise NotFound()
    locale = request.query_params.get("locale", request.state.locale)
    if locale not in i18n.LOCALES:
        raise NotFound()
    page = await SitePage.get_or_none(slug=slug, locale=locale)
    if request.method == "GET":
        title, source = (page.title, page.body_markdown) if page else default_page(slug, locale)
        return render(
            request,
            "pages/edit.html",
            {"slug": slug, "page_locale": locale, "values": {"title": title, "body_markdown": source}, "errors": {}},
        )
    values = await read_form(request)
    try:
        data = parse(PageEdit, values)
    except Invalid as error:
        return render(
            request,
            "pages/edit.html",
            {"slug": slug, "page_locale": locale, "values": values, "errors": field_messages(request, error)},
            status_code=422,
        )
    await SitePage.update_or_create(
        defaults={
            "title": data.title,
            "body_markdown": data.body_markdown,
            "body_html": markdown.render(data.body_markdown),
            "updated_by_id": user.id,
        },
        slug=slug,
        locale=locale,
    )
    return see_other(path_for("site:page", slug=slug))


async def favicon(request: Request) -> Response:
    """Browsers and tools ask /favicon.ico on their own: the icon is an SVG."""
    return RedirectResponse(static_url("favicon.svg"), status_code=301)


routes = [
    Route("/", home, name="home"),
    Route("/favicon.ico", favicon, name="favicon"),
    Route("/healthz", healthz, name="healthz"),
    Route("/pages/{slug}", site_page, name="site:page"),
    Route("/admin/pages/{slug}", edit_site_page, methods=["GET", "POST"], name="site:edit_page"),
]
api_routes = [Route("/openapi.json", openapi, name="openapi")]
