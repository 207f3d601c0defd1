"""The readers OpenRuimte knows: format name -> reader (its module and function,
what it reads, its file extensions).

The exchange format (shared/spec/exchange.md) is read in five encodings, each a
table reader for every kind; the national standards (KLIC/IMKL, BGT/IMGeo,
CityJSON) are readers of their own and an import kind of their own. The CLI's
``import``, the importer (:mod:`openruimte.services.importing`) and the API
(``GET /api/formats``) list and dispatch from here, so a new format is one
module plus one :func:`register` line.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openruimte.io.columns import KINDS
from openruimte.model.vocab import Category, Origin

#: the kinds of the exchange format, each readable in every exchange encoding
EXCHANGE_KINDS: tuple[str, ...] = tuple(KINDS)


@dataclass(frozen=True)
class Reader:
    """One reader: ``module.function`` reads ``kinds`` from files with ``extensions``."""

    name: str
    module: str
    function: str
    kinds: tuple[str, ...]
    extensions: tuple[str, ...]
    description: str
    #: a national standard: an import kind of its own, stored as ``stores`` in ``category``
    stores: str | None = None
    category: Category | None = None
    licence: str | None = None
    origin: Origin = Origin.INTERNAL

    @property
    def standard(self) -> bool:
        return self.stores is not None

    def load(self) -> Callable[..., Any]:
        """The reader function (its module is imported on first use)."""
        return getattr(importlib.import_module(self.module), self.function)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kinds": list(self.kinds),
            "extensions": list(self.extensions),
            "description": self.description,
            "standard": self.standard,
            "stores": self.stores,
            "licence": self.licence,
        }


READERS: dict[str, Reader] = {}


def register(reader: Reader) -> Reader:
    if reader.name in READERS:
        raise ValueError(f"a reader named '{reader.name}' is registered already")
    READERS[reader.name] = reader
    return reader


def exchange_formats() -> tuple[str, ...]:
    """The encodings of the exchange format (``--format``)."""
    return tuple(r.name for r in READERS.values() if not r.standard)


def standards() -> dict[str, Reader]:
    """The national-standard readers, by import kind."""
    return {r.name: r for r in READERS.values() if r.standard}


def import_kinds() -> tuple[str, ...]:
    """Every kind ``import`` takes: the exchange kinds, then one per national standard."""
    return EXCHANGE_KINDS + tuple(standards())


def extensions() -> dict[str, str]:
    """File extension -> exchange encoding (the format of a file when none is named)."""
    return {ext: r.name for r in READERS.values() if not r.standard for ext in r.extensions}


_EXCHANGE = "openruimte.io"
register(
    Reader(
        "geojson",
        f"{_EXCHANGE}.json_format",
        "read_table",
        EXCHANGE_KINDS,
        (".geojson", ".json"),
        "GeoJSON (RFC 7946, WGS84)",
    )
)
register(
    Reader("jsonfg", f"{_EXCHANGE}.json_format", "read_table", EXCHANGE_KINDS, (".jsonfg", ".fg.json"), "OGC JSON-FG")
)
register(Reader("gpkg", f"{_EXCHANGE}.gpkg_format", "read_table", EXCHANGE_KINDS, (".gpkg",), "OGC GeoPackage"))
register(Reader("csv", f"{_EXCHANGE}.csv_format", "read_table", EXCHANGE_KINDS, (".csv",), "CSV with WKT geometry"))
register(
    Reader("xlsx", f"{_EXCHANGE}.xlsx_format", "read_table", EXCHANGE_KINDS, (".xlsx",), "Excel with WKT geometry")
)
register(
    Reader(
        "imkl",
        f"{_EXCHANGE}.imkl",
        "read_imkl",
        ("assets",),
        (".xml", ".gml", ".zip"),
        "KLIC delivery (IMKL 2.0 GML)",
        stores="assets",
        category=Category.ASSETS,
        licence="KLIC levering (WIBON: alleen voor de graafmelding)",
        origin=Origin.EXTERNAL,
    )
)
register(
    Reader(
        "bgt",
        f"{_EXCHANGE}.bgt",
        "read_bgt",
        ("assets",),
        (".zip", ".gml"),
        "BGT / IMGeo 2.2 (CityGML)",
        stores="assets",
        category=Category.ASSETS,
        licence="BGT open data (CC BY 4.0)",
        origin=Origin.INTERNAL,
    )
)
register(
    Reader(
        "cityjson",
        f"{_EXCHANGE}.cityjson",
        "read_cityjson",
        ("buildings",),
        (".city.json", ".json", ".jsonl"),
        "CityJSON 1.1 / 2.0 and CityJSONSeq (3D BAG)",
        stores="buildings",
        category=Category.BUILDINGS,
        licence="3D BAG (CC BY 4.0)",
        origin=Origin.EXTERNAL,
    )
)
