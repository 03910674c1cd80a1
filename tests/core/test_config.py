"""Config validation: every rule names key, value and rule; all problems at once."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from support.configs import TOPOLOGY_DOCUMENTS, site_document

from connext.core.config import ConfigError, from_dict, load_config, parse_config

ROOT = Path(__file__).resolve().parents[2]


def problems(document: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        from_dict(document, Path("/tmp"))
    return [str(p) for p in err.value.problems]


def test_the_shipped_example_config_is_valid_and_paths_are_absolute() -> None:
    config = load_config(ROOT / "config.toml")
    assert config.site.topology == 5
    assert config.meter is not None and config.meter.address == 32
    assert Path(config.state_dir).is_absolute()
    assert config.debug.socket == str(Path(config.state_dir) / "connext.sock")
    assert config.storage.path == str(Path(config.state_dir) / "connext.db")


@pytest.mark.parametrize("topology", sorted(TOPOLOGY_DOCUMENTS))
def test_each_of_the_nine_topologies_has_a_valid_form(topology: int) -> None:
    config = from_dict(site_document(topology), Path("/tmp"))
    assert config.site.topology == topology


def test_relative_paths_are_taken_from_the_config_folder(tmp_path: Path) -> None:
    config = from_dict({**site_document(9), "state_dir": "state", "debug": {"socket": "x/dbg.sock"}}, tmp_path)
    assert config.state_dir == str(tmp_path / "state")
    assert config.debug.socket == str(tmp_path / "x" / "dbg.sock")


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("box", "serial", "CA02049020005", 'box.serial = "CA02049020005": must be a box serial'),
        ("site", "phases", 2, "site.phases = 2: must be one of 1, 3"),
        ("site", "contracted_power_w", 0, "site.contracted_power_w = 0: must be > 0"),
        ("site", "contracted_power_w", "6 kW", 'site.contracted_power_w = "6 kW": must be a number'),
        ("site", "topology", 10, "site.topology = 10: must be an installation topology (SPEC §4) 1..9"),
        ("site", "timezone", "Mars/Olympus", 'site.timezone = "Mars/Olympus": must be an IANA time zone'),
        ("site", "latitude", 91.0, "site.latitude = 91.0: must be a latitude -90..90"),
        ("meter", "address", 300, "meter.address = 300: must be a Modbus address 1..247"),
        ("meter", "ct_ratio", 0, "meter.ct_ratio = 0: must be a CT ratio 1..9999"),
        ("rs485", "port", "udp://x:1", 'rs485.port = "udp://x:1": must be a serial device path'),
        ("rs485", "port", "tcp://host", 'rs485.port = "tcp://host": must be a serial device path'),
        ("rs485", "baudrate", 9601, "rs485.baudrate = 9601: must be one of 1200, 2400"),
        ("can", "interface", "pcan", 'can.interface = "pcan": must be one of "socketcan", "udp_multicast", "virtual"'),
        ("metrics", "listen", "9810", 'metrics.listen = "9810": must be host:port'),
        ("logging", "level", "LOUD", 'logging.level = "LOUD": must be one of'),
        ("supervisor", "intensity", True, "supervisor.intensity = true: must be an integer"),
    ],
)
def test_a_bad_value_names_key_value_and_rule(section: str, key: str, value: Any, message: str) -> None:
    document = site_document(9)
    document.setdefault(section, {})[key] = value
    assert any(p.startswith(message) for p in problems(document)), problems(document)


def test_unknown_keys_are_errors_with_a_suggestion() -> None:
    document = site_document(9)
    document["meter"]["adress"] = 32
    document["sitee"] = {}
    found = problems(document)
    assert "meter.adress = 32: unknown key (did you mean 'address'?)" in found
    assert "sitee = {}: unknown key (did you mean 'site'?)" in found


def test_missing_required_keys_are_named() -> None:
    document = site_document(9)
    del document["site"]["topology"]
    del document["box"]
    assert {"site.topology: is required", "box: is required"} <= set(problems(document))


def test_all_field_problems_are_reported_at_once() -> None:
    document = site_document(9)
    document["meter"]["address"] = 0
    document["site"]["phases"] = 5
    document["wallboxes"] = [{"address": 40, "serial": "W1"}, {"address": 2}]
    found = problems(document)
    assert len(found) == 4, found
    assert "wallboxes[1].serial: is required" in found
    assert "wallboxes[0].address = 40: must be a CAN wallbox address 1..31" in found


@pytest.mark.parametrize(
    ("topology", "change", "message"),
    [
        (5, lambda d: d.pop("meter"), "meter: topology 5 (three-phase, Azzurro PV string inverter) reads the grid"),
        (9, lambda d: d["meter"].update(address=31), "meter.address = 31: topology 9 (three-phase, no PV) reads"),
        (6, lambda d: d.update(rs485={"port": "/dev/ttyS1"}, inverters=[{"address": 1, "serial": "A", "kind":
                                "pv_1ph", "family": "sofar_g3"}]), "inverters = \"1 entries\": topology 6"),
        (4, lambda d: d["sensors"].update(ct2={"multiplier": 1}), "sensors.ct2: topology 4"),
        (7, lambda d: d["sensors"]["ct2"].update(multiplier=1), "sensors.ct2.multiplier = 1: must be 3"),
        (8, lambda d: d["site"].update(phases=3), "site.phases = 3: topology 8 (single-phase, no PV) is a 1-phase"),
        (1, lambda d: d["inverters"][0].update(kind="hybrid_3ph"), 'inverters[0].kind = "hybrid_3ph": topology 1'),
        (2, lambda d: d["inverters"][0].update(kind="pv_1ph"),
         "inverters: topology 2 (Azzurro 3000SP storage retrofit) needs at least one inverter of kind storage"),
        (3, lambda d: d.update(meter={"address": 32}), "meter: topology 3 (three-phase, Azzurro hybrid inverter) "
                                                       "reads the grid from the hybrid/storage inverter"),
        (8, lambda d: d.pop("sensors"), "sensors.ct1: topology 8 (single-phase, no PV) reads the grid from CT 1"),
        (9, lambda d: d.pop("rs485"), "rs485: is required when a meter or inverters are configured"),
    ],
)  # fmt: skip
def test_topology_rules_say_which_rule_is_broken(topology: int, change: Any, message: str) -> None:
    document = site_document(topology)
    change(document)
    found = problems(document)
    assert any(p.startswith(message) for p in found), found


def test_counts_and_uniqueness() -> None:
    inverters = [{"address": a, "serial": f"S{a % 8}", "kind": "pv_3ph", "family": "sofar_g3"} for a in range(1, 10)]
    wallboxes = [{"address": 1, "serial": "W"}, {"address": 1, "serial": "W"}]
    document = site_document(5, inverters=inverters, wallboxes=wallboxes)
    document["meter"]["address"] = 32
    document["inverters"][0]["address"] = 32
    found = problems(document)
    assert any(p.startswith('inverters = "9 entries": at most 8 inverters') for p in found), found
    assert any(p.startswith("inverters[].address / meter.address = 32: RS485 address used 2 times") for p in found)
    assert any(p.startswith('inverters[].serial = "S1": serial used 2 times') for p in found)
    assert any(p.startswith("wallboxes[].address = 1: CAN address used 2 times") for p in found)


def test_logic_min_must_be_below_max() -> None:
    logic = {"name": "hp", "output": 3, "variable": "pv_power", "max": 1000, "min": 1000}
    found = problems(site_document(9, logics=[logic], outputs=[{"number": 3}]))
    assert found == ["logics[0].min = 1000.0: must be below max (1000): max closes the contact, min opens it"]


def test_wallbox_safe_current_within_its_maximum() -> None:
    found = problems(site_document(9, wallboxes=[{"address": 1, "serial": "W", "max_current_a": 10,
                                                  "safe_current_a": 16}]))  # fmt: skip
    assert found == ["wallboxes[0].safe_current_a = 16.0: must not exceed max_current_a (10 A)"]


def test_toml_syntax_errors_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not valid TOML"):
        parse_config("[site\nphases = 3", tmp_path)
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b"[box]\nserial = '\xe9'\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(bad)


def test_config_objects_are_immutable() -> None:
    config = from_dict(site_document(9), Path("/tmp"))
    with pytest.raises(AttributeError):
        config.site.phases = 1  # type: ignore[misc]
    assert copy.deepcopy(config) == config
