"""The whole role table over real HTTP: every route x every role -> allowed or 403.

Expectations come from SPEC_TABLE (support/api_spec.py), not from
the code's table. Each case names the right it exercises and the status an allowed
request gets (503: the actor behind it is not part of this test's site, which has
none; the operations themselves run against the real site in test_api_charging.py and
test_api_devices.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from support.api_client import ApiClient, running_api
from support.api_spec import ROLES, SPEC_TABLE

from connext.api.accounts import Right, Role
from connext.api.app import PUBLIC, route_rights
from connext.core.clock import ManualClock

PASSWORD = "role-password-1"
_serial = itertools.count(1)


@dataclass(frozen=True)
class Case:
    right: Right | None  # None: any authenticated role
    method: str
    route: str  # the route template, as the app declares it
    allowed: int  # status of an allowed request
    body: Callable[[], Any] | None = None
    target: Callable[[ApiClient, str], str] | None = None  # fills {name}/{card}: made by the owner
    fresh_token: bool = False  # the request spends its token (logout)
    extra: dict[str, str] = field(default_factory=dict)


def new_user(role: str = "user") -> Callable[[ApiClient, str], str]:
    def make(api: ApiClient, owner: str) -> str:
        name = f"target{next(_serial)}"
        reply = api.request("POST", "/api/accounts", {"name": name, "password": PASSWORD, "role": role}, token=owner)
        assert reply.status == 201, reply
        return name

    return make


def new_card(api: ApiClient, owner: str) -> str:
    card = f"{next(_serial):08X}"
    assert api.request("PUT", f"/api/rfid-cards/{card}", {"wallboxes": [1]}, token=owner).status == 200
    return card


def logic() -> dict[str, Any]:
    return {"name": "heat pump", "output": 3, "variable": "pv_power", "max": 4000, "min": 2500}


CASES = {
    "me": Case(None, "GET", "/api/auth/me", 200),
    "logout": Case(None, "POST", "/api/auth/logout", 204, fresh_token=True),
    "own password": Case(None, "POST", "/api/auth/password", 422, lambda: {"current": "not-it", "new": PASSWORD}),
    "list accounts": Case(Right.MANAGE_USERS, "GET", "/api/accounts", 200),
    "add user": Case(
        Right.MANAGE_USERS, "POST", "/api/accounts", 201, lambda: {"name": f"new{next(_serial)}", "password": PASSWORD}
    ),
    "add administrator": Case(
        Right.APPOINT_ADMINISTRATORS,
        "POST",
        "/api/accounts",
        201,
        lambda: {"name": f"new{next(_serial)}", "password": PASSWORD, "role": "administrator"},
    ),
    "appoint administrator": Case(
        Right.APPOINT_ADMINISTRATORS,
        "PUT",
        "/api/accounts/{name}/role",
        200,
        lambda: {"role": "administrator"},
        target=new_user(),
    ),
    "remove administrator role": Case(
        Right.APPOINT_ADMINISTRATORS,
        "PUT",
        "/api/accounts/{name}/role",
        200,
        lambda: {"role": "user"},
        target=new_user("administrator"),
    ),
    "remove user": Case(Right.MANAGE_USERS, "DELETE", "/api/accounts/{name}", 204, target=new_user()),
    "remove administrator": Case(
        Right.APPOINT_ADMINISTRATORS, "DELETE", "/api/accounts/{name}", 204, target=new_user("administrator")
    ),
    "list cards": Case(Right.MANAGE_RFID_CARDS, "GET", "/api/rfid-cards", 200),
    "enrol card": Case(
        Right.MANAGE_RFID_CARDS,
        "PUT",
        "/api/rfid-cards/{card}",
        200,
        lambda: {"wallboxes": [2]},
        target=lambda api, owner: f"{next(_serial):08X}",
    ),
    "remove card": Case(Right.MANAGE_RFID_CARDS, "DELETE", "/api/rfid-cards/{card}", 200, target=new_card),
    "site": Case(Right.MONITOR, "GET", "/api/site", 200),
    "actors": Case(Right.MONITOR, "GET", "/api/actors", 200),
    "devices": Case(Right.MONITOR, "GET", "/api/devices", 200),
    "read contracted power": Case(Right.MONITOR, "GET", "/api/contracted-power", 200),
    "change contracted power": Case(
        Right.CHANGE_CONTRACTED_POWER, "PUT", "/api/contracted-power", 200, lambda: {"contracted_power_w": 6500}
    ),
    "read strategy": Case(Right.MONITOR, "GET", "/api/strategy", 503),
    "change strategy": Case(Right.CHANGE_STRATEGY, "PUT", "/api/strategy", 503, lambda: {"strategy": "eco_pure"}),
    "wallboxes": Case(Right.MONITOR, "GET", "/api/wallboxes", 200),
    "register wallbox": Case(Right.MANAGE_DEVICES, "POST", "/api/wallboxes", 503, lambda: {"serial": "WB0000000009"}),
    "remove wallbox": Case(Right.MANAGE_DEVICES, "DELETE", "/api/wallboxes/{address}", 503),
    "start charging": Case(Right.CONTROL_CHARGING, "POST", "/api/wallboxes/{address}/start", 503),
    "stop charging": Case(Right.CONTROL_CHARGING, "POST", "/api/wallboxes/{address}/stop", 503),
    "wallbox mode": Case(
        Right.MANAGE_DEVICES, "PUT", "/api/wallboxes/{address}/mode", 503, lambda: {"mode": "offline"}
    ),
    "sessions": Case(Right.MONITOR, "GET", "/api/sessions", 503),
    "list logics": Case(Right.MONITOR, "GET", "/api/logics", 503),
    "create logic": Case(Right.MANAGE_OUTPUT_LOGICS, "POST", "/api/logics", 503, logic),
    "change logic": Case(Right.MANAGE_OUTPUT_LOGICS, "PUT", "/api/logics/{name}", 503, logic, extra={"name": "a"}),
    "delete logic": Case(Right.MANAGE_OUTPUT_LOGICS, "DELETE", "/api/logics/{name}", 503, extra={"name": "a"}),
    "enable logic": Case(
        Right.MANAGE_OUTPUT_LOGICS,
        "PUT",
        "/api/logics/{name}/enabled",
        503,
        lambda: {"enabled": False},
        extra={"name": "a"},
    ),
}


@dataclass
class Box:
    api: ApiClient
    app: Any
    tokens: dict[Role, str]

    def token(self, role: Role, fresh: bool) -> str:
        return self.api.login(f"the-{role.value}", PASSWORD) if fresh else self.tokens[role]


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Box]:
    with running_api(Path(tmp_path_factory.mktemp("roles")), ManualClock()) as (service, api):
        owner = api.register("the-owner", PASSWORD)
        for role in ("administrator", "user"):
            body = {"name": f"the-{role}", "password": PASSWORD, "role": role}
            assert api.request("POST", "/api/accounts", body, token=owner).status == 201
        tokens = {role: api.login(f"the-{role.value}", PASSWORD) for role in ROLES}
        yield Box(api, service.app, tokens)


def _path(box: Box, case: Case) -> str:
    values = {"address": "1", **case.extra}
    if case.target is not None:
        made = case.target(box.api, box.tokens[Role.OWNER])
        values["name" if "{name}" in case.route else "card"] = made
    return case.route.format(**values)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
@pytest.mark.parametrize("name", list(CASES))
def test_every_route_for_every_role(box: Box, name: str, role: Role) -> None:
    case = CASES[name]
    path = _path(box, case)
    body = case.body() if case.body else None
    reply = box.api.request(case.method, path, body, token=box.token(role, case.fresh_token))
    allowed = case.right is None or SPEC_TABLE[case.right][ROLES.index(role)]
    if allowed:
        assert reply.status == case.allowed, reply
    else:
        assert reply.status == 403, reply
        assert reply.error.endswith(f"; you are {role.value}"), reply
        assert reply.body == {"status": 403, "error": reply.error, "problems": []}


def test_every_api_route_is_public_or_has_a_case_with_its_right() -> None:
    declared = {(r.method, r.path): r for r in route_rights()}
    covered = {(c.method, c.route) for c in CASES.values()}
    assert set(declared) == covered | PUBLIC
    for key in PUBLIC:
        assert not declared[key].authenticated, key
    for case in CASES.values():
        route = declared[(case.method, case.route)]
        assert route.authenticated, route
        # a route may check a stronger right for some targets (administrators): its declared right is the base
        assert route.right in (case.right, Right.MANAGE_USERS), (case.method, case.route, route.right)


def test_without_a_token_every_protected_route_answers_401(box: Box) -> None:
    for route in route_rights():
        if not route.authenticated:
            continue
        path = route.path.format(address="1", name="someone", card="04A1B2C3")
        reply = box.api.request(route.method, path, {})
        assert reply.status == 401, (route, reply)
        assert reply.headers["www-authenticate"] == "Bearer"
        assert reply.error.startswith("log in first")


def test_a_refused_change_changes_nothing(box: Box) -> None:
    before = box.api.request("GET", "/api/contracted-power", token=box.tokens[Role.USER]).body
    refused = box.api.request("PUT", "/api/contracted-power", {"contracted_power_w": 1234}, token=box.tokens[Role.USER])
    assert refused.status == 403
    assert refused.error == "change the system (contracted) power: needs owner or administrator; you are user"
    assert box.api.request("GET", "/api/contracted-power", token=box.tokens[Role.USER]).body == before
