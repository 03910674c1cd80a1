"""Charging strategy, wallboxes, sessions and output logics: validated and authorized
here, carried out by `operations` through the actors that own them."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from connext.core.config import LogicConfig
from connext.core.config.model import WALLBOX_ADDRESS
from connext.core.config.topology import check_site

from . import operations
from .accounts.errors import BadValue
from .auth import CanChangeStrategy, CanControlCharging, CanManageDevices, CanManageOutputLogics, CanMonitor
from .config_models import describe, obeys
from .context import context
from .models import LogicEnabled, OutputLogic, StrategyChange, WallboxMode, WallboxRegistration

router = APIRouter()
Address = Annotated[int, Path(description=describe(WALLBOX_ADDRESS)), obeys(WALLBOX_ADDRESS)]
LogicName = Annotated[str, Path(description="the logic's name")]


async def _run(request: Request, operation: Any, *args: Any) -> Any:
    return await run_in_threadpool(operation, context(request).runtime, *args)


# --- charging strategy ---------------------------------------------------------------------


@router.get("/strategy", tags=["charging"], summary="The charging strategy in force and its parameters")
async def get_strategy(request: Request, _: CanMonitor) -> dict[str, Any]:
    return await _run(request, operations.get_strategy)


@router.put("/strategy", tags=["charging"], summary="Change the strategy (only with no session in progress)")
async def set_strategy(
    body: StrategyChange,  # type: ignore[valid-type]
    request: Request,
    caller: CanChangeStrategy,
) -> dict[str, Any]:
    """409 while a charging session is in progress (SPEC §7)."""
    change = body.model_dump(exclude_none=True)
    return await _run(request, operations.set_strategy, change, caller.role)


# --- wallboxes and sessions ----------------------------------------------------------------


@router.get("/wallboxes", tags=["wallboxes"], summary="Wallboxes: configured and registered, with live state")
async def list_wallboxes(request: Request, _: CanMonitor) -> dict[str, Any]:
    return {"wallboxes": await _run(request, operations.wallboxes)}


@router.post("/wallboxes", tags=["wallboxes"], status_code=201, summary="Register a wallbox by its serial number")
async def register_wallbox(
    body: WallboxRegistration,  # type: ignore[valid-type]
    request: Request,
    caller: CanManageDevices,
) -> dict[str, Any]:
    return await _run(request, operations.register_wallbox, body.serial, body.address, caller.role)


@router.delete("/wallboxes/{address}", tags=["wallboxes"], status_code=204, summary="Remove a wallbox")
async def remove_wallbox(address: Address, request: Request, caller: CanManageDevices) -> None:
    await _run(request, operations.remove_wallbox, address, caller.role)


@router.post("/wallboxes/{address}/start", tags=["wallboxes"], summary="Start charging (vehicle plugged in)")
async def start_charging(address: Address, request: Request, caller: CanControlCharging) -> dict[str, Any]:
    return await _run(request, operations.start_charging, address, caller.role)


@router.post("/wallboxes/{address}/stop", tags=["wallboxes"], summary="Stop charging")
async def stop_charging(address: Address, request: Request, caller: CanControlCharging) -> dict[str, Any]:
    return await _run(request, operations.stop_charging, address, caller.role)


@router.put("/wallboxes/{address}/mode", tags=["wallboxes"], summary="Online, Offline (RFID) or Plug&Play")
async def set_wallbox_mode(
    address: Address, body: WallboxMode, request: Request, caller: CanManageDevices
) -> dict[str, Any]:
    return await _run(request, operations.set_wallbox_mode, address, body.mode, caller.role)


@router.get("/sessions", tags=["wallboxes"], summary="Charging sessions, newest first")
async def sessions(
    request: Request,
    _: CanMonitor,
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many")] = 50,
    before: Annotated[float | None, Query(description="only sessions started before (unix seconds)")] = None,
    wallbox: Annotated[int | None, Query(ge=1, le=31, description="only this wallbox")] = None,
) -> dict[str, Any]:
    return {"sessions": await _run(request, operations.sessions, limit, before, wallbox)}


# --- output logics -------------------------------------------------------------------------


def _logic(request: Request, body: Any) -> LogicConfig:
    """The logic as the config holds it, checked by the config's cross rules too (min below max)."""
    logic = LogicConfig(**body.model_dump())
    # the running config is valid: any problem found now is the new logic's
    problems = check_site(dataclasses.replace(context(request).runtime.config, logics=(logic,)))
    if problems:
        raise BadValue("; ".join(str(p).replace("logics[0].", "") for p in problems))
    return logic


@router.get("/logics", tags=["output logics"], summary="Output logics and whether each is enabled")
async def list_logics(request: Request, _: CanMonitor) -> dict[str, Any]:
    return {"logics": await _run(request, operations.list_logics)}


@router.post("/logics", tags=["output logics"], status_code=201, summary="Create an output logic")
async def create_logic(
    body: OutputLogic,  # type: ignore[valid-type]
    request: Request,
    caller: CanManageOutputLogics,
) -> dict[str, Any]:
    return await _run(request, operations.create_logic, _logic(request, body), caller.role)


@router.put("/logics/{name}", tags=["output logics"], summary="Replace an output logic")
async def update_logic(
    name: LogicName,
    body: OutputLogic,  # type: ignore[valid-type]
    request: Request,
    caller: CanManageOutputLogics,
) -> dict[str, Any]:
    return await _run(request, operations.update_logic, name, _logic(request, body), caller.role)


@router.delete("/logics/{name}", tags=["output logics"], status_code=204, summary="Delete an output logic")
async def delete_logic(name: LogicName, request: Request, caller: CanManageOutputLogics) -> None:
    await _run(request, operations.delete_logic, name, caller.role)


@router.put("/logics/{name}/enabled", tags=["output logics"], summary="Enable or disable an output logic")
async def enable_logic(
    name: LogicName, body: LogicEnabled, request: Request, caller: CanManageOutputLogics
) -> dict[str, Any]:
    return await _run(request, operations.enable_logic, name, body.enabled, caller.role)
