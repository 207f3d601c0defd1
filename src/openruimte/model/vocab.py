"""Vocabularies of the exchange format (``shared/spec/exchange.md``).

Values are the Dutch terms used in practice, lower-case; identifiers are English.
"""

from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    """Life-cycle phase of a plan, in order."""

    IDEE = "idee"
    INITIATIEF = "initiatief"
    DEFINITIE = "definitie"
    ONTWERP = "ontwerp"
    VOORBEREIDING = "voorbereiding"
    REALISATIE = "realisatie"
    BEHEER = "beheer"

    @property
    def rank(self) -> int:
        return list(Phase).index(self)


class Hardness(StrEnum):
    """Has a decision been taken (hardheid)."""

    INDICATIEF = "indicatief"
    VOORGENOMEN = "voorgenomen"
    BESLOTEN = "besloten"

    @property
    def rank(self) -> int:
        return list(Hardness).index(self)


class Visibility(StrEnum):
    """Who may see a row: the owner's choice."""

    PRIVATE = "private"
    SHARED = "shared"
    PUBLIC = "public"


class OrganisationKind(StrEnum):
    GEMEENTE = "gemeente"
    NETBEHEERDER = "netbeheerder"
    WONINGCORPORATIE = "woningcorporatie"
    WATERBEDRIJF = "waterbedrijf"
    TELECOM = "telecom"
    PROVINCIE = "provincie"
    OVERIG = "overig"


class PolicyKind(StrEnum):
    """A binding norm (normerend) or an ambition (ambiërend)."""

    NORMEREND = "normerend"
    AMBIEREND = "ambierend"


class AreaLevel(StrEnum):
    BUURT = "buurt"
    WIJK = "wijk"
    GEMEENTE = "gemeente"


class Temporal(StrEnum):
    """Does a dataset describe the current or a future situation."""

    CURRENT = "current"
    FUTURE = "future"


class Origin(StrEnum):
    INTERNAL = "internal"
    EXTERNAL = "external"


class Category(StrEnum):
    """The five categories of information of integral programming, plus areas and streets."""

    POLICY = "policy"
    PLANS = "plans"
    ASSETS = "assets"
    ENVIRONMENT = "environment"
    VITAL = "vital"
    AREAS = "areas"
    STREETS = "streets"
    BUILDINGS = "buildings"


#: Asset vocabulary, grouped as in practice (exchange.md "Asset vocabulary").
ASSET_GROUPS: dict[str, tuple[str, ...]] = {
    "kabels en leidingen": (
        "gas",
        "elektriciteit",
        "warmte",
        "drinkwater",
        "telecom",
        "openbare_verlichting",
        "verkeersregeling",
    ),
    "riolering": ("hemelwaterafvoer", "droogweerafvoer", "gemengd_riool", "drainage", "overstort"),
    "groen": ("bomen", "groen"),
    "verharding": ("weg", "fietspad", "voetpad"),
    "gemeentelijk eigendom": ("gebouw", "kunstwerk", "ondergrond"),
    "voorzieningen": ("openbaar_toilet", "sport_recreatie", "speelvoorziening"),
    "mobiliteit": ("laadpunt", "fietsparkeren", "verkeersobject", "ov_halte"),
    "ontwikkeling": ("woningbouw", "gebiedsontwikkeling"),
}

#: Every asset type code, in vocabulary order.
ASSET_TYPES: tuple[str, ...] = tuple(code for group in ASSET_GROUPS.values() for code in group)

#: asset type code -> its group name.
ASSET_GROUP_OF: dict[str, str] = {code: group for group, codes in ASSET_GROUPS.items() for code in codes}

#: Asset types that are cables and pipes (networks in the ground).
UNDERGROUND_NETWORK_TYPES: frozenset[str] = frozenset(ASSET_GROUPS["kabels en leidingen"] + ASSET_GROUPS["riolering"])

#: Themes seen in practice; themes are free text, these are offered in the UI.
KNOWN_THEMES: tuple[str, ...] = (
    "hittestress",
    "wateroverlast",
    "energietransitie",
    "mobiliteit",
    "woningbouw",
    "vervanging",
    "biodiversiteit",
)

#: Network types of vital systems.
NETWORK_TYPES: tuple[str, ...] = ("elektriciteit", "gas", "warmte", "drinkwater", "telecom", "riolering")
