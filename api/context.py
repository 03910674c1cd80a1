"""What every route reaches through `request.app.state.ctx`."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from connext.core.config import ApiConfig

from .operations import Runtime
from .workers import Database, Hasher


@dataclass(frozen=True, slots=True)
class ApiContext:
    runtime: Runtime
    settings: ApiConfig
    db: Database
    hasher: Hasher


def context(request: Request) -> ApiContext:
    return request.app.state.ctx
