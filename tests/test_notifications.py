"""Change notifications: who is told, what they learn, in the writing transaction."""

from __future__ import annotations

import dataclasses

import pytest
from typer.testing import CliRunner

from openruimte.model import Organisation, OrganisationKind, Visibility
from openruimte.model.access import disclosed, organisation
from openruimte.store.notifications import notifications
from tests.factories import area, line, plan

A, B, C = "gemeente-a", "netbeheerder-b", "telecom-c"


def setup(store, *, visibility="shared", sensitive=False, at_table=(A, B, C)):
    with store.writer("test") as w:
        w.upsert_organisations([Organisation(code=o, name=o, kind=OrganisationKind.OVERIG) for o in at_table])
        w.upsert("areas", [area("BU0001")])
        w.upsert(
            "plans",
            [
                plan(id="pa", owner=A, area="BU0001", visibility=visibility, sensitive=str(sensitive).lower()),
                plan(id="pb", owner=B, asset_types="elektriciteit", geometry=line(dy=5)),
                plan(id="pc", owner=C, asset_types="telecom", geometry=line(dy=1000)),
            ],
        )


def change(store, **over):
    current = {p.key: p for p in store.plans()}[f"{A}:pa"]
    with store.writer("test") as w:
        w.upsert("plans", [dataclasses.replace(current, **over)])


def test_a_date_change_tells_the_coupled_organisation_only(store):
    setup(store)
    assert notifications(store, B) == []  # inserts do not notify
    change(store, end=plan(end="2027-12-31").end)
    [note] = notifications(store, B)
    assert note["plan_key"] == f"{A}:pa" and note["change"] == ["dates"] and note["disclosed"]
    assert note["before"] == {"end": "2027-09-30"} and note["after"] == {"end": "2027-12-31"}
    assert note["related"] == [f"{B}:pb"] and not note["read"]
    assert "wijzigt plan" in note["message"] and f"{B}:pb" in note["message"]
    assert notifications(store, C) == [] and notifications(store, A) == []


def test_unwatched_changes_notify_nobody(store):
    setup(store)
    change(store, name="Andere naam", budget_eur=5.0)
    assert notifications(store, B) == []


def test_before_and_after_both_count(store):
    setup(store)
    change(store, geometry=line(dy=1003))  # away from pb, next to pc
    assert [n["related"] for n in notifications(store, B)] == [[f"{B}:pb"]]
    assert [n["change"] for n in notifications(store, C)] == [["geometry"]]
    change(store, phase="voorbereiding", hardness="besloten")  # still next to pc only
    assert len(notifications(store, B)) == 1
    assert notifications(store, C)[-1]["change"] == ["phase", "status"]


def test_a_deletion_tells_who_was_coupled(store):
    setup(store)
    with store.writer("test") as w:
        assert w.delete("plans", (A, "pa"))
    [note] = notifications(store, B)
    assert note["change"] == ["deleted"] and note["after"] is None and "geschrapt" in note["message"]


@pytest.mark.parametrize(
    ("visibility", "sensitive", "at_table", "disclosed"),
    [
        ("public", False, (A,), True),
        ("shared", False, (A, B), True),
        ("shared", False, (A,), False),  # B is not at the programming table
        ("private", False, (A, B), False),
        ("public", True, (A, B), False),  # commercially sensitive
    ],
)
def test_a_hidden_plan_is_announced_as_an_undisclosed_party(store, visibility, sensitive, at_table, disclosed):
    setup(store, visibility=visibility, sensitive=sensitive, at_table=at_table)
    change(store, start=plan(start="2027-05-01").start)
    [note] = notifications(store, B)
    assert note["disclosed"] is disclosed
    if disclosed:
        assert note["plan_key"] == f"{A}:pa"
    else:
        assert note["plan_key"] is None and note["before"] is None and note["after"] is None
        assert note["message"] == "een niet-genoemde partij wijzigt werkzaamheden in Buurt BU0001 in 2027-K2"
        leaked = str({k: v for k, v in note.items() if k != "related"})
        assert f"{A}:pa" not in leaked and "Kerkstraat" not in leaked and A not in leaked
        assert note["related"] == [f"{B}:pb"]  # B's own plan


def test_a_failed_write_leaves_no_notification(store):
    setup(store)
    current = {p.key: p for p in store.plans()}[f"{A}:pa"]
    with pytest.raises(RuntimeError), store.writer("test") as w:
        w.upsert("plans", [dataclasses.replace(current, end=plan(end="2028-01-31").end)])
        raise RuntimeError("boom")
    assert notifications(store, B) == []


def test_may_see_rule():
    p = plan(owner=A, visibility="private")
    assert disclosed(organisation(A, at_table=False), p) and not disclosed(organisation(B), p)
    shared = dataclasses.replace(p, visibility=Visibility.SHARED)
    assert disclosed(organisation(B, at_table=True), shared) and not disclosed(organisation(B, at_table=False), shared)
    public = dataclasses.replace(p, visibility=Visibility.PUBLIC)
    assert disclosed(organisation(C, at_table=False), public)
    assert not disclosed(organisation(B), dataclasses.replace(public, sensitive=True))
    assert disclosed(organisation(A), dataclasses.replace(public, sensitive=True))


def test_import_notifies_and_feed_pages(store, tmp_path):
    from openruimte.services.importing import import_file

    setup(store)
    import csv

    path = tmp_path / "p.csv"
    for i, end in enumerate(["2027-10-31", "2027-11-30", "2027-12-31"]):
        with path.open("w", newline="") as f:
            out = csv.writer(f)
            out.writerow(["id", "name", "owner", "phase", "asset_types", "start", "end", "geometry", "visibility"])
            out.writerow(["pa", "Riool", A, "ontwerp", "gemengd_riool;weg", "2027-03-01", end, line().wkt, "shared"])
        report = import_file(store, "plans", path, crs="EPSG:28992")
        assert report.ok, report.errors
        assert len(notifications(store, B)) == i + 1
    first = notifications(store, B, limit=2)
    rest = notifications(store, B, since=first[-1]["id"], limit=2)
    assert len(first) == 2 and len(rest) == 1 and rest[0]["id"] > first[-1]["id"]


def test_cli_lists_notifications(store, db_url):
    from openruimte.cli import app

    setup(store)
    change(store, end=plan(end="2027-12-31").end)
    result = CliRunner().invoke(app, ["notifications", "--org", B, "--db", db_url])
    assert result.exit_code == 0, result.output
    assert f"{A}:pa" in result.output
    result = CliRunner().invoke(app, ["notifications", "--org", B, "--db", db_url, "--since", "999999"])
    assert result.exit_code == 0 and "geen meldingen" in result.output.lower()


def test_api_writes_notify_and_the_feed_pages(store):
    from fastapi.testclient import TestClient

    from openruimte.api.app import create_app
    from openruimte.settings import Settings
    from tests.support.auth import token_headers

    setup(store)
    editor_a, reader_b, reader_c = (
        token_headers(store, o, r) for o, r in ((A, "editor"), (B, "viewer"), (C, "viewer"))
    )
    client = TestClient(create_app(Settings(webhook_worker=False), store))
    for end in ("2027-10-31", "2027-11-30"):
        got = client.get(f"/api/plans/{A}/pa?crs=EPSG:28992", headers=editor_a)
        feature = got.json()
        feature["properties"]["end"] = end
        headers = {**editor_a, "If-Match": got.headers["etag"]}
        r = client.put(f"/api/plans/{A}/pa?crs=EPSG:28992", json=feature, headers=headers)
        assert r.status_code == 200, r.text
    etag = client.get(f"/api/plans/{A}/pa", headers=editor_a).headers["etag"]
    assert client.delete(f"/api/plans/{A}/pa", headers={**editor_a, "If-Match": etag}).status_code == 204
    assert client.get("/api/notifications").status_code == 401  # per organisation: who asks?
    page = client.get("/api/notifications", params={"limit": 2}, headers=reader_b).json()
    assert page["org"] == B
    assert [n["change"] for n in page["notifications"]] == [["dates"], ["dates"]]
    rest = client.get("/api/notifications", params={"since": page["next"]}, headers=reader_b).json()
    assert [n["change"] for n in rest["notifications"]] == [["deleted"]]
    assert client.get("/api/notifications", headers=reader_c).json()["notifications"] == []
    ids = [n["id"] for n in page["notifications"]]
    assert client.post("/api/notifications/read", json={"ids": ids}, headers=reader_b).json() == {"marked": 2}
    assert client.post("/api/notifications/read", json={"ids": ids}, headers=reader_c).json() == {"marked": 0}
    assert [n["read"] for n in notifications(store, B)] == [True, True, False]
