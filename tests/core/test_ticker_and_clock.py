"""The ticker paces periodic work through addresses; clocks move as told."""

from __future__ import annotations

from collections.abc import Iterator
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


@pytest.fixture
def running() -> Iterator[tuple[Ticker, Directory, Any]]:
    """A started ticker on the system clock and a TickCounter actor named "counter"."""
    clock, directory = SystemClock(), Directory()
    record = directory.declare("counter", "TickCounter", "site")
    record.ref = TickCounter.start(ActorContext("counter", clock, directory, directory.address("supervisor")))
    ticker = Ticker(clock)
    ticker.start()
    try:
        yield ticker, directory, record
    finally:
        ticker.stop()


def test_ticks_reach_the_actor_behind_an_address_and_a_key_replaces_its_job(running) -> None:
    ticker, directory, record = running
    ticker.every("job", 0.01, directory.address("counter"), Tick("a"))
    wait_until(lambda: len(record.ref.ask("tags", timeout=5)) >= 3, what="three ticks")
    ticker.every("job", 0.01, directory.address("counter"), Tick("b"))  # replaces, not doubles
    assert ticker.jobs() == {"job": 0.01}
    wait_until(lambda: record.ref.ask("tags", timeout=5)[-3:] == ["b", "b", "b"], what="replaced job")
    ticker.cancel("job")
    assert ticker.jobs() == {}


def test_a_job_due_before_the_one_the_ticker_sleeps_for_wakes_it(running) -> None:
    ticker, directory, record = running
    ticker.every("slow", 0.5, directory.address("counter"), Tick("slow"), first_in_s=1.0)
    ticker.every("later", 0.5, directory.address("counter"), Tick("later"), first_in_s=1.1)
    ticker.every("fast", 0.01, directory.address("counter"), Tick("fast"))
    tags = wait_until(lambda: (t := record.ref.ask("tags", timeout=5)) and "later" in t and t, what="every job")
    assert tags[0] == "fast"  # it did not wait for the slow job's first tick
    assert tags.index("slow") < tags.index("later")


def test_a_postponed_job_ticks_again_only_after_its_quiet_time() -> None:
    clock, directory = ManualClock(), Directory()
    ticker = Ticker(clock)  # not started: the scheduling step is driven by hand
    ticker.every("watchdog", 1.0, directory.address("x"), Tick("w"), first_in_s=1.0)
    ticker.every("other", 1.0, directory.address("x"), Tick("o"), first_in_s=1.0)
    ticker.postpone("watchdog", clock.monotonic() + 2.5)  # a sign of life: quiet for 2.5 s
    ticker.postpone("unknown", clock.monotonic() + 9.0)  # no such job: nothing happens
    fired = []
    for _ in range(4):
        clock.advance(1.0)
        fired.append(sorted(job.key for job in ticker._pop_due()))
    assert fired == [["other"], ["other"], ["other", "watchdog"], ["other", "watchdog"]]


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
