"""Reports a programming table looks at: a Gantt chart and a bundle map of a
programme, two scenarios side by side, and the area dossier.

Pure rendering: data in, self-contained HTML (inline SVG, no internet) or PNG/PDF
out; reading the store is done in thin glue functions (:mod:`openruimte.reports.dossier`).
"""

from openruimte.reports.programme import Programme, enrich, parse_programme, read_programme

__all__ = ["Programme", "enrich", "parse_programme", "read_programme"]
