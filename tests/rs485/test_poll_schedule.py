"""The bus's schedule: priorities, interleaving, slow polling of silent devices, cycles."""

from __future__ import annotations

import itertools

from connext.actors.directory import Directory
from connext.actors.poll_schedule import Schedule
from connext.protocols.modbus_map import Block, Field
from connext.protocols.poll_plan import PollSpec

ADDRESS = Directory().address("nobody")


def _spec(name: str, period_s: float, priority: int) -> PollSpec:
    return PollSpec(name, period_s, priority, (Block(3, 0, 1, (Field("x", 0, "u16"),)),))


def _run_line(schedule: Schedule, until_s: float, transaction_s: float) -> list[tuple[int, str]]:
    """Run the line: one transaction at a time, each taking `transaction_s`."""
    now, ran = 0.0, []
    while now < until_s:
        poll = schedule.next_due(now)
        if poll is None:
            now += schedule.wait_s(now) or 0.01
            continue
        now += transaction_s
        schedule.ran(poll, now, device_offline=False)
        ran.append(poll.key)
    return ran


def test_meter_block_is_interleaved_between_inverter_blocks() -> None:
    schedule = Schedule(offline_poll_s=2.0)
    schedule.register(32, (_spec("power", 0.25, 0),), ADDRESS, 0.0)
    for unit in range(1, 9):
        schedule.register(unit, (_spec("normal0", 5.0, 1), _spec("normal1", 5.0, 1)), ADDRESS, 0.0)
    ran = _run_line(schedule, until_s=2.0, transaction_s=0.07)
    meter_runs = [i for i, key in enumerate(ran) if key[0] == 32]
    # with 16 inverter blocks due at once, the meter still runs at least every 4th slot
    assert max(b - a for a, b in itertools.pairwise(meter_runs)) <= 4
    assert {key for key in ran if key[0] != 32} == {(u, n) for u in range(1, 9) for n in ("normal0", "normal1")}


def test_a_silent_device_is_polled_only_every_offline_period() -> None:
    schedule = Schedule(offline_poll_s=2.0)
    schedule.register(32, (_spec("power", 0.25, 0),), ADDRESS, 0.0)
    poll = schedule.next_due(0.0)
    assert poll is not None
    schedule.ran(poll, 0.5, device_offline=True)
    assert schedule.next_due(2.4) is None
    assert schedule.next_due(2.5) is poll


def test_late_polls_do_not_burst_to_catch_up() -> None:
    schedule = Schedule(offline_poll_s=2.0)
    schedule.register(1, (_spec("normal0", 1.0, 1),), ADDRESS, 0.0)
    poll = schedule.next_due(0.0)
    assert poll is not None
    schedule.ran(poll, 10.0, device_offline=False)  # the line was busy for 10 s
    assert poll.due_s == 10.5


def test_a_cycle_completes_when_every_request_ran_once() -> None:
    schedule = Schedule(offline_poll_s=2.0)
    schedule.register(32, (_spec("power", 0.25, 0),), ADDRESS, 0.0)
    schedule.register(1, (_spec("slow0", 60.0, 2),), ADDRESS, 0.0)
    for wire_s, now in ((0.05, 0.1), (0.02, 0.2)):
        poll = schedule.next_due(now)
        assert poll is not None
        schedule.note_transaction(wire_s)
        schedule.ran(poll, now, device_offline=False)
    assert schedule.last_cycle == {"duration_s": 0.2, "transactions": 2, "wire_s": 0.07}


def test_registering_again_replaces_a_units_requests() -> None:
    schedule = Schedule(offline_poll_s=2.0)
    schedule.register(1, (_spec("a", 1.0, 1), _spec("b", 1.0, 1)), ADDRESS, 0.0)
    schedule.register(1, (_spec("c", 1.0, 1),), ADDRESS, 0.0)
    assert [p.spec.name for p in schedule.polls] == ["c"]


def test_a_silent_unit_is_probed_with_one_request_per_offline_period() -> None:
    schedule = Schedule(offline_poll_s=2.0)
    schedule.register(32, (_spec("power", 0.25, 0), _spec("energy", 60.0, 2)), ADDRESS, 0.0)
    schedule.defer_unit(32, 2.0)
    assert schedule.next_due(1.9) is None
    schedule.wake_unit(32, 2.5)
    assert {p.spec.name for p in schedule.polls if p.due_s <= 2.5} == {"power", "energy"}
