"""Faults with several processes (issue 19): a process killed with SIGKILL in the middle
of a stream of writes loses none that was acknowledged (PostgreSQL and SQLite); SIGTERM
finishes what is in flight and closes websockets with 1001/1012, whose clients reconnect to
the other process; periodic jobs and the mail outbox run once with two processes; nginx
closes slow clients."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import re
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import asyncpg
import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.scale import harness
from tests.scale.harness import AppProcess, Stack, api_token, client_tls, query, token_headers
from tests.scale.test_nginx import slot


@dataclass
class Acknowledged:
    """The writes that got a 2xx, by kind: the ids the answers gave."""

    posts: list[int] = field(default_factory=list)
    bookings: list[int] = field(default_factory=list)
    registrations: list[tuple[int, int]] = field(default_factory=list)  # (event, person)
    failures: Counter[str] = field(default_factory=Counter)


async def write_stream(
    http: httpx.AsyncClient, tokens: list[tuple[int, str]], seeded: dict, done: Acknowledged, stop: asyncio.Event
) -> None:
    """Replies, bookings and registrations, one after the other, until told to stop; every
    failure (refused, reset, 502) is counted, not raised."""
    n = 0
    events = list(seeded["events"])
    while not stop.is_set():
        person, token = tokens[n % len(tokens)]
        headers = token_headers(token)
        kind = ("post", "booking", "registration")[n % 3]
        try:
            if kind == "post":
                r = await http.post(
                    f"/api/v1/forum/topics/{seeded['topic']}/posts", json={"body": f"Message {n}"}, headers=headers
                )
                if r.status_code == 201:
                    done.posts.append(r.json()["id"])
            elif kind == "booking":
                starts, ends = slot(20 + n // 45, 7 + (n // 3) % 15)
                body = {"room_id": seeded["room"], "starts_at": starts, "ends_at": ends, "purpose": f"Stream {n}"}
                r = await http.post("/api/v1/bookings", json=body, headers=headers)
                if r.status_code == 201:
                    done.bookings.append(r.json()["id"])
            elif events:
                event = events[(n // 3) % len(events)]
                r = await http.post(f"/api/v1/events/{event}/registrations", headers=headers)
                if r.status_code == 201:
                    done.registrations.append((event, person))
            else:
                r = None
            if r is not None and r.status_code >= 300 and r.status_code != 409:
                done.failures[str(r.status_code)] += 1
        except httpx.HTTPError as exc:
            done.failures[type(exc).__name__] += 1
        n += 1


async def stream_and_kill(
    http_for_writers: list[httpx.AsyncClient], victim: AppProcess, tokens, seeded
) -> Acknowledged:
    done = Acknowledged()
    stop = asyncio.Event()
    writers = [
        asyncio.create_task(write_stream(http, tokens[i::2] or tokens, seeded, done, stop))
        for i, http in enumerate(http_for_writers)
    ]
    await asyncio.sleep(2.0)
    before = len(done.posts) + len(done.bookings) + len(done.registrations)
    victim.kill()  # kill -9 in the middle of the stream
    await asyncio.sleep(1.0)
    stop.set()
    await asyncio.gather(*writers)
    assert before > 0, done.failures
    return done


async def test_every_acknowledged_write_survives_a_kill_9_on_postgresql(up: Stack) -> None:
    victim = up.apps[0]
    async with up.client() as via_nginx, up.direct(victim) as direct:
        tokens = [(p["id"], await up.token(via_nginx, n)) for n, p in enumerate(up.seeded["people"])]
        done = await stream_and_kill([via_nginx, direct, via_nginx], victim, tokens, up.seeded)
    up.restart(victim)
    assert done.failures, "the kill interrupted nothing"
    posts = {r["id"] for r in query(up.database_url, "SELECT id FROM forum_post WHERE id = ANY($1)", done.posts)}
    assert posts == set(done.posts)
    bookings = query(up.database_url, "SELECT id, status FROM bookings_booking WHERE id = ANY($1)", done.bookings)
    assert {r["id"] for r in bookings} == set(done.bookings)
    assert {r["status"] for r in bookings} <= {"confirmed"}
    for event, person in done.registrations:
        rows = query(
            up.database_url, "SELECT id FROM events_registration WHERE event_id=$1 AND user_id=$2", event, person
        )
        assert len(rows) == 1


async def test_every_acknowledged_write_survives_a_kill_9_on_sqlite() -> None:
    harness.require_stack()
    with harness.tempdir() as workdir:
        database = workdir / "tierslieu.sqlite3"
        url = f"sqlite://{database}"
        env = harness.app_env(url, "http://127.0.0.1:8998")
        app = AppProcess("sqlite", workdir, env).start()
        try:
            app.wait_ready()
            seeded = harness.seed(url)
            async with httpx.AsyncClient(
                base_url=f"http://{app.address}", headers={"Host": "127.0.0.1:8998"}, timeout=30
            ) as http:
                tokens = [(p["id"], await api_token(http, p["email"], seeded["password"])) for p in seeded["people"]]
                done = await stream_and_kill([http, http], app, tokens, seeded)
            app.start().wait_ready()  # after a crash: the WAL is replayed on open
        finally:
            app.stop()
        with contextlib.closing(sqlite3.connect(database)) as connection:
            marks = ",".join("?" * len(done.posts))
            posts = {
                row[0] for row in connection.execute(f"SELECT id FROM forum_post WHERE id IN ({marks})", done.posts)
            }
            marks = ",".join("?" * len(done.bookings))
            bookings = {
                row[0]
                for row in connection.execute(f"SELECT id FROM bookings_booking WHERE id IN ({marks})", done.bookings)
            }
            registrations = {
                tuple(row) for row in connection.execute("SELECT event_id, user_id FROM events_registration")
            }
    assert done.posts and posts == set(done.posts)
    assert bookings == set(done.bookings)
    assert set(done.registrations) <= registrations


async def test_sigterm_finishes_requests_in_flight_and_sockets_reconnect_to_the_other_process(up: Stack) -> None:
    url = up.base_url.replace("https://", "wss://") + "/ws"
    topic = f"topic:{up.seeded['topic']}"
    ws = await connect(url, ssl=client_tls())
    holder = up.app_at(ws.response.headers["x-upstream"])
    await ws.send(json.dumps({"subscribe": topic}))
    assert json.loads(await ws.recv()) == {"subscribed": topic}
    person = up.person(1)
    async with up.direct(holder) as direct:
        token = await api_token(direct, person["email"], up.password)
        # twelve connections open first, so the requests below are sent at once on them
        await asyncio.gather(*(direct.get("/healthz") for _ in range(12)))
        finished: list[float] = []
        first_answer = asyncio.Event()

        async def timed(call) -> httpx.Response:
            response = await call
            finished.append(time.monotonic())
            first_answer.set()
            return response

        # slow requests (a password hash each, two at a time), in flight when the signal comes
        in_flight = [
            asyncio.create_task(
                timed(direct.post("/api/v1/auth/tokens", json={"email": person["email"], "password": up.password}))
            )
            for _ in range(8)
        ] + [
            asyncio.create_task(
                timed(
                    direct.post(
                        f"/api/v1/forum/topics/{up.seeded['topic']}/posts",
                        json={"body": f"Pendant l'arrêt {n}"},
                        headers=token_headers(token),
                    )
                )
            )
            for n in range(4)
        ]
        # the signal comes as the first answer arrives: the process is serving them, and
        # the password hashes, two at a time, leave most of them still running
        await asyncio.wait_for(first_answer.wait(), timeout=30)
        signalled = time.monotonic()
        holder.signal(signal.SIGTERM)
        answers = await asyncio.gather(*in_flight)
    assert max(finished) > signalled, "nothing was in flight when the signal came"
    assert [r.status_code for r in answers] == [201] * 12
    try:
        async with asyncio.timeout(15):
            while True:
                await ws.recv()
    except ConnectionClosed as closed:
        assert closed.rcvd is not None and closed.rcvd.code in (1001, 1012), closed
    # it exited by itself (uvicorn ends by raising the signal again, as systemd expects)
    assert holder.wait(20) in (0, -signal.SIGTERM)
    # the client reconnects as live.js does: nginx sends it to the other process
    async with connect(url, ssl=client_tls()) as again:
        # (nginx may first try the stopped process: $upstream_addr then lists both, the one
        # that answered last)
        assert again.response.headers["x-upstream"].split(", ")[-1] == up.other(holder).address
        await again.send(json.dumps({"subscribe": topic}))
        assert json.loads(await again.recv()) == {"subscribed": topic}
    up.restart(holder)


async def test_periodic_jobs_and_the_outbox_run_once_with_two_processes(up: Stack) -> None:
    """Both processes start at once with due work: each event reminder, no-show release,
    mentoring reminder, lapse and expiry, help-desk reminder and duty block, and daily digest
    is written once, each notification once, and each mail reaches the SMTP server once."""
    for app in up.apps:
        app.stop()
    due = harness.seed(up.database_url, "background")
    # The jobs wait at the turnstiles below as long as it takes the other process to start,
    # all at once: a longer statement timeout and room in the pool (as docs/deploy.md sets
    # it). The processes keep them until they are restarted; no later scenario depends on them.
    documented = [app.env for app in up.apps]
    patient = {"TIERSLIEU_DATABASE_TIMEOUT": "120", "TIERSLIEU_DATABASE_URL": f"{up.database_url}?maxsize=10"}
    for app in up.apps:
        app.env = {**app.env, **patient}
    try:
        await through_turnstiles(up.database_url, turnstiles(due), start=lambda: [app.start() for app in up.apps])
        for app in up.apps:
            app.wait_ready()
    finally:
        for app, env in zip(up.apps, documented, strict=True):
            app.env = env
    # many mails at once, written through both processes: address confirmations
    async with up.client() as http:
        signups = [
            http.post(
                "/api/v1/auth/signup",
                json={"email": f"new{n}@example.org", "password": "a long passphrase 123", "display_name": f"New {n}"},
            )
            for n in range(20)
        ]
        assert [r.status_code for r in await asyncio.gather(*signups)] == [201] * 20

    def ours() -> list:
        return [m for m in list(up.inbox.messages) if re.search(r"\b(?:sweep|new)\d+@", str(m["To"]))]

    deadline = time.monotonic() + 60
    outbox: list[dict] = []
    while time.monotonic() < deadline:
        # this test's mails (a mail of an earlier test claimed by a process killed then
        # waits for its retry, minutes later)
        outbox = query(
            up.database_url,
            "SELECT id, to_address, kind, subject, sent_at FROM tierslieu_outbox_mail"
            " WHERE to_address LIKE 'sweep%' OR to_address LIKE 'new%'",
        )
        swept = sweeps_done(up, due)
        if swept and outbox and all(row["sent_at"] for row in outbox) and len(ours()) >= len(outbox):
            break
        await asyncio.sleep(0.5)
    reminded = query(
        up.database_url,
        "SELECT count(*) AS n FROM events_registration WHERE event_id=$1 AND reminded_at IS NOT NULL",
        due["event"],
    )
    assert reminded[0]["n"] == len(due["people"])
    released = query(
        up.database_url,
        "SELECT count(*) AS n FROM bookings_booking WHERE id = ANY($1) AND cancel_reason = 'no_show'",
        due["bookings"],
    )
    assert released[0]["n"] == len(due["bookings"])
    assert_mentoring_swept_once(up, due["mentoring"])
    assert_helpdesk_swept_once(up, due["helpdesk"])
    # one mail row per person and purpose, every row sent, and sent once
    for person in due["people"]:
        assert any(row["to_address"] == person["email"] for row in outbox), person
    rows = Counter((row["to_address"], row["subject"]) for row in outbox)
    assert max(rows.values()) == 1, [mail for mail, n in rows.items() if n > 1]
    assert all(row["sent_at"] is not None for row in outbox)
    ids = Counter(str(message["Message-ID"]) for message in up.inbox.messages)
    assert ids and max(ids.values()) == 1, [i for i, n in ids.items() if n > 1]
    received = Counter((message["To"].addresses[0].addr_spec, str(message["Subject"])) for message in ours())
    assert received == rows
    desk_reminders = [row for row in outbox if row["kind"] == "helpdesk" and row["subject"].startswith("Reminder")]
    assert sorted(row["to_address"] for row in desk_reminders) == sorted(
        appointment["person"] for appointment in due["helpdesk"]["appointments"]
    )
    digests = [row for row in outbox if row["to_address"] == "sweep30@example.org"]
    assert [row["subject"] for row in digests] == ["2 new notifications"]
    for n in range(20):
        assert len(up.inbox.to(f"new{n}@example.org")) == 1


@dataclass
class Turnstile:
    """Rows held locked (``FOR UPDATE``, in a transaction of the test) until ``jobs`` jobs of
    each process wait for them: (table, column, values)."""

    jobs: int
    rows: list[tuple[str, str, list[int]]]


def turnstiles(due: dict) -> list[Turnstile]:
    """The first claim of every job, then the mentoring sweep's later steps, one at a time."""
    desk = due["helpdesk"]
    request = {step: [due["mentoring"][step]["request"]] for step in MENTORING_STEPS}
    return [
        Turnstile(
            6,
            [
                ("events_registration", "event_id", [due["event"]]),
                ("bookings_booking", "id", due["bookings"]),
                ("mentoring_offer", "request_id", request["offer_to_remind"]),
                ("helpdesk_appointment", "id", [appointment["id"] for appointment in desk["appointments"]]),
                ("helpdesk_hours", "id", [desk["hours"]]),  # a new block's foreign key waits for it
                ("notifications_notification", "user_id", [due["digest"]["person"]]),
            ],
        ),
        Turnstile(
            1,
            [
                ("mentoring_request", "id", request["offer_to_lapse"]),
                ("mentoring_offer", "request_id", request["offer_to_lapse"]),
            ],
        ),
        Turnstile(1, [("mentoring_request", "id", request["request_to_remind"])]),
        Turnstile(1, [("mentoring_request", "id", request["request_to_expire"])]),
    ]


async def through_turnstiles(database_url: str, turnstiles: list[Turnstile], start: Callable[[], object]) -> None:
    """Lock each turnstile's rows, ``start`` the processes, then open the turnstiles in turn,
    each once both processes' jobs wait at it: every job of both processes has read its due
    work before either writes any of it, the race that the claims must win every time."""
    monitor = await asyncpg.connect(database_url)
    holders = [await asyncpg.connect(database_url) for _ in turnstiles]
    try:
        transactions = [holder.transaction() for holder in holders]
        for turnstile, holder, transaction in zip(turnstiles, holders, transactions, strict=True):
            await transaction.start()
            for table, column, values in turnstile.rows:
                await holder.execute(f"SELECT 1 FROM {table} WHERE {column} = ANY($1) FOR UPDATE", values)
        start()
        for n, (turnstile, holder, transaction) in enumerate(zip(turnstiles, holders, transactions, strict=True)):
            deadline = time.monotonic() + 120
            while (waiting := await waiting_for(monitor, holder.get_server_pid())) < 2 * turnstile.jobs:
                assert time.monotonic() < deadline, f"turnstile {n}: {waiting} of {2 * turnstile.jobs} jobs wait"
                await asyncio.sleep(0.05)
            await transaction.commit()
    finally:
        for connection in (monitor, *holders):
            await connection.close()


async def waiting_for(monitor: asyncpg.Connection, pid: int) -> int:
    """How many sessions wait for a lock of ``pid``, directly or in line behind another."""
    rows = await monitor.fetch(
        "SELECT pid, pg_blocking_pids(pid) AS blockers FROM pg_stat_activity WHERE datname = current_database()"
    )
    waiting: set[int] = set()
    behind = {pid}
    while behind:
        behind = {row["pid"] for row in rows if behind & set(row["blockers"])} - waiting
        waiting |= behind
    return len(waiting)


def sweeps_done(up: Stack, due: dict) -> bool:
    """Whether every periodic job has done its work (the mails it wrote are then in the outbox)."""
    mentoring, desk = due["mentoring"], due["helpdesk"]
    done = query(
        up.database_url,
        """SELECT
            (SELECT count(*) FROM events_registration WHERE event_id=$1 AND reminded_at IS NOT NULL) AS events,
            (SELECT count(*) FROM bookings_booking WHERE id = ANY($2) AND cancel_reason = 'no_show') AS bookings,
            (SELECT count(*) FROM mentoring_offer WHERE request_id=$3 AND reminded_at IS NOT NULL)
          + (SELECT count(*) FROM mentoring_offer WHERE request_id=$4 AND outcome='lapsed')
          + (SELECT count(*) FROM mentoring_request WHERE id=$5 AND expiry_reminded_at IS NOT NULL)
          + (SELECT count(*) FROM mentoring_request WHERE id=$6 AND status='expired') AS mentoring,
            (SELECT count(*) FROM helpdesk_appointment WHERE id = ANY($7) AND reminded_at IS NOT NULL) AS desk,
            (SELECT count(*) FROM helpdesk_block WHERE hours_id=$8) AS blocks,
            (SELECT count(*) FROM notifications_notification WHERE user_id=$9 AND digest_pending) AS digest""",
        due["event"],
        due["bookings"],
        *(mentoring[step]["request"] for step in MENTORING_STEPS),
        [appointment["id"] for appointment in desk["appointments"]],
        desk["hours"],
        due["digest"]["person"],
    )[0]
    return done == {
        "events": len(due["people"]),
        "bookings": len(due["bookings"]),
        "mentoring": len(MENTORING_STEPS),
        "desk": len(desk["appointments"]),
        "blocks": len(desk["blocks"]),
        "digest": 0,
    }


MENTORING_STEPS = ("offer_to_remind", "offer_to_lapse", "request_to_remind", "request_to_expire")


def assert_mentoring_swept_once(up: Stack, due: dict) -> None:
    """Each step's state written, and each person told once of it (one notification row)."""
    ids = [due[step]["request"] for step in MENTORING_STEPS]
    sql = "SELECT id, status, mentor_id, expiry_reminded_at FROM mentoring_request WHERE id = ANY($1)"
    requests = {row["id"]: row for row in query(up.database_url, sql, ids)}
    sql = "SELECT request_id, outcome, reminded_at FROM mentoring_offer WHERE request_id = ANY($1)"
    offers = {row["request_id"]: row for row in query(up.database_url, sql, ids)}
    to_remind, to_lapse = offers[due["offer_to_remind"]["request"]], offers[due["offer_to_lapse"]["request"]]
    assert (to_remind["outcome"], to_remind["reminded_at"] is not None) == ("pending", True)
    assert to_lapse["outcome"] == "lapsed"
    lapsed = requests[due["offer_to_lapse"]["request"]]
    assert (lapsed["status"], lapsed["mentor_id"]) == ("open", None)
    assert requests[due["request_to_remind"]["request"]]["expiry_reminded_at"] is not None
    assert requests[due["request_to_expire"]["request"]]["status"] == "expired"
    told = Counter(
        (row["user_id"], row["kind"], int(row["request"]))
        for row in query(
            up.database_url,
            "SELECT user_id, kind, data->>'request_id' AS request FROM notifications_notification"
            " WHERE kind LIKE 'mentoring.%' AND (data->>'request_id')::int = ANY($1)",
            ids,
        )
    )
    mentor, coordinators = due["mentor"], due["coordinators"]
    request = {step: due[step]["request"] for step in MENTORING_STEPS}
    mentee = {step: due[step]["mentee"] for step in MENTORING_STEPS}
    expected = Counter(
        [
            (mentor, "mentoring.offered", request["offer_to_remind"]),  # when they were offered
            (mentor, "mentoring.offered", request["offer_to_lapse"]),
            (mentor, "mentoring.reminder", request["offer_to_remind"]),
            (mentor, "mentoring.reminder", request["offer_to_lapse"]),
            (mentee["offer_to_lapse"], "mentoring.declined", request["offer_to_lapse"]),
            (mentee["request_to_remind"], "mentoring.reminder", request["request_to_remind"]),
            *((coordinator, "mentoring.reminder", request["request_to_remind"]) for coordinator in coordinators),
            (mentee["request_to_expire"], "mentoring.expiry", request["request_to_expire"]),
        ]
    )
    assert told == expected


def assert_helpdesk_swept_once(up: Stack, due: dict) -> None:
    """Each appointment reminded, and each duty block made once with one room booking."""
    reminded = query(
        up.database_url,
        "SELECT count(*) AS n FROM helpdesk_appointment WHERE id = ANY($1) AND reminded_at IS NOT NULL",
        [appointment["id"] for appointment in due["appointments"]],
    )
    assert reminded[0]["n"] == len(due["appointments"])
    blocks = query(
        up.database_url,
        "SELECT starts_at, problem, booking_id FROM helpdesk_block WHERE hours_id=$1 ORDER BY starts_at",
        due["hours"],
    )
    assert [(row["starts_at"], row["problem"]) for row in blocks] == [
        (dt.datetime.fromisoformat(block["starts_at"]), block["problem"]) for block in due["blocks"]
    ]
    booked = query(up.database_url, "SELECT id FROM bookings_booking WHERE room_id=$1", due["room"])
    assert sorted(row["id"] for row in booked) == sorted(row["booking_id"] for row in blocks if row["booking_id"])


async def test_nginx_closes_slow_clients(up: Stack) -> None:
    """Headers that trickle in, or a body that never comes, are cut off by nginx
    (client_header_timeout, client_body_timeout of docs/deploy/nginx.conf)."""
    config = harness.NGINX_CONF.read_text(encoding="utf-8")
    header_timeout = int(config.split("client_header_timeout ", 1)[1].split("s;", 1)[0])
    body_timeout = int(config.split("client_body_timeout ", 1)[1].split("s;", 1)[0])

    async def opened() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", up.nginx.port, ssl=client_tls())

    async def slow(connection, request: bytes, trickle: bool) -> float:
        reader, writer = connection
        started = time.monotonic()
        writer.write(request)

        async def feed() -> None:
            for n in range(100):
                await asyncio.sleep(3)
                writer.write(f"X-Slow-{n}: yes\r\n".encode())

        feeder = asyncio.create_task(feed()) if trickle else None
        try:
            async with asyncio.timeout(max(header_timeout, body_timeout) + 15):
                with contextlib.suppress(ConnectionError):
                    while await reader.read(65536):
                        pass
            return time.monotonic() - started
        finally:
            if feeder is not None:
                feeder.cancel()
            writer.close()

    headers = f"GET / HTTP/1.1\r\nHost: {up.host}\r\n".encode()
    body = (
        f"POST /api/v1/auth/tokens HTTP/1.1\r\nHost: {up.host}\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000000\r\n\r\n{"
    ).encode()
    # the TLS handshakes first, a few at a time (the client is one Python thread)
    connections = []
    for _ in range(10):
        connections += await asyncio.gather(*(opened() for _ in range(10)))
    took = await asyncio.gather(
        *(slow(connection, headers, True) for connection in connections[:50]),
        *(slow(connection, body, False) for connection in connections[50:]),
    )
    assert max(took[:50]) < header_timeout + 5
    assert max(took[50:]) < body_timeout + 5
