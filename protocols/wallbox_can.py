"""Codec of the connext wallbox CAN protocol: frames <-> (11-bit id, payload).

Pure: no I/O, no clock. `decode` raises `FrameError` (with a short `reason` for
metrics) on a frame it cannot trust: unknown id, wrong length, a value out of range.
The receiver counts and drops those; nothing else is raised. See `wallbox_can.md`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

from .wallbox_frames import SERIAL_CHUNK, Frame, SerialPart
from .wallbox_layouts import FUNCTION_OF, LAYOUTS, Field, Function, Layout

ADDRESS_BITS = 5
ADDRESS_MASK = (1 << ADDRESS_BITS) - 1
BROADCAST = 0  # the controller's own address, and "every wallbox" in controller frames
MAX_ADDRESS = ADDRESS_MASK  # wallboxes use 1..31
MAX_DLC = 8


class FrameError(ValueError):
    """A frame that cannot be trusted; `reason` is one of REASONS."""

    REASONS = ("unknown_id", "length", "value")

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class Version(NamedTuple):
    """A firmware version; tuples compare field by field, so 1.0.493 < 1.1.0."""

    major: int
    minor: int
    build: int

    @classmethod
    def parse(cls, text: str) -> Version:
        parts = text.split(".")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise ValueError(f"firmware version {text!r}: must be major.minor.build, like 1.0.493")
        major, minor, build = (int(p) for p in parts)
        return cls(major, minor, build)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.build}"


MIN_FIRMWARE = Version(1, 0, 493)  # SPEC §2: older firmware needs support and is never driven


def firmware_supported(version: Version) -> bool:
    return version >= MIN_FIRMWARE


def to_wallbox(frame: Frame) -> bool:
    """True for controller -> wallbox frames (commands, heartbeat)."""
    return LAYOUTS[FUNCTION_OF[type(frame)]].to_wallbox


def can_id(function: Function, address: int) -> int:
    if not 0 <= address <= MAX_ADDRESS:
        raise ValueError(f"address {address}: must be 0..{MAX_ADDRESS}")
    return int(function) << ADDRESS_BITS | address


def split_id(arbitration_id: int) -> tuple[int, int]:
    """(function number, address) of an 11-bit id."""
    return arbitration_id >> ADDRESS_BITS, arbitration_id & ADDRESS_MASK


# --- encode -------------------------------------------------------------------------------


def encode(frame: Frame) -> tuple[int, bytes]:
    """The (id, payload) of `frame`; a value that does not fit raises ValueError (a bug)."""
    function = FUNCTION_OF[type(frame)]
    layout = LAYOUTS[function]
    if not _address_ok(layout, frame.address):
        raise ValueError(f"{layout.frame.__name__} with address {frame.address}")
    payload = bytearray()
    for field in layout.fields:
        payload += _raw(field, getattr(frame, field.name)).to_bytes(field.width, "big")
    if layout.tail is not None:
        tail = getattr(frame, layout.tail.name)
        data = tail.encode("ascii") if layout.tail.kind == "ascii" else bytes(tail)
        if len(data) not in layout.tail.lengths:
            raise ValueError(f"{layout.frame.__name__}.{layout.tail.name}: {len(data)} bytes not allowed")
        payload += data
    return can_id(function, frame.address), bytes(payload)


def _raw(field: Field, value: Any) -> int:
    if value is None and field.none_raw is not None:
        return field.none_raw
    if field.codes is not None:
        for raw, code in field.codes.items():
            if code == value:
                return raw
        raise ValueError(f"{field.name} = {value!r}: not one of {sorted(map(str, field.codes.values()))}")
    if not _in_range(field, value):
        raise ValueError(f"{field.name} = {value!r}: outside {field.lo}..{_hi(field)}")
    return round(value * field.divisor)


# --- decode -------------------------------------------------------------------------------


def decode(arbitration_id: int, data: bytes) -> Frame:
    """The frame in an 11-bit id and payload; FrameError when it cannot be trusted."""
    function_number, address = split_id(arbitration_id)
    if arbitration_id >> 11 or function_number not in Function._value2member_map_:
        raise FrameError("unknown_id", f"id 0x{arbitration_id:03X}")
    layout = LAYOUTS[Function(function_number)]
    if not _address_ok(layout, address):
        raise FrameError("value", f"{layout.frame.__name__} with address {address}")
    fixed = sum(f.width for f in layout.fields)
    tail_lengths = layout.tail.lengths if layout.tail else frozenset({0})
    if len(data) - fixed not in tail_lengths or len(data) > MAX_DLC:
        raise FrameError("length", f"{layout.frame.__name__} with {len(data)} bytes")
    values: dict[str, Any] = {"address": address}
    offset = 0
    for field in layout.fields:
        raw = int.from_bytes(data[offset : offset + field.width], "big")
        values[field.name] = _value(field, raw)
        offset += field.width
    if layout.tail is not None:
        values[layout.tail.name] = _tail(layout, bytes(data[offset:]))
    try:
        return layout.frame(**values)
    except ValueError as err:  # a cross-field rule of the frame class
        raise FrameError("value", f"{layout.frame.__name__}: {err}") from None


def _value(field: Field, raw: int) -> Any:
    if field.none_raw is not None and raw == field.none_raw:
        return None
    if field.codes is not None:
        if raw not in field.codes:
            raise FrameError("value", f"{field.name} code 0x{raw:02X}")
        return field.codes[raw]
    value = raw / field.divisor if field.divisor != 1 else raw
    if not _in_range(field, value):
        raise FrameError("value", f"{field.name} = {value} outside {field.lo}..{_hi(field)}")
    return value


def _tail(layout: Layout, data: bytes) -> bytes | str:
    assert layout.tail is not None
    if layout.tail.kind == "bytes":
        return data
    if not all(0x21 <= b <= 0x7E for b in data):
        raise FrameError("value", f"{layout.tail.name}: not printable ASCII")
    return data.decode("ascii")


def _address_ok(layout: Layout, address: int) -> bool:
    """Wallbox frames come from 1..31; controller frames go to 0 (all) or 1..31."""
    return (0 if layout.to_wallbox else 1) <= address <= MAX_ADDRESS


def _in_range(field: Field, value: Any) -> bool:
    return isinstance(value, int | float) and field.lo <= value <= _hi(field)


def _hi(field: Field) -> float:
    return field.hi if field.hi is not None else ((1 << (8 * field.width)) - 1) / field.divisor


# --- serial numbers span several frames ---------------------------------------------------------


def serial_parts(address: int, serial: str) -> tuple[SerialPart, ...]:
    """The SERIAL frames that carry `serial`."""
    chunks = [serial[i : i + SERIAL_CHUNK] for i in range(0, len(serial), SERIAL_CHUNK)]
    return tuple(SerialPart(address, i, len(chunks), chunk) for i, chunk in enumerate(chunks))


@dataclasses.dataclass
class SerialAssembler:
    """Collects SERIAL parts; `add` returns the whole serial once every part arrived."""

    parts: dict[int, str] = dataclasses.field(default_factory=dict)
    count: int = 0

    def add(self, part: SerialPart) -> str | None:
        if part.count != self.count:  # a new announcement: start over
            self.parts, self.count = {}, part.count
        self.parts[part.index] = part.text
        if len(self.parts) < self.count:
            return None
        serial = "".join(self.parts[i] for i in range(self.count))
        self.parts = {}
        return serial
