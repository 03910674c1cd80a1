"""Open the configured drivers: one place that maps config to `Contact`s and channels."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connext.core.config import InputConfig, OutputConfig, SensorsConfig

from . import AnalogChannel, Contact, DigitalInput, HardwareError
from .gpiod_lines import GpiodLine
from .sim import SimBoard
from .sysfs import GPIO_ROOT, IioChannel, SysfsGpioLine


def _need_board(board: SimBoard | None, what: str) -> SimBoard:
    if board is None:
        raise HardwareError(f"{what}: driver 'sim' needs a simulated board")
    return board


def _open_line(cfg: OutputConfig | InputConfig, output: bool, board: SimBoard | None, gpio_root: Path) -> Any:
    what = f"{'output' if output else 'input'} {cfg.number}"
    match cfg.driver:
        case "sim":
            sim = _need_board(board, what)
            return sim.contact(cfg.number) if output else sim.digital_input(cfg.number)
        case "sysfs":
            return SysfsGpioLine(cfg.line, output=output, active_low=cfg.active_low, root=gpio_root)
        case "gpiod":
            return GpiodLine(cfg.chip, cfg.line, output=output, active_low=cfg.active_low)
    raise HardwareError(f"{what}: unknown driver {cfg.driver!r}")


def open_contact(output: OutputConfig, board: SimBoard | None = None, gpio_root: Path = GPIO_ROOT) -> Contact:
    """The contact of one output, through its configured driver."""
    return _open_line(output, True, board, gpio_root)


def open_input(cfg: InputConfig, board: SimBoard | None = None, gpio_root: Path = GPIO_ROOT) -> DigitalInput:
    """One digital input, through its configured driver."""
    return _open_line(cfg, False, board, gpio_root)


def open_analog(driver: str, name: str, channel: str, board: SimBoard | None = None) -> AnalogChannel:
    """An ADC channel: `name` on the simulated board, or the IIO `*_raw` file `channel`."""
    if driver == "sim":
        return _need_board(board, f"sensors.{name}").analog_channel(name)
    if not channel:
        raise HardwareError(f"sensors.{name}.channel is empty: driver 'iio' needs the path of an IIO *_raw file")
    return IioChannel(channel)


@dataclass
class SensorChannels:
    """The box's sensor channels that the config names (absent ones are None)."""

    ct1: AnalogChannel | None = None
    ct2: AnalogChannel | None = None
    temperature: AnalogChannel | None = None
    inputs: dict[int, DigitalInput] = field(default_factory=dict)

    def release(self) -> None:
        for line in self.inputs.values():
            line.release()


def open_sensors(cfg: SensorsConfig, board: SimBoard | None = None, gpio_root: Path = GPIO_ROOT) -> SensorChannels:
    """Every channel `cfg` names."""
    channels = SensorChannels()
    if cfg.ct1 is not None:
        channels.ct1 = open_analog(cfg.driver, "ct1", cfg.ct1.channel, board)
    if cfg.ct2 is not None:
        channels.ct2 = open_analog(cfg.driver, "ct2", cfg.ct2.channel, board)
    if cfg.temperature is not None:
        channels.temperature = open_analog(cfg.driver, "temperature", cfg.temperature.channel, board)
    for item in cfg.inputs:
        channels.inputs[item.number] = open_input(item, board, gpio_root)
    return channels
