"""The store, the same tests on SQLite and on PostgreSQL + PostGIS."""

import datetime as dt

import numpy as np
import pytest
import shapely
import sqlalchemy as sa

from openruimte import io
from openruimte.model import Dataset, EnvironmentFeature, EnvironmentLayer, PolicyGoal, VitalElement, VitalSystem
from openruimte.model.vocab import Category
from openruimte.services.importing import import_file
from openruimte.store import PlanFilter
from openruimte.store.mappers import MAPPERS
from openruimte.store.tables import metadata
from openruimte.store.tables import plans as plans_table
from tests.factories import X0, Y0, area, asset, full_plans, plan

DS = Dataset(name="test", category=Category.PLANS, source="test")


def write(store, kind, items, actor="tester"):
    with store.writer(actor) as w:
        return w.upsert(kind, items, dataset_id=w.add_dataset(DS, len(items)), source="test")


def test_schema_matches_the_migrations(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    def include(obj, name, type_, *_):
        if type_ == "table" and name.startswith("search_fts"):  # SQLite FTS5 (migration 0010), kept by triggers
            return False
        if type_ == "index" and name.endswith("_fts"):  # PostgreSQL full-text expression indexes (migration 0010)
            return False
        return not (type_ == "table" and (name.endswith("_rtree") or "_rtree_" in name or name == "spatial_ref_sys"))

    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include, "compare_type": False})
        diff = [d for d in compare_metadata(ctx, metadata) if not (d[0] == "remove_index" and "geometry" in d[1].name)]
    assert diff == []


def test_plans_round_trip_through_the_store(store):
    plans = full_plans()
    summary = write(store, "plans", plans)
    assert (summary.inserted, summary.updated, summary.unchanged) == (5, 0, 0)
    assert sorted(store.plans(), key=lambda p: p.key) == sorted(plans, key=lambda p: p.key)
    assert write(store, "plans", plans).unchanged == 5


def test_update_bumps_version_and_is_audited(store):
    write(store, "plans", [plan()])
    changed = plan(end="2027-12-31", phase="voorbereiding")
    summary = write(store, "plans", [changed], actor="alice")
    assert summary.updated == 1
    ((stored, meta),) = store.plan_rows()
    assert stored == changed and meta.version == 2
    last = store.audit(table="plans", key=changed.key)[0]
    assert last["actor"] == "alice" and last["action"] == "update" and last["version"] == 2
    assert last["before"] == {"phase": "ontwerp", "end": "2027-09-30"}
    assert last["after"] == {"phase": "voorbereiding", "end": "2027-12-31"}


def test_delete_is_audited_and_unindexed(store):
    write(store, "plans", [plan()])
    with store.writer("bob") as w:
        assert w.delete("plans", ("gemeente-voorbeeldstad", "p1"))
    assert store.plans() == []
    assert store.plans(PlanFilter(bbox=(X0 - 10, Y0 - 10, X0 + 200, Y0 + 10))) == []
    assert store.audit(table="plans")[0]["action"] == "delete"


def test_bbox_query_equals_brute_force(store):
    rng = np.random.default_rng(7)
    plans = []
    for i in range(400):
        x, y = X0 + rng.uniform(0, 3000), Y0 + rng.uniform(0, 3000)
        dx, dy = rng.uniform(-150, 150, 2)
        plans.append(plan(id=f"p{i}", geometry=shapely.LineString([(x, y), (x + dx, y + dy)])))
    write(store, "plans", plans)
    for _ in range(10):
        x, y = X0 + rng.uniform(0, 3000), Y0 + rng.uniform(0, 3000)
        bbox = (x, y, x + rng.uniform(50, 800), y + rng.uniform(50, 800))
        box = shapely.box(*bbox)
        expected = {p.key for p in plans if p.geometry.intersects(box)}
        assert {p.key for p in store.plans(PlanFilter(bbox=bbox))} == expected


def test_plan_filters(store):
    plans = full_plans()
    write(store, "plans", plans)
    assert {p.id for p in store.plans(PlanFilter(phases=["beheer"]))} == {"p-mpoly"}
    assert {p.id for p in store.plans(PlanFilter(owners=["netbeheerder-noord"]))} == {"p-multi"}
    assert {p.id for p in store.plans(PlanFilter(asset_types=["bomen", "laadpunt"]))} == {"p-all", "p-point"}
    assert {p.id for p in store.plans(PlanFilter(themes=["hittestress"]))} == {"p-all"}
    assert {p.id for p in store.plans(PlanFilter(hardness=["besloten"]))} == {"p-all"}
    period = (dt.date(2028, 1, 1), dt.date(2028, 12, 31))
    assert {p.id for p in store.plans(PlanFilter(period=period))} == {"p-all"}  # unscheduled plans never match a period


def test_other_categories_persist(store):
    assets = [
        asset(),
        asset(id="a2", asset_type="bomen", geometry=shapely.Point(X0, Y0), attributes={"soort": "Quercus"}),
    ]
    write(store, "assets", assets)
    assert store.assets() == assets
    assert store.assets(asset_types=["bomen"]) == assets[1:]
    assert store.assets(bbox=(X0 - 1, Y0 - 1, X0 + 1, Y0 + 1)) == assets
    goal = PolicyGoal.from_record(
        {"id": "g1", "owner": "gemeente-x", "theme": "hittestress", "indicator": "PET", "area": "BU1"}
    )
    write(store, "policy", [goal])
    assert store.policy_goals() == [goal]
    areas = [area("BU1"), area("WK1", level="wijk")]
    write(store, "areas", areas)
    assert store.areas() == areas and store.areas(level="wijk") == areas[1:]
    layer = EnvironmentLayer(
        name="hitte",
        title="Hittestress",
        unit="°C",
        features=[EnvironmentFeature(id="c1", value=40.0, geometry=shapely.box(X0, Y0, X0 + 100, Y0 + 100))],
    )
    write(store, "layer", [layer])
    write(store, "layer", [layer])  # replaced, not doubled
    assert store.layers() == [layer]
    system = VitalSystem(
        id="ms",
        owner="netbeheerder-noord",
        name="MS",
        network_type="elektriciteit",
        elements=[
            VitalElement(
                id="os1",
                system="ms",
                kind="onderstation",
                capacity=100.0,
                load=90.0,
                geometry=shapely.Point(X0, Y0),
                service_area=shapely.box(X0 - 10, Y0 - 10, X0 + 10, Y0 + 10),
            )
        ],
    )
    write(store, "vital", [system])
    write(store, "vital", [system])
    assert store.vital_systems() == [system]
    counts = store.counts()
    assert counts["assets"]["gemeente-voorbeeldstad"] == 2 and counts["layers"]["hitte"] == 1


def _big_csv(path, n, bad_row=None):
    lines = ["id,naam,eigenaar,fase,assettypen,startdatum,einddatum,geometry"]
    for i in range(n):
        phase = "bouwen" if i == bad_row else "ontwerp"
        x = X0 + (i % 100) * 20
        y = Y0 + (i // 100) * 20
        lines.append(f'p{i},Plan {i},gemeente-x,{phase},gas,2027-01-01,2027-06-30,"LINESTRING ({x} {y}, {x + 10} {y})"')
    path.write_text("\n".join(lines) + "\n")


def test_import_is_all_or_nothing_on_a_bad_row(store, tmp_path):
    _big_csv(tmp_path / "plans.csv", 10_000, bad_row=8_999)
    report = import_file(store, "plans", tmp_path / "plans.csv")
    assert [str(e) for e in report.errors] == [
        "plans.csv row 9001, field fase: unknown phase 'bouwen'; expected one of idee, initiatief, definitie, ontwerp, voorbereiding, realisatie, beheer"
    ]
    assert store.plans() == [] and store.datasets() == [] and store.audit() == []


def test_a_database_failure_at_row_9000_rolls_everything_back(store, tmp_path):
    """A real failure inside the database (a trigger that raises) after 9,000 rows."""
    _big_csv(tmp_path / "plans.csv", 10_000)
    write(store, "plans", [plan(id="existing")])
    before = store.content_fingerprint()
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.execute(
                sa.text(
                    "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'boom at %', NEW.id; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                sa.text(
                    "CREATE TRIGGER boom BEFORE INSERT ON plans FOR EACH ROW WHEN (NEW.id = 'p8999') EXECUTE FUNCTION boom()"
                )
            )
        else:
            conn.execute(
                sa.text(
                    "CREATE TRIGGER boom BEFORE INSERT ON plans WHEN NEW.id = 'p8999' BEGIN SELECT RAISE(ABORT, 'boom'); END"
                )
            )
    with pytest.raises(sa.exc.DatabaseError, match="boom"):
        import_file(store, "plans", tmp_path / "plans.csv")
    assert store.content_fingerprint() == before
    assert [p.id for p in store.plans()] == ["existing"]
    assert len(store.datasets()) == 1


def test_dry_run_writes_nothing_but_counts(store, tmp_path):
    io.write(tmp_path / "plans.gpkg", "plans", full_plans())
    report = import_file(store, "plans", tmp_path / "plans.gpkg", dry_run=True)
    assert report.ok and report.summary.inserted == 5
    assert store.plans() == [] and store.organisations() == []


def test_areas_are_derived_from_geometry(store, tmp_path):
    write(
        store,
        "areas",
        [
            area("BU1", box=(X0 - 100, Y0 - 100, X0 + 300, Y0 + 300)),
            area("WK1", level="wijk", box=(X0 - 1000, Y0 - 1000, X0 + 1000, Y0 + 1000)),
        ],
    )
    plans = [plan(id="in"), plan(id="far", geometry=shapely.Point(X0 + 5000, Y0)), plan(id="given", area="ELDERS")]
    io.write(tmp_path / "plans.csv", "plans", plans)
    assert import_file(store, "plans", tmp_path / "plans.csv").ok
    assert {p.id: p.area for p in store.plans()} == {"in": "BU1", "far": None, "given": "ELDERS"}


def test_export_then_reimport_is_identical(store, tmp_path):
    plans = full_plans()
    write(store, "plans", plans)
    for fmt in ("gpkg", "csv", "xlsx", "geojson", "jsonfg"):
        path = tmp_path / f"out.{fmt}"
        io.write(path, "plans", store.plans())
        report = import_file(store, "plans", path)
        assert report.ok and report.summary.unchanged == len(plans), fmt
    assert all(meta.version == 1 for _, meta in store.plan_rows())


def test_upgrade_from_the_first_revision_keeps_data(db_url):
    """A database made by revision 0001 with a plan in it migrates to head."""
    from importlib import resources

    from alembic import command
    from alembic.config import Config

    from openruimte.store import Store
    from openruimte.store.repository import create_engine

    engine = create_engine(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("openruimte.store") / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        old = plan()
        later = {"dwellings", "sensitive", "goals"}
        row = {k: v for k, v in MAPPERS["plans"].to_row(old).items() if k not in later}
        now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        # the table as revision 0001 made it: without the columns of later revisions
        first = sa.table("plans", *(sa.column(c.name, c.type) for c in plans_table.columns if c.name not in later))
        conn.execute(sa.insert(first), {**row, "version": 1, "created_at": now, "updated_at": now})
    engine.dispose()
    with Store.open(db_url) as store:
        assert store.plans() == [old]
        assert store.streets() == []
