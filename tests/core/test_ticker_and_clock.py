"""The ticker paces periodic work through addresses; clocks move as told."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from support.waiting import wait_until

from connext.actors.base import ActorContext, ConnextActor
from connext.actors.directory import Directory
from connext.actors.messages import Tick
from connext.actors.ticker import Ticker
from connext.core.clock import ManualClock, SystemClock


class TickCounter(ConnextActor):
    def __init__(self, ctx: ActorContext) -> None:
        super().__init__(ctx)
        self.tags: list[str] = []

    def receive(self, message: Any) -> Any:
        match message:
            case Tick(tag=tag):
                self.tags.append(tag)
            case "tags":
                return list(self.tags)
            case _:
                return super().receive(message)


def test_ticks_reach_the_actor_behind_an_address_and_a_key_replaces_its_job() -> None:
    clock, directory = SystemClock(), Directory()
    record = directory.declare("counter", "TickCounter", "site")
    record.ref = TickCounter.start(ActorContext("counter", clock, directory, directory.address("supervisor")))
    ticker = Ticker(clock)
    ticker.start()
    try:
        ticker.every("job", 0.01, directory.address("counter"), Tick("a"))
        wait_until(lambda: len(record.ref.ask("tags", timeout=5)) >= 3, what="three ticks")
        ticker.every("job", 0.01, directory.address("counter"), Tick("b"))  # replaces, not doubles
        assert ticker.jobs() == {"job": 0.01}
        wait_until(lambda: record.ref.ask("tags", timeout=5)[-3:] == ["b", "b", "b"], what="replaced job")
        ticker.cancel("job")
        assert ticker.jobs() == {}
    finally:
        ticker.stop()


def test_jobs_of_one_period_fire_together_after_their_first_tick_and_skip_missed_periods() -> None:
    clock, directory = ManualClock(monotonic_s=1000.0), Directory()
    ticker = Ticker(clock)  # not started: the test pops the due jobs itself
    for key, first_in_s in (("a", 0.0), ("b", 0.25), ("c", 0.75)):
        ticker.every(key, 1.0, directory.address(key), Tick(key), first_in_s=first_in_s)
    firing = []
    for step in range(16):  # 4 s in 0.25 s steps
        keys = sorted(job.key for job in ticker._pop_due())
        if keys:
            firing.append((step * 0.25, keys))
        clock.advance(0.25)
    assert firing[:3] == [(0.0, ["a"]), (0.25, ["b"]), (0.75, ["c"])]  # the first ticks as asked
    # then on whole seconds, together, never less than half a period after the previous one
    assert firing[3:] == [(1.0, ["a", "b"]), (2.0, ["a", "b", "c"]), (3.0, ["a", "b", "c"])]
    clock.advance(2.5)  # a stall: 1004.0 .. 1006.5 missed; one tick each, no burst
    assert len(ticker._pop_due()) == 3
    assert ticker._pop_due() == []


def test_a_ticker_refuses_a_non_positive_period() -> None:
    with pytest.raises(ValueError, match="period must be > 0"):
        Ticker(SystemClock()).every("x", 0, Directory().address("x"), Tick())


def test_manual_clock_moves_both_scales_together_and_only_forward() -> None:
    clock = ManualClock(start=datetime(2026, 3, 29, 0, 30, tzinfo=UTC), monotonic_s=5.0)
    clock.advance(90.5)
    assert clock.monotonic() == 95.5
    assert clock.now() == datetime(2026, 3, 29, 0, 31, 30, 500000, tzinfo=UTC)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="timezone-aware"):
        ManualClock(start=datetime(2026, 1, 1))
