"""BIM models (IFC): placement on the map, what a model holds, versions compared, information requirements.

Pure: imports only :mod:`openruimte.model` and third-party packages (ifcopenshell,
ifctester, lxml, pyproj, shapely, numpy); the store, the API and the CLI sit above it
(``openruimte.services.bim``, ``openruimte.services.bimcheck``).

* :mod:`openruimte.bim.georef`  -- where a model lies: map conversion, CRS, units, rotation
* :mod:`openruimte.bim.extract` -- schema, units, storeys, counts, footprint, heights, floor area
* :mod:`openruimte.bim.diff`    -- two versions compared
* :mod:`openruimte.bim.ids`     -- IDS 1.0 information requirements: read safely, audit, check a model
* :mod:`openruimte.bim.ils`     -- the built-in IDS for the Dutch BIM basis ILS, plus its Python-only checks
* :mod:`openruimte.bim.reports` -- check reports as JSON, Dutch HTML and BCF 2.1
"""

from openruimte.bim.errors import BimError

__all__ = ["BimError"]
