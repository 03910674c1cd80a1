"""`connext debug`: a small client of the debug socket (JSON lines over a Unix socket)."""

from __future__ import annotations

import json
import socket
from typing import Any

TIMEOUT_S = 5.0


def request(socket_path: str, payload: dict[str, Any], timeout_s: float = TIMEOUT_S) -> dict[str, Any]:
    """Send one request, return the decoded reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        sock.connect(socket_path)
        sock.sendall(json.dumps(payload).encode() + b"\n")
        buffer = b""
        while not buffer.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            buffer += chunk
    return json.loads(buffer)


def build_request(words: list[str]) -> dict[str, Any]:
    """`actors` | `state NAME` | `site` | `version` | `help` | `raw JSON` | `CMD key=value ...`."""
    if not words:
        return {"cmd": "help"}
    cmd, rest = words[0], words[1:]
    if cmd == "raw":
        return json.loads(" ".join(rest))
    if cmd == "state" and len(rest) == 1 and "=" not in rest[0]:
        return {"cmd": "state", "name": rest[0]}
    payload: dict[str, Any] = {"cmd": cmd}
    for word in rest:
        key, sep, value = word.partition("=")
        if not sep:
            raise ValueError(f"expected key=value, got {word!r}")
        payload[key] = _value(value)
    return payload


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def render_actors(reply: dict[str, Any]) -> str:
    """The actor list as a table."""
    rows = [("NAME", "KIND", "GROUP", "STATUS", "RESTARTS", "LAST MSG", "MAILBOX")]
    for a in reply.get("actors", []):
        age = a.get("last_message_age_s")
        rows.append(
            (
                a["name"],
                a["kind"],
                a["group"],
                a["status"],
                str(a["restarts"]),
                "-" if age is None else f"{age:.1f}s ago",
                str(a.get("mailbox", 0)),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)
