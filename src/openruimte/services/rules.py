"""Plan rules: import (IMRO2012 GML, STOP/TPOD folder or .zip), read and export (issue 15).

``import_rules`` reads a plan with :mod:`openruimte.io.imro` or :mod:`openruimte.io.stop_tpod`
and stores its rules all-or-nothing (store/rules.py: importing a plan again replaces
its rules). ``find`` / ``records`` read them back (rules are public: no principal);
``export_geojson`` writes every rule as a GeoJSON feature.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry import mapping

from openruimte.io.crs import WGS84, CRSError, normalise_crs, to_wgs84
from openruimte.io.plan_rules import PlanRules
from openruimte.model import STORAGE_CRS
from openruimte.model.access import Principal
from openruimte.model.errors import InputError
from openruimte.rules.model import CHECKED_KINDS, Rule
from openruimte.store import rules as store_rules
from openruimte.store.spatial import BBox

#: the GeoJSON properties of an exported rule, in this order
EXPORT_PROPERTIES = ("kind", "value", "unit", "plan_id", "source_id", "article", "name", "regime", "bestemming")
#: legacy GeoJSON ``crs`` member for RD New (GDAL, QGIS and ogr2ogr read it)
RD_LEGACY_CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}
EXPORT_CRS = (STORAGE_CRS, WGS84)

Progress = Callable[[int], None]


@dataclass
class RulesImport:
    """What ``import_rules`` read and wrote."""

    plan: PlanRules
    stored: dict[str, Any] | None
    dry_run: bool

    def summary(self) -> list[dict[str, Any]]:
        """Per kind: how many rules, and whether a check reads the kind (sorted: checked kinds first)."""
        counts = self.plan.counts()
        rows = [{"kind": k, "count": n, "checked": k in CHECKED_KINDS} for k, n in counts.items()]
        return sorted(rows, key=lambda r: (not r["checked"], r["kind"]))

    def to_json(self) -> dict[str, Any]:
        return {
            "regime": self.plan.regime,
            "source": self.plan.source,
            "plan_ids": self.plan.plan_ids,
            "plan_name": self.plan.plan_name,
            "kinds": self.summary(),
            "rules": len(self.plan.rules),
            "warnings": self.plan.warnings,
            "unresolved": self.plan.unresolved,
            "stored": self.stored,
            "dry_run": self.dry_run,
        }


def read_plan(path: str | Path, *, progress: Progress | None = None) -> PlanRules:
    """The rules of ``path``: an IMRO GML file, or a STOP/TPOD folder or .zip (an IMRO GML in a
    .zip is read too)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder", path.name)
    from openruimte.io.imro import read_imro
    from openruimte.io.stop_tpod import read_stop_tpod

    if path.is_dir():
        return read_stop_tpod(path, progress=progress)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.lower().endswith((".gml", ".xml"))]
        ow = [n for n in names if Path(n).name.lower().startswith(("ow", "manifest-ow", "gio"))]
        gml = [n for n in names if n.lower().endswith(".gml")]
        if not ow and len(gml) == 1:
            return _imro_in_zip(path, gml[0], progress)
        return read_stop_tpod(path, progress=progress)
    return read_imro(path, progress=progress)


def _imro_in_zip(path: Path, member: str, progress: Progress | None) -> PlanRules:
    from openruimte.io.imro import read_imro

    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path) as zf:
        target = Path(tmp) / Path(member).name
        with zf.open(member) as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        return read_imro(target, progress=progress, name=f"{path.name}/{member}")


def import_rules(
    store: Any,
    path: str | Path,
    *,
    owner: str | None = None,
    actor: str = "system",
    principal: Principal | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> RulesImport:
    """Read ``path`` and store its rules in one transaction (nothing when anything fails).

    ``owner`` is the importing organisation (the API passes the caller's); with a
    ``principal`` it must be one the principal may write, as must the owner of the
    rules a re-import replaces.
    """
    path = Path(path)
    plan = read_plan(path, progress=progress)
    records = [record(r) for r in plan.rules]
    with store.writer(actor, dry_run=dry_run, principal=principal) as w:
        stored = store_rules.replace_plans(
            w, records, source=str(path), owner=owner, dataset_name=plan.plan_name or path.name,
        )  # fmt: skip
    return RulesImport(plan, stored, dry_run)


def record(rule: Rule) -> dict[str, Any]:
    """A rule as the store's dict."""
    return {f: getattr(rule, f) for f in store_rules.RULE_FIELDS}


def to_rule(row: dict[str, Any]) -> Rule:
    return Rule(**{f: row[f] for f in store_rules.RULE_FIELDS if f != "name"}, name=row.get("name") or "")


def records(
    store: Any,
    *,
    bbox: BBox | None = None,
    point: tuple[float, float] | None = None,
    kinds: Iterable[str] | None = None,
    plan_ids: Iterable[str] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Stored rule rows (every column: ``id``, ``owner``, ``dataset_id`` ... and the rule's fields)."""
    return store_rules.rows(store, bbox=bbox, point=point, kinds=kinds, plan_ids=plan_ids, limit=limit, offset=offset)


def find(
    store: Any,
    *,
    bbox: BBox | None = None,
    point: tuple[float, float] | None = None,
    kinds: Iterable[str] | None = None,
    plan_ids: Iterable[str] | None = None,
) -> list[Rule]:
    """The rules at ``point`` / in ``bbox`` (EPSG:28992), of ``kinds`` and ``plan_ids`` when given."""
    return [to_rule(r) for r in records(store, bbox=bbox, point=point, kinds=kinds, plan_ids=plan_ids)]


def plans(store: Any) -> list[dict[str, Any]]:
    """The plans whose rules are stored, with the number of rules per kind."""
    return store_rules.plans(store)


def feature_properties(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in EXPORT_PROPERTIES}


def features(rows: list[dict[str, Any]], crs: str) -> list[dict[str, Any]]:
    """GeoJSON features of rule rows, the geometry in ``crs`` (EPSG:28992 or EPSG:4326)."""
    geoms = [r["geometry"] for r in rows]
    if crs == WGS84:
        geoms = to_wgs84(geoms)
    return [
        {"type": "Feature", "id": r["id"], "geometry": mapping(g), "properties": feature_properties(r)}
        for r, g in zip(rows, geoms, strict=True)
    ]


def export_crs(crs: str | None) -> str:
    """EPSG:28992 (default) or EPSG:4326, in any spelling; anything else is refused."""
    try:
        code = normalise_crs(crs or STORAGE_CRS)
    except CRSError as err:
        raise InputError(f"--crs: {err}", "--crs") from None
    if code not in EXPORT_CRS:
        raise InputError(f"--crs {crs}: rules are exported in EPSG:28992 (RD New) or EPSG:4326 (WGS84)", "--crs")
    return code


def export_geojson(
    store: Any,
    out: str | Path,
    *,
    crs: str | None = None,
    bbox: BBox | None = None,
    kinds: Iterable[str] | None = None,
    plan_ids: Iterable[str] | None = None,
) -> Counter[str]:
    """Write every (selected) rule as a GeoJSON feature; returns the number per kind.

    EPSG:28992 is written with the legacy ``crs`` member (RFC 7946 GeoJSON is WGS84 only;
    GDAL and QGIS read the member), EPSG:4326 as plain RFC 7946 GeoJSON.
    """
    code = export_crs(crs)
    rows = records(store, bbox=bbox, kinds=kinds, plan_ids=plan_ids)
    doc: dict[str, Any] = {"type": "FeatureCollection", "name": "rules"}
    if code == STORAGE_CRS:
        doc["crs"] = RD_LEGACY_CRS
    doc["features"] = features(rows, code)
    out = Path(out)
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False)
    tmp.replace(out)
    return Counter(r["kind"] for r in rows)
