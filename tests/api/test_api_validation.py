"""Bad requests get a 4xx with a sentence that says what is wrong, in the config's words."""

from __future__ import annotations

import http.client

import pytest
from support.api_client import ApiClient


def test_a_body_that_is_not_json_gets_400(api: ApiClient, owner_token: str) -> None:
    for raw in (b"{not json", b'{"contracted_power_w": }', b"\xff\xfe"):
        reply = api.request("PUT", "/api/contracted-power", raw=raw, token=owner_token)
        assert reply.status == 400 and reply.error.startswith("the body is not valid JSON"), reply
        assert reply.body["problems"] == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"contracted_power_w": -5}, "contracted_power_w = -5: must be > 0"),
        ({"contracted_power_w": 2e6}, "contracted_power_w = 2000000.0: must be at most 1000000 W"),
        ({"contracted_power_w": "6000"}, 'contracted_power_w = "6000": must be a number'),
        ({"contracted_power_w": True}, "contracted_power_w = true: must be a number"),
        ({"contracted_power_w": None}, "contracted_power_w = None: must be a number"),
        ({}, "contracted_power_w: is required"),
        ({"contracted_power_w": 6000, "phases": 1}, "phases = 1: unknown key"),
        ([6000], "body: must be a JSON object"),
    ],
)
def test_contracted_power_obeys_the_config_rules(api: ApiClient, owner_token: str, body, problem: str) -> None:
    reply = api.request("PUT", "/api/contracted-power", body, token=owner_token)
    assert reply.status == 422, reply
    assert problem in reply.body["problems"], reply.body


def test_nan_and_infinity_are_refused(api: ApiClient, owner_token: str) -> None:
    for raw in (b'{"contracted_power_w": NaN}', b'{"contracted_power_w": Infinity}'):
        reply = api.request("PUT", "/api/contracted-power", raw=raw, token=owner_token)
        assert reply.status == 422 and "must be a finite number" in reply.error, reply


@pytest.mark.parametrize(
    ("method", "path", "body", "problem"),
    [
        ("PUT", "/api/strategy", {"strategy": "solar"}, "strategy = \"solar\": must be one of 'km_single'"),
        ("PUT", "/api/strategy", {"strategy": "time_power", "time_start": "25:00"}, 'time_start = "25:00": must be a'),
        ("PUT", "/api/strategy", {"strategy": "km_single", "km_distance_km": 0}, "km_distance_km = 0: must be"),
        ("POST", "/api/logics", {"name": "x", "output": 5, "variable": "pv_power", "max": 2, "min": 1},
         "output = 5: must be an output number 1..4"),
        ("POST", "/api/logics", {"name": "x", "output": 1, "variable": "pv_power", "max": 2, "min": 3},
         "min = 3.0: must be below max (2): max closes the contact, min opens it"),
        ("POST", "/api/logics", {"name": "x", "output": 1, "variable": "pv_power", "max": 2, "min": 1,
                                 "window": "9-18"}, 'window = "9-18": must be a daily window'),
        ("PUT", "/api/wallboxes/32/mode", {"mode": "offline"}, 'path.address = "32": must be a CAN wallbox address'),
        ("PUT", "/api/wallboxes/1/mode", {"mode": "turbo"}, 'mode = "turbo": must be one of'),
        ("POST", "/api/wallboxes", {"serial": "no spaces allowed"}, 'serial = "no spaces allowed": must be 1..32'),
        ("PUT", "/api/rfid-cards/04A1B2", {"wallboxes": [1]}, 'path.card = "04A1B2": must be a card UID'),
        ("PUT", "/api/rfid-cards/04A1B2C3", {"wallboxes": [1, 40]}, "wallboxes.1 = 40: must be a CAN wallbox address"),
        ("PUT", "/api/rfid-cards/04A1B2C3", {"wallboxes": []}, "wallboxes = []: must list 1..8 different"),
        ("GET", "/api/sessions?limit=0", None, "query.limit = \"0\": "),
        ("POST", "/api/accounts", {"name": "ab", "password": "secret-password"}, 'name = "ab": must be 3..64'),
    ],
)  # fmt: skip
def test_bad_values_name_the_key_the_value_and_the_rule(
    api: ApiClient, owner_token: str, method: str, path: str, body, problem: str
) -> None:
    reply = api.request(method, path, body, token=owner_token)
    assert reply.status == 422, reply
    assert any(p.startswith(problem) for p in reply.body["problems"]), reply.body


def test_a_password_is_never_echoed(api: ApiClient, owner_token: str) -> None:
    secret = "short"
    reply = api.request("POST", "/api/accounts", {"name": "ursula", "password": secret}, token=owner_token)
    assert reply.status == 422 and reply.body["problems"] == ["password: must be 8..256 characters"]
    assert secret not in str(reply.body)


def test_an_oversized_body_gets_413_declared_or_chunked(api: ApiClient, owner_token: str) -> None:
    big = b'{"contracted_power_w": 6000, "pad": "' + b"x" * 70000 + b'"}'
    reply = api.request("PUT", "/api/contracted-power", raw=big, token=owner_token)
    assert reply.status == 413 and reply.body["error"] == "the request body is over 65536 bytes"
    connection = http.client.HTTPConnection(api.host, api.port, timeout=30)
    chunks = (big[i : i + 8192] for i in range(0, len(big), 8192))
    headers = {"Authorization": f"Bearer {owner_token}", "Content-Type": "application/json"}
    connection.request("PUT", "/api/contracted-power", body=chunks, encode_chunked=True, headers=headers)
    response = connection.getresponse()
    assert response.status == 413, response.read()
    connection.close()


def test_unknown_routes_and_methods_answer_uniform_json(api: ApiClient) -> None:
    missing = api.request("GET", "/api/nothing-here")
    assert missing.body == {"status": 404, "error": "Not Found", "problems": []}
    wrong_method = api.request("DELETE", "/api/health")
    assert wrong_method.status == 405 and wrong_method.body["status"] == 405


def test_responses_carry_the_security_headers(api: ApiClient) -> None:
    page = api.request("GET", "/")
    assert page.status == 200 and b"connext" in page.body
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "server" not in page.headers
    assert "cache-control" not in page.headers  # static files revalidate; API answers are never stored
    assert api.request("GET", "/api/health").headers["cache-control"] == "no-store"
