"""Fixtures of the CAN tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.can_rig import CanRig

from connext.core.clock import ManualClock


@pytest.fixture
def make_rig(tmp_path: Path, clock: ManualClock) -> Iterator[Callable[..., CanRig]]:
    """Build a CanRig (wallbox tables, can overrides); closed after the test."""
    rigs: list[CanRig] = []

    def make(*wallboxes: dict[str, Any], supervisor: dict[str, Any] | None = None, **can: Any) -> CanRig:
        rig = CanRig(tmp_path, clock, wallboxes, supervisor, **can)
        rigs.append(rig)
        return rig

    yield make
    for rig in rigs:
        rig.close()


def wallbox_table(address: int, serial: str | None = None, **settings: Any) -> dict[str, Any]:
    """A [[wallboxes]] table."""
    return {"address": address, "serial": serial or f"WB{address:010d}", **settings}
