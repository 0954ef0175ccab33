"""The one boundary for text parameters (issue 17, finding 4): a text query parameter that is too
long or holds a control character is a 422 naming it, and a path's slug, tag or token a 404,
before any query (the ORM's own column-length check was a 500)."""

from __future__ import annotations

import pytest

from tests.forum.factories import make_topic
from tests.helpers import make_user


@pytest.mark.parametrize(
    ("path", "name", "limit"),
    [
        ("/api/v1/forum/topics", "tag", 30),
        ("/api/v1/forum/topics", "cursor", 200),
        ("/api/v1/events", "cursor", 200),
        ("/api/v1/forum/search", "q", 200),
        ("/api/v1/forum/similar", "title", 200),
    ],
)
async def test_a_too_long_or_control_text_parameter_is_a_422_naming_it(
    client, path: str, name: str, limit: int
) -> None:
    for bad in ("x" * (limit + 1), "a\x01b", "a\x00b"):
        response = await client.get(path, params={name: bad})
        assert response.status_code == 422, f"{path}?{name}: {response.status_code}"
        assert set(response.json()["error"]["fields"]) == {name}
    assert (await client.get(path, params={name: "x" * 5})).status_code in (200, 422)


async def test_a_tag_at_its_length_still_filters(client) -> None:
    response = await client.get("/api/v1/forum/topics", params={"tag": "x" * 30})
    assert response.status_code == 200 and response.json()["items"] == []


async def test_a_too_long_slug_or_token_in_a_path_is_a_404(client) -> None:
    topic = await make_topic(await make_user())
    category = await topic.category
    for path in (
        "/forum/c/" + "x" * 81,
        "/forum/c/" + "x" * 81 + "/feed.atom",
        "/calendar/" + "1-" + "a" * 300 + ".ics",
    ):
        assert (await client.get(path)).status_code == 404, path
    assert (await client.get(f"/forum/c/{category.slug}")).status_code == 200
    assert (await client.get("/forum", params={"tag": "x" * 31})).status_code == 422
