"""Residents' reactions on published plans (participation, #16): placing, reporting, moderating,
the resident's own export and deletion, and the counts per plan for the programming map.
The rules are in services/participation.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse

from openruimte.api.deps import PrincipalDep, SettingsDep, StoreDep, ViewDep
from openruimte.services import participation
from openruimte.services.participation import Rules
from openruimte.settings import Settings

router = APIRouter(tags=["participation"])


def rules(settings: Settings) -> Rules:
    return Rules(
        retention_days=settings.reaction_retention_days,
        report_threshold=settings.reaction_report_threshold,
        rate_per_hour=settings.reaction_rate_per_hour,
        min_phase=settings.public_min_phase,
        min_hardness=settings.public_min_hardness,
    )


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.get("/api/public/plans/{owner}/{plan_id}/reactions", summary="Approved reactions on a published plan")
def public_reactions(store: StoreDep, settings: SettingsDep, owner: str, plan_id: str) -> dict[str, Any]:
    return {
        "plan": f"{owner}:{plan_id}",
        "reactions": participation.public_list(store, owner, plan_id, rules(settings)),
        "settings": {"retention_days": settings.reaction_retention_days},
    }


@router.post(
    "/api/public/plans/{owner}/{plan_id}/reactions",
    status_code=201,
    summary="Place a reaction on a published plan (shown after approval)",
)
def place_reaction(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    owner: str,
    plan_id: str,
    body: Annotated[
        dict[str, Any],
        Body(
            examples=[
                {"text": "Graag een boom terug op de hoek.", "x": 155010.0, "y": 463020.0, "email": None, "website": ""}
            ]
        ),
    ],
) -> dict[str, Any]:
    """``text`` (1-2,000 characters), ``x``/``y`` (RD New) near the plan, optional ``email``; ``website``
    is a honeypot and must stay empty. The answer's ``receipt`` lets the resident read or delete the reaction."""
    return participation.create(store, owner, plan_id, body, _ip(request), rules(settings))


@router.post("/api/public/reactions/{reaction_id}/report", summary="Report an approved reaction")
def report_reaction(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    reaction_id: int,
    body: Annotated[dict[str, Any] | None, Body()] = None,
) -> dict[str, Any]:
    reason = str((body or {}).get("reason") or "")
    return participation.report(store, reaction_id, reason, _ip(request), rules(settings))


@router.get("/api/public/reactions/receipt/{receipt}", summary="A resident's own reaction and the data kept (export)")
def my_reaction(store: StoreDep, receipt: str) -> dict[str, Any]:
    return participation.receipt(store, receipt)


@router.delete("/api/public/reactions/receipt/{receipt}", summary="Delete one's own reaction")
def delete_my_reaction(store: StoreDep, receipt: str) -> dict[str, Any]:
    return participation.delete_by_receipt(store, receipt)


@router.get("/api/reactions", summary="Reactions to moderate: on the own organisation's plans (coordinator: all)")
def moderation(
    view: ViewDep, status: Annotated[str | None, Query(pattern="^(pending|approved|rejected|hidden)$")] = None
) -> dict[str, Any]:
    return {"reactions": participation.moderation_list(view, status)}


@router.get("/api/reactions/counts", summary="Reactions per plan and status (plans the caller sees)")
def reaction_counts(view: ViewDep) -> dict[str, Any]:
    return {"counts": participation.counts(view)}


@router.post("/api/reactions/{reaction_id}/{decision}", summary="Approve or reject a reaction")
def review_reaction(store: StoreDep, principal: PrincipalDep, reaction_id: int, decision: str) -> JSONResponse:
    if principal.anonymous:
        return JSONResponse(
            {"error": {"status": 401, "code": "unauthenticated", "message": "log in to moderate", "details": []}},
            status_code=401,
        )
    return JSONResponse(participation.review(store, principal, reaction_id, decision))
