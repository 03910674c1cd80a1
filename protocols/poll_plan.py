"""Poll planning: fields -> as few read requests as possible, and RTU wire-time arithmetic.

Pure functions; the bus actor and the benchmark use them, and so does the simulator's
wire-time emulation, so all three agree on what a transaction costs on the line.

RTU facts (Modbus over serial line v1.02): a character is start + 8 data + parity or a
second stop bit = 11 bits; frames are separated by at least 3.5 character times. A read
request is 8 bytes; its reply is 5 + 2N bytes (an exception reply is 5 bytes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .modbus_map import MAX_READ_REGISTERS, Block, Field

REQUEST_BYTES = 8
REPLY_OVERHEAD_BYTES = 5
EXCEPTION_REPLY_BYTES = 5
GAP_CHARS = 3.5
CHAR_BITS = 11
# A separate request costs its 8 bytes, the reply's 5 bytes and two gaps; reading a gap of
# g unused registers costs 2g bytes. Merge while the gap is cheaper than a new request.
MERGE_GAP_REGISTERS = int((REQUEST_BYTES + REPLY_OVERHEAD_BYTES + 2 * GAP_CHARS) // 2)


def char_time_s(baudrate: int) -> float:
    """Seconds one RTU character takes on the line: 11 bits (the brief's and the spec's
    figure; 8N1 sends 10, so this errs on the slow side by 10 %)."""
    return CHAR_BITS / baudrate


def reply_bytes(count: int) -> int:
    """Bytes of a read reply carrying `count` registers."""
    return REPLY_OVERHEAD_BYTES + 2 * count


def transaction_wire_s(count: int, baudrate: int) -> float:
    """Theoretical line time of one read of `count` registers: request, gap, reply, gap."""
    chars = REQUEST_BYTES + reply_bytes(count) + 2 * GAP_CHARS
    return chars * char_time_s(baudrate)


def reply_delay_s(request_bytes: int, reply_len: int, baudrate: int) -> float:
    """When a slave's reply has fully arrived, counted from the master starting to send."""
    return (request_bytes + GAP_CHARS + reply_len) * char_time_s(baudrate)


@dataclass(frozen=True, slots=True)
class PollSpec:
    """One request the bus repeats: `variants` are alternative layouts tried in order
    when the device answers "illegal function/address" (probing, e.g. 03 vs 04)."""

    name: str
    period_s: float
    priority: int  # 0 first: the meter's power block
    variants: tuple[Block, ...]

    @property
    def block(self) -> Block:
        return self.variants[0]


def plan_blocks(fields: Iterable[Field], max_gap: int = MERGE_GAP_REGISTERS) -> tuple[Block, ...]:
    """Group fields of one function code into contiguous reads (gaps allowed when cheaper)."""
    ordered = sorted(fields, key=lambda f: (f.fn, f.addr))
    blocks: list[Block] = []
    current: list[Field] = []
    for field in ordered:
        if current and _fits(current, field, max_gap):
            current.append(field)
            continue
        if current:
            blocks.append(_block(current))
        current = [field]
    if current:
        blocks.append(_block(current))
    return tuple(blocks)


def _fits(current: list[Field], field: Field, max_gap: int) -> bool:
    start, end = current[0].addr, max(f.end for f in current)
    return field.fn == current[0].fn and field.addr - end <= max_gap and field.end - start <= MAX_READ_REGISTERS


def _block(fields: list[Field]) -> Block:
    start = fields[0].addr
    return Block(fields[0].fn, start, max(f.end for f in fields) - start, tuple(fields))


def fields_for(fields: Iterable[Field], poll: str, names: Iterable[str] | None = None) -> tuple[Field, ...]:
    """The fields of one poll class, optionally restricted to `names`."""
    wanted = None if names is None else set(names)
    return tuple(f for f in fields if f.poll == poll and (wanted is None or f.name in wanted))
