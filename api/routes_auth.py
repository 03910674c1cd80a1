"""Registration (the first account becomes the Owner), login, logout, me, own password."""

from __future__ import annotations

from fastapi import APIRouter, Request

from connext.core import metrics as core_metrics

from .accounts import Conflict, InvalidCredentials, IssuedToken, LockedOut
from .accounts.errors import BadValue
from .auth import AnyRole
from .context import context
from .metrics import LOGINS
from .models import AccountView, AuthStatus, Credentials, Login, PasswordChange, TokenView

router = APIRouter(prefix="/auth", tags=["auth"])
PUBLIC = {("GET", "/api/auth/status"), ("POST", "/api/auth/register"), ("POST", "/api/auth/login")}


def token_view(issued: IssuedToken) -> TokenView:
    return TokenView(token=issued.token, expires_at=issued.expires_at, account=AccountView(**issued.account.view()))


@router.get("/status", response_model=AuthStatus, summary="Whether the box has its owner yet (no login needed)")
async def status(request: Request) -> AuthStatus:
    owner = await context(request).db.run(lambda s: s.accounts.has_owner())
    return AuthStatus(owner_registered=owner, version=core_metrics.version())


@router.post("/register", response_model=TokenView, status_code=201, summary="Register the owner (first account only)")
async def register(body: Credentials, request: Request) -> TokenView:
    """The first account registered becomes the box's Owner; afterwards this answers 409:
    other accounts are added by the owner or an administrator (POST /api/accounts)."""
    ctx = context(request)
    if await ctx.db.run(lambda s: s.accounts.has_owner()):  # cheap early answer; the transaction decides
        raise Conflict("registration is closed: this box already has its owner; ask the owner or an administrator")
    password_hash = await ctx.hasher.hash(body.password)
    account = await ctx.db.run(lambda s: s.accounts.register_owner(body.name, password_hash))
    return token_view(await ctx.db.run(lambda s: s.accounts.issue_token(account.id)))


@router.post("/login", response_model=TokenView, summary="Log in: a bearer token")
async def login(body: Login, request: Request) -> TokenView:
    """401 on a wrong name or password (never says which); 429 with Retry-After while the
    account is locked after repeated failures."""
    ctx = context(request)
    try:
        attempt = await ctx.db.run(lambda s: s.accounts.login_attempt(body.name))
        ok, rehash = await ctx.hasher.verify(body.password, attempt.stored_hash)
        issued = await ctx.db.run(lambda s: s.accounts.login_outcome(attempt, ok, rehash))
    except LockedOut:
        LOGINS.labels(result="locked").inc()
        raise
    except InvalidCredentials:
        LOGINS.labels(result="wrong").inc()
        raise
    LOGINS.labels(result="ok").inc()
    return token_view(issued)


@router.post("/logout", status_code=204, summary="Revoke the token of this request")
async def logout(request: Request, caller: AnyRole) -> None:
    await context(request).db.run(lambda s: s.accounts.logout(caller.token_hash))


@router.get("/me", response_model=AccountView, summary="Who this token belongs to")
async def me(caller: AnyRole) -> AccountView:
    return AccountView(**caller.account.view())


@router.post("/password", status_code=204, summary="Change your own password (other tokens are revoked)")
async def change_password(body: PasswordChange, request: Request, caller: AnyRole) -> None:
    ctx = context(request)
    attempt = await ctx.db.run(lambda s: s.accounts.login_attempt(caller.account.name))
    ok, _ = await ctx.hasher.verify(body.current, attempt.stored_hash)
    if not ok:
        try:  # counts toward the lock-out like a failed login
            await ctx.db.run(lambda s: s.accounts.record_failure(attempt))
        except InvalidCredentials:
            raise BadValue("current: is not the password in use") from None
    new_hash = await ctx.hasher.hash(body.new)
    await ctx.db.run(lambda s: s.accounts.set_password(caller.account.id, new_hash, caller.token_hash))
