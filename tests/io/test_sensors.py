"""The Sensors actor on a simulated board: CT multiplier and inversion, inputs,
temperature, failing channels, and what it publishes."""

from __future__ import annotations

from support.io_actors import Recorder, seen, start_actor

from connext.actors.messages import GetSnapshot, SensorReading, Tick
from connext.actors.sensors import SensorsActor
from connext.core.config import CtConfig, InputConfig, SensorsConfig, TemperatureConfig
from connext.core.metrics import REGISTRY

SENSORS = SensorsConfig(
    ct1=CtConfig(multiplier=3),
    ct2=CtConfig(multiplier=3, invert=True),
    inputs=(InputConfig(number=2), InputConfig(number=1)),
    temperature=TemperatureConfig(c_per_unit=0.5, offset_c=-10),
)


def start(directory, clock, board, sensors=SENSORS):
    site = start_actor(directory, clock, "site-controller", Recorder)
    other = start_actor(directory, clock, "output-controller", Recorder)
    ref = start_actor(
        directory, clock, "sensors", SensorsActor, sensors=sensors, targets=("site-controller", "output-controller"),
        board=board,
    )  # fmt: skip
    return ref, site, other


def read(ref) -> dict:
    ref.tell(Tick())
    return ref.ask(GetSnapshot(), timeout=5)


def test_reading_applies_multiplier_and_inversion(directory, clock, board):
    board.set_analog("ct1", -400)
    board.set_analog("ct2", -1000)  # the clamp sits the wrong way round; invert = true fixes it
    board.set_analog("temperature", 50)
    board.set_input(1, True)
    ref, site, other = start(directory, clock, board)
    read(ref)
    (reading,) = seen(site)
    assert reading == SensorReading(clock.monotonic(), -1200.0, 3000.0, (True, False), 15.0, (1, 2))
    assert seen(other) == [reading]
    assert REGISTRY.get_sample_value("connext_sensors_ct_power_watts", {"channel": "ct1"}) == -1200
    assert REGISTRY.get_sample_value("connext_sensors_ct_power_watts", {"channel": "ct2"}) == 3000
    assert REGISTRY.get_sample_value("connext_sensors_input_closed", {"input": "1"}) == 1
    assert REGISTRY.get_sample_value("connext_sensors_temperature_celsius") == 15


def test_a_failing_channel_is_none_counted_and_recovers(directory, clock, board):
    ref, site, _ = start(directory, clock, board)
    before = REGISTRY.get_sample_value("connext_sensors_read_errors_total", {"channel": "ct1"}) or 0
    board.fail("ct1")
    board.fail("input2")
    read(ref)
    snap = read(ref)
    assert snap["errors"] == {"ct1": 2, "input2": 2}
    assert "simulated fault on ct1" in snap["failing"]["ct1"]
    last = seen(site)[-1]
    assert (last.ct1_power_w, last.ct2_power_w, last.inputs) == (None, 0.0, ())  # never a stale value
    assert REGISTRY.get_sample_value("connext_sensors_read_errors_total", {"channel": "ct1"}) == before + 2
    board.fail("ct1", False)
    board.fail("input2", False)
    assert read(ref)["failing"] == {}
    assert seen(site)[-1].ct1_power_w == -1500.0  # default board: -500 W (import) x 3


def test_negative_production_is_published_as_zero_and_flagged(directory, clock, board):
    sensors = SensorsConfig(ct2=CtConfig(multiplier=1))
    board.set_analog("ct2", -2500)
    ref, site, _ = start(directory, clock, board, sensors)
    snap = read(ref)
    assert snap["ct2_reads_negative"] is True
    assert seen(site)[-1].ct2_power_w == 0.0
    assert REGISTRY.get_sample_value("connext_sensors_ct_power_watts", {"channel": "ct2"}) == -2500
    board.set_analog("ct2", 50)  # noise around zero at night is no reversal
    assert read(ref)["ct2_reads_negative"] is False
