"""GPIO through the character device (/dev/gpiochipN) with the libgpiod v2 bindings.

`gpiod` is an optional dependency (`pip install 'connext[gpio]'`), imported only
when a line is opened with driver "gpiod": a box without it still runs sim or sysfs.
API used (gpiod >= 2.1): `gpiod.request_lines(path, consumer=, config={offset:
LineSettings})`, `request.set_value / get_value`, `request.release()`.
"""

from __future__ import annotations

from typing import Any

from . import HardwareError

CONSUMER = "connext"


def _gpiod() -> Any:
    try:
        import gpiod
    except ImportError as err:
        raise HardwareError(
            "driver 'gpiod' needs the gpiod package: pip install 'connext[gpio]' (or use driver 'sysfs')"
        ) from err
    return gpiod


class GpiodLine:
    """One requested line, as an output (a `Contact`) or an input (a `DigitalInput`)."""

    def __init__(self, chip: str, line: int, output: bool, active_low: bool = False) -> None:
        gpiod = _gpiod()
        from gpiod.line import Direction, Value

        self._active, self._inactive = Value.ACTIVE, Value.INACTIVE
        if output:  # requested at logical 0 (= open), so no glitch closes the contact
            settings = gpiod.LineSettings(
                direction=Direction.OUTPUT, active_low=active_low, output_value=Value.INACTIVE
            )
        else:
            settings = gpiod.LineSettings(direction=Direction.INPUT, active_low=active_low)
        self.chip, self.line = chip, line
        try:
            self._request = gpiod.request_lines(chip, consumer=CONSUMER, config={line: settings})
        except (OSError, ValueError) as err:
            raise HardwareError(f"{chip} line {line}: cannot request: {err}") from err

    def set(self, closed: bool) -> None:
        try:
            self._request.set_value(self.line, self._active if closed else self._inactive)
        except OSError as err:
            raise HardwareError(f"{self.chip} line {self.line}: cannot set: {err}") from err

    def read(self) -> bool:
        try:
            return self._request.get_value(self.line) == self._active
        except OSError as err:
            raise HardwareError(f"{self.chip} line {self.line}: cannot read: {err}") from err

    def release(self) -> None:
        self._request.release()
