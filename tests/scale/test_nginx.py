"""Several processes behind nginx behave as one (issue 19): sessions, live updates, races
and rate limits shared through PostgreSQL and Redis; X-Forwarded-For believed from nginx
only; migrations run once when the processes start together.

Each race is a list of requests sent at once through nginx (:func:`race`); a new one (the
help desk's slot race, say) is a list of calls and an assertion on the statuses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from websockets.asyncio.client import connect

from tests.helpers import login, post_form
from tests.scale.harness import Stack, client_tls, query, token_headers
from tierslieu.middleware import SESSION_COOKIE

PARIS = ZoneInfo("Europe/Paris")


def slot(days: int, hour: int, minutes: int = 60) -> tuple[str, str]:
    """A slot ``days`` ahead at ``hour`` (Paris), as the API's RFC 3339 strings."""
    day = datetime.now(UTC).astimezone(PARIS).date() + timedelta(days=days)
    start = datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)
    return start.isoformat(), (start + timedelta(minutes=minutes)).isoformat()


async def race(calls: list[Callable[[], Awaitable[httpx.Response]]]) -> list[httpx.Response]:
    """Send every call at once (each through nginx, so spread over the processes)."""
    start = asyncio.Event()

    async def one(call: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
        await start.wait()
        return await call()

    tasks = [asyncio.ensure_future(one(call)) for call in calls]
    await asyncio.sleep(0)
    start.set()
    return await asyncio.gather(*tasks)


async def test_migrations_ran_once_although_both_processes_started_together(up: Stack) -> None:
    applied = query(up.database_url, "SELECT app, name, count(*) AS n FROM tortoise_migrations GROUP BY app, name")
    assert applied and all(row["n"] == 1 for row in applied)
    logs = [app.log() for app in up.apps]
    # the first to take the advisory lock applied them; the other found nothing to apply
    assert sorted("applied accounts.0001" in log for log in logs) == [False, True], [log[-2000:] for log in logs]


async def test_nginx_spreads_requests_over_both_processes(up: Stack) -> None:
    async with up.client() as http:
        seen = {(await http.get("/healthz")).headers["x-upstream"] for _ in range(6)}
    assert seen == {app.address for app in up.apps}


async def test_a_session_works_on_every_process_and_logout_on_one_ends_it_on_the_other(up: Stack) -> None:
    person = up.person(0)
    async with up.client() as http:
        await login(http, person["email"], up.password)
        cookie = http.cookies[SESSION_COOKIE]
        answers = [await http.get("/me") for _ in range(4)]
        assert [r.status_code for r in answers] == [200] * 4
        assert {r.headers["x-upstream"] for r in answers} == {app.address for app in up.apps}
        logout = await post_form(http, "/logout", from_page="/me")
        assert logout.status_code == 303
        ended_by = logout.headers["x-upstream"]
    async with up.client() as http:
        http.cookies.set(SESSION_COOKIE, cookie, domain="127.0.0.1")
        after = [await http.get("/me") for _ in range(4)]
    others = [r for r in after if r.headers["x-upstream"] != ended_by]
    assert others, "no request reached the other process"
    for response in after:
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_a_websocket_on_one_process_hears_what_is_done_through_the_other(up: Stack) -> None:
    author = up.person(0)  # person 1 replies through the other process
    topic, room = up.seeded["topic"], up.seeded["room"]
    async with up.client() as http:
        await login(http, author["email"], up.password)
        cookie = f"{SESSION_COOKIE}={http.cookies[SESSION_COOKIE]}"
    url = up.base_url.replace("https://", "wss://") + "/ws"
    async with connect(url, ssl=client_tls(), additional_headers={"Cookie": cookie, "Origin": up.base_url}) as ws:
        holder = up.app_at(ws.response.headers["x-upstream"])
        for channel in (f"topic:{topic}", f"room:{room}", f"user:{author['id']}"):
            await ws.send(json.dumps({"subscribe": channel}))
            assert json.loads(await ws.recv()) == {"subscribed": channel}
        async with up.direct(up.other(holder)) as other:
            headers = token_headers(await up.token(other, 1))
            reply = await other.post(f"/api/v1/forum/topics/{topic}/posts", json={"body": "Par ici !"}, headers=headers)
            assert reply.status_code == 201, reply.text
            starts, ends = slot(3, 9)
            booking = await other.post(
                "/api/v1/bookings",
                json={"room_id": room, "starts_at": starts, "ends_at": ends, "purpose": "Réunion"},
                headers=headers,
            )
            assert booking.status_code == 201, booking.text
        wanted = {("topic", "post.created"), ("room", "room.changed"), ("user", "notification.created")}
        heard: set[tuple[str, str]] = set()
        async with asyncio.timeout(15):
            while not wanted <= heard:
                message = json.loads(await ws.recv())
                heard.add((message["channel"].split(":")[0], message["type"]))


async def race_over_both_processes(up: Stack, path: str, body: dict) -> None:
    """16 attempts at the same thing by 4 people at once, spread by nginx over both
    processes: exactly one is taken (201), the others get 409."""
    async with up.client() as http:
        tokens = [await up.token(http, n) for n in range(4)]

        def attempt(token: str) -> Callable[[], Awaitable[httpx.Response]]:
            return lambda: http.post(path, json=body, headers=token_headers(token))

        answers = await race([attempt(tokens[n % 4]) for n in range(16)])
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201] + [409] * 15, [r.text[:200] for r in answers]
    assert {r.headers["x-upstream"] for r in answers} == {app.address for app in up.apps}


async def test_a_room_race_over_both_processes_books_once(up: Stack) -> None:
    room = up.seeded["room"]
    starts, ends = slot(5, 14)
    body = {"room_id": room, "starts_at": starts, "ends_at": ends, "purpose": "Course"}
    await race_over_both_processes(up, "/api/v1/bookings", body)
    rows = query(
        up.database_url,
        "SELECT count(*) AS n FROM bookings_booking WHERE room_id = $1 AND status = 'confirmed' AND starts_at = $2",
        room,
        datetime.fromisoformat(starts),
    )
    assert rows[0]["n"] == 1


async def test_a_help_desk_slot_race_over_both_processes_books_once(up: Stack) -> None:
    desk = up.seeded["helpdesk"]
    body = {
        "helper_id": desk["helper_id"],
        "slot_starts_at": desk["slot"],
        "topic": "python",
        "need": "Débuter Python pour la SNT",
        "format": "online",
    }
    await race_over_both_processes(up, "/api/v1/helpdesk/appointments", body)
    rows = query(
        up.database_url,
        "SELECT count(*) AS n FROM helpdesk_appointment WHERE helper_id = $1 AND starts_at = $2 AND status = 'booked'",
        desk["helper_id"],
        datetime.fromisoformat(desk["slot"]),
    )
    assert rows[0]["n"] == 1


async def test_the_eleventh_wrong_password_is_refused_whichever_process_answers(up: Stack) -> None:
    email = up.seeded["lockable"]  # nobody else signs in with it: the lock-out stays here
    async with up.client() as http:
        answers = [
            await http.post("/api/v1/auth/tokens", json={"email": email, "password": "not the password"})
            for _ in range(11)
        ]
    assert [r.status_code for r in answers] == [401] * 10 + [429]
    assert {r.headers["x-upstream"] for r in answers} == {app.address for app in up.apps}


async def _sign_in_from(http: httpx.AsyncClient, email: str, password: str) -> None:
    """Sign in with a client that does not keep cookies over plain HTTP (they are Secure)."""
    page = await http.get("/login")
    cookies = "; ".join(f"{name}={value}" for name, value in page.cookies.items())
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = await http.post(
        "/login", data={"csrf_token": token, "email": email, "password": password}, headers={"Cookie": cookies}
    )
    assert response.status_code == 303, response.text[:300]


async def test_x_forwarded_for_is_believed_from_nginx_only(up: Stack) -> None:
    """The session remembers the client's address: through nginx, the address nginx saw
    (whatever X-Forwarded-For the client sent); straight to a process from an address that
    is not a trusted proxy, the peer itself, never the header."""
    spoof = {"X-Forwarded-For": "198.51.100.9"}
    person = up.person(2)
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.3", verify=client_tls())
    async with httpx.AsyncClient(base_url=up.base_url, transport=transport, headers=spoof, timeout=30) as http:
        await login(http, person["email"], up.password)
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.4")
    async with up.direct(up.apps[0], transport=transport, headers=spoof) as http:
        await _sign_in_from(http, person["email"], up.password)
    rows = query(
        up.database_url,
        "SELECT ip FROM accounts_session WHERE user_id = $1 ORDER BY created_at",
        person["id"],
    )
    assert [row["ip"] for row in rows] == ["127.0.0.3", "127.0.0.4"]
