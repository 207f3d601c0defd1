"""Sun and shadow of a design and the buildings around it (use case).

The design is a plan's volume (footprint plus planned height or storeys, read through the
caller's view: a plan the caller may not see is "not found"), a registered BIM model version
(footprint, highest point above its reference level) or the features of a GeoJSON file with a
``height_m``. The surrounding buildings are the store's 3D city model (table ``buildings``, from
CityJSON / 3D BAG: roof height minus ground height), reference data open to everyone. The pure
work is :mod:`openruimte.rules.shadow`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping

from openruimte.model import InputError, RowError
from openruimte.rules import shadow as core
from openruimte.rules.shadow import SunPoint, Volume
from openruimte.services.clearance import NotFound, _split, _volumes
from openruimte.store.permissions import View
from openruimte.twin.volumes import solid_of

#: buildings within this distance of the design are drawn (and block the sun)
SURROUNDINGS_M = 250.0
#: sun hours a point needs to pass the common test (e.g. 2 hours on 19 February or 21 March)
DEFAULT_REQUIRED_HOURS = 2.0


# --------------------------------------------------------------------------- volumes


def volume_of_plan(view: View, key: str) -> Volume:
    owner, plan_id = _split(key)
    found = view.plan_row(owner, plan_id)
    if found is None:
        raise NotFound(f"plan {key} bestaat niet (of u mag het niet zien) / not found (or not visible to you)")
    plan = found[0]
    solid = solid_of(plan, _volumes(view, [plan]).get(plan.key))
    if solid["kind"] != "volume":
        raise InputError(
            f"plan {key} heeft geen hoogte / has no planned height: give height_m or storeys "
            "(PUT /api/plans/{owner}/{id}/volume or openruimte import volumes)",
            key,
        )
    return Volume(plan.key, solid["footprint"], float(solid["top"]), plan.name, "the plan's planned height")


def volume_of_model(view: View, ref: str) -> Volume:
    from openruimte.services import bim

    try:
        row = bim.resolve_version(view.store, view.principal, ref)
    except bim.NotFound:
        raise NotFound(f"modelversie {ref} niet gevonden / model version not found") from None
    footprint = row.get("geometry")
    if footprint is None or footprint.is_empty or row.get("top_m") is None:
        raise InputError(f"model {ref} heeft geen voetafdruk of hoogte / has no footprint or height", ref)
    g = row.get("georef") or {}
    peil = float(g.get("orthogonal_height") or 0.0)
    height = float(row["top_m"]) - peil
    label = f"{row['owner']}:{row['plan_id']}/{row['label']}@{row['version']}"
    return Volume(f"model#{row['pk']}", footprint, height, label, "the model's highest point above its reference level")


def volumes_of_geojson(path: str | Path) -> list[Volume]:
    """Volumes from polygon features with ``height_m`` (WGS84, or RD New with the legacy ``crs`` member)."""
    rows, crs_geoms, name = _read(path)
    out, errors = [], []
    for row, geom in zip(rows, crs_geoms, strict=True):
        where = {"source": name, "row": row.number, "row_label": "feature"}
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            errors.append(RowError(message=f"expected a polygon, got {geom.geom_type}", field="geometry", **where))
            continue
        h = _metres(row.values.get("height_m"), 0.0, 300.0)
        if h is None:
            errors.append(
                RowError(
                    message=f"expected height_m in metres 0..300, got {row.values.get('height_m')!r}",
                    field="height_m",
                    **where,
                )  # fmt: skip
            )
            continue
        key = str(row.values.get("id") or f"{Path(path).stem}#{row.number}")
        out.append(Volume(key, geom, h, str(row.values.get("name") or key), "the feature's height_m"))
    if errors:
        raise InputError(errors, name)
    return out


def points_of_geojson(path: str | Path) -> list[SunPoint]:
    """Points from point features; optional ``height_m`` (above the ground) and ``normal_deg`` (a facade's
    outward direction, degrees clockwise from north: the sun must be in front of it)."""
    rows, geoms, name = _read(path)
    out, errors = [], []
    for row, geom in zip(rows, geoms, strict=True):
        where = {"source": name, "row": row.number, "row_label": "feature"}
        if geom.geom_type != "Point":
            errors.append(RowError(message=f"expected a point, got {geom.geom_type}", field="geometry", **where))
            continue
        v = row.values
        h = _metres(v.get("height_m", 0.0) if v.get("height_m") not in (None, "") else 0.0, 0.0, 300.0)
        normal = v.get("normal_deg")
        n = _metres(normal, 0.0, 360.0) if normal not in (None, "") else None
        if h is None or (normal not in (None, "") and n is None):
            bad = "height_m" if h is None else "normal_deg"
            errors.append(RowError(message=f"{bad}: expected a number, got {v.get(bad)!r}", field=bad, **where))
            continue
        key = str(v.get("id") or f"{Path(path).stem}#{row.number}")
        out.append(SunPoint(key, geom.x, geom.y, h, n))
    if errors:
        raise InputError(errors, name)
    if not out:
        raise InputError("no points in the file", name)
    return out


def points_of_collection(doc: Any, crs: str = "EPSG:4326") -> list[SunPoint]:
    """Points from a GeoJSON FeatureCollection given as an object (an API body), in ``crs``."""
    import json
    import tempfile

    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise InputError("points: expected a GeoJSON FeatureCollection of points", "points")
    if crs != "EPSG:4326":
        doc = {**doc, "crs": {"type": "name", "properties": {"name": crs}}}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "points.geojson"
        path.write_text(json.dumps(doc), encoding="utf-8")
        return points_of_geojson(path)


def _read(path: str | Path) -> tuple[list[Any], list[Any], str]:
    from openruimte.io import json_format
    from openruimte.io.crs import bounds_message, transform_geometries

    path = Path(path)
    raw = json_format.read_table(path, crs="EPSG:4326")
    errors = list(raw.errors)
    for row in raw.rows:
        if row.geometry is None:
            errors.append(
                RowError(path.name, row.geometry_error or "no geometry", row.number, "geometry", None, "feature")
            )
        elif problem := bounds_message(row.geometry, raw.crs):
            errors.append(RowError(path.name, problem, row.number, "geometry", None, "feature"))
    if errors:
        raise InputError(errors, path.name)
    return raw.rows, transform_geometries([r.geometry for r in raw.rows], raw.crs), path.name


def _metres(value: Any, low: float, high: float) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if low <= out <= high else None


def design_volumes(
    view: View, *, plan: str | None = None, model: str | None = None, geojson: str | Path | None = None
) -> list[Volume]:
    given = [x for x in (plan, model, geojson) if x is not None]
    if len(given) > 1:
        raise InputError("give one design: a plan (OWNER:ID), a model version or a GeoJSON file", "design")
    if plan is not None:
        return [volume_of_plan(view, plan)]
    if model is not None:
        return [volume_of_model(view, model)]
    if geojson is not None:
        return volumes_of_geojson(geojson)
    return []


def building_volumes(
    view: View, bbox: tuple[float, float, float, float], skip: set[str] | None = None
) -> tuple[list[Volume], int]:
    """The store's buildings in ``bbox`` as volumes, and how many had no height (left out)."""
    out, missing = [], 0
    for b in view.store.buildings(bbox=bbox):
        if skip and b.id in skip:
            continue
        h = b.height_m
        if h is None or h <= 0:
            missing += 1
            continue
        out.append(Volume(b.id, b.geometry, float(h), b.bag_id or b.id, f"3D city model ({b.source}): roof - ground"))
    return out, missing


def _around(geoms: list[Any], margin: float) -> tuple[float, float, float, float]:
    box = shapely.total_bounds(geoms)
    return (box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin)


# --------------------------------------------------------------------------- shadow


def shadow(
    view: View,
    at: str | dt.datetime,
    *,
    plan: str | None = None,
    model: str | None = None,
    geojson: str | Path | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    buildings: bool = True,
    surroundings_m: float = SURROUNDINGS_M,
) -> dict[str, Any]:
    """The shadows at ``at`` (local time, Europe/Amsterdam unless it carries an offset) of the design and
    of the buildings around it (or in ``bbox`` when no design is given)."""
    when = core.local_time(at)
    designs = design_volumes(view, plan=plan, model=model, geojson=geojson)
    if not designs and bbox is None:
        raise InputError("give a design (plan, model or GeoJSON) or a bbox to draw the buildings' shadows in", "design")
    area = _around([v.footprint for v in designs], surroundings_m) if designs else bbox
    assert area is not None  # noqa: S101 - one of the two is given (checked above)
    cx, cy = (area[0] + area[2]) / 2, (area[1] + area[3]) / 2
    lat, lon = core.rd_to_wgs84(cx, cy)
    convergence = core.grid_convergence(cx, cy)
    sun = core.solar_position(when, lat, lon)
    grid_az = sun.azimuth_deg - convergence
    around, missing = building_volumes(view, area) if buildings else ([], 0)
    items = [(v, "design") for v in designs] + [(v, "building") for v in around]
    polys = core.shadows([v for v, _ in items], grid_az, sun.elevation_deg)
    features = []
    for (v, role), poly in zip(items, polys, strict=True):
        if poly.is_empty:
            continue
        vec = core.shadow_vector(v.height_m, grid_az, sun.elevation_deg)
        features.append(
            {
                "geometry": poly,
                "properties": {
                    "key": v.key,
                    "role": role,
                    "label": v.label,
                    "height_m": round(v.height_m, 2),
                    "shadow_length_m": None if vec is None else round(float((vec[0] ** 2 + vec[1] ** 2) ** 0.5), 2),
                    "height_source": v.source,
                },
            }
        )
    return {
        "at": when.isoformat(),
        "latitude": round(lat, 6),
        "longitude": round(lon, 6),
        "azimuth_deg": round(sun.azimuth_deg, 3),
        "elevation_deg": round(sun.elevation_deg, 3),
        "grid_convergence_deg": round(convergence, 4),
        "sun_up": sun.elevation_deg > 0,
        "designs": [v.key for v in designs],
        "buildings": len(around),
        "buildings_without_height": missing,
        "features": features,
        "assumptions": ASSUMPTIONS,
    }


ASSUMPTIONS = (
    "vlak maaiveld, platte daken, geen terrein of bomen / flat ground, flat roofs, no terrain or trees; "
    "zonnestand pvlib (NREL SPA), schijnbare hoogte met refractie / solar position pvlib (NREL SPA), "
    "apparent elevation with refraction"
)


# --------------------------------------------------------------------------- sun hours


def hours(
    view: View,
    points: list[SunPoint],
    day: str | dt.date,
    *,
    step_minutes: float = 5.0,
    plan: str | None = None,
    model: str | None = None,
    geojson: str | Path | None = None,
    buildings: bool = True,
    required_hours: float = DEFAULT_REQUIRED_HOURS,
    surroundings_m: float = SURROUNDINGS_M,
) -> dict[str, Any]:
    """Sun hours on ``points`` on ``day``: blocked by the design (if given) and the store's buildings
    within ``surroundings_m`` of the points."""
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            raise InputError(f"date {day!r}: expected YYYY-MM-DD", "date") from None
    if not 1 <= step_minutes <= 60:
        raise InputError(f"step {step_minutes} minutes: expected 1..60", "step-minutes")
    if not points:
        raise InputError("no points to compute sun hours for", "points")
    designs = design_volumes(view, plan=plan, model=model, geojson=geojson)
    geoms = [shapely.Point(p.x, p.y) for p in points]
    area = _around(geoms + [v.footprint for v in designs], surroundings_m)
    around, missing = building_volumes(view, area) if buildings else ([], 0)
    volumes = designs + around
    cx, cy = (area[0] + area[2]) / 2, (area[1] + area[3]) / 2
    lat, lon = core.rd_to_wgs84(cx, cy)
    convergence = core.grid_convergence(cx, cy)
    result = core.sun_hours(points, volumes, day, lat, lon, step_minutes=step_minutes, convergence_deg=convergence)
    spans = core.sun_intervals(result["in_sun"], result["times"], step_minutes)
    features = []
    for p, g, h, s in zip(points, geoms, result["hours"].tolist(), spans, strict=True):
        features.append(
            {
                "geometry": g,
                "properties": {
                    "key": p.key,
                    "hours": round(h, 2),
                    "passes": h >= required_hours - 1e-9,
                    "required_hours": required_hours,
                    "height_m": p.height_m,
                    "normal_deg": p.normal_deg,
                    "in_sun": [f"{a}-{b}" for a, b in s],
                },
            }
        )
    return {
        "date": day.isoformat(),
        "step_minutes": step_minutes,
        "latitude": round(lat, 6),
        "longitude": round(lon, 6),
        "daylight_hours": round(result["daylight_hours"], 2),
        "designs": [v.key for v in designs],
        "buildings": len(around),
        "buildings_without_height": missing,
        "features": features,
        "assumptions": ASSUMPTIONS,
    }


def as_geojson(doc: dict[str, Any], crs: str = "EPSG:4326") -> dict[str, Any]:
    """A shadow or sun-hours document as a FeatureCollection (the other members kept beside it)."""
    from openruimte.io.crs import to_wgs84

    geoms = [f["geometry"] for f in doc["features"]]
    if crs != "EPSG:28992":
        geoms = to_wgs84(geoms)
    out = {k: v for k, v in doc.items() if k != "features"}
    out["type"] = "FeatureCollection"
    out["features"] = [
        {"type": "Feature", "geometry": mapping(g), "properties": f["properties"]}
        for f, g in zip(doc["features"], geoms, strict=True)
    ]
    if crs == "EPSG:28992":
        out["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}
    return out
