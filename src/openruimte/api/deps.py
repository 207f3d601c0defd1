"""Shared dependencies as named ``Annotated`` aliases.

Routers read through :data:`ViewDep` (the store as the caller may see it,
store/permissions.py) and write as :data:`PrincipalDep`; only the accounts
module touches the raw store for authentication."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from openruimte.model.access import ANONYMOUS, Principal
from openruimte.settings import Settings
from openruimte.store import Store
from openruimte.store.permissions import View


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


#: declares the bearer scheme in the OpenAPI document (Swagger's "Authorize"); api/auth.py checks the header
_bearer = HTTPBearer(auto_error=False, description="An API token from `openruimte token create`.")


def get_principal(
    request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None
) -> Principal:
    from openruimte.api.auth import authenticate

    return authenticate(request)


def get_view(request: Request, principal: Annotated[Principal, Depends(get_principal)]) -> View:
    return View(request.app.state.store, principal)


def get_public_view(request: Request) -> View:
    """What anyone may see without logging in (the public map)."""
    return View(request.app.state.store, ANONYMOUS)


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
ViewDep = Annotated[View, Depends(get_view)]
PublicViewDep = Annotated[View, Depends(get_public_view)]
