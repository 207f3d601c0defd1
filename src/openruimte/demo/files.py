"""The demo town as exchange files: each category in another encoding, so the
demo runs every reader the way a user's files would (pure: model and io only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openruimte import io
from openruimte.model import StreetSegment

#: (kind, file name, import options): each kind in another encoding, so the demo
#: runs every reader the way a user's files would.
DEMO_FILES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("areas", "gebieden.geojson", {}),
    ("streets", "straten.gpkg", {}),
    ("plans", "plannen.gpkg", {}),
    ("assets", "assets.gpkg", {}),
    ("policy", "beleid.csv", {}),
    ("vital", "vitale_systemen.jsonfg", {}),
)


def write_demo_files(data: Any, out: Path) -> list[tuple[str, Path, dict[str, Any]]]:
    """Write every category of the demo town to ``out``; returns what to import."""
    out.mkdir(parents=True, exist_ok=True)
    items = {
        "areas": data.areas,
        "streets": [
            StreetSegment(
                id=s.id, name=s.name, geometry=s.geometry, kind=s.kind, profile_width_m=s.profile_width_m, area=s.area
            )
            for s in data.streets
        ],
        "plans": data.plans,
        "assets": data.assets,
        "policy": data.policy_goals,
        "vital": data.vital_systems,
    }
    todo: list[tuple[str, Path, dict[str, Any]]] = []
    for kind, name, options in DEMO_FILES:
        path = out / name
        io.write(path, kind, items[kind])
        todo.append((kind, path, options))
    for layer in data.layers:
        path = out / f"laag_{layer.name}.gpkg"
        io.write(path, "layer", [layer])
        todo.append(("layer", path, {"layer_name": layer.name}))
    return todo
