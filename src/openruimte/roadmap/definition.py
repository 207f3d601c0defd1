"""A roadmap definition as data (YAML or JSON), validated with errors that name file, line and key.

Shape (see ``definitions/gemeenten.yaml``)::

    roadmap: gemeenten            # name: lowercase letters, digits and hyphens
    version: 1                    # an integer; a changed definition gets a new version
    title: ... / title_en: ...
    reading: ...                  # whose reading of which public description this is
    source: ...                   # the public description it reads
    criteria_default: {verkennen: ..., in_ontwikkeling: ..., operationeel: ..., geborgd: ...}
    lines:
      - id: bron                  # unique over lines and stations
        name: ... / name_en: ...
        colour: "#1f5fa8"
        frames: [{id: bgt, name: BGT / IMGeo}]       # information frames beside the line
        stations:
          - id: bron-registraties
            name: ... / name_en: ...
            criteria: {operationeel: ..., geborgd: ...}   # per state; the default fills the rest
            evidence: [assets_imbor]                       # platform evidence that may propose a state
        branch:                   # optional side branch leaving the line at station ``from``
          id: ... / name: ... / from: STATION_ID / stations: [...]
    end_station: {id: tweeling, name: ...}               # optional: where every line arrives

JSON is read by the same loader (JSON is YAML). Aliases and anchors are refused
(a file of aliases can grow exponentially when expanded), as are duplicate keys
and files over 1 MB.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from openruimte.model import InputError, RowError

#: the states of a station, in order (the score is the index)
STATE_NAMES = ("niet_gestart", "verkennen", "in_ontwikkeling", "operationeel", "geborgd")
#: kinds of platform evidence a station may list (services/roadmap.py gathers them)
EVIDENCE_KINDS = {
    "ids": "IDS-informatie-eisen geregistreerd en modellen getoetst / IDS requirements registered, models checked",
    "plans": "plannen met fasen en een actuele planning / plans with phases and a current planning",
    "assets_imbor": "assets getypeerd met IMBOR / assets typed with IMBOR",
    "models_3d": "CityJSON-gebouwen en BIM-modellen geplaatst / CityJSON buildings and BIM models placed",
}
#: the definitions shipped with OpenRuimte (package data)
SHIPPED = ("gemeenten", "provincies")
MAX_BYTES = 1_000_000
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class DefinitionProblem(RowError):
    """A problem at one key of a definition file: ``file line N, key PATH: message``."""

    __slots__ = ()

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f" line {self.row}"
        if self.field is not None:
            where += f", key {self.field}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Frame:
    """An information frame (informatiekader) beside a line: a standard or agreement the line rests on."""

    id: str
    name: str
    name_en: str | None = None


@dataclass(frozen=True)
class Station:
    id: str
    name: str
    line: str
    name_en: str | None = None
    criteria: dict[str, str] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    #: on the side branch: counts in its line's index only once boarded (assessed above niet gestart)
    branch: bool = False
    #: the end station (in no line, counted in no index)
    end: bool = False


@dataclass(frozen=True)
class Branch:
    id: str
    name: str
    departs_from: str
    stations: tuple[Station, ...]
    name_en: str | None = None


@dataclass(frozen=True)
class Line:
    id: str
    name: str
    colour: str
    stations: tuple[Station, ...]
    name_en: str | None = None
    frames: tuple[Frame, ...] = ()
    branch: Branch | None = None

    def all_stations(self) -> tuple[Station, ...]:
        return self.stations + (self.branch.stations if self.branch else ())


@dataclass(frozen=True)
class Definition:
    name: str
    version: int
    title: str
    reading: str
    source: str
    lines: tuple[Line, ...]
    title_en: str | None = None
    reading_en: str | None = None
    end_station: Station | None = None
    criteria_default: dict[str, str] = field(default_factory=dict)
    #: the document as read (stored with the version, served by the API)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def stations(self) -> list[Station]:
        out = [s for line in self.lines for s in line.all_stations()]
        if self.end_station is not None:
            out.append(self.end_station)
        return out

    def station(self, station_id: str) -> Station:
        for s in self.stations():
            if s.id == station_id:
                return s
        known = ", ".join(s.id for s in self.stations())
        raise InputError(f"roadmap {self.name} has no station {station_id!r}; its stations are: {known}", self.name)

    def line(self, line_id: str) -> Line:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise InputError(f"roadmap {self.name} has no line {line_id!r}", self.name)

    def criteria(self, station: Station) -> dict[str, str]:
        """The criteria of every state of a station (its own, else the definition's default)."""
        return {s: station.criteria.get(s) or self.criteria_default.get(s, "") for s in STATE_NAMES[1:]}

    def to_dict(self) -> dict[str, Any]:
        return self.raw


# --------------------------------------------------------------------------- reading with line numbers


_NO_ALIASES = "aliases (*name) are not allowed; write the value out"


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing aliases where they stand (a file of aliases can grow exponentially)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, _NO_ALIASES, event.start_mark)
        return super().compose_node(parent, index)


class _Tree:
    """A YAML document as Python values plus the line of every key path."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines: dict[str, int] = {}
        self.errors: list[RowError] = []
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise InputError(
                    [DefinitionProblem(source, "the file is empty; a roadmap definition is expected")], source
                )
            self._seen: set[int] = set()
            self._walk(node, "")
            if self.errors:
                raise InputError(self.errors, source)
            self.data = loader.construct_document(node)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            line = mark.line + 1 if mark else None
            message = (
                err.problem
                if err.problem == _NO_ALIASES
                else f"not valid YAML/JSON: {err.problem or err}; fix the syntax"
            )
            raise InputError([DefinitionProblem(source, message, line)], source) from None
        except yaml.YAMLError as err:
            raise InputError([DefinitionProblem(source, f"not valid YAML/JSON: {err}")], source) from None
        finally:
            loader.dispose()

    def _walk(self, node: yaml.Node, path: str) -> None:
        if id(node) in self._seen:
            self.errors.append(
                DefinitionProblem(
                    self.source,
                    "aliases (*name) are not allowed; write the value out",
                    node.start_mark.line + 1,
                    path or None,
                )
            )
            return
        self._seen.add(id(node))
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen_keys: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                sub = f"{path}.{key}" if path else key
                if key in seen_keys:
                    self.errors.append(
                        DefinitionProblem(
                            self.source,
                            f"duplicate key {key!r} (first at line {seen_keys[key]}); keep one",
                            key_node.start_mark.line + 1,
                            sub,
                        )
                    )
                    continue
                seen_keys[key] = key_node.start_mark.line + 1
                self._walk(value_node, sub)
                self.lines[sub] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, f"{path}[{i}]")

    def line(self, path: str) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", path)
        return self.lines.get("")


class _Check:
    def __init__(self, tree: _Tree) -> None:
        self.tree = tree
        self.errors: list[RowError] = []

    def err(self, path: str, message: str) -> None:
        self.errors.append(DefinitionProblem(self.tree.source, message, self.tree.line(path), path or None))

    def mapping(self, value: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.err(path, f"expected a mapping (key: value), found {_kind(value)}")
            return None
        return value

    def text(self, doc: dict[str, Any], key: str, path: str, *, required: bool = True) -> str | None:
        sub = f"{path}.{key}" if path else key
        value = doc.get(key)
        if value is None:
            if required:
                self.err(path, f"missing key {key!r}; add it")
            return None
        if not isinstance(value, str) or not value.strip():
            self.err(sub, f"expected a non-empty text, found {_kind(value)}")
            return None
        return value.strip()

    def ident(self, doc: dict[str, Any], key: str, path: str, pattern: re.Pattern[str] = _ID) -> str | None:
        value = self.text(doc, key, path)
        if value is not None and not pattern.match(value):
            self.err(
                f"{path}.{key}" if path else key,
                f"{value!r} is not a valid id: use lowercase letters, digits, '-' or '_' (at most 63)",
            )
            return None
        return value

    def unknown(self, doc: dict[str, Any], allowed: set[str], path: str) -> None:
        for key in doc:
            if key not in allowed:
                near = sorted(allowed, key=lambda a: _distance(a, str(key)))[0]
                self.err(f"{path}.{key}" if path else str(key), f"unknown key {key!r} (did you mean {near!r}?)")


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


_TOP = {
    "roadmap",
    "version",
    "title",
    "title_en",
    "reading",
    "reading_en",
    "source",
    "criteria_default",
    "lines",
    "end_station",
}
_LINE = {"id", "name", "name_en", "colour", "frames", "stations", "branch"}
_STATION = {"id", "name", "name_en", "criteria", "evidence"}
_BRANCH = {"id", "name", "name_en", "from", "stations"}
_FRAME = {"id", "name", "name_en"}


def parse_definition(text: str, source: str = "definition") -> Definition:
    """Read and validate a definition; every problem is reported (file, line, key, what to do)."""
    if len(text.encode()) > MAX_BYTES:
        raise InputError(
            [DefinitionProblem(source, f"the file is larger than {MAX_BYTES:,} bytes; a roadmap is far smaller")]
        )
    tree = _Tree(text, source)
    check = _Check(tree)
    doc = check.mapping(tree.data, "")
    if doc is None:
        raise InputError(check.errors, source)
    check.unknown(doc, _TOP, "")
    name = check.ident(doc, "roadmap", "", _NAME)
    version = doc.get("version")
    if version is None:
        check.err("", "missing key 'version'; add it (an integer, 1 for a first version)")
    elif not isinstance(version, int) or isinstance(version, bool) or version < 1:
        check.err("version", f"expected a whole number of 1 or more, found {_kind(version)}")
    title = check.text(doc, "title", "")
    reading = check.text(doc, "reading", "")
    source_text = check.text(doc, "source", "")
    ids: dict[str, str] = {}
    default = _criteria(check, doc.get("criteria_default"), "criteria_default") if "criteria_default" in doc else {}

    def station(raw: Any, path: str, line_id: str, *, branch: bool = False, end: bool = False) -> Station | None:
        d = check.mapping(raw, path)
        if d is None:
            return None
        check.unknown(d, _STATION, path)
        sid = check.ident(d, "id", path)
        sname = check.text(d, "name", path)
        if sid is not None:
            if sid in ids:
                check.err(f"{path}.id", f"id {sid!r} is used twice (first at {ids[sid]}); ids must be unique")
            ids.setdefault(sid, path)
        crit = _criteria(check, d.get("criteria"), f"{path}.criteria") if "criteria" in d else {}
        evidence: list[str] = []
        raw_ev = d.get("evidence", [])
        if not isinstance(raw_ev, list):
            check.err(f"{path}.evidence", f"expected a list of evidence kinds, found {_kind(raw_ev)}")
            raw_ev = []
        for i, kind in enumerate(raw_ev):
            if kind not in EVIDENCE_KINDS:
                check.err(f"{path}.evidence[{i}]", f"unknown evidence {kind!r}; known: {', '.join(EVIDENCE_KINDS)}")
            else:
                evidence.append(kind)
        if sid is None or sname is None:
            return None
        return Station(
            id=sid,
            name=sname,
            line=line_id,
            name_en=check.text(d, "name_en", path, required=False),
            criteria=crit,
            evidence=tuple(evidence),
            branch=branch,
            end=end,
        )

    def stations(raw: Any, path: str, line_id: str, *, branch: bool = False) -> list[Station]:
        if not isinstance(raw, list) or not raw:
            check.err(path, f"expected a list of at least one station, found {_kind(raw)}")
            return []
        out = [station(s, f"{path}[{i}]", line_id, branch=branch) for i, s in enumerate(raw)]
        return [s for s in out if s is not None]

    lines: list[Line] = []
    raw_lines = doc.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        check.err("lines" if "lines" in doc else "", f"expected a list of at least one line, found {_kind(raw_lines)}")
        raw_lines = []
    for i, raw in enumerate(raw_lines):
        path = f"lines[{i}]"
        d = check.mapping(raw, path)
        if d is None:
            continue
        check.unknown(d, _LINE, path)
        lid = check.ident(d, "id", path)
        lname = check.text(d, "name", path)
        colour = check.text(d, "colour", path)
        if colour is not None and not _COLOUR.match(colour):
            check.err(f"{path}.colour", f"{colour!r} is not a colour; write it as #rrggbb, e.g. '#1f5fa8'")
            colour = None
        if lid is not None:
            if lid in ids:
                check.err(f"{path}.id", f"id {lid!r} is used twice (first at {ids[lid]}); ids must be unique")
            ids.setdefault(lid, path)
        main = stations(d.get("stations"), f"{path}.stations", lid or "")
        frames: list[Frame] = []
        raw_frames = d.get("frames", [])
        if not isinstance(raw_frames, list):
            check.err(f"{path}.frames", f"expected a list of frames, found {_kind(raw_frames)}")
            raw_frames = []
        for j, rf in enumerate(raw_frames):
            fp = f"{path}.frames[{j}]"
            fd = check.mapping(rf, fp)
            if fd is None:
                continue
            check.unknown(fd, _FRAME, fp)
            fid, fname = check.ident(fd, "id", fp), check.text(fd, "name", fp)
            if fid and fname:
                frames.append(Frame(fid, fname, check.text(fd, "name_en", fp, required=False)))
        branch = None
        if d.get("branch") is not None:
            bp = f"{path}.branch"
            bd = check.mapping(d["branch"], bp)
            if bd is not None:
                check.unknown(bd, _BRANCH, bp)
                bid, bname = check.ident(bd, "id", bp), check.text(bd, "name", bp)
                departs = check.text(bd, "from", bp)
                if departs is not None and departs not in {s.id for s in main}:
                    known = ", ".join(s.id for s in main) or "none"
                    check.err(f"{bp}.from", f"station {departs!r} is not on line {lid!r}; use one of: {known}")
                bst = stations(bd.get("stations"), f"{bp}.stations", lid or "", branch=True)
                if bid and bname and departs:
                    branch = Branch(bid, bname, departs, tuple(bst), check.text(bd, "name_en", bp, required=False))
        if lid and lname and colour:
            lines.append(
                Line(
                    id=lid,
                    name=lname,
                    colour=colour,
                    stations=tuple(main),
                    name_en=check.text(d, "name_en", path, required=False),
                    frames=tuple(frames),
                    branch=branch,
                )
            )
    end = station(doc["end_station"], "end_station", "", end=True) if doc.get("end_station") is not None else None
    if check.errors:
        raise InputError(check.errors, source)
    assert name and title and reading and source_text and isinstance(version, int)  # noqa: S101 - checked above
    return Definition(
        name=name,
        version=version,
        title=title,
        reading=reading,
        source=source_text,
        lines=tuple(lines),
        title_en=check.text(doc, "title_en", "", required=False),
        reading_en=check.text(doc, "reading_en", "", required=False),
        end_station=end,
        criteria_default=default,
        raw=json.loads(json.dumps(doc, default=str)),
    )


def _criteria(check: _Check, raw: Any, path: str) -> dict[str, str]:
    d = check.mapping(raw, path)
    if d is None:
        return {}
    out = {}
    for key, value in d.items():
        if key not in STATE_NAMES[1:]:
            check.err(f"{path}.{key}", f"unknown state {key!r}; the states are: {', '.join(STATE_NAMES[1:])}")
        elif not isinstance(value, str) or not value.strip():
            check.err(f"{path}.{key}", f"expected a text describing the state, found {_kind(value)}")
        else:
            out[key] = value.strip()
    return out


def load_definition(path: str | Path) -> Definition:
    """Read a definition file (YAML or JSON); errors name this file."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror}", path.name) from None
    if size > MAX_BYTES:
        raise InputError(
            [DefinitionProblem(path.name, f"the file is larger than {MAX_BYTES:,} bytes; a roadmap is far smaller")]
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"{path.name} is not UTF-8 (byte at {err.start}); save it as UTF-8", path.name) from None
    return parse_definition(text, path.name)


@functools.lru_cache(maxsize=8)
def shipped_definition(name: str) -> Definition:
    """One of the definitions shipped with OpenRuimte (OpenRuimte's default reading of a public description)."""
    if name not in SHIPPED:
        raise InputError(f"no shipped roadmap {name!r}; shipped are: {', '.join(SHIPPED)}", name)
    text = (resources.files("openruimte.roadmap") / "definitions" / f"{name}.yaml").read_text(encoding="utf-8")
    return parse_definition(text, f"{name}.yaml")
