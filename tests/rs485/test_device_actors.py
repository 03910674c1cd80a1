"""Meter and inverter actors fed bus results by hand, on a manual clock: what they publish,
with which time, and when they call their data stale."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from support.rs485_line import Collector

from connext.actors.base import ActorContext
from connext.actors.directory import Directory
from connext.actors.inverter import InverterActor
from connext.actors.messages import BlockRead, GetSnapshot, InverterReading, MeterReading, Tick
from connext.actors.meter import MeterActor
from connext.actors.ticker import Ticker
from connext.core.clock import ManualClock
from connext.core.config import InverterConfig, MeterConfig, Rs485Config
from connext.protocols import dtsu666, sofar
from connext.sim.modbus_devices import InverterSim, MeterSim

RS485 = Rs485Config(port="/dev/null")


def _start(directory: Directory, clock: ManualClock, name: str, actor: Any, ticker: Ticker | None = None,
           **kwargs: Any) -> Any:  # fmt: skip
    record = directory.declare(name, actor.__name__, "rs485")
    ctx = ActorContext(name, clock, directory, directory.address("supervisor"), ticker)
    record.ref = actor.start(ctx, **kwargs)
    record.status = "running"
    return record.ref


def _site(directory: Directory, clock: ManualClock) -> list[object]:
    sink: list[object] = []
    _start(directory, clock, "site-controller", Collector, sink=sink, lock=threading.Lock())
    return sink


def _site_ref(directory: Directory) -> Any:
    return directory.ref("site-controller")


def _settle(*refs: Any) -> None:
    """Every message told so far has been handled (asks queue behind tells)."""
    for ref in refs:
        ref.ask(GetSnapshot(), timeout=5)


def _registers(image: dict[int, int], start: int, count: int) -> tuple[int, ...]:
    return tuple(image.get(a, 0) for a in range(start, start + count))


def test_meter_publishes_with_the_read_time_and_goes_stale(clock: ManualClock) -> None:
    directory = Directory()
    sink = _site(directory, clock)
    meter = _start(directory, clock, "meter", MeterActor, meter=MeterConfig(stale_after_s=3.0), rs485=RS485,
                   max_power_w=60000.0)  # fmt: skip
    sim = MeterSim()
    sim.set_power(2400.0)
    power = dtsu666.polls(0.25, 5, 60)[0]
    read_at = clock.monotonic()
    meter.tell(BlockRead(32, power.name, power.block, _registers(sim.image(), 0x2006, 20), read_at))
    assert meter.ask(GetSnapshot(), timeout=5)["stale"] is False
    clock.advance(3.5)
    meter.tell(Tick("stale"))
    _settle(meter, _site_ref(directory))
    snapshot = meter.ask(GetSnapshot(), timeout=5)
    readings = [r for r in sink if isinstance(r, MeterReading)]
    assert snapshot["stale"] is True
    assert snapshot["age_s"] == pytest.approx(3.5)
    assert len(readings) == 1
    assert readings[0].at_s == read_at
    assert readings[0].grid_power_w == pytest.approx(2400.0)


def test_inverter_waits_for_its_serial_and_dates_a_reading_by_its_oldest_block(clock: ManualClock) -> None:
    directory = Directory()
    sink = _site(directory, clock)
    config = InverterConfig(address=4, serial="ZM1ES030L9A004", kind="hybrid_1ph", family="sofar_g3")
    inverter = _start(directory, clock, "inverter-4", InverterActor, inverter=config, rs485=RS485)
    sim = InverterSim(4, "ZM1ES030L9A004", kind="hybrid_1ph")
    sim.set_battery(-700.0, soc=0.35)
    polls = {p.name: p.block for p in sofar.polls("sofar_g3", "hybrid_1ph", 5, 60)}
    first_at = clock.monotonic()
    for name, block in sorted(polls.items(), key=lambda item: item[0].startswith("slow")):  # normal first
        inverter.tell(BlockRead(4, name, block, _registers(sim.image(), block.start, block.count), clock.monotonic()))
        _settle(inverter, _site_ref(directory))
        if name.startswith("normal"):
            assert not sink  # nothing before the serial is confirmed
        clock.advance(0.1)
    (reading,) = [r for r in sink if isinstance(r, InverterReading)]
    assert reading.at_s == first_at
    assert (reading.battery_power_w, reading.state) == (-700.0, "normal")
    assert reading.battery_soc == pytest.approx(0.35)


def test_a_silent_device_is_checked_a_sixth_of_its_stale_time_apart(clock: ManualClock) -> None:
    directory, ticker = Directory(), Ticker(clock)  # never started: it only lists the jobs
    _start(directory, clock, "meter", MeterActor, ticker, meter=MeterConfig(stale_after_s=3.0), rs485=RS485,
           max_power_w=60000.0)  # fmt: skip
    config = InverterConfig(address=4, serial="ZM1ES030L9A004", kind="pv_3ph", family="sofar_g3", stale_after_s=15)
    _start(directory, clock, "inverter-4", InverterActor, ticker, inverter=config, rs485=RS485)
    for name in ("meter", "inverter-4"):
        directory.ref(name).ask(GetSnapshot(), timeout=5)  # started: its jobs are registered
    assert ticker.jobs() == {"meter:stale": 0.5, "inverter-4:stale": 2.5}


def test_readings_postpone_the_stale_check(clock: ManualClock) -> None:
    directory, ticker = Directory(), Ticker(clock)  # never started: the scheduling step is driven by hand
    _site(directory, clock)
    meter = _start(directory, clock, "meter", MeterActor, ticker, meter=MeterConfig(stale_after_s=3.0), rs485=RS485,
                   max_power_w=60000.0)  # fmt: skip
    sim, power = MeterSim(), dtsu666.polls(0.25, 5, 60)[0]
    clock.advance(0.3)
    meter.tell(BlockRead(32, power.name, power.block, _registers(sim.image(), 0x2006, 20), clock.monotonic()))
    _settle(meter)
    checks = []
    for step_s in (0.3, 0.3, 0.5):  # the check was due 0.5 s after the start; the reading moved it to 0.8 s
        clock.advance(step_s)
        checks.append("meter:stale" in {job.key for job in ticker._pop_due()})
    assert checks == [False, True, True]
