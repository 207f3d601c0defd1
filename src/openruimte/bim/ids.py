"""Information requirements: read IDS 1.0 files safely, audit them, check an IFC model against them.

Reading (:func:`read_ids`)

1. the bytes are parsed with lxml without a DTD, entities or network access; a file that
   declares a ``<!DOCTYPE`` or ``<!ENTITY`` is refused (IDS never needs one), as is one
   larger than :data:`MAX_IDS_BYTES`;
2. the document is validated against the IDS 1.0 XML schema (the ``ids.xsd`` that ships with
   ifctester, identical to buildingSMART's ``Development/ids.xsd``);
3. it is audited against the IFC schemas it names (``ifcVersion``): entity names that are no
   IFC class (or not upper case), attribute names that are not explicit attributes of the
   applicable classes (inverse, derived, misspelt), values given for list, entity or select
   attributes, values that cannot be of the attribute's or ``dataType``'s type (``FALSE``
   for a boolean, ``42.0`` for an integer, ``42,3`` for a real), an entity requirement that
   no applicable class can meet, and requirements in a prohibited specification.
   These are the rules of buildingSMART's IDS audit; ifctester checks none of them;
4. pre-IDS-1.0 files that write booleans as ``True``/``False`` for a property without a
   ``dataType`` (such as Rotterdam's BIM ILS) are read, with a warning naming each line and
   the fix: such a value matches the boolean and the text it spells.

Every problem of steps 1-3 is collected; the file is refused with an :class:`IdsInvalid`
naming file, line, the problem and the fix.

Checking (:func:`check`) runs the specifications over an ``ifcopenshell.file`` with
ifctester's facets and reports per specification, requirement and element (GlobalId, class,
name, storey, reason in Dutch and English). Where ifctester deviates from IDS 1.0 this module
follows the standard: an optional attribute requirement passes when the attribute is null.

Exception tree::

    InputError (openruimte.model)
     └── IdsInvalid      the IDS file cannot be used (not XML, not IDS 1.0, not sound)
    BimError (openruimte.bim.errors)
                         the IFC file cannot be read (not IFC, truncated, unsupported schema)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from openruimte.bim.errors import BimError
from openruimte.model.errors import InputError, RowError

IDS_NS = "http://standards.buildingsmart.org/IDS"
XS_NS = "http://www.w3.org/2001/XMLSchema"
#: Larger IDS files are refused (the largest public ones are a few hundred kB).
MAX_IDS_BYTES = 20 * 1024 * 1024
#: The IFC schemas IDS 1.0 knows (``ifcVersion``).
IDS_IFC_VERSIONS = ("IFC2X3", "IFC4", "IFC4X3_ADD2")

_FACETS = ("entity", "partOf", "classification", "attribute", "property", "material")
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
_INTEGER = re.compile(r"[+-]?\d+")
_DOUBLE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN")
_BOOLEAN = ("true", "false", "1", "0")


class IdsInvalid(InputError):
    """The IDS file is refused; ``errors`` name the line, the problem and the fix."""

    code = "invalid_ids"
    status = 422


@dataclass(frozen=True, slots=True)
class IdsIssue:
    """One problem (or warning) at one line of an IDS file."""

    source: str
    line: int | None
    message: str
    fix: str
    #: the message in Dutch, for the reports (warnings on pre-IDS-1.0 files)
    message_nl: str | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source} line {self.line}"
        return f"{where}: {self.message}; fix: {self.fix}"

    def as_row_error(self) -> RowError:
        return RowError(self.source, f"{self.message}; fix: {self.fix}", self.line, row_label="line")

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "line": self.line,
            "message": self.message,
            "message_nl": self.message_nl or self.message,
            "fix": self.fix,
        }


@dataclass(slots=True)
class IdsDocument:
    """A read and audited IDS file, ready to check models with."""

    name: str
    sha256: str
    info: dict[str, Any]
    ids: Any  # ifctester.ids.Ids
    warnings: list[IdsIssue] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.info.get("title") or self.name)


# --------------------------------------------------------------------------- reading


def read_ids(source: Path | str | bytes, name: str | None = None, *, strict: bool = False) -> IdsDocument:
    """Read, validate and audit one IDS file; raise :class:`IdsInvalid` listing every problem.

    Pre-IDS-1.0 habits (see :func:`_legacy`) are read as meant, with a warning per line;
    ``strict`` refuses them instead."""
    if isinstance(source, bytes):
        data, name = source, name or "ids"
    else:
        path = Path(source)
        name = name or path.name
        try:
            size = path.stat().st_size
        except OSError as err:
            raise IdsInvalid(f"cannot read the IDS file: {err.strerror or err}", name) from None
        if size > MAX_IDS_BYTES:
            raise IdsInvalid(_too_large(size), name)
        data = path.read_bytes()
    if len(data) > MAX_IDS_BYTES:
        raise IdsInvalid(_too_large(len(data)), name)
    tree = _parse(data, name)
    problems = _schema_problems(tree, name)
    if problems:
        raise IdsInvalid([p.as_row_error() for p in problems], name)
    warnings, legacy = _legacy(tree, name)
    if strict and warnings:
        raise IdsInvalid([w.as_row_error() for w in warnings], name)
    problems = audit(tree, name)
    if problems:
        raise IdsInvalid([p.as_row_error() for p in problems], name)
    from ifctester import ids as ifctester_ids

    decoded = ifctester_ids.get_schema().decode(tree, strip_namespaces=True, namespaces={"": IDS_NS})
    document = ifctester_ids.Ids().parse(decoded)
    _apply_legacy(document, legacy)
    spec_elements = tree.getroot().iterfind(f"{{{IDS_NS}}}specifications/{{{IDS_NS}}}specification")
    for spec, element in zip(document.specifications, spec_elements, strict=True):
        spec.identifier = element.get("identifier")  # ifctester does not read it
    return IdsDocument(name, hashlib.sha256(data).hexdigest(), dict(document.info), document, warnings)


def _too_large(size: int) -> str:
    return (
        f"the IDS file is {size / 1e6:.1f} MB, more than the {MAX_IDS_BYTES // (1024 * 1024)} MB accepted; "
        "fix: split it into several IDS files"
    )


def _parse(data: bytes, name: str) -> etree._ElementTree:
    head = data[:65536]
    match = _DECLARATION.search(head)
    if match:
        line = head[: match.start()].count(b"\n") + 1
        raise IdsInvalid(
            IdsIssue(
                name,
                line,
                f"the file declares <!{match.group(1).decode().upper()} ...>; DTDs and entities are refused "
                "(they can read local files or expand without bound)",
                "remove the DOCTYPE/ENTITY declaration: IDS 1.0 files never need one",
            ).as_row_error(),
            name,
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser))
    except etree.XMLSyntaxError as err:
        line = err.position[0] if err.position else None
        msg = re.sub(r", line \d+, column \d+$", "", str(err.msg or err))
        raise IdsInvalid(
            IdsIssue(
                name, line, f"not well-formed XML: {msg}", "repair the XML (or export the IDS again)"
            ).as_row_error(),
            name,
        ) from None
    if tree.docinfo.doctype:
        raise IdsInvalid(IdsIssue(name, 1, "the file has a DOCTYPE", "remove it").as_row_error(), name)
    root = tree.getroot()
    if root.tag != f"{{{IDS_NS}}}ids":
        raise IdsInvalid(
            IdsIssue(
                name,
                root.sourceline,
                f"not an IDS file: the root element is <{etree.QName(root).localname}> in namespace "
                f"'{etree.QName(root).namespace or ''}'",
                f'an IDS 1.0 file starts with <ids xmlns="{IDS_NS}">',
            ).as_row_error(),
            name,
        )
    return tree


def _schema_problems(tree: etree._ElementTree, name: str) -> list[IdsIssue]:
    from ifctester import ids as ifctester_ids

    problems = []
    for err in ifctester_ids.get_schema().iter_errors(tree):
        line = getattr(err, "sourceline", None)
        reason = err.reason or err.message
        fix = "write it as the IDS 1.0 schema (ids.xsd) requires"
        if "ifcVersion" in reason:
            fix = "ifcVersion is a space-separated list of IFC2X3, IFC4 and IFC4X3_ADD2"
        elif "Unexpected child" in reason:
            fix = "elements of a facet come in the order and with the names of IDS 1.0 (see ids.xsd)"
        elif "cardinality" in reason:
            fix = "cardinality is required, optional or prohibited"
        problems.append(IdsIssue(name, line, f"not valid IDS 1.0 at {err.path}: {reason}", fix))
        if len(problems) >= 50:
            break
    return problems


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class _Value:
    """A facet parameter: a simple value or an xs:restriction."""

    simple: str | None = None
    enumeration: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    restricted: bool = False
    line: int | None = None

    def literals(self) -> tuple[str, ...]:
        """The literal values given (simple value or enumeration)."""
        if self.simple is not None:
            return (self.simple,)
        return self.enumeration

    def matches(self, text: str) -> bool:
        if self.simple is not None:
            return text == self.simple
        if self.enumeration and text not in self.enumeration:
            return False
        return all(_pattern(p).fullmatch(text) for p in self.patterns)

    def is_open(self) -> bool:
        """A restriction by bounds/length only: says nothing about names."""
        return self.simple is None and not self.enumeration and not self.patterns


@cache
def _pattern(xsd: str) -> re.Pattern[str]:
    from elementpath.regex import translate_pattern

    try:
        return re.compile(translate_pattern(xsd, back_references=False, lazy_quantifiers=False, anchors=False))
    except Exception:  # an invalid XSD pattern matches nothing
        return re.compile(r"(?!x)x")


def _value(element: etree._Element | None) -> _Value | None:
    if element is None:
        return None
    simple = element.find(f"{{{IDS_NS}}}simpleValue")
    if simple is not None:
        return _Value(simple=(simple.text or ""), line=simple.sourceline)
    restriction = element.find(f"{{{XS_NS}}}restriction")
    if restriction is None:
        return None
    enum = tuple(e.get("value", "") for e in restriction.findall(f"{{{XS_NS}}}enumeration"))
    patterns = tuple(e.get("value", "") for e in restriction.findall(f"{{{XS_NS}}}pattern"))
    return _Value(enumeration=enum, patterns=patterns, restricted=True, line=restriction.sourceline)


def _child(element: etree._Element, local: str) -> etree._Element | None:
    return element.find(f"{{{IDS_NS}}}{local}")


# --------------------------------------------------------------------------- IFC schema facts


@cache
def _schema(version: str) -> Any:
    import ifcopenshell.ifcopenshell_wrapper as wrapper

    return wrapper.schema_by_name(version)


@cache
def _entity_names(version: str) -> frozenset[str]:
    return frozenset(e.name().upper() for e in _schema(version).entities())


@cache
def _defined_types(version: str) -> dict[str, str]:
    """Upper-case defined type name -> its kind (boolean, integer, real, string, ...)."""
    out = {}
    for decl in _schema(version).declarations():
        if type(decl).__name__ in ("type_declaration", "enumeration_type"):
            out[decl.name().upper()] = _kind(decl)
    return out


def _kind(t: Any) -> str:
    """The value kind of an IFC attribute type: list, entity, select, enum or a simple type."""
    cls = type(t).__name__
    if cls == "aggregation_type":
        return "list"
    if cls in ("named_type", "type_declaration"):
        return _kind(t.declared_type())
    if cls == "entity":
        return "entity"
    if cls == "select_type":
        return "select"
    if cls == "enumeration_type":
        return "enum"
    if cls == "simple_type":
        return str(t.declared_type())
    return "unknown"


@cache
def _attributes(version: str, entity: str) -> tuple[dict[str, tuple[str, bool]], frozenset[str]]:
    """Explicit attributes of an entity (name -> (kind, derived)) and its inverse attribute names."""
    decl = _schema(version).declaration_by_name(entity)
    derived = decl.derived()
    explicit = {
        a.name(): (_kind(a.type_of_attribute()), bool(d)) for a, d in zip(decl.all_attributes(), derived, strict=True)
    }
    inverse = frozenset(a.name() for a in decl.all_inverse_attributes())
    return explicit, inverse


def _entities_matching(value: _Value | None, versions: Sequence[str]) -> set[str] | None:
    """The entity names (upper case) a name parameter matches in any of the versions; None: all."""
    if value is None or value.is_open():
        return None
    names: set[str] = set()
    for version in versions:
        names.update(n for n in _entity_names(version) if value.matches(n))
    return names


def _value_fits(kind: str, text: str) -> bool:
    if kind in ("boolean", "logical"):
        return text in _BOOLEAN
    if kind == "integer":
        return bool(_INTEGER.fullmatch(text))
    if kind in ("real", "number"):
        return bool(_DOUBLE.fullmatch(text))
    return True


def _value_fix(kind: str, text: str) -> str:
    if kind in ("boolean", "logical"):
        low = text.strip().lower()
        return f"write booleans in lower case: '{low}'" if low in _BOOLEAN else "write true or false"
    if kind == "integer":
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            return "write an integer such as 42"
        if number == int(number):
            return f"write the integer without decimals: '{int(number)}'"
        return "an integer cannot have decimals: correct the value (or the dataType if it is a real)"
    return "write a number with a decimal point and no thousands separator, such as 42.3 or 1234.5"


# --------------------------------------------------------------------------- audit


def audit(tree: etree._ElementTree, name: str) -> list[IdsIssue]:
    """Problems that make an XSD-valid IDS unsound for the IFC schemas it names."""
    problems: list[IdsIssue] = []
    root = tree.getroot()
    for spec in root.iterfind(f"{{{IDS_NS}}}specifications/{{{IDS_NS}}}specification"):
        versions = [v for v in (spec.get("ifcVersion") or "").split() if v in IDS_IFC_VERSIONS]
        if not versions:
            continue
        label = f"specification '{spec.get('name', '')}'"
        applicability = _child(spec, "applicability")
        requirements = _child(spec, "requirements")
        if (
            applicability is not None
            and applicability.get("maxOccurs") == "0"
            and requirements is not None
            and len(requirements)
        ):
            problems.append(
                IdsIssue(
                    name,
                    requirements.sourceline,
                    f'{label} is prohibited (maxOccurs="0") but has requirements, which can never be checked',
                    "remove the <requirements>, or make the specification required/optional",
                )
            )
        scope: set[str] | None = None
        if applicability is not None:
            entity = _child(applicability, "entity")
            if entity is not None:
                scope = _entities_matching(_value(_child(entity, "name")), versions)
        for clause in (applicability, requirements):
            if clause is None:
                continue
            for facet in clause:
                if not isinstance(facet.tag, str):
                    continue
                local = etree.QName(facet).localname
                if local == "entity":
                    problems += _audit_entity(facet, versions, name, label, scope, clause is requirements)
                elif local == "partOf":
                    inner = _child(facet, "entity")
                    if inner is not None:
                        problems += _audit_entity(inner, versions, name, label, None, False)
                elif local == "attribute":
                    problems += _audit_attribute(facet, versions, name, label, scope)
                elif local == "property":
                    problems += _audit_property(facet, versions, name, label)
    return problems


def _audit_entity(
    facet: etree._Element,
    versions: Sequence[str],
    source: str,
    label: str,
    scope: set[str] | None,
    is_requirement: bool,
) -> list[IdsIssue]:
    value = _value(_child(facet, "name"))
    if value is None:
        return []
    known = set().union(*(_entity_names(v) for v in versions))
    where = " / ".join(versions)
    problems = []
    for literal in value.literals():
        if literal in known:
            continue
        if literal.upper() in known:
            problems.append(
                IdsIssue(
                    source,
                    value.line,
                    f"{label}: entity name '{literal}' is not upper case",
                    f"write '{literal.upper()}' (IDS 1.0 entity names are upper case)",
                )
            )
        else:
            problems.append(
                IdsIssue(
                    source,
                    value.line,
                    f"{label}: '{literal}' is not an IFC entity in {where}",
                    "use an IFC class name in upper case, such as IFCWALL",
                )
            )
    if value.patterns and not value.enumeration and not _entities_matching(value, versions):
        problems.append(
            IdsIssue(
                source,
                value.line,
                f"{label}: the pattern {value.patterns} matches no IFC entity in {where}",
                "correct the pattern (entity names are upper case, e.g. IFC.*WALL)",
            )
        )
    if is_requirement and scope is not None and not problems:
        required = _entities_matching(value, versions)
        if required is not None and not (required & scope):
            problems.append(
                IdsIssue(
                    source,
                    value.line,
                    f"{label}: no applicable entity ({', '.join(sorted(scope)[:5])}) can ever be "
                    f"{' or '.join(sorted(required)[:5])} (IDS entity facets match the exact class, not subclasses)",
                    "make the applicability and the entity requirement name the same class",
                )
            )
    return problems


def _audit_attribute(
    facet: etree._Element, versions: Sequence[str], source: str, label: str, scope: set[str] | None
) -> list[IdsIssue]:
    name_value = _value(_child(facet, "name"))
    if name_value is None or name_value.is_open():
        return []
    value = _value(_child(facet, "value"))
    found: list[tuple[str, str, bool]] = []  # (attribute, kind, derived)
    inverse_hit = None
    for version in versions:
        entities = (scope & _entity_names(version)) if scope is not None else _entity_names(version)
        for entity in entities:
            explicit, inverse = _attributes(version, entity)
            for attr, (kind, derived) in explicit.items():
                if name_value.matches(attr):
                    found.append((attr, kind, derived))
            if inverse_hit is None:
                inverse_hit = next((a for a in inverse if name_value.matches(a)), None)
    shown = name_value.simple if name_value.simple is not None else str(name_value.enumeration or name_value.patterns)
    on = f" of {', '.join(sorted(scope)[:5])}" if scope else ""
    if not found:
        if inverse_hit:
            msg = f"{label}: '{inverse_hit}' is an inverse attribute{on}; inverse attributes cannot be checked"
            fix = "check the relation with a partOf or property facet, or remove the attribute facet"
        else:
            msg = f"{label}: '{shown}' is not an attribute{on} in {' / '.join(versions)}"
            fix = "use an explicit attribute of the applicable class (derived and inverse ones cannot be checked)"
        return [IdsIssue(source, name_value.line, msg, fix)]
    if all(derived for _, _, derived in found):
        return [
            IdsIssue(
                source,
                name_value.line,
                f"{label}: '{shown}' is a derived attribute{on}; derived attributes cannot be checked",
                "remove the attribute facet or check an explicit attribute",
            )
        ]
    if value is None:
        return []
    kinds = {kind for _, kind, derived in found if not derived}
    literals = value.literals()
    if not literals:
        return []
    structured = {"list": "a list", "entity": "an entity (object)", "select": "a select"}
    if kinds <= set(structured):
        kind = sorted(kinds)[0]
        return [
            IdsIssue(
                source,
                value.line,
                f"{label}: attribute '{shown}' holds {structured[kind]}; a value check on it always fails",
                "remove the <value> (checking that the attribute is present is allowed)",
            )
        ]
    problems = []
    for literal in literals:
        if not any(_value_fits(kind, literal) for kind in kinds):
            kind = sorted(kinds)[0]
            problems.append(
                IdsIssue(
                    source,
                    value.line,
                    f"{label}: value '{literal}' cannot be a value of attribute '{shown}' ({kind})",
                    _value_fix(kind, literal),
                )
            )
    return problems


def _audit_property(facet: etree._Element, versions: Sequence[str], source: str, label: str) -> list[IdsIssue]:
    data_type = facet.get("dataType")
    if not data_type:
        return []
    kinds = {t[data_type.upper()] for v in versions if (t := _defined_types(v)).get(data_type.upper())}
    if not kinds:
        return [
            IdsIssue(
                source,
                facet.sourceline,
                f"{label}: dataType '{data_type}' is not an IFC defined type in {' / '.join(versions)}",
                "use an IFC measure or value type in upper case, such as IFCLABEL, IFCBOOLEAN or IFCLENGTHMEASURE",
            )
        ]
    value = _value(_child(facet, "value"))
    if value is None:
        return []
    problems = []
    for literal in value.literals():
        if not any(_value_fits(kind, literal) for kind in kinds):
            kind = sorted(kinds)[0]
            problems.append(
                IdsIssue(
                    source,
                    value.line,
                    f"{label}: value '{literal}' cannot be a {data_type.upper()} ({kind})",
                    _value_fix(kind, literal),
                )
            )
    return problems


# --------------------------------------------------------------------------- pre-1.0 files


class LegacyBoolean:
    """A pre-IDS-1.0 ``True``/``False`` on a property without dataType: matches the boolean
    and the text it spells (case-insensitively), as the file's authors meant."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.boolean = text.strip().lower() == "true"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, bool):
            return other is self.boolean
        if isinstance(other, str):
            return other.strip().lower() == self.text.strip().lower()
        return False

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.boolean)

    def __str__(self) -> str:
        return self.text.strip().lower()

    __repr__ = __str__


_XSD_META = re.compile(r"([\\.^$|?+()\[\]{}])")


def _glob_to_pattern(text: str) -> str:
    """``VG*`` -> ``VG.*``; a text that already holds ``.*`` is taken as the regular expression it is."""
    if ".*" in text:
        return text
    return _XSD_META.sub(r"\\\1", text).replace("*", ".*")


def _legacy(tree: etree._ElementTree, name: str) -> tuple[list[IdsIssue], set[tuple[int, str, int]]]:
    """Read pre-IDS-1.0 habits as their authors meant them; one warning per place.

    - ``True``/``False`` on a property without dataType: the boolean (or that text);
    - ``*`` in a property set, property name or property value (``*``, ``VG*``, ``31.*``):
      a wildcard, rewritten to an ``xs:pattern``;
    - an attribute name in the wrong case (``NAME``) that is one explicit attribute of the
      applicable classes: that attribute (``Name``).

    Returns the warnings and where the legacy booleans are (specification index, clause,
    property index), which :func:`_apply_legacy` turns into :class:`LegacyBoolean` values.
    The tree is changed in place.
    """
    warnings, booleans = [], set()
    specs = tree.getroot().iterfind(f"{{{IDS_NS}}}specifications/{{{IDS_NS}}}specification")
    for s, spec in enumerate(specs):
        versions = [v for v in (spec.get("ifcVersion") or "").split() if v in IDS_IFC_VERSIONS]
        scope = _scope(spec, versions)
        for clause_name in ("applicability", "requirements"):
            clause = _child(spec, clause_name)
            if clause is None:
                continue
            for p, prop in enumerate(clause.iterfind(f"{{{IDS_NS}}}property")):
                pset = _value(_child(prop, "propertySet"))
                base = _value(_child(prop, "baseName"))
                label = ".".join(v.simple for v in (pset, base) if v is not None and v.simple) or "property"
                for part in ("propertySet", "baseName", "value"):
                    holder = _child(prop, part)
                    simple = holder.find(f"{{{IDS_NS}}}simpleValue") if holder is not None else None
                    if simple is None or "*" not in (simple.text or ""):
                        continue
                    text = simple.text or ""
                    pattern = _glob_to_pattern(text)
                    warnings.append(
                        IdsIssue(
                            name,
                            simple.sourceline,
                            f"'{text}' in the {part} of {label} is a wildcard, which IDS 1.0 does not know "
                            f"(it would match only the literal text); read as the pattern '{pattern}'",
                            f'write <xs:restriction base="xs:string"><xs:pattern value="{pattern}"/></xs:restriction>',
                            f"'{text}' in {part} van {label} is een jokerteken, dat IDS 1.0 niet kent (het zou alleen "
                            f"die letterlijke tekst vinden); gelezen als het patroon '{pattern}'",
                        )
                    )
                    restriction = etree.Element(f"{{{XS_NS}}}restriction", base="xs:string", nsmap={"xs": XS_NS})
                    etree.SubElement(restriction, f"{{{XS_NS}}}pattern", value=pattern)
                    holder.replace(simple, restriction)
                value = _value(_child(prop, "value"))
                if prop.get("dataType") or value is None or value.simple is None:
                    continue
                text = value.simple.strip()
                if text.lower() in ("true", "false") and text != text.lower():
                    booleans.add((s, clause_name, p))
                    warnings.append(
                        IdsIssue(
                            name,
                            value.line,
                            f"'{text}' for {label} predates IDS 1.0 (booleans are written true/false); "
                            f"read as the boolean {text.lower()} (or the text '{text}')",
                            f'write <simpleValue>{text.lower()}</simpleValue> and add dataType="IFCBOOLEAN"',
                            f"'{text}' bij {label} is van voor IDS 1.0 (waar/onwaar schrijf je als true/false); "
                            f"gelezen als de booleaanse waarde {text.lower()} (of de tekst '{text}')",
                        )
                    )
                elif re.match(r"^(>=|<=|>|<)\s*-?\d", text):
                    warnings.append(
                        IdsIssue(
                            name,
                            value.line,
                            f"'{text}' for {label} is compared as literal text, not as a comparison",
                            "for a minimum or maximum write an xs:restriction with minInclusive/maxInclusive",
                            f"'{text}' bij {label} wordt als letterlijke tekst vergeleken, niet als vergelijking",
                        )
                    )
            for attribute in clause.iterfind(f"{{{IDS_NS}}}attribute"):
                holder = _child(attribute, "name")
                simple = holder.find(f"{{{IDS_NS}}}simpleValue") if holder is not None else None
                if simple is None or not versions:
                    continue
                text = simple.text or ""
                names = _attribute_names(versions, scope)
                if text in names:
                    continue
                fixed = {n for n in names if n.lower() == text.lower()}
                if len(fixed) == 1:
                    right = fixed.pop()
                    warnings.append(
                        IdsIssue(
                            name,
                            simple.sourceline,
                            f"attribute name '{text}' is not spelt as in IFC (IDS 1.0 names are case-sensitive, "
                            f"so it would match nothing); read as '{right}'",
                            f"write <simpleValue>{right}</simpleValue>",
                            f"attribuutnaam '{text}' is anders gespeld dan in IFC (IDS 1.0 let op hoofdletters, dus "
                            f"het zou niets vinden); gelezen als '{right}'",
                        )
                    )
                    simple.text = right
    warnings.sort(key=lambda w: w.line or 0)
    return warnings, booleans


def _scope(spec: etree._Element, versions: Sequence[str]) -> set[str] | None:
    applicability = _child(spec, "applicability")
    entity = _child(applicability, "entity") if applicability is not None else None
    if entity is None:
        return None
    return _entities_matching(_value(_child(entity, "name")), versions)


def _attribute_names(versions: Sequence[str], scope: set[str] | None) -> set[str]:
    names: set[str] = set()
    for version in versions:
        entities = (scope & _entity_names(version)) if scope is not None else _entity_names(version)
        for entity in entities:
            names.update(_attributes(version, entity)[0])
    return names


def _apply_legacy(document: Any, where: set[tuple[int, str, int]]) -> None:
    from ifctester.facet import Property

    for s, spec in enumerate(document.specifications):
        for clause_name in ("applicability", "requirements"):
            props = [f for f in getattr(spec, clause_name) if isinstance(f, Property)]
            for p, prop in enumerate(props):
                if (s, clause_name, p) in where and isinstance(prop.value, str):
                    prop.value = LegacyBoolean(prop.value)


# --------------------------------------------------------------------------- IFC models


def open_model(path: Path | str, *, max_bytes: int | None = None) -> Any:
    """Open an IFC (STEP) file with ifcopenshell after :func:`openruimte.bim.extract.check_file`
    (not IFC, ZIP, ifcXML, truncated, unsupported schema, too large: a :class:`BimError` that
    says so). Unlike ``extract.open_model`` a model without IfcProject is accepted: an IDS can
    check any model (the buildingSMART test models have none)."""
    import ifcopenshell

    from openruimte.bim.extract import check_file

    path = Path(path)
    schema = check_file(path, max_bytes=max_bytes)
    try:
        return ifcopenshell.open(str(path))
    except Exception as err:  # ifcopenshell raises plain errors for unparseable content
        raise BimError(
            f"{path.name}: het {schema}-bestand is niet te lezen / cannot be parsed: {err}; fix: export it again"
        ) from None


# --------------------------------------------------------------------------- results


@dataclass(slots=True)
class ElementFailure:
    """One element that did not meet one requirement."""

    global_id: str | None
    ifc_class: str
    name: str | None
    storey: str | None
    step_id: int
    reason: str
    reason_en: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "global_id": self.global_id,
            "ifc_class": self.ifc_class,
            "name": self.name,
            "storey": self.storey,
            "step_id": self.step_id,
            "reason": self.reason,
            "reason_en": self.reason_en,
        }


@dataclass(slots=True)
class RequirementResult:
    facet: str
    description: str
    cardinality: str
    passed: bool
    checked: int = 0
    failures: list[ElementFailure] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "facet": self.facet,
            "description": self.description,
            "cardinality": self.cardinality,
            "status": "pass" if self.passed else "fail",
            "checked": self.checked,
            "failed": len(self.failures),
            "failures": [f.as_dict() for f in self.failures],
        }


@dataclass(slots=True)
class SpecificationResult:
    source: str
    name: str
    usage: str
    passed: bool
    kind: str = "ids"  # "ids" or "openruimte" (a check IDS cannot express, done in Python)
    description: str | None = None
    instructions: str | None = None
    identifier: str | None = None
    ifc_versions: list[str] = field(default_factory=list)
    applies_to_schema: bool = True
    applicability: list[str] = field(default_factory=list)
    applicable: int = 0
    failed_elements: int = 0
    message: str | None = None
    requirements: list[RequirementResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "name": self.name,
            "description": self.description,
            "instructions": self.instructions,
            "identifier": self.identifier,
            "usage": self.usage,
            "ifc_versions": self.ifc_versions,
            "applies_to_schema": self.applies_to_schema,
            "applicability": self.applicability,
            "status": "pass" if self.passed else "fail",
            "applicable": self.applicable,
            "failed_elements": self.failed_elements,
            "message": self.message,
            "requirements": [r.as_dict() for r in self.requirements],
        }


@dataclass(slots=True)
class CheckReport:
    model_name: str
    schema: str
    project: str | None
    checked_at: str
    documents: list[dict[str, Any]]
    specifications: list[SpecificationResult]
    model_origin: dict[str, Any] | None = None

    @property
    def passed(self) -> bool:
        return all(s.passed for s in self.specifications)

    def failing_elements(self) -> dict[int, list[tuple[SpecificationResult, RequirementResult, ElementFailure]]]:
        """Failures grouped by element (STEP id), in order of first appearance."""
        out: dict[int, list[tuple[SpecificationResult, RequirementResult, ElementFailure]]] = {}
        for spec in self.specifications:
            for req in spec.requirements:
                for failure in req.failures:
                    out.setdefault(failure.step_id, []).append((spec, req, failure))
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckReport:
        """The report back from its JSON (:meth:`as_dict`), e.g. a stored result."""
        specs = []
        for s in data["specifications"]:
            requirements = [
                RequirementResult(
                    facet=r["facet"],
                    description=r["description"],
                    cardinality=r["cardinality"],
                    passed=r["status"] == "pass",
                    checked=r.get("checked", 0),
                    failures=[ElementFailure(**f) for f in r["failures"]],
                )
                for r in s["requirements"]
            ]
            specs.append(
                SpecificationResult(
                    source=s["source"],
                    name=s["name"],
                    usage=s["usage"],
                    passed=s["status"] == "pass",
                    kind=s.get("kind", "ids"),
                    description=s.get("description"),
                    instructions=s.get("instructions"),
                    identifier=s.get("identifier"),
                    ifc_versions=list(s.get("ifc_versions", [])),
                    applies_to_schema=s.get("applies_to_schema", True),
                    applicability=list(s.get("applicability", [])),
                    applicable=s.get("applicable", 0),
                    failed_elements=s.get("failed_elements", 0),
                    message=s.get("message"),
                    requirements=requirements,
                )
            )
        model = data["model"]
        return cls(
            model_name=model["name"],
            schema=model["schema"],
            project=model.get("project"),
            checked_at=data["checked_at"],
            documents=list(data.get("ids", [])),
            specifications=specs,
        )

    def as_dict(self) -> dict[str, Any]:
        failed = [s for s in self.specifications if not s.passed]
        return {
            "format": "openruimte-bim-check",
            "format_version": 1,
            "status": "pass" if self.passed else "fail",
            "checked_at": self.checked_at,
            "model": {"name": self.model_name, "schema": self.schema, "project": self.project},
            "summary": {
                "specifications": len(self.specifications),
                "passed": len(self.specifications) - len(failed),
                "failed": len(failed),
                "failed_elements": len(self.failing_elements()),
            },
            "ids": self.documents,
            "specifications": [s.as_dict() for s in self.specifications],
        }


#: A check IDS cannot express, run in Python and reported as an extra specification.
ExtraCheck = Callable[[Any, "_Describer"], SpecificationResult]


# --------------------------------------------------------------------------- checking


class _Describer:
    """Element facts for reports, cached per model (storey lookups walk the spatial tree)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self._storey: dict[int, str | None] = {}

    def storey_of(self, element: Any) -> str | None:
        import ifcopenshell.util.element as util

        if not hasattr(element, "GlobalId"):
            return None
        chain = []
        current, found = element, None
        for _ in range(64):  # a bound against cyclic relations in a broken model
            key = current.id()
            if key in self._storey:
                found = self._storey[key]
                break
            chain.append(key)
            if current.is_a("IfcBuildingStorey"):
                found = current.Name or current.GlobalId
                break
            parent = util.get_container(current) or util.get_aggregate(current) or util.get_nest(current)
            if parent is None and current.is_a("IfcOpeningElement"):
                parent = util.get_voided_element(current)
            if parent is None and current.is_a("IfcElement"):
                opening = util.get_filled_void(current)
                parent = util.get_voided_element(opening) if opening else None
            if parent is None:
                break
            current = parent
        for key in chain:
            self._storey[key] = found
        return found

    def failure(self, element: Any, reason: str, reason_en: str) -> ElementFailure:
        return ElementFailure(
            global_id=getattr(element, "GlobalId", None),
            ifc_class=element.is_a(),
            name=getattr(element, "Name", None) if element.is_a("IfcRoot") else None,
            storey=self.storey_of(element),
            step_id=element.id(),
            reason=reason,
            reason_en=reason_en,
        )


def check(
    model: Any,
    documents: Iterable[IdsDocument],
    *,
    model_name: str = "model.ifc",
    extra_checks: Sequence[ExtraCheck] = (),
    progress: Callable[[int, int], None] | None = None,
) -> CheckReport:
    """Check a model against IDS documents (and extra Python checks); results per
    specification, requirement and element."""
    from ifctester import facet as ifctester_facet

    ifctester_facet.get_pset.cache_clear()
    ifctester_facet.get_psets.cache_clear()
    documents = list(documents)
    describer = _Describer(model)
    specs = [(doc, spec) for doc in documents for spec in doc.ids.specifications]
    total = len(specs) + len(extra_checks)
    results: list[SpecificationResult] = []
    for i, (doc, spec) in enumerate(specs):
        results.append(_check_specification(model, spec, doc.name, describer))
        if progress:
            progress(i + 1, total)
    for j, extra in enumerate(extra_checks):
        results.append(extra(model, describer))
        if progress:
            progress(len(specs) + j + 1, total)
    ifctester_facet.get_pset.cache_clear()
    ifctester_facet.get_psets.cache_clear()
    projects = model.by_type("IfcProject")
    return CheckReport(
        model_name=model_name,
        schema=model.schema_identifier,
        project=(projects[0].Name if projects else None),
        checked_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        documents=[
            {
                "name": d.name,
                "title": d.title,
                "version": d.info.get("version"),
                "sha256": d.sha256,
                "warnings": [w.as_dict() for w in d.warnings],
            }
            for d in documents
        ],
        specifications=results,
    )


def _usage(spec: Any) -> str:
    if str(spec.maxOccurs) == "0":
        return "prohibited"
    if str(spec.minOccurs) != "0":
        return "required"
    return "optional"


def _check_specification(model: Any, spec: Any, source: str, describer: _Describer) -> SpecificationResult:
    from ifctester.facet import Entity

    usage = _usage(spec)
    versions = spec.ifcVersion if isinstance(spec.ifcVersion, list) else str(spec.ifcVersion).split()
    result = SpecificationResult(
        source=source,
        name=spec.name,
        usage=usage,
        passed=True,
        description=spec.description or None,
        instructions=spec.instructions or None,
        identifier=getattr(spec, "identifier", None) or None,
        ifc_versions=list(versions),
        applies_to_schema=model.schema_identifier in versions,
        applicability=[_describe(f, "applicability", spec) for f in spec.applicability],
    )
    elements: Any = None
    for i, facet in enumerate(spec.applicability):
        if i == 0:
            elements = _property_candidates(model, facet)
            if elements is None:
                elements = facet.filter(model, None)
            if not isinstance(facet, Entity):  # broad phase only: check the facet itself too
                elements = [e for e in elements if facet(e)]
        else:
            elements = [e for e in elements if facet(e)]
    applicable = list(elements or [])
    result.applicable = len(applicable)
    failed: set[int] = set()
    if usage == "prohibited":
        requirement = RequirementResult(
            facet="specification",
            description="Mag niet voorkomen / shall not occur",
            cardinality="prohibited",
            passed=not applicable,
            checked=len(applicable),
        )
        for element in applicable:
            requirement.failures.append(
                describer.failure(
                    element,
                    "Dit element mag volgens de specificatie niet in het model voorkomen",
                    "The specification prohibits this element",
                )
            )
            failed.add(element.id())
        result.requirements.append(requirement)
    else:
        for facet in spec.requirements:
            requirement = RequirementResult(
                facet=type(facet).__name__[0].lower() + type(facet).__name__[1:],
                description=_describe(facet, "requirement", spec),
                cardinality=getattr(facet, "cardinality", "required") or "required",
                passed=True,
                checked=len(applicable),
            )
            for element in applicable:
                outcome = _evaluate(facet, element)
                if not outcome:
                    requirement.failures.append(describer.failure(element, _reason_nl(facet, outcome), str(outcome)))
                    failed.add(element.id())
            requirement.passed = not requirement.failures
            result.requirements.append(requirement)
    result.failed_elements = len(failed)
    result.passed = all(r.passed for r in result.requirements)
    if usage == "required" and not applicable:
        result.passed = False
        result.message = (
            "Geen enkel element voldoet aan de toepasbaarheid, terwijl de specificatie verplicht is "
            "/ no element is applicable, but the specification is required"
        )
    if not result.applies_to_schema:
        note = (
            f"Het model is {model.schema_identifier}, de specificatie noemt {', '.join(versions)}; "
            "toch gecontroleerd (ifcVersion is metadata)"
        )
        result.message = f"{result.message}. {note}" if result.message else note
    return result


def _property_candidates(model: Any, facet: Any) -> list[Any] | None:
    """A narrower broad phase for an applicability that starts with a property facet naming one
    property set: only the objects that can have that set (defined on them, or on their type),
    plus every material and profile definition. ifctester starts from every object in the model
    and reads each one's property sets; the facet is still evaluated on each candidate, so the
    outcome is the same. None: no narrowing possible (other facets, a restriction as set name)."""
    from ifctester.facet import Property

    if not isinstance(facet, Property) or not isinstance(facet.propertySet, str):
        return None
    import ifcopenshell.util.element as element_util

    name = facet.propertySet
    found: dict[int, Any] = {}
    for rel in model.by_type("IfcRelDefinesByProperties"):
        definition = rel.RelatingPropertyDefinition
        definitions = definition if isinstance(definition, tuple) else (definition,)
        if any(getattr(d, "Name", None) == name for d in definitions):
            for obj in rel.RelatedObjects or ():
                found[obj.id()] = obj
    for type_object in model.by_type("IfcTypeObject"):
        if any(getattr(p, "Name", None) == name for p in (type_object.HasPropertySets or ())):
            found[type_object.id()] = type_object
            for occurrence in element_util.get_types(type_object):
                found[occurrence.id()] = occurrence
    if model.schema_identifier != "IFC2X3":
        for other in model.by_type("IfcMaterialDefinition") + model.by_type("IfcProfileDef"):
            found[other.id()] = other
    return [found[k] for k in sorted(found)]


def _evaluate(facet: Any, element: Any) -> Any:
    from ifctester.facet import Attribute, AttributeResult

    outcome = facet(element)
    if not outcome and isinstance(facet, Attribute) and facet.cardinality == "optional":
        # IDS 1.0: an optional attribute requirement passes when the attribute is null
        # (a value, when given, must match); ifctester fails it.
        if _attribute_is_null(facet, element):
            return AttributeResult(True)
    return outcome


def _attribute_is_null(facet: Any, element: Any) -> bool:
    info = element.get_info(include_identifier=False, recursive=False)
    names = [k for k in info if k != "type" and (k == facet.name if isinstance(facet.name, str) else facet.name == k)]
    values = [info[k] for k in names if element.get_attribute_category(k) == 1]
    return bool(values) and all(v is None or v == () for v in values)


def _describe(facet: Any, clause: str, spec: Any) -> str:
    """The facet in Dutch, e.g. ``Eigenschap Pset_WallCommon.IsExternal moet ingevuld zijn``."""
    kind = type(facet).__name__
    cardinality = getattr(facet, "cardinality", "required") or "required"
    if clause == "applicability":
        verb, filled = "is", "ingevuld"
    else:
        verb = {"required": "moet", "optional": "mag", "prohibited": "mag niet"}.get(cardinality, "moet")
        filled = "ingevuld zijn"
    value = getattr(facet, "value", None)
    if kind == "Entity":
        text = f"Klasse {_fmt(facet.name)}"
        if facet.predefinedType:
            text += f" met PredefinedType {_fmt(facet.predefinedType)}"
        return text
    if kind == "Attribute":
        what = f"gelijk zijn aan {_fmt(value)}" if value is not None else filled
        if clause == "applicability":
            what = f"gelijk aan {_fmt(value)}" if value is not None else filled
        return f"Attribuut {_fmt(facet.name)} {verb} {what}"
    if kind == "Property":
        name = f"{_fmt(facet.propertySet)}.{_fmt(facet.baseName)}"
        typed = f" ({facet.dataType})" if getattr(facet, "dataType", None) else ""
        if clause == "applicability":
            what = f"gelijk aan {_fmt(value)}" if value is not None else filled
        else:
            what = f"gelijk zijn aan {_fmt(value)}" if value is not None else filled
        return f"Eigenschap {name}{typed} {verb} {what}"
    if kind == "Classification":
        parts = []
        if facet.system is not None:
            parts.append(f"systeem {_fmt(facet.system)}")
        if value is not None:
            parts.append(f"code {_fmt(value)}")
        target = " ".join(parts) or "een classificatie"
        return f"Classificatie met {target}" if clause == "applicability" else f"{verb.capitalize()} {target} hebben"
    if kind == "Material":
        target = f"materiaal {_fmt(value)}" if value is not None else "een materiaal"
        return f"Met {target}" if clause == "applicability" else f"{verb.capitalize()} {target} hebben"
    if kind == "PartOf":
        relation = f" via {facet.relation}" if getattr(facet, "relation", None) else ""
        target = _fmt(facet.name) if facet.name else "een geheel"
        return (
            f"Onderdeel van {target}{relation}"
            if clause == "applicability"
            else (f"{verb.capitalize()} onderdeel zijn van {target}{relation}")
        )
    try:
        return facet.to_string(clause, spec, facet)
    except Exception:  # a facet ifctester cannot phrase
        return kind


def _fmt(value: Any) -> str:
    """A facet parameter for people: ``'IFCWALL'``, ``een van 'A', 'B'``, ``patroon 'VG.*'``, ``>= 28``."""
    if value is None:
        return "(leeg)"
    options = getattr(value, "options", None)
    if options is None:
        return f"'{value}'"
    parts = []
    for key, val in options.items():
        vals = val if isinstance(val, list) else [val]
        if key == "enumeration":
            parts.append("een van " + ", ".join(f"'{v}'" for v in vals))
        elif key == "pattern":
            parts.append("patroon " + ", ".join(f"'{v}'" for v in vals))
        else:
            symbol = {
                "minInclusive": ">=",
                "maxInclusive": "<=",
                "minExclusive": ">",
                "maxExclusive": "<",
                "length": "lengte",
                "minLength": "lengte >=",
                "maxLength": "lengte <=",
            }.get(key, key)
            parts.append(f"{symbol} {vals[0]}")
    return " en ".join(parts) or "(elke waarde)"


_REASONS_NL = {
    ("Entity", "NAME"): "De IFC-klasse {actual} is niet de vereiste klasse",
    ("Entity", "PREDEFINEDTYPE"): "Het PredefinedType {actual} is niet het vereiste type",
    ("Attribute", "NOVALUE"): "Het vereiste attribuut bestaat niet",
    ("Attribute", "FALSEY"): "Het attribuut is leeg ({actual})",
    ("Attribute", "VALUE"): "De attribuutwaarde {actual} voldoet niet aan de eis",
    ("Attribute", "PROHIBITED"): "Het attribuut voldoet aan een verboden eis",
    ("Classification", "NOVALUE"): "Het element heeft geen classificatie",
    ("Classification", "VALUE"): "De classificatiecodes {actual} voldoen niet aan de eis",
    ("Classification", "SYSTEM"): "De classificatiesystemen {actual} voldoen niet aan de eis",
    ("Classification", "PROHIBITED"): "De classificatie voldoet aan een verboden eis",
    ("PartOf", "NOVALUE"): "Het element heeft de vereiste relatie niet",
    ("PartOf", "ENTITY"): "Het element hoort bij de verkeerde entiteit(en): {actual}",
    ("PartOf", "PREDEFINEDTYPE"): "Het element hoort bij een entiteit met het verkeerde PredefinedType {actual}",
    ("PartOf", "PROHIBITED"): "De relatie voldoet aan een verboden eis",
    ("Property", "NOPSET"): "De vereiste eigenschappenset ontbreekt",
    ("Property", "NOVALUE"): "De eigenschappenset bevat de vereiste eigenschap niet (of die is leeg)",
    ("Property", "DATATYPE"): "Het gegevenstype {actual} is niet het vereiste {dataType}",
    ("Property", "VALUE"): "De waarde {actual} voldoet niet aan de eis",
    ("Property", "PROHIBITED"): "De eigenschap voldoet aan een verboden eis",
    ("Material", "NOVALUE"): "Het element heeft geen materiaal",
    ("Material", "VALUE"): "De materiaalnamen en -categorieën {actual} voldoen niet aan de eis",
    ("Material", "PROHIBITED"): "Het materiaal voldoet aan een verboden eis",
}


def _reason_nl(facet: Any, outcome: Any) -> str:
    reason = getattr(outcome, "reason", None) or {}
    template = _REASONS_NL.get((type(facet).__name__, reason.get("type")))
    if template is None:
        return str(outcome) or "De eis is niet gehaald"
    actual = reason.get("actual")
    if isinstance(actual, (list, tuple, set)):
        actual = ", ".join(sorted(str(a) for a in actual if a is not None)) or "(geen)"
    return template.format(actual=f"'{actual}'", dataType=reason.get("dataType"))
