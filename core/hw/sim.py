"""The simulated box: analog channels, digital inputs and contacts held in memory.

One `SimBoard` is shared (handed in through the actor tree) by the sensors actor,
the output actors and whoever plays the outside world: a test, the demo, a scenario.
Contacts keep their state on the board, so a restarted output actor finds the relay
where the previous one left it, as on real hardware.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from . import HardwareError

# Channel values of a quiet single-phase site by night: the house draws 500 W, no PV.
DEFAULT_ANALOG = {"ct1": -500.0, "ct2": 0.0, "temperature": 20.0}


class SimBoard:
    """Thread-safe simulated I/O. Analog values are in channel units (CT: W per phase)."""

    def __init__(self, analog: dict[str, float] | None = None) -> None:
        self._lock = threading.Lock()
        self._analog = dict(DEFAULT_ANALOG if analog is None else analog)
        self._inputs: dict[int, bool] = {}
        self._contacts: dict[int, bool] = {}
        self._history: dict[int, list[bool]] = {}
        self._failing: set[str] = set()

    # --- the outside world's side -----------------------------------------------------

    def set_analog(self, name: str, value: float) -> None:
        with self._lock:
            self._analog[name] = value

    def set_input(self, number: int, closed: bool) -> None:
        with self._lock:
            self._inputs[number] = closed

    def fail(self, name: str, failing: bool = True) -> None:
        """Make channel `name` ('ct1', 'input1', 'output3', ...) raise HardwareError."""
        with self._lock:
            (self._failing.add if failing else self._failing.discard)(name)

    def contact_state(self, number: int) -> bool | None:
        """True closed, False open, None never driven."""
        with self._lock:
            return self._contacts.get(number)

    def contact_history(self, number: int) -> list[bool]:
        """Every state the contact was driven to, in order (repeats included)."""
        with self._lock:
            return list(self._history.get(number, ()))

    # --- the drivers' side ------------------------------------------------------------

    def _check(self, name: str) -> None:
        if name in self._failing:
            raise HardwareError(f"simulated fault on {name}")

    def read_analog(self, name: str) -> float:
        with self._lock:
            self._check(name)
            if name not in self._analog:
                raise HardwareError(f"simulated board has no analog channel {name!r}")
            return self._analog[name]

    def read_input(self, number: int) -> bool:
        with self._lock:
            self._check(f"input{number}")
            return self._inputs.get(number, False)

    def drive(self, number: int, closed: bool) -> None:
        with self._lock:
            self._check(f"output{number}")
            self._contacts[number] = closed
            self._history.setdefault(number, []).append(closed)

    def contact(self, number: int) -> SimContact:
        return SimContact(self, number)

    def analog_channel(self, name: str) -> SimAnalog:
        return SimAnalog(self, name)

    def digital_input(self, number: int) -> SimInput:
        return SimInput(self, number)


@dataclass(frozen=True, slots=True)
class SimContact:
    board: SimBoard
    number: int

    def set(self, closed: bool) -> None:
        self.board.drive(self.number, closed)

    def release(self) -> None:
        pass


@dataclass(frozen=True, slots=True)
class SimAnalog:
    board: SimBoard
    name: str

    def read(self) -> float:
        return self.board.read_analog(self.name)


@dataclass(frozen=True, slots=True)
class SimInput:
    board: SimBoard
    number: int

    def read(self) -> bool:
        return self.board.read_input(self.number)

    def release(self) -> None:
        pass
