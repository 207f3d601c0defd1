"""Cables and pipes in 3D: network theme, colour and depth below the ground level.

The depth of a cable or pipe is, in this order: its measured depth (``depth_m``,
the depth of its top below ground level as in IMKL), the network operator's
standard depth (``attributes["standard_depth_m"]``, IMKL ``standaardDiepte``), or a
typical depth of its network below (:data:`TYPICAL_DEPTH_M`, marked ``estimated``).
The tube's axis lies one radius below the top.
"""

from __future__ import annotations

from typing import Any

from openruimte.model import Asset
from openruimte.model.vocab import UNDERGROUND_NETWORK_TYPES

#: network theme per asset type (the viewer's layer switch), KLIC theme names
NETWORK_THEMES: dict[str, str] = {
    "elektriciteit": "elektriciteit",
    "openbare_verlichting": "elektriciteit",
    "verkeersregeling": "elektriciteit",
    "gas": "gas",
    "warmte": "warmte",
    "drinkwater": "water",
    "telecom": "datatransport",
    "hemelwaterafvoer": "riolering",
    "droogweerafvoer": "riolering",
    "gemengd_riool": "riolering",
    "drainage": "riolering",
    "overstort": "riolering",
}

#: colour per theme, after the KLIC map colours (elektriciteit red, gas yellow, water blue ...)
THEME_COLOURS: dict[str, str] = {
    "elektriciteit": "#d6336c",
    "gas": "#e0b000",
    "warmte": "#f76707",
    "water": "#1c7ed6",
    "datatransport": "#2f9e44",
    "riolering": "#7b4a2a",
}

#: typical depth of the top of a cable or pipe below ground level (m) when neither a measured
#: nor a standard depth is known (cover depths as in NEN 7171-1 practice)
TYPICAL_DEPTH_M: dict[str, float] = {
    "elektriciteit": 0.7,
    "openbare_verlichting": 0.6,
    "verkeersregeling": 0.6,
    "gas": 0.8,
    "warmte": 0.8,
    "drinkwater": 1.0,
    "telecom": 0.6,
    "hemelwaterafvoer": 1.5,
    "droogweerafvoer": 1.8,
    "gemengd_riool": 2.0,
    "drainage": 0.8,
    "overstort": 2.0,
}

#: diameter (mm) drawn when none is known
TYPICAL_DIAMETER_MM: dict[str, float] = {
    "elektriciteit": 80,
    "openbare_verlichting": 50,
    "verkeersregeling": 50,
    "gas": 110,
    "warmte": 250,
    "drinkwater": 160,
    "telecom": 50,
    "hemelwaterafvoer": 400,
    "droogweerafvoer": 300,
    "gemengd_riool": 500,
    "drainage": 100,
    "overstort": 600,
}


def network_of(asset_type: str) -> str | None:
    """The network theme of an asset type, None for what is not a cable or pipe."""
    if asset_type not in UNDERGROUND_NETWORK_TYPES:
        return None
    return NETWORK_THEMES.get(asset_type)


def pipe_depth(asset: Asset) -> tuple[float, str]:
    """Depth of the top below ground level (m) and where it comes from: ``measured``,
    ``standard`` (the operator's standard depth) or ``estimated``."""
    if asset.depth_m is not None and asset.depth_m >= 0:
        return float(asset.depth_m), "measured"
    standard = _number(asset.attributes.get("standard_depth_m"))
    if standard is not None and standard >= 0:
        return standard, "standard"
    return TYPICAL_DEPTH_M.get(asset.asset_type, 1.0), "estimated"


def pipe_diameter_m(asset: Asset) -> float:
    """Outer diameter in metres: the asset's own, else typical for its type."""
    mm = asset.diameter_mm if asset.diameter_mm and asset.diameter_mm > 0 else None
    return float(mm or TYPICAL_DIAMETER_MM.get(asset.asset_type, 100)) / 1000.0


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
