"""IFC test models made with ifcopenshell.api, one knob per placement trap.

Reusable by every test (and the benchmark and the demo use the same ideas)::

    from tests.support.ifcmodels import Box, Georef, build_model
    path = build_model(tmp_path / "m.ifc", unit="mm", georef=Georef(eastings=155000, northings=463000, scale=None))

Coordinates of boxes are in metres in the model's own (local) system; the builder converts
them to the project's length unit. The expected RD footprint of a box follows from the
map conversion by hand (see :func:`expected_corners`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import ifcopenshell
import ifcopenshell.api.aggregate
import ifcopenshell.api.context
import ifcopenshell.api.project
import ifcopenshell.api.root
import ifcopenshell.api.spatial
import ifcopenshell.api.unit
import ifcopenshell.guid
import numpy as np

UNIT_SCALE = {"m": 1.0, "mm": 0.001}


@dataclass(frozen=True)
class Box:
    """An element as an extruded rectangle: local metres, bottom ``z0``, ``height``."""

    x0: float
    y0: float
    x1: float
    y1: float
    z0: float = 0.0
    height: float = 3.0
    ifc_class: str = "IfcWall"
    name: str | None = None
    global_id: str | None = None
    storey: int = 0
    #: extra properties in a Pset_<class>Common-like set: name -> value
    properties: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Georef:
    """How the model is georeferenced. ``style``: ``mapconversion`` (IFC4), ``scaled`` (IFC4X3
    IfcMapConversionScaled) or ``pset`` (IFC2X3-style ePSet_MapConversion / ePSet_ProjectedCRS)."""

    eastings: float = 155000.0
    northings: float = 463000.0
    height: float = 0.0
    #: grid north as the map direction of the local x-axis (abscissa, ordinate)
    x_axis: tuple[float, float] = (1.0, 0.0)
    #: None: Scale omitted
    scale: float | None = 1.0
    crs: str = "EPSG:28992"
    style: str = "mapconversion"
    #: pset style: where the psets go ("project" or "site") and how their names are spelled
    pset_on: str = "project"
    pset_prefix: str = "ePSet_"
    map_unit: str | None = None
    vertical_datum: str | None = None
    factors: tuple[float, float, float] = (1.0, 1.0, 1.0)


def rotation_axis(degrees: float) -> tuple[float, float]:
    """XAxisAbscissa/Ordinate of a grid north rotated ``degrees`` counter-clockwise."""
    rad = math.radians(degrees)
    return (math.cos(rad), math.sin(rad))


DEFAULT_BOXES = (
    Box(0, 0, 20, 0.3, name="Gevel zuid"),
    Box(0, 9.7, 20, 10, name="Gevel noord"),
    Box(0, 0, 0.3, 10, name="Gevel west"),
    Box(19.7, 0, 20, 10, name="Gevel oost"),
    Box(0, 0, 20, 10, z0=-0.3, height=0.3, ifc_class="IfcSlab", name="Vloer"),
    Box(0, 0, 20, 10, z0=6.0, height=0.3, ifc_class="IfcRoof", name="Dak", storey=1),
    Box(0, 0, 20, 0.3, z0=3.0, name="Gevel zuid 1", storey=1),
)


def build_model(
    path: str | Path | None = None,
    *,
    schema: str = "IFC4",
    unit: str = "m",
    georef: Georef | None = Georef(),
    wcs: tuple[float, float, float] = (0.0, 0.0, 0.0),
    storeys: tuple[tuple[str, float], ...] = (("00 begane grond", 0.0), ("01 eerste verdieping", 3.0)),
    boxes: tuple[Box, ...] = DEFAULT_BOXES,
    site_latlon: tuple[float, float] | None = None,
    spaces: tuple[tuple[float, float, float, float], ...] = (),
    project_name: str = "Testproject",
    building: bool = True,
    seed: int = 1,
) -> ifcopenshell.file:
    """Make an IFC model (and write it to ``path`` when given). Deterministic for a seed."""
    scale = UNIT_SCALE[unit]
    f = ifcopenshell.api.project.create_file(version=schema)
    rng = np.random.default_rng(seed)

    def guid() -> str:
        return ifcopenshell.guid.compress(rng.bytes(16).hex())

    if schema == "IFC2X3":  # IFC2X3 needs an owner history on every rooted entity
        import ifcopenshell.api.owner.settings as owner

        org = f.createIfcOrganization(None, "OpenRuimte")
        user = f.createIfcPersonAndOrganization(f.createIfcPerson(None, "Test"), org)
        app = f.createIfcApplication(org, "1.0", "OpenRuimte testmodellen", "openruimte-tests")
        owner.get_user, owner.get_application = (lambda _f: user), (lambda _f: app)
    project = ifcopenshell.api.root.create_entity(f, ifc_class="IfcProject", name=project_name)
    project.GlobalId = guid()
    if unit == "mm":
        length = f.createIfcSIUnit(None, "LENGTHUNIT", "MILLI", "METRE")
    else:
        length = f.createIfcSIUnit(None, "LENGTHUNIT", None, "METRE")
    area = f.createIfcSIUnit(None, "AREAUNIT", None, "SQUARE_METRE")
    volume = f.createIfcSIUnit(None, "VOLUMEUNIT", None, "CUBIC_METRE")
    ifcopenshell.api.unit.assign_unit(f, units=[length, area, volume])
    model = ifcopenshell.api.context.add_context(f, context_type="Model")
    body = ifcopenshell.api.context.add_context(
        f, context_type="Model", context_identifier="Body", target_view="MODEL_VIEW", parent=model
    )
    if any(wcs):
        model.WorldCoordinateSystem = f.createIfcAxis2Placement3D(
            f.createIfcCartesianPoint(tuple(float(v) / scale for v in wcs)), None, None
        )
    site = ifcopenshell.api.root.create_entity(f, ifc_class="IfcSite", name="Kavel")
    site.GlobalId = guid()
    ifcopenshell.api.aggregate.assign_object(f, relating_object=project, products=[site])
    if site_latlon is not None:
        site.RefLatitude = _dms(site_latlon[0])
        site.RefLongitude = _dms(site_latlon[1])
    container = site
    storey_objs = []
    if building:
        bldg = ifcopenshell.api.root.create_entity(f, ifc_class="IfcBuilding", name="Gebouw A")
        bldg.GlobalId = guid()
        ifcopenshell.api.aggregate.assign_object(f, relating_object=site, products=[bldg])
        for name, elevation in storeys:
            st = ifcopenshell.api.root.create_entity(f, ifc_class="IfcBuildingStorey", name=name)
            st.GlobalId = guid()
            st.Elevation = elevation / scale
            ifcopenshell.api.aggregate.assign_object(f, relating_object=bldg, products=[st])
            storey_objs.append(st)
        container = storey_objs[0] if storey_objs else bldg
    for box in boxes:
        el = ifcopenshell.api.root.create_entity(f, ifc_class=box.ifc_class, name=box.name)
        el.GlobalId = box.global_id or guid()
        _place_box(f, body, el, box, scale)
        host = storey_objs[box.storey] if storey_objs and box.storey < len(storey_objs) else container
        ifcopenshell.api.spatial.assign_container(f, relating_structure=host, products=[el])
        if box.properties:
            _pset(f, el, f"Pset_{box.ifc_class.removeprefix('Ifc')}Common", box.properties)
    for i, (x0, y0, x1, y1) in enumerate(spaces):
        sp = ifcopenshell.api.root.create_entity(f, ifc_class="IfcSpace", name=f"{i + 1:02d}")
        sp.GlobalId = guid()
        _place_box(f, body, sp, Box(x0, y0, x1, y1, 0.0, 2.6), scale)
        if storey_objs:
            ifcopenshell.api.aggregate.assign_object(f, relating_object=storey_objs[0], products=[sp])
    if georef is not None:
        _georeference(f, model, project, site, georef, unit)
    if path is not None:
        f.write(str(path))
    return f


def _dms(dd: float) -> tuple[int, int, int, int]:
    sign = -1 if dd < 0 else 1
    dd = abs(dd)
    d = int(dd)
    m = int((dd - d) * 60)
    s = int((dd - d - m / 60) * 3600)
    us = int(round(((dd - d - m / 60) * 3600 - s) * 1e6))
    return (sign * d, sign * m, sign * s, sign * us)


def _place_box(f: ifcopenshell.file, body, el, box: Box, scale: float) -> None:  # noqa: ANN001
    """An extruded rectangle (profile in the element's own placement at the box's corner)."""
    w, d = (box.x1 - box.x0) / scale, (box.y1 - box.y0) / scale
    profile = f.createIfcRectangleProfileDef(
        "AREA", None, f.createIfcAxis2Placement2D(f.createIfcCartesianPoint((w / 2, d / 2))), w, d
    )
    solid = f.createIfcExtrudedAreaSolid(
        profile,
        f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((0.0, 0.0, 0.0))),
        f.createIfcDirection((0.0, 0.0, 1.0)),
        box.height / scale,
    )
    rep = f.createIfcShapeRepresentation(body, "Body", "SweptSolid", [solid])
    el.Representation = f.createIfcProductDefinitionShape(None, None, [rep])
    el.ObjectPlacement = f.createIfcLocalPlacement(
        None, f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((box.x0 / scale, box.y0 / scale, box.z0 / scale)))
    )


def _pset(f: ifcopenshell.file, target, name: str, props: dict[str, object]) -> None:  # noqa: ANN001
    values = []
    for key, value in props.items():
        if isinstance(value, bool):
            nominal = f.create_entity("IfcBoolean", value)
        elif isinstance(value, (int, float)):
            nominal = f.create_entity("IfcReal", float(value))
        else:
            nominal = f.create_entity("IfcLabel", str(value))
        values.append(f.createIfcPropertySingleValue(key, None, nominal, None))
    pset = f.createIfcPropertySet(ifcopenshell.guid.new(), None, name, None, values)
    f.createIfcRelDefinesByProperties(ifcopenshell.guid.new(), None, None, None, [target], pset)


def _length(f: ifcopenshell.file, value: float):  # noqa: ANN202
    return f.create_entity("IfcLengthMeasure", float(value))


def _georeference(f: ifcopenshell.file, model, project, site, g: Georef, unit: str) -> None:  # noqa: ANN001
    if g.style == "pset":
        props: dict[str, object] = {
            "Eastings": g.eastings,
            "Northings": g.northings,
            "OrthogonalHeight": g.height,
            "XAxisAbscissa": g.x_axis[0],
            "XAxisOrdinate": g.x_axis[1],
        }
        if g.scale is not None:
            props["Scale"] = g.scale
        target = project if g.pset_on == "project" else site
        values = []
        for key, value in props.items():
            kind = "IfcLengthMeasure" if key in ("Eastings", "Northings", "OrthogonalHeight") else "IfcReal"
            values.append(f.createIfcPropertySingleValue(key, None, f.create_entity(kind, float(value)), None))
        pset = f.createIfcPropertySet(ifcopenshell.guid.new(), None, f"{g.pset_prefix}MapConversion", None, values)
        f.createIfcRelDefinesByProperties(ifcopenshell.guid.new(), None, None, None, [target], pset)
        crs_props = [f.createIfcPropertySingleValue("Name", None, f.create_entity("IfcLabel", g.crs), None)]
        if g.map_unit:
            crs_props.append(
                f.createIfcPropertySingleValue("MapUnit", None, f.create_entity("IfcLabel", g.map_unit), None)
            )
        crs = f.createIfcPropertySet(ifcopenshell.guid.new(), None, f"{g.pset_prefix}ProjectedCRS", None, crs_props)
        f.createIfcRelDefinesByProperties(ifcopenshell.guid.new(), None, None, None, [target], crs)
        return
    map_unit = None
    if g.map_unit == "mm":
        map_unit = f.createIfcSIUnit(None, "LENGTHUNIT", "MILLI", "METRE")
    elif g.map_unit == "m":
        map_unit = f.createIfcSIUnit(None, "LENGTHUNIT", None, "METRE")
    crs = f.createIfcProjectedCRS(g.crs, None, None, g.vertical_datum, None, None, map_unit)
    args = [
        model,
        crs,
        float(g.eastings),
        float(g.northings),
        float(g.height),
        float(g.x_axis[0]),
        float(g.x_axis[1]),
        g.scale,
    ]
    if g.style == "scaled":
        f.create_entity("IfcMapConversionScaled", *args, *map(float, g.factors))
    else:
        f.create_entity("IfcMapConversion", *args)


def expected_corners(
    corners: list[tuple[float, float]], g: Georef, *, wcs: tuple[float, float] = (0.0, 0.0)
) -> list[tuple[float, float]]:
    """RD coordinates of local corners (metres) by the map conversion, computed by hand
    (scale = the unit ratio when omitted; the WCS offset taken off first)."""
    theta = math.atan2(g.x_axis[1], g.x_axis[0])
    out = []
    for x, y in corners:
        x, y = x - wcs[0], y - wcs[1]
        e = g.eastings + math.cos(theta) * x - math.sin(theta) * y
        n = g.northings + math.sin(theta) * x + math.cos(theta) * y
        out.append((e, n))
    return out
