"""Generate large, realistic-shaped IFC4 models for the BIM benchmarks, deterministically.

The project structure (project, units, contexts, site, building, storeys, materials, the NL-SfB
classification, element types) is made with ``ifcopenshell.api``; the many elements are written
with ``ifcopenshell`` entity constructors (``ifcopenshell.api`` per element would take hours for
200 MB; the entities are the same). Per storey a grid of rooms: walls (IfcWall with
Pset_WallCommon), slabs, columns, doors, windows and spaces, each with an extruded body, a
placement relative to its storey, a property set, a material and (for most) an NL-SfB
classification reference; a few proxies and unnamed elements so that checks find something.

    python bench/_ifcgen.py 50 /tmp/m50.ifc       # about 50 MB
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import ifcopenshell
import ifcopenshell.api.aggregate
import ifcopenshell.api.classification
import ifcopenshell.api.context
import ifcopenshell.api.geometry
import ifcopenshell.api.material
import ifcopenshell.api.project
import ifcopenshell.api.root
import ifcopenshell.api.unit
import ifcopenshell.guid
import numpy as np

#: bytes of IFC per room (measured; used to size a model to a target in MB)
BYTES_PER_ROOM = 4_900
ROOMS_PER_STOREY = 400


def generate(path: str | Path, target_mb: float, *, seed: int = 7) -> Path:
    """Write a model of about ``target_mb`` MB to ``path`` (returned)."""
    path = Path(path)
    rng = np.random.default_rng(seed)
    rooms = max(1, int(target_mb * 1e6 / BYTES_PER_ROOM))
    storeys = max(1, -(-rooms // ROOMS_PER_STOREY))

    f = ifcopenshell.api.project.create_file(version="IFC4")
    project = ifcopenshell.api.root.create_entity(f, ifc_class="IfcProject", name="Benchmarkproject")
    ifcopenshell.api.unit.assign_unit(f)  # metres, square metres, cubic metres
    model = ifcopenshell.api.context.add_context(f, context_type="Model")
    body = ifcopenshell.api.context.add_context(
        f, context_type="Model", context_identifier="Body", target_view="MODEL_VIEW", parent=model
    )
    site = ifcopenshell.api.root.create_entity(f, ifc_class="IfcSite", name="Kavel")
    building = ifcopenshell.api.root.create_entity(f, ifc_class="IfcBuilding", name="Gebouw")
    ifcopenshell.api.aggregate.assign_object(f, relating_object=project, products=[site])
    ifcopenshell.api.aggregate.assign_object(f, relating_object=site, products=[building])
    origin = f.createIfcLocalPlacement(None, _axis(f, 0.0, 0.0, 0.0))
    site.ObjectPlacement = origin
    building.ObjectPlacement = f.createIfcLocalPlacement(origin, _axis(f, 0.0, 0.0, 0.0))

    concrete = ifcopenshell.api.material.add_material(f, name="Beton C30/37", category="concrete")
    brick = ifcopenshell.api.material.add_material(f, name="Kalkzandsteen", category="block")
    glass = ifcopenshell.api.material.add_material(f, name="Glas", category="glass")
    system = ifcopenshell.api.classification.add_classification(f, classification="NL-SfB")
    codes = {}
    for cls, code in (("IfcWall", "21.12"), ("IfcSlab", "23.12"), ("IfcColumn", "28.11"), ("IfcDoor", "32.31"),
                      ("IfcWindow", "31.21")):  # fmt: skip
        codes[cls] = f.createIfcClassificationReference(None, code, None, system)

    owner = None
    by_class: dict[str, list] = {k: [] for k in ("IfcWall", "IfcSlab", "IfcColumn", "IfcDoor", "IfcWindow")}
    materials = {"IfcWall": brick, "IfcSlab": concrete, "IfcColumn": concrete, "IfcDoor": glass, "IfcWindow": glass}
    contained: list[tuple[object, list]] = []
    profile_cache: dict[tuple[float, float], object] = {}
    zdir = f.createIfcDirection((0.0, 0.0, 1.0))

    def solid(w: float, d: float, h: float) -> object:
        key = (round(w, 2), round(d, 2))
        if key not in profile_cache:
            profile_cache[key] = f.createIfcRectangleProfileDef(
                "AREA", None, f.createIfcAxis2Placement2D(f.createIfcCartesianPoint((w / 2, d / 2))), w, d
            )
        extrusion = f.createIfcExtrudedAreaSolid(profile_cache[key], _axis(f, 0.0, 0.0, 0.0), zdir, h)
        rep = f.createIfcShapeRepresentation(body, "Body", "SweptSolid", [extrusion])
        return f.createIfcProductDefinitionShape(None, None, [rep])

    def element(cls: str, name: str | None, parent, x: float, y: float, z: float, w: float, d: float, h: float):
        el = f.create_entity(cls, GlobalId=ifcopenshell.guid.compress(rng.bytes(16).hex()), OwnerHistory=owner,
                             Name=name)  # fmt: skip
        el.ObjectPlacement = f.createIfcLocalPlacement(parent, _axis(f, x, y, z))
        el.Representation = solid(w, d, h)
        return el

    n = 0
    side = int(np.ceil(np.sqrt(ROOMS_PER_STOREY)))
    for s in range(storeys):
        elevation = 3.2 * s
        storey = ifcopenshell.api.root.create_entity(f, ifc_class="IfcBuildingStorey", name=f"{s:02d} verdieping {s}")
        storey.Elevation = elevation
        storey.ObjectPlacement = f.createIfcLocalPlacement(building.ObjectPlacement, _axis(f, 0.0, 0.0, elevation))
        ifcopenshell.api.aggregate.assign_object(f, relating_object=building, products=[storey])
        members: list = []
        spaces: list = []
        for r in range(min(ROOMS_PER_STOREY, rooms - n)):
            i, j = divmod(r, side)
            x, y = 6.0 * i, 5.0 * j
            place = storey.ObjectPlacement
            label = None if rng.random() < 0.01 else f"Wand {s}.{r}"
            wall_cls = "IfcBuildingElementProxy" if rng.random() < 0.005 else "IfcWall"
            members.append(element(wall_cls, label, place, x, y, 0.0, 6.0, 0.2, 3.0))
            members.append(element("IfcWall", f"Wand {s}.{r}b", place, x, y, 0.0, 0.2, 5.0, 3.0))
            members.append(element("IfcSlab", f"Vloer {s}.{r}", place, x, y, -0.25, 6.0, 5.0, 0.25))
            members.append(element("IfcColumn", f"Kolom {s}.{r}", place, x, y, 0.0, 0.3, 0.3, 3.0))
            members.append(element("IfcDoor", f"Deur {s}.{r}", place, x + 2.0, y, 0.0, 0.9, 0.2, 2.3))
            members.append(element("IfcWindow", f"Raam {s}.{r}", place, x, y + 2.0, 0.9, 0.2, 1.2, 1.4))
            sp = element("IfcSpace", f"{s:02d}.{r:03d}", place, x + 0.2, y + 0.2, 0.0, 5.8, 4.8, 2.9)
            sp.LongName = "Verblijfsruimte"
            spaces.append(sp)
            n += 1
        contained.append((storey, members))
        ifcopenshell.api.aggregate.assign_object(f, relating_object=storey, products=spaces)
        for el in members:
            if el.is_a() in by_class:
                by_class[el.is_a()].append(el)
        for el in members:  # one property set per element, as exporters write them
            cls = el.is_a()
            if cls == "IfcWall":
                props = {"LoadBearing": bool(rng.random() < 0.4), "IsExternal": bool(rng.random() < 0.3)}
            elif cls in ("IfcSlab", "IfcColumn"):
                props = {"LoadBearing": True, "IsExternal": False}
            elif cls in ("IfcDoor", "IfcWindow"):
                props = {"IsExternal": bool(rng.random() < 0.5), "FireRating": "EI30"}
            else:
                continue
            if rng.random() < 0.02:
                props.pop(next(iter(props)))  # a few incomplete ones
            values = [
                f.createIfcPropertySingleValue(
                    k, None, f.create_entity("IfcBoolean" if isinstance(v, bool) else "IfcLabel", v), None
                )
                for k, v in props.items()
            ]
            pset = f.createIfcPropertySet(
                ifcopenshell.guid.compress(rng.bytes(16).hex()), owner, f"Pset_{cls[3:]}Common", None, values
            )
            f.createIfcRelDefinesByProperties(ifcopenshell.guid.compress(rng.bytes(16).hex()), owner, None, None,
                                              [el], pset)  # fmt: skip
        print(f"  storey {s + 1}/{storeys}: {n} rooms", file=sys.stderr, flush=True)
    for storey, members in contained:
        f.createIfcRelContainedInSpatialStructure(
            ifcopenshell.guid.compress(rng.bytes(16).hex()), owner, None, None, members, storey
        )
    for cls, elements in by_class.items():
        if not elements:
            continue
        f.createIfcRelAssociatesMaterial(
            ifcopenshell.guid.compress(rng.bytes(16).hex()), owner, None, None, elements, materials[cls]
        )
        classified = [e for e in elements if rng.random() < 0.97]
        f.createIfcRelAssociatesClassification(
            ifcopenshell.guid.compress(rng.bytes(16).hex()), owner, None, None, classified, codes[cls]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    f.write(str(path))
    return path


def _axis(f: ifcopenshell.file, x: float, y: float, z: float) -> object:
    return f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((float(x), float(y), float(z))), None, None)


if __name__ == "__main__":
    mb = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"/tmp/openruimte-ifcgen-{mb:g}.ifc")
    t = time.perf_counter()
    generate(out, mb)
    print(f"{out}: {out.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t:.1f} s")
