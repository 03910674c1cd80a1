"""A stand-in for the site controller, for box I/O tests: turns each `SensorReading`
into a `SiteUpdate` (pv = CT 2, grid = CT 1) for the output controller.

Registered under the real name "site-controller", so the integrator can swap in the
real controller without touching the tests' wiring.
"""

from __future__ import annotations

from typing import Any

from connext.actors.base import ActorContext, ConnextActor
from connext.actors.messages import SensorReading, SiteUpdate


class SiteStandIn(ConnextActor):
    def __init__(self, ctx: ActorContext, target: str = "output-controller") -> None:
        super().__init__(ctx)
        self.target = target
        self.last: SiteUpdate | None = None

    def receive(self, message: Any) -> Any:
        match message:
            case SensorReading(at_s=at_s, ct1_power_w=grid, ct2_power_w=pv):
                house = None if grid is None or pv is None else pv - grid
                self.last = SiteUpdate(at_s, grid, pv, None, None, 0.0, house, stale=grid is None or pv is None)
                self.ctx.address(self.target).tell(self.last)
            case _:
                raise TypeError(f"site stand-in: unexpected {message!r}")

    def snapshot(self) -> dict[str, Any]:
        return {"stand_in": True, "last": None if self.last is None else repr(self.last)}
