"""The API's metrics (declared once, at import, on the process registry)."""

from __future__ import annotations

from prometheus_client import Counter

from connext.core.metrics import REGISTRY

REQUESTS = Counter("connext_api_requests", "HTTP API responses by status code.", ["code"], registry=REGISTRY)
LOGINS = Counter(
    "connext_api_logins", "Login attempts by result: ok, wrong (name or password), locked.", ["result"],
    registry=REGISTRY,
)  # fmt: skip
