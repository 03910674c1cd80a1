"""SPEC §6's role table, written out again for the tests (not read from the code)."""

from __future__ import annotations

from connext.api.accounts import Right, Role

ROLES = (Role.OWNER, Role.ADMINISTRATOR, Role.USER)

# right: (owner, administrator, user)
SPEC_TABLE = {
    Right.APPOINT_ADMINISTRATORS: (True, False, False),
    Right.CHANGE_CONTRACTED_POWER: (True, True, False),
    Right.MANAGE_DEVICES: (True, True, False),
    Right.CHANGE_STRATEGY: (True, True, False),
    Right.MANAGE_OUTPUT_LOGICS: (True, True, False),
    Right.MONITOR: (True, True, True),
    # ours, beyond the SPEC (docs/api.md says why)
    Right.MANAGE_USERS: (True, True, False),
    Right.MANAGE_RFID_CARDS: (True, True, False),
    Right.CONTROL_CHARGING: (True, True, True),
}
