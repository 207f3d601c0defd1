"""A small, deterministic IFC4 building for the demo: placed in RD with an IfcMapConversion.

Made with ifcopenshell.api (project, units, contexts, spatial structure) and plain
entities for the shapes; the same seed gives the same bytes (fixed GlobalIds, owner
history dates and header time stamp), so a second ``openruimte demo`` registers nothing new.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

#: the header/owner-history time of every sample (2026-01-01T00:00:00Z)
FIXED_TIME = 1767225600


def write_sample(
    path: str | Path,
    *,
    eastings: float,
    northings: float,
    rotation_deg: float = 0.0,
    width_m: float = 30.0,
    depth_m: float = 12.0,
    storeys: int = 4,
    storey_height_m: float = 3.0,
    name: str = "Woongebouw",
    seed: int = 1,
    peil_m: float | None = None,
) -> Path:
    """Write a block of ``storeys`` storeys (walls, floors, a roof, spaces) to ``path``; with ``peil_m``
    the building carries its peil (m NAP) as property ``Peil`` (property set ``OpenRuimte_Peil``)."""
    import ifcopenshell
    import ifcopenshell.api.aggregate
    import ifcopenshell.api.context
    import ifcopenshell.api.owner.settings as owner
    import ifcopenshell.api.project
    import ifcopenshell.api.root
    import ifcopenshell.api.unit
    import ifcopenshell.guid

    rng = np.random.default_rng(seed)

    def guid() -> str:
        return ifcopenshell.guid.compress(rng.bytes(16).hex())

    f = ifcopenshell.api.project.create_file(version="IFC4")
    org = f.createIfcOrganization(None, "OpenRuimte")
    user = f.createIfcPersonAndOrganization(f.createIfcPerson(None, "Demo"), org)
    app = f.createIfcApplication(org, "1.0", "OpenRuimte demo", "openruimte-demo")
    saved = owner.get_user, owner.get_application
    owner.get_user, owner.get_application = (lambda _f: user), (lambda _f: app)
    try:
        project = ifcopenshell.api.root.create_entity(f, ifc_class="IfcProject", name=name)
        ifcopenshell.api.unit.assign_unit(
            f,
            units=[
                f.createIfcSIUnit(None, "LENGTHUNIT", "MILLI", "METRE"),
                f.createIfcSIUnit(None, "AREAUNIT", None, "SQUARE_METRE"),
                f.createIfcSIUnit(None, "VOLUMEUNIT", None, "CUBIC_METRE"),
            ],
        )
        model = ifcopenshell.api.context.add_context(f, context_type="Model")
        body = ifcopenshell.api.context.add_context(
            f, context_type="Model", context_identifier="Body", target_view="MODEL_VIEW", parent=model
        )
        crs = f.createIfcProjectedCRS("EPSG:28992", "Amersfoort / RD New", None, "NAP", None, None, None)
        rad = math.radians(rotation_deg)
        f.createIfcMapConversion(
            model, crs, float(eastings), float(northings), 0.0, math.cos(rad), math.sin(rad), 0.001
        )
        site = ifcopenshell.api.root.create_entity(f, ifc_class="IfcSite", name="Kavel")
        ifcopenshell.api.aggregate.assign_object(f, relating_object=project, products=[site])
        building = ifcopenshell.api.root.create_entity(f, ifc_class="IfcBuilding", name=name)
        ifcopenshell.api.aggregate.assign_object(f, relating_object=site, products=[building])
        mm = 1000.0
        w, d, h = width_m * mm, depth_m * mm, storey_height_m * mm
        origin = f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((0.0, 0.0, 0.0)))
        up = f.createIfcDirection((0.0, 0.0, 1.0))

        def box(cls: str, x: float, y: float, z: float, bw: float, bd: float, bh: float, label: str):  # noqa: ANN202
            profile = f.createIfcRectangleProfileDef(
                "AREA", None, f.createIfcAxis2Placement2D(f.createIfcCartesianPoint((bw / 2, bd / 2))), bw, bd
            )
            solid = f.createIfcExtrudedAreaSolid(profile, origin, up, bh)
            rep = f.createIfcShapeRepresentation(body, "Body", "SweptSolid", [solid])
            return f.create_entity(
                cls,
                GlobalId=guid(),
                OwnerHistory=history,
                Name=label,
                ObjectPlacement=f.createIfcLocalPlacement(
                    None, f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((x, y, z)))
                ),
                Representation=f.createIfcProductDefinitionShape(None, None, [rep]),
            )

        history = project.OwnerHistory
        storey_objs = []

        t = 300.0
        for level in range(storeys):
            label = f"{level:02d} {'begane grond' if level == 0 else 'verdieping'}"
            st = f.create_entity(
                "IfcBuildingStorey", GlobalId=guid(), OwnerHistory=history, Name=label, Elevation=level * h
            )
            storey_objs.append(st)
            z = level * h
            parts = [
                box("IfcSlab", 0, 0, z - t, w, d, t, f"Vloer {level}"),
                box("IfcWall", 0, 0, z, w, t, h - t, f"Gevel voor {level}"),
                box("IfcWall", 0, d - t, z, w, t, h - t, f"Gevel achter {level}"),
                box("IfcWall", 0, 0, z, t, d, h - t, f"Kopgevel west {level}"),
                box("IfcWall", w - t, 0, z, t, d, h - t, f"Kopgevel oost {level}"),
            ]
            if level == storeys - 1:
                parts.append(box("IfcRoof", 0, 0, z + h - t, w, d, t, "Dak"))
            f.createIfcRelContainedInSpatialStructure(guid(), history, None, None, parts, st)
            spaces = [
                box("IfcSpace", float(x), t, z, (w - 2 * t) / 3, d - 2 * t, h - t, f"{level}.{i + 1:02d}")
                for i, x in enumerate(np.linspace(t, w - t, 4)[:-1])
            ]
            f.createIfcRelAggregates(guid(), history, None, None, st, spaces)
        f.createIfcRelAggregates(guid(), history, None, None, building, storey_objs)
        if peil_m is not None:
            value = f.create_entity("IfcLengthMeasure", float(peil_m) * mm)
            prop = f.createIfcPropertySingleValue("Peil", None, value, None)
            pset = f.createIfcPropertySet(guid(), history, "OpenRuimte_Peil", None, [prop])
            f.createIfcRelDefinesByProperties(guid(), history, None, None, [building], pset)
    finally:
        owner.get_user, owner.get_application = saved
    for entity in sorted(f.by_type("IfcRoot"), key=lambda e: e.id()):
        entity.GlobalId = guid()
    for history in f.by_type("IfcOwnerHistory"):
        history.CreationDate = FIXED_TIME
        history.LastModifiedDate = None
    f.header.file_name.time_stamp = "2026-01-01T00:00:00"
    path = Path(path)
    f.write(str(path))
    return path
