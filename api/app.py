"""The FastAPI application: routers under /api, uniform errors, the edge layer, the
OpenAPI page at /docs (served from the box itself: no CDN), the web page at /."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from connext.core import metrics as core_metrics

from . import errors, routes_accounts, routes_auth, routes_control, routes_site
from .accounts import RIGHTS, Right, Role
from .context import ApiContext
from .edge import Edge

WEB = Path(__file__).parent / "web"
PREFIX = "/api"
ROUTERS = (
    routes_auth.router,
    routes_accounts.accounts,
    routes_accounts.cards,
    routes_site.router,
    routes_control.router,
)
PUBLIC = routes_auth.PUBLIC | routes_site.PUBLIC  # (method, path) served without a login
DESCRIPTION = """The local API of the connext box. Log in (`POST /api/auth/login`), then send
`Authorization: Bearer <token>`. Every request is checked against the role table (SPEC §6);
a refusal is 403 and names the missing right. Errors are JSON: `{"status", "error", "problems"}`.
Grid power: + = export, - = import. A part that is down or not part of this site answers 503, one that does
not answer in time 504."""


def build_app(ctx: ApiContext) -> FastAPI:
    app = FastAPIOffline(
        title="connext",
        version=core_metrics.version(),
        description=DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        static_url="/docs-static",
        favicon_url="/web/favicon.svg",
    )
    app.state.ctx = ctx
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router, prefix=PREFIX)
    app.mount("/web", StaticFiles(directory=WEB), name="web")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(WEB / "index.html")

    app.add_middleware(Edge, max_body_bytes=ctx.settings.max_body_bytes)
    _document_rights(app)
    return app


def _document_rights(app: FastAPI) -> None:
    """Each operation's description in /docs ends with the right it needs."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for route in route_rights():
                operation = schema["paths"][route.path][route.method.lower()]
                operation["description"] = f"{operation.get('description', '')}\n\n{_needs(route)}".strip()
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def _needs(route: RouteRight) -> str:
    if not route.authenticated:
        return "No login needed."
    if route.right is None:
        return "Any logged-in account."
    text, roles = RIGHTS[route.right]
    return f"Needs the right *{text}*: {', '.join(r.value for r in roles_in_order(roles))}."


def roles_in_order(roles: frozenset[Role]) -> list[Role]:
    return [r for r in Role if r in roles]


@dataclass(frozen=True, slots=True)
class RouteRight:
    """What a route checks: nothing (public), a login (right None), or a right of the table."""

    method: str
    path: str
    authenticated: bool
    right: Right | None


def route_rights() -> Iterator[RouteRight]:
    """Every API route with the check it declares (read by the tests and the docs)."""
    for router in ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            checks = [d.call for d in route.dependant.dependencies if hasattr(d.call, "right")]
            right = checks[0].right if checks else None  # type: ignore[attr-defined]
            for method in sorted(route.methods):
                yield RouteRight(method, PREFIX + route.path, bool(checks), right)
