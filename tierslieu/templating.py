"""The Jinja2 environment shared by pages and mails."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, pass_eval_context, select_autoescape
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.types import Receive, Scope, Send

from tierslieu import i18n, parts, urls
from tierslieu.parts import PageHook
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


def _viewer_zone(context: Any) -> str | None:
    request = context.get("request")
    return getattr(request.state, "timezone", None) if request is not None else context.get("timezone")


@pass_context
def _when(context: Any, value: datetime | None, timezone: str | None = None, relative: str = "") -> Markup:
    """``{{ when(post.created_at) }}``: ``<time datetime>`` around the short human time
    ("mar. 8 déc., 18 h"); ``relative="add"`` or ``"replace"`` lets the page's script show
    "dans 2 jours" beside it or instead of it (the absolute time stays without JavaScript)."""
    if value is None:
        return Markup("")
    text = i18n.human_datetime(value, i18n.current_locale.get(), timezone or _viewer_zone(context))
    return _time_element(value, text, relative)


def _time_element(value: datetime, text: str, relative: str) -> Markup:
    # (called for every date on a page: put together directly, Markup.format is several times slower)
    extra = f' data-relative="{escape(relative)}"' if relative else ""
    return Markup(f'<time datetime="{escape(_iso_filter(value))}"{extra}>{escape(text)}</time>')  # noqa: S704 - escaped


@pass_context
def _when_range(
    context: Any, starts: datetime, ends: datetime, timezone: str | None = None, relative: str = ""
) -> Markup:
    """``{{ when_range(event.starts_at, event.ends_at, event.timezone) }}``: "mar. 8 déc.,
    18 h – 19 h", in ``timezone`` (named once, "(heure de Paris)", when it is not the
    viewer's) or else in the viewer's zone."""
    return _time_element(starts, _range_text(context, starts, ends, timezone), relative)


@pass_context
def _range_text(context: Any, starts: datetime, ends: datetime, timezone: str | None = None) -> str:
    """The plain text of :func:`_when_range`, for mails."""
    viewer = _viewer_zone(context)
    locale = i18n.current_locale.get()
    text = i18n.human_range(starts, ends, locale, timezone or viewer)
    if timezone and timezone != (viewer or i18n.DEFAULT_TIMEZONE):
        text += f" ({i18n.zone_phrase(timezone, locale)})"
    return text


@pass_context
def _date_badge(context: Any, value: datetime) -> Markup:
    """``{{ date_badge(event.starts_at) }}``: the day at a glance on a card (weekday, day,
    month, in the viewer's zone), hidden from screen readers, which read the time beside it."""
    zone = _viewer_zone(context)
    locale = i18n.current_locale.get()
    weekday, day, month = (i18n.format_datetime(value, locale, zone, part) for part in ("EEE", "d", "MMM"))
    return Markup('<span class="date-badge" aria-hidden="true"><span>{}</span><b>{}</b><span>{}</span></span>').format(
        weekday, day, month
    )


def _iso_filter(value: datetime) -> str:
    """``<time datetime="{{ when|iso }}">``: UTC to the second, as HTML's valid date-time
    strings want (at most three digits of fractions)."""
    return i18n.in_zone(value, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# Jinja's "new style" gettext and ngettext, as its i18n extension makes them (the message is
# marked safe where the template autoescapes, then formatted with its variables, so that "%%"
# reads "%"), in one call each: the extension's ``_`` takes three calls and looks ``gettext``
# up in the context every time, and a page asks for a few hundred messages.
@pass_eval_context
def _gettext(eval_ctx: EvalContext, message: str, /, **variables: Any) -> str:
    text = _marked(i18n.current_locale.get(), message) if eval_ctx.autoescape else i18n.current_gettext(message)
    return text % variables if variables or "%" in text else text


@lru_cache(maxsize=4096)
def _marked(locale: str, message: str) -> Markup:
    # (pages ask for the same few hundred messages over and over)
    return Markup(i18n.translations(locale).gettext(message))  # noqa: S704 - our own catalogue, as Jinja's extension does


@pass_eval_context
def _ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any) -> str:
    if not variables and eval_ctx.autoescape:  # ("3 replies", "1 thanks": counts come back again and again)
        return _counted(i18n.current_locale.get(), singular, plural, num)
    variables.setdefault("num", num)
    text = i18n.current_ngettext(singular, plural, num)
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our own catalogue, as Jinja's extension does
    return text % variables


@lru_cache(maxsize=4096)
def _counted(locale: str, singular: str, plural: str, num: int) -> Markup:
    text = Markup(i18n.translations(locale).ngettext(singular, plural, num))  # noqa: S704 - our own catalogue
    return text % {"num": num}


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
        i18n.current_gettext, i18n.current_ngettext, newstyle=True
    )
    env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)
    env.globals["static_url"] = static_url
    env.globals["LOCALES"] = i18n.LOCALES
    env.filters["datetime"] = _datetime_filter
    env.filters["iso"] = _iso_filter
    env.globals["when"] = _when
    env.globals["when_range"] = _when_range
    env.globals["date_badge"] = _date_badge
    env.globals["range_text"] = _range_text
    env.filters["day"] = lambda day: i18n.human_date(day, i18n.current_locale.get())
    return env


def page_context(request: Request) -> dict[str, Any]:
    """What every page template (base.html) needs: the viewer and the CSRF token."""
    state = request.state
    return {
        "request": request,
        "user": getattr(state, "user", None),
        "roles": getattr(state, "roles", frozenset()),
        "locale": getattr(state, "locale", i18n.DEFAULT_LOCALE),
        "csrf_token": getattr(state, "csrf_token", lambda: ""),
        "url_for": urls.url_for,
        "navigation": parts.installed().navigation(),
    }


class Page(HTMLResponse):
    """A page rendered as it is sent: the page hooks are awaited first, so ``render`` stays a
    plain function for the endpoints. Partials (``<part>/_name.html``) are not pages: no hook
    runs for them. Headers may be changed before the response is sent, as with any response."""

    def __init__(self, request: Request, name: str, context: dict[str, Any], status_code: int) -> None:
        super().__init__(b"", status_code=status_code)
        self.request = request
        self.template_name = name
        self.context = context
        self.locale = i18n.current_locale.get()
        self.rendered = False

    async def render_page(self) -> None:
        request = self.request
        hooks: Sequence[PageHook] = () if _is_partial(self.template_name) else _page_hooks()
        added: dict[str, Any] = {}
        for hook in hooks:
            added.update(await hook(request))
        env: Environment = request.app.state.templates
        with i18n.use_locale(self.locale):
            html = env.get_template(self.template_name).render({**page_context(request), **added, **self.context})
        self.body = self.render(html)
        self.headers["content-length"] = str(len(self.body))
        self.rendered = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.rendered:  # (tierslieu.pagecache renders a page before it is sent)
            await self.render_page()
        await super().__call__(scope, receive, send)


def _is_partial(name: str) -> bool:
    return name.rsplit("/", 1)[-1].startswith("_")


def _page_hooks() -> Sequence[PageHook]:
    return [hook for part in parts.installed().parts for hook in part.page_hooks]


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    """Render a page template with the request, the viewer, the CSRF token and what the page
    hooks add in reach (see :class:`Page`)."""
    return Page(request, name, context or {}, status_code)
