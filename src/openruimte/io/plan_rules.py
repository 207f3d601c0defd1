"""What a plan-rules reader returns (IMRO2012 in :mod:`openruimte.io.imro`, STOP/TPOD in
:mod:`openruimte.io.stop_tpod`), and the normalisation both share."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from shapely.geometry import GeometryCollection, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.validation import make_valid

from openruimte.rules.model import Rule


@dataclass
class PlanRules:
    """The rules read from one plan, and what the reader had to say about it."""

    regime: str
    source: str
    rules: list[Rule] = field(default_factory=list)
    plan_ids: list[str] = field(default_factory=list)
    plan_name: str | None = None
    #: things the user should know (repaired geometry, objects without rules, ...)
    warnings: list[str] = field(default_factory=list)
    #: references the input does not resolve (a location whose GIO is not in the folder, ...)
    unresolved: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(r.kind for r in self.rules)


_NOT_WORD = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def normalise_kind(text: str) -> str:
    """``maximum aantal wooneenheden`` -> ``maximum_aantal_wooneenheden``;
    ``MaximumVolume`` -> ``maximum_volume``; accents dropped, words joined by ``_``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    plain = _CAMEL.sub("_", plain).lower()
    return _NOT_WORD.sub("_", plain).strip("_") or "onbekend"


def polygonal(geom: BaseGeometry) -> tuple[BaseGeometry, bool]:
    """A valid geometry for a rule, and whether it had to be repaired.

    Invalid polygons (a self-touching ring after densifying an arc, a bow tie) are made
    valid and their polygonal parts kept; other geometry types are kept as they are.
    """
    if geom.is_valid:
        return geom, False
    fixed = make_valid(geom)
    if isinstance(geom, Polygon | MultiPolygon):
        parts = [g for g in getattr(fixed, "geoms", [fixed]) if isinstance(g, Polygon | MultiPolygon)]
        flat = [p for g in parts for p in getattr(g, "geoms", [g])]
        fixed = flat[0] if len(flat) == 1 else MultiPolygon(flat) if flat else GeometryCollection()
    return fixed, True
