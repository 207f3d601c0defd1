"""Checks of a design against the plan rules at its location (pure: shapely and numpy only).

A :class:`Design` is what is checked: a footprint in EPSG:28992, its highest point and
gutter height (in m NAP, or relative to the ground), its storeys above ground, and the
reference level (peil) with where it came from. :func:`check_design` runs the five checks
below against a list of :class:`~openruimte.rules.model.Rule` and returns one
:class:`CheckResult` per check, always all five, in this order:

``bouwvlak``
    The footprint lies within the bouwvlakken (building planes) of its bestemmingsvlakken
    (or, without bestemmingsvlakken, the bouwvlakken it touches or lies near); measured:
    the largest distance of the footprint outside them (m), against the tolerance
    (default 0.05 m). The part outside is the result's geometry.
``maximum_bouwhoogte``
    Highest point of the design minus peil (m) against the maximum building height,
    with a tolerance (default 0.05 m, as in the national permit-check definitions).
``maximum_goothoogte``
    Gutter height minus peil (m) against the maximum gutter height (same tolerance);
    cannot be checked when the gutter height is not known.
``maximum_bouwlagen``
    Storeys above ground against the maximum number of storeys.
``maximum_bebouwingspercentage``
    Projected area of the design plus the existing buildings in the same bestemmingsvlak
    (their union, clipped to it: a building the design replaces is counted once) over
    the bestemmingsvlak's area (%), against the maximum coverage.

Which rules apply: those whose geometry intersects the footprint shrunk by the
tolerance (a rule that only touches the edge does not apply). Where several value rules
of one kind apply (a design over two maatvoeringsvlakken), the strictest counts and the
result says so. Without a rule of a kind at the location the result is
``not_applicable`` (listed, never dropped); without the measurement it needs (height
unknown) it is ``cannot_check`` with the reason.

Every result carries the measured value, the limit, the unit, the rule's ``source_id``,
``plan_id`` and ``article``, and a Dutch and an English message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from openruimte.rules.model import UNIT_COUNT, UNIT_METRE, UNIT_PERCENT, Rule, RuleKind

_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")

PASS = "pass"  # noqa: S105 - a status, not a password
FAIL = "fail"
CANNOT_CHECK = "cannot_check"
NOT_APPLICABLE = "not_applicable"
STATUSES = (PASS, FAIL, CANNOT_CHECK, NOT_APPLICABLE)

#: the checks in the order they are reported
CHECKS = (
    RuleKind.BOUWVLAK.value,
    RuleKind.MAXIMUM_BOUWHOOGTE.value,
    RuleKind.MAXIMUM_GOOTHOOGTE.value,
    RuleKind.MAXIMUM_BOUWLAGEN.value,
    RuleKind.MAXIMUM_BEBOUWINGSPERCENTAGE.value,
)

#: Dutch names of the checks (reports, UI)
CHECK_NAMES_NL = {
    "bouwvlak": "binnen het bouwvlak",
    "maximum_bouwhoogte": "maximale bouwhoogte",
    "maximum_goothoogte": "maximale goothoogte",
    "maximum_bouwlagen": "maximaal aantal bouwlagen",
    "maximum_bebouwingspercentage": "maximaal bebouwingspercentage",
}
CHECK_NAMES_EN = {
    "bouwvlak": "within the building plane",
    "maximum_bouwhoogte": "maximum building height",
    "maximum_goothoogte": "maximum gutter height",
    "maximum_bouwlagen": "maximum number of storeys",
    "maximum_bebouwingspercentage": "maximum coverage",
}

#: where the peil (reference level) came from
PEIL_SOURCES = ("model", "plan", "terrain", "given", "assumed")
PEIL_NL = {
    "model": "uit het model",
    "plan": "het plan (hoogten ten opzichte van maaiveld)",
    "terrain": "uit de terreinhoogte (maaiveld van de gebouwen eromheen)",
    "given": "opgegeven",
    "assumed": "aangenomen 0 m NAP (niet gevonden)",
}
PEIL_EN = {
    "model": "from the model",
    "plan": "the plan (heights above ground level)",
    "terrain": "from the terrain height (ground level of the buildings around)",
    "given": "given",
    "assumed": "assumed 0 m NAP (not found)",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckSettings:
    """Tolerances of the checks (metres) and how far to look for a bouwvlak without bestemmingsvlak."""

    bouwvlak_tolerance_m: float = 0.05
    height_tolerance_m: float = 0.05
    #: percentage points a coverage may exceed its limit by (rounding of areas)
    coverage_tolerance_pct: float = 0.0
    #: without bestemmingsvlakken: bouwvlakken within this distance of the footprint are its bouwvlakken
    search_m: float = 25.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Design:
    """A design to check.

    ``footprint``        polygon or multipolygon, EPSG:28992;
    ``top_m``            highest point (m NAP when ``heights`` is ``"NAP"``, else above ground level);
    ``gutter_m``         gutter height in the same reference, when known;
    ``storeys``          storeys above ground, when known;
    ``heights``          ``"NAP"`` or ``"relative"`` (already above ground level: peil is 0);
    ``peil_m``           the reference level in m NAP (for NAP heights);
    ``peil_source``      one of :data:`PEIL_SOURCES`;
    ``existing``         existing buildings nearby as ``(id, footprint)`` (for coverage);
    ``notes``            how the values were found (shown with the results).
    """

    footprint: BaseGeometry
    name: str = ""
    top_m: float | None = None
    gutter_m: float | None = None
    storeys: int | None = None
    heights: str = "NAP"
    peil_m: float = 0.0
    peil_source: str = "assumed"
    existing: tuple[tuple[str, BaseGeometry], ...] = ()
    notes: tuple[str, ...] = ()

    def height_above_peil(self, value: float | None) -> float | None:
        if value is None:
            return None
        return value if self.heights == "relative" else value - self.peil_m

    @property
    def peil_warning(self) -> str | None:
        if self.heights == "NAP" and self.peil_source == "assumed":
            return (
                "peil niet gevonden (model, plan, terreinhoogte): 0 m NAP aangenomen / peil not found (model, plan, "
                "terrain height): 0 m NAP assumed"
            )
        return None


@dataclass(slots=True, kw_only=True)
class CheckResult:
    """The result of one check."""

    check: str
    status: str
    message_nl: str
    message_en: str
    measured: float | None = None
    limit: float | None = None
    unit: str | None = None
    source_id: str | None = None
    plan_id: str | None = None
    article: str | None = None
    #: the part of the footprint outside the bouwvlakken (bouwvlak check), EPSG:28992
    geometry: BaseGeometry | None = None
    #: what was counted, which rules applied, peil and tolerance
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Dutch notation in the Dutch message: 1,50 m (the English one keeps 1.50 m)
        self.message_nl = _DECIMAL.sub(",", self.message_nl)

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "name_nl": CHECK_NAMES_NL.get(self.check, self.check),
            "name_en": CHECK_NAMES_EN.get(self.check, self.check),
            "status": self.status,
            "measured": self.measured,
            "limit": self.limit,
            "unit": self.unit,
            "source_id": self.source_id,
            "plan_id": self.plan_id,
            "article": self.article,
            "message_nl": self.message_nl,
            "message_en": self.message_en,
            "geometry": shapely.geometry.mapping(self.geometry) if self.geometry is not None else None,
            "details": self.details,
        }


def overall(results: list[CheckResult]) -> str:
    """``fail`` when any check fails; else ``cannot_check`` when any could not be done; else ``pass``
    when any passed; else ``not_applicable`` (no rules at the location)."""
    statuses = {r.status for r in results}
    for status in (FAIL, CANNOT_CHECK, PASS):
        if status in statuses:
            return status
    return NOT_APPLICABLE


# ------------------------------------------------------------------------------ the checks


def check_design(design: Design, rules: list[Rule], settings: CheckSettings | None = None) -> list[CheckResult]:
    """Every check of ``design`` against ``rules`` (any rules; those at its location are used)."""
    settings = settings or CheckSettings()
    footprint = _areal(design.footprint)
    if footprint is None or footprint.is_empty:
        raise ValueError("the design has no footprint (a polygon in EPSG:28992 is needed)")
    core = footprint.buffer(-settings.bouwvlak_tolerance_m, join_style="mitre")
    if core.is_empty:
        core = footprint
    by_kind: dict[str, list[Rule]] = {}
    for rule in rules:
        by_kind.setdefault(rule.kind, []).append(rule)
    vlakken = [r for r in by_kind.get(RuleKind.BESTEMMINGSVLAK.value, []) if _applies(r, core)]
    return [
        _bouwvlak(design, footprint, core, vlakken, by_kind.get(RuleKind.BOUWVLAK.value, []), settings),
        _height(design, core, by_kind, RuleKind.MAXIMUM_BOUWHOOGTE.value, design.top_m, settings),
        _height(design, core, by_kind, RuleKind.MAXIMUM_GOOTHOOGTE.value, design.gutter_m, settings),
        _storeys(design, core, by_kind),
        _coverage(design, footprint, core, vlakken, by_kind, settings),
    ]


def _areal(geom: BaseGeometry | None) -> BaseGeometry | None:
    if geom is None:
        return None
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    out = shapely.union_all(parts)
    return out if out.is_valid else shapely.make_valid(out)


def _applies(rule: Rule, core: BaseGeometry) -> bool:
    """An area rule applies where it overlaps the footprint (touching is not enough); a rule at a point
    or along a line where it meets the footprint."""
    g = rule.geometry
    if g is None or g.is_empty or not shapely.intersects(g, core):
        return False
    if g.geom_type in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return core.intersection(g).area > 1e-9
    return True


def _ref(rule: Rule | None) -> dict[str, Any]:
    if rule is None:
        return {}
    return {"source_id": rule.source_id, "plan_id": rule.plan_id, "article": rule.article}


def _rule_json(rule: Rule) -> dict[str, Any]:
    return {
        "source_id": rule.source_id,
        "plan_id": rule.plan_id,
        "article": rule.article,
        "name": rule.name,
        "value": rule.value,
        "unit": rule.unit,
        "bestemming": rule.bestemming,
    }


def _fmt(value: float | None, unit: str | None = UNIT_METRE) -> str:
    if value is None:
        return "?"
    if unit == UNIT_COUNT:
        return f"{value:g}"
    text = f"{value:.2f}"
    return f"{text} %" if unit == UNIT_PERCENT else f"{text} m"


def _bouwvlak(
    design: Design,
    footprint: BaseGeometry,
    core: BaseGeometry,
    vlakken: list[Rule],
    bouwvlakken: list[Rule],
    settings: CheckSettings,
) -> CheckResult:
    kind = RuleKind.BOUWVLAK.value
    tol = settings.bouwvlak_tolerance_m
    chosen = [r for r in bouwvlakken if _applies(r, core)]
    how = "raakt de voetafdruk / touch the footprint"
    if vlakken:
        area = shapely.union_all([v.geometry for v in vlakken])
        inside_vlak = [r for r in bouwvlakken if r not in chosen and _applies(r, area)]
        chosen += inside_vlak
        how = "in de bestemmingsvlakken van de voetafdruk / in the footprint's bestemmingsvlakken"
    elif not chosen:
        chosen = [
            r for r in bouwvlakken if r.geometry is not None and footprint.distance(r.geometry) <= settings.search_m
        ]
        how = f"binnen {settings.search_m:g} m / within {settings.search_m:g} m"
    if not chosen:
        return CheckResult(
            check=kind,
            status=NOT_APPLICABLE,
            message_nl="Geen bouwvlak op deze plek; of hier gebouwd mag worden staat in de regels van de bestemming.",
            message_en="No building plane at this location; whether building is allowed here is in the bestemming's "
            "rules.",
            unit=UNIT_METRE,
        )
    union = shapely.union_all([r.geometry for r in chosen])
    outside = footprint.difference(union)
    outside = _areal(outside) if not outside.is_empty else None
    distance = 0.0
    if outside is not None and not outside.is_empty:
        pts = shapely.get_coordinates(shapely.segmentize(outside.boundary, 0.05))
        distance = float(shapely.distance(shapely.points(pts), union).max()) if len(pts) else 0.0
    area_out = float(outside.area) if outside is not None else 0.0
    # the bouwvlak the footprint overlaps most names the result
    main = max(chosen, key=lambda r: (footprint.intersection(r.geometry).area, -footprint.distance(r.geometry)))
    details = {
        "tolerance_m": tol,
        "area_outside_m2": round(area_out, 3),
        "footprint_area_m2": round(float(footprint.area), 3),
        "bouwvlakken": [_rule_json(r) for r in chosen],
        "bouwvlakken_chosen": how,
    }
    ok = distance <= tol + 1e-9
    dist = round(distance, 3)
    if ok:
        nl = f"De voetafdruk ligt binnen het bouwvlak (tolerantie {tol:g} m)."
        en = f"The footprint lies within the building plane (tolerance {tol:g} m)."
        if area_out > 0:
            nl += f" Tot {dist:.3f} m erbuiten valt binnen de tolerantie."
            en += f" Up to {dist:.3f} m outside is within the tolerance."
    else:
        nl = (
            f"De voetafdruk ligt tot {dist:.2f} m buiten het bouwvlak ({area_out:.1f} m² erbuiten; tolerantie "
            f"{tol:g} m)."
        )
        en = (
            f"The footprint lies up to {dist:.2f} m outside the building plane ({area_out:.1f} m² outside; tolerance "
            f"{tol:g} m)."
        )
    return CheckResult(
        check=kind,
        status=PASS if ok else FAIL,
        message_nl=nl,
        message_en=en,
        measured=dist,
        limit=tol,
        unit=UNIT_METRE,
        geometry=outside if area_out > 0 else None,
        details=details,
        **_ref(main),
    )


def _strictest(core: BaseGeometry, rules: list[Rule]) -> tuple[Rule | None, list[Rule]]:
    applicable = [r for r in rules if r.value is not None and _applies(r, core)]
    if not applicable:
        return None, []
    applicable.sort(key=lambda r: (float(r.value), r.source_id))  # type: ignore[arg-type]
    return applicable[0], applicable


def _strict_note(chosen: Rule, applicable: list[Rule], unit: str | None) -> tuple[str, str]:
    values = {float(r.value) for r in applicable if r.value is not None}
    if len(values) <= 1:
        return "", ""
    others = ", ".join(_fmt(v, unit) for v in sorted(values))
    return (
        f" De voetafdruk ligt in {len(applicable)} vlakken met verschillende waarden ({others}); de strengste "
        f"({_fmt(chosen.value, unit)}) geldt.",
        f" The footprint lies in {len(applicable)} areas with different values ({others}); the strictest "
        f"({_fmt(chosen.value, unit)}) applies.",
    )


def _not_applicable(kind: str, unit: str) -> CheckResult:
    nl_name, en_name = CHECK_NAMES_NL[kind], CHECK_NAMES_EN[kind]
    return CheckResult(
        check=kind,
        status=NOT_APPLICABLE,
        message_nl=f"Geen regel voor {nl_name} op deze plek.",
        message_en=f"No rule for {en_name} at this location.",
        unit=unit,
    )


def _height(
    design: Design,
    core: BaseGeometry,
    by_kind: dict[str, list[Rule]],
    kind: str,
    value: float | None,
    settings: CheckSettings,
) -> CheckResult:
    rule, applicable = _strictest(core, by_kind.get(kind, []))
    if rule is None:
        return _not_applicable(kind, UNIT_METRE)
    tol = settings.height_tolerance_m
    limit = float(rule.value)  # type: ignore[arg-type]
    what_nl = "hoogste punt" if kind == RuleKind.MAXIMUM_BOUWHOOGTE.value else "goothoogte"
    what_en = "highest point" if kind == RuleKind.MAXIMUM_BOUWHOOGTE.value else "gutter height"
    details: dict[str, Any] = {
        "tolerance_m": tol,
        "peil_m": design.peil_m if design.heights == "NAP" else 0.0,
        "peil_source": design.peil_source,
        "heights": design.heights,
        "rules": [_rule_json(r) for r in applicable],
    }
    warning = design.peil_warning
    if warning:
        details["warning"] = warning
    measured = design.height_above_peil(value)
    if measured is None:
        reason_nl = (
            "de goothoogte van het ontwerp is niet bekend (geen plat dak en geen goothoogte opgegeven)"
            if kind == RuleKind.MAXIMUM_GOOTHOOGTE.value
            else "de hoogte van het ontwerp is niet bekend"
        )
        reason_en = (
            "the design's gutter height is not known (no flat roof and no gutter height given)"
            if kind == RuleKind.MAXIMUM_GOOTHOOGTE.value
            else "the design's height is not known"
        )
        return CheckResult(
            check=kind,
            status=CANNOT_CHECK,
            message_nl=f"Niet te controleren: {reason_nl} (maximum {_fmt(limit)}).",
            message_en=f"Cannot be checked: {reason_en} (maximum {_fmt(limit)}).",
            limit=limit,
            unit=UNIT_METRE,
            details=details,
            **_ref(rule),
        )
    measured = round(measured, 3)
    ok = measured <= limit + tol + 1e-9
    if design.heights == "NAP":
        peil_nl = f"{what_nl} {_fmt(value)} NAP min peil {_fmt(design.peil_m)} NAP, {PEIL_NL[design.peil_source]}"
        peil_en = f"{what_en} {_fmt(value)} NAP minus peil {_fmt(design.peil_m)} NAP, {PEIL_EN[design.peil_source]}"
    else:
        peil_nl = f"{what_nl} boven maaiveld"
        peil_en = f"{what_en} above ground level"
    note_nl, note_en = _strict_note(rule, applicable, UNIT_METRE)
    if ok:
        nl = f"{what_nl.capitalize()} {_fmt(measured)} boven peil, maximum {_fmt(limit)} ({peil_nl})."
        en = f"{what_en.capitalize()} {_fmt(measured)} above peil, maximum {_fmt(limit)} ({peil_en})."
    else:
        over = measured - limit
        nl = f"{_fmt(over)} te hoog: {what_nl} {_fmt(measured)} boven peil, maximum {_fmt(limit)} ({peil_nl})."
        en = f"{_fmt(over)} too high: {what_en} {_fmt(measured)} above peil, maximum {_fmt(limit)} ({peil_en})."
    if warning:
        nl += " Let op: peil aangenomen op 0 m NAP."
        en += " Note: peil assumed at 0 m NAP."
    return CheckResult(
        check=kind,
        status=PASS if ok else FAIL,
        message_nl=nl + note_nl,
        message_en=en + note_en,
        measured=measured,
        limit=limit,
        unit=UNIT_METRE,
        details=details,
        **_ref(rule),
    )


def _storeys(design: Design, core: BaseGeometry, by_kind: dict[str, list[Rule]]) -> CheckResult:
    kind = RuleKind.MAXIMUM_BOUWLAGEN.value
    rule, applicable = _strictest(core, by_kind.get(kind, []))
    if rule is None:
        return _not_applicable(kind, UNIT_COUNT)
    limit = float(rule.value)  # type: ignore[arg-type]
    details: dict[str, Any] = {"rules": [_rule_json(r) for r in applicable], "peil_source": design.peil_source}
    if design.storeys is None:
        return CheckResult(
            check=kind,
            status=CANNOT_CHECK,
            message_nl=f"Niet te controleren: het aantal bouwlagen is niet bekend (maximum {limit:g}).",
            message_en=f"Cannot be checked: the number of storeys is not known (maximum {limit:g}).",
            limit=limit,
            unit=UNIT_COUNT,
            details=details,
            **_ref(rule),
        )
    n = int(design.storeys)
    ok = n <= limit
    note_nl, note_en = _strict_note(rule, applicable, UNIT_COUNT)
    if ok:
        nl, en = f"{n} bouwlagen boven peil, maximum {limit:g}.", f"{n} storeys above peil, maximum {limit:g}."
    else:
        nl = f"{n - limit:g} bouwla{'ag' if n - limit == 1 else 'gen'} te veel: {n} boven peil, maximum {limit:g}."
        en = f"{n - limit:g} stor{'ey' if n - limit == 1 else 'eys'} too many: {n} above peil, maximum {limit:g}."
    return CheckResult(
        check=kind,
        status=PASS if ok else FAIL,
        message_nl=nl + note_nl,
        message_en=en + note_en,
        measured=float(n),
        limit=limit,
        unit=UNIT_COUNT,
        details=details,
        **_ref(rule),
    )


def _coverage(
    design: Design,
    footprint: BaseGeometry,
    core: BaseGeometry,
    vlakken: list[Rule],
    by_kind: dict[str, list[Rule]],
    settings: CheckSettings,
) -> CheckResult:
    kind = RuleKind.MAXIMUM_BEBOUWINGSPERCENTAGE.value
    rule, applicable = _strictest(core, by_kind.get(kind, []))
    if rule is None:
        return _not_applicable(kind, UNIT_PERCENT)
    limit = float(rule.value)  # type: ignore[arg-type]
    if vlakken:
        reference = shapely.union_all([v.geometry for v in vlakken])
        reference_nl, reference_en = "het bestemmingsvlak", "the bestemmingsvlak"
    else:
        reference = shapely.union_all([r.geometry for r in applicable])
        reference_nl, reference_en = "het vlak van de regel", "the rule's area"
    ref_area = float(reference.area)
    counted: list[dict[str, Any]] = []
    parts = [footprint.intersection(reference)]
    if design.existing:
        geoms = np.array([g for _, g in design.existing], dtype=object)
        hit = shapely.intersects(geoms, reference)
        for (bid, g), h in zip(design.existing, hit, strict=True):
            if not h:
                continue
            clipped = g.intersection(reference)
            if clipped.area <= 1e-6:
                continue
            overlap = float(clipped.intersection(footprint).area)
            counted.append(
                {"id": bid, "area_m2": round(float(clipped.area), 2), "overlaps_design_m2": round(overlap, 2)}
            )
            parts.append(clipped)
    built = shapely.union_all(parts)
    built_area = float(built.area)
    pct = round(100.0 * built_area / ref_area, 2) if ref_area > 0 else 0.0
    design_area = float(parts[0].area)
    existing_area = built_area - design_area
    details = {
        "reference": reference_en,
        "reference_area_m2": round(ref_area, 2),
        "design_area_m2": round(design_area, 2),
        "existing_area_m2": round(existing_area, 2),
        "built_area_m2": round(built_area, 2),
        "existing_buildings": counted,
        "rules": [_rule_json(r) for r in applicable],
        "tolerance_pct": settings.coverage_tolerance_pct,
    }
    ok = pct <= limit + settings.coverage_tolerance_pct + 1e-9
    what_nl = (
        f"ontwerp {design_area:.1f} m² + {len(counted)} bestaande gebouwen {existing_area:.1f} m² op "
        f"{reference_nl} van {ref_area:.1f} m²"
    )
    what_en = (
        f"design {design_area:.1f} m² + {len(counted)} existing buildings {existing_area:.1f} m² on "
        f"{reference_en} of {ref_area:.1f} m²"
    )
    note_nl, note_en = _strict_note(rule, applicable, UNIT_PERCENT)
    if ok:
        nl = f"Bebouwing {pct:.2f} %, maximum {limit:g} % ({what_nl})."
        en = f"Coverage {pct:.2f} %, maximum {limit:g} % ({what_en})."
    else:
        nl = f"Bebouwing {pct:.2f} % is meer dan het maximum van {limit:g} % ({what_nl})."
        en = f"Coverage {pct:.2f} % exceeds the maximum of {limit:g} % ({what_en})."
    return CheckResult(
        check=kind,
        status=PASS if ok else FAIL,
        message_nl=nl + note_nl,
        message_en=en + note_en,
        measured=pct,
        limit=limit,
        unit=UNIT_PERCENT,
        details=details,
        **_ref(rule),
    )


# ------------------------------------------------------------------------------ storeys above ground


def storeys_above_ground(
    storeys: list[dict[str, Any]], *, peil_m: float, top_m: float | None, tolerance_m: float = 0.05,
    min_headroom_m: float = 1.5,
) -> tuple[int | None, str]:  # fmt: skip
    """The storeys above ground of a model's storey list (``elevation_m`` in the heights' reference, e.g. m NAP).

    Counted: storeys whose floor lies at or above peil (minus the tolerance) and at least
    ``min_headroom_m`` below the highest point (a storey at roof level, e.g. "dak", holds no
    bouwlaag). Without elevations: the storeys that contain elements. Returns the count
    (None when the model has no storeys) and how it was counted."""
    if not storeys:
        return None, "geen IfcBuildingStorey in het model / no IfcBuildingStorey in the model"
    with_elev = [s for s in storeys if s.get("elevation_m") is not None]
    if len(with_elev) < len(storeys):
        n = sum(1 for s in storeys if (s.get("elements") or 0) > 0)
        return n, "bouwlagen met elementen (hoogte van de verdiepingen ontbreekt) / storeys containing elements"
    counted = []
    for s in with_elev:
        z = float(s["elevation_m"])
        if z < peil_m - tolerance_m:
            continue
        if top_m is not None and z > top_m - min_headroom_m:
            continue
        counted.append(s.get("name") or "?")
    return len(counted), (
        f"IfcBuildingStorey met vloer op of boven peil ({', '.join(counted)}) / storeys with their floor at or above "
        "peil"
    )
