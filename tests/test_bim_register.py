"""The model register: versions, visibility, backup/restore (SQLite and PostGIS), API upload, diff, bad input."""

from __future__ import annotations

import dataclasses

import pytest
import shapely
import sqlalchemy as sa
from fastapi.testclient import TestClient

from openruimte.api import Settings, create_app
from openruimte.bim.errors import BimError
from openruimte.services import bim
from openruimte.store import Store
from openruimte.store import tables as t
from openruimte.store.backup import backup, restore
from openruimte.store.permissions import SYSTEM, Forbidden
from tests import factories
from tests.support.auth import ensure_org, principal, token_headers
from tests.support.ifcmodels import DEFAULT_BOXES, Box, Georef, build_model

OWNER = "gemeente-voorbeeldstad"
OTHER = "netbeheerder-noord"
G = Georef(eastings=155000, northings=463000)
EDITOR = principal(OWNER, "editor")


@pytest.fixture
def reg(store, tmp_path):
    store.bim_dir = tmp_path / "blobs"
    ensure_org(store, OWNER)
    ensure_org(store, OTHER)
    with store.writer("test") as w:
        w.upsert(
            "plans",
            [
                factories.plan(id="p1", owner=OWNER, visibility="shared"),
                factories.plan(id="p2", owner=OWNER, visibility="private"),
            ],
        )
    return store


def _model(tmp_path, name="m.ifc", **kw):
    path = tmp_path / name
    build_model(path, georef=kw.pop("georef", G), **kw)
    return path


def _rows(store):
    with store.engine.connect() as conn:
        return (
            conn.execute(sa.select(sa.func.count()).select_from(t.bim_models)).scalar(),
            conn.execute(sa.select(sa.func.count()).select_from(t.bim_model_versions)).scalar(),
        )


def test_register_versions_visibility_and_audit(reg, tmp_path):
    first = _model(tmp_path)
    v1 = bim.register_file(reg, first, f"{OWNER}:p1", principal=EDITOR, label="gebouw")
    assert v1["ref"] == f"{OWNER}:p1/gebouw@1" and not v1["unchanged"]
    assert (
        shapely.hausdorff_distance(shapely.geometry.shape(v1["footprint"]), shapely.box(155000, 463000, 155020, 463010))
        < 0.01
    )
    again = bim.register_file(reg, first, f"{OWNER}:p1", principal=EDITOR, label="gebouw")
    assert again["unchanged"] and _rows(reg) == (1, 1)
    bigger = DEFAULT_BOXES + (Box(20, 0, 30, 10, name="Aanbouw"),)
    v2 = bim.register_file(
        reg, _model(tmp_path, "m2.ifc", boxes=bigger), f"{OWNER}:p1", principal=EDITOR, label="gebouw"
    )
    assert v2["version"] == 2 and _rows(reg) == (1, 2)
    models = bim.list_models(reg, principal(OTHER, "viewer"), f"{OWNER}:p1")  # shared plan: seen at the table
    assert [v["version"] for v in models[0]["versions"]] == [1, 2]
    assert bim.resolve_version(reg, principal(OTHER), f"{OWNER}:p1/gebouw")["version"] == 2
    audit = reg.audit(table="bim_model_versions")
    assert {a["record_key"] for a in audit} == {f"{OWNER}:p1/gebouw@1", f"{OWNER}:p1/gebouw@2"}
    assert bim.model_path(reg, SYSTEM, f"#{v1['id']}").is_file()
    # a private plan's models: its owner only
    bim.register_file(reg, _model(tmp_path), f"{OWNER}:p2", principal=EDITOR)
    with pytest.raises(bim.NotFound):
        bim.list_models(reg, principal(OTHER, "viewer"), f"{OWNER}:p2")
    assert len(bim.footprints(reg, principal(OTHER))) == 1
    assert len(bim.footprints(reg, principal(OWNER))) == 2


def test_only_editors_of_the_owner_may_register(reg, tmp_path):
    with pytest.raises(Forbidden):
        bim.register_file(reg, _model(tmp_path), f"{OWNER}:p1", principal=principal(OWNER, "viewer"))
    with pytest.raises(Forbidden):
        bim.register_file(reg, _model(tmp_path), f"{OWNER}:p1", principal=principal(OTHER, "editor"))
    assert _rows(reg) == (0, 0)


def _bad_files(tmp_path):
    good = _model(tmp_path, "good.ifc").read_bytes()
    files = {
        "not-an-ifc.ifc": b"hello, this is a text file\n",
        "truncated.ifc": good[: len(good) // 2],
        "ifc2x2.ifc": good.replace(b"FILE_SCHEMA(('IFC4'))", b"FILE_SCHEMA(('IFC2X2_FINAL'))"),
        "empty.ifc": b"",
    }
    out = {}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        out[name] = tmp_path / name
    build_model(tmp_path / "no-building.ifc", georef=G, building=False)
    out["no-building.ifc"] = tmp_path / "no-building.ifc"
    build_model(tmp_path / "no-georef.ifc", georef=None)
    out["no-georef.ifc"] = tmp_path / "no-georef.ifc"
    return out


@pytest.mark.parametrize(
    "name,match",
    [
        ("not-an-ifc.ifc", "geen IFC-bestand"),
        ("truncated.ifc", "afgebroken"),
        ("ifc2x2.ifc", "niet ondersteund"),
        ("empty.ifc", "leeg"),
        ("no-building.ifc", "geen gebouw"),
        ("no-georef.ifc", "--at X,Y"),
    ],
)
def test_bad_input_names_file_and_problem_and_leaves_the_store_unchanged(reg, tmp_path, name, match):
    path = _bad_files(tmp_path)[name]
    before = (_rows(reg), reg.data_version())
    with pytest.raises(BimError, match=match) as err:
        bim.register_file(reg, path, f"{OWNER}:p1", principal=EDITOR)
    assert name in str(err.value)
    assert (_rows(reg), reg.data_version()) == before
    assert not (tmp_path / "blobs").exists() or not any((tmp_path / "blobs").rglob("*.ifc"))


def test_huge_file_is_refused_by_the_configured_limit(reg, tmp_path):
    with pytest.raises(BimError, match="grens"):
        bim.register_file(reg, _model(tmp_path), f"{OWNER}:p1", principal=EDITOR, limit=2048)
    assert _rows(reg) == (0, 0)


def test_a_failing_write_leaves_no_blob(reg, tmp_path, monkeypatch):
    from openruimte.store import bim as register

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(register, "add_version", boom)
    with pytest.raises(RuntimeError):
        bim.register_file(reg, _model(tmp_path), f"{OWNER}:p1", principal=EDITOR)
    assert _rows(reg) == (0, 0) and not any((tmp_path / "blobs").rglob("*.ifc"))


def test_backup_and_restore_keep_models_and_files(reg, tmp_path, db_url):
    v = bim.register_file(reg, _model(tmp_path), f"{OWNER}:p1", principal=EDITOR)
    archive = tmp_path / "backup.zip"
    backup(reg, archive)
    target_db = tmp_path / "restored.db"
    target = Store.open(f"sqlite:///{target_db}")
    try:
        restore(target, archive)
        assert _rows(target) == (1, 1)
        path = bim.model_path(target, SYSTEM, f"#{v['id']}")
        assert path.read_bytes() == (tmp_path / "m.ifc").read_bytes()
        assert str(path).startswith(str(target_db) + ".bim")
        assert len(bim.footprints(target, SYSTEM)) == 1
    finally:
        target.close()


def test_diff_of_two_generated_versions(tmp_path):
    boxes = tuple(dataclasses.replace(b, global_id=f"0000000000000000000{i:03d}") for i, b in enumerate(DEFAULT_BOXES))
    old = _model(tmp_path, "old.ifc", boxes=boxes)
    changed = list(boxes)
    changed[0] = dataclasses.replace(changed[0], name="Gevel zuid (nieuw)")
    changed[1] = dataclasses.replace(changed[1], y1=10.5)
    changed[2] = dataclasses.replace(changed[2], properties={"FireRating": "60"})
    changed.pop(3)
    changed.append(
        Box(
            0,
            0,
            20,
            10,
            z0=9.0,
            height=0.3,
            ifc_class="IfcRoof",
            name="Dak 2",
            global_id="0000000000000000000999",
            storey=2,
        )
    )
    storeys = (("00 begane grond", 0.0), ("01 eerste verdieping", 3.0), ("02 tweede verdieping", 6.0))
    new = _model(tmp_path, "new.ifc", boxes=tuple(changed), storeys=storeys)
    result = bim.diff(None, SYSTEM, str(old), str(new))
    c = result["counts"]
    assert (c["added"], c["removed"], c["changed"]) == (1, 1, 3)
    assert result["matched_by"] == "GlobalId"
    by_id = {x["global_id"]: x for x in result["changed"]}
    assert by_id[boxes[0].global_id]["attributes"]["Name"] == ["Gevel zuid", "Gevel zuid (nieuw)"]
    assert "geometry" in by_id[boxes[1].global_id]
    assert "properties" in by_id[boxes[2].global_id]
    assert result["height"]["new_top_m"] == pytest.approx(9.3)
    assert result["storeys"]["added"] == ["02 tweede verdieping"]
    assert "1 elementen toegevoegd, 1 verwijderd, 3 gewijzigd" in result["summary"]
    assert "Bouwlagen 2 → 3" in result["summary"] and "Hoogste punt 6,30 → 9,30 m" in result["summary"]


def test_diff_when_most_globalids_changed_matches_on_content(tmp_path):
    a = _model(tmp_path, "a.ifc", seed=1)
    b = _model(tmp_path, "b.ifc", seed=2)  # same model, every GlobalId new
    result = bim.diff(None, SYSTEM, str(a), str(b))
    assert result["matched_by"] == "content"
    assert (result["counts"]["added"], result["counts"]["removed"], result["counts"]["changed"]) == (0, 0, 0)
    assert "GlobalIds zijn veranderd" in result["summary"]


def test_api_upload_list_download_footprints_diff_413_and_403(reg, tmp_path):
    client = TestClient(create_app(Settings(bim_max_bytes=200_000), store=reg))
    editor = token_headers(reg, OWNER, "editor")
    viewer = token_headers(reg, OWNER, "viewer")
    other = token_headers(reg, OTHER, "editor")
    path = _model(tmp_path)
    url = f"/api/bim/plans/{OWNER}/p1/models"
    files = {"file": ("m.ifc", path.read_bytes(), "application/x-step")}
    assert client.post(url, files=files, data={"label": "gebouw"}).status_code == 401
    assert client.post(url, files=files, headers=viewer).status_code == 403
    assert client.post(url, files=files, headers=other).status_code == 403
    r = client.post(url, files=files, data={"label": "gebouw"}, headers=editor)
    assert r.status_code == 201, r.text
    vid = r.json()["id"]
    big = {"file": ("big.ifc", b"x" * 300_000, "application/x-step")}
    r413 = client.post(url, files=big, headers=editor)
    assert r413.status_code == 413 and _rows(reg) == (1, 1)
    bad = client.post(url, files={"file": ("bad.ifc", b"not an ifc", "text/plain")}, headers=editor)
    assert bad.status_code == 422 and "bad.ifc" in bad.json()["error"]["message"]
    listed = client.get(url, headers=viewer).json()
    assert listed[0]["versions"][0]["id"] == vid
    assert client.get(f"/api/bim/versions/{vid}", headers=viewer).json()["schema"] == "IFC4"
    dl = client.get(f"/api/bim/versions/{vid}/file", headers=viewer)
    assert dl.status_code == 200 and dl.content == path.read_bytes()
    assert "attachment" in dl.headers["content-disposition"] and dl.headers["x-content-type-options"] == "nosniff"
    fc = client.get("/api/bim/footprints?crs=EPSG:28992", headers=viewer).json()
    assert len(fc["features"]) == 1 and fc["features"][0]["properties"]["plan"] == f"{OWNER}:p1"
    r2 = client.post(
        url,
        files={"file": ("m2.ifc", _model(tmp_path, "m2.ifc", boxes=DEFAULT_BOXES[:4]).read_bytes())},
        data={"label": "gebouw"},
        headers=editor,
    )
    assert r2.status_code == 201
    d = client.get(f"/api/bim/diff?old={vid}&new={r2.json()['id']}", headers=viewer).json()
    assert d["counts"]["removed"] == 3 and "verwijderd" in d["summary"]
    ogc = client.get("/ogc/collections/bim_models/items?f=json", headers=viewer).json()
    assert ogc["features"][0]["properties"]["plan"] == f"{OWNER}:p1"
