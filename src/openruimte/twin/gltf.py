"""IFC to glTF (binary, GLB) with IfcOpenShell's own serializer, for the 3D view (#16).

Geometry comes from the geometry iterator with world coordinates (SI metres, as
the model register's footprints); the serializer writes the vertices in those
metres and gives every node the matrix from IFC's Z-up to glTF's Y-up, so a
glTF point (x, y, z) is the IFC world point (x, -z, y) in metres. The viewer
places the model with its georeferencing (services/twin.py ``placed_models``).
"""

from __future__ import annotations

import os
from pathlib import Path

#: geometry threads: the machine is shared (the register's extraction uses two as well)
THREADS = 2


def ifc_to_glb(ifc_path: str | Path, glb_path: str | Path) -> int:
    """Convert an IFC file to GLB (written atomically); returns the number of products written."""
    import ifcopenshell
    import ifcopenshell.geom

    model = ifcopenshell.open(str(ifc_path))
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    target = Path(glb_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + f".part-{os.getpid()}")
    serializer = ifcopenshell.geom.serializers.gltf(str(tmp), settings)
    serializer.setFile(model)
    serializer.setUnitNameAndMagnitude("METER", 1.0)
    serializer.writeHeader()
    iterator = ifcopenshell.geom.iterator(settings, model, THREADS)
    count = 0
    if iterator.initialize():
        while True:
            serializer.write(iterator.get())
            count += 1
            if not iterator.next():
                break
    serializer.finalize()
    del serializer
    os.replace(tmp, target)
    return count
