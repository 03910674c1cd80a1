"""The Wallbox actor: one per CAN address ("wallbox-<address>").

It follows what its wallbox reports (state, currents, power, session energy), decides
whether the wallbox may be driven, and turns the site controller's commands into
frames for can-bus. A wallbox is driven only when it is registered (config.toml or at
run time by serial), reports that serial, runs firmware >= 1.0.493 and is online.
Setpoints are clamped to {0} ∪ [6 A, min(wallbox max, vehicle max)]. It publishes a
`WallboxStatus` to the site controller at the end of every status cycle and on every
state change. It holds no bus ref, only the name "can-bus": can-bus may restart
underneath it without losing anything here.
"""

from __future__ import annotations

from typing import Any

from loguru import logger

from connext.core.config import CanConfig, WallboxConfig
from connext.protocols.wallbox_frames import (
    CardPresented,
    Energy,
    Frame,
    Identify,
    Identity,
    SetCurrent,
    SetMode,
    Start,
    Status,
    Stop,
)

from .base import ActorContext, ConnextActor
from .messages import (
    RegisterWallbox,
    SendWallboxFrame,
    SetChargeCurrent,
    SetRfidCards,
    SetWallboxMode,
    StartCharging,
    StopCharging,
    Tick,
    UnregisterWallbox,
    WallboxFrameReceived,
    WallboxStatus,
)
from .ticker import QUIET_PERIODS
from .wallbox_model import Heard, card_frames, configuration_frames, derive_state, target_setpoint
from .wallbox_report import WallboxMetrics, wallbox_status
from .wallbox_settings import WallboxSettings

SITE_CONTROLLER = "site-controller"
RESEND_AFTER_S = 1.0  # the wallbox still reports another limit this long after a send: send again
NOT_DRIVEN = ("absent", "offline", "needs_support", "detected")


class WallboxActor(ConnextActor):
    """Follows and drives the wallbox at one CAN address."""

    def __init__(
        self,
        ctx: ActorContext,
        address: int,
        can_config: CanConfig,
        configured: WallboxConfig | None = None,
        store_path: str = "",
    ) -> None:
        super().__init__(ctx)
        self.address, self.can_config = address, can_config
        self.settings = WallboxSettings(address, configured, store_path)
        self.heard = Heard()  # what the wallbox said, and the session it is in
        self.requested: SetChargeCurrent | None = None
        self.safe_reason: str | None = None
        self.sent: tuple[float, int] | None = None  # the last SET_CURRENT (current, phases)
        self.sent_at_s: float | None = None
        self.needs_config = True  # send fallback, mode and cards once it can be driven
        self.identify_at_s = 0.0
        self.state = "absent"
        self.tick_s = min(1.0, can_config.offline_after_s / 2)
        self.metrics = WallboxMetrics(address)
        self.can_bus = ctx.address("can-bus")
        self.logged: set[str] = set()  # refusals and clamps logged once per state

    def on_start(self) -> None:
        self.settings.load()
        self._refresh()
        self._schedule_ticks()

    def _schedule_ticks(self) -> None:
        """Tick while there is something to watch. An absent address (never heard, not
        registered) has nothing time can change: its actor waits for a frame or a
        registration, so the 20-odd unused addresses cost no ticks."""
        ticker = self.ctx.ticker
        if ticker is None:
            return
        if self.state == "absent":
            ticker.cancel(self.name)
            return
        ticker.every(self.name, self.tick_s, self.ctx.address(self.name), Tick("wallbox"), first_in_s=self.tick_s)

    # --- messages -------------------------------------------------------------------------------

    def receive(self, message: Any) -> Any:
        match message:
            case WallboxFrameReceived(frame=frame, at_s=at_s):
                self._frame(frame, at_s)
            case SetChargeCurrent():
                return self._set_current(message)
            case StartCharging():
                return self._command(Start(self.address), "start", needs_vehicle=True)
            case StopCharging():
                return self._command(Stop(self.address), "stop", needs_vehicle=False)
            case RegisterWallbox(settings=settings):
                return self._register(settings)
            case UnregisterWallbox():
                return self._unregister()
            case SetWallboxMode(mode=mode):
                return self._set_mode(mode)
            case SetRfidCards(cards=cards):
                return self._set_cards(cards)
            case Tick():
                self._tick()
            case _:
                return super().receive(message)
        return None

    def _frame(self, frame: Frame, at_s: float) -> None:
        if self.ctx.ticker:  # a talking wallbox (1 s status cycle) needs no tick until it falls silent
            self.ctx.ticker.postpone(self.name, at_s + QUIET_PERIODS * self.tick_s)
        event = self.heard.take(frame, at_s, self.clock.now().isoformat())
        if event is not None:
            logger.info("wallbox-{}: {}", self.address, event)
        if isinstance(frame, Identity):
            self.needs_config = True  # a (re)boot: configure again
        changed = self._refresh()
        if isinstance(frame, Status):
            self._identify_if_unknown()  # a status without an identity: we missed the announce
        if self.needs_config:
            self._configure_wallbox()
        if isinstance(frame, Status):
            self._apply()
        if changed or isinstance(frame, Energy | CardPresented):  # Energy ends a status cycle
            self._publish()

    def _tick(self) -> None:
        if self._refresh():
            self._publish()
        self._identify_if_unknown()
        self.metrics.age(self.heard.last_frame_at_s, self.clock.monotonic())

    def _identify_if_unknown(self) -> None:
        """IDENTIFY a wallbox heard without its identity, or a registered one not heard."""
        now, heard = self.clock.monotonic(), self.heard
        unknown = heard.last_frame_at_s is not None and (heard.serial is None or heard.identity is None)
        silent = self.settings.registration is not None and not self._online()
        if (unknown or silent) and now >= self.identify_at_s:
            self.identify_at_s = now + self.can_config.offline_after_s
            self._send(Identify(self.address))

    # --- registration -----------------------------------------------------------------------------

    def _registered(self) -> bool:
        """Registered, and the wallbox did not report another serial."""
        reg = self.settings.registration
        return reg is not None and self.heard.serial in (None, reg.serial)

    def _register(self, settings: WallboxConfig) -> dict[str, Any]:
        refused = self.settings.register(settings, self.heard.serial)
        if refused is not None:
            return refused
        self.needs_config = True
        logger.info("wallbox-{}: registered serial {} (kept in the store)", self.address, settings.serial)
        if self._refresh():
            self._publish()
        self._configure_wallbox()
        return {"registered": True, "state": self.state}

    def _unregister(self) -> dict[str, Any]:
        refused = self.settings.unregister()
        if refused is not None:
            return refused
        self.requested, self.sent = None, None
        logger.info("wallbox-{}: unregistered", self.address)
        if self._refresh():
            self._publish()
        return {"unregistered": True, "state": self.state}

    def _set_mode(self, mode: str) -> dict[str, Any]:
        refused = self.settings.set_mode(mode)
        if refused is not None:
            return refused
        logger.info("wallbox-{}: mode set to {} (kept in the store)", self.address, mode)
        return {"changed": True, "mode": mode, "sent_now": self._send_settings([SetMode(self.address, mode)], "mode")}

    def _set_cards(self, cards: tuple[str, ...]) -> dict[str, Any]:
        fit, left_out = self.settings.set_cards(cards)
        sent = self._send_settings(card_frames(self.address, fit), "cards")
        return {"sent_now": sent, "cards": list(fit), "left_out": left_out, "state": self.state}

    def _send_settings(self, frames: list[Frame], command: str) -> bool:
        """Send now when the wallbox can be driven (else it gets them when it is configured)."""
        if self.settings.registration is None or self._not_driven() is not None:
            return False
        for frame in frames:
            self._send(frame)
        self.metrics.command(command)
        return True

    # --- driving ----------------------------------------------------------------------------------

    def _online(self) -> bool:
        last = self.heard.last_frame_at_s
        return last is not None and self.clock.monotonic() - last <= self.can_config.offline_after_s

    def _not_driven(self) -> str | None:
        """None when the wallbox may be driven, else why not."""
        if self.state not in NOT_DRIVEN:
            return None
        why = " (firmware below 1.0.493: never driven)" if self.state == "needs_support" else ""
        return f"wallbox {self.address} is {self.state}{why}"

    def _configure_wallbox(self) -> None:
        """Fallback, mode and card list: once it can be driven, again after each (re)boot."""
        reg = self.settings.effective()
        if reg is None or self._not_driven() is not None:
            return
        self.needs_config = False
        for frame in configuration_frames(self.address, reg, self.can_config.fallback_timeout_s):
            self._send(frame)
        self.metrics.command("configure")
        self._apply(force=True)

    def _set_current(self, command: SetChargeCurrent) -> dict[str, Any]:
        self.requested = command  # kept: applied as soon as the wallbox can be driven
        refused = self._refused("set current")
        if refused:
            return refused
        self._apply()
        return {"sent": True, "setpoint_a": self.sent[0] if self.sent else None}

    def _apply(self, force: bool = False) -> None:
        """Send the target setpoint when it changed or the wallbox still applies another."""
        reg = self.settings.registration
        if reg is None or self._not_driven() is not None:
            return
        target = target_setpoint(reg, self.requested, self.safe_reason is not None, self.heard)
        if target is None:
            return
        setpoint, now, status = (target.current_a, target.phases), self.clock.monotonic(), self.heard.status
        differs = status is not None and abs(status.limit_a - target.current_a) > 0.05
        stale = self.sent_at_s is None or now - self.sent_at_s >= RESEND_AFTER_S
        if not (force or setpoint != self.sent or (differs and stale)):
            return
        if target.clamped is not None and setpoint != self.sent:
            self.metrics.clamped()
            self._log_once(
                f"clamp:{target.clamped}", "wallbox-{}: setpoint {:g} A: {}", target.current_a, target.clamped
            )
        self._send(SetCurrent(self.address, *setpoint))
        self.sent, self.sent_at_s = setpoint, now
        self.metrics.command("set_current")

    def _command(self, frame: Start | Stop, name: str, needs_vehicle: bool) -> dict[str, Any]:
        refused = self._refused(name)
        if refused:
            return refused
        if needs_vehicle and not self.heard.vehicle_present:
            return self._refuse(name, f"no vehicle is connected to wallbox {self.address}")
        self._send(frame)
        self.metrics.command(name)
        logger.info("wallbox-{}: {} sent", self.address, name)
        return {"sent": True}

    def _refused(self, what: str) -> dict[str, Any] | None:
        why = self._not_driven()
        return None if why is None else self._refuse(what, why)

    def _refuse(self, what: str, why: str) -> dict[str, Any]:
        self._log_once(f"refuse:{what}:{why}", "wallbox-{}: {} refused: {}", what, why)
        return {"sent": False, "why": why}

    def _log_once(self, key: str, text: str, *args: object) -> None:
        if key not in self.logged:
            self.logged.add(key)
            logger.warning(text, self.address, *args)

    def _send(self, frame: Frame) -> None:
        self.can_bus.tell(SendWallboxFrame(frame))

    # --- safe state -----------------------------------------------------------------------------

    def enter_safe_state(self, reason: str) -> None:
        """Send the safe current now (never more than the current setpoint)."""
        self.safe_reason = reason
        self._apply(force=True)

    def on_degraded(self, names: tuple[str, ...], degraded: bool) -> None:
        if SITE_CONTROLLER not in names:
            return
        if degraded:
            self.enter_safe_state("the site controller was given up")
        else:  # hold the safe current until the controller sends a new setpoint
            self.safe_reason, self.requested = None, None

    # --- state and reports ------------------------------------------------------------------------

    def _refresh(self) -> bool:
        """Derive the state again; True when it changed."""
        state = derive_state(self._registered(), self.heard, self._online())
        if state == self.state:
            return False
        old, self.state = self.state, state
        self.logged.clear()
        logger.info("wallbox-{}: {} -> {}", self.address, old, state)
        if "absent" in (old, state):
            self._schedule_ticks()
        reg = self.settings.registration
        if state == "needs_support":
            logger.warning("wallbox-{}: firmware {} < 1.0.493: needs support", self.address, self.heard.firmware)
        elif state == "detected" and reg is not None and not self._registered():
            logger.warning(
                "wallbox-{}: reports serial {}, not {}: not driven", self.address, self.heard.serial, reg.serial
            )
        return True

    def _status(self) -> WallboxStatus:
        setpoint = self.sent[0] if self.sent else None
        at_s = self.clock.monotonic()
        reg = self.settings.registration if self._registered() else None
        return wallbox_status(self.address, at_s, self.state, reg, self.heard, setpoint)

    def _publish(self) -> None:
        if self.state == "absent":
            return
        status = self._status()
        self.metrics.publish(status)
        self.metrics.age(self.heard.last_frame_at_s, status.at_s)
        self.ctx.address(SITE_CONTROLLER).tell(status)

    def snapshot(self) -> dict[str, Any]:
        status = self._status()
        now = status.at_s
        last = self.heard.last_frame_at_s
        return {
            **{k: getattr(status, k) for k in status.__slots__},
            "current_a": list(status.current_a),
            **self.settings.view(),
            "mode": self.heard.identity.mode if self.heard.identity else None,
            "requested_a": self.requested.current_a if self.requested else None,
            "reason": self.requested.reason if self.requested else None,
            "safe_reason": self.safe_reason,
            "last_frame_age_s": None if last is None else round(now - last, 3),
            "session": self.heard.session.view(now) if self.heard.session else None,
        }
