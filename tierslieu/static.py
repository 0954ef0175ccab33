"""Static files: URLs with a content hash, cached for a year only under that hash.

:func:`static_url` gives ``/static/app.css?v=<hash of the content>``; :class:`StaticFiles`
answers that URL with ``Cache-Control: public, max-age=31536000, immutable``, so a returning
visitor's browser does not even ask again. Any other URL of the same file (no ``v``, an
old or a made-up hash) gets ``no-cache``: the browser may keep it but checks it again
(ETag, Last-Modified), so a stale copy never sticks for a year.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs

from starlette import staticfiles
from starlette.responses import Response
from starlette.types import Scope

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@cache
def static_version(name: str) -> str:
    """A short hash of the file's content (read once per process: a deploy restarts it)."""
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]


def static_url(name: str) -> str:
    return f"/static/{name}?v={static_version(name)}"


class StaticFiles(staticfiles.StaticFiles):
    """Starlette's static files, with the caching of :func:`static_url`'s hashed URLs."""

    def __init__(self) -> None:
        super().__init__(directory=STATIC_DIR)

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [])
            current = asked == [static_version(path)]
            response.headers["Cache-Control"] = IMMUTABLE if current else REVALIDATE
        return response
