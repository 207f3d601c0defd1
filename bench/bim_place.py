"""Benchmark: placing a ~50 MB and a ~200 MB IFC model (import + footprint), against
ifcopenshell's plain geometry iterator alone on the same files.

The models are generated (no public model of that size fits): the project, units,
contexts, georeferencing (IfcMapConversion to EPSG:28992, Scale omitted in a
millimetre model, grid north rotated 17 degrees) and the spatial structure with
ifcopenshell.api; the bulk elements with ifcopenshell's entity API (``create_entity``;
the high-level api calls take milliseconds each, far too slow for 100k+ elements):
per building blocks of walls and slabs (extruded rectangles) and furniture as
triangulated meshes, as Revit/Archicad exports look. They are cached in
``bench/.cache/`` (gitignored) and made again only when missing.

Each measurement runs in a fresh subprocess that reports its own peak RSS:

* ``plain-hybrid`` -- ``ifcopenshell.open`` + the geometry iterator (world coordinates, 2 threads, the
  geometry library OpenRuimte uses: ``hybrid-cgal-simple-opencascade``), nothing kept: the baseline;
* ``plain`` -- the same with ifcopenshell's default geometry library (``--library-mb``: on a small file
  only, it is an order of magnitude slower on these models);
* ``extract`` -- :func:`openruimte.bim.extract.extract` (placement, footprint, heights, storeys, counts);
* ``import`` -- :func:`openruimte.services.bim.register_file` into a fresh SQLite store
  (extract + sha256 + the file kept + rows + audit log), i.e. ``openruimte import ifc``.

    .venv/bin/python bench/bim_place.py [--sizes 50,200] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / ".cache"
SRC = ROOT.parent / "src"

#: bytes per generated building (measured: about 1.0 MB per block below)
WALLS_PER_BLOCK = 40
MESHES_PER_BLOCK = 60
MESH_VERTICES = 240


def generate(path: Path, size_mb: float, seed: int = 14) -> None:
    import ifcopenshell
    import ifcopenshell.api.aggregate
    import ifcopenshell.api.context
    import ifcopenshell.api.project
    import ifcopenshell.api.root
    import ifcopenshell.api.spatial
    import ifcopenshell.api.unit
    import ifcopenshell.guid
    import numpy as np

    rng = np.random.default_rng(seed)
    f = ifcopenshell.api.project.create_file(version="IFC4")
    project = ifcopenshell.api.root.create_entity(f, ifc_class="IfcProject", name=f"Benchmark {size_mb:g} MB")
    length = f.createIfcSIUnit(None, "LENGTHUNIT", "MILLI", "METRE")
    ifcopenshell.api.unit.assign_unit(f, units=[length, f.createIfcSIUnit(None, "AREAUNIT", None, "SQUARE_METRE")])
    model = ifcopenshell.api.context.add_context(f, context_type="Model")
    body = ifcopenshell.api.context.add_context(
        f, context_type="Model", context_identifier="Body", target_view="MODEL_VIEW", parent=model
    )
    site = ifcopenshell.api.root.create_entity(f, ifc_class="IfcSite", name="Kavel")
    ifcopenshell.api.aggregate.assign_object(f, relating_object=project, products=[site])
    crs = f.createIfcProjectedCRS("EPSG:28992", None, None, "NAP", None, None, None)
    angle = math.radians(17)
    f.createIfcMapConversion(model, crs, 155000.0, 463000.0, 0.0, math.cos(angle), math.sin(angle), None)
    origin = f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((0.0, 0.0, 0.0)))
    z_dir = f.createIfcDirection((0.0, 0.0, 1.0))
    history = project.OwnerHistory
    blocks = max(1, round(size_mb))  # about 1 MB per block
    per_row = max(1, int(math.sqrt(blocks)))
    for b in range(blocks):
        bx, by = (b % per_row) * 40_000.0, (b // per_row) * 30_000.0  # mm
        building = ifcopenshell.api.root.create_entity(f, ifc_class="IfcBuilding", name=f"Gebouw {b + 1}")
        ifcopenshell.api.aggregate.assign_object(f, relating_object=site, products=[building])
        storeys = []
        for level in range(3):
            st = ifcopenshell.api.root.create_entity(f, ifc_class="IfcBuildingStorey", name=f"{level:02d} laag")
            st.Elevation = level * 3000.0
            ifcopenshell.api.aggregate.assign_object(f, relating_object=building, products=[st])
            storeys.append(st)
        contained: dict[int, list] = {i: [] for i in range(3)}
        for i in range(WALLS_PER_BLOCK):
            level = i % 3
            w, d = float(rng.uniform(2000, 12000)), 200.0 if i % 4 else float(rng.uniform(3000, 8000))
            x, y = bx + float(rng.uniform(0, 20000)), by + float(rng.uniform(0, 15000))
            profile = f.createIfcRectangleProfileDef(
                "AREA", None, f.createIfcAxis2Placement2D(f.createIfcCartesianPoint((w / 2, d / 2))), w, d
            )
            solid = f.createIfcExtrudedAreaSolid(profile, origin, z_dir, 3000.0 if i % 4 else 250.0)
            rep = f.createIfcShapeRepresentation(body, "Body", "SweptSolid", [solid])
            placement = f.createIfcLocalPlacement(
                None, f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((x, y, level * 3000.0)))
            )
            el = f.create_entity(
                "IfcWall" if i % 4 else "IfcSlab",
                GlobalId=ifcopenshell.guid.new(),
                OwnerHistory=history,
                Name=f"E{b}-{i}",
                ObjectPlacement=placement,
                Representation=f.createIfcProductDefinitionShape(None, None, [rep]),
            )
            contained[level].append(el)
            props = [
                f.createIfcPropertySingleValue("IsExternal", None, f.create_entity("IfcBoolean", bool(i % 2)), None),
                f.createIfcPropertySingleValue("FireRating", None, f.create_entity("IfcLabel", "60"), None),
                f.createIfcPropertySingleValue("LoadBearing", None, f.create_entity("IfcBoolean", True), None),
            ]
            pset = f.createIfcPropertySet(ifcopenshell.guid.new(), history, "Pset_WallCommon", None, props)
            f.createIfcRelDefinesByProperties(ifcopenshell.guid.new(), history, None, None, [el], pset)
        for i in range(MESHES_PER_BLOCK):
            level = i % 3
            n = MESH_VERTICES
            ang = np.linspace(0, 2 * np.pi, n // 2, endpoint=False)
            r = float(rng.uniform(300, 900))
            ring = np.c_[np.cos(ang) * r, np.sin(ang) * r]
            pts = np.r_[np.c_[ring, np.zeros(len(ring))], np.c_[ring, np.full(len(ring), 800.0)]]
            k = len(ring)
            faces = []
            for j in range(k):
                a, b2 = j, (j + 1) % k
                faces += [(a + 1, b2 + 1, b2 + k + 1), (a + 1, b2 + k + 1, a + k + 1)]
            for j in range(1, k - 1):
                faces += [(1, j + 2, j + 1), (k + 1, k + j + 1, k + j + 2)]
            coords = f.createIfcCartesianPointList3D([tuple(map(float, p)) for p in pts.round(1)])
            mesh = f.createIfcTriangulatedFaceSet(coords, None, True, faces, None)
            rep = f.createIfcShapeRepresentation(body, "Body", "Tessellation", [mesh])
            x, y = bx + float(rng.uniform(1000, 19000)), by + float(rng.uniform(1000, 14000))
            placement = f.createIfcLocalPlacement(
                None, f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((x, y, level * 3000.0)))
            )
            el = f.create_entity(
                "IfcFurniture",
                GlobalId=ifcopenshell.guid.new(),
                OwnerHistory=history,
                Name=f"M{b}-{i}",
                ObjectPlacement=placement,
                Representation=f.createIfcProductDefinitionShape(None, None, [rep]),
            )
            contained[level].append(el)
        for level, els in contained.items():
            f.createIfcRelContainedInSpatialStructure(ifcopenshell.guid.new(), history, None, None, els, storeys[level])
    f.write(str(path))


def model(size_mb: float) -> Path:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"bim-{size_mb:g}mb.ifc"
    if not path.exists():
        t = time.perf_counter()
        # blocks come out at about 1 MB; scale so the file lands near the wanted size
        probe = CACHE / "probe.ifc"
        if not probe.exists():
            _generate_in_child(probe, 2)
        per_block = probe.stat().st_size / 2 / 1e6
        _generate_in_child(path, size_mb / per_block)
        print(f"generated {path.name}: {path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - t:.0f} s")
    return path


def _generate_in_child(path: Path, blocks: float) -> None:
    """Generate in a subprocess, so this process stays small (its RSS would not matter, but stays honest)."""
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); import bim_place; bim_place.generate({str(path)!r}, {blocks!r})"
    subprocess.run([sys.executable, "-c", code], check=True)


RUNNER = r"""
import json, resource, sys, time
sys.path.insert(0, {src!r})
kind, path, workdir = sys.argv[1], sys.argv[2], sys.argv[3]
t = time.perf_counter()
extra = {{}}
if kind.startswith("plain"):
    import ifcopenshell, ifcopenshell.geom
    f = ifcopenshell.open(path)
    s = ifcopenshell.geom.settings()
    s.set("use-world-coords", True)
    kw = dict(geometry_library="hybrid-cgal-simple-opencascade") if kind == "plain-hybrid" else {{}}
    it = ifcopenshell.geom.iterator(s, f, 2, **kw)
    n = 0
    if it.initialize():
        while True:
            shape = it.get()
            _ = shape.geometry.verts
            n += 1
            if not it.next():
                break
    extra["shapes"] = n
elif kind == "extract":
    from openruimte.bim.extract import extract
    info = extract(path, require_placement=True)
    extra["footprint_m2"] = round(info.footprint.area, 1)
    extra["elements"] = sum(info.counts.values())
else:
    import os
    os.environ["OPENRUIMTE_BIM_DIR"] = workdir + "/blobs"
    from openruimte.store import Store
    from openruimte.services import bim
    from openruimte.store.permissions import SYSTEM
    from openruimte.model import Plan
    import shapely
    store = Store.open(workdir + "/bench.db")
    plan = Plan.from_record(dict(id="bench", owner="gemeente-bench", name="Benchmark", phase="ontwerp",
        hardness="voorgenomen", asset_types="weg", themes="vervanging", start="2027-01-01", end="2027-12-31",
        geometry=shapely.box(154000, 462000, 156000, 464000)))
    with store.writer("bench") as w:
        w.upsert("plans", [plan])
    r = bim.register_file(store, path, "gemeente-bench:bench", principal=SYSTEM)
    extra["footprint_m2"] = r["metadata"]["footprint_area_m2"]
    store.close()
def peak_mb():
    # VmHWM: this process's own peak (ru_maxrss would count the parent's RSS at fork as a floor)
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(dict(seconds=time.perf_counter() - t, rss_mb=peak_mb(), **extra)))
"""


def measure(kind: str, path: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="bim-bench-") as work:
        out = subprocess.run(
            [sys.executable, "-c", RUNNER.format(src=str(SRC)), kind, str(path), work],
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,200", help="File sizes in MB (comma-separated).")
    parser.add_argument("--repeat", type=int, default=1, help="Runs per measurement (the fastest counts).")
    parser.add_argument("--library-mb", type=float, default=5, help="Size of the file for default vs hybrid library.")
    args = parser.parse_args()
    rows = []
    if args.library_mb:
        path = model(args.library_mb)
        default, hybrid = measure("plain", path), measure("plain-hybrid", path)
        print(
            f"{path.name}: iterator with the default library {default['seconds']:.1f} s, {default['rss_mb']:.0f} MB; "
            f"hybrid-cgal-simple-opencascade {hybrid['seconds']:.1f} s, {hybrid['rss_mb']:.0f} MB "
            f"(ratio {default['seconds'] / hybrid['seconds']:.1f}x; load {os.getloadavg()[0]:.1f})"
        )
    for size in [float(s) for s in args.sizes.split(",")]:
        path = model(size)
        mb = path.stat().st_size / 1e6
        results = {}
        for kind in ("plain-hybrid", "extract", "import"):
            runs = [measure(kind, path) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["seconds"])
            results[kind] = best
            print(f"{path.name} {kind:8s} {best['seconds']:7.1f} s  {best['rss_mb']:7.0f} MB  "
                  f"(load {os.getloadavg()[0]:.1f})  {json.dumps({k: v for k, v in best.items() if k not in ('seconds', 'rss_mb')})}")  # fmt: skip
        rows.append((mb, results, os.getloadavg()))
    print()
    print("| file | ifcopenshell iterator alone | extract (placement + footprint) | import (register) | time ratio extract / import | peak RSS ratio extract / import | load avg |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for mb, r, load in rows:
        p, e, i = r["plain-hybrid"], r["extract"], r["import"]
        print(
            f"| {mb:.0f} MB | {p['seconds']:.0f} s, {p['rss_mb']:.0f} MB | {e['seconds']:.0f} s, {e['rss_mb']:.0f} MB | "
            f"{i['seconds']:.0f} s, {i['rss_mb']:.0f} MB | {e['seconds'] / p['seconds']:.2f} / {i['seconds'] / p['seconds']:.2f} | "
            f"{e['rss_mb'] / p['rss_mb']:.2f} / {i['rss_mb'] / p['rss_mb']:.2f} | {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} |"
        )  # fmt: skip


if __name__ == "__main__":
    main()
