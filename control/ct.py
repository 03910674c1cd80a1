"""CT clamps (pure): a channel value to site power, and the installer's direction check.

SPEC §2: each CT channel has a multiplier (1 single-phase, 3 three-phase: one phase
measured, times 3). SPEC §3: grid power + = export, - = import. The direction check
(PV off, loads on: the grid must read negative = import) is `check_clamps`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from connext.core.config import CtConfig

NOISE_W = 100.0  # below this a clamp reads "about zero": too little to judge a direction
Status = Literal["ok", "reversed", "unclear"]


def ct_power_w(value: float, ct: CtConfig) -> float:
    """A channel value -> site power (W): x w_per_unit x multiplier, negated when inverted."""
    power = value * ct.w_per_unit * ct.multiplier
    return -power if ct.invert else power


@dataclass(frozen=True, slots=True)
class ClampVerdict:
    clamp: str  # "ct1" | "ct2"
    status: Status
    text: str


def _kw(power_w: float) -> str:
    return f"{power_w / 1000:+.1f} kW"


def _flip(name: str, invert: bool) -> str:
    return f"set sensors.{name}.invert = {'false' if invert else 'true'}"


def _ct1_pv_off(power_w: float, invert: bool, noise_w: float) -> ClampVerdict:
    if power_w < -noise_w:
        return ClampVerdict("ct1", "ok", f"CT 1 reads {_kw(power_w)} import with PV off: direction is right")
    if power_w > noise_w:
        return ClampVerdict(
            "ct1", "reversed", f"CT 1 reads {_kw(power_w)} export with PV off: looks reversed; {_flip('ct1', invert)}"
        )
    return ClampVerdict(
        "ct1",
        "unclear",
        f"CT 1 reads {_kw(power_w)}, about zero: switch loads on (> {noise_w:g} W) and check the clamp "
        "sits on the grid conductor, then run again",
    )


def _ct2_pv_off(power_w: float, noise_w: float) -> ClampVerdict:
    if abs(power_w) <= noise_w:
        return ClampVerdict(
            "ct2", "ok", f"CT 2 reads {_kw(power_w)} with PV off, as it should; check its direction with --pv on"
        )
    return ClampVerdict(
        "ct2",
        "unclear",
        f"CT 2 reads {_kw(power_w)} with PV off: is the PV really off, and is the clamp on the inverter's AC output?",
    )


def _ct2_pv_on(power_w: float, invert: bool, noise_w: float) -> ClampVerdict:
    if power_w > noise_w:
        return ClampVerdict("ct2", "ok", f"CT 2 reads {_kw(power_w)} production with PV on: direction is right")
    if power_w < -noise_w:
        return ClampVerdict(
            "ct2", "reversed", f"CT 2 reads {_kw(power_w)} with PV on: looks reversed; {_flip('ct2', invert)}"
        )
    return ClampVerdict("ct2", "unclear", f"CT 2 reads {_kw(power_w)} with PV on: is the PV producing?")


def check_clamps(
    ct1: tuple[float, CtConfig] | None,
    ct2: tuple[float, CtConfig] | None,
    pv_on: bool = False,
    noise_w: float = NOISE_W,
) -> list[ClampVerdict]:
    """A verdict per configured clamp from its average power (after multiplier and invert).

    PV off, loads on (the installer's check): CT 1 must read import, CT 2 about zero.
    PV on: CT 2 must read production (CT 1 may read either way, so it is not judged).
    """
    verdicts: list[ClampVerdict] = []
    if ct1 is not None:
        power_w, cfg = ct1
        if pv_on:
            verdicts.append(ClampVerdict("ct1", "ok", f"CT 1 reads {_kw(power_w)}; not judged with PV on"))
        else:
            verdicts.append(_ct1_pv_off(power_w, cfg.invert, noise_w))
    if ct2 is not None:
        power_w, cfg = ct2
        verdicts.append(_ct2_pv_on(power_w, cfg.invert, noise_w) if pv_on else _ct2_pv_off(power_w, noise_w))
    return verdicts
