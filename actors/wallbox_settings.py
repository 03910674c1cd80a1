"""What one wallbox address is driven with: its registration (config.toml, or made at run
time and kept in the store) and the mode and RFID card list set over it at run time
(`SetWallboxMode`, `SetRfidCards`; kept per address, for a config.toml wallbox too, as
the contracted power overrides the config). Held by the wallbox actor; the frames and
the logging stay there.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from connext.core.config import WallboxConfig

from . import wallbox_registry as registry
from .wallbox_model import fits_card_slot


class WallboxSettings:
    """The registration of one address and the settings set over it."""

    def __init__(self, address: int, configured: WallboxConfig | None, store_path: str) -> None:
        self.address, self.configured, self.store_path = address, configured, store_path
        self.registration = configured
        self.overrides: dict[str, Any] = {}  # mode, cards

    def load(self) -> None:
        """Read the stored registration (unless config.toml has one) and the overrides."""
        if self.store_path:
            stored, self.overrides = registry.load(self.store_path, self.address, self.configured is None)
            self.registration = self.configured or stored

    def effective(self) -> WallboxConfig | None:
        """The registration with the mode and cards set at run time."""
        reg = self.registration
        return None if reg is None else dataclasses.replace(reg, **self.overrides)

    def register(self, settings: WallboxConfig, heard_serial: str | None) -> dict[str, Any] | None:
        """Keep `settings` as the registration (None), or why not (a reply)."""
        if self.configured is not None:
            return {"registered": False, "why": f"wallbox {self.address} is configured in config.toml; change it there"}
        if heard_serial not in (None, settings.serial):
            why = f"the wallbox at address {self.address} reports serial {heard_serial}, not {settings.serial}"
            return {"registered": False, "why": why}
        registry.save(self.store_path, settings)
        self.registration = settings
        self.set("mode", None)  # the new registration says which mode
        return None

    def unregister(self) -> dict[str, Any] | None:
        """Forget the run-time registration (None), or why not (a reply)."""
        if self.configured is not None:
            return {"unregistered": False, "why": f"wallbox {self.address} is configured in config.toml"}
        if not registry.delete(self.store_path, self.address):
            why = f"no run-time registration at address {self.address}"
            return {"unregistered": False, "why": why, "kind": "not_found"}
        self.registration = None
        self.set("mode", None)
        return None

    def set_mode(self, mode: str) -> dict[str, Any] | None:
        """Keep `mode` over the registration (None), or why not (a reply)."""
        if self.registration is None:
            return {"changed": False, "why": f"no wallbox is registered at address {self.address}", "kind": "not_found"}
        self.set("mode", mode)
        return None

    def set_cards(self, cards: tuple[str, ...]) -> tuple[tuple[str, ...], list[str]]:
        """Keep the card list (an address not registered yet too): the cards kept, and those
        left out because no CARD_SLOT frame carries them (10-byte UIDs)."""
        fit = tuple(card.upper() for card in cards if fits_card_slot(card))
        self.set("cards", fit)
        return fit, [card for card in cards if not fits_card_slot(card)]

    def set(self, name: str, value: Any) -> None:
        """Set `name` (mode, cards) over the registration and keep it; None forgets it."""
        if value is None and name not in self.overrides:
            return
        registry.save_override(self.store_path, self.address, name, value)
        if value is None:
            del self.overrides[name]
        else:
            self.overrides[name] = value

    def view(self) -> dict[str, Any]:
        """For the actor's snapshot."""
        reg, effective = self.registration, self.effective()
        return {
            "source": None if reg is None else ("config" if self.configured else "store"),
            "registered_serial": reg.serial if reg else None,
            "settings": None if effective is None else {"mode": effective.mode, "cards": list(effective.cards)},
            "set_at_run_time": sorted(self.overrides),
        }
