"""Plan rules in the store (table ``rules``, migration 0015): on SQLite and on PostGIS."""

from __future__ import annotations

import pytest
import shapely
import sqlalchemy as sa

from openruimte.model.access import Forbidden, Principal, Role
from openruimte.store import rules as store_rules
from openruimte.store import tables as t
from openruimte.store.backup import backup, restore
from openruimte.store.repository import Store

X0, Y0 = 155_000.0, 463_000.0


def rule(kind, value, unit, dx=0.0, plan="NL.IMRO.0999.BP1-0001", source="NL.IMRO.1", **extra):
    return {
        "kind": kind,
        "value": value,
        "unit": unit,
        "geometry": shapely.box(X0 + dx, Y0, X0 + dx + 10, Y0 + 10),
        "plan_id": plan,
        "source_id": source,
        "article": extra.get("article", "Wonen"),
        "name": extra.get("name", kind),
        "regime": extra.get("regime", "imro2012"),
        "bestemming": extra.get("bestemming"),
    }


def save(store, rules, owner="GM0999", principal=None):
    with store.writer("tester", principal=principal) as w:
        return store_rules.replace_plans(w, rules, source="test.gml", owner=owner, dataset_name="test")


def test_rules_are_saved_read_by_box_point_kind_and_plan(store):
    out = save(
        store,
        [
            rule("bouwvlak", None, None),
            rule("maximum_bouwhoogte", 12.0, "m"),
            rule("maximum_goothoogte", 6.0, "m"),
            rule("maximum_bouwhoogte", 7.0, "m", dx=100, source="NL.IMRO.2"),
        ],
    )
    assert out["inserted"] == 4 and out["removed"] == 0
    assert store_rules.count(store) == 4
    heights = store_rules.rows(store, kinds=["maximum_bouwhoogte"])
    assert [r["value"] for r in heights] == [12.0, 7.0]
    assert heights[0]["id"] == "NL.IMRO.0999.BP1-0001/NL.IMRO.1/maximum_bouwhoogte"
    assert heights[0]["owner"] == "GM0999" and heights[0]["dataset_id"] == out["dataset_id"]
    at_point = store_rules.rows(store, point=(X0 + 105, Y0 + 5))
    assert [(r["kind"], r["value"]) for r in at_point] == [("maximum_bouwhoogte", 7.0)]
    on_edge = store_rules.rows(store, point=(X0 + 10, Y0 + 5))  # a point on the boundary is covered
    assert len(on_edge) == 3
    in_box = store_rules.rows(store, bbox=(X0 + 50, Y0, X0 + 150, Y0 + 10))
    assert [r["source_id"] for r in in_box] == ["NL.IMRO.2"]
    assert store_rules.rows(store, plan_ids=["other"]) == []
    assert store_rules.bounds(store) == pytest.approx((X0, Y0, X0 + 110, Y0 + 10))
    (summary,) = store_rules.plans(store)
    assert summary["kinds"] == {"bouwvlak": 1, "maximum_bouwhoogte": 2, "maximum_goothoogte": 1}
    audit = store.audit(table="rules")
    assert len(audit) == 4 and {a["action"] for a in audit} == {"insert"}


def test_reimporting_a_plan_replaces_only_its_rules(store):
    save(store, [rule("bouwvlak", None, None), rule("maximum_bouwhoogte", 12.0, "m")])
    save(store, [rule("bouwvlak", None, None, plan="other-plan")])
    out = save(store, [rule("maximum_bouwhoogte", 9.0, "m")])
    assert out["removed"] == 2 and out["inserted"] == 1
    assert sorted((r["plan_id"], r["kind"], r["value"]) for r in store_rules.rows(store)) == [
        ("NL.IMRO.0999.BP1-0001", "maximum_bouwhoogte", 9.0),
        ("other-plan", "bouwvlak", None),
    ]
    # the replaced rules are gone from the spatial index too
    assert len(store_rules.rows(store, point=(X0 + 5, Y0 + 5))) == 2
    assert any(
        a["action"] == "delete" and a["record_key"] == "NL.IMRO.0999.BP1-0001" for a in store.audit(table="rules")
    )


def test_a_repeated_kind_of_one_source_gets_its_own_id(store):
    save(store, [rule("maximum_bouwhoogte", 12.0, "m"), rule("maximum_bouwhoogte", 10.0, "m")])
    assert [r["id"].rsplit("/", 1)[1] for r in store_rules.rows(store)] == [
        "maximum_bouwhoogte",
        "maximum_bouwhoogte~2",
    ]


def test_a_failing_write_stores_nothing(store):
    save(store, [rule("bouwvlak", None, None)])
    broken = [rule("maximum_bouwhoogte", 12.0, "m"), {**rule("bouwvlak", None, None), "geometry": None}]
    with pytest.raises(sa.exc.IntegrityError):
        save(store, broken)
    assert [r["kind"] for r in store_rules.rows(store)] == ["bouwvlak"]
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.datasets)).scalar_one() == 1


def test_only_the_importing_organisation_replaces_its_plans_rules(store):
    save(store, [rule("bouwvlak", None, None)], owner="GM0999")
    other = Principal(org="GM0001", role=Role.EDITOR, actor="someone")
    with pytest.raises(Forbidden):
        save(store, [rule("bouwvlak", None, None)], owner="GM0001", principal=other)
    assert store_rules.rows(store)[0]["owner"] == "GM0999"


def test_rules_survive_backup_and_restore(store, tmp_path):
    save(store, [rule("bouwvlak", None, None), rule("maximum_bouwhoogte", 12.0, "m", dx=50, source="NL.IMRO.2")])
    archive = tmp_path / "backup.zip"
    counts = backup(store, archive)
    assert counts["rules"] == 2
    target = Store.open(f"sqlite:///{tmp_path / 'restored.db'}")
    try:
        restore(target, archive)
        restored = store_rules.rows(target, point=(X0 + 55, Y0 + 5))
        assert [(r["kind"], r["value"], r["owner"]) for r in restored] == [("maximum_bouwhoogte", 12.0, "GM0999")]
        assert restored[0]["geometry"].equals(shapely.box(X0 + 50, Y0, X0 + 60, Y0 + 10))
    finally:
        target.close()
