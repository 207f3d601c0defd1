"""BIM models (IFC): placement on the map, what a model holds, and versions compared.

Pure: imports only :mod:`openruimte.model` and third-party packages (ifcopenshell,
pyproj, shapely, numpy); the store, the API and the CLI sit above it
(``openruimte.services.bim``).

* :mod:`openruimte.bim.georef`  -- where a model lies: map conversion, CRS, units, rotation
* :mod:`openruimte.bim.extract` -- schema, units, storeys, counts, footprint, heights, floor area
* :mod:`openruimte.bim.diff`    -- two versions compared
"""

from openruimte.bim.errors import BimError

__all__ = ["BimError"]
