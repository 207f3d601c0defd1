"""The normalised plan rule: what an IMRO2012 bestemmingsplan and a STOP/TPOD omgevingsplan become.

One :class:`Rule` is one value (or one area) at one place: a Maatvoering that carries
a maximum building height and a maximum gutter height gives two rules. Kinds that no
check reads are kept with their own normalised name (``maximum_aantal_wooneenheden``,
``bouwaanduiding``, ...) and listed in the import summary, never dropped.

Geometries are in EPSG:28992 (RD New), metres, like every geometry in the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shapely.geometry.base import BaseGeometry


class RuleKind(StrEnum):
    """The rule kinds the checks read (the exchange name of each is its value)."""

    BESTEMMINGSVLAK = "bestemmingsvlak"
    BOUWVLAK = "bouwvlak"
    MAXIMUM_BOUWHOOGTE = "maximum_bouwhoogte"
    MAXIMUM_GOOTHOOGTE = "maximum_goothoogte"
    MAXIMUM_BOUWLAGEN = "maximum_bouwlagen"
    MAXIMUM_BEBOUWINGSPERCENTAGE = "maximum_bebouwingspercentage"


#: kinds a check reads; any other kind is kept and listed as "not checked"
CHECKED_KINDS: frozenset[str] = frozenset(k.value for k in RuleKind)

#: the regimes a rule can come from
REGIME_IMRO2012 = "imro2012"
REGIME_STOP_TPOD = "stop-tpod"
REGIMES = (REGIME_IMRO2012, REGIME_STOP_TPOD)

#: units as stored: metres, percent, a count (storeys, dwellings), none (an area rule)
UNIT_METRE = "m"
UNIT_PERCENT = "%"
UNIT_COUNT = "count"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One normalised plan rule.

    ``kind``       a :class:`RuleKind` value, or another normalised kind (lower case,
                   words joined by ``_``) that no check reads;
    ``value``      the limit (``None`` for an area rule such as a bouwvlak);
    ``unit``       :data:`UNIT_METRE`, :data:`UNIT_PERCENT`, :data:`UNIT_COUNT` or ``None``;
    ``geometry``   where the rule applies (polygon or multipolygon, EPSG:28992);
    ``plan_id``    the plan's identifier (IMRO ``NL.IMRO.…`` or the omgevingsplan's
                   ``/akn/nl/act/…`` work / ``gm0297`` id as the source gives it);
    ``source_id``  the identifier of the object it came from (IMRO ``identificatie``,
                   IMOW ``identificatie`` of the norm value's location), so a result
                   can be traced back;
    ``article``    the article the rule is in, where the source says it
                   (IMRO: the bestemming's name; STOP/TPOD: the Regeltekst's article);
    ``name``       the source's own wording (``maximum bouwhoogte (m)``,
                   ``maximum bouwhoogte bedrijfsgebouw``, ``Wonen``);
    ``regime``     :data:`REGIME_IMRO2012` or :data:`REGIME_STOP_TPOD`;
    ``bestemming`` for a bestemmingsvlak its function (``Wonen``), else the
                   bestemming the rule belongs to where the source links it.
    """

    kind: str
    value: float | None
    unit: str | None
    geometry: BaseGeometry
    plan_id: str
    source_id: str
    article: str | None = None
    name: str = ""
    regime: str = REGIME_IMRO2012
    bestemming: str | None = None

    @property
    def checked(self) -> bool:
        """Whether a check reads this kind."""
        return self.kind in CHECKED_KINDS
