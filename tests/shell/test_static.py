"""Compression of text responses, and the caching of static files by their hashed URL."""

from __future__ import annotations

import gzip
import re

from tierslieu.static import static_version

YEAR = "public, max-age=31536000, immutable"


async def _raw(client, path: str, **headers: str):
    """The response as sent: httpx would decompress the body, so read the raw stream."""
    async with client.stream("GET", path, headers=headers) as response:
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, body


async def test_html_is_gzipped_when_the_browser_accepts_it(client):
    response, body = await _raw(client, "/login", **{"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in response.headers["vary"].lower()
    html = gzip.decompress(body).decode()
    assert "<!doctype html>" in html.lower() and len(body) < len(html) / 2
    assert int(response.headers["content-length"]) == len(body)

    plain, body = await _raw(client, "/login", **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert body.decode().lower().startswith("<!doctype html>")


async def test_css_and_json_are_gzipped_too(client):
    css, body = await _raw(client, f"/static/app.css?v={static_version('app.css')}", **{"Accept-Encoding": "gzip"})
    assert css.headers["content-encoding"] == "gzip" and gzip.decompress(body).startswith(b"/*")
    spec, _ = await _raw(client, "/api/v1/openapi.json", **{"Accept-Encoding": "gzip"})
    assert spec.status_code == 200 and spec.headers["content-encoding"] == "gzip"


async def test_a_hashed_static_url_is_cached_for_a_year(client):
    html = (await client.get("/")).text
    url = re.search(r'src="(/static/live\.js\?v=[0-9a-f]{10})"', html).group(1)
    response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["cache-control"] == YEAR


async def test_an_unversioned_or_stale_static_url_is_revalidated(client):
    for url in ("/static/app.css", "/static/app.css?v=0123456789", "/static/app.css?v="):
        response = await client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "no-cache", url
    assert (await client.get("/static/nothing.css?v=0123456789")).status_code == 404


async def test_conditional_get_of_a_compressed_static_file(client):
    url = f"/static/app.css?v={static_version('app.css')}"
    first = await client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.headers["etag"].startswith('W/"')  # compressed: another representation
    again = await client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["cache-control"] == YEAR
    plain = await client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.headers["etag"].startswith('"') and "content-encoding" not in plain.headers
