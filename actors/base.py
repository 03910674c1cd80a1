"""The base of every connext actor: context, bookkeeping, snapshots, failure reports."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

import pykka

from connext.core.clock import Clock

from .directory import Address, Directory
from .messages import ActorsDegraded, ChildFailed, EnterSafeState, GetSnapshot

if TYPE_CHECKING:
    from .ticker import Ticker


@dataclass(frozen=True, slots=True)
class ActorContext:
    """What the supervisor hands every actor it starts."""

    name: str
    clock: Clock
    directory: Directory
    supervisor: Address
    ticker: Ticker | None = None

    def address(self, name: str) -> Address:
        return self.directory.address(name)


class ConnextActor(pykka.ThreadingActor):
    """A supervised actor. Subclasses implement `receive` (a `match` dispatch) and
    `snapshot`; they may override `enter_safe_state` and `on_degraded`."""

    use_daemon_thread = True  # a stuck actor must never keep the process alive

    def __init__(self, ctx: ActorContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.name = ctx.name
        self.clock = ctx.clock

    def on_receive(self, message: Any) -> Any:
        record = self.ctx.directory.record(self.name)
        if record is not None:
            record.last_message_at_s = self.clock.monotonic()
            record.messages_handled += 1
        match message:
            case GetSnapshot():
                return self.snapshot()
            case EnterSafeState(reason=reason):
                return self.enter_safe_state(reason)
            case ActorsDegraded(names=names, degraded=degraded):
                return self.on_degraded(names, degraded)
            case _:
                return self.receive(message)

    def receive(self, message: Any) -> Any:
        """Handle one message; an unknown one is a bug and raises."""
        raise TypeError(f"{self.name}: unexpected message {message!r}")

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready dict of this actor's own state (debug socket)."""
        return {}

    def enter_safe_state(self, reason: str) -> None:
        """Put the owned device in its safe state; default: nothing to do."""

    def on_degraded(self, names: tuple[str, ...], degraded: bool) -> None:
        """Some actors were given up (or are back); default: not my concern."""

    def on_failure(
        self,
        exception_type: type[BaseException] | None,
        exception_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        error = f"{exception_type.__name__ if exception_type else 'Error'}: {exception_value}"
        self.ctx.supervisor.tell(ChildFailed(self.name, self.actor_urn, error))
