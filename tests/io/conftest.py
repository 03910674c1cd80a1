"""Fixtures of the box I/O tests."""

from __future__ import annotations

import pytest

from connext.actors.directory import Directory
from connext.core.hw.sim import SimBoard


@pytest.fixture
def board() -> SimBoard:
    return SimBoard()


@pytest.fixture
def directory() -> Directory:
    return Directory()
