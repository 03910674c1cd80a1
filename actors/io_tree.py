"""The box I/O part of the actor tree: the sensors actor, then the outputs and their
controller (started after the outputs, so it stops first and commands nobody dead)."""

from __future__ import annotations

from connext.core.config import Config
from connext.core.hw.sim import SimBoard

from .output import OutputActor
from .output_controller import OutputControllerActor
from .sensors import SensorsActor
from .tree import Child, Group

SITE_CONTROLLER = "site-controller"
CONTROLLER = "output-controller"


def needs_board(config: Config) -> bool:
    """True when some configured channel or contact is simulated."""
    sensors = config.sensors
    sim_sensors = sensors is not None and (sensors.driver == "sim" or any(i.driver == "sim" for i in sensors.inputs))
    return sim_sensors or any(o.driver == "sim" for o in config.outputs)


def io_children(config: Config, board: SimBoard | None = None) -> list[Child | Group]:
    """Children for the root group; `board` serves the 'sim' drivers (one is made if needed)."""
    if board is None and needs_board(config):
        board = SimBoard()
    children: list[Child | Group] = []
    if config.sensors is not None:
        targets = (SITE_CONTROLLER, CONTROLLER) if config.outputs else (SITE_CONTROLLER,)
        children.append(Child("sensors", SensorsActor, {"sensors": config.sensors, "targets": targets, "board": board}))
    if config.outputs:
        outputs: list[Child | Group] = [
            Child(f"output-{o.number}", OutputActor, {"output": o, "board": board})
            for o in sorted(config.outputs, key=lambda o: o.number)
        ]
        outputs.append(Child(CONTROLLER, OutputControllerActor, {"config": config}))
        children.append(Group("outputs", tuple(outputs), strategy="one_for_one"))
    return children
