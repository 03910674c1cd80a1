"""The debug socket: a Unix socket (mode 0600) speaking JSON lines.

One request per line, one reply per line: `{"cmd": "actors"}` -> `{"ok": true, ...}`.
A bad request gets `{"ok": false, "error": "..."}` and the connection stays open. A
line longer than `MAX_LINE` bytes is refused and the connection closed; a client
idle for `IDLE_TIMEOUT_S` is dropped. One thread serves every client through a
selector, so a silent or flooding client costs a bounded buffer, never a thread.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loguru import logger

from connext.core import metrics
from connext.core.clock import Clock

from .asking import OperationError

MAX_LINE = 64 * 1024
MAX_CLIENTS = 16
IDLE_TIMEOUT_S = 60.0
IDLE_CHECK_S = 1.0  # how often idle clients are looked for, while any is connected

Handler = Callable[[dict[str, Any]], dict[str, Any]]


class RequestError(Exception):
    """A request that cannot be served; its text goes back to the client (as does the
    text of an `OperationError`: an actor that could not be asked, or said no)."""


@dataclass
class _Client:
    sock: socket.socket
    inbox: bytearray = field(default_factory=bytearray)
    outbox: bytearray = field(default_factory=bytearray)
    last_active_s: float = 0.0
    closing: bool = False


class DebugServer:
    """Serves registered commands; `register(cmd, handler, help)` adds one."""

    def __init__(self, path: str | Path, clock: Clock, idle_timeout_s: float = IDLE_TIMEOUT_S) -> None:
        self.path = Path(path)
        self.clock = clock
        self.idle_timeout_s = idle_timeout_s
        self._handlers: dict[str, tuple[Handler, str]] = {}
        self._clients: dict[int, _Client] = {}
        self._selector = selectors.DefaultSelector()
        self._listener: socket.socket | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None  # stop() writes to [1]
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.register("help", self._help, "list the commands")

    def register(self, cmd: str, handler: Handler, help_text: str) -> None:
        self._handlers[cmd] = (handler, help_text)

    def _help(self, _request: dict[str, Any]) -> dict[str, Any]:
        return {"commands": {cmd: text for cmd, (_, text) in sorted(self._handlers.items())}}

    # --- socket plumbing --------------------------------------------------------------

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.is_socket():
            self.path.unlink()  # a leftover of a crashed run; the state-dir lock says we own it
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)  # the socket file is born 0600: no window with wider rights
        try:
            listener.bind(str(self.path))
        finally:
            os.umask(old_umask)
        os.chmod(self.path, 0o600)
        listener.listen(8)
        listener.setblocking(False)
        self._listener = listener
        self._selector.register(listener, selectors.EVENT_READ)
        self._wake = socket.socketpair()
        self._selector.register(self._wake[0], selectors.EVENT_READ)
        self._thread = threading.Thread(target=self._run, name="connext-debug-socket", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._wake is not None:
            self._wake[1].send(b"\0")  # the thread may be waiting for a connection
        if self._thread is not None:
            self._thread.join(timeout=2)
        for client in list(self._clients.values()):
            self._close(client)
        if self._listener is not None:
            self._listener.close()
        for sock in self._wake or ():
            sock.close()
        self.path.unlink(missing_ok=True)

    def _run(self) -> None:
        while not self._stopping.is_set():
            timeout = IDLE_CHECK_S if self._clients else None  # no client: nothing to time out
            for key, events in self._selector.select(timeout):
                if key.fileobj is self._listener:
                    self._accept()
                elif self._wake is not None and key.fileobj is self._wake[0]:
                    continue  # stop(): the loop condition ends it
                else:
                    client = self._clients.get(key.fd)
                    if client is not None:
                        self._serve(client, events)
            self._drop_idle()

    def _accept(self) -> None:
        assert self._listener is not None
        try:
            sock, _ = self._listener.accept()
        except BlockingIOError:
            return
        if len(self._clients) >= MAX_CLIENTS:
            sock.sendall(_encode({"ok": False, "error": f"too many clients (max {MAX_CLIENTS})"}))
            sock.close()
            return
        sock.setblocking(False)
        client = _Client(sock, last_active_s=self.clock.monotonic())
        self._clients[sock.fileno()] = client
        self._selector.register(sock, selectors.EVENT_READ)

    def _serve(self, client: _Client, events: int) -> None:
        if events & selectors.EVENT_READ and not client.closing:
            self._read(client)
        if client.outbox:
            self._write(client)
        if client.closing and not client.outbox:
            self._close(client)

    def _read(self, client: _Client) -> None:
        try:
            data = client.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            client.closing = True
            return
        client.last_active_s = self.clock.monotonic()
        client.inbox += data
        while (end := client.inbox.find(b"\n")) >= 0:
            line, client.inbox = bytes(client.inbox[:end]), client.inbox[end + 1 :]
            client.outbox += _encode(self.handle_line(line))
        if len(client.inbox) > MAX_LINE:
            metrics.DEBUG_REQUESTS.labels(result="too_long").inc()
            client.outbox += _encode({"ok": False, "error": f"request line longer than {MAX_LINE} bytes"})
            client.inbox.clear()
            client.closing = True
        self._selector.modify(client.sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if client.outbox else 0))

    def _write(self, client: _Client) -> None:
        try:
            sent = client.sock.send(client.outbox)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            client.outbox.clear()
            client.closing = True
            return
        del client.outbox[:sent]
        if not client.outbox and not client.closing:
            self._selector.modify(client.sock, selectors.EVENT_READ)

    def _drop_idle(self) -> None:
        now = self.clock.monotonic()
        for client in list(self._clients.values()):
            if now - client.last_active_s > self.idle_timeout_s:
                self._close(client)

    def _close(self, client: _Client) -> None:
        self._clients.pop(client.sock.fileno(), None)
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(client.sock)
        client.sock.close()

    # --- requests ---------------------------------------------------------------------

    def handle_line(self, line: bytes) -> dict[str, Any]:
        """One request line in, one reply out; never raises."""
        try:
            request = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            return self._error(None, f"not JSON: {err}", "malformed")
        if not isinstance(request, dict):
            return self._error(None, 'a request is a JSON object such as {"cmd": "actors"}', "malformed")
        request_id = request.get("id")
        cmd = request.get("cmd")
        if not isinstance(cmd, str) or cmd not in self._handlers:
            known = ", ".join(sorted(self._handlers))
            return self._error(request_id, f"unknown cmd {cmd!r}; known: {known}", "unknown")
        try:
            reply = {"ok": True, **self._handlers[cmd][0](request)}
        except (RequestError, OperationError) as err:
            return self._error(request_id, str(err), "refused")
        except Exception as err:  # noqa: BLE001 - a handler bug must not take the socket down; it is logged in full
            logger.opt(exception=err).error("debug socket: {} failed", cmd)
            return self._error(request_id, f"internal error: {type(err).__name__}: {err}", "error")
        metrics.DEBUG_REQUESTS.labels(result="ok").inc()
        return reply if request_id is None else {"id": request_id, **reply}

    @staticmethod
    def _error(request_id: object, text: str, result: str) -> dict[str, Any]:
        metrics.DEBUG_REQUESTS.labels(result=result).inc()
        reply: dict[str, Any] = {"ok": False, "error": text}
        return reply if request_id is None else {"id": request_id, **reply}


def _encode(reply: dict[str, Any]) -> bytes:
    return json.dumps(reply, default=str, separators=(",", ":")).encode() + b"\n"
