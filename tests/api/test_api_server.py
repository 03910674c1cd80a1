"""The API server's own loop: the Date header is kept, and stop() ends the server thread."""

from __future__ import annotations

import socket
import urllib.request
from email.utils import parsedate_to_datetime

from fastapi import FastAPI

from connext.api.server import ApiServer


def test_responses_carry_the_date_and_stop_ends_the_server() -> None:
    app = FastAPI()
    app.get("/ping")(lambda: {"pong": True})
    server = ApiServer(app, "127.0.0.1", 0)
    server.start()
    try:
        with urllib.request.urlopen(f"{server.url}ping", timeout=10) as reply:
            assert reply.read() == b'{"pong":true}'
            assert parsedate_to_datetime(reply.headers["date"]).tzname() == "UTC"
    finally:
        server.stop()
    assert not server._thread.is_alive()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", server.port)) != 0
