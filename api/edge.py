"""The ASGI layer in front of the app: body size limit, security headers, request metrics."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import BodyTooLarge
from .metrics import REQUESTS

# The web page loads only its own files and talks only to its own origin. The API
# documentation page (Swagger UI) needs an inline script, so it gets a looser policy.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
    " frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
)
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
NO_STORE = (b"cache-control", b"no-store")  # API answers (accounts, tokens) never sit in a cache


class Edge:
    """Refuses bodies over `max_body_bytes` (413), adds security headers, counts responses."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            await self._too_large(send)
            return
        policy = DOCS_POLICY if scope["path"] == "/docs" else PAGE_POLICY
        headers = [*HEADERS, (b"content-security-policy", policy.encode())]
        if scope["path"].startswith("/api/"):
            headers.append(NO_STORE)
        await self.app(scope, self._limited(receive), self._headers(send, headers))

    def _limited(self, receive: Receive) -> Receive:
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body_bytes:  # a chunked body without Content-Length
                raise BodyTooLarge(f"the request body is over {self.max_body_bytes} bytes")
            return message

        return limited

    @staticmethod
    def _headers(send: Send, headers: list[tuple[bytes, bytes]]) -> Send:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
                REQUESTS.labels(code=str(message["status"])).inc()
            await send(message)

        return with_headers

    async def _too_large(self, send: Send) -> None:
        body: Any = b'{"status":413,"error":"the request body is over %d bytes","problems":[]}' % self.max_body_bytes
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *HEADERS,
            NO_STORE,
        ]
        REQUESTS.labels(code="413").inc()
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
