"""Supervision: restart with backoff, intensity, degraded groups, retries, metrics."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from support.core_helpers import SETTINGS, Flaky, fail, tick
from support.waiting import wait_until

from connext.actors.base import ConnextActor
from connext.actors.directory import Directory
from connext.actors.messages import ActorsDegraded, GetSnapshot
from connext.actors.supervisor import Supervisor
from connext.actors.tree import Child, Group
from connext.core.clock import ManualClock
from connext.core.metrics import REGISTRY

_ids = itertools.count()


class BrokenStart(ConnextActor):
    def on_start(self) -> None:
        raise OSError("device missing")


def names(*stems: str) -> list[str]:
    """Actor names unique to one test: metrics live in one process-wide registry."""
    n = next(_ids)
    return [f"{stem}-{n}" for stem in stems]


def start(tree: Group, clock: ManualClock) -> tuple[Any, Directory]:
    directory = Directory()
    supervisor = Supervisor.start(tree, directory, clock, SETTINGS)
    supervisor.ask(GetSnapshot(), timeout=5)  # on_start done: children started
    return supervisor, directory


def status(directory: Directory, name: str) -> str:
    record = directory.record(name)
    assert record is not None
    return record.status


def metric(name: str, actor: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"actor": actor})


def test_failed_child_restarts_after_backoff_and_the_sibling_keeps_running(clock: ManualClock) -> None:
    a, b = names("a", "b")
    supervisor, directory = start(Group("site", (Child(a, Flaky), Child(b, Flaky))), clock)
    first_ref = directory.ref(a)
    fail(directory, a)
    assert status(directory, a) == "restarting"
    assert directory.ref(b) is not None and directory.ref(b).ask("ping", timeout=5) == "pong"

    tick(supervisor, clock, 0.9)
    assert status(directory, a) == "restarting"  # backoff not over
    tick(supervisor, clock, 0.1)
    assert status(directory, a) == "running"
    new_ref = directory.ref(a)
    assert new_ref is not None and new_ref is not first_ref
    assert new_ref.ask("ping", timeout=5) == "pong"
    assert directory.record(a).restarts == 1
    assert metric("connext_actor_restarts_total", a) == 1
    assert metric("connext_actor_up", a) == 1
    assert "boom" in (directory.record(a).last_error or "")


def test_backoff_doubles_up_to_the_cap(clock: ManualClock) -> None:
    (a,) = names("a")
    supervisor, directory = start(Group("site", (Child(a, Flaky),), intensity=10), clock)
    for expected_delay in (1.0, 2.0, 4.0, 4.0):
        fail(directory, a)
        tick(supervisor, clock, expected_delay - 0.05)
        assert status(directory, a) == "restarting", expected_delay
        tick(supervisor, clock, 0.05)
        assert status(directory, a) == "running", expected_delay


def test_backoff_resets_after_a_stable_period(clock: ManualClock) -> None:
    (a,) = names("a")
    supervisor, directory = start(Group("site", (Child(a, Flaky),), intensity=10), clock)
    for delay in (1.0, 2.0):
        fail(directory, a)
        tick(supervisor, clock, delay)
    tick(supervisor, clock, SETTINGS.period_s)  # ran a whole period without failing
    fail(directory, a)
    tick(supervisor, clock, 1.0)
    assert status(directory, a) == "running"


def test_past_the_intensity_a_root_child_is_degraded_alone_then_retried(clock: ManualClock) -> None:
    a, b = names("a", "b")
    supervisor, directory = start(Group("site", (Child(a, Flaky), Child(b, Flaky))), clock)
    for delay in (1.0, 2.0, 4.0):
        fail(directory, a)
        tick(supervisor, clock, delay)
    fail(directory, a)  # the 4th restart within 60 s: more than intensity 3
    assert status(directory, a) == "degraded"
    assert metric("connext_actor_degraded", a) == 1
    assert metric("connext_actor_up", a) == 0
    assert status(directory, b) == "running"
    snapshot = directory.ref(b).ask(GetSnapshot(), timeout=5)
    assert snapshot["notices"] == [[[a], True]]
    groups = supervisor.ask(GetSnapshot(), timeout=5)["groups"]
    assert groups[a]["degraded"] is True

    tick(supervisor, clock, SETTINGS.degraded_retry_s - 1)
    assert status(directory, a) == "degraded"
    tick(supervisor, clock, 1)
    assert status(directory, a) == "running"
    assert metric("connext_actor_degraded", a) == 0
    wait_until(lambda: directory.ref(b).ask(GetSnapshot(), timeout=5)["notices"][-1] == [[a], False])


def test_rest_for_one_restarts_the_later_siblings_and_gives_the_group_up_together(clock: ManualClock) -> None:
    bus, dev1, dev2, other = names("bus", "dev1", "dev2", "other")
    line = Group("line", (Child(bus, Flaky), Child(dev1, Flaky), Child(dev2, Flaky)), strategy="rest_for_one",
                 intensity=2, period_s=30)  # fmt: skip
    supervisor, directory = start(Group("site", (line, Child(other, Flaky))), clock)

    bus_ref, dev2_ref = directory.ref(bus), directory.ref(dev2)
    fail(directory, dev1)  # a device: only it and those after it
    assert [status(directory, n) for n in (bus, dev1, dev2)] == ["running", "restarting", "restarting"]
    assert directory.ref(bus) is bus_ref
    tick(supervisor, clock, 1.0)
    assert directory.ref(dev2) is not dev2_ref and status(directory, dev2) == "running"

    fail(directory, bus)  # the bus: everything after it too
    assert all(status(directory, n) == "restarting" for n in (bus, dev1, dev2))
    tick(supervisor, clock, 1.0)
    assert all(status(directory, n) == "running" for n in (bus, dev1, dev2))

    fail(directory, bus)  # third restart in 30 s > intensity 2: the group is given up
    assert all(status(directory, n) == "degraded" for n in (bus, dev1, dev2))
    assert status(directory, other) == "running"
    assert supervisor.ask(GetSnapshot(), timeout=5)["groups"]["line"]["degraded"] is True
    tick(supervisor, clock, SETTINGS.degraded_retry_s)
    assert all(status(directory, n) == "running" for n in (bus, dev1, dev2))


def test_a_crash_in_on_start_is_noticed_on_tick(clock: ManualClock) -> None:
    (broken,) = names("broken")
    supervisor, directory = start(Group("site", (Child(broken, BrokenStart),)), clock)
    wait_until(lambda: not directory.record(broken).ref.is_alive(), what="on_start to fail")
    tick(supervisor, clock, 0.0)
    record = directory.record(broken)
    assert record.status == "restarting"
    assert "on_start" in (record.last_error or "")
    assert metric("connext_actor_failures_total", broken) == 1


def test_group_and_actor_names_must_not_clash(clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="both a group and an actor"):
        Supervisor(Group("site", (Group("x", (Child("y", Flaky),)), Child("x", Flaky))), Directory(), clock, SETTINGS)


def test_stop_supervising_freezes_the_tree(clock: ManualClock) -> None:
    (a,) = names("a")
    supervisor, directory = start(Group("site", (Child(a, Flaky),)), clock)
    from connext.actors.messages import StopSupervising

    supervisor.ask(StopSupervising(), timeout=5)
    directory.ref(a).tell("boom")
    wait_until(lambda: directory.ref(a) is None, what="actor dead")
    tick(supervisor, clock, 100)
    assert directory.ref(a) is None
    assert directory.record(a).restarts == 0


def test_messages_to_a_dead_actor_are_dropped_and_counted(clock: ManualClock) -> None:
    (a,) = names("a")
    supervisor, directory = start(Group("site", (Child(a, Flaky),), intensity=10), clock)
    fail(directory, a)
    address = directory.address(a)
    assert address.tell(ActorsDegraded((), True)) is False
    assert metric("connext_actor_messages_dropped_total", a) == 1
    tick(supervisor, clock, 1.0)
    assert address.tell(ActorsDegraded((), True)) is True
