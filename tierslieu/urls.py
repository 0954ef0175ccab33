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
from starlette.routing import BaseRoute, Mount, NoMatchFound, Route, WebSocketRoute, compile_path, replace_params

Entry = tuple[str, dict[str, Convertor[Any]]]


def _entries(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, Entry]]:
    for route in routes:
        if isinstance(route, Mount):
            if route.name:  # a mounted app (static files): its name takes a ``path``
                _, path_format, convertors = compile_path(prefix + route.path + "/{path:path}")
                yield route.name, (path_format, convertors)
            else:
                yield from _entries(route.routes, prefix + route.path)
        elif isinstance(route, Route | WebSocketRoute) and route.name:
            _, path_format, convertors = compile_path(prefix + route.path)
            yield route.name, (path_format, convertors)


class Reverser:
    def __init__(self, routes: Iterable[BaseRoute]) -> None:
        self.table: dict[str, Entry] = {}
        for name, entry in _entries(routes):
            if self.table.setdefault(name, entry) != entry:
                raise ValueError(f"two routes are named {name!r}")

    def path_for(self, name: str, /, **params: Any) -> str:
        entry = self.table.get(name)
        if entry is None or set(params) != set(entry[1]):
            raise NoMatchFound(name, params)
        path_format, convertors = entry
        path, _ = replace_params(path_format, convertors, dict(params))
        return path


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
