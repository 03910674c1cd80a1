"""The charging strategy in force (SPEC §7): its name, its parameters, who may change it.

The strategy is per site; its default comes from `[charging]` and its runtime value
from the store. Every session takes a copy of the strategy when it starts, so a later
change never alters a session under way (and a change is refused while one is open).
Parameters are validated by the very rules of `ChargingConfig`, so the config file
and a runtime change say the same thing about a bad value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connext.core.config import STRATEGIES, ChargingConfig
from connext.core.config.schema import Problem, build

PARAMETERS: dict[str, tuple[str, ...]] = {
    "km_single": ("km_distance_km", "km_consumption_wh_per_km"),
    "km_repeated": ("km_distance_km", "km_consumption_wh_per_km"),
    "fast": (),
    "eco_pure": (),
    "eco_mixed": (),
    "time_power": ("time_start", "time_duration_min", "time_power_w"),
}
# SPEC §6: who may change the charging strategy. The accounts area authenticates the role.
MAY_CHANGE_STRATEGY = frozenset({"owner", "administrator"})


class StrategyRefused(Exception):
    """A strategy change that cannot be made; the text says why."""


@dataclass(frozen=True, slots=True)
class Strategy:
    """A strategy and its parameters. `fallback`: what km_single gives way to after its session."""

    name: str = "fast"
    km_distance_km: float = 50.0
    km_consumption_wh_per_km: float = 160.0
    time_start: str = "01:00"
    time_duration_min: int = 240
    time_power_w: float = 3700.0
    fallback: str = "fast"

    @classmethod
    def from_config(cls, charging: ChargingConfig) -> Strategy:
        fields = {name: getattr(charging, name) for names in PARAMETERS.values() for name in names}
        fallback = charging.strategy if charging.strategy != "km_single" else "fast"
        return cls(name=charging.strategy, fallback=fallback, **fields)

    @property
    def km_target_wh(self) -> float:
        """Kilometer strategies: the energy a session adds (km x Wh/km)."""
        return self.km_distance_km * self.km_consumption_wh_per_km

    @property
    def eco(self) -> bool:
        return self.name in ("eco_pure", "eco_mixed")

    def parameters(self) -> dict[str, Any]:
        """Only the parameters that matter to this strategy."""
        return {name: getattr(self, name) for name in PARAMETERS[self.name]}

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, value: Mapping[str, Any], default: Strategy) -> Strategy:
        """Restore a stored strategy; unknown or bad fields fall back to `default`'s."""
        known = {f.name for f in dataclasses.fields(cls)}
        merged = {**default.to_json(), **{k: v for k, v in value.items() if k in known}}
        if merged["name"] not in STRATEGIES:
            return default
        return cls(**merged)


def change_strategy(
    current: Strategy,
    base: ChargingConfig,
    role: str | None,
    name: str,
    params: Mapping[str, Any],
    open_sessions: Sequence[str],
) -> Strategy:
    """The new strategy, or `StrategyRefused` saying why (role, session in progress, bad value)."""
    if role not in MAY_CHANGE_STRATEGY:
        raise StrategyRefused(f"role {role!r} may not change the charging strategy (owner or administrator only)")
    if open_sessions:
        raise StrategyRefused(
            "a charging session is in progress (" + "; ".join(open_sessions) + "): "
            "the strategy can change only while no session is open"
        )
    if name not in PARAMETERS:
        raise StrategyRefused(f"unknown strategy {name!r}; one of {', '.join(STRATEGIES)}")
    allowed = PARAMETERS[name]
    extra = sorted(set(params) - set(allowed))
    if extra:
        settable = ", ".join(allowed) or "none"
        raise StrategyRefused(f"{', '.join(extra)}: not a parameter of {name} (its parameters: {settable})")
    table = {f.name: getattr(base, f.name) for f in dataclasses.fields(ChargingConfig)}
    table.update({k: getattr(current, k) for names in PARAMETERS.values() for k in names})
    table.update(params, strategy=name)
    problems: list[Problem] = []
    checked = build(ChargingConfig, table, "charging", problems)
    if checked is None:
        raise StrategyRefused("; ".join(str(p) for p in problems))
    fallback = current.name if current.name != "km_single" else current.fallback
    values = {k: getattr(checked, k) for k in allowed}
    return dataclasses.replace(current, name=name, fallback=fallback, **values)
