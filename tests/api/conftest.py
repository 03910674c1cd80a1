"""Fixtures of the API suite: a running API on a free port with a manual clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.api_client import OWNER, ApiClient, running_api

from connext.core.clock import ManualClock


@pytest.fixture
def api(tmp_path: Path, clock: ManualClock) -> Iterator[ApiClient]:
    with running_api(tmp_path, clock) as (_service, client):
        yield client


@pytest.fixture
def owner_token(api: ApiClient) -> str:
    return api.register(*OWNER)
