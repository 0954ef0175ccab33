"""The one boundary for bodies (issue 17, finding 3): a JSON body nested too deep, with an absurd
number or that is not JSON is a 400 in the JSON error format, never a 500, and the connection
stays usable for the next request."""

from __future__ import annotations

import httpx
import pytest

from tierslieu.responses import MAX_JSON_DEPTH, nests_too_deep

SIGNUP = "/api/v1/auth/signup"
HOSTILE = [
    b"[" * 50_000,
    b"{" * 50_000,
    b'{"a":' * 50_000,
    b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
    b'{"email": ' + b"9" * 5000 + b"}",
    b'{"email": 1' + b"0" * 100 + b".5}",
    b'{"email": NaN}',
    b'{"email": -Infinity}',
    b"\xff\xfe",
    b'{"email": "x"',
]


def test_the_depth_scan_skips_strings_and_stops_early() -> None:
    assert not nests_too_deep(b'["' + b"[" * 1000 + b'", {"a": [[1]]}]')
    assert not nests_too_deep(b'["\\"' + b"[" * 1000 + b'"]')
    assert nests_too_deep(b"[" * (MAX_JSON_DEPTH + 1))
    assert not nests_too_deep(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH)
    assert not nests_too_deep(b"[[]]" * 1000)


@pytest.mark.parametrize("body", HOSTILE, ids=range(len(HOSTILE)))
async def test_a_hostile_json_body_is_a_400(client, body: bytes) -> None:
    response = await client.post(SIGNUP, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text[:200]
    assert response.json()["error"]["code"] in ("bad_request", "too_deep")


async def test_a_keep_alive_connection_survives_a_hostile_body(live_server: str) -> None:
    async with httpx.AsyncClient(base_url=live_server) as http:
        for body in HOSTILE[:5]:
            response = await http.post(SIGNUP, content=body, headers={"content-type": "application/json"})
            assert response.status_code == 400
            assert response.headers.get("connection", "").lower() != "close"
            after = await http.get("/api/v1/events")
            assert after.status_code == 200
