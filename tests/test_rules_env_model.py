"""Clearance and shadow of a registered BIM model version (issue 15 with the register of issue 14), on
SQLite and PostGIS: a model made with ifcopenshell.api, placed in RD New, over a cable."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import LineString

from openruimte.bim.sample import write_sample
from openruimte.model.access import ANONYMOUS
from openruimte.services import bim, clearance, sun
from openruimte.services.clearance import NotFound
from openruimte.store.permissions import View
from tests import factories as f
from tests.support.auth import ensure_org, principal

OWNER = "gemeente-voorbeeldstad"
X0, Y0 = f.X0, f.Y0


@pytest.fixture
def model(store, tmp_path):
    store.bim_dir = tmp_path / "blobs"
    ensure_org(store, OWNER)
    with store.writer("test") as w:
        w.upsert("plans", [f.plan(id="wonen", asset_types="woningbouw", visibility="private")])
        w.upsert("assets", [f.asset(id="kabel", asset_type="elektriciteit", depth_m=0.7, diameter_mm=None,
                                    visibility="shared", geometry=LineString([(X0 + 90, Y0 + 6), (X0 + 140, Y0 + 6)]))])  # fmt: skip
    path = write_sample(tmp_path / "woning.ifc", eastings=X0 + 100, northings=Y0, storeys=4)
    version = bim.register_file(store, path, f"{OWNER}:wonen", principal=principal(OWNER, "editor"), label="woning")
    return version


def test_a_model_over_a_cable_is_a_conflict_and_casts_its_shadow(store, model):
    view = View(store, principal(OWNER, "editor"))
    ref = f"#{model['id']}"
    report = clearance.run(view, model=ref, plans=False)
    [design] = report["designs"]
    assert design["kind"] == "building" and design["key"] == f"model#{model['id']}"
    [cable] = [r for r in report["results"] if r["other"] == f"{OWNER}:kabel"]
    assert cable["horizontal_m"] == 0.0 and cable["required_horizontal_m"] == 2.0 and not cable["passed"]
    assert cable["required_vertical_m"] is None
    doc = sun.shadow(view, "2027-03-21T12:00", model=ref, buildings=False)
    [feat] = doc["features"]
    height = feat["properties"]["height_m"]
    assert 12.0 <= height <= 16.0  # four storeys of 3 m and a roof
    assert feat["properties"]["shadow_length_m"] == pytest.approx(
        height / math.tan(math.radians(doc["elevation_deg"])), abs=0.01
    )
    # the model belongs to a private plan: not found for anyone else, nothing of it leaves the store
    for other in (View(store, ANONYMOUS), View(store, principal("netbeheerder-noord", "editor"))):
        with pytest.raises(NotFound):
            clearance.run(other, model=ref)
        with pytest.raises(NotFound):
            sun.shadow(other, "2027-03-21T12:00", model=ref)
