"""Monitoring (site, actors, devices) and the contracted power."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from connext.core import site_settings

from . import operations
from .auth import CanChangeContractedPower, CanMonitor
from .context import context
from .models import ContractedPowerChange

router = APIRouter(tags=["site"])
PUBLIC = {("GET", "/api/health")}


@router.get("/health", summary="Liveness of the API (no login needed, no details)")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/site", summary="The site: configuration, live power flows, wallboxes, outputs")
async def site(request: Request, _: CanMonitor) -> dict[str, Any]:
    """`live` is the site controller's snapshot (null with `live_error` when it is not
    running); each wallbox and output carries its own actor's snapshot the same way.
    Sign convention: grid power + = export, - = import; battery + = charging."""
    ctx = context(request)
    view = await run_in_threadpool(operations.site, ctx.runtime)
    power = await ctx.db.run(lambda s: site_settings.contracted_power(s.store, ctx.runtime.config))
    return {**view, "contracted_power": power}


@router.get("/actors", summary="The actor tree and each actor's health")
async def actors(request: Request, _: CanMonitor) -> dict[str, Any]:
    return {"actors": operations.actors(context(request).runtime)}


@router.get("/devices", summary="The configured devices and their actors' status")
async def devices(request: Request, _: CanMonitor) -> dict[str, Any]:
    return operations.devices(context(request).runtime)


@router.get("/contracted-power", summary="The contracted power in force")
async def get_contracted_power(request: Request, _: CanMonitor) -> dict[str, Any]:
    ctx = context(request)
    return await ctx.db.run(lambda s: site_settings.contracted_power(s.store, ctx.runtime.config))


@router.put("/contracted-power", summary="Change the contracted power (kept across restarts)")
async def set_contracted_power(
    body: ContractedPowerChange,  # type: ignore[valid-type]
    request: Request,
    caller: CanChangeContractedPower,
) -> dict[str, Any]:
    """Stored as a runtime setting that overrides `site.contracted_power_w` of the config,
    then told to the site controller (`told_site_controller` false: it is not running and
    reads the setting when it starts)."""
    ctx = context(request)
    power_w = body.contracted_power_w
    await ctx.db.run(lambda s: site_settings.set_contracted_power(s.store, power_w))
    told = await run_in_threadpool(operations.apply_contracted_power, ctx.runtime, power_w, caller.role)
    now = await ctx.db.run(lambda s: site_settings.contracted_power(s.store, ctx.runtime.config))
    return {**now, "told_site_controller": told}
