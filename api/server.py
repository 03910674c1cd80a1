"""The API server: uvicorn in its own thread with its own event loop.

The socket is bound in the caller's thread, so a busy port fails `start()` at once and
port 0 gives a free port (`port`). `stop()` asks uvicorn to finish the requests in
flight (at most `GRACE_S`) and joins the thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time

import uvicorn
from fastapi import FastAPI

START_TIMEOUT_S = 20.0
GRACE_S = 2
MAX_CONCURRENT = 32  # more open requests get 503 from uvicorn
MAX_HEADER_BYTES = 16 * 1024
HOUSEKEEPING_S = 1.0  # uvicorn's own loop wakes every 0.1 s


class _Server(uvicorn.Server):
    """uvicorn's server with a slower housekeeping loop: its tick refreshes the Date header
    (to the second) and checks `should_exit`, so once a second is enough when `exit_soon()`
    wakes it at once. An idle API then wakes once a second instead of ten times."""

    _loop: asyncio.AbstractEventLoop | None = None
    _wake: asyncio.Event | None = None

    async def main_loop(self) -> None:
        self._wake, self._loop = asyncio.Event(), asyncio.get_running_loop()
        while not await self.on_tick(0):  # counter 0: the Date header on every tick
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), HOUSEKEEPING_S)

    def exit_soon(self) -> None:
        """Finish (like setting `should_exit`) without waiting for the next tick."""
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: it is done anyway
                loop.call_soon_threadsafe(wake.set)


class ApiServer:
    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        self.app, self.host = app, host
        self._socket = _listen(host, port)
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_config=None,  # our loguru sink gets uvicorn's records through stdlib logging
            access_log=False,  # request lines could carry secrets in URLs; metrics count requests
            lifespan="off",
            limit_concurrency=MAX_CONCURRENT,
            timeout_graceful_shutdown=GRACE_S,
            timeout_keep_alive=5,
            h11_max_incomplete_event_size=MAX_HEADER_BYTES,
            server_header=False,
        )
        self._server = _Server(config)
        self._thread = threading.Thread(target=self._serve, name="connext-api", daemon=True)
        logging.getLogger("uvicorn.error").setLevel(logging.WARNING)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def _serve(self) -> None:
        self._server.run(sockets=[self._socket])

    def start(self) -> None:
        """Serve in the background; returns once uvicorn accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._socket.close()
                raise OSError(f"the API server did not start on {self.url}")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.exit_soon()
        if self._thread.is_alive():
            self._thread.join(timeout=GRACE_S + 3)
        self._socket.close()


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket. Its protocol is given explicitly: asyncio sets TCP_NODELAY only
    on sockets whose `proto` is IPPROTO_TCP, and without it every keep-alive response waits
    ~40 ms for a delayed ACK (`socket.create_server` leaves proto 0)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(64)
    except OSError as err:
        sock.close()
        raise OSError(err.errno, f"the API cannot listen on {host}:{port}: {err.strerror}") from err
    return sock
