"""Two versions of a model compared: elements added, removed and changed; footprint, height, storeys.

Elements are matched by GlobalId. When most GlobalIds changed (fewer than half of the
elements share one; some exporters renumber on every export) that is said, and elements
are matched on class + placement (to the centimetre) + properties instead, then on class
+ placement. Changed: attributes (Name, Description, ObjectType, Tag, PredefinedType),
property values, and geometry beyond :data:`TOLERANCE_M` (bounds) or
:data:`TOLERANCE_M2` (projected area).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from openruimte.bim.extract import NOT_BUILT, ModelInfo

TOLERANCE_M = 0.01
TOLERANCE_M2 = 0.01
ATTRIBUTES = ("Name", "Description", "ObjectType", "Tag", "PredefinedType")
#: at most this many elements are listed per kind (the counts are always complete)
LIST_LIMIT = 500


def _plain(value: Any) -> Any:
    value = getattr(value, "wrappedValue", value)
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def _records(f: Any, info: ModelInfo) -> dict[str, dict[str, Any]]:
    import ifcopenshell.util.element
    import ifcopenshell.util.placement

    out = {}
    scale = info.unit_scale
    geoms = info.elements or {}
    for el in f.by_type("IfcElement"):
        if any(el.is_a(c) for c in NOT_BUILT):
            continue
        attrs = {a: _plain(getattr(el, a, None)) for a in ATTRIBUTES if hasattr(el, a)}
        props: dict[str, Any] = {}
        for pset, values in ifcopenshell.util.element.get_psets(el).items():
            for key, value in values.items():
                if key != "id":
                    props[f"{pset}.{key}"] = _plain(value)
        where = None
        if el.ObjectPlacement is not None:
            m = ifcopenshell.util.placement.get_local_placement(el.ObjectPlacement)
            where = tuple(round(float(v) * scale, 2) for v in m[:3, 3])
        out[el.GlobalId] = {
            "global_id": el.GlobalId,
            "class": el.is_a(),
            "attributes": attrs,
            "properties": props,
            "placement": where,
            "geometry": geoms.get(el.GlobalId),
        }
    return out


def _changes(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    attrs = {k: [a["attributes"].get(k), b["attributes"].get(k)] for k in set(a["attributes"]) | set(b["attributes"])}
    attrs = {k: v for k, v in attrs.items() if v[0] != v[1]}
    if a["class"] != b["class"]:
        attrs["class"] = [a["class"], b["class"]]
    if attrs:
        out["attributes"] = attrs
    props = {k: [a["properties"].get(k), b["properties"].get(k)] for k in set(a["properties"]) | set(b["properties"])}
    props = {k: v for k, v in sorted(props.items()) if v[0] != v[1]}
    if props:
        out["properties"] = props
    ga, gb = a["geometry"], b["geometry"]
    moved = a["placement"] != b["placement"]
    if ga is not None and gb is not None:
        delta = max(abs(x - y) for x, y in zip(ga.bounds, gb.bounds, strict=True))
        if delta > TOLERANCE_M or abs(ga.area2d - gb.area2d) > TOLERANCE_M2:
            out["geometry"] = {
                "max_shift_m": round(delta, 3),
                "area_m2": [ga.area2d, gb.area2d],
                "bounds_m": [list(ga.bounds), list(gb.bounds)],
            }
    elif (ga is None) != (gb is None):
        out["geometry"] = {"present": [ga is not None, gb is not None]}
    if moved and "geometry" not in out:
        out["placement"] = [a["placement"], b["placement"]]
    return out


def _signature(rec: dict[str, Any], with_props: bool) -> tuple[Any, ...]:
    props = tuple(sorted((k, repr(v)) for k, v in rec["properties"].items())) if with_props else ()
    return (rec["class"], rec["placement"], props)


def _match_by_content(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    left, right = dict(old), dict(new)
    for with_props in (True, False):
        index: dict[tuple[Any, ...], list[str]] = defaultdict(list)
        for gid, rec in right.items():
            index[_signature(rec, with_props)].append(gid)
        for gid, rec in list(left.items()):
            bucket = index.get(_signature(rec, with_props))
            if bucket:
                other = bucket.pop(0)
                pairs.append((gid, other))
                left.pop(gid)
                right.pop(other)
    return pairs


def compare(old_f: Any, old: ModelInfo, new_f: Any, new: ModelInfo) -> dict[str, Any]:
    """The differences between two models (each opened and extracted ``with_elements=True``)."""
    a, b = _records(old_f, old), _records(new_f, new)
    shared = set(a) & set(b)
    base = max(1, min(len(a), len(b)))
    by_content = len(shared) < 0.5 * base
    notes = []
    if by_content:
        notes.append(
            f"de meeste GlobalIds zijn veranderd ({len(shared)} van {base} gedeeld); elementen zijn gekoppeld "
            f"op klasse, plaats en eigenschappen / most GlobalIds changed ({len(shared)} of {base} shared); "
            "elements were matched on "
            "class, placement and properties"
        )
        pairs = [(g, g) for g in shared]
        pairs += _match_by_content(
            {k: v for k, v in a.items() if k not in shared}, {k: v for k, v in b.items() if k not in shared}
        )
    else:
        pairs = [(g, g) for g in shared]
    matched_a, matched_b = {p[0] for p in pairs}, {p[1] for p in pairs}
    added = [b[g] for g in b if g not in matched_b]
    removed = [a[g] for g in a if g not in matched_a]
    changed = []
    kinds = {"attributes": 0, "properties": 0, "geometry": 0, "placement": 0}
    for ga, gb in pairs:
        delta = _changes(a[ga], b[gb])
        if delta:
            for k in delta:
                kinds[k] += 1
            changed.append({"global_id": gb, "old_global_id": ga if ga != gb else None, "class": b[gb]["class"],
                            "name": b[gb]["attributes"].get("Name"), **delta})  # fmt: skip
    footprint = _footprint_change(old, new)
    height = {
        "old_top_m": old.top_m,
        "new_top_m": new.top_m,
        "old_bottom_m": old.bottom_m,
        "new_bottom_m": new.bottom_m,
        "old_height_m": _height(old),
        "new_height_m": _height(new),
    }
    old_storeys = [s["name"] for s in old.storeys]
    new_storeys = [s["name"] for s in new.storeys]
    storeys = {
        "old": old_storeys,
        "new": new_storeys,
        "added": [s for s in new_storeys if s not in old_storeys],
        "removed": [s for s in old_storeys if s not in new_storeys],
    }

    def brief(rec: dict[str, Any]) -> dict[str, Any]:
        return {"global_id": rec["global_id"], "class": rec["class"], "name": rec["attributes"].get("Name")}

    result = {
        "matched_by": "content" if by_content else "GlobalId",
        "notes": notes,
        "counts": {
            "added": len(added),
            "removed": len(removed),
            "changed": len(changed),
            "unchanged": len(pairs) - len(changed),
            **{f"changed_{k}": v for k, v in kinds.items()},
        },
        "added": [brief(r) for r in added[:LIST_LIMIT]],
        "removed": [brief(r) for r in removed[:LIST_LIMIT]],
        "changed": changed[:LIST_LIMIT],
        "footprint": footprint,
        "height": height,
        "storeys": storeys,
    }
    result["summary"] = summary_nl(result)
    return result


def _height(info: ModelInfo) -> float | None:
    if info.top_m is None or info.bottom_m is None:
        return None
    return round(info.top_m - info.bottom_m, 3)


def _footprint_change(old: ModelInfo, new: ModelInfo) -> dict[str, Any]:
    fa, fb = old.footprint, new.footprint
    out: dict[str, Any] = {
        "old_area_m2": round(float(fa.area), 2) if fa is not None else None,
        "new_area_m2": round(float(fb.area), 2) if fb is not None else None,
    }
    if fa is not None and fb is not None:
        out["added_m2"] = round(float(fb.difference(fa).area), 2)
        out["removed_m2"] = round(float(fa.difference(fb).area), 2)
    return out


def _nl(value: float, digits: int = 1) -> str:
    text = f"{value:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def summary_nl(r: dict[str, Any]) -> str:
    """The differences in a few Dutch sentences."""
    c = r["counts"]
    parts = [f"{c['added']} elementen toegevoegd, {c['removed']} verwijderd, {c['changed']} gewijzigd"]
    details = []
    if c["changed_geometry"]:
        details.append(f"{c['changed_geometry']} in vorm of plaats")
    if c["changed_placement"]:
        details.append(f"{c['changed_placement']} verplaatst")
    if c["changed_attributes"]:
        details.append(f"{c['changed_attributes']} in kenmerken")
    if c["changed_properties"]:
        details.append(f"{c['changed_properties']} in eigenschappen")
    text = parts[0] + (f" ({', '.join(details)})" if details else "") + "."
    if r["matched_by"] == "content":
        text += " De meeste GlobalIds zijn veranderd; elementen zijn gekoppeld op klasse, plaats en eigenschappen."
    fp = r["footprint"]
    if fp.get("old_area_m2") is not None and fp.get("new_area_m2") is not None:
        d = fp["new_area_m2"] - fp["old_area_m2"]
        if abs(d) >= 0.01 or fp.get("added_m2", 0) >= 0.01:
            text += (
                f" Voetafdruk {_nl(fp['old_area_m2'])} → {_nl(fp['new_area_m2'])} m² "
                f"({'+' if d >= 0 else ''}{_nl(d)} m²;"
                f" {_nl(fp.get('added_m2', 0))} m² erbij, {_nl(fp.get('removed_m2', 0))} m² eraf)."
            )
        else:
            text += " Voetafdruk ongewijzigd."
    h = r["height"]
    if h["old_top_m"] is not None and h["new_top_m"] is not None:
        d = h["new_top_m"] - h["old_top_m"]
        if abs(d) >= TOLERANCE_M:
            sign = "+" if d >= 0 else ""
            text += f" Hoogste punt {_nl(h['old_top_m'], 2)} → {_nl(h['new_top_m'], 2)} m ({sign}{_nl(d, 2)} m)."
        else:
            text += " Hoogte ongewijzigd."
    s = r["storeys"]
    if s["added"] or s["removed"] or len(s["old"]) != len(s["new"]):
        text += f" Bouwlagen {len(s['old'])} → {len(s['new'])}"
        extra = []
        if s["added"]:
            extra.append("nieuw: " + ", ".join(str(x) for x in s["added"]))
        if s["removed"]:
            extra.append("vervallen: " + ", ".join(str(x) for x in s["removed"]))
        text += (f" ({'; '.join(extra)})" if extra else "") + "."
    else:
        text += " Bouwlagen ongewijzigd."
    return text
