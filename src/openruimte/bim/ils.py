"""The built-in information requirements: the checkable items of the Dutch BIM basis ILS.

Most items are an IDS 1.0 file shipped with the package (``data/ils-basis.ids``, read with
:func:`builtin_ids`). Two items cannot be written in IDS and are checked here in Python, each
reported as an extra specification of kind ``openruimte``:

- ILS 3.2 *model near its origin*: no placement lies farther than ``limit_m`` (default 1 km)
  from the project's origin horizontally. Only the outermost far placement of each chain is
  reported (the site or building that carries the offset, not every wall below it);
- ILS 3.3 *storeys named so they sort*: per building, sorting the storey names as text gives
  the order of their elevations (``00 begane grond``, ``01 eerste verdieping``, ``-01 kelder``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from openruimte.bim.ids import (
    ExtraCheck,
    IdsDocument,
    RequirementResult,
    SpecificationResult,
    read_ids,
)

#: Name under which the built-in IDS is chosen (``--builtin ils``).
BUILTIN = {"ils": "ils-basis.ids"}
ORIGIN_LIMIT_M = 1000.0
SOURCE = "OpenRuimte (niet in IDS uit te drukken)"


def builtin_ids(name: str = "ils") -> IdsDocument:
    """The built-in IDS called ``name`` (``ils``: the BIM basis ILS)."""
    if name not in BUILTIN:
        raise KeyError(f"unknown built-in IDS '{name}'; choose one of: {', '.join(sorted(BUILTIN))}")
    data = files("openruimte.bim").joinpath("data", BUILTIN[name]).read_bytes()
    return read_ids(data, f"{BUILTIN[name]} (ingebouwd)")


def extra_checks(name: str = "ils", *, limit_m: float = ORIGIN_LIMIT_M) -> list[ExtraCheck]:
    """The Python checks that go with a built-in IDS."""
    if name != "ils":
        return []
    return [origin_check(limit_m), storey_order_check]


def _unit_scale(model: Any) -> float:
    import ifcopenshell.util.unit

    try:
        return float(ifcopenshell.util.unit.calculate_unit_scale(model))
    except Exception:  # a model without units: IFC's default is metres
        return 1.0


def origin_check(limit_m: float = ORIGIN_LIMIT_M) -> Callable[[Any, Any], SpecificationResult]:
    """ILS 3.2: every placement lies within ``limit_m`` metres of the origin (horizontally)."""

    def run(model: Any, describer: Any) -> SpecificationResult:
        scale = _unit_scale(model)
        cache: dict[int, tuple[Any, tuple[float, float, float]] | None] = {}

        def absolute(placement: Any) -> tuple[Any, tuple[float, float, float]] | None:
            """(rotation or None for identity, translation) of a placement in project units."""
            key = placement.id()
            if key in cache:
                return cache[key]
            cache[key] = None  # guards against a cyclic placement chain
            if not placement.is_a("IfcLocalPlacement"):  # grid and linear placements: taken at the origin
                cache[key] = (None, (0.0, 0.0, 0.0))
                return cache[key]
            rotation, offset = _local(placement.RelativePlacement)
            parent = placement.PlacementRelTo
            up = absolute(parent) if parent is not None else None
            if up is not None:
                p_rot, p_off = up
                if p_rot is not None:
                    offset = tuple(sum(p_rot[i][k] * offset[k] for k in range(3)) for i in range(3))
                    rotation = p_rot if rotation is None else _matmul(p_rot, rotation)
                offset = (offset[0] + p_off[0], offset[1] + p_off[1], offset[2] + p_off[2])
            cache[key] = (rotation, offset)
            return cache[key]

        def distance(placement: Any) -> float:
            found = absolute(placement)
            if found is None:
                return 0.0
            return math.hypot(found[1][0], found[1][1]) * scale

        requirement = RequirementResult(
            facet="placement",
            description=f"Elke plaatsing ligt binnen {limit_m:g} m van het nulpunt (horizontaal)",
            cardinality="required",
            passed=True,
        )
        failed: set[int] = set()
        products = [p for p in model.by_type("IfcProduct") if getattr(p, "ObjectPlacement", None) is not None]
        placed = {p.ObjectPlacement.id() for p in products}
        for product in products:
            placement = product.ObjectPlacement
            requirement.checked += 1
            far = distance(placement)
            if far <= limit_m:
                continue
            parent = getattr(placement, "PlacementRelTo", None)
            for _ in range(64):  # the nearest placement above that belongs to a product
                if parent is None or parent.id() in placed:
                    break
                parent = getattr(parent, "PlacementRelTo", None)
            if parent is not None and distance(parent) > limit_m:
                continue  # the offset is carried by a product higher up, which is reported
            requirement.failures.append(
                describer.failure(
                    product,
                    f"Ligt {far / 1000:.2f} km van het nulpunt (grens {limit_m:g} m): leg het model bij het "
                    "nulpunt en plaats het op de kaart met IfcMapConversion",
                    f"Placed {far / 1000:.2f} km from the origin (limit {limit_m:g} m)",
                )
            )
            failed.add(product.id())
        requirement.passed = not requirement.failures
        return SpecificationResult(
            source=SOURCE,
            kind="openruimte",
            name="Model nabij het nulpunt",
            identifier="ILS 3.2",
            usage="required",
            passed=requirement.passed,
            description=(
                "Het model ligt bij zijn eigen nulpunt; de ligging op de kaart staat in de georeferentie "
                "(IfcMapConversion), niet in grote coördinaten in de plaatsingen."
            ),
            instructions="Verschuif het model naar het projectnulpunt en georefereer het met IfcMapConversion.",
            ifc_versions=["IFC2X3", "IFC4", "IFC4X3_ADD2"],
            applicability=["Alle IfcProduct-elementen met een plaatsing"],
            applicable=requirement.checked,
            failed_elements=len(failed),
            requirements=[requirement],
        )

    return run


def _local(axis: Any) -> tuple[Any, tuple[float, float, float]]:
    """Rotation (None when it is the identity) and translation of an IfcAxis2Placement."""
    coords = tuple(float(c) for c in axis.Location.Coordinates) if axis.Location is not None else (0.0, 0.0)
    offset = (coords + (0.0, 0.0, 0.0))[:3]
    if getattr(axis, "Axis", None) is None and getattr(axis, "RefDirection", None) is None:
        return None, offset
    import ifcopenshell.util.placement as placement_util

    matrix = placement_util.get_axis2placement(axis)
    return tuple(tuple(float(matrix[i][k]) for k in range(3)) for i in range(3)), offset


def _matmul(a: Any, b: Any) -> Any:
    return tuple(tuple(sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)) for i in range(3))


def storey_order_check(model: Any, describer: Any) -> SpecificationResult:
    """ILS 3.3: per building, storey names sorted as text follow their elevations."""
    import ifcopenshell.util.element as element_util
    import ifcopenshell.util.placement as placement_util

    scale = _unit_scale(model)
    groups: dict[int, list[Any]] = {}
    for storey in model.by_type("IfcBuildingStorey"):
        parent = element_util.get_aggregate(storey)
        groups.setdefault(parent.id() if parent is not None else 0, []).append(storey)

    def elevation(storey: Any) -> float:
        if storey.Elevation is not None:
            return float(storey.Elevation) * scale
        if storey.ObjectPlacement is not None:
            return float(placement_util.get_local_placement(storey.ObjectPlacement)[2, 3]) * scale
        return 0.0

    requirement = RequirementResult(
        facet="name",
        description="Bouwlaagnamen sorteren als tekst in de volgorde van hun hoogte",
        cardinality="required",
        passed=True,
    )
    for storeys in groups.values():
        requirement.checked += len(storeys)
        if len(storeys) < 2:
            continue
        by_height = sorted(storeys, key=lambda s: (elevation(s), s.id()))
        by_name = sorted(storeys, key=lambda s: ((s.Name or ""), elevation(s), s.id()))
        if [s.id() for s in by_height] == [s.id() for s in by_name]:
            continue
        height_order = ", ".join(f"{s.Name or '(geen naam)'} ({elevation(s):+.2f} m)" for s in by_height)
        for position, (expected, got) in enumerate(zip(by_height, by_name, strict=True), start=1):
            if expected.id() == got.id():
                continue
            requirement.failures.append(
                describer.failure(
                    got,
                    f"Sorteert op naam als bouwlaag {position}, maar is dat op hoogte niet; volgorde op hoogte: "
                    f"{height_order}. Begin de naam met een volgnummer (-01, 00, 01, ...)",
                    f"Storey name sorts at position {position}, elevation order differs",
                )
            )
    requirement.passed = not requirement.failures
    return SpecificationResult(
        source=SOURCE,
        kind="openruimte",
        name="Bouwlagen sorteerbaar op naam",
        identifier="ILS 3.3c",
        usage="required",
        passed=requirement.passed,
        description="De namen van de bouwlagen sorteren als tekst in de volgorde van hun hoogte.",
        instructions="Begin elke bouwlaagnaam met een volgnummer: -01 kelder, 00 begane grond, 01 eerste verdieping.",
        ifc_versions=["IFC2X3", "IFC4", "IFC4X3_ADD2"],
        applicability=["Alle bouwlagen (IfcBuildingStorey), per gebouw"],
        applicable=requirement.checked,
        failed_elements=len(requirement.failures),
        requirements=[requirement],
    )
