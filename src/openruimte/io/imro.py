"""IMRO bestemmingsplan GML (IMRO2012; IMRO2008 and IMRO2006 where their structure is the same)
-> normalised plan rules (:class:`openruimte.rules.model.Rule`).

What becomes a rule (one rule per value, so a Maatvoering with a maximum building height
and a maximum gutter height gives two):

- ``Enkelbestemming`` -> ``bestemmingsvlak`` (``bestemming`` = its ``naam``, else its
  ``bestemmingshoofdgroep``; ``article`` = ``artikel N naam``);
- ``Bouwvlak`` -> ``bouwvlak``, with the bestemming and article of the bestemmingsvlak
  it links to (``bestemmingsvlak`` xlink);
- ``Maatvoering`` -> one rule per value, in either encoding: IMRO2008/2012
  ``maatvoeringInfo`` (or ``omvang``) / ``WaardeEnType`` (``waarde`` + ``waardeType``)
  and the older ``maatvoering`` / ``MatrixEnWaarde`` / ``omvangWaarde`` /
  ``OmvangWaardeBP`` whose ``waardeType`` is a path (``maatvoering; hoogte; goothoogte;
  maximum goothoogte (m)``: the last part counts). ``maximum bouwhoogte (m)``,
  ``maximum goothoogte (m)``, ``maximum aantal bouwlagen`` and ``maximum
  bebouwingspercentage (%)`` become the checked kinds; any other value type is kept
  with its normalised name (``maximum_aantal_wooneenheden``) and the unit in its
  brackets;
- ``Bouwaanduiding``, ``Functieaanduiding``, ``Gebiedsaanduiding``, ``Dubbelbestemming``,
  ``Figuur``, ``Lettertekenaanduiding`` and the ``Bestemmingsplangebied`` itself
  (``plangebied``) are kept as kinds of their own (no check reads them).

Objects of other types (metadata, besluitvlakken ...) give no rule and are listed in
the warnings. The XML is read with :func:`openruimte.io._xml.iter_members` (no
entities, no network, bounded memory); the geometry with its GML reader (arcs made
straight to within :data:`openruimte.io._xml.ARC_TOLERANCE_M`), in EPSG:28992 only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from openruimte.io import _xml
from openruimte.io.plan_rules import PlanRules, normalise_kind, polygonal
from openruimte.model.errors import InputError, RowError
from openruimte.rules.model import REGIME_IMRO2012, UNIT_COUNT, UNIT_METRE, UNIT_PERCENT, Rule, RuleKind

#: IMRO namespaces read (the schema's own; IMRO2006 came from RAVI)
NAMESPACE_PREFIXES = ("http://www.geonovum.nl/imro/", "http://www.ravi.nl/imro")

#: object type -> the kind of its rule (Maatvoering: one rule per value, see VALUE_KINDS)
OBJECT_KINDS = {
    "Enkelbestemming": RuleKind.BESTEMMINGSVLAK.value,
    "Bouwvlak": RuleKind.BOUWVLAK.value,
    "Bouwaanduiding": "bouwaanduiding",
    "Functieaanduiding": "functieaanduiding",
    "Gebiedsaanduiding": "gebiedsaanduiding",
    "Dubbelbestemming": "dubbelbestemming",
    "Figuur": "figuur",
    "Lettertekenaanduiding": "lettertekenaanduiding",
    "Bestemmingsplangebied": "plangebied",
}
MAATVOERING = "Maatvoering"
#: objects whose name is a bestemming others link to
_BESTEMMINGEN = ("Enkelbestemming", "Dubbelbestemming")
#: objects that are no rule and need no mention
_SILENT = {"MetadataIMRObestand", "FeatureCollectionIMRO", "boundedBy", "Envelope"}

#: Maatvoering value types (IMRO2012 waardelijst, lower case) -> (kind, unit)
VALUE_KINDS: dict[str, tuple[str, str]] = {
    "maximum bouwhoogte (m)": (RuleKind.MAXIMUM_BOUWHOOGTE.value, UNIT_METRE),
    "maximum goothoogte (m)": (RuleKind.MAXIMUM_GOOTHOOGTE.value, UNIT_METRE),
    "maximum aantal bouwlagen": (RuleKind.MAXIMUM_BOUWLAGEN.value, UNIT_COUNT),
    "maximum bebouwingspercentage (%)": (RuleKind.MAXIMUM_BEBOUWINGSPERCENTAGE.value, UNIT_PERCENT),
}
#: the unit a value type names in brackets
_BRACKET_UNITS = {"m": UNIT_METRE, "%": UNIT_PERCENT, "m2": "m2", "m²": "m2", "m3": "m3", "m³": "m3", "°": "°",
                  "graden": "°", "ha": "ha"}  # fmt: skip

#: the largest single-object file read whole (a plan is a FeatureCollection, read streaming)
SINGLE_OBJECT_MAX_BYTES = 64 * 1024 * 1024

Progress = Callable[[int], None]


def value_kind(value_type: str) -> tuple[str, str | None]:
    """The kind and unit of a Maatvoering value type (``maximum bouwhoogte (m)`` -> maximum_bouwhoogte, m)."""
    text = " ".join(value_type.split(";")[-1].split()).lower()
    if text in VALUE_KINDS:
        return VALUE_KINDS[text]
    unit = None
    if "(" in text and text.endswith(")"):
        inside = text[text.rindex("(") + 1 : -1].strip()
        unit = _BRACKET_UNITS.get(inside, inside or None)
        text = text[: text.rindex("(")].strip()
    if unit is None and ("aantal" in text.split() or "bouwlagen" in text):
        unit = UNIT_COUNT
    return normalise_kind(text), unit


@dataclass
class _Object:
    kind: str  # the object type (local name)
    gml_id: str
    source_id: str
    name: str | None
    plan_ref: str | None
    bestemmingsvlak: str | None
    article_number: str | None
    hoofdgroep: str | None
    geometry: Any
    values: list[tuple[str | None, str | None]] = field(default_factory=list)  # (waarde, waardeType)


def read_imro(path: str | Path, *, progress: Progress | None = None, name: str | None = None) -> PlanRules:
    """The rules of an IMRO plan GML file (a FeatureCollection, or one object on its own).

    All or nothing: every problem of the file is collected and raised as one
    :class:`InputError` naming file, element (gml:id) and field.
    """
    path = Path(path)
    name = name or path.name
    root_tag = _root(path, name)
    errors: list[RowError] = []
    skipped: Counter[str] = Counter()
    objects: list[_Object] = []

    def take(elem: Any, index: int) -> None:
        kind = _xml.local(elem)
        if not _is_imro(elem):
            if kind not in _SILENT:
                skipped[kind] += 1
            return
        if kind not in OBJECT_KINDS and kind != MAATVOERING:
            if kind not in _SILENT:
                skipped[kind] += 1
            return
        obj = _object(elem, kind, index, name, errors)
        if obj is not None:
            objects.append(obj)
        if progress is not None:
            progress(len(objects))

    if _local_of(root_tag) in OBJECT_KINDS or _local_of(root_tag) == MAATVOERING:
        take(_parse_whole(path, name), 1)
    else:
        with path.open("rb") as fh:
            for index, elem in enumerate(_xml.iter_members(fh, name), start=1):
                take(elem, index)
    return _rules(objects, name, errors, skipped)


# ------------------------------------------------------------------------------ reading


class _Root(Exception):
    def __init__(self, tag: str) -> None:
        self.tag = tag


def _root(path: Path, name: str) -> str:
    """The root element's tag; refuses entity declarations (via iter_members) and what is no IMRO."""

    def stop(root: Any) -> None:
        raise _Root(root.tag)

    try:
        with path.open("rb") as fh:
            for _ in _xml.iter_members(fh, name, on_root=stop):
                break
    except _Root as found:
        tag = found.tag
    else:  # pragma: no cover - an XML document always has a root
        raise InputError("the file has no root element; expected an IMRO FeatureCollection", name)
    namespace = tag[1 : tag.index("}")] if tag.startswith("{") else ""
    local = _local_of(tag)
    if local == "FeatureCollection" and namespace in _xml.GML_NAMESPACES:
        return tag  # IMRO2006 wraps its objects in gml:FeatureCollection
    if namespace.startswith(NAMESPACE_PREFIXES) and (local == "FeatureCollectionIMRO" or local in OBJECT_KINDS
                                                      or local == MAATVOERING):  # fmt: skip
        return tag
    raise InputError(
        f"root element {local} ({namespace or 'no namespace'}) is not an IMRO plan; expected "
        "imro:FeatureCollectionIMRO of IMRO2012 (http://www.geonovum.nl/imro/2012/1.0 or 1.1) or one IMRO "
        "object. A STOP/TPOD omgevingsplan is a folder (or .zip) of OW and GIO files: import that folder",
        name,
    )


def _parse_whole(path: Path, name: str) -> Any:
    """A single-object file, parsed whole (no entities, no network, no DTD)."""
    size = path.stat().st_size
    if size > SINGLE_OBJECT_MAX_BYTES:
        raise InputError(
            f"a single IMRO object of {size:,} bytes is more than the {SINGLE_OBJECT_MAX_BYTES:,} read whole; "
            "deliver the plan as a FeatureCollectionIMRO",
            name,
        )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)  # fmt: skip
    try:
        return etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as err:
        raise InputError(f"malformed XML: {err}", name) from None


def _local_of(tag: str) -> str:
    return tag[tag.index("}") + 1 :] if tag.startswith("{") else tag


def _is_imro(elem: Any) -> bool:
    tag = elem.tag
    return tag.startswith("{") and tag[1 : tag.index("}")].startswith(NAMESPACE_PREFIXES)


def _identificatie(elem: Any) -> str | None:
    node = _xml.child(elem, "identificatie")
    if node is None:
        return None
    nen = _xml.child(node, "NEN3610ID")
    if nen is None:
        return (node.text or "").strip() or None
    namespace = _xml.find_text(nen, "namespace")
    local_id = _xml.find_text(nen, "lokaalID")
    version = _xml.find_text(nen, "versie")
    if not local_id:
        return None
    out = f"{namespace}.{local_id}" if namespace else local_id
    return f"{out}-{version}" if version else out


def _ref(elem: Any, name: str) -> str | None:
    node = _xml.child(elem, name)
    return _xml.href(node) if node is not None else None


def _object(elem: Any, kind: str, index: int, source: str, errors: list[RowError]) -> _Object | None:
    gml_id = _xml.gml_id(elem) or f"#{index}"
    where = {"source": source, "row": gml_id, "row_label": "element"}
    geometry = None
    prop = _xml.child(elem, "geometrie")
    if prop is None:
        errors.append(RowError(message=f"{kind} without geometrie; every IMRO plan object needs one",
                               field="geometrie", **where))  # fmt: skip
    else:
        found = next((g for g in prop.iter() if _xml.is_gml(g) and _xml.local(g) in _xml.GEOMETRY_TAGS), None)
        try:
            if found is None:
                raise _xml.GeometryError("expected a GML geometry (gml:Surface, gml:Polygon, gml:MultiSurface ...)")
            geometry = _xml.read_geometry(found)
        except _xml.GeometryError as err:
            errors.append(RowError(message=str(err), field="geometrie", **where))
    obj = _Object(
        kind=kind,
        gml_id=gml_id,
        source_id=_identificatie(elem) or gml_id,
        name=_xml.find_text(elem, "naam"),
        plan_ref=_ref(elem, "plangebied"),
        bestemmingsvlak=_ref(elem, "bestemmingsvlak"),
        article_number=_xml.find_text(elem, "artikelnummer"),
        hoofdgroep=_xml.find_text(elem, "bestemmingshoofdgroep"),
        geometry=geometry,
    )
    if kind == MAATVOERING:
        for node in elem.iter():
            if _xml.local(node) in ("WaardeEnType", "OmvangWaardeBP"):
                obj.values.append((_xml.find_text(node, "waarde"), _xml.find_text(node, "waardeType")))
        if not obj.values:
            errors.append(RowError(message="a Maatvoering without a value (maatvoeringInfo/WaardeEnType or "
                                   "maatvoering/MatrixEnWaarde/omvangWaarde/OmvangWaardeBP)", field="waarde",
                                   **where))  # fmt: skip
    return obj


# ------------------------------------------------------------------------------ rules


def _number(text: str | None) -> float:
    if text is None:
        raise ValueError("the value is missing; expected a number such as 12 or 12.5")
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise ValueError(f"'{text}' is not a number; expected a number such as 12 or 12.5") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"'{text}' is not a finite number")
    return value


def _rules(objects: list[_Object], source: str, errors: list[RowError], skipped: Counter[str]) -> PlanRules:
    result = PlanRules(regime=REGIME_IMRO2012, source=source, files=[source])
    plan_ids = {o.gml_id: o.source_id for o in objects if o.kind == "Bestemmingsplangebied"}
    plan_names = [o.name for o in objects if o.kind == "Bestemmingsplangebied" and o.name]
    referenced = sorted({o.plan_ref for o in objects if o.plan_ref})
    default_plan = (
        next(iter(plan_ids.values())) if len(plan_ids) == 1 else referenced[0] if len(referenced) == 1 else None
    )
    bestemmingen = {o.gml_id: o for o in objects if o.kind in _BESTEMMINGEN}

    def article(o: _Object) -> str | None:
        if o.article_number and o.name:
            return f"artikel {o.article_number} {o.name}"
        return o.name or (f"artikel {o.article_number}" if o.article_number else None)

    for o in objects:
        where = {"source": source, "row": o.gml_id, "row_label": "element"}
        if o.kind == "Bestemmingsplangebied":
            plan_id = o.source_id
        else:
            plan_id = plan_ids.get(o.plan_ref, o.plan_ref) if o.plan_ref else default_plan
        if plan_id is None:
            errors.append(RowError(message="the object names no plangebied and the file holds no single "
                                   "Bestemmingsplangebied; which plan is this?", field="plangebied",
                                   **where))  # fmt: skip
            continue
        if o.geometry is None:
            continue
        geometry, repaired = polygonal(o.geometry)
        if repaired:
            result.warnings.append(f"{source} element {o.gml_id}: invalid geometry repaired (make_valid)")
        linked = bestemmingen.get(o.bestemmingsvlak) if o.bestemmingsvlak else None
        if o.bestemmingsvlak and linked is None:
            result.unresolved.append(f"{o.gml_id} -> bestemmingsvlak {o.bestemmingsvlak}")
        base = {"geometry": geometry, "plan_id": plan_id, "source_id": o.source_id, "regime": REGIME_IMRO2012}
        if o.kind in _BESTEMMINGEN:
            bestemming = o.name or o.hoofdgroep
            result.rules.append(Rule(kind=OBJECT_KINDS[o.kind], value=None, unit=None, article=article(o),
                                     name=o.name or o.hoofdgroep or "", bestemming=bestemming, **base))  # fmt: skip
            continue
        context = {
            "article": article(linked) if linked else article(o) if o.article_number else None,
            "bestemming": (linked.name or linked.hoofdgroep) if linked else None,
        }
        if o.kind != MAATVOERING:
            result.rules.append(Rule(kind=OBJECT_KINDS[o.kind], value=None, unit=None, name=o.name or "",
                                     **context, **base))  # fmt: skip
            continue
        for raw_value, value_type in o.values:
            if not value_type:
                errors.append(RowError(message="a value without waardeType; expected e.g. 'maximum bouwhoogte (m)'",
                                       field="waardeType", value=raw_value, **where))  # fmt: skip
                continue
            try:
                value = _number(raw_value)
            except ValueError as err:
                errors.append(RowError(message=f"{value_type}: {err}", field="waarde", value=raw_value, **where))
                continue
            kind, unit = value_kind(value_type)
            name = " ".join(value_type.split(";")[-1].split())
            result.rules.append(Rule(kind=kind, value=value, unit=unit, name=name, **context, **base))
    if errors:
        raise InputError(errors, source)
    if not result.rules:
        raise InputError("the file holds no IMRO plan objects (Enkelbestemming, Bouwvlak, Maatvoering ...)", source)
    for kind, n in sorted(skipped.items()):
        result.warnings.append(f"{source}: {n} object(s) of type {kind} give no rule and were not read")
    if result.unresolved:
        result.warnings.append(
            f"{source}: {len(result.unresolved)} link(s) to a bestemmingsvlak not in the file "
            f"(rules kept without bestemming): {', '.join(result.unresolved[:10])}"
            + (" ..." if len(result.unresolved) > 10 else "")
        )
    result.plan_ids = sorted({r.plan_id for r in result.rules})
    result.plan_name = plan_names[0] if plan_names else None
    return result
