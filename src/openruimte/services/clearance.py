"""Clearance of a design from the cables, pipes, trees and other plans around it (use case).

Reads once through the caller's :class:`~openruimte.store.permissions.View` (so a private plan,
a private KLIC delivery or a sensitive plan's details never reach someone who may not see them,
exactly as the assets and plans endpoints show them), builds the design (a plan's trench or
volume with :func:`openruimte.twin.volumes.solid_of`, a BIM model version's footprint, or the
features of a GeoJSON file) and runs :func:`openruimte.rules.clearance.check`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from openruimte.model import InputError, Plan, RowError
from openruimte.model.errors import OpenRuimteError
from openruimte.rules import clearance as core
from openruimte.rules.clearance import Design, DistanceTable, Underground
from openruimte.store import PlanFilter
from openruimte.store.permissions import View
from openruimte.twin.volumes import DEFAULT_TRENCH_DEPTH_M, TRENCH_DEPTH_M, PlanVolume, solid_of


class NotFound(OpenRuimteError):
    code = "not_found"
    status = 404


#: asset types read as objects (cables, pipes and trees)
OBJECT_TYPES = (*core.ASSET_CLASSES, "bomen")


def table(distances: str | Path | None = None, settings: Any = None) -> DistanceTable:
    """The distance table: the package default, the setting's file over it, then ``distances`` over that."""
    if settings is None:
        from openruimte.settings import Settings

        settings = Settings()
    return core.load_table(settings.clearance_distances, distances)


# --------------------------------------------------------------------------- designs


def _network_of_plan(plan: Plan, t: DistanceTable) -> str | None:
    classes = [core.ASSET_CLASSES[a] for a in plan.asset_types if a in core.ASSET_CLASSES]
    if not classes:
        return None
    return max(classes, key=lambda c: t.networks[c].horizontal_m)


def plan_design(plan: Plan, volume: PlanVolume | None, t: DistanceTable) -> Design | None:
    """A plan as a design: a trench (from its depth and width, or the typical ones of its asset types)
    or a building (a polygon with a planned height); None for a plan that does not dig or build."""
    solid = solid_of(plan, volume)
    network = _network_of_plan(plan, t)
    if solid["kind"] == "volume":
        return Design(
            key=plan.key,
            label=plan.name,
            kind="building",
            footprint=solid["footprint"],
            bottom_m=t.foundation_depth_m,
            depth_source=f"foundation depth of the table ({t.foundation_depth_m:g} m; the plan states none)",
            network=network,
        )
    if solid["kind"] == "trench" or (solid["kind"] == "slab" and plan.excavation):
        if solid["kind"] == "trench":
            depth = -float(solid["bottom"])
        else:
            typical = [TRENCH_DEPTH_M[a] for a in plan.asset_types if a in TRENCH_DEPTH_M]
            depth = max(typical) if typical else DEFAULT_TRENCH_DEPTH_M
        given = volume is not None and volume.depth_m is not None
        source = (
            f"the plan's depth_m ({depth:g} m)"
            if given
            else f"typical trench depth of its asset types ({depth:g} m, twin/volumes.TRENCH_DEPTH_M): estimated"
        )
        if solid["kind"] == "trench" and not (volume is not None and volume.width_m is not None):
            source += f"; width {solid.get('width_m', 0):g} m typical of its asset types"
        return Design(plan.key, plan.name, "trench", solid["footprint"], depth, source, network)
    return None


def design_of_plan(view: View, key: str, t: DistanceTable) -> tuple[Plan, Design]:
    owner, plan_id = _split(key)
    found = view.plan_row(owner, plan_id)
    if found is None:
        raise NotFound(f"plan {key} bestaat niet (of u mag het niet zien) / not found (or not visible to you)")
    plan = found[0]
    design = plan_design(plan, _volumes(view, [plan]).get(plan.key), t)
    if design is None:
        raise InputError(
            f"plan {key} graaft niet en heeft geen hoogte / does not dig and has no height: set excavation, or give "
            "depth_m/width_m or height_m/storeys (PUT /api/plans/{owner}/{id}/volume or openruimte import volumes)",
            key,
        )
    return plan, design


def design_of_model(view: View, ref: str, t: DistanceTable) -> Design:
    """A registered BIM model version as a building: its footprint, its lowest point below its reference level."""
    from openruimte.services import bim

    try:
        row = bim.resolve_version(view.store, view.principal, ref)
    except bim.NotFound:
        raise NotFound(f"modelversie {ref} niet gevonden / model version not found") from None
    footprint = row.get("geometry")
    if footprint is None or footprint.is_empty:
        raise InputError(f"model {ref} heeft geen voetafdruk / has no footprint (is it georeferenced?)", ref)
    g = row.get("georef") or {}
    peil = float(g.get("orthogonal_height") or 0.0)
    bottom = row.get("bottom_m")
    if bottom is not None and peil - float(bottom) > 0.01:
        depth = peil - float(bottom)
        source = f"the model's lowest point, {depth:.2f} m below its reference level (OrthogonalHeight {peil:g} m)"
    else:
        depth = t.foundation_depth_m
        source = f"foundation depth of the table ({depth:g} m; the model has nothing below its reference level)"
    label = f"{row['owner']}:{row['plan_id']}/{row['label']}@{row['version']}"
    return Design(f"model#{row['pk']}", label, "building", footprint, depth, source)


def designs_of_geojson(path: str | Path, t: DistanceTable) -> list[Design]:
    """Designs from a GeoJSON file (WGS84, or RD New with the legacy ``crs`` member). Properties per
    feature: ``kind`` (``trench`` | ``building``; lines are trenches), ``depth_m`` (trench bottom or
    foundation depth), ``width_m`` (a line trench), ``network`` (an asset type or network class,
    for the pair rules), ``id`` and ``name``. All features or none: errors name the feature and field."""
    from openruimte.io import json_format
    from openruimte.io.crs import bounds_message, transform_geometries

    path = Path(path)
    raw = json_format.read_table(path, crs="EPSG:4326")
    errors = list(raw.errors)
    out: list[Design] = []
    geoms = transform_geometries([r.geometry for r in raw.rows], raw.crs) if raw.rows else []
    for row, geom in zip(raw.rows, geoms, strict=True):
        v = row.values
        where = {"source": path.name, "row": row.number, "row_label": "feature"}
        if row.geometry is None:
            errors.append(RowError(message=row.geometry_error or "no geometry", field="geometry", **where))
            continue
        problem = bounds_message(row.geometry, raw.crs)
        if problem:
            errors.append(RowError(message=problem, field="geometry", **where))
            continue
        line = geom.geom_type in ("LineString", "MultiLineString", "Point", "MultiPoint")
        kind = str(v.get("kind") or ("trench" if line else "building"))
        if kind not in ("trench", "building"):
            errors.append(RowError(message=f"kind {kind!r}: expected trench or building", field="kind", **where))
            continue
        numbers = {}
        for name in ("depth_m", "width_m"):
            raw_value = v.get(name)
            if raw_value in (None, ""):
                continue
            try:
                numbers[name] = float(raw_value)
                if not 0 <= numbers[name] <= 60:
                    raise ValueError
            except (TypeError, ValueError):
                errors.append(RowError(message=f"expected metres 0..60, got {raw_value!r}", field=name, **where))
        network = v.get("network")
        if network is not None and network not in core.NETWORK_CLASSES:
            if network in core.ASSET_CLASSES:
                network = core.ASSET_CLASSES[network]
            else:
                errors.append(
                    RowError(
                        message=f"network {network!r}: expected an asset type or a network class "
                        f"({', '.join(core.NETWORK_CLASSES)})",
                        field="network",
                        **where,
                    )  # fmt: skip
                )
                continue
        key = str(v.get("id") or f"{path.stem}#{row.number}")
        label = str(v.get("name") or key)
        if kind == "trench":
            width = numbers.get("width_m", 0.8)
            footprint = geom if not line else shapely.buffer(geom, width / 2.0, cap_style="flat")
            depth = numbers.get("depth_m")
            source = (
                "the feature's depth_m" if depth is not None else f"default trench depth {DEFAULT_TRENCH_DEPTH_M:g} m"
            )
            out.append(Design(key, label, "trench", footprint, depth or DEFAULT_TRENCH_DEPTH_M, source, network))
        else:
            depth = numbers.get("depth_m")
            source = "the feature's depth_m" if depth is not None else "foundation depth of the table"
            out.append(Design(key, label, "building", geom, t.foundation_depth_m if depth is None else depth, source))
    if errors:
        raise InputError(errors, path.name)
    return out


# --------------------------------------------------------------------------- objects


def objects_near(view: View, designs: list[Design], t: DistanceTable, *, plans: bool = True) -> list[Underground]:
    """The cables, pipes and trees the principal may see within reach of the designs, and (``plans``)
    the other visible plans that dig there, as clearance objects."""
    reach = 50.0
    box = shapely.total_bounds([d.footprint for d in designs])
    bbox = (box[0] - reach, box[1] - reach, box[2] + reach, box[3] + reach)
    out: list[Underground] = []
    for asset in view.assets(bbox=bbox, asset_types=list(OBJECT_TYPES)):
        obj = core.underground_of_asset(
            key=asset.key,
            asset_type=asset.asset_type,
            geometry=asset.geometry,
            table=t,
            depth_m=asset.depth_m,
            diameter_mm=asset.diameter_mm,
            attributes=asset.attributes,
            owner=asset.owner,
            label=asset.name or None,
        )
        if obj is not None:
            out.append(obj)
    if plans:
        mine = {d.key for d in designs}
        others = [p for p in view.plans(PlanFilter(bbox=bbox)) if p.key not in mine]
        volumes = _volumes(view, others)
        for plan in others:
            design = plan_design(plan, volumes.get(plan.key), t)
            if design is None or design.kind != "trench" or design.network is None:
                continue
            out.append(
                Underground(
                    key=plan.key,
                    kind="plan",
                    label=plan.name,
                    network=design.network,
                    geometry=design.footprint,
                    top_m=0.0,
                    bottom_m=design.bottom_m,
                    owner=plan.owner,
                    asset_type=",".join(plan.asset_types),
                    sources={
                        "network": f"the plan's asset types ({', '.join(plan.asset_types)})",
                        "depth": design.depth_source,
                        "period": f"{plan.start or '?'} .. {plan.end or '?'} (phase {plan.phase})",
                    },
                )
            )
    return out


def _volumes(view: View, plans: list[Plan]) -> dict[str, PlanVolume]:
    from openruimte.services.twin import _volumes as read

    return {f"{o}:{i}": v for (o, i), v in read(view.store, plans).items()}


def _split(key: str) -> tuple[str, str]:
    if ":" not in key:
        raise InputError(f"expected a plan as OWNER:ID, got {key!r}", "plan")
    owner, plan_id = key.split(":", 1)
    return owner, plan_id


# --------------------------------------------------------------------------- the use case


def run(
    view: View,
    *,
    plan: str | None = None,
    model: str | None = None,
    geojson: str | Path | None = None,
    distances: str | Path | dict[str, Any] | None = None,
    settings: Any = None,
    plans: bool = True,
) -> dict[str, Any]:
    """Check one design (exactly one of ``plan``, ``model``, ``geojson``); the report as a dict with
    ``results`` (each with its ``geometry``, shapely, EPSG:28992) and ``summary``."""
    given = [x for x in (plan, model, geojson) if x is not None]
    if len(given) != 1:
        raise InputError("give exactly one design: a plan (OWNER:ID), a model version or a GeoJSON file", "design")
    t = table(distances, settings)
    if plan is not None:
        designs = [design_of_plan(view, plan, t)[1]]
    elif model is not None:
        designs = [design_of_model(view, model, t)]
    else:
        designs = designs_of_geojson(geojson, t)  # type: ignore[arg-type]
    objects = objects_near(view, designs, t, plans=plans)
    results = core.check(designs, objects, t)
    by_key = {d.key: d for d in designs}
    rows = []
    for r in results:
        rec = r.to_json()
        rec["geometry"] = _drawn(r, by_key[r.design])
        rows.append(rec)
    return {
        "designs": [
            {
                "key": d.key,
                "label": d.label,
                "kind": d.kind,
                "depth_m": round(d.bottom_m, 3),
                "depth_source": d.depth_source,
                "network": d.network,
                "geometry": d.footprint,
            }
            for d in designs
        ],  # fmt: skip
        "distances": t.origin,
        "objects": len(objects),
        "results": rows,
        "summary": core.summary(results),
        "passed": all(r.passed for r in results),
    }


def _drawn(r: core.Result, design: Design) -> BaseGeometry:
    """What the map draws: the line between the design and the object at their nearest points, or,
    where they touch, the object's stretch within the required distance of the design."""
    if r.line.length > 0.01:
        return r.line
    zone = shapely.buffer(design.footprint, max(r.required_horizontal_m, 0.05))
    stretch = shapely.intersection(r.other.geometry, zone)
    return stretch if not stretch.is_empty else r.line


def as_geojson(report: dict[str, Any], crs: str = "EPSG:4326") -> dict[str, Any]:
    """The report as a FeatureCollection: one feature per design (role ``design``) and per result
    (role ``conflict`` or ``clear``), in WGS84 or RD New."""
    from openruimte.io.crs import to_wgs84

    geoms = [d["geometry"] for d in report["designs"]] + [r["geometry"] for r in report["results"]]
    if crs != "EPSG:28992":
        geoms = to_wgs84(geoms)
    feats = []
    for d, g in zip(report["designs"], geoms, strict=False):
        props = {k: v for k, v in d.items() if k != "geometry"}
        feats.append({"type": "Feature", "geometry": mapping(g), "properties": {"role": "design", **props}})
    for r, g in zip(report["results"], geoms[len(report["designs"]) :], strict=True):
        props = {k: v for k, v in r.items() if k != "geometry"}
        role = "clear" if r["passed"] else "conflict"
        feats.append({"type": "Feature", "geometry": mapping(g), "properties": {"role": role, **props}})
    out: dict[str, Any] = {"type": "FeatureCollection", "features": feats, "summary": report["summary"]}
    if crs == "EPSG:28992":
        out["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}
    return out


def as_json(report: dict[str, Any]) -> dict[str, Any]:
    """The report for ``--json``: geometries as GeoJSON in RD New."""
    return {
        **report,
        "crs": "EPSG:28992",
        "designs": [{**d, "geometry": mapping(d["geometry"])} for d in report["designs"]],
        "results": [{**r, "geometry": mapping(r["geometry"])} for r in report["results"]],
    }
