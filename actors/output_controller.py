"""The output controller: runs the output logics on their period against the latest
site state and drives the outputs (the rules are in control/output_logic_plan.py).

Inputs: `SiteUpdate` from the site controller, `SensorReading` from the sensors
actor (for the temperature). Every tick it re-evaluates what is due and tells each
output its wanted state (`SwitchOutput`); the outputs keep their own relay
protection. Logics and overrides live in the store; runtime changes arrive as
`EditLogic` / `ForceOutput` (asked by the debug socket and the HTTP API).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from loguru import logger

from connext.control.output_logic import SiteValues
from connext.control.output_logic_edit import (
    EDITORS,
    EditRefused,
    check_role,
    edit_logics,
    logic_table,
    make_override,
)
from connext.control.output_logic_plan import Decision, LogicMemory, Override, decide_output, step_logics
from connext.core.config import Config, LogicConfig, OutputConfig, Problem

from . import io_metrics as m
from .base import ActorContext, ConnextActor
from .messages import EditLogic, ForceOutput, SensorReading, SiteUpdate, SwitchOutput, Tick
from .output_store import OutputStore

TICK_S = 1.0


class OutputControllerActor(ConnextActor):
    """Evaluates the logics and commands output-1..4."""

    def __init__(self, ctx: ActorContext, config: Config) -> None:
        super().__init__(ctx)
        self.outputs: dict[int, OutputConfig] = {o.number: o for o in config.outputs}
        self.zone = ZoneInfo(config.site.timezone)
        self.db_path = config.storage.path
        self.seed = config.logics
        self.temperature_stale_s = config.sensors.stale_after_s if config.sensors else 0.0
        self.logics: tuple[LogicConfig, ...] = ()
        self.memory: dict[str, LogicMemory] = {}
        self.overrides: dict[int, Override] = {}
        self.site: SiteUpdate | None = None
        self.temperature: tuple[float, float] | None = None  # (value, at_s)
        self.decisions: dict[int, Decision] = {}
        self.halted = False

    def on_start(self) -> None:
        self.store = OutputStore(self.db_path)
        self.logics = self.store.load_logics(self.seed, self.outputs)
        self.overrides = self.store.load_overrides()
        logger.info("output controller: {} logics, {} overrides", len(self.logics), len(self.overrides))
        if self.ctx.ticker:
            self.ctx.ticker.every(self.name, TICK_S, self.ctx.address(self.name), Tick())

    def on_stop(self) -> None:
        if hasattr(self, "store"):
            self.store.close()

    def receive(self, message: Any) -> Any:
        match message:
            case SiteUpdate():
                self.site = message
            case SensorReading(temperature_c=temperature, at_s=at_s):
                self.temperature = None if temperature is None else (temperature, at_s)
            case Tick():
                self._tick()
            case EditLogic():
                return self._edit(message)
            case ForceOutput():
                return self._force(message)
            case _:
                raise TypeError(f"{self.name}: unexpected message {message!r}")
        return None

    def enter_safe_state(self, reason: str) -> None:
        self.halted = True  # the outputs go safe themselves; stop commanding them

    # --- the loop ---------------------------------------------------------------------

    def _usable(self, number: int, now_s: float) -> bool:
        site = self.site
        return site is not None and not site.stale and now_s - site.at_s <= self.outputs[number].stale_after_s

    def _values(self, now_s: float) -> SiteValues:
        site = self.site
        temperature = None
        if self.temperature is not None and now_s - self.temperature[1] <= self.temperature_stale_s:
            temperature = self.temperature[0]
        if site is None:
            return SiteValues(temperature_c=temperature)
        soc = None if site.battery_soc is None else site.battery_soc * 100.0
        return SiteValues(soc, site.pv_power_w, site.wallbox_power_w, site.grid_power_w, temperature)

    def _tick(self) -> None:
        if self.halted:
            return
        now_s, now = self.clock.monotonic(), self.clock.now()
        self._expire_overrides(now)
        usable = {n for n in self.outputs if self._usable(n, now_s)}
        before = self.memory
        self.memory = step_logics(now_s, now.astimezone(self.zone), self.logics, self._values(now_s), before, usable)
        self._count_evaluations(before)
        for number, cfg in self.outputs.items():
            decision = decide_output(
                number, self.logics, self.memory, self.overrides.get(number), now, number in usable,
                cfg.safe_state == "closed",
            )  # fmt: skip
            if decision != self.decisions.get(number):
                logger.info("output {}: {} ({})", number, "close" if decision.closed else "open", decision.reason)
            self.decisions[number] = decision
            self.ctx.address(f"output-{number}").tell(SwitchOutput(number, decision.closed, decision.reason))
        self._publish()

    def _count_evaluations(self, before: Mapping[str, LogicMemory]) -> None:
        for logic in self.logics:
            mem = self.memory[logic.name]
            old = before.get(logic.name)
            if mem.evaluated_at_s is not None and (old is None or old.evaluated_at_s != mem.evaluated_at_s):
                m.LOGIC_EVALUATIONS.labels(output=str(logic.output), logic=logic.name).inc()

    def _expire_overrides(self, now: datetime) -> None:
        for number in [n for n, o in self.overrides.items() if o.until <= now]:
            logger.info("output {}: override ended", number)
            del self.overrides[number]
            self.store.delete_override(number)

    def _publish(self) -> None:
        for logic in self.logics:
            mem = self.memory[logic.name]
            m.LOGIC_EVALUATIONS.labels(output=str(logic.output), logic=logic.name)
            m.LOGIC_IN_FORCE.labels(output=str(logic.output), logic=logic.name).set(int(mem.in_force))
            m.LOGIC_CLOSED.labels(output=str(logic.output), logic=logic.name).set(int(mem.closed))
        for number in self.outputs:
            m.OUTPUT_OVERRIDE.labels(output=str(number)).set(int(number in self.overrides))

    # --- runtime changes --------------------------------------------------------------

    def _edit(self, msg: EditLogic) -> dict[str, Any]:
        known = any(lg.name == msg.name for lg in self.logics)
        action = "set" if msg.action in ("create", "replace") else msg.action
        try:
            check_role(msg.role, f"{action} output logics")
            if msg.action == "create" and known:
                return _refused(EditRefused([Problem("name", msg.name, "is a logic already")]), "conflict")
            if msg.action == "replace" and not known:
                return _refused(EditRefused([Problem("name", msg.name, "is not a logic")]), "not_found")
            logics = edit_logics(self.logics, action, msg.name, dict(msg.fields), msg.role, self.outputs)
        except EditRefused as err:
            if msg.role not in EDITORS:
                return _refused(err, "forbidden")
            return _refused(err, "invalid" if known or action == "set" else "not_found")
        self.store.save_logics(logics)
        for gone in {lg for lg in self.logics if lg not in logics}:
            _drop_series(gone)
        self.logics = logics
        self.memory = {n: mem for n, mem in self.memory.items() if n != msg.name}  # re-evaluate it at once
        logger.info("output logic {!r}: {} by {}", msg.name, msg.action, msg.role)
        self._tick()
        return {"logics": [logic_table(lg) for lg in logics]}

    def _force(self, msg: ForceOutput) -> dict[str, Any]:
        now = self.clock.now()
        try:
            if msg.state is None:
                check_role(msg.role, "release overrides")
                self.overrides.pop(msg.number, None)
                self.store.delete_override(msg.number)
            else:
                override = make_override(msg.number, msg.state, msg.for_s, msg.role, now, self.outputs)
                self.overrides[override.number] = override
                self.store.save_override(override)
        except EditRefused as err:
            return _refused(err, "forbidden" if msg.role not in EDITORS else "invalid")
        logger.info("output {}: override {} by {}", msg.number, msg.state or "released", msg.role)
        self._tick()
        return {"overrides": self._overrides_view()}

    # --- introspection ----------------------------------------------------------------

    def _overrides_view(self) -> list[dict[str, Any]]:
        return [
            {
                "output": o.number,
                "state": "closed" if o.closed else "open",
                "until": o.until.isoformat(),
                "by": o.set_by,
            }
            for o in self.overrides.values()
        ]

    def snapshot(self) -> dict[str, Any]:
        now_s = self.clock.monotonic()
        site_age = None if self.site is None else round(now_s - self.site.at_s, 3)
        return {
            "local_time": self.clock.now().astimezone(self.zone).isoformat(),
            "site_age_s": site_age,
            "site_stale": None if self.site is None else self.site.stale,
            "values": asdict(self._values(now_s)),
            "logics": [{**logic_table(lg), **self._memory_view(lg, now_s)} for lg in self.logics],
            "overrides": self._overrides_view(),
            "decisions": {
                str(n): {"closed": d.closed, "reason": d.reason, "logics": list(d.logics)}
                for n, d in sorted(self.decisions.items())
            },
            "halted": self.halted,
        }

    def _memory_view(self, logic: LogicConfig, now_s: float) -> dict[str, Any]:
        mem = self.memory.get(logic.name, LogicMemory())
        due = None if mem.evaluated_at_s is None else round(mem.evaluated_at_s + logic.period_s - now_s, 3)
        return {"in_force": mem.in_force, "closed": mem.closed, "value": mem.value, "next_evaluation_in_s": due}


def _refused(err: EditRefused, kind: str = "invalid") -> dict[str, Any]:
    """A refusal: the problems in the config's words, and its kind (see `EditLogic`)."""
    return {"error": str(err), "problems": [str(p) for p in err.problems], "kind": kind}


def _drop_series(logic: LogicConfig) -> None:
    for gauge in (m.LOGIC_IN_FORCE, m.LOGIC_CLOSED, m.LOGIC_EVALUATIONS):
        with contextlib.suppress(KeyError):
            gauge.remove(str(logic.output), logic.name)
