"""The organisations at Voorbeeldstad's programming table, and shared constants."""

from __future__ import annotations

from openruimte.model import Organisation, OrganisationKind

GEMEENTE = "gemeente-voorbeeldstad"
NETBEHEERDER = "netbeheerder-noord"
WARMTEBEDRIJF = "warmtebedrijf-stad"
WATERBEDRIJF = "waterbedrijf-regio"
GLASNET = "telecom-glasnet"
STADSNET = "telecom-stadsnet"
CORPORATIE = "woningcorporatie-thuis"
PROVINCIE = "provincie-middenland"
WATERSCHAP = "waterschap-stroomland"

ORGANISATIONS: tuple[tuple[str, str, OrganisationKind], ...] = (
    (GEMEENTE, "Gemeente Voorbeeldstad", OrganisationKind.GEMEENTE),
    (NETBEHEERDER, "Netbeheer Noord", OrganisationKind.NETBEHEERDER),
    (WARMTEBEDRIJF, "Warmtebedrijf Stad", OrganisationKind.OVERIG),
    (WATERBEDRIJF, "Waterbedrijf Regio", OrganisationKind.WATERBEDRIJF),
    (GLASNET, "Glasnet Telecom", OrganisationKind.TELECOM),
    (STADSNET, "Stadsnet Glasvezel", OrganisationKind.TELECOM),
    (CORPORATIE, "Woningcorporatie Thuis", OrganisationKind.WONINGCORPORATIE),
    (PROVINCIE, "Provincie Middenland", OrganisationKind.PROVINCIE),
    (WATERSCHAP, "Waterschap Stroomland", OrganisationKind.OVERIG),
)

#: width of the street profile (m) a cable or pipe of each type claims, trench and
#: clearance included; used to tell whether another network still fits a street
CABLE_SPACE_M: dict[str, float] = {
    "telecom": 0.4,
    "elektriciteit": 0.6,
    "gas": 0.6,
    "drinkwater": 0.8,
    "gemengd_riool": 1.5,
    "hemelwaterafvoer": 1.0,
    "droogweerafvoer": 0.8,
    "drainage": 0.3,
    "warmte": 1.6,
}

#: electricity demand added per new all-electric dwelling (kW, simultaneity included)
KW_PER_DWELLING = 3.5

#: the reference date of the demo ("today")
YEAR_NOW = 2026


def organisations() -> list[Organisation]:
    return [Organisation(code=c, name=n, kind=k) for c, n, k in ORGANISATIONS]
