"""Who is calling, and may they: the dependencies every protected route declares.

A route parameter `caller: CanChangeStrategy` authenticates the bearer token, then checks
the role table (`accounts.roles.authorize`); a refusal is 403 naming the right.
`AnyRole` only authenticates (logout, me, own password).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .accounts import Caller, Right, Unauthenticated, authorize
from .context import context

bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="opaque",
    description="the token from POST /api/auth/login (or /api/auth/register)",
)


async def current_caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Caller:
    if credentials is None:
        raise Unauthenticated("log in first: send the header 'Authorization: Bearer <token>' (POST /api/auth/login)")
    token = credentials.credentials
    return await context(request).db.run(lambda s: s.accounts.authenticate(token))


def require(right: Right | None) -> Any:
    """A dependency: the authenticated caller, who must hold `right` (None: any role)."""

    async def dependency(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
        if right is not None:
            authorize(right, caller.role)
        return caller

    dependency.right = right  # type: ignore[attr-defined]  # read by the route audit (tests, docs)
    return Depends(dependency)


AnyRole = Annotated[Caller, require(None)]
CanMonitor = Annotated[Caller, require(Right.MONITOR)]
CanAppointAdministrators = Annotated[Caller, require(Right.APPOINT_ADMINISTRATORS)]
CanChangeContractedPower = Annotated[Caller, require(Right.CHANGE_CONTRACTED_POWER)]
CanManageDevices = Annotated[Caller, require(Right.MANAGE_DEVICES)]
CanChangeStrategy = Annotated[Caller, require(Right.CHANGE_STRATEGY)]
CanManageOutputLogics = Annotated[Caller, require(Right.MANAGE_OUTPUT_LOGICS)]
CanManageUsers = Annotated[Caller, require(Right.MANAGE_USERS)]
CanManageRfidCards = Annotated[Caller, require(Right.MANAGE_RFID_CARDS)]
CanControlCharging = Annotated[Caller, require(Right.CONTROL_CHARGING)]
