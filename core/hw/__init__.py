"""Narrow interfaces to the box's physical I/O, with real Linux and simulated drivers.

Three kinds of thing, each a tiny protocol so that everything above it (the actors,
`connext check-ct`) is the same on the box, in the demo and in tests:

- `Contact`: one output (a digital output or a relay) the software closes or opens;
- `DigitalInput`: one digital input that reads closed or open;
- `AnalogChannel`: one ADC channel read as a number in its driver's unit.

Drivers: `sim` (a `SimBoard` in memory), `sysfs` (/sys/class/gpio for contacts and
inputs, IIO sysfs for ADC channels) and `gpiod` (the GPIO character device through
the optional `gpiod` v2 bindings, imported only when used).
"""

from __future__ import annotations

from typing import Protocol


class HardwareError(Exception):
    """A device cannot be opened, read or written; the text says which and why."""


class Contact(Protocol):
    """An output contact."""

    def set(self, closed: bool) -> None:
        """Close (True) or open (False) the contact."""
        ...

    def release(self) -> None:
        """Give the line back (the contact keeps its last state where the driver can)."""
        ...


class DigitalInput(Protocol):
    """A digital input."""

    def read(self) -> bool:
        """True when the input is closed (active)."""
        ...

    def release(self) -> None: ...


class AnalogChannel(Protocol):
    """An ADC channel."""

    def read(self) -> float:
        """The current value in the channel's unit (IIO: (raw + offset) x scale)."""
        ...
