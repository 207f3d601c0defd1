"""The part of the IMOW value lists (waardelijsten) the plan-rules reader needs.

Source: the official IMOW waardelijsten v4.3.0 published by Geonovum
(repository Geonovum/TPOD, ``Waardelijsten/waardelijsten_IMOW_v4.3.0.json``), lists
*TypeNorm*, *Eenheid*, *TypeGebiedsaanwijzing* and *Bouwgroep*. Only the terms
(the last segment of each concept URI) and what OpenRuimte makes of them are kept
here; tests/test_rules_import.py checks each term against the official file.
"""

from __future__ import annotations

from openruimte.rules.model import UNIT_COUNT, UNIT_METRE, UNIT_PERCENT, RuleKind

SOURCE = "IMOW waardelijsten v4.3.0 (Geonovum/TPOD, Waardelijsten/waardelijsten_IMOW_v4.3.0.json)"
VERSION = "4.3.0"

TYPENORM_URI = "http://standaarden.omgevingswet.overheid.nl/typenorm/id/concept/"
EENHEID_URI = "http://standaarden.omgevingswet.overheid.nl/eenheid/id/concept/"
TYPEGEBIEDSAANWIJZING_URI = "http://standaarden.omgevingswet.overheid.nl/typegebiedsaanwijzing/id/concept/"
BOUWGROEP_URI = "http://standaarden.omgevingswet.overheid.nl/bouw/id/concept/"

#: TypeNorm term -> the checked rule kind (any other term: its normalised name, not checked)
TYPENORM_KINDS: dict[str, str] = {
    "MaximumBouwhoogte": RuleKind.MAXIMUM_BOUWHOOGTE.value,
    "MaximumGoothoogte": RuleKind.MAXIMUM_GOOTHOOGTE.value,
    "MaximumAantalBouwlagen": RuleKind.MAXIMUM_BOUWLAGEN.value,
    "MaximumBebouwingspercentage": RuleKind.MAXIMUM_BEBOUWINGSPERCENTAGE.value,
}
#: spellings seen in plans that are not (or no longer) in the list, read as the listed term
TYPENORM_ALIASES: dict[str, str] = {"MaximumBouwlagen": "MaximumAantalBouwlagen"}

#: Eenheid term -> the unit stored (lengths in the checked kinds are converted to metres)
EENHEID_UNITS: dict[str, str] = {
    "Meter": UNIT_METRE,
    "Centimeter": "cm",
    "Millimeter": "mm",
    "Kilometer": "km",
    "Procent": UNIT_PERCENT,
    "Aantal": UNIT_COUNT,
    "Bouwlaag": UNIT_COUNT,
    "VierkanteMeter": "m2",
    "VierkanteKilometer": "km2",
    "KubiekeMeter": "m3",
    "GraadHoek": "°",
    "AantalPerHectare": "count/ha",
    "Decibel": "dB",
    "DecibelMetAWeging": "dB(A)",
    "Jaren": "jaar",
    "Maanden": "maand",
    "Weken": "week",
    "Dagen": "dag",
    "Uur": "uur",
    "Minuut": "min",
    "Seconde": "s",
    "Liter": "l",
    "Kilogram": "kg",
    "Milligram": "mg",
}

#: lengths: unit -> metres (a height in centimetres becomes metres)
LENGTH_IN_METRES = {"m": 1.0, "cm": 0.01, "mm": 0.001, "km": 1000.0}

#: TypeGebiedsaanwijzing term of the aanwijzingen for building (Bouw), and its Bouwgroep terms
GEBIEDSAANWIJZING_BOUW = "Bouw"
BOUWGROEP_KINDS: dict[str, str] = {"Bouwvlak": RuleKind.BOUWVLAK.value}


def term(uri: str | None) -> str | None:
    """The concept term of a value-list URI (its last path segment), or None."""
    if not uri:
        return None
    return uri.strip().rstrip("/").rsplit("/", 1)[-1] or None
