"""Runtime settings that override a config value, kept in the store's `settings` table.

The contracted power: the owner or an administrator changes it through the API (which
stores it and tells the site controller `SetContractedPower`); the site controller reads
it when it starts. The config's `site.contracted_power_w` holds until it is first set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connext.core.config import Config
from connext.core.store import Store, read_setting

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


def stored_contracted_power(path: str | Path) -> float | None:
    """The override as stored (None: not set), read without opening a `Store`."""
    value = read_setting(path, CONTRACTED_POWER_KEY)
    return None if value is None else float(value)
