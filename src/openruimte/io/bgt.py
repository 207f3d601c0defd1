"""BGT / IMGeo 2.1(.1) CityGML as assets, with IMBOR object types.

Reads a BGT download: a ``.zip`` (each member streamed, nothing extracted), a folder
of ``bgt_*.gml`` files or one file; or a BGT GeoPackage in the common table layout
(NLExtract's: one layer per class and geometry, e.g. ``paal_punt``, ``put_punt``,
``wegdeel_vlak``, with ``lokaalid``, ``bgt_type``/``bgt_functie``/...,
``plus_type``, ``bronhouder`` and ``eindregistratie`` columns).

Owners: every BGT object names its source holder (``bronhouder``, e.g. G0228 for
a municipality, P0025 a province, W0372 a water board). With ``bronhouder``
given, ``owner`` goes to that source holder's objects (and to those naming none)
and the others keep theirs as owner ``bgt-<code>`` (e.g. ``bgt-P0025``);
without it ``owner`` goes to all. Either way the import says, per source
holder, how many objects went where. Each object becomes an
:class:`~openruimte.model.Asset` when its class and type value have an asset type
in :data:`BGT_ASSET_TYPES`; other objects are counted and named in a warning, never
dropped silently.

Only objects that are current count: an object with ``eindRegistratie`` (or a
CityGML ``terminationDate``) is a historic version and is skipped; it is counted
in ``ReadResult.summary`` under ``"<Class> (ended)"`` and ``"<Class>/<type> (ended)"``
next to the current ``"<Class>"`` and ``"<Class>/<type>"``, so the totals of the
download stay visible.

``imbor_type`` (the IMBOR class label; URI in ``attributes['imbor_uri']``) comes from
:meth:`~openruimte.io.imbor.ImborVocabulary.match_bgt` when a vocabulary is given;
``attributes['imbor_match']`` says how it was found.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from openruimte.io import _xml
from openruimte.io.exchange import ReadResult
from openruimte.io.imbor import ImborMatch, ImborVocabulary, normalise_key
from openruimte.model import Asset, InputError, RecordInvalid, RowError
from openruimte.model.geometry import STORAGE_CRS

IMGEO_NS = "http://www.geostandaarden.nl/imgeo/2.1"
SUPPORTED = {IMGEO_NS: "BGT/IMGeo 2.1 (2.1.1) CityGML"}

#: CityGML element names of IMGeo classes -> the BGT class name.
CITYGML_CLASSES = {
    "SolitaryVegetationObject": "Vegetatieobject",
    "TrafficArea": "Wegdeel",
    "AuxiliaryTrafficArea": "OndersteunendWegdeel",
    "PlantCover": "BegroeidTerreindeel",
    "WaterBody": "Waterdeel",
    "BuildingPart": "Pand",
    "Building": "Pand",
}

#: (BGT class, type value) -> asset type; value "" is the class default, None: not mapped on purpose.
#: Keys are compared without case, spaces and punctuation ('Inspectie- / rioolput' = 'inspectierioolput').
BGT_ASSET_TYPES: dict[tuple[str, str], str | None] = {
    ("Vegetatieobject", "boom"): "bomen",
    ("Vegetatieobject", "haag"): "groen",
    ("Put", "kolk"): "hemelwaterafvoer",
    ("Put", "inspectie- / rioolput"): "gemengd_riool",
    ("Put", "waterleidingput"): "drinkwater",
    ("Put", "brandkraan / -put"): "drinkwater",
    ("Put", "gasput"): "gas",
    ("Put", "drainageput"): "drainage",
    ("Paal", "lichtmast"): "openbare_verlichting",
    ("Paal", "haltepaal"): "ov_halte",
    ("Paal", "verkeersbordpaal"): "verkeersobject",
    ("Paal", "afsluitpaal"): "verkeersobject",
    ("Paal", "poller"): "verkeersobject",
    ("Paal", "hectometerpaal"): "verkeersobject",
    ("Paal", "portaal"): "verkeersobject",
    ("Paal", "verkeersregelinstallatiepaal"): "verkeersregeling",
    ("Paal", "drukknoppaal"): "verkeersregeling",
    ("Bord", "verkeersbord"): "verkeersobject",
    ("Bord", "wegwijzer"): "verkeersobject",
    ("Bord", "straatnaambord"): "verkeersobject",
    ("Bord", "plaatsnaambord"): "verkeersobject",
    ("Bord", "waarschuwingshek"): "verkeersobject",
    ("Bord", "dynamische snelheidsindicator"): "verkeersobject",
    ("Kast", "elektrakast"): "elektriciteit",
    ("Kast", "gaskast"): "gas",
    ("Kast", "telecom kast"): "telecom",
    ("Kast", "telkast"): "telecom",
    ("Kast", "cai-kast"): "telecom",
    ("Kast", "openbare verlichtingkast"): "openbare_verlichting",
    ("Kast", "verkeersregelinstallatiekast"): "verkeersregeling",
    ("Kast", "rioolkast"): "gemengd_riool",
    ("Mast", "laagspanningsmast"): "elektriciteit",
    ("Mast", "zendmast"): "telecom",
    ("Sensor", "detectielus"): "verkeersregeling",
    ("Sensor", "radar detector"): "verkeersregeling",
    ("Sensor", "flitser"): "verkeersobject",
    ("Sensor", "hoogtedetectieapparaat"): "verkeersobject",
    ("Sensor", "lichtcel"): "openbare_verlichting",
    ("Straatmeubilair", "abri"): "ov_halte",
    ("Straatmeubilair", "fietsenrek"): "fietsparkeren",
    ("Straatmeubilair", "fietsenkluis"): "fietsparkeren",
    ("Straatmeubilair", "openbaar toilet"): "openbaar_toilet",
    ("Straatmeubilair", "speelvoorziening"): "speelvoorziening",
    ("Straatmeubilair", "lichtpunt"): "openbare_verlichting",
    ("Straatmeubilair", "slagboom"): "verkeersobject",
    ("Straatmeubilair", "bolder"): "verkeersobject",
    ("Straatmeubilair", "parkeerbeugel"): "verkeersobject",
    ("Bak", "bloembak"): "groen",
    ("Weginrichtingselement", "geleideconstructie"): "verkeersobject",
    ("Weginrichtingselement", "verblindingswering"): "verkeersobject",
    ("Weginrichtingselement", "balustrade"): "verkeersobject",
    ("Weginrichtingselement", "wegmarkering"): "verkeersobject",
    ("Weginrichtingselement", "wildrooster"): "verkeersobject",
    ("Weginrichtingselement", "lijnafwatering"): "hemelwaterafvoer",
    ("Weginrichtingselement", "molgoot"): "hemelwaterafvoer",
    ("Weginrichtingselement", "rooster"): "hemelwaterafvoer",
    ("Weginrichtingselement", "boomspiegel"): "groen",
    ("Kunstwerkdeel", ""): "kunstwerk",
    ("Kunstwerkdeel", "hoogspanningsmast"): "elektriciteit",
    ("Overbruggingsdeel", ""): "kunstwerk",
    ("Tunneldeel", ""): "kunstwerk",
    ("Wegdeel", ""): "weg",
    ("Wegdeel", "fietspad"): "fietspad",
    ("Wegdeel", "voetpad"): "voetpad",
    ("Wegdeel", "voetpad op trap"): "voetpad",
    ("Wegdeel", "voetgangersgebied"): "voetpad",
    ("Wegdeel", "ruiterpad"): None,
    ("Wegdeel", "spoorbaan"): None,
    ("Wegdeel", "baan voor vliegverkeer"): None,
    ("OndersteunendWegdeel", "verkeerseiland"): "weg",
    ("OndersteunendWegdeel", "berm"): "groen",
    ("BegroeidTerreindeel", "groenvoorziening"): "groen",
}
#: IMGeo 2.1 type values whose IMBOR 2025 class (from the alignment) is not in IMBOR 2022,
#: with the IMBOR 2022 class that says the same.
IMBOR_HINTS = {normalise_key("inspectie- / rioolput"): "Rioolput"}

#: Type values that mean "no value".
_NO_VALUE = {"nietbgt", "waardeonbekend", "geenwaarde", "transitie", ""}
_VALUE_FIELDS = ("function", "class", "usage", "surfaceMaterial")
_ENDED_FIELDS = ("eindRegistratie", "terminationDate")
_PROGRESS_EVERY = 1000
_TABLE = {(normalise_key(c), normalise_key(v)): t for (c, v), t in BGT_ASSET_TYPES.items()}


@dataclass
class _Run:
    """State of one import: counts, matches and the assets so far."""

    owner: str
    imbor: ImborVocabulary | None
    result: ReadResult
    progress: _xml.Progress | None = None
    encoding: str | None = None
    read: int = 0
    unmapped: Counter[str] = field(default_factory=Counter)
    imbor_notes: set[str] = field(default_factory=set)
    matches: dict[tuple[str, tuple[str, ...]], ImborMatch | None] = field(default_factory=dict)
    seen: dict[str, str] = field(default_factory=dict)
    sink: Callable[[list[Asset]], None] | None = None
    batch_size: int = 5000
    batch: list[Asset] = field(default_factory=list)
    #: the source holder whose objects get ``owner`` (None: every object gets it)
    bronhouder: str | None = None
    holders: Counter[str] = field(default_factory=Counter)

    def flush(self) -> None:
        """Hand the batch to the sink; after an error it is dropped (the import will be refused)."""
        batch, self.batch = self.batch, []
        if batch and self.sink is not None and not self.result.errors:
            self.sink(batch)


def read_bgt(
    path_or_zip: str | Path,
    *,
    owner: str,
    imbor: ImborVocabulary | None = None,
    progress: _xml.Progress | None = None,
    encoding: str | None = None,
    sink: Callable[[list[Asset]], None] | None = None,
    batch_size: int = 5000,
    bronhouder: str | None = None,
) -> ReadResult:
    """The BGT objects of a zip, folder, GML file or GeoPackage as assets of ``owner``
    (those of other source holders than ``bronhouder`` keep theirs, see the module).

    ``encoding`` overrides the one the XML declares. Raises :class:`InputError` for
    an input that cannot be read safely or is not BGT/IMGeo.

    With a ``sink`` the assets go to ``sink`` in lists of up to ``batch_size`` as they
    are read, and ``ReadResult.items`` stays empty: memory stays bounded (one object's
    XML, one batch, the ids seen for the duplicate check). Once an error is found no
    further batch is handed over (the import will be refused anyway), but reading goes
    on so that every error is reported. ``progress`` gets the running count of objects read.
    """
    path = Path(path_or_zip)
    if not owner or not str(owner).strip():
        raise InputError("an owner is required: the organisation that manages these objects (--owner)", path.name)
    result = ReadResult(kind="assets", source=path.name, crs=STORAGE_CRS)
    run = _Run(
        owner=str(owner).strip(),
        imbor=imbor,
        result=result,
        progress=progress,
        encoding=encoding,
        sink=sink,
        batch_size=max(1, int(batch_size)),
        bronhouder=bronhouder.strip().upper() if bronhouder else None,
    )
    if _is_geopackage(path):
        _read_geopackage(path, run)
    else:
        for name, opened in _sources(path):
            with opened as stream:
                _read_file(name, stream, run)
    run.flush()
    if progress is not None:
        progress(run.read)
    result.rows = run.read
    _report(run)
    return result


# --------------------------------------------------------------------------- sources


def _sources(path: Path) -> Iterator[tuple[str, Any]]:
    """(name, open binary stream) of each GML file in a zip, folder or single file."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".gml", ".xml"))
        if not files:
            raise InputError("the folder holds no .gml files; expected a BGT download", path.name)
        for file in files:
            yield file.name, file.open("rb")
    elif zipfile.is_zipfile(path):
        yield from _zip_members(path)
    elif path.is_file():
        yield path.name, path.open("rb")
    else:
        raise InputError(f"no such file or folder: {path}", path.name)


def _zip_members(path: Path) -> Iterator[tuple[str, Any]]:
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if n.lower().endswith((".gml", ".xml")))
        if not names:
            raise InputError("the zip holds no .gml files; expected a BGT download", path.name)
        for name in names:
            yield f"{path.name}/{name}", _member(archive, name)


@contextmanager
def _member(archive: zipfile.ZipFile, name: str) -> Iterator[IO[bytes]]:
    with archive.open(name) as stream:
        yield stream


def _is_geopackage(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"


#: suffixes of NLExtract-style layer names: ``<class>_<geometry>``
_LAYER_SUFFIXES = ("_multipolygon", "_polygon", "_vlak", "_punt", "_point", "_lijn", "_line", "_kruinlijn")
_GPKG_ID = ("lokaalid", "lokaal_id", "identificatie_lokaalid", "identificatielokaalid", "gml_id")
_GPKG_TYPES = (
    "plus_type", "plus_functie", "plus_fysiekvoorkomen", "bgt_type", "bgt_functie", "bgt_fysiekvoorkomen",
    "type", "functie", "fysiekvoorkomen",
)  # fmt: skip
_GPKG_ENDED = ("eindregistratie", "eind_registratie", "terminationdate")


def _gpkg_class(layer: str) -> str | None:
    """The BGT class of a layer name (``paal_punt`` -> ``Paal``), None for other layers."""
    name = layer.lower().removeprefix("bgt_")
    for suffix in _LAYER_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    known = {normalise_key(c): c for c, _ in BGT_ASSET_TYPES} | {normalise_key(c): c for c in CITYGML_CLASSES.values()}
    known |= {normalise_key(k): v for k, v in CITYGML_CLASSES.items()}
    return known.get(normalise_key(name))


def _read_geopackage(path: Path, run: _Run) -> None:
    """A BGT GeoPackage in the common table layout (see the module); layers of no BGT class are listed."""
    import pyogrio
    import shapely
    from pyogrio.raw import read

    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as err:  # pyogrio raises DataSourceError and others
        raise InputError(f"cannot read the GeoPackage: {err}", path.name) from None
    other = [name for name in layers if _gpkg_class(name) is None]
    if len(other) == len(layers):
        raise InputError(
            f"no BGT tables in this GeoPackage (layers: {', '.join(layers[:12])}); expected one layer per BGT "
            "class such as paal_punt, put_punt, vegetatieobject_punt, wegdeel_vlak (the NLExtract layout)",
            path.name,
        )
    if other:
        run.result.warnings.append(f"{path.name}: layers of no BGT class were not read: {', '.join(other)}")
    for name in layers:
        bgt_class = _gpkg_class(name)
        if bgt_class is None:
            continue
        meta, _, wkb, columns = read(path, layer=name)
        crs = meta.get("crs")
        if crs and crs.upper() not in ("EPSG:28992", "EPSG:7415"):
            raise InputError(f"layer {name} is in {crs}; BGT is RD New (EPSG:28992)", path.name)
        fields = {str(f).lower(): i for i, f in enumerate(meta["fields"])}
        geoms = shapely.from_wkb(wkb, on_invalid="ignore")  # a curve GEOS cannot read: reported per row
        source = f"{path.name}/{name}"
        for index in range(len(geoms)):
            run.read += 1
            row = {f: columns[i][index] for f, i in fields.items()}
            _gpkg_object(row, geoms[index], bgt_class, source, index + 1, run)
            if run.progress is not None and run.read % _PROGRESS_EVERY == 0:
                run.progress(run.read)


def _gpkg_object(row: dict[str, Any], geom: Any, bgt_class: str, source: str, index: int, run: _Run) -> None:
    values = [str(row[f]).strip() for f in _GPKG_TYPES if row.get(f) not in (None, "")]
    values = [v for v in values if normalise_key(v) not in _NO_VALUE]
    shown = values[0] if values else ""
    ended = any(row.get(f) not in (None, "") for f in _GPKG_ENDED)
    _count(run.result.summary, bgt_class, shown, " (ended)" if ended else "")
    if ended:
        return
    asset_type = _asset_type(bgt_class, values)
    if asset_type is None:
        run.unmapped[f"{bgt_class}/{shown}" if shown else bgt_class] += 1
        return
    local_id = next((str(row[f]).strip() for f in _GPKG_ID if row.get(f) not in (None, "")), None)
    if local_id is None:
        _error(run, source, index, f"{bgt_class} without lokaalid", "lokaalid")
        return
    if geom is None or geom.is_empty:
        _error(run, source, index, f"{bgt_class} without a geometry", "geometry")
        return
    if local_id in run.seen:
        _error(run, source, index, f"duplicate lokaalid (first in {run.seen[local_id]})", "lokaalid", local_id)
        return
    run.seen[local_id] = source
    holder = str(row.get("bronhouder") or "").strip() or None
    attributes = {
        "source": "BGT",
        "bgt_class": bgt_class,
        "bgt_type": shown or None,
        "bronhouder": holder,
        "bgt_status": row.get("bgt_status") or None,
        "registered": str(row["tijdstipregistratie"]) if row.get("tijdstipregistratie") else None,
    }
    record = {"id": local_id, "owner": _owner_of(holder, run), "asset_type": asset_type, "geometry": geom}
    _imbor(record, attributes, bgt_class, values, run)
    record["attributes"] = {k: v for k, v in attributes.items() if v is not None}
    _add_asset(record, source, index, run)


# --------------------------------------------------------------------------- objects


def _read_file(name: str, stream: IO[bytes], run: _Run) -> None:
    def on_root(root: Any) -> None:
        _xml.refuse_unsupported_root(root, name, "CityModel", SUPPORTED)

    index = 0
    for elem in _xml.iter_members(stream, name, encoding=run.encoding, on_root=on_root):
        if _xml.local(elem.getparent()) != "cityObjectMember":
            continue  # gml:boundedBy and other collection metadata
        index += 1
        run.read += 1
        if run.progress is not None and run.read % _PROGRESS_EVERY == 0:
            run.progress(run.read)
        _object(elem, name, index, run)


def _object(elem: Any, source: str, index: int, run: _Run) -> None:
    bgt_class = CITYGML_CLASSES.get(_xml.local(elem), _xml.local(elem))
    props = _properties(elem)
    values = _type_values(elem)
    shown = values[0] if values else ""
    ended = any(_text(props, f) for f in _ENDED_FIELDS)
    _count(run.result.summary, bgt_class, shown, " (ended)" if ended else "")
    if ended:
        return
    asset_type = _asset_type(bgt_class, values)
    if asset_type is None:
        run.unmapped[f"{bgt_class}/{shown}" if shown else bgt_class] += 1
        return
    record = _record(elem, props, bgt_class, values, asset_type, source, index, run)
    if record is not None:
        _add_asset(record, source, index, run)


def _properties(elem: Any) -> dict[str, Any]:
    """Direct children by local name (the first of each)."""
    out: dict[str, Any] = {}
    for prop in elem:
        out.setdefault(_xml.local(prop), prop)
    return out


def _text(props: dict[str, Any], name: str) -> str | None:
    prop = props.get(name)
    text = (prop.text or "").strip() if prop is not None else ""
    return text or None


def _count(summary: dict[str, int], bgt_class: str, shown: str, suffix: str) -> None:
    keys = [bgt_class + suffix] + ([f"{bgt_class}/{shown}{suffix}"] if shown else [])
    for key in keys:
        summary[key] = summary.get(key, 0) + 1


def _type_values(elem: Any) -> list[str]:
    """The object's type values, most specific first: plus-*, then bgt-*, then CityGML codes."""
    plus, bgt, citygml = [], [], []
    for prop in elem:
        name = _xml.local(prop)
        text = (prop.text or "").strip()
        if normalise_key(text) in _NO_VALUE:
            continue
        if name.startswith("plus-") and name != "plus-status":
            plus.append(text)
        elif name.startswith("bgt-") and name != "bgt-status":
            bgt.append(text)
        elif name in _VALUE_FIELDS:
            citygml.append(text)
    return plus + bgt + citygml


def _asset_type(bgt_class: str, values: list[str]) -> str | None:
    cls = normalise_key(bgt_class)
    for value in values:
        key = (cls, normalise_key(value))
        if key in _TABLE:
            return _TABLE[key]
    return _TABLE.get((cls, ""))


def _record(
    elem: Any,
    props: dict[str, Any],
    bgt_class: str,
    values: list[str],
    asset_type: str,
    source: str,
    index: int,
    run: _Run,
) -> dict[str, Any] | None:
    identification = props.get("identificatie")
    local_id = (_xml.find_text(identification, "NEN3610ID", "lokaalID") if identification is not None else None) or (
        _xml.gml_id(elem)
    )
    if local_id is None:
        _error(run, source, index, f"{bgt_class} without identificatie/lokaalID", "identificatie")
        return None
    geometry = _geometry(elem, source, index, bgt_class, run)
    if geometry is None:
        return None
    if local_id in run.seen:
        _error(run, source, index, f"duplicate lokaalID (first in {run.seen[local_id]})", "identificatie", local_id)
        return None
    run.seen[local_id] = source
    attributes = {
        "source": "BGT",
        "bgt_class": bgt_class,
        "bgt_type": values[0] if values else None,
        "gml_id": _xml.gml_id(elem),
        "bronhouder": _text(props, "bronhouder"),
        "bgt_status": _text(props, "bgt-status"),
        "registered": _text(props, "tijdstipRegistratie"),
    }
    record = {
        "id": local_id,
        "owner": _owner_of(attributes["bronhouder"], run),
        "asset_type": asset_type,
        "geometry": geometry,
    }
    _imbor(record, attributes, bgt_class, values, run)
    record["attributes"] = {k: v for k, v in attributes.items() if v is not None}
    return record


def _owner_of(holder: str | None, run: _Run) -> str:
    """``owner`` for the main source holder's objects (and those naming none), ``bgt-<code>`` for others."""
    code = (holder or "").strip().upper()
    if not code:
        return run.owner
    run.holders[code] += 1
    return run.owner if run.bronhouder in (None, code) else f"bgt-{code}"


def _geometry(elem: Any, source: str, index: int, bgt_class: str, run: _Run) -> Any:
    for prop in elem:
        name = _xml.local(prop)
        if name.startswith("kruinlijn") or _xml.geometry_element(prop) is None:
            continue
        try:
            return _xml.read_geometry(prop)
        except _xml.GeometryError as err:
            _error(run, source, index, f"{bgt_class}: {name}: {err}", "geometry")
            return None
    _error(run, source, index, f"{bgt_class} without a geometry", "geometry")
    return None


def _imbor(record: dict[str, Any], attributes: dict[str, Any], bgt_class: str, values: list[str], run: _Run) -> None:
    if run.imbor is None:
        return
    key = (bgt_class, tuple(values))
    if key not in run.matches:
        run.matches[key] = run.imbor.match_bgt(bgt_class, values, IMBOR_HINTS)
        _note_match(run, bgt_class, values, run.matches[key])
    match = run.matches[key]
    if match is None:
        return
    record["imbor_type"] = match.imbor.label
    attributes["imbor_uri"] = match.imbor.uri
    attributes["imbor_match"] = match.how


def _note_match(run: _Run, bgt_class: str, values: list[str], match: ImborMatch | None) -> None:
    what = f"{bgt_class}/{values[0]}" if values else bgt_class
    if match is None:
        run.imbor_notes.add(f"{what}: no IMBOR class")
    elif match.how != "alignment":
        via = f" (alignment: {', '.join(match.candidates)} is not one class of this vocabulary)"
        run.imbor_notes.add(f"{what} -> '{match.imbor.label}' by {match.how}{via if match.candidates else ''}")


def _add_asset(record: dict[str, Any], source: str, index: int, run: _Run) -> None:
    try:
        asset = Asset.from_record(record)
    except RecordInvalid as err:
        for fe in err.errors:
            _error(run, source, index, f"{record['id']}: {fe.message}", fe.field, fe.value)
        return
    if run.sink is None:
        run.result.items.append(asset)
        return
    run.batch.append(asset)
    if len(run.batch) >= run.batch_size:
        run.flush()


def _error(run: _Run, source: str, index: int, message: str, field_name: str, value: Any = None) -> None:
    run.result.errors.append(RowError(source, message, index, field_name, value, "feature"))


# --------------------------------------------------------------------------- report


def _report(run: _Run) -> None:
    result = run.result
    if run.bronhouder is not None:
        others = {code: n for code, n in run.holders.items() if code != run.bronhouder}
        if others:
            listed = ", ".join(f"{code} {n} -> bgt-{code}" for code, n in sorted(others.items()))
            result.warnings.append(
                f"{result.source}: {run.holders[run.bronhouder]} object(s) of source holder {run.bronhouder} "
                f"go to --owner {run.owner}; those of other source holders keep theirs: {listed}"
            )
    elif len(run.holders) > 1:
        listed = ", ".join(f"{code} {n}" for code, n in sorted(run.holders.items()))
        result.warnings.append(
            f"{result.source}: objects of {len(run.holders)} source holders ({listed}) all go to --owner "
            f"{run.owner}, as asked; pass --bronhouder CODE to take only that source holder's objects "
            "and let the others keep theirs (as bgt-CODE)"
        )
    ended = sum(n for k, n in result.summary.items() if k.endswith(" (ended)") and "/" not in k)
    if ended:
        result.warnings.append(
            f"{result.source}: {ended} historic object version(s) (eindRegistratie set) skipped; only current "
            "objects are imported (see summary '<Class> (ended)')"
        )
    if run.unmapped:
        shown = ", ".join(f"{k} {n}" for k, n in sorted(run.unmapped.items()))
        result.warnings.append(
            f"{result.source}: {sum(run.unmapped.values())} current object(s) not imported, no asset type for "
            f"their class and type: {shown}"
        )
    if run.imbor is None:
        result.warnings.append(f"{result.source}: no IMBOR vocabulary given, imbor_type left empty")
    elif run.imbor_notes:
        notes = "; ".join(sorted(run.imbor_notes))
        result.warnings.append(f"{result.source}: IMBOR types not from the alignment: {notes}")
