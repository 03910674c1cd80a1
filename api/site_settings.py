"""Runtime settings the API changes and other parts read: each overrides a config value."""

from __future__ import annotations

from typing import Any

from connext.core.config import Config
from connext.core.store import Store

CONTRACTED_POWER_KEY = "site.contracted_power_w"


def contracted_power(store: Store, config: Config) -> dict[str, Any]:
    """The contracted power in force: the runtime override when set, else the config's."""
    override = store.get_setting(CONTRACTED_POWER_KEY)
    return {
        "contracted_power_w": config.site.contracted_power_w if override is None else float(override),
        "configured_w": config.site.contracted_power_w,
        "override": override is not None,
    }


def set_contracted_power(store: Store, power_w: float) -> None:
    store.put_setting(CONTRACTED_POWER_KEY, power_w)
