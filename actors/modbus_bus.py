"""ModbusBusActor: owns one RS485 line (or Modbus TCP gateway) and everything on it.

Device actors register their requests (`RegisterPolls`); the bus runs them one at a time
(the line is half duplex) on its own schedule and tells each result back (`BlockRead` /
`BlockFailed`). It schedules itself: after each transaction it tells itself `Tick("poll")`
while something is due, and when nothing is, it asks the ticker to wake it when the next
request falls due; so ticks never pile requests up in the mailbox. Each attempt has the
transport's timeout; timeouts and CRC errors are retried `rs485.retries` times; an
"illegal function/address" answer switches to the request's next probe variant (e.g.
function 04 after 03) and remembers it. A lost port is reopened every `RECONNECT_S`.
"""

from __future__ import annotations

from typing import Any

from loguru import logger

from connext.core.config import Rs485Config
from connext.protocols.poll_plan import transaction_wire_s

from . import rs485_metrics as m
from .base import ActorContext, ConnextActor
from .burst_log import BurstLog
from .messages import BlockFailed, BlockRead, PollAllNow, ReadRegisters, RegisterPolls, Tick
from .modbus_transport import ModbusTransport, ReadResult
from .poll_schedule import Schedule, ScheduledPoll

RECONNECT_S = 1.0
HEARTBEAT_S = 1.0  # the ticker also wakes the bus this often, whatever is due
OFFLINE_AFTER = 3  # failed requests in a row before a device is polled slowly
PROBE_CODES = (1, 2)  # illegal function, illegal data address: try the next layout


class _Device:
    """What the bus knows about one unit."""

    def __init__(self, unit: int) -> None:
        self.unit = unit
        self.requests = 0
        self.errors: dict[str, int] = {}
        self.failures_in_a_row = 0
        self.last_ok_s: float | None = None
        self.log = BurstLog(f"modbus unit {unit}")

    @property
    def offline(self) -> bool:
        return self.failures_in_a_row >= OFFLINE_AFTER


class ModbusBusActor(ConnextActor):
    """One line: transport, schedule, retries, error counters, reconnects."""

    def __init__(self, ctx: ActorContext, rs485: Rs485Config) -> None:
        super().__init__(ctx)
        self.settings = rs485
        self.transport = ModbusTransport(rs485.port, rs485.baudrate, rs485.parity, rs485.stopbits, rs485.timeout_s)
        self.schedule = Schedule(rs485.offline_poll_s)
        self.devices: dict[int, _Device] = {}
        self.chain_queued = False
        self.reconnect_at_s: float | None = None
        self.reconnects = 0
        self.stray_seen = 0
        self.port_log = BurstLog(f"rs485 port {rs485.port}", level="ERROR")

    # --- lifecycle --------------------------------------------------------------------

    def on_start(self) -> None:
        if not self._open():
            self.reconnect_at_s = self.clock.monotonic() + RECONNECT_S
        self._arm_wake(HEARTBEAT_S)

    def on_stop(self) -> None:
        if self.ctx.ticker:
            self.ctx.ticker.cancel(self._wake_key)
        self.transport.close()
        m.MODBUS_CONNECTED.set(0)

    def receive(self, message: Any) -> Any:
        match message:
            case RegisterPolls(unit=unit, polls=polls, reply_to=reply_to):
                self.devices.setdefault(unit, _Device(unit))
                self.schedule.register(unit, polls, reply_to, self.clock.monotonic())
                self._queue_step()
            case Tick(tag="poll"):
                self.chain_queued = False
                self._step()
            case Tick():
                if not self.chain_queued:  # a wake-up while the chain runs is redundant
                    self._step()
            case PollAllNow():
                self.schedule.all_due(self.clock.monotonic())
                self._queue_step()
            case ReadRegisters(unit=unit, fn=fn, start=start, count=count):
                return self._raw_read(unit, fn, start, count)
            case _:
                raise TypeError(f"{self.name}: unexpected message {message!r}")
        return None

    # --- the chain: one transaction per step ------------------------------------------

    @property
    def _wake_key(self) -> str:
        return f"{self.name}:wake"

    def _queue_step(self) -> None:
        if not self.chain_queued:
            self.chain_queued = True
            self.actor_ref.tell(Tick("poll"))

    def _arm_wake(self, in_s: float) -> None:
        if self.ctx.ticker:
            address = self.ctx.address(self.name)
            self.ctx.ticker.every(self._wake_key, HEARTBEAT_S, address, Tick("wake"), first_in_s=in_s)

    def _step(self) -> None:
        now = self.clock.monotonic()
        if not self.transport.connected and not self._reconnect(now):
            return
        poll = self.schedule.next_due(now)
        if poll is None:
            wait = self.schedule.wait_s(now)
            self._arm_wake(HEARTBEAT_S if wait is None else wait)
            return
        self._run(poll)
        self._queue_step()

    def _reconnect(self, now: float) -> bool:
        if self.reconnect_at_s is not None and now < self.reconnect_at_s:
            self._arm_wake(self.reconnect_at_s - now)
            return False
        if self._open():
            self.reconnects += 1
            m.MODBUS_RECONNECTS.inc()
            return True
        self.reconnect_at_s = now + RECONNECT_S
        self._arm_wake(RECONNECT_S)
        return False

    def _open(self) -> bool:
        if self.transport.open():
            self.reconnect_at_s = None
            self.port_log.ok()
            m.MODBUS_CONNECTED.set(1)
            return True
        self.port_log.failed("cannot open (missing, busy or gateway down); retrying every second")
        m.MODBUS_CONNECTED.set(0)
        return False

    # --- one request, with retries and probing ----------------------------------------

    def _run(self, poll: ScheduledPoll) -> None:
        device = self.devices[poll.unit]
        result = self._transact(poll, device)
        now = self.clock.monotonic()
        if result.error is None:
            if device.offline:
                self.schedule.wake_unit(poll.unit, now)
            device.failures_in_a_row, device.last_ok_s = 0, now
            device.log.ok()
            poll.reply_to.tell(BlockRead(poll.unit, poll.spec.name, poll.block, result.registers, now))
        else:
            device.failures_in_a_row += 1
            device.log.failed(f"{poll.spec.name} at 0x{poll.block.start:04X}: {result.error} ({result.detail})")
            poll.reply_to.tell(BlockFailed(poll.unit, poll.spec.name, result.error, result.detail, now))
            if result.error == "disconnected":
                self._lost(now, poll.unit)
        m.MODBUS_DEVICE_UP_OF(str(poll.unit)).set(0 if device.offline else 1)
        self.schedule.ran(poll, now, device.offline)
        if device.offline and result.error != "exception":  # silent or garbling: probe it slowly
            self.schedule.defer_unit(poll.unit, now + self.settings.offline_poll_s)
        if self.schedule.last_cycle is not None:
            m.MODBUS_CYCLE.set(self.schedule.last_cycle["duration_s"])

    def _transact(self, poll: ScheduledPoll, device: _Device) -> ReadResult:
        retries = 0 if device.offline else self.settings.retries
        tries = 0
        while True:
            block = poll.block
            result = self._attempt(device, block.fn, block.start, block.count)
            if result.error in (None, "disconnected"):
                return result
            if result.error == "exception":
                if result.exception_code in PROBE_CODES and len(poll.spec.variants) > 1:
                    poll.variant = (poll.variant + 1) % len(poll.spec.variants)
                    if poll.variant != 0:
                        logger.info("unit {} {}: trying function {:02d}", poll.unit, poll.spec.name, poll.block.fn)
                        continue
                return result
            tries += 1
            if tries > retries:
                return result

    def _attempt(self, device: _Device, fn: int, start: int, count: int) -> ReadResult:
        address = str(device.unit)
        started = self.clock.monotonic()
        result = self.transport.read(device.unit, fn, start, count)
        m.MODBUS_TRANSACTION.observe(self.clock.monotonic() - started)
        self.schedule.note_transaction(transaction_wire_s(count, self.settings.baudrate))
        device.requests += 1
        m.MODBUS_REQUESTS_OF(address).inc()
        if result.error is not None:
            device.errors[result.error] = device.errors.get(result.error, 0) + 1
            m.MODBUS_ERRORS.labels(address=address, kind=result.error).inc()
        self._count_stray()
        return result

    def _count_stray(self) -> None:
        stray = self.transport.stray_bytes
        if stray > self.stray_seen:
            if not self.stray_seen:
                logger.warning("rs485: bytes heard while the line should be quiet: a second master on the bus?")
            m.MODBUS_STRAY_BYTES.inc(stray - self.stray_seen)
            self.stray_seen = stray

    def _lost(self, now: float, told_unit: int) -> None:
        """The port is gone: close it, tell every other device, reopen later."""
        self.transport.close()
        m.MODBUS_CONNECTED.set(0)
        self.port_log.failed("lost")
        self.reconnect_at_s = now + RECONNECT_S
        for unit, reply_to in {p.unit: p.reply_to for p in self.schedule.polls}.items():
            if unit != told_unit:
                reply_to.tell(BlockFailed(unit, "-", "disconnected", "the RS485 port was lost", now))

    def _raw_read(self, unit: int, fn: int, start: int, count: int) -> dict[str, Any]:
        if not self.transport.connected and not self._open():
            return {"error": "disconnected"}
        result = self._attempt(self.devices.setdefault(unit, _Device(unit)), fn, start, count)
        return {"registers": list(result.registers), "error": result.error, "detail": result.detail}

    # --- introspection ----------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        now = self.clock.monotonic()
        return {
            "port": self.settings.port,
            "connected": self.transport.connected,
            "reconnects": self.reconnects,
            "stray_bytes": self.stray_seen,
            "last_cycle": self.schedule.last_cycle,
            "devices": {str(u): self._device_view(d, now) for u, d in sorted(self.devices.items())},
        }

    def _device_view(self, device: _Device, now: float) -> dict[str, Any]:
        polls = [p for p in self.schedule.polls if p.unit == device.unit]
        return {
            "requests": device.requests,
            "errors": dict(device.errors),
            "offline": device.offline,
            "failures_in_a_row": device.failures_in_a_row,
            "last_ok_age_s": None if device.last_ok_s is None else round(now - device.last_ok_s, 3),
            "polls": [
                {
                    "name": p.spec.name,
                    "fn": p.block.fn,
                    "start": f"0x{p.block.start:04X}",
                    "count": p.block.count,
                    "period_s": p.spec.period_s,
                    "due_in_s": round(p.due_s - now, 3),
                }
                for p in polls
            ],
        }
