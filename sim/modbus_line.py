"""A simulated RS485 line: several Modbus units served by pymodbus, over a serial port
(a socat pty) and/or TCP, with 9600-baud wire-time emulation and fault injection.

This is the only module that touches pymodbus's server API (3.16: `SimDevice` with an
async `action` hook that fills the live registers on every request, and `trace_packet`
to silence or corrupt outgoing frames); an API change touches this file only.

    line = SimLine(baudrate=9600)
    line.add(MeterSim())
    line.add(InverterSim(1, "SN1"))
    line.serve_serial("/tmp/ttyB"); port = line.serve_tcp()
    line.meter.set_power(-2500); line.inverter(1).set_pv(3000)
    line.silence(32); line.garble(1); line.slow(1, 0.8); line.fail_with(1, 4); line.clear_faults()
    line.stop()
"""

from __future__ import annotations

import asyncio
import collections
import functools
import threading
import time
from dataclasses import dataclass
from typing import Any

from pymodbus.constants import ExcCodes
from pymodbus.framer import FramerType
from pymodbus.server import ModbusSerialServer, ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from connext.protocols.dtsu666 import UNIT_DEFAULT as METER_UNIT
from connext.protocols.poll_plan import EXCEPTION_REPLY_BYTES, REQUEST_BYTES, char_time_s, reply_bytes, reply_delay_s

from .modbus_devices import InverterSim, MeterSim, SimModbusDevice

START_TIMEOUT_S = 5.0


@dataclass
class Faults:
    """What a unit does wrong, set at run time."""

    silent: bool = False  # no reply at all
    garble: bool = False  # reply with a broken CRC (RTU) or a broken header (TCP)
    delay_s: float = 0.0  # extra reply delay (slow device)
    exception: int | None = None  # answer every read with this exception code


@dataclass(frozen=True, slots=True)
class Request:
    """One read the line answered, for tests and the benchmark."""

    unit: int
    fn: int
    address: int
    count: int
    at_s: float  # time.monotonic() of the request


class SimLine:
    """Units on one simulated line; serve it with `serve_serial` and/or `serve_tcp`."""

    def __init__(self, baudrate: int | None = 9600) -> None:
        self.baudrate = baudrate  # None: answer at once (no wire-time emulation)
        self.devices: dict[int, SimModbusDevice] = {}
        self.faults: dict[int, Faults] = collections.defaultdict(Faults)
        self.requests: collections.deque[Request] = collections.deque(maxlen=10_000)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[Any] = []

    # --- devices and faults (thread-safe: plain assignments read by the server loop) ---

    def add(self, device: SimModbusDevice) -> SimModbusDevice:
        if self._servers:
            raise RuntimeError("add devices before serving the line")
        self.devices[device.unit] = device
        return device

    @property
    def meter(self) -> MeterSim:
        device = self.devices[METER_UNIT]
        assert isinstance(device, MeterSim)
        return device

    def inverter(self, unit: int) -> InverterSim:
        device = self.devices[unit]
        assert isinstance(device, InverterSim)
        return device

    def silence(self, unit: int, on: bool = True) -> None:
        self.faults[unit].silent = on

    def garble(self, unit: int, on: bool = True) -> None:
        self.faults[unit].garble = on

    def slow(self, unit: int, delay_s: float) -> None:
        self.faults[unit].delay_s = delay_s

    def fail_with(self, unit: int, code: int | None) -> None:
        self.faults[unit].exception = code

    def clear_faults(self, unit: int | None = None) -> None:
        for key in [unit] if unit is not None else list(self.faults):
            self.faults[key] = Faults()

    # --- serving --------------------------------------------------------------------

    def serve_serial(self, port: str) -> None:
        """Answer as RTU slaves on a serial device (e.g. one end of a socat pty pair)."""
        self._run(self._start_serial(port))

    def serve_tcp(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Answer as a Modbus TCP gateway; returns the bound port."""
        return int(self._run(self._start_tcp(host, port)))

    def stop(self) -> None:
        if self._loop is None:
            return
        self._run(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=START_TIMEOUT_S)
            if not self._thread.is_alive():
                self._loop.close()
        self._loop, self._thread = None, None

    def _run(self, coroutine: Any) -> Any:
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, name="sim-modbus", daemon=True)
            self._thread.start()
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=START_TIMEOUT_S)

    async def _start_serial(self, port: str) -> None:
        server = ModbusSerialServer(self._simdevices(), framer=FramerType.RTU, port=port,
                                    baudrate=self.baudrate or 9600, trace_packet=self._trace)  # fmt: skip
        await server.serve_forever(background=True)
        self._servers.append(server)

    async def _start_tcp(self, host: str, port: int) -> int:
        server = ModbusTcpServer(self._simdevices(), framer=FramerType.SOCKET, address=(host, port),
                                 trace_packet=self._trace_tcp)  # fmt: skip
        await server.serve_forever(background=True)
        self._servers.append(server)
        return int(server.transport.sockets[0].getsockname()[1])

    async def _shutdown(self) -> None:
        for server in self._servers:
            await server.shutdown()
        self._servers.clear()
        # a client still connected leaves its request handler waiting: end it, so the loop
        # stops with no task pending (else "Task was destroyed but it is pending" at exit)
        pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def _simdevices(self) -> list[SimDevice]:
        out = [SimDevice(0, simdata=[SimData(0, values=0, datatype=DataType.REGISTERS)], action=self._unknown)]
        for unit, device in self.devices.items():
            top = max(end for _, end in device.areas)
            registers = SimData(0, count=top + 1, values=0, datatype=DataType.REGISTERS)
            out.append(SimDevice(unit, simdata=[registers], action=functools.partial(self._answer, unit)))
        return out

    # --- per request ----------------------------------------------------------------

    async def _unknown(self, *_args: Any) -> ExcCodes:
        return ExcCodes.GATEWAY_NO_RESPONSE  # no such unit: `_trace` drops the reply (silence)

    async def _answer(self, unit: int, fn: int, start: int, address: int, count: int,
                      registers: list[int], _values: Any) -> ExcCodes | None:  # fmt: skip
        self.requests.append(Request(unit, fn, address, count, time.monotonic()))
        device, faults = self.devices[unit], self.faults[unit]
        code = faults.exception or device.check(fn, address, count)
        reply_len = EXCEPTION_REPLY_BYTES if code else reply_bytes(count)
        delay = faults.delay_s + (reply_delay_s(REQUEST_BYTES, reply_len, self.baudrate) if self.baudrate else 0.0)
        sending_s = reply_len * char_time_s(self.baudrate) if self.baudrate else 0.0
        render = functools.partial(self._render, device, registers, start, address, count)
        sampled = not code and 0 < sending_s < delay
        if sampled:  # a reply carries the values of the moment it starts (one sleep below: no added jitter)
            asyncio.get_running_loop().call_later(delay - sending_s, render)
        if delay > 0:
            await asyncio.sleep(delay)
        if not code and not sampled:
            render()
        return ExcCodes(code) if code else None

    @staticmethod
    def _render(device: SimModbusDevice, registers: list[int], start: int, address: int, count: int) -> None:
        image = device.image()
        for a in range(address, address + count):
            registers[a - start] = image.get(a, 0)

    def _trace(self, sending: bool, data: bytes) -> bytes:
        """RTU frames: [unit][pdu...][crc lo][crc hi]; a garbled reply gets a broken CRC."""
        if not sending or not data:
            return data
        return self._faulty(data[0], data, data[:-2] + bytes((data[-2] ^ 0x5A, data[-1] ^ 0xA5)))

    def _trace_tcp(self, sending: bool, data: bytes) -> bytes:
        """TCP frames: MBAP [tid 2][proto 2][len 2][unit][pdu...]; garbled: an unknown function."""
        if not sending or len(data) < 8:
            return data
        return self._faulty(data[6], data, data[:7] + bytes((0x7F,)) + data[8:])

    def _faulty(self, unit: int, data: bytes, garbled: bytes) -> bytes:
        """The reply as the unit's faults make it: nothing, garbled or as is."""
        faults = self.faults[unit] if unit in self.devices else Faults(silent=True)
        if faults.silent:
            return b""
        return garbled if faults.garble else data
