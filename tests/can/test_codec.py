"""The wallbox CAN codec: round trips, the id layout, bad frames, the firmware gate."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connext.protocols.wallbox_can import (
    MIN_FIRMWARE,
    FrameError,
    SerialAssembler,
    Version,
    can_id,
    decode,
    encode,
    firmware_supported,
    serial_parts,
    split_id,
    to_wallbox,
)
from connext.protocols.wallbox_frames import CardSlot, Heartbeat, Identity, SetCurrent, Status
from connext.protocols.wallbox_layouts import LAYOUTS, Function


def _raw_payloads(function: Function) -> st.SearchStrategy[bytes]:
    """Payloads of the right length for `function`, any bytes."""
    layout = LAYOUTS[function]
    fixed = sum(f.width for f in layout.fields)
    lengths = sorted(layout.tail.lengths) if layout.tail else [0]
    return st.sampled_from(lengths).flatmap(lambda n: st.binary(min_size=fixed + n, max_size=fixed + n))


@given(function=st.sampled_from(list(Function)), address=st.integers(1, 31), data=st.data())
def test_every_frame_that_decodes_encodes_back_to_the_same_bytes(function, address, data):
    payload = data.draw(_raw_payloads(function))
    reason = None
    try:
        frame = decode(can_id(function, address), payload)
    except FrameError as err:
        reason = err.reason
    if reason is None:
        assert encode(frame) == (can_id(function, address), payload)
    else:
        assert reason == "value"  # right id and length: only a value can be wrong


@given(
    address=st.integers(1, 31),
    deci_amps=st.integers(60, 800) | st.just(0),
    phases=st.sampled_from([1, 3]),
)
def test_set_current_round_trips_on_the_tenth_of_an_ampere_grid(address, deci_amps, phases):
    frame = SetCurrent(address, deci_amps / 10, phases)
    assert decode(*encode(frame)) == frame


@given(
    state=st.sampled_from("ABCDEF"),
    flags=st.integers(0, 255),
    error=st.integers(0, 255),
    vehicle=st.none() | st.integers(1, 80),
    limit=st.integers(0, 800),
)
def test_status_round_trips(state, flags, error, vehicle, limit):
    frame = Status(5, state, flags, error, vehicle, limit / 10)
    assert decode(*encode(frame)) == frame


@given(serial=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", min_size=1, max_size=32))
def test_a_serial_survives_its_split_into_frames(serial):
    assembler = SerialAssembler()
    results = [assembler.add(decode(*encode(part))) for part in serial_parts(7, serial)]
    assert results[-1] == serial
    assert all(r is None for r in results[:-1])


def test_id_layout_is_function_then_address():
    assert can_id(Function.STATUS, 3) == 0x10 << 5 | 3 == 0x203
    assert split_id(0x203) == (0x10, 3)
    assert encode(Heartbeat(0, 7)) == (0x020, b"\x07")
    assert max(can_id(f, 31) for f in Function) < 1 << 11  # every id fits 11 bits


def test_values_are_big_endian_and_scaled():
    arbitration_id, payload = encode(SetCurrent(2, 16.5, 3))
    assert arbitration_id == 0x042
    assert payload == bytes([0x00, 0xA5, 0x03])  # 165 = 16.5 A in 0.1 A, high byte first


def test_directions():
    assert to_wallbox(SetCurrent(1, 6, 3))
    assert not to_wallbox(Status(1, "A", 0, 0, None, 0))


@pytest.mark.parametrize(
    ("arbitration_id", "payload", "reason"),
    [
        (0x3F << 5 | 4, b"", "unknown_id"),  # function 0x3F is not defined
        (0x800, b"", "unknown_id"),  # more than 11 bits
        (0x204, b"\x41\x00", "length"),  # STATUS needs 6 bytes
        (0x204, b"\x41\x00\x00\x00\x00\x00\x00", "length"),
        (0x204, b"\x5a\x00\x00\x00\x00\x00", "value"),  # state 'Z'
        (0x204, b"\x41\x00\x00\x00\x03\x21", "value"),  # limit 80.1 A
        (0x200, b"\x41\x00\x00\x00\x00\x00", "value"),  # a wallbox frame from address 0
        (0x043, b"\x00\x32\x03", "value"),  # SET_CURRENT 5 A: below the minimum
        (0x043, b"\x00\xa0\x02", "value"),  # two phases
        (0x305, b"\x02\x02AB", "value"),  # serial part 2 of 2
        (0x305, b"\x00\x01A\x00", "value"),  # not printable
        (0x0E3, b"\x08\x01\x02\x03\x04", "value"),  # card slot 8 of 0..7
        (0x0E3, b"\x01\x01\x02", "length"),  # a 2-byte UID
    ],
)
def test_bad_frames_raise_frame_error_with_a_reason(arbitration_id, payload, reason):
    with pytest.raises(FrameError) as caught:
        decode(arbitration_id, payload)
    assert caught.value.reason == reason


def test_encoding_a_value_that_does_not_fit_is_a_bug():
    with pytest.raises(ValueError, match="current"):
        encode(SetCurrent(1, 90, 3))
    with pytest.raises(ValueError, match="at least 6"):
        SetCurrent(1, 4, 3)
    with pytest.raises(ValueError, match="bytes not allowed"):
        encode(CardSlot(1, 0, b"\x01\x02"))


@pytest.mark.parametrize(
    ("text", "supported"),
    [("1.0.493", True), ("1.0.492", False), ("0.9.999", False), ("1.1.0", True), ("2.0.0", True), ("1.0.1000", True)],
)
def test_firmware_gate_compares_versions_field_by_field(text, supported):
    assert firmware_supported(Version.parse(text)) is supported


def test_version_text_and_identity_round_trip():
    assert str(MIN_FIRMWARE) == "1.0.493"
    frame = Identity(9, 1, 0, 493, 32.0, 3, "plug_and_play")
    assert decode(*encode(frame)) == frame
    with pytest.raises(ValueError, match=r"major\.minor\.build"):
        Version.parse("1.0")


def test_the_protocol_table_documents_every_function():
    from pathlib import Path

    import connext.protocols.wallbox_can as codec

    text = (Path(codec.__file__).parent / "wallbox_can.md").read_text()
    for function in Function:
        assert f"`0x{int(function):02X}`" in text, function.name
        assert function.name in text
