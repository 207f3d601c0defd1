"""Column names per kind of record: the exchange keys in order, and the Dutch
spellings accepted on import (exchange.md), matched case-insensitively."""

from __future__ import annotations

import re
from dataclasses import dataclass

from openruimte.model.errors import RowError


@dataclass(frozen=True)
class Kind:
    """What one kind of record looks like in a table."""

    name: str
    #: exchange keys in the order they are written
    keys: tuple[str, ...]
    #: lower-case alias -> exchange key
    aliases: dict[str, str]
    #: keys written as lists (``a;b`` in flat formats)
    list_keys: tuple[str, ...] = ()
    date_keys: tuple[str, ...] = ()
    bool_keys: tuple[str, ...] = ()
    int_keys: tuple[str, ...] = ()
    float_keys: tuple[str, ...] = ()
    #: columns that are not exchange keys go into ``attributes`` (else: ignored, with a warning)
    keeps_attributes: bool = False
    #: the key that identifies a row, for duplicate detection
    id_keys: tuple[str, ...] = ("owner", "id")


PLAN = Kind(
    name="plans",
    keys=(
        "id",
        "name",
        "owner",
        "phase",
        "hardness",
        "asset_types",
        "themes",
        "programme",
        "area",
        "start",
        "end",
        "earliest_start",
        "latest_end",
        "duration_days",
        "excavation",
        "surface_renewal",
        "budget_eur",
        "contact",
        "visibility",
        "phase_planning",
        "dwellings",
        "sensitive",
        "goals",
    ),
    aliases={
        "planid": "id",
        "plan_id": "id",
        "naam": "name",
        "planname": "name",
        "plannaam": "name",
        "eigenaar": "owner",
        "organisatie": "owner",
        "fase": "phase",
        "hardheid": "hardness",
        "assettype": "asset_types",
        "assettypen": "asset_types",
        "asset_type": "asset_types",
        "thema": "themes",
        "themas": "themes",
        "thema's": "themes",
        "theme": "themes",
        "uitvoeringsprogramma": "programme",
        "programma": "programme",
        "program": "programme",
        "gebied": "area",
        "buurt": "area",
        "wijk": "area",
        "startdatum": "start",
        "einddatum": "end",
        "eind": "end",
        "end_date": "end",
        "start_date": "start",
        "vroegste_start": "earliest_start",
        "uiterste_eind": "latest_end",
        "uiterlijk_gereed": "latest_end",
        "duur_dagen": "duration_days",
        "duur": "duration_days",
        "graven": "excavation",
        "ontgraving": "excavation",
        "herbestrating": "surface_renewal",
        "nieuwe_verharding": "surface_renewal",
        "budget": "budget_eur",
        "raming": "budget_eur",
        "kosten": "budget_eur",
        "contactpersoon": "contact",
        "zichtbaarheid": "visibility",
        "faseplanning": "phase_planning",
        "woningen": "dwellings",
        "aantal_woningen": "dwellings",
        "commercieel_gevoelig": "sensitive",
        "gevoelig": "sensitive",
        "vertrouwelijk": "sensitive",
        "doelen": "goals",
        "beleidsdoelen": "goals",
        "goal": "goals",
    },
    list_keys=("asset_types", "themes", "goals"),
    date_keys=("start", "end", "earliest_start", "latest_end"),
    bool_keys=("excavation", "surface_renewal", "sensitive"),
    int_keys=("duration_days", "dwellings"),
    float_keys=("budget_eur",),
)

ASSET = Kind(
    name="assets",
    keys=(
        "id",
        "owner",
        "asset_type",
        "name",
        "imbor_type",
        "material",
        "install_year",
        "expected_life_years",
        "replacement_year",
        "condition",
        "depth_m",
        "diameter_mm",
        "area",
        "visibility",
        "attributes",
    ),
    aliases={
        "assetid": "id",
        "asset_id": "id",
        "eigenaar": "owner",
        "organisatie": "owner",
        "assettype": "asset_type",
        "type": "asset_type",
        "naam": "name",
        "imbor": "imbor_type",
        "imbortype": "imbor_type",
        "objecttype": "imbor_type",
        "materiaal": "material",
        "aanlegjaar": "install_year",
        "jaar_aanleg": "install_year",
        "bouwjaar": "install_year",
        "levensduur": "expected_life_years",
        "verwachte_levensduur": "expected_life_years",
        "vervangingsjaar": "replacement_year",
        "vervangjaar": "replacement_year",
        "conditie": "condition",
        "conditiescore": "condition",
        "nen2767": "condition",
        "diepte": "depth_m",
        "diepte_m": "depth_m",
        "diameter": "diameter_mm",
        "diameter_mm": "diameter_mm",
        "gebied": "area",
        "buurt": "area",
        "wijk": "area",
        "zichtbaarheid": "visibility",
        "attributen": "attributes",
    },
    int_keys=("install_year", "expected_life_years", "replacement_year", "condition"),
    float_keys=("depth_m", "diameter_mm"),
    keeps_attributes=True,
)

POLICY = Kind(
    name="policy",
    keys=(
        "id",
        "owner",
        "theme",
        "indicator",
        "kind",
        "name",
        "area",
        "target",
        "norm",
        "unit",
        "horizon_year",
        "source_document",
        "current",
        "measures",
        "visibility",
    ),
    aliases={
        "doelid": "id",
        "eigenaar": "owner",
        "organisatie": "owner",
        "thema": "theme",
        "soort": "kind",
        "aard": "kind",
        "naam": "name",
        "doel": "name",
        "gebied": "area",
        "buurt": "area",
        "wijk": "area",
        "streefwaarde": "target",
        "doelwaarde": "target",
        "eenheid": "unit",
        "horizon": "horizon_year",
        "horizonjaar": "horizon_year",
        "jaar": "horizon_year",
        "bron": "source_document",
        "brondocument": "source_document",
        "document": "source_document",
        "zichtbaarheid": "visibility",
        "huidige_waarde": "current",
        "huidig": "current",
        "nulmeting": "current",
        "maatregelen": "measures",
        "maatregel": "measures",
    },
    list_keys=("measures",),
    int_keys=("horizon_year",),
    float_keys=("target", "current"),
)

AREA = Kind(
    name="areas",
    keys=("code", "name", "level", "parent"),
    aliases={
        "kode": "code",
        "buurtcode": "code",
        "buurtkode": "code",
        "bu_code": "code",
        "statcode": "code",
        "wijkcode": "parent",
        "wijkkode": "parent",
        "wk_code": "parent",
        "naam": "name",
        "buurtnaam": "name",
        "bu_naam": "name",
        "statnaam": "name",
        "niveau": "level",
        "ouder": "parent",
    },
    id_keys=("code",),
)

LAYER = Kind(
    name="layer",
    keys=("id", "value", "value_class", "attributes"),
    aliases={
        "fid": "id",
        "waarde": "value",
        "klasse": "value_class",
        "class": "value_class",
        "categorie": "value_class",
    },
    float_keys=("value",),
    keeps_attributes=True,
    id_keys=("id",),
)

VITAL = Kind(
    name="vital",
    keys=(
        "system",
        "system_name",
        "network_type",
        "owner",
        "id",
        "kind",
        "name",
        "capacity",
        "load",
        "unit",
        "service_area",
    ),
    aliases={
        "systeem": "system",
        "netwerk": "system",
        "systeemnaam": "system_name",
        "nettype": "network_type",
        "netwerktype": "network_type",
        "eigenaar": "owner",
        "netbeheerder": "owner",
        "soort": "kind",
        "naam": "name",
        "capaciteit": "capacity",
        "belasting": "load",
        "eenheid": "unit",
        "verzorgingsgebied": "service_area",
    },
    float_keys=("capacity", "load"),
    id_keys=("system", "id"),
)

STREET = Kind(
    name="streets",
    keys=("id", "name", "kind", "profile_width_m", "area"),
    aliases={
        "straatid": "id",
        "wegvakid": "id",
        "naam": "name",
        "straatnaam": "name",
        "soort": "kind",
        "type": "kind",
        "profielbreedte": "profile_width_m",
        "profielbreedte_m": "profile_width_m",
        "breedte": "profile_width_m",
        "gebied": "area",
        "buurt": "area",
    },
    float_keys=("profile_width_m",),
    id_keys=("id",),
)

KINDS: dict[str, Kind] = {k.name: k for k in (PLAN, ASSET, POLICY, AREA, LAYER, VITAL, STREET)}

GEOMETRY_COLUMNS = ("geometry", "geometrie", "geom", "wkt", "the_geom")


def _normal(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def map_columns(columns: list[str], kind: Kind, source: str) -> tuple[dict[str, str], list[str], list[RowError]]:
    """Source column -> exchange key; the columns that are not exchange keys;
    errors for two columns that name the same key."""
    mapping: dict[str, str] = {}
    extra: list[str] = []
    errors: list[RowError] = []
    seen: dict[str, str] = {}
    keys = set(kind.keys)
    for col in columns:
        norm = _normal(col)
        if norm in GEOMETRY_COLUMNS:
            continue
        key = norm if norm in keys else kind.aliases.get(norm)
        if key is None or key not in keys:
            extra.append(col)
            continue
        if key in seen:
            errors.append(RowError(source, f"columns '{seen[key]}' and '{col}' both give {key}; keep one", field=col))
            continue
        seen[key] = col
        mapping[col] = key
    return mapping, extra, errors


def geometry_column(columns: list[str]) -> str | None:
    for col in columns:
        if _normal(col) in GEOMETRY_COLUMNS:
            return col
    return None
