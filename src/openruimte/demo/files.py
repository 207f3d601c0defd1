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
    ("cityjson", "gebouwen.city.json", {}),  # 3D twin (#16): buildings as CityJSON 2.0, LoD 1.2
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
        if kind == "cityjson":  # 3D twin (#16): buildings and plan volumes
            _write_twin_files(data, out, path)
        else:
            io.write(path, kind, items[kind])
        todo.append((kind, path, options))
    for layer in data.layers:
        path = out / f"laag_{layer.name}.gpkg"
        io.write(path, "layer", [layer])
        todo.append(("layer", path, {"layer_name": layer.name}))
    return todo


def _write_twin_files(data: Any, out: Path, path: Path) -> None:
    """3D twin (#16): the town's buildings (CityJSON) and its plans' 3D attributes (planvolumes.csv)."""
    import csv

    from openruimte.demo._buildings import build_buildings, plan_volumes
    from openruimte.io.cityjson import write_cityjson

    seed, scale = data.planted["seed"], data.planted["scale"]
    write_cityjson(path, build_buildings(data.streets, data.plans, seed, scale), title="Voorbeeldstad")
    fields = ["plan", "height_m", "storeys", "depth_m", "width_m"]
    with (out / "planvolumes.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(plan_volumes(data.plans, seed))
