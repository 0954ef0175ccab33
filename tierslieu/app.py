"""The composition root: the installed parts, in order, and the app built from their manifests.

Adding a part is one line in :data:`PARTS` (its package, ``templates/<part>/`` and
``tests/<part>/`` aside). The kernel's own manifest comes first; then the parts, lowest
layer first: accounts and notifications, bookings and skills, events; the forum beside them.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount

import accounts.part
import badges.part
import bookings.part
import events.part
import forum.part
import helpdesk.part
import mentoring.part
import notifications.part
import skills.part
import tierslieu.part
from tierslieu import db, identity, mail, pagecache, parts, passwords, realtime, urls
from tierslieu.errors import N_, DomainError
from tierslieu.mail import routes as mail_routes
from tierslieu.middleware import (
    AuthMiddleware,
    BodyLimitMiddleware,
    CompressionMiddleware,
    RequestLogMiddleware,
    SecurityHeadersMiddleware,
)
from tierslieu.openapi import API_PREFIX
from tierslieu.outages import UnavailableMiddleware
from tierslieu.ratelimit import RateLimiter
from tierslieu.redis_pool import create_pool
from tierslieu.responses import error_response
from tierslieu.settings import Settings
from tierslieu.static import StaticFiles
from tierslieu.templating import create_environment

log = logging.getLogger("tierslieu")

PARTS: tuple[parts.Part, ...] = (
    accounts.part.part,
    notifications.part.part,
    bookings.part.part,
    skills.part.part,
    events.part.part,
    mentoring.part.part,
    helpdesk.part.part,
    badges.part.part,
    forum.part.part,
)
IDENTITY = accounts.part.identity


def installation(installed: tuple[parts.Part, ...] = PARTS) -> parts.Installation:
    """The kernel's manifest, then ``installed``, checked against each other."""
    return parts.build([tierslieu.part.part, *installed])


def install(installed: tuple[parts.Part, ...] = PARTS) -> parts.Installation:
    """Make ``installed`` what the kernel's services read, and hand them the accounts part's
    identity; returns the installation."""
    setup = installation(installed)
    parts.install(setup)
    identity.install(IDENTITY)
    # paths for mails, feeds and rendered posts, also outside a served app (commands, jobs)
    urls.install(routes_of(setup))
    return setup


def routes_of(setup: parts.Installation) -> list[BaseRoute]:
    # The JSON API first and in one Mount: a request is matched against one prefix, then
    # against the API's routes only, one by one, the highest parts first.
    api = Mount(API_PREFIX, routes=[route for part in reversed(setup.parts) for route in part.api_routes])
    return [
        api,
        *(route for part in setup.parts for route in part.routes),
        realtime.websocket_route,
        Mount("/static", app=StaticFiles(), name="static"),
    ]


HTTP_ERRORS = {
    400: ("bad_request", N_("The request could not be understood.")),
    401: ("unauthorized", N_("You need to sign in.")),
    403: ("forbidden", N_("You may not do this.")),
    404: ("not_found", N_("This page does not exist or is not visible to you.")),
    405: ("method_not_allowed", N_("This method is not allowed here.")),
}


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return error_response(request, exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, message = HTTP_ERRORS.get(exc.status_code, ("error", N_("The request could not be completed.")))
    return error_response(request, DomainError(code, message, status=exc.status_code))


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error", exc_info=exc)
    return error_response(
        request,
        DomainError(
            "server_error",
            N_("Something went wrong on our side. The team has been told; please try again."),
            status=500,
        ),
    )


def create_app(
    settings: Settings, *, installed: tuple[parts.Part, ...] = PARTS, init_database: bool = True
) -> Starlette:
    setup = install(installed)
    redis_pool = create_pool(settings.redis_url) if settings.redis_url else None
    hub = realtime.create_hub(redis_pool)
    sender = mail.MailSender(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        passwords.configure(settings.password_hash_concurrency)
        if init_database:
            await db.init(settings.database_url, setup.with_models(), migrate=False, timeout=settings.database_timeout)
        await hub.start()
        if settings.run_background_tasks:
            sender.start()
        jobs = [start for part in setup.parts for start in part.jobs]
        stoppers = [start() for start in jobs] if settings.run_background_tasks else []
        try:
            yield
        finally:
            for stop in stoppers:
                await stop()
            await sender.stop()
            await hub.stop()
            if redis_pool is not None:
                await redis_pool.aclose()
            if init_database:
                await db.close()

    routes = routes_of(setup)
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestLogMiddleware),
            Middleware(CompressionMiddleware),
            Middleware(SecurityHeadersMiddleware, settings=settings),
            Middleware(BodyLimitMiddleware, settings=settings),
            Middleware(UnavailableMiddleware),  # around the session lookup too
            Middleware(AuthMiddleware, settings=settings, csrf_exempt=mail_routes.CSRF_EXEMPT),
        ],
        exception_handlers={
            DomainError: _domain_error,
            HTTPException: _http_error,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.templates = create_environment()
    app.state.limiter = RateLimiter.create(redis_pool)
    app.state.hub = hub
    app.state.mail_sender = sender
    realtime.use_hub(hub)
    if settings.page_cache:
        pagecache.use(pagecache.PageCache(Redis(connection_pool=redis_pool) if redis_pool else None))
    else:
        pagecache.use(None)
    return app
