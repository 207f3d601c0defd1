"""The 3D digital twin: pages ``/3d`` and ``/publiek/3d``, the data the viewer streams,
plans' 3D attributes, and buildings through REST.

The viewer's JavaScript is bundled from npm packages at ``make install``
(``npm run build`` in ``src/openruimte/web``, esbuild) into ``web/bundle/``
(not in git) and served at ``/bundle``.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import orjson
import pyproj
import shapely
from fastapi import APIRouter, Body, FastAPI, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from openruimte.api import geo, params
from openruimte.api.cache import cached
from openruimte.api.deps import PrincipalDep, PublicViewDep, SettingsDep, StoreDep, ViewDep
from openruimte.api.errors import ApiError
from openruimte.api.routers.web import WEB, _page
from openruimte.model import STORAGE_CRS
from openruimte.services import twin

router = APIRouter(tags=["3d"])
BUNDLE = WEB / "bundle"

BBox = Annotated[str | None, Query(description="minx,miny,maxx,maxy in bbox-crs (default lon/lat WGS84).")]
BBoxCrs = Annotated[str | None, Query(alias="bbox-crs")]
Crs = Annotated[str | None, Query(description="Output CRS: EPSG:4326 (default) or EPSG:28992.")]
TILE_LIMIT = 100_000


def _json(data: Any) -> bytes:
    """Compact UTF-8 JSON (orjson: a tenth of ``json.dumps``' time for the 3D view's 10,000 plans)."""
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


# --------------------------------------------------------------------------- pages


@router.get("/3d", include_in_schema=False)
def twin_page(principal: PrincipalDep) -> Response:
    """The 3D view for the parties at the table (log in first); the public one is /publiek/3d."""
    if principal.anonymous:
        return RedirectResponse("/login?next=/3d", status_code=303)
    return _page("twin.html")


@router.get("/publiek/3d", include_in_schema=False)
def public_twin_page() -> FileResponse:
    return _page("twin.html")


# --------------------------------------------------------------------------- viewer data


@router.get("/api/twin/scene", summary="3D view: extent, origin, ground level (NAP), tiles")
def twin_scene(request: Request, view: ViewDep) -> Response:
    return cached(request, view, lambda: _json(twin.scene(view, public=False)))


@router.get("/api/public/twin/scene", summary="3D view of the public map: extent, origin, ground level, tiles")
def public_twin_scene(request: Request, view: PublicViewDep) -> Response:
    return cached(request, view, lambda: _json(twin.scene(view, public=True)))


@router.get("/api/twin/buildings/{tx}/{ty}", summary="Buildings of one tile of 500 m (compact JSON, heights NAP)")
def twin_buildings(request: Request, view: PublicViewDep, tx: int, ty: int) -> Response:
    """Buildings are reference data (3D BAG): the same for everyone."""
    _check_tile(tx, ty)
    return cached(request, view, lambda: _json(twin.building_tile(view.store, tx, ty)))


@router.get("/api/twin/plans", summary="Plans as 3D solids (volumes, trenches) as the caller may see them")
def twin_plans(request: Request, view: ViewDep, settings: SettingsDep) -> Response:
    return cached(request, view, lambda: _json(twin.plan_solids(view, public=False)))


@router.get("/api/public/twin/plans", summary="Published plans as 3D solids, with the fields residents see")
def public_twin_plans(request: Request, view: PublicViewDep, settings: SettingsDep) -> Response:
    return cached(
        request,
        view,
        lambda: _json(
            twin.plan_solids(
                view,
                public=True,
                min_phase=settings.public_min_phase,
                min_hardness=settings.public_min_hardness,
            )
        ),
    )


@router.get("/api/twin/pipes/{tx}/{ty}", summary="Cables and pipes of one tile at their depth, by network theme")
def twin_pipes(request: Request, view: ViewDep, tx: int, ty: int) -> Response:
    _check_tile(tx, ty)
    return cached(request, view, lambda: _json(twin.pipe_tile(view, tx, ty)))


def _check_tile(tx: int, ty: int) -> None:
    if not (-TILE_LIMIT < tx < TILE_LIMIT and -TILE_LIMIT < ty < TILE_LIMIT):
        raise ApiError(400, "invalid_tile", f"tile ({tx}, {ty}) is outside the RD grid")


@router.get("/api/twin/models", summary="BIM models (newest versions, georeferenced in RD) to place in 3D")
def twin_models(request: Request, view: ViewDep) -> Response:
    return cached(request, view, lambda: _json(twin.placed_models(view, public=False)))


@router.get("/api/public/twin/models", summary="BIM models of published plans to place in 3D")
def public_twin_models(request: Request, view: PublicViewDep, settings: SettingsDep) -> Response:
    return cached(
        request,
        view,
        lambda: _json(
            twin.placed_models(
                view, public=True, min_phase=settings.public_min_phase, min_hardness=settings.public_min_hardness
            )
        ),
    )


@router.get("/api/twin/models/{version_id}.glb", summary="A model version as glTF (GLB), converted from its IFC")
def twin_model_glb(view: ViewDep, version_id: int) -> FileResponse:
    return FileResponse(twin.model_glb(view, version_id, public=False), media_type="model/gltf-binary")


@router.get("/api/public/twin/models/{version_id}.glb", summary="A published plan's model version as GLB")
def public_twin_model_glb(view: PublicViewDep, settings: SettingsDep, version_id: int) -> FileResponse:
    glb = twin.model_glb(
        view, version_id, public=True, min_phase=settings.public_min_phase, min_hardness=settings.public_min_hardness
    )
    return FileResponse(glb, media_type="model/gltf-binary")


# --------------------------------------------------------------------------- plan volumes


@router.put("/api/plans/{owner}/{plan_id}/volume", summary="Set a plan's 3D attributes (height, storeys, depth, width)")
def put_volume(
    store: StoreDep,
    principal: PrincipalDep,
    owner: str,
    plan_id: str,
    body: Annotated[
        dict[str, Any], Body(examples=[{"height_m": 18.5}, {"storeys": 6}, {"depth_m": 1.2, "width_m": 0.8}])
    ],
) -> dict[str, Any]:
    """Editors and admins of the plan's owner; every change is in the audit log."""
    _writer(principal)
    volume = twin.PlanVolume.from_record(body, "body")
    return {"plan": f"{owner}:{plan_id}", "volume": twin.set_volume(store, principal, owner, plan_id, volume)}


@router.delete("/api/plans/{owner}/{plan_id}/volume", summary="Remove a plan's 3D attributes")
def delete_volume(store: StoreDep, principal: PrincipalDep, owner: str, plan_id: str) -> dict[str, Any]:
    _writer(principal)
    twin.set_volume(store, principal, owner, plan_id, None)
    return {"plan": f"{owner}:{plan_id}", "volume": None}


def _writer(principal: Any) -> None:
    if principal.anonymous:
        raise ApiError(401, "unauthenticated", "changing a plan needs a login or an API token")


# --------------------------------------------------------------------------- buildings (REST)


@router.get("/api/buildings", summary="Buildings (3D BAG) as GeoJSON; geometry=3d for the LoD 1.2 block in NAP")
def list_buildings(
    view: ViewDep,
    bbox: BBox = None,
    bbox_crs: BBoxCrs = None,
    crs: Crs = None,
    geometry: Annotated[
        str, Query(pattern="^(2d|3d)$", description="2d footprint (default) or 3d block (z = m NAP)")
    ] = "2d",
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    out_crs = params.parse_crs(crs)
    box = params.parse_bbox(bbox, params.parse_crs(bbox_crs, name="bbox-crs"))
    if box is None:
        raise ApiError(400, "bbox_required", "buildings are many: pass a bbox (minx,miny,maxx,maxy)")
    found = view.store.buildings(bbox=box)
    page = found[offset : offset + limit]
    return geo.respond(
        geo.collection(
            _building_features(page, out_crs, geometry),
            numberMatched=len(found),
            numberReturned=len(page),
            heights="NAP",
        )
    )


@router.get("/api/buildings/{building_id}", summary="One building; geometry=3d for its LoD 1.2 block")
def get_building(
    view: ViewDep,
    building_id: str,
    crs: Crs = None,
    geometry: Annotated[str, Query(pattern="^(2d|3d)$")] = "2d",
) -> dict[str, Any]:
    found = twin.building_by_id(view.store, building_id)
    if found is None:
        raise ApiError(404, "not_found", f"no building '{building_id}'")
    return geo.respond(_building_features([found], params.parse_crs(crs), geometry)[0])


def _building_features(items: list[Any], crs: str, geometry: str) -> list[dict[str, Any]]:
    recs = []
    for b in items:
        rec = b.to_record() if hasattr(b, "to_record") else {}
        rec.pop("geometry", None)
        rec["height_m"] = b.height_m
        recs.append(rec)
    ids = [b.id for b in items]
    if geometry == "2d":
        return geo.features(recs, [b.geometry for b in items], ids, crs)
    blocks = [twin.building_surfaces_z(b) for b in items]
    if crs != STORAGE_CRS:  # x, y to lon/lat; z stays metres NAP
        to = pyproj.Transformer.from_crs(STORAGE_CRS, crs, always_xy=True)

        def fn(c: np.ndarray) -> np.ndarray:
            x, y = to.transform(c[:, 0], c[:, 1])
            return np.column_stack([np.round(x, 9), np.round(y, 9), c[:, 2]])

        blocks = [shapely.transform(g, fn, include_z=True) for g in blocks]
    return geo.features(recs, blocks, ids, STORAGE_CRS)


def mount(app: FastAPI) -> None:
    """Serve the viewer's bundle (built at ``make install``)."""
    BUNDLE.mkdir(parents=True, exist_ok=True)
    app.mount("/bundle", StaticFiles(directory=BUNDLE), name="bundle")
