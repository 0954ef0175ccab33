"""The one URL helper agrees with Starlette's reverse lookup for every named route."""

from __future__ import annotations

import pytest
from starlette.convertors import IntegerConvertor
from starlette.routing import Mount, NoMatchFound, Route

from tierslieu import urls
from tierslieu.convertors import IdConvertor


def test_every_named_route_is_built_as_starlette_builds_it(app) -> None:
    table = urls.Reverser(app.routes).table
    assert len(table) > 100
    for name, (_, convertors) in table.items():
        params = {
            key: 1 if isinstance(convertor, IdConvertor | IntegerConvertor) else "x"
            for key, convertor in convertors.items()
        }
        assert urls.path_for(name, **params) == app.url_path_for(name, **params), name


def test_unknown_names_and_wrong_parameters_are_refused(app) -> None:
    assert urls.path_for("forum:topic", topic_id=5) == "/forum/t/5"
    assert urls.url_for("forum:topic", topic_id=5).path == "/forum/t/5"
    for name, params in (("forum:nothing", {}), ("forum:topic", {}), ("forum:index", {"extra": 1})):
        with pytest.raises(NoMatchFound):
            urls.path_for(name, **params)


def test_two_routes_with_one_name_are_refused() -> None:
    async def endpoint(request):  # pragma: no cover - never called
        raise AssertionError

    with pytest.raises(ValueError, match="two routes"):
        urls.Reverser([Route("/a", endpoint, name="same"), Mount("/b", routes=[Route("/c", endpoint, name="same")])])
