"""Documents, discussions, contacts and search over the API on SQLite and PostGIS:
uploads refused (a lying type, an oversized file, a path-traversal name, a program),
safe download headers, versions and sha256 dedup, full-text search on both engines
(SQLite FTS5, PostgreSQL 'dutch'), backup and restore with the files, and the CLI."""

from __future__ import annotations

import io
import zipfile

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from openruimte.api import Settings, create_app
from openruimte.collab.pdfgen import text_pdf
from openruimte.store import Store, backup
from openruimte.store.blobs import blobs_of
from tests.factories import plan
from tests.support.auth import token_headers

OWNER = "gemeente-voorbeeldstad"
KEY = f"{OWNER}/p1"


@pytest.fixture
def api(store, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENRUIMTE_DATA_DIR", str(tmp_path / "blobs"))
    with store.writer("test") as w:
        w.upsert("plans", [plan(visibility="shared", name="Vervanging riool Kerkstraat")])
    app = create_app(Settings(max_upload_bytes=64 * 1024, webhook_worker=False), store=store)
    client = TestClient(app)
    client.headers.update(token_headers(store, OWNER, "editor"))
    return client


def upload(client, name, data, content_type="application/octet-stream", **form):
    return client.post(f"/api/plans/{KEY}/documents", files={"file": (name, data, content_type)}, data=form)


def test_upload_sniffs_versions_dedups_and_downloads_safely(api, store):
    pdf = text_pdf("Ontwerpnota Kerkstraat", ["De fietspaden worden verbreed; het riool wordt vervangen."])
    r = upload(api, "ontwerpnota.pdf", pdf)
    assert r.status_code == 201, r.text
    doc = r.json()
    v = doc["versions"][0]
    assert (v["kind"], v["mime"], v["size"]) == ("pdf", "application/pdf", len(pdf))
    again = upload(api, "ontwerpnota.pdf", pdf, "application/pdf")
    assert again.json()["id"] == doc["id"] and again.json()["current_version"] == 2
    blobs = blobs_of(store)
    assert [p for p in blobs.root.rglob("*") if p.is_file() and p.parent.name != "tmp"] == [blobs.path(v["sha256"])]
    down = api.get(f"/api/documents/{doc['id']}/file")
    assert down.status_code == 200 and down.content == pdf
    assert down.headers["content-type"] == "application/pdf"
    assert down.headers["x-content-type-options"] == "nosniff"
    assert down.headers["content-disposition"].startswith('attachment; filename="ontwerpnota.pdf"')
    assert api.get(f"/api/documents/{doc['id']}/file", params={"version": 3}).status_code == 404
    # a text file is served as text/plain, never as what its content could pass for
    html = upload(api, "notitie.txt", b"<html><script>alert(1)</script></html>\n", "text/plain")
    assert html.status_code == 201
    down = api.get(f"/api/documents/{html.json()['id']}/file")
    assert (
        down.headers["content-type"].startswith("text/plain") and "sandbox" in down.headers["content-security-policy"]
    )
    listed = api.get(f"/api/plans/{KEY}/documents").json()["documents"]
    assert {d["title"] for d in listed} == {"ontwerpnota.pdf", "notitie.txt"}


@pytest.mark.parametrize(
    ("name", "data", "content_type", "status", "says"),
    [
        ("rapport.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "application/pdf", 422, "Windows program"),
        (
            "rapport.pdf",
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
            "application/pdf",
            422,
            "named .pdf but its content is PNG",
        ),
        ("rapport.pdf", b"%PDF-1.4\n%%EOF\n", "image/png", 422, "sent as 'image/png'"),
        ("../../etc/passwd.txt", b"root:x:0:0\n", "text/plain", 422, "path traversal"),
        ("..\\..\\boot.ini.txt", b"[boot]\n", "text/plain", 422, "path traversal"),
        ("setup.exe", b"MZ\x90\x00", "application/octet-stream", 422, "not kept"),
        ("groot.txt", b"a" * (64 * 1024 + 1), "text/plain", 413, "at most 65536 bytes"),
        ("archief.docx", b"PK\x03\x04" + b"\x00" * 60, "application/octet-stream", 422, "not a readable .docx"),
    ],
)
def test_refused_uploads(api, store, name, data, content_type, status, says):
    r = upload(api, name, data, content_type)
    assert r.status_code == status, r.text
    assert says in r.json()["error"]["message"]
    assert api.get(f"/api/plans/{KEY}/documents").json()["documents"] == []
    tmp = blobs_of(store).root / "tmp"
    assert not tmp.exists() or list(tmp.iterdir()) == []  # nothing left behind


def test_office_files_are_sniffed_and_their_text_found(api):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "Kabeltracé Dorpsstraat"
    buf = io.BytesIO()
    wb.save(buf)
    assert upload(api, "trace.xlsx", buf.getvalue()).status_code == 201
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            "<w:p><w:r><w:t>Omgevingsmanager belt bewoners van de Lindelaan</w:t></w:r></w:p></w:body></w:document>",
        )
    assert upload(api, "brief.docx", docx.getvalue()).status_code == 201
    # a docx named .xlsx is a lying name
    assert upload(api, "brief.xlsx", docx.getvalue()).status_code == 422
    hits = api.get("/api/search", params={"q": "Lindelaan"}).json()["results"]
    assert [(h["kind"], h["title"]) for h in hits] == [("document", "brief.docx")]
    hits = api.get("/api/search", params={"q": "dorpsstraat"}).json()["results"]
    assert [(h["kind"], h["title"]) for h in hits] == [("document", "trace.xlsx")]


def test_threads_replies_resolution_and_search_on_both_engines(api, store):
    r = api.post(
        f"/api/plans/{KEY}/threads", json={"title": "Fietspaden Kerkstraat", "body": "Wie legt de fietspaden aan?"}
    )
    assert r.status_code == 201, r.text
    th = r.json()
    assert th["status"] == "open" and th["messages"][0]["body"] == "Wie legt de fietspaden aan?"
    r = api.post(f"/api/threads/{th['id']}/replies", json={"body": "Wij, in 2027."})
    assert [m["body"] for m in r.json()["messages"]] == ["Wie legt de fietspaden aan?", "Wij, in 2027."]
    r = api.post(f"/api/threads/{th['id']}/resolve", json={"conclusion": "De gemeente legt het fietspad aan."})
    assert r.json()["status"] == "resolved" and r.json()["conclusion"].startswith("De gemeente")
    assert api.post(f"/api/plans/{KEY}/threads", json={"title": "", "body": "x"}).status_code in (400, 422)
    # word starts and, on PostgreSQL, Dutch stems: 'fietspad' finds 'fietspaden'
    for q in ("fietspad", "Kerkstraat", "riool"):
        hits = api.get("/api/search", params={"q": q}).json()["results"]
        assert hits, q
        for h in hits:
            assert "<mark>" in h["snippet"]
    kinds = {h["kind"] for h in api.get("/api/search", params={"q": "fietspad"}).json()["results"]}
    assert kinds == {"thread"}
    assert api.get("/api/search", params={"q": "  "}).json()["results"] == []
    # the audit log holds every write
    tables = {e["table_name"] for e in store.audit()}
    assert {"threads", "posts"} <= tables


def test_contacts_and_decisions(api, store):
    r = api.post(
        "/api/contacts",
        json={
            "org": OWNER,
            "name": "Anna de Wit",
            "role": "Projectleider",
            "email": "anna@example.nl",
            "plan": f"{OWNER}:p1",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "projectleider"
    assert api.post("/api/contacts", json={"org": "netbeheer", "name": "X", "role": "assetmanager"}).status_code in (
        403,
        404,
    )
    assert api.post("/api/contacts", json={"org": OWNER, "name": "X", "role": "a", "email": "no"}).status_code == 400
    coordinator = TestClient(api.app)
    coordinator.headers.update(token_headers(store, OWNER, "coordinator"))
    d = coordinator.post(
        "/api/table/decisions", json={"text": "Riool eerst", "decided_on": "2026-11-16", "plans": [f"{OWNER}:p1"]}
    )
    assert d.status_code == 201, d.text
    assert api.post("/api/table/decisions", json={"text": "x", "decided_on": "2026-11-16"}).status_code == 403
    got = api.get(f"/api/plans/{KEY}/decisions").json()["decisions"]
    assert [x["text"] for x in got] == ["Riool eerst"]
    m = coordinator.post("/api/table/meetings", json={"held_on": "2026-12-01", "since": "2000-01-01"})
    assert m.status_code == 201 and m.json()["items"]
    meetings = coordinator.get("/api/table/meetings").json()["meetings"]
    assert meetings[0]["held_on"] == "2026-12-01" and meetings[0]["items"]


def test_backup_and_restore_carry_the_files(api, store, db_url, tmp_path, monkeypatch, request):
    pdf = text_pdf("Nota", ["Herinrichting van het plein."])
    doc = upload(api, "nota.pdf", pdf).json()
    archive = tmp_path / "backup.zip"
    counts = backup.backup(store, archive)
    assert counts["document_files"] == 1 and counts["documents"] == 1
    monkeypatch.setenv("OPENRUIMTE_DATA_DIR", str(tmp_path / "restored-blobs"))
    if db_url.startswith("sqlite"):
        target_url = f"sqlite:///{tmp_path / 'restored.db'}"
    else:
        from tests.support import postgis

        admin = request.getfixturevalue("postgis_admin_url")
        target_url = postgis.new_database(admin, db_url.rsplit("/", 1)[1] + "_restored")
    target = Store.open(target_url)
    try:
        backup.restore(target, archive)
        client = TestClient(create_app(Settings(webhook_worker=False), store=target))
        client.headers.update(token_headers(target, OWNER, "editor"))
        assert client.get(f"/api/documents/{doc['id']}/file").content == pdf
        hits = client.get("/api/search", params={"q": "herinrichting"}).json()["results"]
        assert [h["kind"] for h in hits] == ["document"]
    finally:
        target.close()


def test_cli_thread_document_contact_table(store, db_url, tmp_path, monkeypatch):
    from openruimte.cli import app

    monkeypatch.setenv("OPENRUIMTE_DATA_DIR", str(tmp_path / "blobs"))
    with store.writer("test") as w:
        w.upsert("plans", [plan(visibility="shared")])
    runner = CliRunner()
    db = ["--db", db_url]

    def run(*args):
        result = runner.invoke(app, [*args, *db])
        assert result.exit_code == 0, result.output
        return result.output

    from tests.support.auth import ensure_org

    ensure_org(store, OWNER)
    assert "discussion 1 started" in run(
        "thread", "start", f"{OWNER}:p1", "--title", "Sleuf", "--body", "Samen?", "--org", OWNER
    )
    run("thread", "reply", "1", "--body", "Ja", "--org", OWNER)
    note = tmp_path / "nota.txt"
    note.write_text("Graafvergunning aangevraagd\n", encoding="utf-8")
    assert "text/plain" in run("document", "add", f"{OWNER}:p1", str(note), "--org", OWNER)
    evil = tmp_path / "evil.pdf"
    evil.write_bytes(b"MZ\x90\x00" + b"\x00" * 64)
    bad = runner.invoke(app, ["document", "add", f"{OWNER}:p1", str(evil), "--org", OWNER, *db])
    assert bad.exit_code == 1 and "Windows program" in bad.output
    run("contact", "add", "--org", OWNER, "--name", "Jan", "--role", "omgevingsmanager", "--phone", "+31 6 12345678")
    out = tmp_path / "agenda.html"
    text = run(
        "table", "agenda", "--since", "2000-01-01", "--out", str(out), "--meeting", "2026-12-01", "--title", "Tafel"
    )
    assert "meeting 1 recorded" in text and "Open discussie: Sleuf" in out.read_text(encoding="utf-8")
    run(
        "table",
        "decide",
        "Samen graven",
        "--plan",
        f"{OWNER}:p1",
        "--thread",
        "1",
        "--meeting",
        "1",
        "--item",
        "1",
        "--date",
        "2026-12-01",
    )
    run("thread", "resolve", "1", "--conclusion", "Samen graven", "--org", OWNER)
    page = tmp_path / "besluiten.html"
    assert "Samen graven" in run("table", "decisions", "--meeting", "1", "--out", str(page))
    assert "Samen graven" in page.read_text(encoding="utf-8")
    assert "Sleuf" in run("thread", "list", "--plan", f"{OWNER}:p1")
    assert "nota.txt" in run("document", "list", "--plan", f"{OWNER}:p1")
    assert "Jan" in run("contact", "list", "--org", OWNER)
    assert "+31 6 12345678" in run("contact", "list", "--json")


def test_a_mention_queues_a_webhook_delivery(api, store):
    import json

    from openruimte.notify.webhooks import body_of
    from openruimte.store import notifications
    from tests.support.auth import ensure_org

    ensure_org(store, "netbeheer-noord")
    with store.writer("test") as w:
        notifications.insert_webhook(w, "netbeheer-noord", "https://example.invalid/hook", "geheim")
    r = api.post(f"/api/plans/{KEY}/threads", json={"title": "Sleuf", "body": "Doet @netbeheer-noord mee?"})
    assert r.json()["told"] == ["netbeheer-noord"]
    queued = notifications.deliveries(store, "netbeheer-noord")
    assert len(queued) == 1 and queued[0]["status"] == "pending"
    _, note = notifications.delivery_target(store, queued[0]["pk"])
    payload = json.loads(body_of(queued[0]["pk"], note, 0))
    assert payload["type"] == "thread.mention" and note["plan_key"] == f"{OWNER}:p1"
    assert "Sleuf" in note["message"]
