"""Fixtures every suite may use."""

from __future__ import annotations

from collections.abc import Iterator

import pykka
import pytest

from connext.core.clock import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(autouse=True)
def _stop_actors() -> Iterator[None]:
    """No actor outlives its test."""
    yield
    pykka.ActorRegistry.stop_all(block=True, timeout=5)
