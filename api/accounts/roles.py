"""The role table (SPEC §6) as data, and the one authorization check every endpoint uses."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMINISTRATOR = "administrator"
    USER = "user"


class Right(StrEnum):
    APPOINT_ADMINISTRATORS = "appoint_administrators"
    CHANGE_CONTRACTED_POWER = "change_contracted_power"
    MANAGE_DEVICES = "manage_devices"
    CHANGE_STRATEGY = "change_strategy"
    MANAGE_OUTPUT_LOGICS = "manage_output_logics"
    MONITOR = "monitor"
    # Beyond the SPEC's table (docs/api.md says why):
    MANAGE_USERS = "manage_users"
    MANAGE_RFID_CARDS = "manage_rfid_cards"
    CONTROL_CHARGING = "control_charging"


_ALL = frozenset(Role)
_OWNER_ADMIN = frozenset({Role.OWNER, Role.ADMINISTRATOR})

# right -> (what it is called, the roles that have it)
RIGHTS: dict[Right, tuple[str, frozenset[Role]]] = {
    Right.APPOINT_ADMINISTRATORS: ("appoint administrators", frozenset({Role.OWNER})),
    Right.CHANGE_CONTRACTED_POWER: ("change the system (contracted) power", _OWNER_ADMIN),
    Right.MANAGE_DEVICES: ("add / remove devices", _OWNER_ADMIN),
    Right.CHANGE_STRATEGY: ("change the charging strategy", _OWNER_ADMIN),
    Right.MANAGE_OUTPUT_LOGICS: ("create / change / enable output logics", _OWNER_ADMIN),
    Right.MONITOR: ("monitor the system", _ALL),
    Right.MANAGE_USERS: ("add / remove users", _OWNER_ADMIN),
    Right.MANAGE_RFID_CARDS: ("manage RFID cards", _OWNER_ADMIN),
    Right.CONTROL_CHARGING: ("start / stop charging", _ALL),
}


class Forbidden(Exception):
    """The caller's role lacks a right; the message names the right, who has it and the role."""

    def __init__(self, right: Right, role: Role) -> None:
        self.right, self.role = right, role
        text, roles = RIGHTS[right]
        needed = " or ".join(r.value for r in Role if r in roles)
        super().__init__(f"{text}: needs {needed}; you are {role.value}")


def allowed(right: Right, role: Role) -> bool:
    return role in RIGHTS[right][1]


def authorize(right: Right, role: Role) -> None:
    """Raise `Forbidden` unless `role` has `right`."""
    if not allowed(right, role):
        raise Forbidden(right, role)
