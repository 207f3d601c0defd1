"""Change notifications of one organisation: a feed with ``since``/``limit`` paging.

Which organisation asks comes from :func:`current_org`: the authenticated principal's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from pydantic import Field

from openruimte.api.deps import PrincipalDep, StoreDep
from openruimte.api.errors import ApiError
from openruimte.model.access import Role
from openruimte.store.notifications import MAX_PAGE, mark_read, notifications

router = APIRouter(prefix="/api/notifications", tags=["notifications"])


def current_org(principal: PrincipalDep) -> str:
    """The organisation of the authenticated caller (token or login); anonymous callers get 401."""
    if principal.org is None:
        raise ApiError(
            401,
            "unauthenticated",
            "notifications are per organisation: send a token (Authorization: Bearer TOKEN) or log in",
            headers={"WWW-Authenticate": 'Bearer realm="openruimte"'},
        )
    return principal.org


OrgDep = Annotated[str, Depends(current_org)]


@router.get("", summary="Notifications of an organisation, oldest first, after the id `since`")
def list_notifications(
    store: StoreDep,
    org: OrgDep,
    principal: PrincipalDep,
    since: Annotated[int, Query(ge=0, le=2**62, description="Only notifications with a larger id.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> dict[str, Any]:
    items = notifications(store, org, since=since, limit=limit, admin=principal.role == Role.ADMIN)
    return {
        "org": org,
        "notifications": items,
        "next": items[-1]["id"] if items else since,
        "numberReturned": len(items),
    }


@router.post("/read", summary="Mark notifications of the organisation read")
def read_notifications(
    store: StoreDep,
    org: OrgDep,
    ids: Annotated[list[Annotated[int, Field(ge=1, le=2**62)]], Body(embed=True, max_length=MAX_PAGE)],
) -> dict[str, Any]:
    return {"marked": mark_read(store, org, list(ids))}
