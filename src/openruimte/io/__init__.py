"""Readers and writers: the exchange format in GeoJSON, JSON-FG, GeoPackage, CSV and XLSX."""

from openruimte.io.exchange import FORMAT_NAMES, ReadResult, format_of, read, records, write

__all__ = ["FORMAT_NAMES", "ReadResult", "format_of", "read", "records", "write"]
