"""Where each frame of the wallbox CAN protocol sits on the wire: tables, not code.

A frame's 11-bit id is `function << 5 | address`. Each layout lists the payload's
fields in wire order (big-endian, unsigned) with their width, divisor (raw units per
engineering unit, e.g. 10 for 0.1 A) and valid range, then an optional variable tail.
`wallbox_can.md` is the same table for people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

from .wallbox_frames import (
    IEC_STATES,
    MAX_CARDS,
    MAX_CURRENT_A,
    MAX_SERIAL_PARTS,
    MIN_CURRENT_A,
    MODES,
    PHASES,
    SERIAL_CHUNK,
    CardPresented,
    CardSlot,
    Currents,
    Energy,
    Heartbeat,
    Identify,
    Identity,
    SerialPart,
    SetCurrent,
    SetFallback,
    SetMode,
    Start,
    Status,
    Stop,
)


class Function(IntEnum):
    """The top 6 bits of the id. Lower ids win CAN arbitration: controller first."""

    HEARTBEAT = 0x01
    SET_CURRENT = 0x02
    START = 0x03
    STOP = 0x04
    SET_MODE = 0x05
    SET_FALLBACK = 0x06
    CARD_SLOT = 0x07
    IDENTIFY = 0x08
    STATUS = 0x10
    CURRENTS = 0x11
    ENERGY = 0x12
    CARD_PRESENTED = 0x13
    SERIAL = 0x18
    IDENTITY = 0x19


Width = Literal[1, 2, 3, 4]


@dataclass(frozen=True, slots=True)
class Field:
    """One unsigned big-endian field: value = raw / divisor, or a code from `codes`."""

    name: str
    width: Width
    divisor: int = 1
    lo: float = 0
    hi: float | None = None  # None: the width's maximum
    codes: Mapping[int, object] | None = None
    none_raw: int | None = None  # this raw value decodes to None ("unknown")


@dataclass(frozen=True, slots=True)
class Tail:
    """The variable rest of a frame: `kind` bytes or ASCII, of one of `lengths`."""

    name: str
    kind: Literal["bytes", "ascii"]
    lengths: frozenset[int]


@dataclass(frozen=True, slots=True)
class Layout:
    frame: type
    to_wallbox: bool  # direction: controller -> wallbox, else wallbox -> controller
    fields: tuple[Field, ...] = ()
    tail: Tail | None = None


def _amps(name: str, lo: float = 0) -> Field:
    return Field(name, 2, divisor=10, lo=lo, hi=MAX_CURRENT_A)


LAYOUTS: dict[Function, Layout] = {
    Function.HEARTBEAT: Layout(Heartbeat, True, (Field("counter", 1),)),
    Function.SET_CURRENT: Layout(SetCurrent, True, (_amps("current_a"), Field("phases", 1, codes=PHASES))),
    Function.START: Layout(Start, True),
    Function.STOP: Layout(Stop, True),
    Function.SET_MODE: Layout(SetMode, True, (Field("mode", 1, codes=MODES),)),
    Function.SET_FALLBACK: Layout(
        SetFallback, True, (Field("timeout_s", 2, divisor=10, lo=0.1), _amps("safe_current_a"))
    ),
    Function.CARD_SLOT: Layout(
        CardSlot, True, (Field("slot", 1, hi=MAX_CARDS - 1),), Tail("uid", "bytes", frozenset({0, 4, 7}))
    ),
    Function.IDENTIFY: Layout(Identify, True),
    Function.STATUS: Layout(
        Status,
        False,
        (
            Field("state", 1, codes=IEC_STATES),
            Field("flags", 1),
            Field("error_code", 1),
            Field("vehicle_max_current_a", 1, hi=MAX_CURRENT_A, none_raw=0),
            _amps("limit_a"),
        ),
    ),
    Function.CURRENTS: Layout(Currents, False, (_amps("l1_a"), _amps("l2_a"), _amps("l3_a"))),
    Function.ENERGY: Layout(Energy, False, (Field("power_w", 2), Field("session_energy_wh", 4))),
    Function.CARD_PRESENTED: Layout(CardPresented, False, tail=Tail("uid", "bytes", frozenset({4, 7}))),
    Function.SERIAL: Layout(
        SerialPart,
        False,
        (Field("index", 1, hi=MAX_SERIAL_PARTS - 1), Field("count", 1, lo=1, hi=MAX_SERIAL_PARTS)),
        Tail("text", "ascii", frozenset(range(1, SERIAL_CHUNK + 1))),
    ),
    Function.IDENTITY: Layout(
        Identity,
        False,
        (
            Field("fw_major", 1),
            Field("fw_minor", 1),
            Field("fw_build", 2),
            _amps("max_current_a", lo=MIN_CURRENT_A),
            Field("phases", 1, codes=PHASES),
            Field("mode", 1, codes=MODES),
        ),
    ),
}

FUNCTION_OF: dict[type, Function] = {layout.frame: function for function, layout in LAYOUTS.items()}
