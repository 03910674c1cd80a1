"""Register maps, the generic decoder and the poll planner: pure, no I/O."""

from __future__ import annotations

import itertools
import math
import struct

import pytest

from connext.actors.inverter import serial_matches
from connext.protocols import dtsu666, sofar, sofar_g3, sofar_legacy
from connext.protocols.modbus_map import MAX_READ_REGISTERS, Block, Field, decode, decode_field, encode_field
from connext.protocols.poll_plan import plan_blocks, transaction_wire_s

MAPS = {"dtsu666": dtsu666.FIELDS, "sofar_g3": sofar_g3.FIELDS, "sofar_legacy": sofar_legacy.FIELDS}


def _float_words(value: float) -> tuple[int, int]:
    raw = struct.pack(">f", value)
    return int.from_bytes(raw[:2], "big"), int.from_bytes(raw[2:], "big")


@pytest.mark.parametrize("name", sorted(MAPS))
def test_every_map_is_well_formed(name: str) -> None:
    fields = MAPS[name]
    assert len({f.name for f in fields}) == len(fields), "field names must be unique"
    ordered = sorted(fields, key=lambda f: (f.fn, f.addr))
    for before, after in itertools.pairwise(ordered):
        assert before.fn != after.fn or before.end <= after.addr, f"{before.name} overlaps {after.name}"
    for field in fields:
        assert field.type in ("u16", "s16", "u32", "s32", "f32", "str")
        assert field.count >= 1
        assert field.fn in (3, 4)
        assert field.poll in ("fast", "normal", "slow")
        assert field.sign in (1, -1)
    for block in plan_blocks(fields):
        assert block.count <= MAX_READ_REGISTERS
        assert all(block.start <= f.addr and f.end <= block.start + block.count for f in block.fields)


def test_dtsu666_power_sign_and_ct_ratio() -> None:
    # the meter counts import as +: 575.0 raw x 0.1 W x CT 40 = 2300 W imported = -2300 W here
    words = [0, 0] * 10
    words[12:14] = _float_words(575.0)  # Pt at 0x2012
    words[0:2] = _float_words(2301.0)  # Ua at 0x2006: 230.1 V
    block = plan_blocks(f for f in dtsu666.FIELDS if f.poll == "fast")[0]
    values = decode(block, words, {"ct": 40, "pt": 1.0})
    assert values["p_w"] == pytest.approx(-2300.0)
    assert values["u1_v"] == pytest.approx(230.1)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_floats_are_invalid(bad: float) -> None:
    field = Field("x", 0, "f32", 0.1)
    assert decode_field(field, _float_words(bad)) is None


def test_values_outside_the_plausible_range_are_invalid() -> None:
    voltage = next(f for f in dtsu666.FIELDS if f.name == "u1_v")
    assert decode_field(voltage, _float_words(2300.0)) == pytest.approx(230.0)
    assert decode_field(voltage, _float_words(40000.0)) is None  # 4000 V


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (Field("a", 0, "s16", 10), -2500.0),
        (Field("b", 0, "u32", 0.1), 123456.7),
        (Field("c", 0, "s32", 1, word_order="little"), -70000),
        (Field("d", 0, "f32", 0.1, sign=-1, ratio="ct"), 1234.5),
        (Field("e", 0, "u16", 0.01), 0.87),
    ],
)
def test_encode_then_decode_returns_the_value(field: Field, value: float) -> None:
    words = encode_field(field, value, {"ct": 40})
    assert decode_field(field, words, {"ct": 40}) == pytest.approx(value, rel=1e-6)


def test_little_word_order_swaps_the_words() -> None:
    big, little = Field("a", 0, "u32"), Field("a", 0, "u32", word_order="little")
    assert decode_field(big, (0x0001, 0x0002)) == 0x00010002
    assert decode_field(little, (0x0001, 0x0002)) == 0x00020001


def test_strings_decode_ascii_without_padding() -> None:
    field = Field("serial", 0, "str", words=4)
    assert decode_field(field, encode_field(field, "AB12")) == "AB12"


def test_planner_merges_small_gaps_and_splits_large_ones() -> None:
    fields = [Field("a", 100, "u16"), Field("b", 105, "u32"), Field("c", 130, "u16"), Field("d", 105, "u16", fn=4)]
    blocks = plan_blocks(fields)
    assert [(b.fn, b.start, b.count) for b in blocks] == [(3, 100, 7), (3, 130, 1), (4, 105, 1)]


def test_planner_respects_the_125_register_limit() -> None:
    fields = [Field(f"f{i}", i * 10, "u16") for i in range(30)]
    assert all(b.count <= MAX_READ_REGISTERS for b in plan_blocks(fields))
    assert len(plan_blocks(fields)) == 3


def test_wire_time_of_the_meter_power_block() -> None:
    # 8 request bytes + 45 reply bytes + 2 x 3.5 gaps = 60 characters of 11 bits at 9600 baud
    assert transaction_wire_s(20, 9600) == pytest.approx(60 * 11 / 9600)


def test_meter_polls_power_fast_and_first() -> None:
    polls = dtsu666.polls(0.25, 5, 60)
    power = [p for p in polls if p.priority == 0]
    assert [(p.block.start, p.block.count, p.period_s) for p in power] == [(0x2006, 20, 0.25)]
    energy = next(p for p in polls if p.name == "energy")
    assert [v.start for v in energy.variants] == [0x401E, dtsu666.ENERGY_ALTERNATIVE_BASE]


def test_legacy_family_probes_03_then_04_and_g3_reads_03() -> None:
    for poll in sofar.polls("sofar_legacy", "storage", 5, 60):
        assert [v.fn for v in poll.variants] == [3, 4]
        assert all(f.fn == 4 for f in poll.variants[1].fields)
    assert all([v.fn for v in p.variants] == [3] for p in sofar.polls("sofar_g3", "hybrid_3ph", 5, 60))


def test_pv_inverters_read_no_battery_or_grid() -> None:
    names = {f.name for p in sofar.polls("sofar_g3", "pv_1ph", 5, 60) for f in p.block.fields}
    assert {"pv_w", "state", "serial"} <= names
    assert not names & {"battery_w", "soc", "grid_w"}


def test_implausible_meter_readings() -> None:
    good = {"u1_v": 230.0, "u2_v": 230.0, "u3_v": 230.0, "i1_a": 5.0, "i2_a": 5.0, "i3_a": 5.0,
            "p_w": -3000.0, "p1_w": -1000.0, "p2_w": -1000.0, "p3_w": -1000.0}  # fmt: skip
    assert dtsu666.implausible(good, 60000, 600) is None
    huge = {**good, "p_w": -150000.0, "p1_w": -50000.0, "p2_w": -50000.0, "p3_w": -50000.0}
    assert "power" in (dtsu666.implausible(huge, 60000, 600) or "")
    assert "u2_v" in (dtsu666.implausible({**good, "u2_v": None}, 60000, 600) or "")
    assert "disagrees" in (dtsu666.implausible({**good, "p_w": 2000.0}, 60000, 600) or "")


def test_serial_match_accepts_a_serial_cut_by_its_field() -> None:
    assert serial_matches("ZM1ES030L9A001", "ZM1ES030L9A001", 14)
    assert serial_matches("ZM1ES030L9A00017", "ZM1ES030L9A000", 14)  # 17 characters, 14 held
    assert not serial_matches("ZM1ES030L9A10017", "ZM1ES030L9A000", 14)
    assert not serial_matches("ZM1ES030L9A00017", "ZM1ES030L9A00", 14)  # short read: not a cut
    assert not serial_matches("ZM1ES030L9A001", "ZM1ES030L9A002", 14)


def test_block_moved_keeps_the_layout() -> None:
    block = Block(3, 0x200, 4, (Field("a", 0x201, "u16"),))
    moved = block.moved(4, 0x300)
    assert (moved.fn, moved.start, moved.fields[0].addr, moved.fields[0].fn) == (4, 0x300, 0x301, 4)
