"""A plain HTTP client for the API tests (stdlib http.client: real requests, raw bodies),
and a running API service on a free port."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connext.actors.directory import Directory
from connext.api.accounts import Kdf
from connext.api.service import ApiService
from connext.core.clock import Clock
from support.configs import site_config

FAST_KDF = Kdf(n=2**10, r=8, p=1)  # the KDF itself is tested on its real parameters elsewhere
OWNER = ("olivia", "owner-password-1")
API_SECTION = {"enabled": True, "listen": "127.0.0.1:0"}


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def error(self) -> str:
        return self.body.get("error", "") if isinstance(self.body, dict) else ""


class ApiClient:
    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        payload = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=payload, headers=sent)
            response = connection.getresponse()
            data = response.read()
            reply_headers = {k.lower(): v for k, v in response.getheaders()}
        finally:
            connection.close()
        is_json = reply_headers.get("content-type", "").startswith("application/json")
        return Reply(response.status, json.loads(data) if is_json and data else data, reply_headers)

    def login(self, name: str, password: str) -> str:
        reply = self.request("POST", "/api/auth/login", {"name": name, "password": password})
        assert reply.status == 200, reply
        return reply.body["token"]

    def register(self, name: str, password: str) -> str:
        reply = self.request("POST", "/api/auth/register", {"name": name, "password": password})
        assert reply.status == 201, reply
        return reply.body["token"]


@contextmanager
def running_api(
    tmp_path: Path, clock: Clock, directory: Directory | None = None, kdf: Kdf = FAST_KDF, **sections: Any
) -> Iterator[tuple[ApiService, ApiClient]]:
    """An API service for topology 9 (with outputs 3 and 4) whose state lives under tmp_path, on a free port."""
    sections.setdefault("outputs", [{"number": 3}, {"number": 4}])
    config = site_config(tmp_path, api={**API_SECTION, **sections.pop("api", {})}, **sections)
    service = ApiService(config, directory or Directory(), clock, kdf=kdf).start()
    try:
        assert service.server is not None
        yield service, ApiClient(service.server.port)
    finally:
        service.stop()
