"""The Jinja2 environment shared by pages and mails."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from tierslieu import i18n, urls
from tierslieu.static import static_url

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "templates"


@pass_context
def _datetime_filter(context: Any, value: datetime | None, fmt: str = "medium", timezone: str | None = None) -> str:
    """``{{ when|datetime }}``: in the viewer's zone, or in ``timezone`` when given."""
    if value is None:
        return ""
    request = context.get("request")
    viewer_zone = getattr(request.state, "timezone", None) if request is not None else context.get("timezone")
    return i18n.format_datetime(value, i18n.current_locale.get(), timezone or viewer_zone, fmt)


def _iso_filter(value: datetime) -> str:
    """``<time datetime="{{ when|iso }}">``: UTC to the second, as HTML's valid date-time
    strings want (at most three digits of fractions)."""
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def create_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(("html", "xml"), default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n._current_gettext, i18n._current_ngettext, newstyle=True
    )
    env.globals["static_url"] = static_url
    env.globals["LOCALES"] = i18n.LOCALES
    env.filters["datetime"] = _datetime_filter
    env.filters["iso"] = _iso_filter
    return env


def page_context(request: Request) -> dict[str, Any]:
    """What every page template (base.html) needs: the viewer, the CSRF token, and the
    unread notification count when a part has computed it for this request."""
    state = request.state
    return {
        "request": request,
        "user": getattr(state, "user", None),
        "roles": getattr(state, "roles", frozenset()),
        "locale": getattr(state, "locale", i18n.DEFAULT_LOCALE),
        "csrf_token": getattr(state, "csrf_token", lambda: ""),
        "unread_notifications": getattr(state, "unread_notifications", None),
        "url_for": urls.url_for,
    }


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    """Render a page template with the request, the viewer and the CSRF token in reach."""
    env: Environment = request.app.state.templates
    html = env.get_template(name).render({**page_context(request), **(context or {})})
    return HTMLResponse(html, status_code=status_code)
