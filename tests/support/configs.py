"""Valid config documents for each topology, to tweak in tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from connext.core.config import Config, from_dict

BOX = {"serial": "CA020490200005"}
RS485 = {"port": "tcp://127.0.0.1:5020"}
METER = {"address": 32}


def _inverter(address: int, kind: str, family: str = "sofar_g3") -> dict[str, Any]:
    return {"address": address, "serial": f"SN{address:04d}{kind.upper()}", "kind": kind, "family": family}


def _site(phases: int, topology: int) -> dict[str, Any]:
    return {"phases": phases, "contracted_power_w": 6000, "topology": topology, "timezone": "Europe/Rome"}


TOPOLOGY_DOCUMENTS: dict[int, dict[str, Any]] = {
    1: {"site": _site(1, 1), "rs485": RS485, "inverters": [_inverter(1, "hybrid_1ph")]},
    2: {"site": _site(1, 2), "rs485": RS485, "inverters": [_inverter(1, "storage", "sofar_legacy")]},
    3: {"site": _site(3, 3), "rs485": RS485, "inverters": [_inverter(1, "hybrid_3ph")]},
    4: {"site": _site(1, 4), "rs485": RS485, "inverters": [_inverter(1, "pv_1ph")],
        "sensors": {"ct1": {"multiplier": 1}}},
    5: {"site": _site(3, 5), "rs485": RS485, "meter": METER, "inverters": [_inverter(1, "pv_3ph")]},
    6: {"site": _site(1, 6), "sensors": {"ct1": {"multiplier": 1}, "ct2": {"multiplier": 1}}},
    7: {"site": _site(3, 7), "rs485": RS485, "meter": METER, "sensors": {"ct2": {"multiplier": 3}}},
    8: {"site": _site(1, 8), "sensors": {"ct1": {"multiplier": 1}}},
    9: {"site": _site(3, 9), "rs485": RS485, "meter": METER},
}  # fmt: skip


def site_document(topology: int = 9, **sections: Any) -> dict[str, Any]:
    """A valid document for `topology`; keyword arguments replace whole sections."""
    document = {"box": dict(BOX), **copy.deepcopy(TOPOLOGY_DOCUMENTS[topology])}
    document.update(copy.deepcopy(sections))
    return document


def site_config(tmp_path: Path, topology: int = 9, **sections: Any) -> Config:
    """A validated Config whose state lives under `tmp_path`."""
    document = site_document(topology, **sections)
    document.setdefault("state_dir", str(tmp_path / "var"))
    document.setdefault("metrics", {"listen": "127.0.0.1:0"})
    return from_dict(document, tmp_path)
