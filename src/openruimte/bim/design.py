"""What a plan-rule check needs of a model beyond its footprint: peil, gutter height, storey levels.

All heights in the placement's height reference (m NAP for a model whose map conversion
names NAP), after the map conversion's OrthogonalHeight:

``peil``     a ``Peil`` property (any property set of the IfcBuilding or IfcSite), else
             ``IfcSite.RefElevation`` when not 0 (authoring tools write 0 by default, so 0
             is read as "not given"); in project length units, relative to the CRS's datum;
``gutter``   from the roof (IfcRoof and its parts, slabs of type ROOF): a flat roof (its
             geometry less than :data:`FLAT_ROOF_M` high) has its gutter at its top edge (the
             boeiboord); a pitched roof at its lowest point (the druiplijn); none without a roof;
``storeys``  every IfcBuildingStorey's Elevation in the same reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: a roof whose geometry spans less than this (m) vertically is flat
FLAT_ROOF_M = 1.0


def roof_guids(f: Any) -> set[str]:
    """GlobalIds of roof elements: IfcRoof, its aggregated parts, and IfcSlab of type ROOF."""
    out: set[str] = set()
    for roof in f.by_type("IfcRoof"):
        out.add(roof.GlobalId)
        for rel in getattr(roof, "IsDecomposedBy", None) or ():
            out.update(p.GlobalId for p in rel.RelatedObjects or ())
    for slab in f.by_type("IfcSlab"):
        if getattr(slab, "PredefinedType", None) == "ROOF":
            out.add(slab.GlobalId)
    return out


def _peil_property(f: Any) -> tuple[float, str] | None:
    import ifcopenshell.util.element

    for cls in ("IfcBuilding", "IfcSite"):
        for entity in f.by_type(cls):
            for pset_name, props in ifcopenshell.util.element.get_psets(entity).items():
                for key, value in props.items():
                    if key.lower() == "peil" and isinstance(value, (int, float)) and not isinstance(value, bool):
                        return float(value), f"{cls} {pset_name}.{key}"
    return None


def facts(f: Any, place: Any, unit_scale: float, roof_z: tuple[float, float] | None) -> dict[str, Any]:
    """Peil, gutter height and storey levels of a model (see the module docstring); ``roof_z``
    is the (lowest, highest) map height of its roof elements, in map units."""
    map_unit = place.map_unit_m if place is not None else 1.0

    def to_height(model_m: float) -> float:
        if place is None:
            return round(model_m, 3)
        return round(float(place.to_map(np.array([[0.0, 0.0, model_m]]))[0, 2]) * map_unit, 3)

    out: dict[str, Any] = {"peil_m": None, "peil_from": None, "gutter_m": None, "gutter_from": None, "storeys": []}
    found = _peil_property(f)
    if found is not None:
        value, where = found
        # a property value in project length units, relative to the datum (as RefElevation)
        out["peil_m"], out["peil_from"] = round(value * unit_scale, 3), where
    else:
        sites = [s for s in f.by_type("IfcSite") if getattr(s, "RefElevation", None)]
        if sites:
            ref = float(sites[0].RefElevation)
            out["peil_m"] = round(ref * unit_scale, 3)
            out["peil_from"] = "IfcSite.RefElevation"
    if roof_z is not None:
        low, high = (z * map_unit for z in roof_z)
        if high - low < FLAT_ROOF_M:
            out["gutter_m"], out["gutter_from"] = round(high, 3), "plat dak: bovenkant / flat roof: its top edge"
        else:
            out["gutter_m"], out["gutter_from"] = (
                round(low, 3),
                "hellend dak: laagste punt (druiplijn) / pitched roof: lowest point (eaves)",
            )
    for st in f.by_type("IfcBuildingStorey"):
        if st.Elevation is None:
            continue
        out["storeys"].append(
            {
                "name": st.Name,
                "elevation_m": to_height(float(st.Elevation) * unit_scale),
                "elements": sum(len(r.RelatedElements or ()) for r in getattr(st, "ContainsElements", None) or ()),
            }
        )
    out["storeys"].sort(key=lambda s: (s["elevation_m"], s["name"] or ""))
    return out
