"""The Output actor with a fake clock: relay protection, safe states, metrics."""

from __future__ import annotations

import pytest
from support.io_actors import start_actor, wait_for

from connext.actors.messages import ActorsDegraded, EnterSafeState, GetSnapshot, SwitchOutput, Tick
from connext.actors.output import OutputActor
from connext.actors.ticker import Ticker
from connext.core.config import OutputConfig
from connext.core.metrics import REGISTRY


def start(directory, clock, board, **fields):
    cfg = OutputConfig(**{"number": 3, "min_on_s": 60.0, "min_off_s": 120.0, "stale_after_s": 30.0, **fields})
    return start_actor(directory, clock, f"output-{cfg.number}", OutputActor, output=cfg, board=board)


def switch(ref, closed: bool) -> dict:
    ref.tell(SwitchOutput(3, closed, "test"))
    return ref.ask(GetSnapshot(), timeout=5)


def tick(ref) -> dict:
    ref.tell(Tick())
    return ref.ask(GetSnapshot(), timeout=5)


def metric(name: str, output: str = "3") -> float | None:
    return REGISTRY.get_sample_value(name, {"output": output})


def test_starts_in_safe_state(directory, clock, board):
    start(directory, clock, board, number=1, safe_state="closed")
    start(directory, clock, board, number=2)
    assert board.contact_history(1) == [True]
    assert board.contact_history(2) == [False]


def test_minimum_off_then_on_time(directory, clock, board):
    ref = start(directory, clock, board)
    assert switch(ref, True)["hold_left_s"] == 120  # min_off_s counts from the start (contact state unknown before)
    assert board.contact_state(3) is False
    clock.advance(119.9)
    assert switch(ref, True)["closed"] is False
    clock.advance(0.1)
    assert switch(ref, True)["closed"] is True
    clock.advance(10)
    state = switch(ref, False)
    assert (state["closed"], state["hold_left_s"]) == (True, 50)
    assert metric("connext_output_held") == 1
    clock.advance(50)
    assert tick(ref)["closed"] is False  # the held switch is applied on the tick, without a new command
    assert board.contact_history(3) == [False, True, False]


def test_a_wish_that_flips_back_inside_the_hold_never_switches(directory, clock, board):
    ref = start(directory, clock, board, min_off_s=0)
    switch(ref, True)
    before = metric("connext_output_switches_total")
    for _ in range(5):  # 50 s of a wish that flips every 5 s, inside min_on_s = 60
        clock.advance(5)
        switch(ref, False)
        clock.advance(5)
        switch(ref, True)
    assert board.contact_history(3) == [False, True]
    assert metric("connext_output_switches_total") == before
    assert ref.ask(GetSnapshot(), timeout=5)["switches"] == 1


def test_silent_controller_gives_safe_state(directory, clock, board):
    ref = start(directory, clock, board, min_off_s=0, min_on_s=0)
    switch(ref, True)
    clock.advance(30)
    assert tick(ref)["closed"] is True
    clock.advance(0.5)
    state = tick(ref)
    assert (state["closed"], state["in_safe_state"]) == (False, True)
    assert metric("connext_output_safe_state") == 1
    assert switch(ref, True)["closed"] is True  # commands again: obeys again


def test_degraded_controller_gives_safe_state_within_relay_protection(directory, clock, board):
    ref = start(directory, clock, board, min_off_s=0, min_on_s=60)
    switch(ref, True)
    ref.tell(ActorsDegraded(("output-controller",), True))
    assert tick(ref)["closed"] is True  # still inside min_on_s
    clock.advance(60)
    assert switch(ref, True)["closed"] is False  # commands are ignored while degraded
    ref.tell(ActorsDegraded(("output-controller",), False))
    assert switch(ref, True)["closed"] is True


def test_shutdown_is_immediate_and_final(directory, clock, board):
    ref = start(directory, clock, board, min_off_s=0, min_on_s=3600)
    switch(ref, True)
    ref.ask(EnterSafeState("shutdown"), timeout=5)
    assert board.contact_state(3) is False  # inside min_on_s: the one switch that does not wait
    clock.advance(7200)
    assert switch(ref, True)["closed"] is False


def test_stop_leaves_the_contact_safe(directory, clock, board):
    ref = start(directory, clock, board, min_off_s=0, safe_state="open")
    switch(ref, True)
    ref.stop()
    assert board.contact_state(3) is False


def test_metrics_follow_the_contact(directory, clock, board):
    ref = start(directory, clock, board, number=4, min_off_s=0)
    before = metric("connext_output_switches_total", "4") or 0
    ref.tell(SwitchOutput(4, True, "test"))
    state = ref.ask(GetSnapshot(), timeout=5)
    assert metric("connext_output_closed", "4") == 1
    assert metric("connext_output_switches_total", "4") == before + 1
    assert metric("connext_output_last_switch_timestamp_seconds", "4") == pytest.approx(clock.now().timestamp())
    assert state["terminals"] == "relay 1, terminals 13/14/15"


def test_write_failure_crashes_to_the_supervisor(directory, clock, board):
    ref = start(directory, clock, board, min_off_s=0)
    board.fail("output3")
    ref.tell(SwitchOutput(3, True, "test"))
    assert wait_for(lambda: not ref.is_alive())
    assert metric("connext_output_errors_total") >= 1


def test_a_commanded_output_is_not_ticked_until_its_controller_falls_silent(directory, clock, board):
    ticker = Ticker(clock)  # never started: the test pops what is due
    cfg = OutputConfig(number=3, stale_after_s=3.0, min_on_s=0, min_off_s=0)
    ref = start_actor(directory, clock, "output-3", OutputActor, ticker=ticker, output=cfg, board=board)
    assert "output-3" in ticker.jobs()
    due = []
    for second in range(6):
        if second < 2:
            switch(ref, True)  # the controller's command, once a second
        clock.advance(1.0)
        due.append("output-3" in {job.key for job in ticker._pop_due()})
    assert due == [False, False, True, True, True, True]  # from 1.5 s after the last command, every second
    assert board.contact_history(3)[-1] is True
    tick(ref)  # the tick the ticker let through: the controller is silent past stale_after_s
    assert board.contact_history(3)[-1] is False  # the safe state
