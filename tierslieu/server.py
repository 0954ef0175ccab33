"""The app server's HTTP protocol: uvicorn's (httptools) with read timeouts for slow clients.

uvicorn closes an idle keep-alive connection, but waits for ever for a request's headers
and for the rest of a declared body: a thousand connections sending a header line every
few seconds, or one byte of a 1 MB body, would hold a thousand sockets and tasks. Here a
connection is closed when its request's headers are not complete ``header_timeout``
seconds after they began (or after the connection opened), or when ``body_timeout``
seconds pass without a piece of a body it announced. nginx does the same in front
(``client_header_timeout``, ``client_body_timeout``: docs/deploy/nginx.conf); these
guard a process reached directly too.

The timeouts come from ``TIERSLIEU_HEADER_TIMEOUT`` and ``TIERSLIEU_BODY_TIMEOUT``
(:class:`tierslieu.settings.Settings`), read in each worker process.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from tierslieu.settings import Settings, seconds_from_environment

log = logging.getLogger("tierslieu.server")


@functools.cache
def timeouts() -> tuple[float, float]:
    return (
        seconds_from_environment("TIERSLIEU_HEADER_TIMEOUT", Settings.header_timeout),
        seconds_from_environment("TIERSLIEU_BODY_TIMEOUT", Settings.body_timeout),
    )


class TimedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout, self.body_timeout = timeouts()
        self._read_timer: asyncio.TimerHandle | None = None

    def _arm(self, seconds: float, what: str) -> None:
        self._disarm()
        self._read_timer = self.loop.call_later(seconds, self._too_slow, what)

    def _disarm(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _too_slow(self, what: str) -> None:
        self._read_timer = None
        if not self.transport.is_closing():
            log.info("slow client closed: no complete %s in time", what, extra={"client": self.client})
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.header_timeout, "headers")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm(self.header_timeout, "headers")

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._arm(self.body_timeout, "body")  # disarmed at once for a request without a body

    def on_body(self, body: bytes) -> None:
        super().on_body(body)
        self._arm(self.body_timeout, "body")

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.pipeline:
            self._disarm()  # idle now: uvicorn's keep-alive timeout takes over

    def handle_websocket_upgrade(self) -> None:
        self._disarm()
        super().handle_websocket_upgrade()
