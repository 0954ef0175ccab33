"""The one URL helper: paths built from route names through a table made once per app.

Starlette's ``request.url_for`` walks every route and raises an exception for each one
that does not match; a page that builds a few hundred links spent most of its time there.
:func:`path_for` looks the name up in a dict and fills the path's parameters with the
route's own convertors. Templates call ``url_for(name, **params)``, which gives the same
path as a :class:`~starlette.datastructures.URL` (so ``.path`` and
``.include_query_params`` work as they do on Starlette's).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from starlette.convertors import Convertor
from starlette.datastructures import URL
from starlette.routing import PARAM_FORMAT_REGEX, BaseRoute, Mount, NoMatchFound, Route, WebSocketRoute, compile_path

# A path split around its parameters (text, name, text, …, text), and the parameters' convertors
Entry = tuple[tuple[str, ...], dict[str, Convertor[Any]]]


def _entry(path: str) -> Entry:
    _, path_format, convertors = compile_path(path)
    return tuple(PARAM_FORMAT_REGEX.split(path_format)), convertors


def _entries(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, Entry]]:
    for route in routes:
        if isinstance(route, Mount):
            if route.name:  # a mounted app (static files): its name takes a ``path``
                yield route.name, _entry(prefix + route.path + "/{path:path}")
            else:
                yield from _entries(route.routes, prefix + route.path)
        elif isinstance(route, Route | WebSocketRoute) and route.name:
            yield route.name, _entry(prefix + route.path)


class Reverser:
    def __init__(self, routes: Iterable[BaseRoute]) -> None:
        self.table: dict[str, Entry] = {}
        for name, entry in _entries(routes):
            if self.table.setdefault(name, entry) != entry:
                raise ValueError(f"two routes are named {name!r}")

    def path_for(self, name: str, /, **params: Any) -> str:
        entry = self.table.get(name)
        if entry is None or params.keys() != entry[1].keys():
            raise NoMatchFound(name, params)
        pieces, convertors = entry
        if len(pieces) == 1:
            return pieces[0]
        built = [pieces[0]]
        for at in range(1, len(pieces), 2):
            key = pieces[at]
            built += (convertors[key].to_string(params[key]), pieces[at + 1])
        return "".join(built)


_current: Reverser | None = None


def install(routes: Iterable[BaseRoute]) -> None:
    """``create_app`` builds the table from the app's routes."""
    global _current
    _current = Reverser(routes)


def path_for(name: str, /, **params: Any) -> str:
    """The path of the route named ``name`` (``NoMatchFound`` for an unknown name or missing
    or extra parameters)."""
    if _current is None:
        raise RuntimeError("no routes installed: create_app() builds the URL table")
    return _current.path_for(name, **params)


def url_for(name: str, /, **params: Any) -> URL:
    """For templates: :func:`path_for` as a URL."""
    return URL(path_for(name, **params))
