"""The saved programme and weighing through the API: the coordinator's, with plans
they may not see left out (also where a plan key is a mapping's key); others get 403."""

from fastapi.testclient import TestClient

from openruimte.api import Settings, create_app
from tests.factories import plan
from tests.support.auth import token_headers


def test_programme_is_for_the_coordinator_without_hidden_plans(store):
    mine = plan(id="p1", owner="gemeente-a", visibility="shared")
    secret = plan(id="p2", owner="telecom-b", visibility="private")
    coordinator = token_headers(store, "gemeente-a", "coordinator")
    viewer = token_headers(store, "netbeheer-c", "viewer")
    with store.writer(actor="test") as w:
        w.upsert("plans", [mine, secret])
        w.save_analysis(
            "programme",
            {"time_limit": 1},
            {
                "plans": [{"key": mine.key, "start": "2027-01-01"}, {"key": secret.key, "start": "2028-01-01"}],
                "scores": {mine.key: 0.5, secret.key: 0.9},
                "metrics": {"programme": {"street_openings": 2}},
            },
        )
    client = TestClient(create_app(Settings(webhook_worker=False), store=store))
    got = client.get("/api/analysis/programme", headers=coordinator)
    assert got.status_code == 200, got.text
    result = got.json()["result"]
    assert [p["key"] for p in result["plans"]] == [mine.key]
    assert result["scores"] == {mine.key: 0.5} and result["metrics"]["programme"]["street_openings"] == 2
    assert secret.key not in got.text and "telecom-b" not in got.text
    assert client.get("/api/analysis/programme", headers=viewer).status_code == 403
    assert client.get("/api/analysis/programme").status_code == 403
    assert client.get("/api/analysis/nothing", headers=coordinator).status_code == 404


def test_the_list_of_saved_analyses(store):
    client = TestClient(create_app(Settings(webhook_worker=False), store=store))
    assert client.get("/api/analysis").json() == {"analyses": {}}
    with store.writer(actor="test") as w:
        w.save_analysis("programme", {}, {"plans": []})
    assert list(client.get("/api/analysis").json()["analyses"]) == ["programme"]
