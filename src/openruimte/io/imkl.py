"""KLIC deliveries in IMKL (IMKL2015 v1.2 and IMKL 2.0) as external assets.

A delivery holds utility networks (``Utiliteitsnet``, each with a theme), their
cables and pipes (``Elektriciteitskabel``, ``Waterleiding`` ...; the geometry sits on
the linked ``UtilityLink``), containers (``Mantelbuis``, ``Kabelbed``, ``Duct``),
point elements (``Appurtenance``, ``Mast``, ``Kast`` ...), depth objects and map
furniture. Cables, pipes, containers and point elements become
:class:`~openruimte.model.Asset` objects; every other feature is counted in
``ReadResult.summary`` and named in a warning, never dropped silently.

Asset type: from the network theme (:data:`THEME_ASSET_TYPES`), so that an
electricity cable that belongs to a gas network (cathodic protection) is part of
the gas system. Sewer themes are refined by the pipe's ``sewerWaterType``; themes
without a code of their own (``overig``, ``wees``) fall back to the element class
(:data:`CLASS_ASSET_TYPES`) and then to the network's INSPIRE type; an element that
still has none is reported and not imported. ``buisleidingGevaarlijkeInhoud`` and
``petrochemie`` map to ``gas``: the vocabulary has no oil/chemicals code and these
pipelines share the gas pipelines' hazard rules; the theme stays in
``attributes['thema']``.

Depth: a ``DiepteTovMaaiveld`` / ``DiepteNAP`` object names only its network; it is
attached to the cables and pipes of that network that pass within
:data:`DEPTH_MATCH_M` of its point. ``depth_m`` is the shallowest depth below ground
(a NAP depth counts when the ground level is given too); all depths are kept in
``attributes['depths']``. The network's ``standaardDieptelegging`` is a default,
not a measurement: it is kept as ``attributes['standard_depth_m']`` only.

KLIC information may by law (WIBON) only be used for the excavation it was asked
for, so the assets are imported with visibility ``private``.

Large files: with a ``sink`` the reader streams in bounded memory, in two passes
(context and UtilityLink geometry first, then the elements in batches); the assets,
errors and warnings are the same as when the file is read whole. A 1 GB delivery
reads in about 140 MB RSS (bench/import_memory.py).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import tempfile
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

import shapely
from shapely.geometry import LineString, MultiLineString
from shapely.geometry.base import BaseGeometry

from openruimte.io import _xml
from openruimte.io.exchange import ReadResult
from openruimte.model import Asset, InputError, RecordInvalid, RowError
from openruimte.model.geometry import STORAGE_CRS
from openruimte.model.vocab import Visibility

IMKL2015_NS = "http://www.geostandaarden.nl/imkl/2015/wion/1.2"
IMKL2_NS = "http://www.geostandaarden.nl/imkl/wibon"
SUPPORTED = {IMKL2015_NS: "IMKL2015 v1.2", IMKL2_NS: "IMKL 2.0"}

#: Network theme (IMKL ``Thema``) -> asset type; None: decided by the element class.
THEME_ASSET_TYPES: dict[str, str | None] = {
    "water": "drinkwater",
    "rioolVrijverval": "gemengd_riool",
    "rioolOnderOverOfOnderdruk": "gemengd_riool",
    "gasLageDruk": "gas",
    "gasHogeDruk": "gas",
    "buisleidingGevaarlijkeInhoud": "gas",
    "petrochemie": "gas",
    "laagspanning": "elektriciteit",
    "middenspanning": "elektriciteit",
    "hoogspanning": "elektriciteit",
    "landelijkHoogspanningsnet": "elektriciteit",
    "datatransport": "telecom",
    "warmte": "warmte",
    "overig": None,
    "wees": None,
}
#: ``sewerWaterType`` of a sewer pipe -> the more specific sewer code.
SEWER_ASSET_TYPES = {"combined": "gemengd_riool", "storm": "hemelwaterafvoer", "sanitary": "droogweerafvoer"}
#: Element class -> asset type, for themes without a code of their own.
CLASS_ASSET_TYPES = {
    "Elektriciteitskabel": "elektriciteit",
    "Telecommunicatiekabel": "telecom",
    "Waterleiding": "drinkwater",
    "Rioolleiding": "gemengd_riool",
    "OlieGasChemicalienPijpleiding": "gas",
    "ThermischePijpleiding": "warmte",
}
#: INSPIRE ``utilityNetworkType`` of the network -> asset type (last resort).
NETWORK_ASSET_TYPES = {
    "electricity": "elektriciteit",
    "oilGasChemical": "gas",
    "sewer": "gemengd_riool",
    "telecommunications": "telecom",
    "thermal": "warmte",
    "water": "drinkwater",
}
#: ``appurtenanceType`` values with an asset type of their own.
APPURTENANCE_ASSET_TYPES = {"streetLight": "openbare_verlichting", "kolk": "hemelwaterafvoer"}

#: Cables, pipes and containers: lines, geometry on the linked UtilityLinks.
LINE_ELEMENTS = frozenset(
    {*CLASS_ASSET_TYPES, "Overig", "Mantelbuis", "Kabelbed", "Duct"},
)
#: Point elements with a geometry of their own.
POINT_ELEMENTS = frozenset({"Appurtenance", "Toren", "Mast", "Mangat", "Kast", "TechnischGebouw"})
DEPTH_KINDS = frozenset({"DiepteTovMaaiveld", "DiepteNAP"})
#: Features that are not assets, with the reason shown in the warning.
NOT_ASSETS = {
    "Utiliteitsnet": "networks (they give the theme)",
    "UtilityLink": "geometry of the cables and pipes",
    "DiepteTovMaaiveld": "depths (attached to the cable or pipe they lie on)",
    "DiepteNAP": "depths (attached to the cable or pipe they lie on)",
    "Annotatie": "map annotation",
    "Maatvoering": "dimensioning",
    "ExtraGeometrie": "extra geometry of another element",
    "ExtraDetailinfo": "references to documents (profile and connection sketches)",
    "EigenTopografie": "the operator's own topography",
    "AanduidingEisVoorzorgsmaatregel": "precaution zones",
    "Beheerder": "delivery administration",
    "Belang": "delivery administration",
    "Belanghebbende": "delivery administration",
    "Bijlage": "delivery administration",
    "GebiedsinformatieLevering": "delivery administration",
    "GebiedsinformatieAanvraag": "delivery administration",
    "Graafpolygoon": "delivery administration",
}
#: A depth point attaches to cables and pipes of its network within this distance.
DEPTH_MATCH_M = 1.0

_GEOMETRY_PROPERTIES = ("centrelineGeometry", "geometry", "ligging")
_OPERATOR_CODE = re.compile(r"^[A-Za-z]{2}\d{4}$")
_LENGTH_UNITS = {"mm": 0.001, "cm": 0.01, "dm": 0.1, "m": 1.0, "km": 1000.0}
_PROGRESS_EVERY = 500


class _Value(NamedTuple):
    text: str | None
    code: str | None
    uom: str | None
    nil: str | None


@dataclass(slots=True)
class _Feature:
    """What the reader keeps of one feature once its XML is released."""

    index: int
    kind: str
    gml_id: str | None
    local_id: str | None
    line: int | None
    values: dict[str, _Value]
    refs: dict[str, list[str]]
    geometry: BaseGeometry | None = None
    geometry_error: str | None = None

    @property
    def label(self) -> str:
        return f"{self.kind} {self.gml_id or self.local_id or '(no id)'} (line {self.line})"

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return value.text if value else None

    def code(self, name: str) -> str | None:
        value = self.values.get(name)
        return value.code if value else None

    def ref(self, name: str) -> str | None:
        targets = self.refs.get(name)
        return targets[0] if targets else None


@dataclass
class _Delivery:
    """The features of one file, indexed for resolving references.

    Read whole (no sink) it holds every feature. Streamed, it holds only the
    context the assets need (networks, depth objects, operators, the delivery date)
    and the UtilityLink geometries sit in ``links``.
    """

    name: str
    version: str = ""
    features: list[_Feature] = field(default_factory=list)
    by_id: dict[str, _Feature] = field(default_factory=dict)
    default_srs: str | None = None
    links: _Links | None = None

    def add(self, feature: _Feature) -> None:
        self.features.append(feature)
        if feature.gml_id:
            self.by_id.setdefault(feature.gml_id, feature)

    def of_kind(self, *kinds: str) -> list[_Feature]:
        return [f for f in self.features if f.kind in kinds]

    def link(self, link_id: str) -> tuple[BaseGeometry | None, str | None] | None:
        """The geometry of the feature a ``net:link`` names, or why it has none; None: no such feature."""
        if self.links is not None:
            return self.links.get(link_id)
        feature = self.by_id.get(link_id)
        return None if feature is None else (feature.geometry, feature.geometry_error)


def read_imkl(
    path: str | Path,
    *,
    owner: str | None = None,
    snapshot_date: dt.date | str | None = None,
    progress: _xml.Progress | None = None,
    encoding: str | None = None,
    sink: Callable[[list[Asset]], None] | None = None,
    batch_size: int = 5000,
) -> ReadResult:
    """Cables, pipes and network elements of a KLIC delivery (IMKL GML, or the delivery zip) as assets.

    ``owner`` defaults to the network operator's code (bronhoudercode, lower-case);
    ``encoding`` overrides the one the XML declares. Raises :class:`InputError` for
    a file that cannot be read safely or is not IMKL.

    With a ``sink`` the file is streamed in bounded memory (see :func:`_stream`):
    the assets go to ``sink`` in lists of up to ``batch_size`` and
    ``ReadResult.items`` stays empty; once an error is found no further batch is
    handed over (the import will be refused anyway), but reading goes on so that
    every error is reported. ``progress`` gets the running count of features read.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such file: {path}", path.name)
    if sink is not None:
        return _stream(path, owner, snapshot_date, progress, encoding, _Batches(sink, batch_size))
    with _open_delivery(path) as (name, stream):
        delivery = _read_delivery(name, stream, progress, encoding)
    result = ReadResult(kind="assets", source=name, crs=STORAGE_CRS, rows=len(delivery.features))
    result.summary = dict(Counter(f.kind for f in delivery.features))
    snapshot = _snapshot_date(delivery, snapshot_date, result)
    records = _asset_records(delivery, owner, snapshot, result)
    _attach_depths(delivery, records, result)
    _report_skipped(delivery.name, result.summary, result)
    for feature, record in records:
        asset = _asset(feature, record, result.source, result.errors)
        if asset is not None:
            result.items.append(asset)
    return result


# --------------------------------------------------------------------------- reading


@contextmanager
def _open_delivery(path: Path) -> Iterator[tuple[str, IO[bytes]]]:
    """The IMKL XML of a file, or of a KLIC delivery zip (its ``GI_*.xml``, else its one .xml)."""
    if not zipfile.is_zipfile(path):
        with path.open("rb") as stream:
            yield path.name, stream
        return
    with zipfile.ZipFile(path) as archive:
        xml = [n for n in archive.namelist() if n.lower().endswith(".xml")]
        chosen = [n for n in xml if Path(n).name.startswith("GI_")] or xml
        if len(chosen) != 1:
            found = ", ".join(chosen) or "none"
            raise InputError(
                f"expected one IMKL .xml (GI_*.xml) in the zip, found: {found}; unzip it and pick one", path.name
            )
        with archive.open(chosen[0]) as stream:
            yield f"{path.name}/{chosen[0]}", stream


def _read_delivery(name: str, stream: IO[bytes], progress: _xml.Progress | None, encoding: str | None) -> _Delivery:
    delivery = _Delivery(name=name)
    for index, elem in _members(delivery, stream, encoding):
        delivery.add(_feature(elem, index, delivery.default_srs))
        if progress is not None and index % _PROGRESS_EVERY == 0:
            progress(index)
    if progress is not None:
        progress(len(delivery.features))
    return delivery


def _members(delivery: _Delivery, stream: IO[bytes], encoding: str | None) -> Iterator[tuple[int, Any]]:
    """(1-based feature number, element) of each feature; sets the delivery's version and default CRS."""
    name = delivery.name

    def on_root(root: Any) -> None:
        namespace = _xml.refuse_unsupported_root(root, name, "FeatureCollection", SUPPORTED)
        delivery.version = SUPPORTED[namespace]

    index = 0
    for elem in _xml.iter_members(stream, name, encoding=encoding, on_root=on_root):
        if _xml.local(elem) == "Envelope":
            delivery.default_srs = elem.get("srsName") or delivery.default_srs
            continue
        index += 1
        yield index, elem


# --------------------------------------------------------------------------- streaming

#: Kinds pass 1 keeps whole: what an asset needs besides its own XML and its links.
_CONTEXT_KINDS = frozenset({"Utiliteitsnet", "Beheerder", "GebiedsinformatieLevering", *DEPTH_KINDS})
#: A cable or pipe this close to a depth object of its network waits for all depths to be matched.
_HOLD_M = DEPTH_MATCH_M + 0.01
#: UtilityLink geometries kept in memory up to about this many bytes, then moved to a temporary SQLite file.
LINK_MEMORY_BYTES = 256 * 1024 * 1024
_ENTRY_OVERHEAD = 160  # bytes a dict entry with its key and value objects costs beyond their content


def _stream(
    path: Path,
    owner: str | None,
    snapshot_date: dt.date | str | None,
    progress: _xml.Progress | None,
    encoding: str | None,
    batches: _Batches,
) -> ReadResult:
    """Read a delivery in bounded memory, in two passes over the file.

    Pass 1 keeps the context (networks, depth objects, operators, delivery date),
    counts every feature, and stores each UtilityLink's geometry as WKB (in memory,
    in a temporary SQLite file past :data:`LINK_MEMORY_BYTES`): networks and links
    may come before or after the elements that name them. Should an element name
    a link that is no UtilityLink, one more pass looks for those ids. Pass 2 builds
    the assets element by element, exactly as the whole-file reader does, and hands
    them on in batches. Cables and pipes within reach of a depth object of their
    network are held back until all are read (depth goes to the nearest ones), then
    sent last. Memory: the context, the links, the ids seen (duplicate check), one
    batch and the held-back elements.
    """
    with _Links() as links:
        context = _pass_one(path, encoding, links)
        name = context.name
        result = ReadResult(kind="assets", source=name, crs=STORAGE_CRS, rows=context.rows, summary=context.summary)
        snapshot = _snapshot_date(context.delivery, snapshot_date, result)
        builder = _Builder(context.delivery, owner, snapshot, result)
        depths = _DepthIndex(context.delivery.of_kind(*DEPTH_KINDS))
        batches.start(result)
        held: list[tuple[_Feature, dict[str, Any]]] = []
        with _open_delivery(path) as (_, stream):
            reader = _Delivery(name=name)
            for index, elem in _members(reader, stream, encoding):
                if progress is not None and index % _PROGRESS_EVERY == 0:
                    progress(index)
                if _xml.local(elem) not in LINE_ELEMENTS | POINT_ELEMENTS:
                    continue
                feature = _feature(elem, index, reader.default_srs)
                record = builder.record(feature)
                if record is None:
                    continue
                if feature.kind in LINE_ELEMENTS and depths.near(feature, record["geometry"]):
                    held.append((feature, record))
                else:
                    batches.add(feature, record)
        if progress is not None:
            progress(context.rows)
    builder.report_unmapped()
    _attach_depths(context.delivery, held, result)
    _report_skipped(name, result.summary, result)
    for feature, record in held:
        batches.add(feature, record)
    batches.finish()
    return result


@dataclass
class _Context:
    """What pass 1 found."""

    name: str
    delivery: _Delivery
    rows: int
    summary: dict[str, int]


def _pass_one(path: Path, encoding: str | None, links: _Links) -> _Context:
    waiting: set[str] = set()  # link ids named before a UtilityLink with that id was read
    summary: dict[str, int] = {}
    rows = 0
    with _open_delivery(path) as (name, stream):
        delivery = _Delivery(name=name, links=links)
        for rows, elem in _members(delivery, stream, encoding):
            kind = _xml.local(elem)
            summary[kind] = summary.get(kind, 0) + 1
            if kind == "UtilityLink":
                link_id = _xml.gml_id(elem)
                if link_id and link_id not in links:
                    feature = _feature(elem, rows, delivery.default_srs)
                    links.add(link_id, feature.geometry, feature.geometry_error)
                    waiting.discard(link_id)
            elif kind in LINE_ELEMENTS:
                waiting.update(ref for ref in _link_refs(elem) if ref not in links)
            elif kind in _CONTEXT_KINDS:
                delivery.add(_feature(elem, rows, delivery.default_srs))
    if waiting:
        _resolve(path, encoding, waiting, links)
    return _Context(name, delivery, rows, summary)


def _resolve(path: Path, encoding: str | None, wanted: set[str], links: _Links) -> None:
    """The features that links name but that are no UtilityLink: their geometry, or why there is none."""
    with _open_delivery(path) as (name, stream):
        reader = _Delivery(name=name)
        for index, elem in _members(reader, stream, encoding):
            link_id = _xml.gml_id(elem)
            if link_id in wanted:
                feature = _feature(elem, index, reader.default_srs)
                links.add(link_id, feature.geometry, feature.geometry_error)
                wanted.discard(link_id)
                if not wanted:
                    return


def _link_refs(elem: Any) -> list[str]:
    """The local ``net:link`` targets of an element, as :func:`_feature` reads them."""
    out = []
    for prop in elem:
        if _xml.local(prop) == "link":
            target = _xml.href(prop)
            if target and not target.startswith(("http://", "https://")):
                out.append(target)
    return out


class _Links:
    """UtilityLink geometry (WKB) or the reason it has none, by gml:id; the first of an id counts.

    Kept in a dict until about :data:`LINK_MEMORY_BYTES`, then in a temporary SQLite
    file that is deleted when closed.
    """

    def __init__(self, limit: int | None = None) -> None:
        self.limit = LINK_MEMORY_BYTES if limit is None else limit
        self.memory: dict[str, bytes | str] = {}
        self.size = 0
        self.db: sqlite3.Connection | None = None
        self.folder: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> _Links:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __contains__(self, link_id: str) -> bool:
        if link_id in self.memory:
            return True
        return self.db is not None and self._row(link_id) is not None

    def add(self, link_id: str, geometry: BaseGeometry | None, error: str | None) -> None:
        value: bytes | str = shapely.to_wkb(geometry) if geometry is not None else str(error)
        if self.db is not None:
            self.db.execute("INSERT OR IGNORE INTO links VALUES (?, ?)", (link_id, value))
            return
        if link_id in self.memory:
            return
        self.memory[link_id] = value
        self.size += len(link_id) + len(value) + _ENTRY_OVERHEAD
        if self.size > self.limit:
            self._spill()

    def get(self, link_id: str) -> tuple[BaseGeometry | None, str | None] | None:
        value = self.memory.get(link_id) if self.db is None else self._row(link_id)
        if value is None:
            return None
        return (shapely.from_wkb(value), None) if isinstance(value, bytes) else (None, value)

    @property
    def on_disk(self) -> bool:
        return self.db is not None

    def _row(self, link_id: str) -> bytes | str | None:
        assert self.db is not None
        row = self.db.execute("SELECT value FROM links WHERE id = ?", (link_id,)).fetchone()
        return None if row is None else row[0]

    def _spill(self) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="openruimte-imkl-")
        self.db = sqlite3.connect(Path(self.folder.name) / "links.db")
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE links (id TEXT PRIMARY KEY, value) WITHOUT ROWID")
        self.db.executemany("INSERT INTO links VALUES (?, ?)", self.memory.items())
        self.memory = {}
        self.size = 0

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None


class _DepthIndex:
    """Depth objects by network, to tell which cables and pipes they may attach to."""

    def __init__(self, depths: list[_Feature]) -> None:
        points: dict[str, list[BaseGeometry]] = defaultdict(list)
        for depth in depths:
            if depth.geometry is not None:
                points[depth.ref("inNetwork") or ""].append(depth.geometry)
        self.trees = {network: shapely.STRtree(geoms) for network, geoms in points.items()}

    def near(self, feature: _Feature, geometry: BaseGeometry) -> bool:
        """Whether a depth object of the element's network lies within reach (a little beyond DEPTH_MATCH_M)."""
        tree = self.trees.get(feature.ref("inNetwork") or "")
        return tree is not None and len(tree.query(geometry, predicate="dwithin", distance=_HOLD_M)) > 0


class _Batches:
    """Assets on their way to a sink, in lists of ``size``; none once an error is known."""

    def __init__(self, sink: Callable[[list[Asset]], None], size: int) -> None:
        self.sink = sink
        self.size = max(1, int(size))
        self.batch: list[Asset] = []
        self.errors: list[RowError] = []
        self.result: ReadResult | None = None

    def start(self, result: ReadResult) -> None:
        self.result = result

    def add(self, feature: _Feature, record: dict[str, Any]) -> None:
        assert self.result is not None
        asset = _asset(feature, record, self.result.source, self.errors)
        if asset is not None:
            self.batch.append(asset)
            if len(self.batch) >= self.size:
                self.flush()

    def flush(self) -> None:
        assert self.result is not None
        batch, self.batch = self.batch, []
        if batch and not self.result.errors and not self.errors:
            self.sink(batch)

    def finish(self) -> None:
        """Send the last batch; the record errors go last, in file order, as when read whole."""
        assert self.result is not None
        self.flush()
        self.result.errors.extend(sorted(self.errors, key=lambda e: e.row or 0))


# --------------------------------------------------------------------------- features


def _feature(elem: Any, index: int, default_srs: str | None) -> _Feature:
    kind = _xml.local(elem)
    feature = _Feature(
        index=index,
        kind=kind,
        gml_id=_xml.gml_id(elem),
        local_id=_xml.find_text(elem, "inspireId", "Identifier", "localId")
        or _xml.find_text(elem, "identificatie", "NEN3610ID", "lokaalID"),
        line=elem.sourceline,
        values={},
        refs=defaultdict(list),
    )
    for prop in elem:
        name = _xml.local(prop)
        target = _xml.href(prop)
        if target and not target.startswith(("http://", "https://")):
            feature.refs[name].append(target)
        else:
            feature.values[name] = _Value(_own_text(prop), _xml.code(prop), prop.get("uom"), _xml.nil_reason(prop))
    if kind == "Beheerder":
        feature.values["naam"] = _Value(_xml.find_text(elem, "organisatie", "Organisatie", "naam"), None, None, None)
    if kind in LINE_ELEMENTS or kind in POINT_ELEMENTS or kind in DEPTH_KINDS or kind == "UtilityLink":
        _read_geometry(elem, feature, default_srs)
    return feature


def _own_text(elem: Any) -> str | None:
    text = (elem.text or "").strip()
    return text or None


def _read_geometry(elem: Any, feature: _Feature, default_srs: str | None) -> None:
    for name in _GEOMETRY_PROPERTIES:
        prop = _xml.child(elem, name)
        if prop is None:
            continue
        try:
            feature.geometry = _xml.read_geometry(prop, default_srs)
        except _xml.GeometryError as err:
            feature.geometry_error = f"{name}: {err}"
        return


# --------------------------------------------------------------------------- assets


def _asset_records(
    delivery: _Delivery, owner: str | None, snapshot: str | None, result: ReadResult
) -> list[tuple[_Feature, dict[str, Any]]]:
    builder = _Builder(delivery, owner, snapshot, result)
    out: list[tuple[_Feature, dict[str, Any]]] = []
    for feature in delivery.of_kind(*LINE_ELEMENTS, *POINT_ELEMENTS):
        record = builder.record(feature)
        if record is not None:
            out.append((feature, record))
    builder.report_unmapped()
    return out


class _Builder:
    """Asset records of network elements, one at a time, in file order; errors go to the result."""

    def __init__(self, delivery: _Delivery, owner: str | None, snapshot: str | None, result: ReadResult) -> None:
        self.delivery = delivery
        self.owner = owner
        self.snapshot = snapshot
        self.result = result
        self.operators = _operators(delivery)
        self.seen: dict[str, int] = {}
        self.unmapped = 0
        self.unmapped_ids: list[str] = []

    def record(self, feature: _Feature) -> dict[str, Any] | None:
        """The record of one element; None when it has no asset type, no geometry or a duplicate id."""
        delivery = self.delivery
        network = delivery.by_id.get(feature.ref("inNetwork") or "")
        asset_type = _asset_type(feature, network)
        if asset_type is None:
            self.unmapped += 1
            if len(self.unmapped_ids) < 10:
                self.unmapped_ids.append(feature.gml_id or feature.local_id or str(feature.index))
            return None
        record = _record(feature, network, asset_type, delivery, self.operators, self.snapshot)
        record["owner"] = self.owner or _operator_code(feature).lower() or None
        geometry = _element_geometry(feature, delivery, self.result)
        if geometry is None:
            return None
        record["geometry"] = geometry
        if _is_duplicate(feature, record["id"], self.seen, delivery.name, self.result):
            return None
        return record

    def report_unmapped(self) -> None:
        if not self.unmapped:
            return
        self.result.warnings.append(
            f"{self.delivery.name}: {self.unmapped} element(s) not imported: their theme and class have no asset "
            f"type in the vocabulary (e.g. theme 'overig' with class Overig): {', '.join(self.unmapped_ids)}"
        )


def _asset_type(feature: _Feature, network: _Feature | None) -> str | None:
    theme = network.code("thema") if network else None
    asset_type = THEME_ASSET_TYPES.get(theme or "")
    if asset_type == "gemengd_riool":
        asset_type = SEWER_ASSET_TYPES.get(feature.code("sewerWaterType") or "", asset_type)
    if feature.kind == "Appurtenance":
        asset_type = APPURTENANCE_ASSET_TYPES.get(feature.code("appurtenanceType") or "", asset_type)
    if asset_type is None:
        asset_type = CLASS_ASSET_TYPES.get(feature.kind)
    if asset_type is None and network is not None:
        asset_type = NETWORK_ASSET_TYPES.get(network.code("utilityNetworkType") or "")
    return asset_type


def _record(
    feature: _Feature,
    network: _Feature | None,
    asset_type: str,
    delivery: _Delivery,
    operators: dict[str, str],
    snapshot: str | None,
) -> dict[str, Any]:
    code = _operator_code(feature)
    attributes = {
        "source": "KLIC",
        "imkl_version": delivery.version,
        "imkl_type": feature.kind,
        "gml_id": feature.gml_id,
        "snapshot_date": snapshot,
        "netbeheerder_code": code or None,
        "netbeheerder": operators.get(code),
        "network_id": network.gml_id if network else feature.ref("inNetwork"),
        "thema": network.code("thema") if network else None,
        "standard_depth_m": _length_m(network.values.get("standaardDieptelegging")) if network else None,
        **_properties(feature),
    }
    return {
        "id": feature.local_id or feature.gml_id,
        "asset_type": asset_type,
        "name": feature.text("label"),
        "material": feature.code("buismateriaalType") or feature.code("telecommunicationsCableMaterialType"),
        "install_year": _year(feature.text("validFrom")),
        "diameter_mm": _diameter_mm(feature),
        "visibility": Visibility.PRIVATE,
        "attributes": {k: v for k, v in attributes.items() if v not in (None, "", {})},
    }


def _properties(feature: _Feature) -> dict[str, Any]:
    """Element properties kept as attributes (absent and nil values left out)."""
    width = _length_m(feature.values.get("ductWidth"))
    voltage = _number(feature.values.get("nominalVoltage"))
    return {
        "status": feature.code("currentStatus"),
        "vertical_position": feature.text("verticalPosition"),
        "appurtenance_type": feature.code("appurtenanceType"),
        "sewer_water_type": feature.code("sewerWaterType"),
        "product_type": feature.code("oilGasChemicalsProductType") or feature.text("producttype"),
        "pressure_bar": _number(feature.values.get("pressure")),
        "voltage_v": voltage if voltage and voltage > 0 else None,
        "width_mm": round(width * 1000, 1) if width and width > 0 else None,
        "description": feature.text("omschrijving"),
        "nil_reasons": {k: v.nil or "unspecified" for k, v in feature.values.items() if v.nil is not None},
    }


def _operator_code(feature: _Feature) -> str:
    """The network operator's code (bronhoudercode) that starts every IMKL identifier."""
    for candidate in (feature.local_id, (feature.gml_id or "").removeprefix("nl.imkl-")):
        head = (candidate or "").split(".", 1)[0]
        if _OPERATOR_CODE.match(head):
            return head
    return ""


def _operators(delivery: _Delivery) -> dict[str, str]:
    """bronhoudercode -> organisation name, from IMKL 2.0 ``Beheerder`` features."""
    out = {}
    for feature in delivery.of_kind("Beheerder"):
        code, name = feature.text("bronhoudercode"), feature.text("naam")
        if code and name:
            out[code] = name
    return out


def _element_geometry(feature: _Feature, delivery: _Delivery, result: ReadResult) -> BaseGeometry | None:
    if feature.kind in POINT_ELEMENTS:
        if feature.geometry is None:
            _error(result, delivery, feature, feature.geometry_error or "no geometry", "geometry")
        return feature.geometry
    lines: list[BaseGeometry] = []
    for link_id in feature.refs.get("link", []):
        link = delivery.link(link_id)
        if link is None or link[0] is None:
            problem = link[1] if link else "is not in the file; the delivery is incomplete"
            _error(result, delivery, feature, f"UtilityLink {link_id}: {problem}", "link", link_id)
            return None
        lines.append(link[0])
    if not lines:
        _error(result, delivery, feature, "no net:link to a UtilityLink, so no geometry", "link")
        return None
    return lines[0] if len(lines) == 1 else MultiLineString([g for line in lines for g in _parts(line)])


def _parts(geom: BaseGeometry) -> list[LineString]:
    return list(getattr(geom, "geoms", [geom]))


def _is_duplicate(feature: _Feature, asset_id: str, seen: dict[str, int], source: str, result: ReadResult) -> bool:
    if asset_id in seen:
        message = f"{feature.label}: duplicate id '{asset_id}' (first at feature {seen[asset_id]})"
        result.errors.append(RowError(source, message, feature.index, "id", asset_id, "feature"))
        return True
    seen[asset_id] = feature.index
    return False


def _asset(feature: _Feature, record: dict[str, Any], source: str, errors: list[RowError]) -> Asset | None:
    try:
        return Asset.from_record(record)
    except RecordInvalid as err:
        for fe in err.errors:
            message = f"{feature.label}: {fe.message}"
            if fe.field == "owner":
                message += "; pass owner (--owner) to name the organisation"
            errors.append(RowError(source, message, feature.index, fe.field, fe.value, "feature"))
        return None


def _error(
    result: ReadResult, delivery: _Delivery, feature: _Feature, message: str, field_name: str, value: Any = None
) -> None:
    row = RowError(delivery.name, f"{feature.label}: {message}", feature.index, field_name, value, "feature")
    result.errors.append(row)


# --------------------------------------------------------------------------- depth


def _attach_depths(delivery: _Delivery, records: list[tuple[_Feature, dict[str, Any]]], result: ReadResult) -> None:
    lines_by_network: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for feature, record in records:
        if feature.kind in LINE_ELEMENTS:
            lines_by_network[feature.ref("inNetwork") or ""].append(record)
    unattached: list[str] = []
    for depth in delivery.of_kind(*DEPTH_KINDS):
        measurement = _depth(depth)
        targets = _depth_targets(depth, lines_by_network.get(depth.ref("inNetwork") or "", []))
        if measurement is None or not targets:
            unattached.append(depth.gml_id or depth.local_id or str(depth.index))
            continue
        for record in targets:
            _add_depth(record, measurement)
    if unattached:
        result.warnings.append(
            f"{delivery.name}: {len(unattached)} depth object(s) not attached: no depth value, or no cable or pipe "
            f"of their network within {DEPTH_MATCH_M} m of the depth point: {', '.join(unattached[:10])}"
        )


def _depth(feature: _Feature) -> dict[str, Any] | None:
    level = _length_m(feature.values.get("dieptePeil"))
    if level is None:
        return None
    out: dict[str, Any] = {"id": feature.local_id or feature.gml_id, "kind": feature.kind}
    out["reference"] = feature.code("diepteAangrijpingspunt")
    if feature.kind == "DiepteNAP":
        out["nap_m"] = level
        ground = _length_m(feature.values.get("maaiveldPeil"))
        if ground is not None:
            out["depth_m"] = round(ground - level, 3)
    else:
        out["depth_m"] = level
    return {k: v for k, v in out.items() if v is not None}


def _depth_targets(depth: _Feature, candidates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cables and pipes nearest to the depth point, when within DEPTH_MATCH_M."""
    if depth.geometry is None or not candidates:
        return []
    distances = [shapely.distance(depth.geometry, r["geometry"]) for r in candidates]
    nearest = min(distances)
    if nearest > DEPTH_MATCH_M:
        return []
    return [r for r, d in zip(candidates, distances, strict=True) if d <= nearest + 0.001]


def _add_depth(record: dict[str, Any], measurement: dict[str, Any]) -> None:
    attributes = record["attributes"]
    attributes.setdefault("depths", []).append(measurement)
    below = [d["depth_m"] for d in attributes["depths"] if "depth_m" in d]
    nap = [d["nap_m"] for d in attributes["depths"] if "nap_m" in d]
    if below:
        record["depth_m"] = min(below)
    if nap:
        attributes["depth_nap_m"] = max(nap)


# --------------------------------------------------------------------------- values, dates, reports


def _number(value: _Value | None) -> float | None:
    if value is None or value.nil is not None or not value.text:
        return None
    try:
        return float(value.text)
    except ValueError:
        return None


def _length_m(value: _Value | None) -> float | None:
    """A length in metres, from a value with a unit of measure (cm, mm, m)."""
    number = _number(value)
    if number is None or value is None:
        return None
    unit = (value.uom or "m").rsplit(":", 1)[-1].strip().lower()
    factor = _LENGTH_UNITS.get(unit)
    return None if factor is None else round(number * factor, 6)


def _diameter_mm(feature: _Feature) -> float | None:
    """Pipe or cable diameter in mm; 0 (the placeholder some operators send) counts as absent."""
    for name in ("pipeDiameter", "kabelDiameter"):
        metres = _length_m(feature.values.get(name))
        if metres is not None and metres > 0:
            return round(metres * 1000, 1)
    return None


def _year(text: str | None) -> int | None:
    """The year of an IMKL date-time; 9999 (the 'unknown' sentinel) and nonsense give None."""
    match = re.match(r"^(\d{4})-", text or "")
    year = int(match.group(1)) if match else None
    return year if year is not None and 1500 <= year <= 2200 else None


def _snapshot_date(delivery: _Delivery, given: dt.date | str | None, result: ReadResult) -> str | None:
    """The delivery date in the file (IMKL 2.0), else the one given."""
    in_file = None
    for feature in delivery.of_kind("GebiedsinformatieLevering"):
        in_file = (feature.text("datumLeveringSamengesteld") or "")[:10] or None
    given_text = given.isoformat() if isinstance(given, dt.date) else (str(given)[:10] if given else None)
    if in_file and given_text and in_file != given_text:
        result.warnings.append(f"{delivery.name}: delivery date {in_file} in the file is used, not {given_text}")
    if not in_file and not given_text:
        result.warnings.append(
            f"{delivery.name}: no delivery date in the file (IMKL2015 has none); pass --snapshot YYYY-MM-DD"
        )
    return in_file or given_text


def _report_skipped(name: str, summary: dict[str, int], result: ReadResult) -> None:
    counts = {k: n for k, n in summary.items() if k not in LINE_ELEMENTS | POINT_ELEMENTS}
    known = {k: n for k, n in counts.items() if k in NOT_ASSETS}
    unknown = {k: n for k, n in counts.items() if k not in NOT_ASSETS}
    if known:
        shown = ", ".join(f"{k} {n} ({NOT_ASSETS[k]})" for k, n in sorted(known.items()))
        result.warnings.append(f"{name}: features that are not assets, not imported: {shown}")
    if unknown:
        shown = ", ".join(f"{k} {n}" for k, n in sorted(unknown.items()))
        result.warnings.append(f"{name}: feature types this reader does not know, not imported: {shown}")
