"""STOP/TPOD omgevingsplan (a folder or .zip of OW files and GIO's) -> normalised plan rules.

The chain, as the standard lays it out (IMOW / TPOD v2, STOP imop-geo):

1. ``owRegeltekst``: a ``Regeltekst`` (its ``wId`` names the article) and the rules
   on it (``RegelVoorIedereen``, ``Instructieregel``, ``Omgevingswaarderegel``) with
   ``artikelOfLid/RegeltekstRef`` and ``omgevingsnormaanduiding/OmgevingsnormRef`` (or
   ``gebiedsaanwijzing/GebiedsaanwijzingRef``);
2. ``owOmgevingsnormOmgevingswaarde``: the ``Omgevingsnorm`` / ``Omgevingswaarde``
   (``type`` from the IMOW list TypeNorm, ``eenheid`` from Eenheid) and its
   ``Normwaarde``\\ s, each with a ``kwantitatieveWaarde`` (or a qualitative one) and
   ``LocatieRef``\\ s;
3. ``owLocaties``: ``Gebied`` (``GeometrieRef``) and ``Gebiedengroep`` (``GebiedRef``\\ s);
4. the GIO (``geo:GeoInformatieObjectVaststelling``): ``geo:Locatie`` with its geometry
   (``basisgeo:Geometrie`` / ``basisgeo:id``, the target of the ``GeometrieRef``) and,
   where given, its own ``geo:kwantitatieveNormwaarde``.

One rule per GIO location: the value is the location's normwaarde where the GIO gives
one, else the OW Normwaarde's. ``Gebiedsaanwijzing``\\ en of type Bouw / Bouwvlak
become ``bouwvlak``; other gebiedsaanwijzingen a kind of their own. A reference the
folder does not resolve (a GIO that was not delivered, a location not in owLocaties)
is listed in ``unresolved`` and in the warnings, never dropped silently.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from openruimte.io import _xml, imow_values
from openruimte.io.plan_rules import PlanRules, normalise_kind, polygonal
from openruimte.model.errors import InputError, RowError
from openruimte.rules.model import CHECKED_KINDS, REGIME_STOP_TPOD, UNIT_METRE, Rule, RuleKind

#: the largest .zip read (uncompressed bytes, all members together) and its member count
ZIP_MAX_BYTES = 4 * 1024**3
ZIP_MAX_MEMBERS = 10_000
_READ = (".xml", ".gml")
_HEIGHTS = {RuleKind.MAXIMUM_BOUWHOOGTE.value, RuleKind.MAXIMUM_GOOTHOOGTE.value}
_RULE_TYPES = ("RegelVoorIedereen", "Instructieregel", "Omgevingswaarderegel")

Progress = Callable[[int], None]


@dataclass
class _Norm:
    id: str
    kind: str  # Omgevingsnorm or Omgevingswaarde
    name: str
    type_uri: str | None
    unit_uri: str | None
    source: str
    values: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Aanwijzing:
    id: str
    type_uri: str | None
    name: str
    group_uri: str | None
    locations: list[str]
    source: str


@dataclass
class _GioLocation:
    geometry: Any
    value: float | None
    qualitative: str | None
    name: str | None
    source: str
    unit_uri: str | None
    norm_uri: str | None


@dataclass
class _Folder:
    name: str
    regelteksten: dict[str, str] = field(default_factory=dict)  # identificatie -> wId
    norm_articles: dict[str, list[str]] = field(default_factory=dict)  # norm / aanwijzing id -> regeltekst ids
    norms: list[_Norm] = field(default_factory=list)
    aanwijzingen: list[_Aanwijzing] = field(default_factory=list)
    gebieden: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # id -> (geometry ref, noemer)
    groepen: dict[str, list[str]] = field(default_factory=dict)  # group id -> member ids
    other_locations: dict[str, str] = field(default_factory=dict)  # id -> type (Lijn, Punt, Ambtsgebied ...)
    gio: dict[str, _GioLocation] = field(default_factory=dict)  # basisgeo:id -> location
    headings: dict[str, str] = field(default_factory=dict)  # wId -> "Artikel 2.14 Bouwregels ..."
    work_ids: list[str] = field(default_factory=list)
    listed_gio_files: dict[str, str] = field(default_factory=dict)  # file name -> the IO file listing it
    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_stop_tpod(path: str | Path, *, progress: Progress | None = None) -> PlanRules:
    """The rules of a STOP/TPOD delivery: a folder (or .zip) holding OW files and GIO's."""
    path = Path(path)
    folder = _Folder(name=path.name)
    for name, opener in _members(path):
        with opener() as stream:
            _read_file(folder, name, stream)
        if progress is not None:
            progress(len(folder.files))
    if not (folder.norms or folder.aanwijzingen):
        if folder.errors:
            raise InputError(folder.errors, path.name)
        raise InputError(
            "no OW omgevingsnormen or gebiedsaanwijzingen found (owOmgevingsnormOmgevingswaarde*.xml, "
            "owGebiedsaanwijzingen*.xml); is this the folder of a STOP/TPOD omgevingsplan delivery?",
            path.name,
        )
    return _rules(folder, path.name)


# ------------------------------------------------------------------------------ files


def _members(path: Path) -> Iterator[tuple[str, Callable[[], Any]]]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _READ)
        for p in files:
            yield str(p.relative_to(path)), (lambda p=p: p.open("rb"))
        return
    if not zipfile.is_zipfile(path):
        raise InputError("expected a folder or a .zip of a STOP/TPOD delivery (OW files and GIO's)", path.name)
    with zipfile.ZipFile(path) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir() and Path(i.filename).suffix.lower() in _READ]
        unpacked = sum(i.file_size for i in infos)
        if len(infos) > ZIP_MAX_MEMBERS or unpacked > ZIP_MAX_BYTES:
            raise InputError(
                f"the archive holds {len(infos):,} files of {unpacked:,} bytes unpacked; more than "
                f"the {ZIP_MAX_MEMBERS:,} files / {ZIP_MAX_BYTES:,} bytes read (a zip bomb?)",
                path.name,
            )
        for info in sorted(infos, key=lambda i: i.filename):
            yield info.filename, _zip_opener(zf, info)


def _zip_opener(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], Any]:
    @contextmanager
    def opened() -> Iterator[IO[bytes]]:
        with zf.open(info) as fh:
            yield fh

    return opened


class _Root(Exception):
    pass


def _read_file(folder: _Folder, name: str, stream: IO[bytes]) -> None:
    root: dict[str, str] = {}

    def on_root(elem: Any) -> None:
        root["tag"] = _xml.local(elem)
        if root["tag"] not in _READERS:
            raise _Root

    try:
        members = _xml.iter_members(stream, name, on_root=on_root)
        for elem in members:
            _READERS[root["tag"]](folder, name, elem)
    except _Root:
        folder.skipped.append(f"{name} ({root.get('tag')})")
        return
    folder.files.append(name)


# ------------------------------------------------------------------------------ OW


def _text(elem: Any, *path: str) -> str | None:
    return _xml.find_text(elem, *path)


def _refs(elem: Any, ref_name: str) -> list[str]:
    return [t for t in (_xml.href(n) for n in elem.iter() if _xml.local(n) == ref_name) if t]


def _ow(folder: _Folder, name: str, stand: Any) -> None:
    holder = _xml.child(stand, "owObject")
    objects = list(holder) if holder is not None else []
    for obj in objects:
        kind = _xml.local(obj)
        ident = _text(obj, "identificatie")
        if not ident:
            continue
        if kind == "Regeltekst":
            folder.regelteksten[ident] = obj.get("wId") or ident
        elif kind in _RULE_TYPES:
            articles = [ref for c in obj if _xml.local(c) == "artikelOfLid" for ref in _refs(c, "RegeltekstRef")]
            for target in (
                _refs(obj, "OmgevingsnormRef") + _refs(obj, "OmgevingswaardeRef") + _refs(obj, "GebiedsaanwijzingRef")
            ):
                folder.norm_articles.setdefault(target, []).extend(articles)
        elif kind in ("Omgevingsnorm", "Omgevingswaarde"):
            norm = _Norm(ident, kind, _text(obj, "naam") or ident, _text(obj, "type"), _text(obj, "eenheid"), name)
            for nw in (n for n in obj.iter() if _xml.local(n) == "Normwaarde"):
                norm.values.append(
                    {
                        "id": _text(nw, "identificatie") or ident,
                        "quantitative": _text(nw, "kwantitatieveWaarde"),
                        "qualitative": _text(nw, "kwalitatieveWaarde"),
                        "in_text": _text(nw, "waardeInRegeltekst"),
                        "locations": _refs(nw, "LocatieRef"),
                    }
                )
            folder.norms.append(norm)
        elif kind == "Gebiedsaanwijzing":
            folder.aanwijzingen.append(
                _Aanwijzing(
                    ident,
                    _text(obj, "type"),
                    _text(obj, "naam") or ident,
                    _text(obj, "groep"),
                    _refs(obj, "LocatieRef"),
                    name,
                )  # fmt: skip
            )
        elif kind == "Gebied":
            geometry = next(iter(_refs(obj, "GeometrieRef")), None)
            folder.gebieden[ident] = (geometry, _text(obj, "noemer"))
        elif kind == "Gebiedengroep":
            folder.groepen[ident] = _refs(obj, "GebiedRef")
        elif kind in ("Lijn", "Lijnengroep", "Punt", "Puntengroep", "Ambtsgebied"):
            folder.other_locations[ident] = kind


def _manifest(folder: _Folder, name: str, elem: Any) -> None:
    for node in elem.iter():
        if _xml.local(node) == "WorkIDRegeling" and (node.text or "").strip():
            folder.work_ids.append(node.text.strip())


def _besluit(folder: _Folder, name: str, elem: Any) -> None:
    for node in elem.iter():
        local = _xml.local(node)
        if local == "FRBRWork" and (node.text or "").strip().startswith("/akn/nl/act/"):
            folder.work_ids.append(node.text.strip())
        elif local == "Artikel" and node.get("wId"):
            kop = _xml.child(node, "Kop")
            if kop is not None:
                words = [_text(kop, part) for part in ("Label", "Nummer", "Opschrift")]
                folder.headings[node.get("wId")] = " ".join(w for w in words if w)


def _informatieobject(folder: _Folder, name: str, elem: Any) -> None:
    for node in elem.iter():
        if _xml.local(node) == "bestandsnaam" and (node.text or "").strip().lower().endswith(".gml"):
            folder.listed_gio_files[node.text.strip()] = name


# ------------------------------------------------------------------------------ GIO


def _gio(folder: _Folder, name: str, version: Any) -> None:
    unit_uri = next((_text(n) for n in version.iter() if _xml.local(n) == "eenheidID"), None)
    norm_uri = next((_text(n) for n in version.iter() if _xml.local(n) == "normID"), None)
    for loc in (n for n in version.iter() if _xml.local(n) == "Locatie"):
        geometry_holder = next((n for n in loc.iter() if _xml.local(n) == "Geometrie"), None)
        ident = _text(geometry_holder, "id") if geometry_holder is not None else None
        where = {"source": name, "row": ident or _text(loc, "naam") or "?", "row_label": "geo:Locatie"}
        if not ident:
            folder.errors.append(RowError(message="a GIO location without basisgeo:id; the OW GeometrieRef "
                                          "cannot point at it", field="basisgeo:id", **where))  # fmt: skip
            continue
        found = next((g for g in geometry_holder.iter() if _xml.is_gml(g) and _xml.local(g) in _xml.GEOMETRY_TAGS),
                     None)  # fmt: skip
        try:
            if found is None:
                raise _xml.GeometryError("expected a GML geometry (gml:MultiSurface, gml:Polygon ...)")
            geometry = _xml.read_geometry(found)
        except _xml.GeometryError as err:
            folder.errors.append(RowError(message=str(err), field="geometrie", **where))
            continue
        raw = _text(loc, "kwantitatieveNormwaarde")
        value = None
        if raw is not None:
            try:
                value = _number(raw)
            except ValueError as err:
                folder.errors.append(RowError(message=str(err), field="kwantitatieveNormwaarde", value=raw, **where))
                continue
        folder.gio[ident] = _GioLocation(geometry, value, _text(loc, "kwalitatieveNormwaarde"), _text(loc, "naam"),
                                         name, unit_uri, norm_uri)  # fmt: skip


_READERS: dict[str, Callable[[_Folder, str, Any], None]] = {
    "owBestand": _ow,
    "Aanleveringen": _manifest,
    "AanleveringBesluit": _besluit,
    "AanleveringInformatieObject": _informatieobject,
    "GeoInformatieObjectVaststelling": _gio,
    "GeoInformatieObjectVersie": _gio,
}


# ------------------------------------------------------------------------------ rules


def _number(text: str) -> float:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise ValueError(f"'{text}' is not a number; expected a number such as 13 or 7.5") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"'{text}' is not a finite number")
    return value


def article_of(wid: str) -> str:
    """``gm0297_1__chp_2__subchp_2.5__art_2.14`` -> ``artikel 2.14`` (``__para_2`` -> ``lid 2``)."""
    parts = wid.split("__")
    art = next((p[4:] for p in reversed(parts) if p.startswith("art_")), None)
    lid = next((p[5:] for p in reversed(parts) if p.startswith("para_")), None)
    if art is None:
        return wid
    return f"artikel {art}" + (f" lid {lid}" if lid else "")


def _plan_id(folder: _Folder) -> str:
    acts = [w for w in folder.work_ids if w.startswith("/akn/nl/act/")]
    if acts:
        return acts[0]
    if folder.work_ids:
        return folder.work_ids[0]
    ids = [n.id for n in folder.norms] + [a.id for a in folder.aanwijzingen]
    prefix = ".".join(ids[0].split(".")[:2]) if ids else None  # nl.imow-gm0297
    folder.warnings.append(
        f"no manifest-ow.xml (WorkIDRegeling) nor STOP besluit in the folder: the plan id is "
        f"'{prefix or folder.name}', taken from the OW identifiers; add manifest-ow.xml to name the regeling"
    )
    return prefix or folder.name


class _Resolver:
    def __init__(self, folder: _Folder) -> None:
        self.folder = folder
        self.unresolved: dict[str, str] = {}

    def gebieden(self, ref: str, seen: frozenset[str] = frozenset()) -> list[str]:
        f = self.folder
        if ref in f.gebieden:
            return [ref]
        if ref in f.groepen and ref not in seen:
            return [g for member in f.groepen[ref] for g in self.gebieden(member, seen | {ref})]
        if ref in f.other_locations:
            self.unresolved[ref] = f"{f.other_locations[ref]} {ref}: not an area (only Gebied/Gebiedengroep are read)"
        else:
            self.unresolved[ref] = f"location {ref}: not in the owLocaties files of the folder"
        return []

    def gio(self, gebied: str) -> _GioLocation | None:
        geometry_ref, _noemer = self.folder.gebieden[gebied]
        if geometry_ref and geometry_ref in self.folder.gio:
            return self.folder.gio[geometry_ref]
        self.unresolved[gebied] = (
            f"gebied {gebied}: its geometry {geometry_ref} is in no GIO of the folder (was the GIO .gml delivered?)"
            if geometry_ref
            else f"gebied {gebied}: no GeometrieRef"
        )
        return None


def _rules(folder: _Folder, source: str) -> PlanRules:
    plan_id = _plan_id(folder)
    result = PlanRules(regime=REGIME_STOP_TPOD, source=source, files=list(folder.files), plan_ids=[plan_id])
    result.warnings.extend(folder.warnings)
    resolve = _Resolver(folder)
    errors = list(folder.errors)

    def article(target: str) -> str | None:
        wids = [folder.regelteksten.get(r, r) for r in folder.norm_articles.get(target, [])]
        names = [folder.headings.get(w) or article_of(w) for w in dict.fromkeys(wids)]
        return "; ".join(names) or None

    base = {"plan_id": plan_id, "regime": REGIME_STOP_TPOD}
    for norm in folder.norms:
        typenorm = imow_values.term(norm.type_uri)
        typenorm = imow_values.TYPENORM_ALIASES.get(typenorm or "", typenorm)
        kind = imow_values.TYPENORM_KINDS.get(typenorm or "") or normalise_kind(typenorm or norm.name)
        for nw in norm.values:
            ow_value = None
            if nw["quantitative"] is not None:
                try:
                    ow_value = _number(nw["quantitative"])
                except ValueError as err:
                    errors.append(RowError(norm.source, str(err), nw["id"], "kwantitatieveWaarde", nw["quantitative"],
                                           "Normwaarde"))  # fmt: skip
                    continue
            for ref in nw["locations"]:
                for gebied in resolve.gebieden(ref):
                    loc = resolve.gio(gebied)
                    if loc is None:
                        continue
                    value = loc.value if loc.value is not None else ow_value
                    if loc.value is not None and ow_value is not None and loc.value != ow_value:
                        result.warnings.append(
                            f"{norm.id} {nw['id']}: the GIO {loc.source} gives {loc.value:g} at {gebied}, the OW "
                            f"Normwaarde {ow_value:g}; the GIO's value is used"
                        )
                    qualitative = loc.qualitative or nw["qualitative"]
                    rule_kind, name = kind, norm.name
                    if value is None and qualitative is not None:
                        name = f"{norm.name}: {qualitative}"
                        if kind in CHECKED_KINDS:
                            rule_kind = normalise_kind(norm.name)
                            if rule_kind in CHECKED_KINDS:  # a qualitative value is no limit a check can read
                                rule_kind = f"{kind}_kwalitatief"
                            result.warnings.append(
                                f"{norm.id} has type {typenorm} but the qualitative value '{qualitative}' at "
                                f"{gebied}; kept as kind '{rule_kind}' (not checked)"
                            )
                    elif value is None and nw["in_text"]:
                        name = f"{norm.name}: {nw['in_text']}"
                    unit_term = imow_values.term(norm.unit_uri or loc.unit_uri)
                    unit = imow_values.EENHEID_UNITS.get(unit_term or "", normalise_kind(unit_term) if unit_term
                                                         else None)  # fmt: skip
                    if rule_kind in _HEIGHTS and value is not None and unit in imow_values.LENGTH_IN_METRES:
                        value, unit = value * imow_values.LENGTH_IN_METRES[unit], UNIT_METRE
                    geometry, repaired = polygonal(loc.geometry)
                    if repaired:
                        result.warnings.append(f"{loc.source}: invalid geometry of {gebied} repaired (make_valid)")
                    result.rules.append(Rule(kind=rule_kind, value=value, unit=unit, geometry=geometry,
                                             source_id=gebied, article=article(norm.id), name=name,
                                             **base))  # fmt: skip
    for aanwijzing in folder.aanwijzingen:
        type_term = imow_values.term(aanwijzing.type_uri) or "onbekend"
        group_term = imow_values.term(aanwijzing.group_uri)
        if type_term == imow_values.GEBIEDSAANWIJZING_BOUW:
            kind = imow_values.BOUWGROEP_KINDS.get(group_term or "") or f"bouw_{normalise_kind(group_term or 'bouw')}"
        else:
            kind = f"gebiedsaanwijzing_{normalise_kind(type_term)}"
        for ref in aanwijzing.locations:
            for gebied in resolve.gebieden(ref):
                loc = resolve.gio(gebied)
                if loc is None:
                    continue
                geometry, _ = polygonal(loc.geometry)
                result.rules.append(Rule(kind=kind, value=None, unit=None, geometry=geometry, source_id=gebied,
                                         article=article(aanwijzing.id), name=aanwijzing.name,
                                         bestemming=aanwijzing.name if type_term == "Functie" else None,
                                         **base))  # fmt: skip
    if errors:
        raise InputError(errors, source)
    missing = sorted(set(folder.listed_gio_files) - {Path(f).name for f in folder.files})
    for gml in missing:
        result.warnings.append(f"{folder.listed_gio_files[gml]} lists the GIO {gml}, which is not in {source}")
    result.unresolved = sorted(resolve.unresolved.values())
    if result.unresolved:
        result.warnings.append(
            f"{len(result.unresolved)} location(s) not resolved, their rules not imported: "
            + "; ".join(result.unresolved[:20])
            + (" ..." if len(result.unresolved) > 20 else "")
        )
    for skipped in folder.skipped:
        result.warnings.append(f"not read (no rules in it): {skipped}")
    if not result.rules:
        raise InputError(
            "no rule could be placed: " + ("; ".join(result.unresolved[:10]) or "no norm or gebiedsaanwijzing has a "
                                           "location"),
            source,
        )  # fmt: skip
    return result
