"""Runtime logic changes: roles (SPEC §6), the config's own rules, overrides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connext.control.output_logic_edit import EditRefused, edit_logics, make_override
from connext.core.config import LogicConfig

NOW = datetime(2026, 6, 21, 10, 0, tzinfo=UTC)
PV = LogicConfig(name="pv", output=3, variable="pv_power", max=4000, min=2500)
OUTPUTS = (3, 4)


def refused(**kwargs) -> list[str]:
    args = {"logics": (PV,), "action": "set", "name": "pv", "fields": {}, "role": "owner", "outputs": OUTPUTS}
    with pytest.raises(EditRefused) as err:
        edit_logics(**{**args, **kwargs})
    return [str(p) for p in err.value.problems]


@pytest.mark.parametrize("role", ["owner", "administrator"])
def test_owner_and_administrator_may_create(role):
    fields = {"output": 4, "variable": "grid_export", "max": 1500, "min": 300, "window": "10:00-16:00"}
    logics = edit_logics((PV,), "set", "boiler", fields, role, OUTPUTS)
    assert [lg.name for lg in logics] == ["pv", "boiler"]
    assert logics[1] == LogicConfig(name="boiler", **fields)


def test_user_may_not():
    assert refused(role="user", action="disable") == [
        'role = "user": may not disable output logics: only the owner or an administrator may (SPEC §6)'
    ]
    assert refused(role="guest") == ['role = "guest": must be one of owner, administrator, user']


def test_change_keeps_other_fields_and_order():
    other = LogicConfig(name="other", output=4, variable="pv_power", max=10, min=1)
    logics = edit_logics((PV, other), "set", "pv", {"max": 4500, "period_s": 600}, "owner", OUTPUTS)
    assert logics[0] == LogicConfig(name="pv", output=3, variable="pv_power", max=4500, min=2500, period_s=600)
    assert logics[1] == other


def test_enable_disable_delete():
    off = edit_logics((PV,), "disable", "pv", {}, "administrator", OUTPUTS)
    assert off[0].enabled is False
    assert edit_logics(off, "enable", "pv", {}, "owner", OUTPUTS)[0].enabled is True
    assert edit_logics((PV,), "delete", "pv", {}, "owner", OUTPUTS) == ()
    assert refused(action="delete", name="nope") == ['name = "nope": is not a logic (known: pv)']


def test_refusals_name_the_field_and_the_rule():
    assert refused(fields={"min": 5000}) == [
        "logics[0].min = 5000.0: must be below max (4000): max closes the contact, min opens it"
    ]
    assert refused(fields={"output": 2}) == ["logics[0].output = 2: must be a configured output (configured: 3, 4)"]
    assert refused(fields={"window": "25:00-26:00"}) == [
        'logics[0].window = "25:00-26:00": must be a daily window HH:MM-HH:MM (it may cross midnight)'
    ]
    assert refused(fields={"variable": "wind"})[0].startswith('logics[0].variable = "wind": must be one of')
    assert refused(fields={"colour": "red"}) == ['logics[0].colour = "red": unknown key']
    assert refused(fields={"window": "10:00-10:00"}) == [
        'logics[0].window = "10:00-10:00": must not start and end at the same time (leave it empty for all day)'
    ]
    new = {"output": 3, "variable": "pv_power", "max": 1, "min": 0}
    assert refused(name="pv 2", fields={**new, "name": "pv"}) == [
        'logics[].name = "pv": logic name used 2 times; each must be unique'
    ]
    assert refused(name="new", fields={"output": 3}) == [
        "logics[1].variable: is required",
        "logics[1].max: is required",
        "logics[1].min: is required",
    ]


def test_override_validation():
    override = make_override(3, "closed", 600, "owner", NOW, OUTPUTS)
    assert (override.number, override.closed, override.until) == (3, True, NOW + timedelta(seconds=600))
    with pytest.raises(EditRefused) as err:
        make_override(2, "shut", 0, "administrator", NOW, OUTPUTS)
    assert [str(p) for p in err.value.problems] == [
        "number = 2: must be a configured output (3, 4)",
        'state = "shut": must be "closed" or "open"',
        "for_s = 0: must be 1..604800 seconds",
    ]
    with pytest.raises(EditRefused, match="may not force outputs"):
        make_override(3, "closed", 600, "user", NOW, OUTPUTS)
