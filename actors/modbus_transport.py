"""Blocking Modbus reads for the bus actor: pymodbus clients for RTU (serial) and TCP.

One read = one attempt (pymodbus retries are off; the bus actor retries and counts each
attempt). Every outcome is classified: ok, `timeout` (nothing heard), `crc` (a frame
arrived with a bad checksum), `garbled` (bytes that were no frame), `exception` (the
device answered with an exception code) or `disconnected` (port gone / gateway down).

On RTU the client also keeps the line's 3.5-character inter-frame gap before sending,
and anything heard while the line should be quiet is counted as stray bytes: a late
reply, or a second master on the bus (SPEC §10). These are real-time I/O deadlines,
hence `time.monotonic()` and `select` here rather than the actors' injected clock.
"""

from __future__ import annotations

import select
import time
from dataclasses import dataclass
from typing import Any

from pymodbus.client import ModbusSerialClient, ModbusTcpClient
from pymodbus.exceptions import ConnectionException, ModbusException, ModbusIOException
from pymodbus.framer import FramerRTU, FramerType

from connext.protocols.poll_plan import GAP_CHARS, char_time_s

ERROR_KINDS = ("timeout", "crc", "garbled", "exception", "disconnected")
LATE_REPLY_WINDOW_S = 0.1  # after a failed read: how long a late reply is listened for


@dataclass(frozen=True, slots=True)
class ReadResult:
    """The outcome of one read attempt."""

    registers: tuple[int, ...] = ()
    error: str | None = None  # one of ERROR_KINDS, None when the read succeeded
    exception_code: int = 0
    detail: str = ""


class _RtuClient(ModbusSerialClient):
    """pymodbus' serial client, reading as soon as bytes arrive (the framer knows when a
    frame is complete) instead of polling in 4-character steps, keeping the inter-frame
    gap, and remembering what one transaction received."""

    def __init__(self, port: str, baudrate: int, **kwargs: Any) -> None:
        super().__init__(port, framer=FramerType.RTU, baudrate=baudrate, retries=0, **kwargs)
        self.gap_s = GAP_CHARS * char_time_s(baudrate)
        self.received = bytearray()
        self.stray_bytes = 0
        self._deadline = 0.0
        self._quiet_since = 0.0
        self._quiet_until = 0.0

    def expect_late_reply(self) -> None:
        """The last request went unanswered: listen a little longer before the next one,
        so a late reply is flushed (and counted) instead of taken as the next answer."""
        self._quiet_until = time.monotonic() + min(LATE_REPLY_WINDOW_S, self.comm_params.timeout_connect)

    def send(self, request: bytes, addr: tuple | None = None) -> int:
        self._await_quiet_line()
        self.received.clear()
        self._deadline = time.monotonic() + self.comm_params.timeout_connect
        return super().send(request, addr)

    def _await_quiet_line(self) -> None:
        """Wait out the gap after the last byte heard; what arrives meanwhile is stray."""
        while self.socket is not None:
            wait = max(self._quiet_since + self.gap_s, self._quiet_until) - time.monotonic()
            data = self._read_available(max(wait, 0.0))
            if not data:
                return
            self.stray_bytes += len(data)
            self._quiet_since, self._quiet_until = time.monotonic(), 0.0

    def recv(self, size: int | None) -> bytes:
        data = self._read_available(max(self._deadline - time.monotonic(), 0.0))
        self.received += data
        if data:
            self._quiet_since = time.monotonic()
        return data

    def _read_available(self, timeout_s: float) -> bytes:
        sock = self.socket
        if sock is None:
            raise ConnectionException("serial port closed")
        try:
            ready, _, _ = select.select([sock.fileno()], [], [], timeout_s)
            return sock.read(max(sock.in_waiting, 1)) if ready else b""
        except (OSError, ValueError, TypeError) as err:  # pyserial: SerialException is an OSError
            self.close()
            raise ConnectionException(f"serial port lost: {err}") from err


class _TcpClient(ModbusTcpClient):
    """pymodbus' TCP client, remembering what one transaction received."""

    def __init__(self, host: str, port: int, **kwargs: Any) -> None:
        super().__init__(host, port=port, retries=0, **kwargs)
        self.received = bytearray()
        self.stray_bytes = 0

    def send(self, request: bytes, addr: tuple | None = None) -> int:
        self.received.clear()
        return super().send(request, addr)

    def recv(self, size: int | None) -> bytes:
        data = super().recv(size)
        self.received += data
        return data


class ModbusTransport:
    """Reads registers from units on one line (`port`: a serial device or tcp://host:port)."""

    def __init__(self, port: str, baudrate: int = 9600, parity: str = "N", stopbits: int = 1,
                 timeout_s: float = 0.5) -> None:  # fmt: skip
        self.port = port
        self.is_tcp = port.startswith("tcp://")
        if self.is_tcp:
            host, _, tcp_port = port.removeprefix("tcp://").rpartition(":")
            self.client: _RtuClient | _TcpClient = _TcpClient(host, int(tcp_port), timeout=timeout_s)
        else:
            self.client = _RtuClient(port, baudrate, parity=parity, stopbits=stopbits, timeout=timeout_s)

    @property
    def connected(self) -> bool:
        return self.client.connected

    @property
    def stray_bytes(self) -> int:
        return self.client.stray_bytes

    def open(self) -> bool:
        """Open the port / connect to the gateway; False when it is not there (yet)."""
        return bool(self.client.connect())

    def close(self) -> None:
        self.client.close()

    def read(self, unit: int, fn: int, start: int, count: int) -> ReadResult:
        """One attempt to read `count` registers with function 3 or 4."""
        read = self.client.read_holding_registers if fn == 3 else self.client.read_input_registers
        try:
            reply = read(start, count=count, device_id=unit)
        except ConnectionException as err:
            self.client.close()
            return ReadResult(error="disconnected", detail=str(err))
        except ModbusIOException as err:
            if isinstance(self.client, _RtuClient):
                self.client.expect_late_reply()
            return ReadResult(error=self._classify_silence(), detail=str(err))
        except ModbusException as err:  # a malformed reply pymodbus could not decode
            return ReadResult(error="garbled", detail=str(err))
        if reply.isError():
            code = int(getattr(reply, "exception_code", 0))
            return ReadResult(error="exception", exception_code=code, detail=f"exception code {code}")
        registers = tuple(reply.registers)
        if len(registers) != count:  # e.g. a late reply to an earlier request
            return ReadResult(error="garbled", detail=f"{len(registers)} registers for a read of {count}")
        return ReadResult(registers=registers)

    def _classify_silence(self) -> str:
        """No valid reply: nothing heard, a frame with a bad CRC, or something else."""
        data = bytes(self.client.received)
        if not data:
            return "timeout"
        if not self.is_tcp and len(data) >= 4:
            crc = int.from_bytes(data[-2:], "big")
            if not FramerRTU.check_CRC(data[:-2], crc):
                return "crc"
        return "garbled"
