"""What a wallbox actor tells the world: the `WallboxStatus` event and its metrics."""

from __future__ import annotations

from connext.core.config import WallboxConfig
from connext.core.metrics import PHASE_LABELS

from . import can_metrics as m
from .messages import WallboxStatus
from .wallbox_model import Heard

WH_TO_J = 3600.0


def wallbox_status(
    address: int,
    at_s: float,
    state: str,
    registration: WallboxConfig | None,
    heard: Heard,
    setpoint_a: float | None,
) -> WallboxStatus:
    """The status event from what was heard (zeros for what was not)."""
    status, currents, energy, identity, session = (
        heard.status,
        heard.currents,
        heard.energy,
        heard.identity,
        heard.session,
    )
    live = state not in ("absent", "offline")  # an offline wallbox's last figures are stale
    max_current = registration.max_current_a if registration else (identity.max_current_a if identity else 0.0)
    return WallboxStatus(
        address=address,
        at_s=at_s,
        state=state,
        registered=registration is not None,
        power_w=energy.power_w if energy and live else 0.0,
        current_a=currents.current_a if currents and live else (0.0, 0.0, 0.0),
        session_energy_wh=session.energy_wh if session else 0.0,
        phases=registration.phases if registration else (identity.phases if identity else 3),
        max_current_a=max_current,
        vehicle_max_current_a=status.vehicle_max_current_a if status else None,
        setpoint_a=setpoint_a or 0.0,
        limit_a=status.limit_a if status else 0.0,
        enabled=bool(status and status.enabled),
        fallback=bool(status and status.fallback),
        error_code=status.error_code if status else 0,
        serial=heard.serial or "",
        firmware=str(heard.firmware) if heard.firmware else "",
        card_uid=heard.card_uid,
        session_started_at_s=session.started_at_s if session and session.ended_at_s is None else None,
    )


class WallboxMetrics:
    """The metrics of one address; nothing is exported until the address is first seen."""

    def __init__(self, address: int) -> None:
        self.address = str(address)

    def publish(self, status: WallboxStatus) -> None:
        address = self.address
        for state in m.WALLBOX_STATES:
            m.STATE_OF(address, state).set(1 if state == status.state else 0)
        m.POWER_OF(address).set(status.power_w)
        for phase, current in zip(PHASE_LABELS, status.current_a, strict=True):
            m.CURRENT_OF(address, phase).set(current)
        m.SESSION_ENERGY_OF(address).set(status.session_energy_wh * WH_TO_J)
        m.SETPOINT_OF(address).set(status.setpoint_a)
        m.LIMIT_OF(address).set(status.limit_a)

    def age(self, last_frame_at_s: float | None, now_s: float) -> None:
        if last_frame_at_s is not None:
            m.HEARTBEAT_AGE_OF(self.address).set(max(0.0, now_s - last_frame_at_s))

    def command(self, name: str) -> None:
        m.COMMANDS.labels(address=self.address, command=name).inc()

    def clamped(self) -> None:
        m.CLAMPS.labels(address=self.address).inc()
