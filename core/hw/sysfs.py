"""Linux sysfs drivers: legacy GPIO (/sys/class/gpio) and IIO ADC channels.

GPIO sysfs (Documentation/ABI/obsolete/sysfs-gpio): write the line number to
`export`, then `gpioN/active_low`, `gpioN/direction` ("out" starts the line at
logical 0) and `gpioN/value` (logical, honours active_low). A line is left exported
on release: unexporting may turn it back into an input and let a relay float.

IIO (Documentation/ABI/testing/sysfs-bus-iio): a channel is `<prefix>_raw` beside
optional `<prefix>_scale` and `<prefix>_offset` (or the type-wide `in_voltage_scale`);
the value in the channel's unit is (raw + offset) x scale.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import HardwareError

GPIO_ROOT = Path("/sys/class/gpio")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except OSError as err:
        raise HardwareError(f"{path}: cannot read: {err.strerror or err}") from err


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="ascii")
    except OSError as err:
        raise HardwareError(f"{path}: cannot write {text!r}: {err.strerror or err}") from err


def _number(path: Path) -> float:
    text = _read(path)
    try:
        return float(text)
    except ValueError:
        raise HardwareError(f"{path}: not a number: {text[:40]!r}") from None


class SysfsGpioLine:
    """One exported GPIO line, as an output (a `Contact`) or an input (a `DigitalInput`)."""

    def __init__(self, line: int, output: bool, active_low: bool = False, root: Path = GPIO_ROOT) -> None:
        self.path = root / f"gpio{line}"
        if not self.path.is_dir():
            _write(root / "export", str(line))
        if not self.path.is_dir():
            raise HardwareError(f"{self.path}: GPIO line {line} did not appear after export")
        _write(self.path / "active_low", "1" if active_low else "0")
        _write(self.path / "direction", "out" if output else "in")

    def set(self, closed: bool) -> None:
        _write(self.path / "value", "1" if closed else "0")

    def read(self) -> bool:
        value = _read(self.path / "value")
        if value not in ("0", "1"):
            raise HardwareError(f"{self.path / 'value'}: expected 0 or 1, read {value[:40]!r}")
        return value == "1"

    def release(self) -> None:
        pass  # stays exported on purpose (see the module docstring)


class IioChannel:
    """One IIO ADC channel named by its `*_raw` file."""

    def __init__(self, raw_file: str | Path) -> None:
        self.raw = Path(raw_file)
        if not self.raw.name.endswith("_raw"):
            raise HardwareError(f"{self.raw}: an IIO channel is named by its *_raw file")
        if not self.raw.is_file():
            raise HardwareError(f"{self.raw}: no such IIO channel")
        prefix = self.raw.name.removesuffix("_raw")
        self.scale = self._attribute(prefix, "scale", 1.0)
        self.offset = self._attribute(prefix, "offset", 0.0)

    def _attribute(self, prefix: str, name: str, default: float) -> float:
        shared = re.sub(r"\d+$", "", prefix)  # in_voltage0 -> in_voltage
        for candidate in (f"{prefix}_{name}", f"{shared}_{name}"):
            path = self.raw.with_name(candidate)
            if path.is_file():
                return _number(path)
        return default

    def read(self) -> float:
        return (_number(self.raw) + self.offset) * self.scale
