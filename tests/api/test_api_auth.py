"""Registration, login, lock-out and token expiry over HTTP (manual clock)."""

from __future__ import annotations

import threading

from support.api_client import OWNER, ApiClient

from connext.core.clock import ManualClock


def test_the_first_registration_is_the_owner_and_nobody_can_take_ownership(api: ApiClient) -> None:
    assert api.request("GET", "/api/auth/status").body["owner_registered"] is False
    owner = api.register(*OWNER)
    assert api.request("GET", "/api/auth/me", token=owner).body["role"] == "owner"
    assert api.request("GET", "/api/auth/status").body["owner_registered"] is True
    again = api.request("POST", "/api/auth/register", {"name": "mallory", "password": "mallory-password"})
    assert again.status == 409 and "already has its owner" in again.error
    # nor through the accounts: no owner role to give, and the owner's role is final
    added = api.request("POST", "/api/accounts", {"name": "mallory", "password": "mallory-pw1", "role": "owner"},
                        token=owner)  # fmt: skip
    assert added.status == 422 and "administrator" in added.error
    moved = api.request("PUT", "/api/accounts/olivia/role", {"role": "user"}, token=owner)
    assert moved.status == 409 and "ownership cannot be given or taken" in moved.error
    removed = api.request("DELETE", "/api/accounts/olivia", token=owner)
    assert removed.status == 409 and removed.error == "the owner account cannot be removed"


def test_concurrent_first_registrations_over_http_make_one_owner(api: ApiClient) -> None:
    replies: list[int] = []
    barrier = threading.Barrier(4)

    def register(n: int) -> None:
        barrier.wait()
        replies.append(
            api.request("POST", "/api/auth/register", {"name": f"racer{n}", "password": "password-1"}).status
        )

    threads = [threading.Thread(target=register, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(replies) == [201, 409, 409, 409]


def test_logout_revokes_the_token_and_login_gives_a_new_one(api: ApiClient, owner_token: str) -> None:
    assert api.request("POST", "/api/auth/logout", token=owner_token).status == 204
    reply = api.request("GET", "/api/auth/me", token=owner_token)
    assert reply.status == 401 and reply.error == "unknown or revoked token: log in again"
    token = api.login(*OWNER)
    assert api.request("GET", "/api/auth/me", token=token).body["name"] == "olivia"


def test_a_token_expires_after_its_lifetime(api: ApiClient, owner_token: str, clock: ManualClock) -> None:
    clock.advance(86400 - 1)  # the default lifetime: a day
    assert api.request("GET", "/api/site", token=owner_token).status == 200
    clock.advance(1)
    reply = api.request("GET", "/api/site", token=owner_token)
    assert reply.status == 401 and reply.error == "the token has expired: log in again"


def test_brute_force_locks_the_account_with_retry_after(api: ApiClient, owner_token: str, clock: ManualClock) -> None:
    wrong = {"name": OWNER[0], "password": "not-the-password"}
    for _ in range(4):
        reply = api.request("POST", "/api/auth/login", wrong)
        assert reply.status == 401 and reply.error == "wrong name or password"
    fifth = api.request("POST", "/api/auth/login", wrong)
    assert fifth.status == 429 and fifth.headers["retry-after"] == "30", fifth
    assert "locked for 30 s" in fifth.error
    right = api.request("POST", "/api/auth/login", {"name": OWNER[0], "password": OWNER[1]})
    assert right.status == 429 and "try again in 30 s" in right.error  # the right password waits too
    assert api.request("GET", "/api/auth/me", token=owner_token).status == 200  # issued tokens stay valid
    clock.advance(30)
    assert api.request("POST", "/api/auth/login", wrong).headers["retry-after"] == "60"  # doubling
    clock.advance(60)
    api.login(*OWNER)


def test_an_unknown_name_looks_like_a_wrong_password(api: ApiClient, owner_token: str) -> None:
    unknown = api.request("POST", "/api/auth/login", {"name": "nobody", "password": OWNER[1]})
    wrong = api.request("POST", "/api/auth/login", {"name": OWNER[0], "password": "wrong-one"})
    assert (unknown.status, unknown.body) == (wrong.status, wrong.body) == (401, wrong.body)


def test_changing_the_password_needs_the_current_one_and_revokes_other_tokens(api: ApiClient, owner_token: str) -> None:
    other = api.login(*OWNER)
    refused = api.request("POST", "/api/auth/password", {"current": "wrong-one", "new": "brand-new-pw"},
                          token=owner_token)  # fmt: skip
    assert refused.status == 422 and refused.error == "current: is not the password in use"
    body = {"current": OWNER[1], "new": "brand-new-pw"}
    assert api.request("POST", "/api/auth/password", body, token=owner_token).status == 204
    assert api.request("GET", "/api/auth/me", token=owner_token).status == 200
    assert api.request("GET", "/api/auth/me", token=other).status == 401
    api.login(OWNER[0], "brand-new-pw")


def test_removing_an_account_revokes_its_tokens(api: ApiClient, owner_token: str) -> None:
    body = {"name": "ursula", "password": "user-password"}
    assert api.request("POST", "/api/accounts", body, token=owner_token).status == 201
    user = api.login(**body)
    assert api.request("GET", "/api/site", token=user).status == 200
    assert api.request("DELETE", "/api/accounts/ursula", token=owner_token).status == 204
    assert api.request("GET", "/api/site", token=user).status == 401
