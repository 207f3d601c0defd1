"""The leak matrix extended to working together, on SQLite and PostGIS: discussions,
documents, contacts, search results (snippets and counts), agendas, meetings and
decisions, and mention notifications.

The world of tests/test_security_matrix.py (six plans of ``telecom-a``: private,
shared, public, each plain and commercially sensitive) gets, per plan, a thread,
a document, a contact person and a decision, each carrying the plan's marker word;
and one thread restricted to ``telecom-a`` and ``gemeente-b``. Then every party
asks, and may learn about exactly the plans it may see unmasked.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest

from openruimte.collab import Contact, Subject
from openruimte.collab.agenda import Decision
from openruimte.model.access import Principal, Role
from openruimte.services import collab
from tests.test_security_matrix import (
    CASES,
    MEMBER,
    OWNER,
    WHO,
    Who,
    assert_nothing_named,
    marker,
    pid,
    sees,
    unmasked,
    world,  # noqa: F401 - the fixture
)

RESTRICTED = "BEPERKTOVERLEG"
#: a search word per case, apart from the stemmer's reach (the markers differ only in their last letter)
CODE = dict(zip(CASES, ("alfa", "bravo", "charlie", "delta", "echo", "foxtrot"), strict=True))


def knows(who: Who, vis: str, sens: bool) -> bool:
    return sees(who, vis) and unmasked(who, sens)


def _as(org: str) -> Principal:
    return Principal(org=org, role=Role.EDITOR, actor=f"test:{org}", at_table=True)


@pytest.fixture
def together(world, store, tmp_path, monkeypatch):  # noqa: F811 - the fixture of the matrix
    monkeypatch.setenv("OPENRUIMTE_DATA_DIR", str(tmp_path / "blobs"))
    ids: dict[tuple[str, bool], dict[str, int]] = {}
    coordinator = Principal(org="gemeente-coord", role=Role.COORDINATOR, actor="test", at_table=True)
    for vis, sens in CASES:
        word = marker(vis, sens)
        subject = Subject.plan(OWNER, pid(vis, sens))
        th = collab.start_thread(
            store,
            _as(OWNER),
            subject,
            f"Overleg {word}",
            f"Sleuf delen voor {word} ({CODE[(vis, sens)]})? @{MEMBER} graag reactie.",
        )
        doc = collab.add_document(
            store,
            _as(OWNER),
            subject,
            f"nota-{pid(vis, sens)}.txt",
            io.BytesIO(f"Nota over het tracé {word} ({CODE[(vis, sens)]}); fietspaden en sleuven.".encode()),
            declared_type="text/plain",
        )
        collab.add_contact(
            store,
            _as(OWNER),
            Contact(
                org=OWNER,
                name=f"Piet {word}",
                role="projectleider",
                email=f"{word.lower()}@a.nl",
                plan_key=f"{OWNER}:{pid(vis, sens)}",
            ),
        )
        collab.decide(
            store,
            Principal(actor="test", system=True),
            Decision(
                text=f"Besluit over {word}",
                decided_on=dt.date(2026, 11, 16),
                plans=(f"{OWNER}:{pid(vis, sens)}",),
                thread=th["id"],
            ),
        )
        ids[(vis, sens)] = {"thread": th["id"], "document": doc["id"]}
    restricted = collab.start_thread(
        store,
        _as(OWNER),
        Subject.plan(OWNER, pid("public", False)),
        f"Kosten {RESTRICTED}",
        f"Alleen tussen ons: {RESTRICTED}, @{MEMBER} (en niet @adviseur-c)",
        restricted_to=[MEMBER],
    )
    collab.add_contact(
        store, _as(OWNER), Contact(org=OWNER, name="Algemeen Nummer", role="assetmanager", phone="+31 20 1234567")
    )
    del coordinator
    return world, ids, restricted["id"]


def test_the_world_is_there(together, store):
    _, ids, _ = together
    assert len(collab.threads(store, Principal(system=True))) == 7
    assert len(collab.documents(store, Principal(system=True))) == 6


@pytest.mark.parametrize("who", WHO, ids=[w.name for w in WHO])
def test_threads_documents_contacts(together, who):
    clients, ids, restricted = together
    client = clients[who.name]
    for (vis, sens), keys in ids.items():
        ok = knows(who, vis, sens) and who.org is not None
        expect = 200 if ok else 404
        r = client.get(f"/api/plans/{OWNER}/{pid(vis, sens)}/threads")
        assert r.status_code == (401 if who.org is None else expect), (vis, sens)
        assert client.get(f"/api/threads/{keys['thread']}").status_code == expect
        assert client.get(f"/api/documents/{keys['document']}").status_code == expect
        f = client.get(f"/api/documents/{keys['document']}/file")
        assert f.status_code == expect
        if ok:
            assert marker(vis, sens).encode() in f.content
        for path in ("documents", "contacts", "decisions"):
            r = client.get(f"/api/plans/{OWNER}/{pid(vis, sens)}/{path}")
            assert r.status_code == (401 if who.org is None else expect), (path, vis, sens)
            assert_nothing_named(who, r.text, path, keys=False)
    listed = client.get("/api/threads")
    assert listed.status_code == 200
    expected = {ids[c]["thread"] for c in CASES if knows(who, *c) and who.org is not None}
    if who.name in ("owner", "member"):
        expected.add(restricted)
    assert {t["id"] for t in listed.json()["threads"]} == expected
    assert_nothing_named(who, listed.text, "/api/threads")
    r = client.get(f"/api/threads/{restricted}")
    assert r.status_code == (200 if who.name in ("owner", "member") else 404)
    if who.name not in ("owner", "member"):
        assert RESTRICTED not in r.text
    contacts = client.get("/api/contacts")
    assert_nothing_named(who, contacts.text, "/api/contacts")
    rows = contacts.json()["contacts"]
    if who.org is None:
        assert rows == []
    else:
        plans = {c["plan"] for c in rows if c["plan"]}
        assert plans == {f"{OWNER}:{pid(*c)}" for c in CASES if knows(who, *c)}
        personal = who.name != "outsider"
        for c in rows:
            assert (c["name"] is not None) is personal and (
                c["email"] is not None or c["phone"] is not None
            ) is personal
        if not personal:
            assert "Algemeen Nummer" not in contacts.text and "1234567" not in contacts.text


@pytest.mark.parametrize("who", WHO, ids=[w.name for w in WHO])
def test_search_results_snippets_and_counts(together, who):
    clients, ids, restricted = together
    client = clients[who.name]
    for vis, sens in CASES:
        word = marker(vis, sens)
        r = client.get("/api/search", params={"q": word})
        assert r.status_code == 200
        assert_nothing_named(who, r.text, f"search for {word}")
        plans = {x["plan"] for x in r.json()["results"]}
        assert (f"{OWNER}:{pid(vis, sens)}" in plans) is knows(who, vis, sens)
        r = client.get("/api/search", params={"q": CODE[(vis, sens)]})
        results = r.json()["results"]
        if not knows(who, vis, sens) or who.org is None:  # anonymous: no discussions or documents
            assert results == [], (who.name, vis, sens)
            continue
        assert sorted(x["kind"] for x in results) == ["document", "thread"], (who.name, vis, sens)
        assert {x["key"] for x in results if x["kind"] == "thread"} == {str(ids[(vis, sens)]["thread"])}
        assert {x["key"] for x in results if x["kind"] == "document"} == {str(ids[(vis, sens)]["document"])}
        assert all("<mark>" in x["snippet"] for x in results)
    # a word every plan's records carry: the count is what the caller may see, nothing more
    r = client.get("/api/search", params={"q": "geheim"})
    assert_nothing_named(who, r.text, "search for geheim")
    seen = sum(knows(who, *c) for c in CASES)
    per_plan = 1 if who.org is None else 3
    assert len(r.json()["results"]) == seen * per_plan + (0 if who.org is None else 0)
    r = client.get("/api/search", params={"q": RESTRICTED})
    assert len(r.json()["results"]) == (1 if who.name in ("owner", "member") else 0)
    # query syntax cannot break out of the words
    for q in ('" OR 1=1 --', "geheim* OR NEAR(a b)", "a:* | !b", "'; DROP TABLE plans; --"):
        r = client.get("/api/search", params={"q": q})
        assert r.status_code == 200
        assert_nothing_named(who, r.text, f"search {q!r}")


@pytest.mark.parametrize("who", WHO, ids=[w.name for w in WHO])
def test_agenda_meetings_and_decisions(together, store, who):
    clients, ids, restricted = together
    client = clients[who.name]
    r = client.get("/api/table/agenda", params={"since": "2000-01-01"})
    if who.org is None:
        assert r.status_code == 401
    else:
        assert r.status_code == 200
        assert_nothing_named(who, r.text, "the agenda")
        threads = {i["thread"] for i in r.json()["items"] if i["kind"] == "thread"}
        expected = {ids[c]["thread"] for c in CASES if knows(who, *c)}
        if who.name in ("owner", "member"):
            expected.add(restricted)
        assert threads == expected
        html = client.get("/api/table/agenda", params={"since": "2000-01-01", "format": "html"})
        assert html.status_code == 200 and "<h1>" in html.text
        assert_nothing_named(who, html.text, "the agenda page")
        if who.name not in ("owner", "member"):
            assert RESTRICTED not in r.text
    d = client.get("/api/table/decisions")
    assert d.status_code == 200
    assert_nothing_named(who, d.text, "the decisions")
    got = {x["text"] for x in d.json()["decisions"]}
    want = set() if who.org is None else {f"Besluit over {marker(*c)}" for c in CASES if knows(who, *c)}
    if who.name == "outsider":  # not at the table: only decisions about plans it may see
        want = {f"Besluit over {marker(*c)}" for c in CASES if knows(who, *c)}
    assert got == want
    page = client.get("/api/table/decisions", params={"format": "html"})
    assert_nothing_named(who, page.text, "the besluitenlijst")


def test_mentions_notify_only_who_may_read(together, store):
    clients, ids, restricted = together
    r = clients["member"].get("/api/notifications")
    assert r.status_code == 200
    mentions = [n for n in r.json()["notifications"] if "mention" in n["change"]]
    # the member is told of the threads about plans it may see unmasked (shared, public) and the restricted one
    expected = sum(knows(Who("member", MEMBER, "viewer"), *c) for c in CASES) + 1
    assert len(mentions) == expected
    assert_nothing_named(Who("member", MEMBER, "viewer"), r.text, "the member's notifications")
    # the outsider is mentioned in the restricted thread but may not read it: not told
    r = clients["outsider"].get("/api/notifications")
    assert [n for n in r.json()["notifications"] if "mention" in n["change"]] == []
    assert RESTRICTED not in r.text


def test_writes_need_an_editor_and_the_plan(together, store):
    clients, ids, _ = together
    viewer = clients["member"]  # a viewer token
    r = viewer.post(f"/api/plans/{MEMBER}/partner-{pid('shared', False)}/threads", json={"title": "t", "body": "b"})
    assert r.status_code == 403
    # a plan one may not see cannot be discussed, not even by an editor (404, as if it did not exist)
    with pytest.raises(collab.NotFound):
        collab.start_thread(store, _as(MEMBER), Subject.plan(OWNER, pid("private", False)), "t", "b")
    with pytest.raises(collab.NotFound):
        collab.start_thread(store, _as(MEMBER), Subject.plan(OWNER, pid("shared", True)), "t", "b")
