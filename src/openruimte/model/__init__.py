"""The information model: five categories of information, areas and organisations.

Pure Python: imports nothing else of OpenRuimte and does no I/O.
"""

from openruimte.model.entities import (
    Area,
    Asset,
    Building,
    Dataset,
    EnvironmentFeature,
    EnvironmentLayer,
    Organisation,
    Plan,
    PolicyGoal,
    StreetSegment,
    VitalElement,
    VitalSystem,
)
from openruimte.model.errors import ErrorCollector, FieldError, InputError, OpenRuimteError, RecordInvalid, RowError
from openruimte.model.geometry import STORAGE_CRS, STORAGE_SRID
from openruimte.model.vocab import (
    ASSET_GROUPS,
    ASSET_TYPES,
    AreaLevel,
    Category,
    Hardness,
    OrganisationKind,
    Origin,
    Phase,
    PolicyKind,
    Temporal,
    Visibility,
)

__all__ = [
    "ASSET_GROUPS",
    "ASSET_TYPES",
    "STORAGE_CRS",
    "STORAGE_SRID",
    "Area",
    "AreaLevel",
    "Asset",
    "Building",
    "Category",
    "Dataset",
    "EnvironmentFeature",
    "EnvironmentLayer",
    "ErrorCollector",
    "FieldError",
    "Hardness",
    "InputError",
    "OpenRuimteError",
    "Organisation",
    "OrganisationKind",
    "Origin",
    "Phase",
    "Plan",
    "PolicyGoal",
    "PolicyKind",
    "RecordInvalid",
    "RowError",
    "StreetSegment",
    "Temporal",
    "Visibility",
    "VitalElement",
    "VitalSystem",
]
