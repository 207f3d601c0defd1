"""BGT / IMGeo 2.1(.1) CityGML as assets, with IMBOR object types.

Reads a BGT download: a ``.zip`` (each member streamed, nothing extracted), a folder
of ``bgt_*.gml`` files or one file. Each object becomes an
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
) -> ReadResult:
    """The BGT objects of a zip, folder or file as assets of ``owner``.

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
    )
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
    record = {"id": local_id, "owner": run.owner, "asset_type": asset_type, "geometry": geometry}
    _imbor(record, attributes, bgt_class, values, run)
    record["attributes"] = {k: v for k, v in attributes.items() if v is not None}
    return record


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
