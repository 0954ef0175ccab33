"""Forum topic page throughput against a bare Starlette hello-world, and search latency.

Starts a real ``tierslieu serve --workers 2`` on a fresh PostgreSQL database, and, in the
same run, a bare Starlette "hello world" app under uvicorn with 2 workers. Then:

1. seeds a 200-post question (through the JSON API for the topic, then SQL for the
   replies and their search entries), and ``--search-posts`` posts (default 100,000) of
   French text spread over topics of 50 posts, for search;
2. ``hello``: loops ``GET /`` on the hello-world app with ``--concurrency`` coroutines;
3. ``topic``: loops the first page (20 posts) of the 200-post topic, same load generator;
4. ``search``: ``GET /api/v1/forum/search?q=…`` one at a time, varied French words, p95;
5. weighs the first view of the topic page: HTML + the CSS and JS it links, gzip-compressed.

Target (issue 3): topic ≥ 10 % of the hello-world rate; search p95 ≤ 30 ms; first view
≤ 50 KB compressed in ≤ 5 requests. The last line is ``RESULT {json}``.

    .venv/bin/python bench/forum_topic_bench.py [--seconds S] [--concurrency C] [--search-posts N]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import HOST, free_port, running_server, stop_server, wait_healthy

PASSWORD = "bench-password-0123456789"  # noqa: S105 - the benchmark account's password
HELLO = textwrap.dedent(
    """
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def hello(request):
        return PlainTextResponse("Hello, world!")

    app = Starlette(routes=[Route("/", hello), Route("/healthz", hello)])
    """
)
WORDS = (
    "élèves algorithmique récursivité python tableau dictionnaire boucle fonction variable réseau internet "
    "protocole données image photo capteur robot projet évaluation grille compétence seconde première "
    "terminale enseignant progression activité débranchée tortue fractale arbre graphe parcours tri"
).split()
QUERIES = ["eleve", "recursivite", "python boucle", "reseau", "evaluation projet", "tortue", "algo", "graphe tri"]


FILLER = [
    f"{a}{b}{c}"
    for a in ("ba", "co", "di", "fu", "ga", "li", "mo", "pa", "ri", "su")
    for b in ("ral", "ten", "vid", "mon", "sel", "pir", "dun", "ker", "lop", "zan")
    for c in ("ette", "ion", "age", "eur", "ique")
]


def text_for(n: int) -> str:
    """40 words: 5 from the teaching vocabulary, 35 from 500 others (a common word then
    appears in about one post in seven, as in a real forum)."""
    topical = [WORDS[(n * 7 + i * 13) % len(WORDS)] for i in range(5)]
    filler = [FILLER[(n * 31 + i * 17) % len(FILLER)] for i in range(35)]
    return "Bonjour, " + " ".join(topical + filler) + f". Message numéro {n}."


async def seed(database_url: str, base_url: str, search_posts: int) -> int:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        signup = {"email": "bench@example.org", "password": PASSWORD, "display_name": "Bench"}
        assert (await http.post("/api/v1/auth/signup", json=signup)).status_code == 201
        token = (await http.post("/api/v1/auth/tokens", json=signup)).json()["token"]
    connection = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        user_id = await connection.fetchval("SELECT id FROM accounts_user WHERE email = 'bench@example.org'")
        await connection.execute(
            "UPDATE accounts_user SET created_at = now() - interval '30 days' WHERE id = $1", user_id
        )
        await connection.execute(
            "INSERT INTO accounts_user_role (user_id, role, granted_at) VALUES ($1, 'moderator', now())", user_id
        )
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            headers = {"Authorization": f"Bearer {token}"}
            category = await http.post("/api/v1/forum/categories", json={"name": "Banc d'essai"}, headers=headers)
            category_id = category.json()["id"]
            topic = await http.post(
                "/api/v1/forum/topics",
                json={
                    "category_id": category_id,
                    "title": "Un long sujet de deux cents messages",
                    "body": text_for(0),
                    "kind": "question",
                    "tags": ["bench", "python"],
                },
                headers=headers,
            )
            topic_id = topic.json()["id"]
        await _bulk_posts(connection, topic_id, user_id, 2, 200)
        # search corpus: topics of 50 posts each
        made = 200
        while made < search_posts:
            new_topic = await connection.fetchval(
                "INSERT INTO forum_topic (category_id, author_id, title, kind, post_count, created_at, last_post_at,"
                " pinned) VALUES ($1, $2, $3, 'question', 0, now(), now(), false) RETURNING id",
                category_id,
                user_id,
                f"Question {made} sur {WORDS[made % len(WORDS)]} et {WORDS[(made * 3) % len(WORDS)]}",
            )
            count = min(50, search_posts - made)
            await _bulk_posts(connection, new_topic, user_id, 1, count)
            made += count
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return topic_id


async def _bulk_posts(connection, topic_id: int, user_id: int, first: int, last: int) -> None:
    title = await connection.fetchval("SELECT title FROM forum_topic WHERE id = $1", topic_id)
    rows = [(topic_id, user_id, n, text_for(n + topic_id * 1000)) for n in range(first, last + 1)]
    await connection.executemany(
        "INSERT INTO forum_post (topic_id, author_id, number, body_markdown, body_html, score, created_at)"
        " VALUES ($1, $2, $3, $4, '<p>' || $4 || '</p>', 0, now())",
        rows,
    )
    await connection.execute(
        "INSERT INTO forum_search_entry (post_id, topic_id, title, body)"
        " SELECT p.id, p.topic_id, CASE WHEN p.number = 1 THEN $2 ELSE '' END, p.body_markdown"
        " FROM forum_post p WHERE p.topic_id = $1 AND p.number >= $3",
        topic_id,
        title,
        first,
    )
    await connection.execute("UPDATE forum_topic SET post_count = $2 WHERE id = $1", topic_id, last)


async def load(url: str, seconds: float, concurrency: int) -> dict:
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:

        async def worker() -> None:
            nonlocal errors
            while time.monotonic() < deadline:
                start = time.perf_counter()
                response = await http.get(url)
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors += 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    return {
        "requests_per_second": round(len(ordered) / elapsed, 1),
        "p50_ms": round(1000 * ordered[len(ordered) // 2], 1) if ordered else None,
        "p95_ms": round(1000 * ordered[int(len(ordered) * 0.95)], 1) if ordered else None,
        "errors": errors,
    }


async def search_latency(base_url: str, rounds: int) -> dict:
    times = []
    empty = 0
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        for i in range(rounds):
            start = time.perf_counter()
            response = await http.get("/api/v1/forum/search", params={"q": QUERIES[i % len(QUERIES)]})
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, response.text[:200]
            empty += not response.json()["items"]
    times.sort()
    return {
        "p50_ms": round(1000 * statistics.median(times), 1),
        "p95_ms": round(1000 * times[int(len(times) * 0.95)], 1),
        "queries_without_results": empty,
    }


async def first_view(base_url: str, topic_id: int) -> dict:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        page = await http.get(f"/forum/t/{topic_id}")
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
        sizes = [len(gzip.compress(page.content))]
        for asset in assets:
            sizes.append(len(gzip.compress((await http.get(asset)).content)))
    return {"requests": 1 + len(assets), "compressed_kb": round(sum(sizes) / 1024, 1)}


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--search-posts", type=int, default=100_000)
    parser.add_argument("--search-rounds", type=int, default=400)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hello-") as hello_dir:
        Path(hello_dir, "hello_app.py").write_text(HELLO, encoding="utf-8")  # noqa: ASYNC240 - set-up
        port = free_port()
        hello_url = f"http://{HOST}:{port}"
        log_path = Path(hello_dir, "hello.log")
        with log_path.open("wb") as log:  # noqa: ASYNC230 - set-up
            hello = subprocess.Popen(  # noqa: S603, ASYNC220 - our own interpreter
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "hello_app:app",
                    "--host",
                    HOST,
                    "--port",
                    str(port),
                    "--workers",
                    "2",
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                cwd=hello_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                await wait_healthy(hello_url, hello, log_path, 30)
                async with running_server(database="postgres", workers=2) as server:
                    print(f"seeding {args.search_posts} posts …", flush=True)
                    started = time.monotonic()
                    topic_id = await seed(server.database_url, server.base_url, args.search_posts)
                    print(f"  seeded in {time.monotonic() - started:.0f} s", flush=True)
                    topic_url = f"{server.base_url}/forum/t/{topic_id}"
                    await load(topic_url, 2, args.concurrency)  # warm-up
                    await load(hello_url + "/", 2, args.concurrency)
                    hello_result = await load(hello_url + "/", args.seconds, args.concurrency)
                    topic_result = await load(topic_url, args.seconds, args.concurrency)
                    print(f"hello-world {hello_result}; topic page {topic_result}", flush=True)
                    search_result = await search_latency(server.base_url, args.search_rounds)
                    weight = await first_view(server.base_url, topic_id)
            finally:
                stop_server(hello)
    ratio = topic_result["requests_per_second"] / max(hello_result["requests_per_second"], 0.1)
    print(f"hello-world : {hello_result}")
    print(f"topic page  : {topic_result}  ({100 * ratio:.1f} % of hello-world; target ≥ 10 %)")
    print(f"search      : {search_result} at {args.search_posts} posts (target p95 ≤ 30 ms)")
    print(f"first view  : {weight} (target ≤ 50 KB in ≤ 5 requests)")
    result = {
        "hello": hello_result,
        "topic": topic_result,
        "ratio_percent": round(100 * ratio, 1),
        "search": search_result,
        "search_posts": args.search_posts,
        "first_view": weight,
    }
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
