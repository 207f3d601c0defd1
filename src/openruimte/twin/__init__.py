"""The 3D digital twin, pure parts (imports only ``openruimte.model`` and third-party).

- :mod:`.tiles`: the grid of tiles in RD New that the viewer streams, and the compact
  JSON encoding of buildings, plans and cables/pipes in it;
- :mod:`.volumes`: how a plan becomes a solid: a volume above ground extruded by its
  planned height or storeys, a trench below ground at its depth and width, or a
  slab where nothing is known;
- :mod:`.networks`: the network theme, colour and depth of a cable or pipe.

Heights: the scene is planar, in RD New (EPSG:28992) metres with NAP heights, so
the 3D BAG's NAP heights are used as they are and no ellipsoidal height (and no
RDNAPTRANS2018 grid) is needed. Plans and cables carry depths and heights relative
to the ground level (maaiveld); the scene's ground level in NAP is the median
ground height of the buildings in view (``ground_nap``), 0 m NAP without buildings.
"""

from openruimte.twin.networks import NETWORK_THEMES, network_of, pipe_depth
from openruimte.twin.tiles import TILE_SIZE_M, encode_buildings, tile_bbox, tile_of, tiles_in
from openruimte.twin.volumes import PlanVolume, solid_of

__all__ = [
    "NETWORK_THEMES",
    "TILE_SIZE_M",
    "PlanVolume",
    "encode_buildings",
    "network_of",
    "pipe_depth",
    "solid_of",
    "tile_bbox",
    "tile_of",
    "tiles_in",
]
