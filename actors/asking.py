"""Asking actors from outside the actor system: the debug socket, the HTTP API, bin/.

One way to ask (`ask_actor`, always with a timeout) and one error type when the asking
itself fails (`AskFailed`: the actor is not part of the site, not running, too slow, or
stopped while answering). An actor that answers "no" is `Refused`, with one word for the
kind of refusal, so the debug socket can print it and the API can pick its status.
Actors never ask each other (STYLE: tell, and reply with a tell).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

import pykka

from .directory import Directory

ASK_TIMEOUT_S = 2.0
REFUSALS = ("conflict", "invalid", "not_found", "forbidden")


class OperationError(Exception):
    """An operation on the running system did not happen; the text says why."""


class AskFailed(OperationError):
    """The actor could not be asked, or did not answer (the part is missing or down)."""


class AskTimedOut(AskFailed):
    """The actor is running but did not answer in time (busy or stuck)."""


class Refused(OperationError):
    """The actor answered and said no. `kind`: conflict (the state forbids it now),
    invalid (a value breaks a rule; `problems` name them), not_found, forbidden (role)."""

    def __init__(self, why: str, kind: str = "conflict", problems: Sequence[str] = ()) -> None:
        if kind not in REFUSALS:
            raise ValueError(f"unknown refusal kind {kind!r}")
        self.kind, self.problems = kind, tuple(problems)
        super().__init__(why)


def _live_ref(directory: Directory, name: str) -> pykka.ActorRef[Any]:
    record = directory.record(name)
    if record is None:
        raise AskFailed(f"{name} is not part of this site")
    ref = directory.ref(name)
    if ref is None:
        status = "stopped" if record.status == "running" else record.status  # dead, not yet noticed
        raise AskFailed(f"{name} is {status}, not running (last error: {record.last_error})")
    return ref


def _answer(name: str, future: pykka.Future[Any], timeout_s: float, waited_s: float) -> Any:
    try:
        return future.get(timeout=timeout_s)
    except pykka.Timeout:
        raise AskTimedOut(f"{name} did not answer within {waited_s:g} s (busy or stuck)") from None
    except pykka.ActorDeadError:
        raise AskFailed(f"{name} stopped while answering") from None


def ask_actor(directory: Directory, name: str, message: object, timeout_s: float = ASK_TIMEOUT_S) -> Any:
    """Ask the actor named `name` and return its answer; `AskFailed` when that cannot be done."""
    ref = _live_ref(directory, name)
    try:
        future = ref.ask(message, block=False)
    except pykka.ActorDeadError:
        raise AskFailed(f"{name} stopped while answering") from None
    return _answer(name, future, timeout_s, timeout_s)


def ask_all(
    directory: Directory, names: Iterable[str], message: object, timeout_s: float = ASK_TIMEOUT_S
) -> dict[str, Any]:
    """Ask several actors at once, all within `timeout_s` of real time (it bounds a real
    wait, not site time). Each name maps to its answer or to the `AskFailed` it raised."""
    pending: dict[str, pykka.Future[Any]] = {}
    out: dict[str, Any] = {}
    for name in names:
        try:
            pending[name] = _live_ref(directory, name).ask(message, block=False)
        except AskFailed as err:
            out[name] = err
        except pykka.ActorDeadError:
            out[name] = AskFailed(f"{name} stopped while answering")
    deadline_s = time.monotonic() + timeout_s
    for name, future in pending.items():
        try:
            out[name] = _answer(name, future, max(0.05, deadline_s - time.monotonic()), timeout_s)
        except AskFailed as err:
            out[name] = err
    return out
