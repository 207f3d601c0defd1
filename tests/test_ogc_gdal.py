"""GDAL (Debian's gdal-bin, the OAPIF driver) is the real client of /ogc over HTTP:
ogrinfo lists every collection and counts the plans, ogr2ogr downloads every plan
to a GeoPackage with the store's attributes and geometry, and a -spat box.

GDAL 3.6 asks for /ogc/collections, the schema (describedBy link), then pages
/items?f=json&limit=10 by the next links; for -where it reads the landing page
and /ogc/api to find the queryables and sends them as ?phase=... parameters.
"""

from __future__ import annotations

import os
import re
import subprocess

import pyogrio
import pytest
import shapely

from openruimte.io.crs import WGS84, to_wgs84, transform_geometries
from openruimte.model import STORAGE_CRS
from tests.support.auth import DEMO_MUNICIPALITY, token_headers
from tests.support.auth import coordinator_view as seen
from tests.support.server import live_server
from tests.support.system import ensure_command

#: GDAL sends the coordinator's token (GDAL_HTTP_HEADERS), as QGIS users do with theirs
HEADERS: dict[str, str] = {}


@pytest.fixture(scope="module")
def ogc_url(demo_store):
    ensure_command("ogrinfo", "gdal-bin")
    ensure_command("ogr2ogr", "gdal-bin")
    HEADERS.update(token_headers(demo_store, DEMO_MUNICIPALITY, "coordinator"))
    with live_server(demo_store) as base:
        yield f"{base}/ogc"


def gdal(*args: str, debug: bool = False) -> subprocess.CompletedProcess:
    env = dict(os.environ, CPL_DEBUG="ON" if debug else "OFF", GDAL_HTTP_TIMEOUT="60")
    env["GDAL_HTTP_HEADERS"] = "\r\n".join(f"{k}: {v}" for k, v in HEADERS.items())
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def requested(proc: subprocess.CompletedProcess) -> list[str]:
    """The URLs GDAL fetched (CPL_DEBUG prints them)."""
    return re.findall(r"HTTP: Fetch\((\S+?)\)", proc.stderr)


def expected_collections(store) -> list[str]:
    return ["plans", "assets", "couplings", "conflicts", "areas", "streets", "bim_models"] + [
        f"layer-{layer.name}" for layer in store.layers(with_features=False)
    ]


def test_ogrinfo_lists_every_collection(ogc_url, demo_store):
    out = gdal("ogrinfo", "-ro", "-so", f"OAPIF:{ogc_url}").stdout
    layers = re.findall(r"^\d+: (\S+)", out, flags=re.M)
    assert layers == expected_collections(demo_store)
    assert "hittestress" in out


def test_ogrinfo_counts_the_plans_with_typed_fields(ogc_url, demo_store):
    proc = gdal("ogrinfo", "-ro", "-al", "-so", f"OAPIF:{ogc_url}", "plans", debug=True)
    out = proc.stdout
    assert f"Feature Count: {len(seen(demo_store).plans())}" in out
    for field, kind in (
        ("name", "String"),
        ("start", "Date"),
        ("end", "Date"),
        ("earliest_start", "Date"),
        ("budget_eur", "Real"),
        ("dwellings", "Integer"),
        ("excavation", "Integer(Boolean)"),
    ):
        assert re.search(rf"^{field}: {re.escape(kind)} ", out, flags=re.M), (field, out)
    assert len(re.findall(r"^id: ", out, flags=re.M)) == 1
    urls = requested(proc)
    assert any(u.endswith("/ogc/collections/plans/schema") for u in urls), urls
    assets = gdal("ogrinfo", "-ro", "-al", "-so", f"OAPIF:{ogc_url}", "assets").stdout
    assert f"Feature Count: {len(seen(demo_store).assets())}" in assets


def _download(tmp_path, ogc_url, *extra: str):
    out = tmp_path / "out.gpkg"
    proc = gdal("ogr2ogr", "-f", "GPKG", str(out), f"OAPIF:{ogc_url}", "plans", *extra, debug=True)
    return pyogrio.read_dataframe(out, layer="plans"), requested(proc)


def _date(value) -> str | None:
    return None if value is None or value != value else str(value)[:10]  # NaT != NaT


def test_ogr2ogr_downloads_every_plan(tmp_path, ogc_url, demo_store):
    frame, urls = _download(tmp_path, ogc_url)
    plans = seen(demo_store).plans()
    assert len(frame) == len(plans)
    pages = [u for u in urls if "/collections/plans/items" in u]
    assert len(pages) >= len(plans) // 10 and all("offset=" in u for u in pages[2:])  # paged by next links
    by_key = {p.key: p for p in plans}
    assert sorted(frame["key"]) == sorted(by_key)
    lonlat = dict(zip(by_key, to_wgs84([p.geometry for p in plans]), strict=True))
    back = transform_geometries(list(frame.geometry), WGS84, STORAGE_CRS)
    for row, rd in zip(frame.itertuples(index=False), back, strict=True):
        plan = by_key[row.key]
        assert (row.id, row.name, row.owner, row.phase) == (plan.id, plan.name, plan.owner, str(plan.phase))
        assert _date(row.start) == (plan.start.isoformat() if plan.start else None), row.key
        assert _date(row.end) == (plan.end.isoformat() if plan.end else None), row.key
        assert row.asset_types == ",".join(plan.asset_types)
        assert shapely.equals_exact(row.geometry, lonlat[row.key], tolerance=1e-6)
        assert shapely.equals_exact(rd, plan.geometry, tolerance=0.001)  # a millimetre in RD


def test_ogr2ogr_with_a_bbox(tmp_path, ogc_url, demo_store):
    box = (5.37, 52.14, 5.40, 52.16)
    frame, urls = _download(tmp_path, ogc_url, "-spat", *map(str, box))
    plans = seen(demo_store).plans()
    expected = {
        p.key
        for p, g in zip(plans, to_wgs84([p.geometry for p in plans]), strict=True)
        if g.intersects(shapely.box(*box))
    }
    assert 0 < len(expected) < len(plans)
    assert set(frame["key"]) == expected
    pages = [u for u in urls if "/collections/plans/items" in u]
    # the first page only sets up the fields; the download itself asks the server for the box
    assert "bbox=" not in pages[0] and all("bbox=" in u for u in pages[1:]) and len(pages) > 1


def test_gdal_sends_property_filters_to_the_server(ogc_url, demo_store):
    owner = seen(demo_store).plans()[0].owner
    where = f"phase = 'ontwerp' AND owner = '{owner}'"
    proc = gdal("ogrinfo", "-ro", "-al", "-so", "-where", where, f"OAPIF:{ogc_url}", "plans", debug=True)
    expected = sum(p.phase.value == "ontwerp" and p.owner == owner for p in seen(demo_store).plans())
    assert f"Feature Count: {expected}" in proc.stdout
    urls = requested(proc)
    assert any(u.endswith("/ogc/api") for u in urls), urls
    assert any("phase=ontwerp" in u and f"owner={owner}" in u for u in urls), urls


def test_ogr2ogr_reads_the_bim_footprints(ogc_url, demo_store, tmp_path):
    """The BIM models collection (issue 14): GDAL reads every footprint with its plan and version."""
    from openruimte.services.bim import footprints
    from openruimte.store.permissions import SYSTEM

    registered = {r["ref"]: r for r in footprints(demo_store, SYSTEM)}
    assert registered
    out = tmp_path / "bim.gpkg"
    gdal("ogr2ogr", "-f", "GPKG", str(out), f"OAPIF:{ogc_url}", "bim_models")
    table = pyogrio.read_dataframe(out)
    assert sorted(table["key"]) == sorted(registered)
    for _, row in table.iterrows():
        expected = to_wgs84([registered[row["key"]]["geometry"]])[0]
        assert shapely.hausdorff_distance(row.geometry, expected) < 1e-6
        assert row["plan"] == registered[row["key"]]["plan"]
