"""The BIM roadmap (routekaart): definitions as data, self-assessments, the maturity
index, progress between two dates, evidence proposals and the metro map (SVG) and
poster wall (HTML) drawn from the data.

Pure: imports only :mod:`openruimte.model` and third-party packages; the use case
that reads and writes the store is :mod:`openruimte.services.roadmap`.
"""

from openruimte.roadmap.definition import (
    EVIDENCE_KINDS,
    SHIPPED,
    Definition,
    Frame,
    Line,
    Station,
    load_definition,
    parse_definition,
    shipped_definition,
)
from openruimte.roadmap.status import (
    STATE_SCORE,
    STATES,
    Assessment,
    State,
    Status,
    maturity,
    progress,
    status_at,
)

__all__ = [
    "EVIDENCE_KINDS",
    "SHIPPED",
    "STATES",
    "STATE_SCORE",
    "Assessment",
    "Definition",
    "Frame",
    "Line",
    "State",
    "Station",
    "Status",
    "load_definition",
    "maturity",
    "parse_definition",
    "progress",
    "shipped_definition",
    "status_at",
]
