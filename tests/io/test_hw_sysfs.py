"""The Linux drivers against a fake sysfs tree in tmp_path (real file I/O)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from connext.core.config import CtConfig, InputConfig, OutputConfig, SensorsConfig, TemperatureConfig
from connext.core.hw import HardwareError
from connext.core.hw.open import open_contact, open_input, open_sensors
from connext.core.hw.sysfs import IioChannel, SysfsGpioLine


def gpio_tree(root: Path, *lines: int) -> Path:
    """/sys/class/gpio with `export` and the given lines already exported."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "export").write_text("")
    for line in lines:
        (root / f"gpio{line}").mkdir()
        for name, value in (("value", "0"), ("direction", "in"), ("active_low", "0")):
            (root / f"gpio{line}" / name).write_text(value)
    return root


def test_sysfs_contact_exports_configures_and_writes(tmp_path):
    root = gpio_tree(tmp_path / "gpio", 17)
    contact = open_contact(OutputConfig(number=3, driver="sysfs", line=17, active_low=True), gpio_root=root)
    line = root / "gpio17"
    assert (line / "active_low").read_text() == "1"
    assert (line / "direction").read_text() == "out"  # "out" starts at logical 0: open
    contact.set(True)
    assert (line / "value").read_text() == "1"
    contact.set(False)
    assert (line / "value").read_text() == "0"
    assert (root / "export").read_text() == ""  # already exported: not exported again


def test_sysfs_line_that_never_appears_is_a_clear_error(tmp_path):
    root = gpio_tree(tmp_path / "gpio")
    with pytest.raises(HardwareError, match=r"gpio5: GPIO line 5 did not appear after export"):
        SysfsGpioLine(5, output=True, root=root)
    assert (root / "export").read_text() == "5"


def test_sysfs_write_failure_is_a_hardware_error(tmp_path):
    root = gpio_tree(tmp_path / "gpio", 4)
    contact = SysfsGpioLine(4, output=True, root=root)
    (root / "gpio4" / "value").unlink()
    (root / "gpio4" / "value").mkdir()  # writing now fails with EISDIR
    with pytest.raises(HardwareError, match=r"gpio4/value: cannot write '1'"):
        contact.set(True)


def test_sysfs_input(tmp_path):
    root = gpio_tree(tmp_path / "gpio", 22)
    line = open_input(InputConfig(number=1, driver="sysfs", line=22), gpio_root=root)
    assert (root / "gpio22" / "direction").read_text() == "in"
    assert line.read() is False
    (root / "gpio22" / "value").write_text("1\n")
    assert line.read() is True
    (root / "gpio22" / "value").write_text("x")
    with pytest.raises(HardwareError, match="expected 0 or 1"):
        line.read()


def iio_device(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text + "\n")
    return root


def test_iio_channel_raw_offset_scale(tmp_path):
    dev = iio_device(tmp_path / "iio:device0", {"in_voltage0_raw": "2048", "in_voltage0_offset": "-2000",
                                                "in_voltage0_scale": "0.5"})  # fmt: skip
    assert IioChannel(dev / "in_voltage0_raw").read() == 24.0
    (dev / "in_voltage0_raw").write_text("1000")
    assert IioChannel(dev / "in_voltage0_raw").read() == -500.0


def test_iio_shared_scale_and_defaults(tmp_path):
    dev = iio_device(tmp_path / "iio:device1", {"in_voltage1_raw": "100", "in_voltage_scale": "0.25",
                                                "in_temp0_raw": "23"})  # fmt: skip
    assert IioChannel(dev / "in_voltage1_raw").read() == 25.0
    assert IioChannel(dev / "in_temp0_raw").read() == 23.0


def test_iio_errors_name_the_file(tmp_path):
    dev = iio_device(tmp_path / "iio:device2", {"in_voltage0_raw": "garbage"})
    with pytest.raises(HardwareError, match=r"in_voltage0_raw: not a number: 'garbage'"):
        IioChannel(dev / "in_voltage0_raw").read()
    with pytest.raises(HardwareError, match="no such IIO channel"):
        IioChannel(dev / "in_voltage9_raw")


def test_open_sensors_iio(tmp_path):
    dev = iio_device(tmp_path / "iio:device0", {"in_voltage0_raw": "-1200", "in_voltage1_raw": "3000",
                                                "in_temp0_raw": "21500"})  # fmt: skip
    cfg = SensorsConfig(
        driver="iio",
        ct1=CtConfig(channel=str(dev / "in_voltage0_raw")),
        ct2=CtConfig(channel=str(dev / "in_voltage1_raw")),
        temperature=TemperatureConfig(channel=str(dev / "in_temp0_raw"), c_per_unit=0.001),
    )
    channels = open_sensors(cfg)
    assert (channels.ct1.read(), channels.ct2.read(), channels.temperature.read()) == (-1200, 3000, 21500)
    with pytest.raises(HardwareError, match=r"sensors.ct1.channel is empty: driver 'iio' needs"):
        open_sensors(SensorsConfig(driver="iio", ct1=CtConfig()))


@pytest.mark.skipif(importlib.util.find_spec("gpiod") is not None, reason="gpiod is installed here")
def test_gpiod_without_the_package_says_what_to_install():
    with pytest.raises(HardwareError, match=r"pip install 'connext\[gpio\]'"):
        open_contact(OutputConfig(number=1, driver="gpiod", line=3))


def test_sim_driver_without_a_board_is_refused():
    with pytest.raises(HardwareError, match="output 1: driver 'sim' needs a simulated board"):
        open_contact(OutputConfig(number=1))
