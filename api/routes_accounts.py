"""Accounts (owner, administrators, users) and RFID cards.

Who may touch whom: adding or removing a user needs "add / remove users"; adding,
appointing or removing an administrator needs "appoint administrators" (owner only);
the owner account can be neither changed nor removed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool

from connext.actors.asking import OperationError

from . import operations
from .accounts import Right, Role, authorize
from .accounts.rfid import CARD_ID, check_card
from .auth import CanAppointAdministrators, CanManageRfidCards, CanManageUsers
from .config_models import describe, obeys
from .context import ApiContext, context
from .models import AccountView, CardChange, CardEnrolment, CardView, NewAccount, RoleChange

accounts = APIRouter(prefix="/accounts", tags=["accounts"])
cards = APIRouter(prefix="/rfid-cards", tags=["rfid cards"])
AccountName = Annotated[str, Path(description="account name")]
CardId = Annotated[str, Path(description=describe(CARD_ID)), obeys(CARD_ID)]


def _right_over(role: Role) -> Right:
    return Right.APPOINT_ADMINISTRATORS if role is Role.ADMINISTRATOR else Right.MANAGE_USERS


@accounts.get("", response_model=list[AccountView], summary="All accounts")
async def list_accounts(request: Request, _: CanManageUsers) -> list[AccountView]:
    found = await context(request).db.run(lambda s: s.accounts.list())
    return [AccountView(**a.view()) for a in found]


@accounts.post("", response_model=AccountView, status_code=201, summary="Add a user or an administrator")
async def add_account(body: NewAccount, request: Request, caller: CanManageUsers) -> AccountView:
    role = Role(body.role)
    authorize(_right_over(role), caller.role)
    ctx = context(request)
    password_hash = await ctx.hasher.hash(body.password)
    account = await ctx.db.run(lambda s: s.accounts.add_account(body.name, password_hash, role))
    return AccountView(**account.view())


@accounts.put("/{name}/role", response_model=AccountView, summary="Appoint or remove an administrator")
async def change_role(
    name: AccountName, body: RoleChange, request: Request, _: CanAppointAdministrators
) -> AccountView:
    account = await context(request).db.run(lambda s: s.accounts.set_role(name, Role(body.role)))
    return AccountView(**account.view())


@accounts.delete("/{name}", status_code=204, summary="Remove an account (never the owner)")
async def remove_account(name: AccountName, request: Request, caller: CanManageUsers) -> None:
    ctx = context(request)
    target = await ctx.db.run(lambda s: s.accounts.get(name))
    if target.role is not Role.OWNER:
        authorize(_right_over(target.role), caller.role)
    await ctx.db.run(lambda s: s.accounts.remove(name))


# --- RFID cards ---------------------------------------------------------------------------


@cards.get("", response_model=list[CardView], summary="Enrolled RFID cards")
async def list_cards(request: Request, _: CanManageRfidCards) -> list[CardView]:
    found = await context(request).db.run(lambda s: s.cards.list())
    return [CardView(**c.view()) for c in found]


@cards.put("/{card}", response_model=CardChange, summary="Enrol a card on wallboxes (create or replace)")
async def put_card(card: CardId, body: CardEnrolment, request: Request, _: CanManageRfidCards) -> CardChange:
    ctx = context(request)
    saved, changed = await ctx.db.run(lambda s: s.cards.put(card, body.label, tuple(body.wallboxes)))
    return CardChange(card=CardView(**saved.view()), changed_wallboxes=list(changed), push=await _push(ctx, changed))


@cards.delete("/{card}", response_model=CardChange, summary="Remove a card from every wallbox")
async def remove_card(card: CardId, request: Request, _: CanManageRfidCards) -> CardChange:
    ctx = context(request)
    changed = await ctx.db.run(lambda s: s.cards.remove(check_card(card)))
    return CardChange(card=None, changed_wallboxes=list(changed), push=await _push(ctx, changed))


async def _push(ctx: ApiContext, addresses: tuple[int, ...]) -> dict[str, str]:
    """Send each changed wallbox its new list; the card change stands either way."""
    outcome: dict[str, str] = {}
    for address in addresses:
        listed = await ctx.db.run(lambda s, a=address: s.cards.cards_of(a))
        try:
            outcome[str(address)] = await run_in_threadpool(operations.push_rfid_cards, ctx.runtime, address, listed)
        except OperationError as err:  # the card change stands; say why this wallbox did not get it
            outcome[str(address)] = str(err)
    return outcome
