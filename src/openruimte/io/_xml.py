"""Safe, streaming XML for national-standard files (IMKL, BGT/IMGeo) and their GML geometry.

Every XML file is read with :func:`iter_members`, which

- never expands entities and never touches the network (lxml ``resolve_entities=False``,
  ``no_network=True``, ``load_dtd=False``, ``huge_tree=False``);
- refuses a document whose DTD declares entities (billion laughs, XXE) with an
  :class:`~openruimte.model.errors.InputError`;
- keeps memory bounded: it yields the features (the elements two levels below the
  root, e.g. ``gml:featureMember/imkl:Waterleiding``) one at a time and clears each
  one, with its preceding siblings, once the caller asks for the next;
- turns a malformed or truncated file into an error naming line and column, and an
  encoding mismatch into a hint to pass ``--encoding``.

The second half reads GML 3.1 / 3.2 geometries (points, lines, curves with arcs,
polygons, multi-geometries) into 2D shapely geometries in EPSG:28992.
"""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import IO, Any

from lxml import etree
from shapely.geometry import LinearRing, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from openruimte.io.crs import CRSError, normalise_crs
from openruimte.model.errors import InputError
from openruimte.model.geometry import RD_BOUNDS, outside_bounds

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
GML_NAMESPACES = ("http://www.opengis.net/gml", "http://www.opengis.net/gml/3.2")
GML_ID_ATTRIBUTES = tuple(f"{{{ns}}}id" for ns in GML_NAMESPACES)

_CHUNK = 1 << 16
_DECLARED_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_POSITION_SUFFIX = re.compile(r"(, line \d+)?, line \d+, column \d+$")

#: Called with the number of features read so far.
Progress = Callable[[int], None]


# --------------------------------------------------------------------------- streaming


def iter_members(
    stream: IO[bytes],
    name: str,
    *,
    encoding: str | None = None,
    on_root: Callable[[Any], None] | None = None,
) -> Iterator[Any]:
    """The elements two levels below the root, one at a time, each cleared after use.

    ``on_root`` sees the root element as soon as it starts (its tag and namespaces,
    no children yet) and may raise to refuse the document.
    """
    parser = etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        encoding="UTF-8" if encoding else None,
    )
    head = b""
    depth = 0
    for chunk in _chunks(stream, name, encoding):
        if len(head) < _CHUNK:
            head += chunk[: _CHUNK - len(head)]
        try:
            parser.feed(chunk)
            events = list(parser.read_events())
        except etree.XMLSyntaxError as err:
            raise _syntax_error(err, name, head, encoding, started=depth > 0) from None
        for event, elem in events:
            if event == "start":
                if depth == 0:
                    _refuse_entities(elem, name)
                    if on_root is not None:
                        on_root(elem)
                depth += 1
                continue
            depth -= 1
            if depth == 2:
                yield elem
                _release(elem)
            elif depth == 1:
                _release(elem)
    try:
        parser.close()
    except etree.XMLSyntaxError as err:
        raise _syntax_error(err, name, head, encoding, started=depth > 0) from None


def _chunks(stream: IO[bytes], name: str, encoding: str | None) -> Iterator[bytes]:
    """Raw bytes, or (with ``encoding``) the text re-encoded as UTF-8."""
    decoder = None
    if encoding:
        try:
            decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        except LookupError:
            raise InputError(f"unknown encoding '{encoding}'; use e.g. utf-8, cp1252 or latin-1", name) from None
    while True:
        chunk = stream.read(_CHUNK)
        if decoder is None:
            if not chunk:
                return
            yield chunk
            continue
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as err:
            raise InputError(f"the file is not valid {encoding}: {err.reason}; check --encoding", name) from None
        if text:
            yield text.encode("utf-8")
        if not chunk:
            return


def _release(elem: Any) -> None:
    """Free a finished element and the siblings before it."""
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    if parent is None:
        return
    while elem.getprevious() is not None:
        del parent[0]


def _refuse_entities(root: Any, name: str) -> None:
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is None:
        return
    declared = [entity.name for entity in dtd.iterentities()]
    if declared:
        raise InputError(_entities_message(declared), name)


def _entities_message(declared: list[str]) -> str:
    shown = f" ({', '.join(declared[:5])}{' ...' if len(declared) > 5 else ''})" if declared else ""
    return (
        f"the document type (DTD) declares entities{shown}; refused for safety "
        "(entity expansion and external entities can exhaust memory or read local files). "
        "National-standard GML never needs them: remove the <!DOCTYPE> block or ask the supplier for a clean file"
    )


def _prolog_declares_entities(head: bytes) -> bool:
    start = head.find(b"<!DOCTYPE")
    return start >= 0 and b"<!ENTITY" in _COMMENT.sub(b"", head[start:])


def _syntax_error(err: Any, name: str, head: bytes, encoding: str | None, *, started: bool) -> InputError:
    line, column = err.position if err.position else (None, None)
    where = f"line {line}, column {column}" if line else "the start"
    reason = _POSITION_SUFFIX.sub("", str(err.msg))
    if not started and _prolog_declares_entities(head):
        return InputError(_entities_message([]), name)
    if "unsupported encoding" in str(err.msg).lower():
        return InputError(f"{err.msg}; pass --encoding with the file's real encoding (e.g. utf-8 or cp1252)", name)
    if "encoding" in str(err.msg).lower() or "Bytes:" in str(err.msg):
        declared = _DECLARED_ENCODING.search(head)
        said = (
            f"{declared.group(1).decode('ascii')}, the encoding the file declares"
            if declared
            else "UTF-8, the XML default when a file declares no encoding"
        )
        return InputError(
            f"bytes at {where} are not valid {said}; the file was probably saved in another encoding: "
            "pass --encoding cp1252 (or latin-1) to read it",
            name,
        )
    if not head.strip():
        return InputError("the file is empty; expected an XML document", name)
    seen = what_it_is(head)
    if seen is not None:
        return InputError(f"this is {seen}, not XML (GML); {_FIX_FOR.get(seen, 'export it as GML')}", name)
    return InputError(
        f"malformed or truncated XML at {where}: {reason}; is the file complete? Download or export it again",
        name,
    )


#: what a file that should be XML turns out to be, by its first bytes
_SIGNATURES = (
    (b"SQLite format 3\x00", "a SQLite database (a GeoPackage?)"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"ISO-10303-21", "an IFC (STEP) file"),
    (b"\x00\x00\x27\x0a", "a shapefile"),
)
_FIX_FOR = {
    "a SQLite database (a GeoPackage?)": (
        "import a BGT GeoPackage with `openruimte import bgt FILE.gpkg` (its layers are read as BGT tables), "
        "other GeoPackages with `openruimte import assets|plans|... FILE.gpkg --layer NAME`"
    ),
    "a ZIP archive": "give the .zip a .zip extension, or unpack it and import the GML files inside",
    "a gzip-compressed file": "unpack it first (gunzip) and import the GML file",
    "an IFC (STEP) file": "import BIM models with `openruimte import ifc FILE --plan OWNER:ID`",
}


def what_it_is(head: bytes) -> str | None:
    """A name for what the first bytes of a file say it is, when that is not XML."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    for signature, name in _SIGNATURES:
        if start.startswith(signature):
            return name
    if start[:1] in (b"{", b"["):
        return "a JSON document (GeoJSON or CityJSON?)"
    return None


def refuse_unsupported_root(root: Any, name: str, expected_tag: str, supported: Mapping[str, str]) -> str:
    """The supported namespace the root declares, or an InputError listing what is supported."""
    declared = set(root.nsmap.values()) | {etree.QName(root).namespace}
    found = [ns for ns in supported if ns in declared]
    if etree.QName(root).localname == expected_tag and found:
        return found[0]
    listed = "; ".join(f"{label} ({ns})" for ns, label in supported.items())
    raise InputError(
        f"root element {root.tag} is not a supported {expected_tag}; supported: {listed}. "
        "Is this the right kind of file, or a newer version of the standard?",
        name,
    )


# --------------------------------------------------------------------------- element helpers


def local(elem: Any) -> str:
    """The tag without namespace."""
    return _local_name(elem.tag)


@lru_cache(maxsize=4096)
def _local_name(tag: str) -> str:
    return tag[tag.index("}") + 1 :] if tag[:1] == "{" else tag


def children(elem: Any, name: str) -> list[Any]:
    return [c for c in elem if local(c) == name]


def child(elem: Any, name: str) -> Any | None:
    for c in elem:
        if local(c) == name:
            return c
    return None


def find_text(elem: Any, *path: str) -> str | None:
    """Stripped text at a path of local names below ``elem``, or None."""
    node = elem
    for name in path:
        node = child(node, name)
        if node is None:
            return None
    text = (node.text or "").strip()
    return text or None


def gml_id(elem: Any) -> str | None:
    for attr in GML_ID_ATTRIBUTES:
        value = elem.get(attr)
        if value:
            return value
    return None


def href(elem: Any) -> str | None:
    """The xlink:href target without a leading '#', or None when empty."""
    value = (elem.get(XLINK_HREF) or "").strip()
    return value.lstrip("#") or None


def code(elem: Any) -> str | None:
    """A code-list value: the last path segment of xlink:href, else the text."""
    target = href(elem)
    if target:
        return target.rstrip("/").rsplit("/", 1)[-1] or None
    text = (elem.text or "").strip()
    return text or None


def nil_reason(elem: Any) -> str | None:
    """Why a value is absent (``xsi:nil``): the nilReason, '' when none is given; None when not nil."""
    if (elem.get(XSI_NIL) or "").strip().lower() not in ("true", "1"):
        return None
    return (elem.get("nilReason") or "").strip()


# --------------------------------------------------------------------------- GML geometry


class GeometryError(ValueError):
    """A GML geometry that cannot be read."""


_SPATIALREFERENCE = re.compile(r"^https?://spatialreference\.org/ref/epsg/(\d+)/?$", re.I)
_OGC_URN = re.compile(r"^urn:(?:x-)?ogc:def:crs:epsg:(?:[\d.]*:)?(\d+)$", re.I)
#: CRSs whose horizontal part is RD New.
_RD_ALIASES = {"EPSG:28992", "EPSG:7415"}

_POINTS = {"Point"}
_LINES = {"LineString", "Curve", "CompositeCurve", "OrientableCurve", "LineStringSegment", "Arc", "ArcString"}
_RINGS = {"LinearRing", "Ring"}
_SURFACES = {"Polygon", "Surface", "PolygonPatch", "CompositeSurface"}
_MULTI = {"MultiPoint", "MultiCurve", "MultiLineString", "MultiSurface", "MultiPolygon"}
GEOMETRY_TAGS = _POINTS | _LINES | _SURFACES | _MULTI


def crs_of_srs_name(srs_name: str) -> str:
    """``EPSG:N`` for a GML srsName in any spelling seen in Dutch files."""
    raw = srs_name.strip()
    for pattern in (_SPATIALREFERENCE, _OGC_URN):
        match = pattern.match(raw)
        if match:
            return f"EPSG:{int(match.group(1))}"
    return normalise_crs(raw)


def is_gml(elem: Any) -> bool:
    return _namespace(elem.tag) in GML_NAMESPACES


@lru_cache(maxsize=4096)
def _namespace(tag: str) -> str | None:
    return tag[1 : tag.index("}")] if tag[:1] == "{" else None


def geometry_element(prop: Any) -> Any | None:
    """The GML geometry element of a property (or the element itself)."""
    if is_gml(prop) and local(prop) in GEOMETRY_TAGS:
        return prop
    for c in prop:
        if is_gml(c) and local(c) in GEOMETRY_TAGS:
            return c
    return None


def read_geometry(prop: Any, default_srs: str | None = None) -> BaseGeometry:
    """The 2D geometry of a GML property or geometry element, in EPSG:28992.

    Raises :class:`GeometryError` saying what was expected.
    """
    geom_elem = geometry_element(prop)
    if geom_elem is None:
        raise GeometryError(f"expected a GML geometry in {local(prop)}, found none")
    srs = _inherited(geom_elem, "srsName") or default_srs
    if not srs:
        raise GeometryError("the geometry has no srsName and the file names no default CRS; expected EPSG:28992")
    try:
        crs = crs_of_srs_name(srs)
    except CRSError as err:
        raise GeometryError(f"srsName '{srs}': {err}") from None
    if crs not in _RD_ALIASES:
        raise GeometryError(f"srsName '{srs}' is {crs}; expected RD New (EPSG:28992), the CRS of Dutch national data")
    geom = _geometry(geom_elem)
    if geom.is_empty:
        raise GeometryError(f"the {local(geom_elem)} has no coordinates")
    if outside_bounds(geom, RD_BOUNDS):
        raise GeometryError(_outside_rd(geom, srs))
    return geom


def _outside_rd(geom: BaseGeometry, srs: str) -> str:
    minx, miny = geom.bounds[:2]
    looks = "; they look like longitude/latitude (WGS84)" if 2 <= minx <= 8 and 50 <= miny <= 56 else ""
    return (
        f"coordinates ({minx:.6g}, {miny:.6g}) lie outside RD New (x 0..300000, y 289000..629000) although "
        f"srsName '{srs}' says RD{looks}; the supplier must correct the file"
    )


def _inherited(elem: Any, attr: str) -> str | None:
    node = elem
    while node is not None:
        value = node.get(attr)
        if value:
            return value
        node = node.getparent()
    return None


def _geometry(elem: Any) -> BaseGeometry:
    name = local(elem)
    if name in _POINTS:
        coords = _positions(elem)
        if not coords:
            raise GeometryError("a point without a position")
        return Point(coords[0])
    if name in _LINES:
        return LineString(_line(elem))
    if name in _SURFACES:
        return _surface(elem)
    if name in _MULTI:
        return _multi(elem)
    raise GeometryError(f"unsupported GML geometry {name}; expected a point, curve or surface")


def _members(elem: Any) -> list[Any]:
    """GML elements under member properties (xxxMember, xxxMembers, patches, segments)."""
    return [c for prop in elem if is_gml(prop) for c in prop if is_gml(c)]


def _multi(elem: Any) -> BaseGeometry:
    parts = [_geometry(m) for m in _members(elem)]
    if local(elem) == "MultiPoint":
        return MultiPoint([p for p in parts if not p.is_empty])
    if local(elem) in ("MultiCurve", "MultiLineString"):
        return MultiLineString([p for p in parts if not p.is_empty])
    polygons = [q for p in parts for q in getattr(p, "geoms", [p])]
    return MultiPolygon(polygons)


def _surface(elem: Any) -> BaseGeometry:
    name = local(elem)
    if name in ("Polygon", "PolygonPatch"):
        return _polygon(elem)
    polygons = [_geometry(m) for m in _members(elem)]
    flat = [q for p in polygons for q in getattr(p, "geoms", [p])]
    return flat[0] if len(flat) == 1 else MultiPolygon(flat)


def _polygon(elem: Any) -> Polygon:
    exterior = None
    holes = []
    for prop in elem:
        rings = [c for c in prop if local(c) in _RINGS]
        if not rings:
            continue
        if local(prop) in ("exterior", "outerBoundaryIs"):
            exterior = _ring(rings[0])
        elif local(prop) in ("interior", "innerBoundaryIs"):
            holes.append(_ring(rings[0]))
    if exterior is None:
        raise GeometryError("a polygon without an exterior ring")
    return Polygon(exterior, holes)


def _ring(elem: Any) -> list[tuple[float, float]]:
    coords = _line(elem) if local(elem) == "Ring" else _positions(elem)
    if len(coords) < 4 or coords[0] != coords[-1]:
        raise GeometryError(f"a ring needs at least 4 positions and must close, got {len(coords)}")
    LinearRing(coords)  # raises on nonsense coordinates
    return coords


def _line(elem: Any) -> list[tuple[float, float]]:
    """Positions of a curve-like element, arcs made into straight segments."""
    name = local(elem)
    if name in ("LineString", "LineStringSegment", "LinearRing"):
        return _positions(elem)
    if name in ("Arc", "ArcString"):
        return _arc_string(_positions(elem))
    if name == "OrientableCurve":
        base = _members(elem)
        coords = _line(base[0]) if base else []
        return coords[::-1] if elem.get("orientation") == "-" else coords
    if name not in ("Curve", "CompositeCurve", "Ring"):
        raise GeometryError(f"unsupported GML curve segment {name}; expected line strings and arcs")
    out: list[tuple[float, float]] = []
    for part in _members(elem):  # Curve segments, CompositeCurve and Ring curve members
        coords = _line(part)
        out.extend(coords[1:] if out and coords and coords[0] == out[-1] else coords)
    return out


def _positions(elem: Any) -> list[tuple[float, float]]:
    """2D positions of posList, pos or coordinates children."""
    dim = _dimension(_inherited(elem, "srsDimension"))
    values: list[float] = []
    for c in elem:
        name = local(c)
        if name in ("posList", "pos"):
            own = c.get("srsDimension")
            values.extend(_xy(_numbers(c.text), _dimension(own) if own else dim))
        elif name == "coordinates":
            for pair in (c.text or "").split():
                values.extend(float(v) for v in pair.split(",")[:2])
        elif name == "pointProperty":
            point = geometry_element(c)
            if point is not None:
                values.extend(_positions(point)[0])
    return list(zip(values[0::2], values[1::2], strict=True))


def _dimension(value: str | None) -> int:
    if value is None:
        return 2
    if value.strip() not in ("2", "3"):
        raise GeometryError(f"srsDimension '{value}' is not supported; expected 2 or 3")
    return int(value)


def _numbers(text: str | None) -> list[float]:
    try:
        return [float(v) for v in (text or "").split()]
    except ValueError as err:
        raise GeometryError(f"coordinates are not numbers: {err}") from None


def _xy(numbers: list[float], step: int) -> list[float]:
    if len(numbers) % step:
        raise GeometryError(f"{len(numbers)} numbers do not make positions of dimension {step}")
    out: list[float] = []
    for i in range(0, len(numbers), step):
        out.extend(numbers[i : i + 2])
    return out


#: Largest distance between an arc and its straight segments.
ARC_TOLERANCE_M = 0.005


def _arc_string(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Straight segments along each arc of three points (start, on the arc, end)."""
    if len(points) < 3 or len(points) % 2 == 0:
        raise GeometryError(f"an arc needs an odd number (>= 3) of positions, got {len(points)}")
    out = [points[0]]
    for i in range(0, len(points) - 2, 2):
        out.extend(_arc(points[i], points[i + 1], points[i + 2])[1:])
    return out


def _arc(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> list[tuple[float, float]]:
    (ax, ay), (bx, by), (cx, cy) = a, b, c
    d = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by))
    if abs(d) < 1e-12:
        return [a, b, c]  # collinear: a straight line
    ux = ((ax**2 + ay**2) * (by - cy) + (bx**2 + by**2) * (cy - ay) + (cx**2 + cy**2) * (ay - by)) / d
    uy = ((ax**2 + ay**2) * (cx - bx) + (bx**2 + by**2) * (ax - cx) + (cx**2 + cy**2) * (bx - ax)) / d
    radius = math.hypot(ax - ux, ay - uy)
    start, mid, end = (math.atan2(p[1] - uy, p[0] - ux) for p in (a, b, c))
    sweep = (end - start) % (2 * math.pi)
    if (mid - start) % (2 * math.pi) > sweep:  # the arc runs clockwise
        sweep -= 2 * math.pi
    step = 2 * math.acos(1 - ARC_TOLERANCE_M / radius) if radius > ARC_TOLERANCE_M else math.pi / 8
    n = min(1000, max(2, math.ceil(abs(sweep) / step)))
    angles = (start + sweep * k / n for k in range(1, n))
    return [a, *((ux + radius * math.cos(t), uy + radius * math.sin(t)) for t in angles), c]
