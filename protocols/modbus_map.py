"""Modbus register maps as data, and the one generic decoder (and encoder, for simulators).

A `Field` says where a value lives (function code, address, type, word order), how a raw
value becomes a quantity in base units (scale, ratio, sign) and which range is plausible.
`sign = -1` turns a device's own convention into the project's (SPEC §3: grid + = export,
battery + = charging): maps are the one place where signs are converted. A `Block` is one
read request; `protocols.poll_plan` builds blocks from fields.
"""

from __future__ import annotations

import dataclasses
import math
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

FieldType = Literal["u16", "s16", "u32", "s32", "f32", "str"]
WordOrder = Literal["big", "little"]  # big: high word first (ABCD); little: low word first (CDAB)
Ratio = Literal["", "ct", "pt", "ct_pt"]  # device ratios a value is multiplied by (meters)

_FORMATS: dict[str, tuple[str, int]] = {"u16": (">H", 1), "s16": (">h", 1), "u32": (">I", 2), "s32": (">i", 2)}
_FORMATS["f32"] = (">f", 2)
MAX_READ_REGISTERS = 125  # Modbus: at most 125 registers in one read


@dataclass(frozen=True, slots=True)
class Field:
    """One value in a device's register map.

    `scale` turns the raw number into the unit; `words` is the length of a "str" field;
    `valid` is the plausible range in the unit (after scale, ratio and sign); `poll` is
    how often the site needs it ("fast", "normal" or "slow").
    """

    name: str
    addr: int
    type: FieldType
    scale: float = 1.0
    unit: str = ""
    sign: int = 1
    fn: int = 3
    words: int = 0
    word_order: WordOrder = "big"
    ratio: Ratio = ""
    valid: tuple[float, float] | None = None
    poll: Literal["fast", "normal", "slow"] = "normal"
    invalid_raw: tuple[int, ...] = ()  # raw sentinels meaning "not available"

    @property
    def count(self) -> int:
        """Registers the field occupies."""
        return self.words if self.type == "str" else _FORMATS[self.type][1]

    @property
    def end(self) -> int:
        """First address after the field."""
        return self.addr + self.count


@dataclass(frozen=True, slots=True)
class Block:
    """One read request: `count` registers from `start` with function `fn`."""

    fn: int
    start: int
    count: int
    fields: tuple[Field, ...]

    def moved(self, fn: int, start: int) -> Block:
        """The same layout read with another function code or at another base address."""
        shift = start - self.start
        fields = tuple(dataclasses.replace(f, fn=fn, addr=f.addr + shift) for f in self.fields)
        return Block(fn, start, self.count, fields)


Value = float | int | str | None


def _words_to_bytes(words: Sequence[int], order: WordOrder) -> bytes:
    ordered = words if order == "big" else tuple(reversed(words))
    return b"".join(int(w).to_bytes(2, "big") for w in ordered)


def decode_field(field: Field, words: Sequence[int], ratios: Mapping[str, float] | None = None) -> Value:
    """One field from its registers; None when not available, not finite or implausible."""
    if field.type == "str":
        return _words_to_bytes(words, "big").decode("ascii", errors="replace").strip("\x00 ")
    fmt, _ = _FORMATS[field.type]
    raw = struct.unpack(fmt, _words_to_bytes(words, field.word_order))[0]
    if raw in field.invalid_raw or not math.isfinite(raw):
        return None
    value = raw * field.scale * field.sign * _ratio(field, ratios)
    if field.valid is not None and not field.valid[0] <= value <= field.valid[1]:
        return None
    return value


def decode(block: Block, registers: Sequence[int], ratios: Mapping[str, float] | None = None) -> dict[str, Value]:
    """Every field of `block` from the registers of one read (`registers[0]` is `block.start`)."""
    if len(registers) < block.count:
        raise ValueError(f"block at 0x{block.start:04X} needs {block.count} registers, got {len(registers)}")
    out: dict[str, Value] = {}
    for field in block.fields:
        i = field.addr - block.start
        out[field.name] = decode_field(field, registers[i : i + field.count], ratios)
    return out


def encode_field(field: Field, value: float | str, ratios: Mapping[str, float] | None = None) -> tuple[int, ...]:
    """The registers a device would hold for `value` (simulators; inverse of decode_field)."""
    if field.type == "str":
        data = str(value).encode("ascii")[: field.words * 2].ljust(field.words * 2, b"\x00")
        return tuple(int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))
    fmt, count = _FORMATS[field.type]
    raw = float(value) / (field.scale * field.sign * _ratio(field, ratios))
    packed = struct.pack(fmt, raw if field.type == "f32" else round(raw))
    words = tuple(int.from_bytes(packed[i : i + 2], "big") for i in range(0, 2 * count, 2))
    return words if field.word_order == "big" else tuple(reversed(words))


def _ratio(field: Field, ratios: Mapping[str, float] | None) -> float:
    if not field.ratio:
        return 1.0
    ratios = ratios or {}
    ct, pt = ratios.get("ct", 1.0), ratios.get("pt", 1.0)
    return {"ct": ct, "pt": pt, "ct_pt": ct * pt}[field.ratio]
