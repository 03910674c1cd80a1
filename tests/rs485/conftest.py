"""RS485 fixtures: a socat pty pair, a simulated line, configs that point at them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.rs485_line import SocatPair

from connext.sim.modbus_line import SimLine


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[SocatPair]:
    socat = SocatPair(tmp_path).start()
    yield socat
    if socat.process is not None:
        socat.stop()


@pytest.fixture
def line() -> Iterator[SimLine]:
    sim = SimLine(baudrate=9600)
    yield sim
    sim.stop()
