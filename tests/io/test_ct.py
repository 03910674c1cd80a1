"""CT clamps: multiplier and inversion, the direction-check verdicts, `connext check-ct`."""

from __future__ import annotations

import pytest

from connext.bin.cli import main
from connext.control.ct import check_clamps, ct_power_w
from connext.core.config import CtConfig

SINGLE, THREE = CtConfig(multiplier=1), CtConfig(multiplier=3)


@pytest.mark.parametrize(
    ("value", "ct", "expected"),
    [
        (-800.0, SINGLE, -800.0),
        (-800.0, THREE, -2400.0),
        (-800.0, CtConfig(multiplier=3, invert=True), 2400.0),
        (1000.0, CtConfig(multiplier=1, w_per_unit=2.5), 2500.0),
        (0.0, CtConfig(invert=True), 0.0),
    ],
)
def test_multiplier_and_inversion(value, ct, expected):
    assert ct_power_w(value, ct) == expected


def statuses(*args, **kwargs) -> list[tuple[str, str]]:
    return [(v.clamp, v.status) for v in check_clamps(*args, **kwargs)]


def test_pv_off_grid_import_is_right():
    assert statuses((-1200.0, SINGLE), (20.0, SINGLE)) == [("ct1", "ok"), ("ct2", "ok")]


def test_pv_off_grid_export_is_reversed_and_says_which_flag():
    (verdict,) = check_clamps((1200.0, SINGLE), None)
    assert verdict.status == "reversed"
    assert verdict.text == "CT 1 reads +1.2 kW export with PV off: looks reversed; set sensors.ct1.invert = true"
    (verdict,) = check_clamps((1200.0, CtConfig(invert=True)), None)
    assert verdict.text.endswith("set sensors.ct1.invert = false")


def test_too_little_load_or_pv_not_off_is_unclear():
    assert statuses((-100.0, SINGLE), None) == [("ct1", "unclear")]  # at the noise edge: not judged
    assert statuses((-101.0, SINGLE), None) == [("ct1", "ok")]
    assert statuses(None, (-900.0, SINGLE)) == [("ct2", "unclear")]


def test_pv_on_checks_the_production_clamp():
    assert statuses((2000.0, SINGLE), (3000.0, SINGLE), pv_on=True) == [("ct1", "ok"), ("ct2", "ok")]
    (_, ct2) = check_clamps((2000.0, SINGLE), (-3000.0, THREE), pv_on=True)
    assert (ct2.status, ct2.text) == (
        "reversed",
        "CT 2 reads -3.0 kW with PV on: looks reversed; set sensors.ct2.invert = true",
    )


def write_config(tmp_path, ct1: str, ct2: str, invert: bool = False) -> str:
    """A topology-6 site whose clamps are IIO files in tmp_path."""
    path = tmp_path / "site.toml"
    path.write_text(f"""
state_dir = "{tmp_path / "var"}"
[box]
serial = "CA020490200005"
[site]
phases = 1
contracted_power_w = 6000
topology = 6
[sensors]
driver = "iio"
period_s = 0.1
[sensors.ct1]
channel = "{ct1}"
invert = {str(invert).lower()}
[sensors.ct2]
channel = "{ct2}"
""")
    return str(path)


def iio(tmp_path, ct1_raw: int, ct2_raw: int) -> tuple[str, str]:
    dev = tmp_path / "iio:device0"
    dev.mkdir()
    (dev / "in_voltage0_raw").write_text(f"{ct1_raw}\n")
    (dev / "in_voltage1_raw").write_text(f"{ct2_raw}\n")
    (dev / "in_voltage_scale").write_text("0.5\n")
    return str(dev / "in_voltage0_raw"), str(dev / "in_voltage1_raw")


def test_check_ct_command_finds_the_reversed_clamp(tmp_path, capsys):
    ct1, ct2 = iio(tmp_path, 2400, 10)  # x 0.5 scale x 1 W/unit: CT 1 +1200 W with PV off
    assert main(["check-ct", "-c", write_config(tmp_path, ct1, ct2), "--seconds", "0.3"]) == 1
    out = capsys.readouterr().out
    assert "CT 1 (grid, + export / - import): +1200 W" in out
    assert "REVERSED CT 1 reads +1.2 kW export with PV off: looks reversed; set sensors.ct1.invert = true" in out


def test_check_ct_command_passes_after_the_flag(tmp_path, capsys):
    ct1, ct2 = iio(tmp_path, 2400, 10)
    assert main(["check-ct", "-c", write_config(tmp_path, ct1, ct2, invert=True), "--seconds", "0.1"]) == 0
    assert "OK       CT 1 reads -1.2 kW import" in capsys.readouterr().out
