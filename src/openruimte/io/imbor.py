"""The CROW IMBOR object-type vocabulary, and its alignment with BGT/IMGeo classes.

:class:`ImborVocabulary` holds the object classes of the IMBOR *kern* (the
``rdfs:Class`` subjects of ``imbor-kern.ttl``, each with a ``skos:prefLabel``); an
``imbor_type`` is valid when it names one of them by URI, ``imbor:<uuid>``, bare
uuid or exact label. :class:`BgtAlignment` reads the CROW linkset that maps a BGT
class with a type value (``Put`` with ``plus-type`` ``Kolk``) to IMBOR classes.

The alignment is made for IMBOR 2025 and BGT/IMGeo 2.2, the vocabulary we hold is
IMBOR 2022: :meth:`ImborVocabulary.match_bgt` therefore says *how* it matched
(``alignment``, ``label``, ``class``), see there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from openruimte.model.errors import InputError

IMBOR_DEF = "https://data.crow.nl/imbor/def/"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


@dataclass(frozen=True, slots=True)
class ImborClass:
    """One IMBOR object class."""

    uri: str
    label: str
    definition: str | None = None
    parents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImborMatch:
    """The IMBOR class found for a BGT object, and how (alignment, label or class)."""

    imbor: ImborClass
    how: str
    candidates: tuple[str, ...] = ()


@lru_cache(maxsize=8192)
def normalise_key(text: str) -> str:
    """Letters and digits only, lower-case, accents removed: 'Inspectie- / rioolput' -> 'inspectierioolput'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^0-9a-z]", "", plain.lower())


# --------------------------------------------------------------------------- alignment


@dataclass(frozen=True, slots=True)
class _AlignmentEntry:
    bgt_class: str
    values: frozenset[str]
    targets: tuple[str, ...]
    alternatives: bool


class BgtAlignment:
    """BGT/IMGeo class (+ type values) -> IMBOR class URIs, from the CROW linkset."""

    def __init__(self, entries: Iterable[_AlignmentEntry]) -> None:
        self._by_class: dict[str, list[_AlignmentEntry]] = {}
        for entry in entries:
            self._by_class.setdefault(entry.bgt_class, []).append(entry)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_class.values())

    @classmethod
    def load(cls, path: str | Path) -> BgtAlignment:
        """Read the alignment Turtle file (``IMBOR2025_BGT-IMGeo2.2_alignment.ttl``)."""
        graph = _parse_turtle(path)
        return cls(_alignment_entries(graph))

    def lookup(self, bgt_class: str, values: Iterable[str]) -> _AlignmentEntry | None:
        """The most specific entry whose type values are all among ``values``."""
        given = {normalise_key(v) for v in values if v}
        fitting = [e for e in self._by_class.get(normalise_key(bgt_class), []) if e.values <= given]
        return max(fitting, key=lambda e: len(e.values), default=None)


def _alignment_entries(graph: Any) -> list[_AlignmentEntry]:
    from rdflib import OWL, BNode

    out = []
    for subject, members in graph.subject_objects(OWL.intersectionOf):
        target = graph.value(subject, OWL.equivalentClass)
        if isinstance(subject, BNode) or target is None:
            continue
        items = _rdf_list(graph, members)
        values = frozenset(normalise_key(_local(graph.value(r, OWL.hasValue))) for r in items[1:])
        targets, alternatives = _targets(graph, target)
        out.append(_AlignmentEntry(normalise_key(_local(items[0])), values, targets, alternatives))
    return out


def _targets(graph: Any, node: Any) -> tuple[tuple[str, ...], bool]:
    """The IMBOR class URIs of an equivalentClass, and whether they are alternatives (a union)."""
    from rdflib import OWL, URIRef

    if isinstance(node, URIRef):
        return (str(node),), False
    union = graph.value(node, OWL.unionOf)
    if union is not None:
        return tuple(_base_class(graph, m) for m in _rdf_list(graph, union)), True
    return (_base_class(graph, node),), False


def _base_class(graph: Any, node: Any) -> str:
    """A class URI, or the first class of an intersection (a class with a restriction)."""
    from rdflib import OWL, URIRef

    if isinstance(node, URIRef):
        return str(node)
    return str(_rdf_list(graph, graph.value(node, OWL.intersectionOf))[0])


def _rdf_list(graph: Any, head: Any) -> list[Any]:
    from rdflib.collection import Collection

    return list(Collection(graph, head))


def _local(node: Any) -> str:
    return re.split(r"[/#]", str(node).rstrip("/"))[-1]


# --------------------------------------------------------------------------- vocabulary


class ImborVocabulary:
    """The IMBOR object classes, with lookup by URI, uuid or label.

    The kern also declares a few classes of NEN 3610 and NEN 2660 it builds on
    (``Overbrugging``, ``FysiekObject``): they are classes too and count as valid.
    """

    def __init__(self, classes: Iterable[ImborClass], alignment: BgtAlignment | None = None) -> None:
        self._by_uri: dict[str, ImborClass] = {}
        self._by_label: dict[str, ImborClass] = {}
        self._by_key: dict[str, ImborClass] = {}
        for item in sorted(classes, key=lambda c: (not c.uri.startswith(IMBOR_DEF), c.uri)):
            self._by_uri[item.uri] = item
            self._by_label.setdefault(item.label.casefold(), item)
            if normalise_key(item.label):
                self._by_key.setdefault(normalise_key(item.label), item)
        self.alignment = alignment

    @classmethod
    def load(cls, kern: str | Path, *, alignment: str | Path | None = None) -> ImborVocabulary:
        """Read ``imbor-kern.ttl`` (and, optionally, the BGT alignment linkset)."""
        graph = _parse_turtle(kern)
        classes = _classes(graph)
        if not classes:
            raise InputError("no IMBOR object classes (rdfs:Class with skos:prefLabel) found", Path(kern).name)
        return cls(classes, BgtAlignment.load(alignment) if alignment else None)

    def __len__(self) -> int:
        return len(self._by_uri)

    def __iter__(self):
        return iter(self._by_uri.values())

    def get(self, uri_or_name: str) -> ImborClass | None:
        """The class named by URI, ``imbor:<uuid>``, bare uuid or exact label (any case)."""
        value = (uri_or_name or "").strip()
        if value.startswith("imbor:"):
            value = IMBOR_DEF + value.removeprefix("imbor:")
        elif _UUID.match(value):
            value = IMBOR_DEF + value
        return self._by_uri.get(value) or self._by_label.get(value.casefold())

    def label(self, uri_or_name: str) -> str | None:
        """The preferred label of a class, or None when it is not in the vocabulary."""
        found = self.get(uri_or_name)
        return found.label if found else None

    def lookup(self, name: str) -> ImborClass | None:
        """The class with exactly this label (any case)."""
        return self._by_label.get((name or "").strip().casefold())

    def search(self, text: str, limit: int = 20) -> list[ImborClass]:
        """Classes whose label contains ``text``: exact first, then prefix, then the rest (by label)."""
        needle = (text or "").strip().casefold()
        if not needle:
            return []
        hits = [c for c in self._by_uri.values() if needle in c.label.casefold()]
        hits.sort(key=lambda c: (c.label.casefold() != needle, not c.label.casefold().startswith(needle), c.label))
        return hits[:limit]

    def is_valid(self, value: str | None) -> bool:
        """Does ``value`` name a class of this vocabulary?"""
        return bool(value) and self.get(str(value)) is not None

    def match_bgt(
        self, bgt_class: str, values: Iterable[str], hints: Mapping[str, str] | None = None
    ) -> ImborMatch | None:
        """The IMBOR class of a BGT object (class name plus its type values), tried in order:

        1. ``alignment``: the linkset's class for the most specific (class, values), when
           it is one class (not a choice between alternatives) and in this vocabulary;
        2. ``label``: a class labelled like a type value, or like ``hints[value]``;
        3. ``class``: a class labelled like the BGT class itself (``Put``, ``Paal``).
        """
        values = [v for v in values if v]
        entry = self.alignment.lookup(bgt_class, values) if self.alignment else None
        candidates = entry.targets if entry else ()
        if entry and not entry.alternatives and self.get(entry.targets[0]):
            return ImborMatch(self._by_uri[entry.targets[0]], "alignment", candidates)
        for value in values:
            found = self._keyed(value) or self._keyed((hints or {}).get(normalise_key(value), ""))
            if found:
                return ImborMatch(found, "label", candidates)
        found = self._keyed(bgt_class)
        return ImborMatch(found, "class", candidates) if found else None

    def _keyed(self, text: str) -> ImborClass | None:
        key = normalise_key(text)
        return self._by_key.get(key) if key else None


def _classes(graph: Any) -> list[ImborClass]:
    from rdflib import RDF, RDFS, Namespace

    skos = Namespace("http://www.w3.org/2004/02/skos/core#")
    out = []
    for subject in set(graph.subjects(RDF.type, RDFS.Class)):
        label = graph.value(subject, skos.prefLabel)
        if label is None:
            continue
        definition = graph.value(subject, skos.definition)
        parents = tuple(sorted(str(p) for p in graph.objects(subject, RDFS.subClassOf)))
        out.append(ImborClass(str(subject), str(label), str(definition) if definition else None, parents))
    return out


def _parse_turtle(path: str | Path) -> Any:
    try:
        import rdflib
    except ImportError:  # pragma: no cover - rdflib is a dependency
        raise InputError("reading IMBOR needs rdflib: pip install rdflib", str(path)) from None
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such file: {path}", path.name)
    graph = rdflib.Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as err:  # rdflib raises several parser exception types
        raise InputError(f"not valid Turtle: {err}", path.name) from None
    return graph
