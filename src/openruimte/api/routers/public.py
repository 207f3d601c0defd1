"""The public map's data: only ``public`` plans at or past the configured phase
and hardness, and only the fields meant for residents."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from openruimte.api import geo
from openruimte.api.deps import PublicViewDep, SettingsDep
from openruimte.model import Plan, Visibility
from openruimte.model.access import UNDISCLOSED, UNDISCLOSED_NAME
from openruimte.settings import Settings

router = APIRouter(prefix="/api/public", tags=["public"])

PUBLIC_FIELDS = ("name", "owner", "phase", "hardness", "asset_types", "themes", "start", "end", "area")


def is_published(plan: Plan, settings: Settings) -> bool:
    return (
        plan.visibility is Visibility.PUBLIC
        and plan.phase.rank >= settings.public_min_phase.rank
        and plan.hardness.rank >= settings.public_min_hardness.rank
    )


@router.get("/plans", summary="Published plans (public, phase and hardness at or past the threshold)")
def public_plans(view: PublicViewDep, settings: SettingsDep) -> dict[str, Any]:
    """Read as an anonymous visitor, whoever asks: the public map shows what residents see."""
    plans = [p for p in view.plans() if is_published(p, settings)]
    names = {o.code: o.name for o in view.organisations()} | {UNDISCLOSED: UNDISCLOSED_NAME}
    recs = []
    for p in plans:
        rec = {k: getattr(p, k) for k in PUBLIC_FIELDS}
        rec["organisation"] = names.get(p.owner, p.owner)
        rec["key"] = p.key
        recs.append(rec)
    threshold = {"min_phase": str(settings.public_min_phase), "min_hardness": str(settings.public_min_hardness)}
    return geo.respond(
        geo.collection(geo.features(recs, [p.geometry for p in plans], [p.key for p in plans]), threshold=threshold)
    )
