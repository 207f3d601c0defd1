"""The BIM roadmap (routekaart): definitions, states, maturity index, metro map,
poster wall, store round trip, visibility (CLI, API, poster) and evidence."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from openruimte.api import Settings, create_app
from openruimte.cli import app
from openruimte.model import InputError, Organisation, OrganisationKind
from openruimte.model.access import ANONYMOUS, SYSTEM, Principal, Role
from openruimte.roadmap import Assessment, State, load_definition, maturity, parse_definition, progress, status_at
from openruimte.roadmap import shipped_definition as shipped
from openruimte.roadmap.evidence import Facts, propose
from openruimte.roadmap.metro import FILL, metro_svg
from openruimte.services import roadmap as svc
from openruimte.store import backup as bk
from openruimte.store import security
from openruimte.store.permissions import View
from tests import factories as f
from tests.support.auth import token_headers

SVG = "{http://www.w3.org/2000/svg}"
runner = CliRunner()
D1, D2 = dt.date(2025, 6, 1), dt.date(2026, 6, 1)
A, B, C = "gemeente-a", "gemeente-b", "gemeente-c"


def station_states(svg: str) -> set[str]:
    root = ET.fromstring(svg)
    return {g.get("data-state") for g in root.iter(f"{SVG}g") if "station" in (g.get("class") or "").split()}


def run(*args, code: int = 0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result.output


# --------------------------------------------------------------------------- definitions


def test_shipped_definitions_are_the_issue_s_lines_labelled_as_a_reading():
    g = shipped("gemeenten")
    assert [line.name for line in g.lines] == [
        "Basis- en kernregistraties en gebiedsinformatie (bronhouder)",
        "Leefomgeving (bevoegd gezag Omgevingswet)",
        "Vastgoed (assetmanagement)",
        "Openbare ruimte (assetmanagement)",
        "Organisatielijn",
    ]
    branch = g.line("openbare-ruimte").branch
    assert branch is not None and branch.name == "Ontwerpende gemeenten" and len(branch.stations) == 3
    assert all(line.branch is None for line in g.lines if line.id != "openbare-ruimte")
    assert g.end_station is not None and "Digitale tweeling" in g.end_station.name
    assert all(line.frames for line in g.lines)
    assert "standaardlezing" in g.reading and "VNG" in g.source
    p = shipped("provincies")
    assert [line.name for line in p.lines] == [
        "ILS-Uniform",
        "OTL-Uniform",
        "Begeleidingspakket",
        "Koppeling project- en assetdata",
    ]
    assert "standaardlezing" in p.reading and "CROW" in p.source
    # every station's every state has a criterion (its own or the default)
    for d in (g, p):
        for s in d.stations():
            assert all(d.criteria(s).values()), s.id


BAD = """roadmap: mijn-routekaart
version: 1
title: Eigen routekaart
reading: eigen lezing
source: eigen
lines:
  - id: a
    name: Lijn A
    colour: blauw
    stations:
      - id: s1
        name: Eerste
        criteria: {operationel: werkt}
      - id: s1
        nam: Tweede
        evidence: [ifc]
    branch: {id: zij, name: Zijtak, from: s9, stations: [{id: z1, name: Z}]}
"""


def test_a_malformed_definition_is_refused_naming_file_line_and_key(tmp_path):
    path = tmp_path / "eigen.yaml"
    path.write_text(BAD)
    with pytest.raises(InputError) as caught:
        load_definition(path)
    text = str(caught.value)
    assert "eigen.yaml line 9, key lines[0].colour: 'blauw' is not a colour; write it as #rrggbb" in text
    assert "eigen.yaml line 13, key lines[0].stations[0].criteria.operationel: unknown state 'operationel'" in text
    assert "eigen.yaml line 15, key lines[0].stations[1].nam: unknown key 'nam' (did you mean 'name'?)" in text
    assert "eigen.yaml line 14, key lines[0].stations[1]: missing key 'name'" in text
    assert "key lines[0].stations[1].id: id 's1' is used twice" in text
    assert "line 16, key lines[0].stations[1].evidence[0]: unknown evidence 'ifc'" in text
    assert "line 17, key lines[0].branch.from: station 's9' is not on line 'a'; use one of: s1" in text
    # the CLI says the same and stores nothing
    db = tmp_path / "x.db"
    out = run("roadmap", "define", path, "--db", db, code=1)
    assert "eigen.yaml line 9, key lines[0].colour" in out
    assert "mijn-routekaart" not in run("roadmap", "define", "--list", "--db", db)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("roadmap: x\nversion: 1\n  title: [", "x.yaml line 3: not valid YAML/JSON"),
        ("roadmap: x\nroadmap: y\n", "x.yaml line 2, key roadmap: duplicate key 'roadmap' (first at line 1)"),
        ("a: &a [1]\nb: *a\n", "x.yaml line 2: aliases (*name) are not allowed"),
        ("- 1\n", "x.yaml line 1: expected a mapping (key: value), found a list"),
        ("", "x.yaml: the file is empty"),
        ('{"roadmap": "x", "version": 0}', "x.yaml line 1, key version: expected a whole number of 1 or more"),
    ],
)
def test_syntax_duplicates_aliases_and_shapes_are_refused(text, expected):
    with pytest.raises(InputError) as caught:
        parse_definition(text, "x.yaml")
    assert expected in str(caught.value)


TINY = """roadmap: klein
version: 1
title: Klein
reading: test
source: test
lines:
  - id: a
    name: Lijn A
    colour: "#112233"
    stations:
      - {id: a1, name: A een}
      - {id: a2, name: A twee}
    branch: {id: zij, name: Zijtak, from: a1, stations: [{id: z1, name: Z een}, {id: z2, name: Z twee}]}
  - id: b
    name: Lijn B
    colour: "#445566"
    frames: [{id: k, name: Kader}]
    stations:
      - {id: b1, name: B een, evidence: [plans]}
      - {id: b2, name: B twee}
      - {id: b3, name: B drie}
      - {id: b4, name: B vier}
end_station: {id: eind, name: Eind}
"""


def _a(station: str, state: State, on: dt.date = D1, org: str = A, pk: int = 0, **kw) -> Assessment:
    return Assessment(org, "klein", station, state, on, pk=pk, **kw)


def test_maturity_index_follows_the_formula():
    d = parse_definition(TINY, "klein.yaml")
    items = [
        _a("a1", State.GEBORGD),
        _a("a2", State.VERKENNEN),
        _a("z1", State.OPERATIONEEL),  # boarded: counts; z2 never assessed: does not count
        _a("b1", State.IN_ONTWIKKELING),
        _a("eind", State.GEBORGD),  # the end station counts in no index
    ]
    index = maturity(status_at(d, items, A, D2))
    assert index["lines"] == {"a": round(100 * (4 + 1 + 3) / (4 * 3), 1), "b": round(100 * 2 / (4 * 4), 1)}
    assert index["lines"] == {"a": 66.7, "b": 12.5}
    assert index["overall"] == round((66.7 + 12.5) / 2, 1) == 39.6
    # nothing assessed: 0; everything geborgd (branch boarded): 100
    assert maturity(status_at(d, [], A, D2)) == {"lines": {"a": 0.0, "b": 0.0}, "overall": 0.0}
    full = [_a(s.id, State.GEBORGD) for s in d.stations()]
    assert maturity(status_at(d, full, A, D2))["overall"] == 100.0


def test_status_at_a_date_and_progress_between_two_dates():
    d = parse_definition(TINY, "klein.yaml")
    items = [
        _a("a1", State.VERKENNEN, D1, pk=1),
        _a("a1", State.OPERATIONEEL, D2, pk=2),
        _a("b1", State.IN_ONTWIKKELING, D2, pk=3),
        _a("b1", State.GEBORGD, D2, org=B, pk=4),  # another organisation
        _a("nope", State.GEBORGD, D1, pk=5),  # a station the definition lacks
    ]
    assert status_at(d, items, A, D1).state("a1") is State.VERKENNEN
    assert status_at(d, items, A, D2).state("a1") is State.OPERATIONEEL
    assert status_at(d, items, A, D1 - dt.timedelta(days=1)).state("a1") is State.NIET_GESTART
    p = progress(d, items, A, D1, D2)
    assert [(s.id, a, b) for s, a, b in p.changes] == [
        ("a1", State.VERKENNEN, State.OPERATIONEEL),
        ("b1", State.NIET_GESTART, State.IN_ONTWIKKELING),
    ]
    assert p.before["overall"] < p.after["overall"]
    with pytest.raises(InputError, match="swap them"):
        progress(d, items, A, D2, D1)


def test_metro_map_svg_for_a_known_assessment():
    d = shipped("gemeenten")
    known = {
        "bron-registraties": State.GEBORGD,
        "lo-bim-aanvraag": State.VERKENNEN,
        "or-programmering": State.OPERATIONEEL,
        "or-ontwerp-bim": State.IN_ONTWIKKELING,
        "digitale-tweeling": State.VERKENNEN,
    }
    items = [Assessment(A, "gemeenten", s, st, D1) for s, st in known.items()]
    svg = metro_svg(status_at(d, items, A, D2), org_name="Gemeente A")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("data-org") == A
    stations = [g for g in root.iter(f"{SVG}g") if "station" in (g.get("class") or "").split()]
    assert [g.get("data-station") for g in stations] == [s.id for s in d.stations()]
    line_of = {s.id: s.line or "end" for s in d.stations()}
    for g in stations:
        sid = g.get("data-station")
        state = known.get(sid, State.NIET_GESTART)
        assert g.get("data-state") == state.value
        assert g.get("data-line") == line_of[sid]
        circles = g.findall(f"{SVG}circle")
        assert circles[-1].get("fill") == FILL[state], sid
        # the score is text (prints in black and white too), the name is text as well
        texts = ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]
        assert str(list(State).index(state)) in texts
    # the station's line colour is its circle's outline
    colours = {line.id: line.colour for line in d.lines}
    for g in stations:
        if g.get("data-line") != "end":
            assert g.find(f"{SVG}circle").get("stroke") == colours[g.get("data-line")]
    lines = [p for p in root.iter(f"{SVG}path") if p.get("class") == "line"]
    assert {p.get("data-line"): p.get("stroke") for p in lines} == colours
    branch = [p for p in root.iter(f"{SVG}path") if p.get("class") == "branch"]
    assert len(branch) == 1 and branch[0].get("data-line") == "openbare-ruimte" and branch[0].get("stroke-dasharray")
    end = [g for g in stations if g.get("data-line") == "end"]
    assert len(end) == 1 and "end-station" in end[0].get("class")
    frames = [g for g in root.iter(f"{SVG}g") if g.get("class") == "frame"]
    assert len(frames) == sum(len(line.frames) for line in d.lines)
    legend = [g for g in root.iter(f"{SVG}g") if g.get("class") == "legend-state"]
    assert [g.get("data-state") for g in legend] == [s.value for s in State]
    assert "volwassenheidsindex" in svg and "Gemeente A" in svg
    # deterministic: the same input draws the same map
    assert svg == metro_svg(status_at(d, items, A, D2), org_name="Gemeente A")


def test_evidence_proposes_only_above_the_current_state():
    d = parse_definition(TINY, "klein.yaml")
    facts = Facts(org=A, plans=4, plans_with_phases=3, plans_current=2)
    proposals = propose(d, status_at(d, [], A, D2), facts)
    assert [(p.station, p.state) for p in proposals] == [("b1", State.OPERATIONEEL)]
    assert "4 plan(nen)" in proposals[0].evidence[0]["text"]
    assert propose(d, status_at(d, [_a("b1", State.OPERATIONEEL)], A, D2), facts) == []
    few = Facts(org=A, plans=4, plans_with_phases=1, plans_current=1)
    assert propose(d, status_at(d, [], A, D2), few)[0].state is State.IN_ONTWIKKELING
    assert propose(d, status_at(d, [], A, D2), Facts(org=A)) == []


# --------------------------------------------------------------------------- store


def _orgs(store, *codes: str) -> None:
    with store.writer("test") as w:
        w.upsert_organisations([Organisation(code=c, name=c.title(), kind=OrganisationKind.GEMEENTE) for c in codes])


def test_store_round_trip_audit_and_backup(store, tmp_path):
    _orgs(store, A, B)
    pk1 = svc.assess(
        store,
        SYSTEM,
        org=A,
        station="or-areaal",
        state="in ontwikkeling",
        on=D1,
        note="halverwege",
        links=["https://example.org/areaal"],
        documents=["areaalplan.pdf"],
        visibility="shared",
        shared_with=[B],
    )
    pk2 = svc.assess(store, SYSTEM, org=A, station="or-areaal", state="operationeel", on=D2, visibility="public")
    got = svc.assessments(store, SYSTEM, "gemeenten", A)
    assert [a.pk for a in got] == [pk1, pk2]  # kept over time, oldest first
    first = got[0]
    assert (first.state, first.assessed_on, first.note, first.documents, first.visibility, first.shared_with) == (
        State.IN_ONTWIKKELING,
        D1,
        "halverwege",
        ("areaalplan.pdf",),
        "shared",
        (B,),
    )
    assert first.evidence == (
        {"kind": "link", "text": "https://example.org/areaal", "ref": "https://example.org/areaal"},
    )
    assert first.definition_version == 1 and first.author == "system"
    audit = store.audit(table="roadmap_assessments")
    assert len(audit) == 2 and audit[0]["after"]["state"] == "operationeel"
    assert store.audit(table="roadmap_definitions")[0]["record_key"] == "gemeenten:1"
    # a stored definition version is never changed; a new version is a new row
    text = tmp_path / "g.yaml"
    text.write_text(TINY)
    svc.define(store, text, SYSTEM)
    svc.define(store, text, SYSTEM)  # the same again: nothing new
    text.write_text(TINY.replace("title: Klein", "title: Kleiner"))
    with pytest.raises(Exception, match="give the changed definition 'version: 2'"):
        svc.define(store, text, SYSTEM)
    text.write_text(TINY.replace("title: Klein", "title: Kleiner").replace("version: 1", "version: 2"))
    assert svc.define(store, text, SYSTEM).version == 2
    assert svc.get_definition(store, "klein").title == "Kleiner"
    assert svc.get_definition(store, "klein", 1).title == "Klein"
    # backup and restore (into SQLite) keep definitions and assessments
    archive = tmp_path / "backup.zip"
    counts = bk.backup(store, archive)
    assert counts["roadmap_assessments"] == 2 and counts["roadmap_definitions"] == 3
    from openruimte.store import Store

    other = Store.open(f"sqlite:///{tmp_path / 'restored.db'}")
    try:
        bk.restore(other, archive)
        assert [a.to_dict() for a in svc.assessments(other, SYSTEM, "gemeenten")] == [a.to_dict() for a in got]
        assert svc.get_definition(other, "klein").title == "Kleiner"
    finally:
        other.close()


def test_writes_need_the_organisations_editor(store):
    _orgs(store, A, B)
    viewer = Principal(org=A, role=Role.VIEWER, actor="test")
    other = Principal(org=B, role=Role.EDITOR, actor="test")
    for who in (viewer, other, ANONYMOUS):
        with pytest.raises(Exception, match="only an editor or admin of gemeente-a"):
            svc.assess(store, who, org=A, station="or-areaal", state="verkennen")
    editor = Principal(org=A, role=Role.EDITOR, actor="user:x@a.nl")
    svc.assess(store, editor, org=A, station="or-areaal", state="verkennen")
    assert svc.assessments(store, SYSTEM, "gemeenten", A)[0].author == "user:x@a.nl"
    with pytest.raises(InputError, match="no station 'nope'"):
        svc.assess(store, editor, org=A, station="nope", state="verkennen")
    with pytest.raises(InputError, match="unknown state 'half'"):
        svc.assess(store, editor, org=A, station="or-areaal", state="half")
    with pytest.raises(InputError, match="unknown organisation"):
        svc.assess(store, SYSTEM, org="gemeente-z", station="or-areaal", state="verkennen")


def _three(store) -> None:
    """A private, B shared with C, C public; each one assessment."""
    _orgs(store, A, B, C)
    svc.assess(store, SYSTEM, org=A, station="or-areaal", state="geborgd", on=D1, visibility="private")
    svc.assess(
        store, SYSTEM, org=B, station="or-areaal", state="operationeel", on=D1, visibility="shared", shared_with=[C]
    )
    svc.assess(store, SYSTEM, org=C, station="or-areaal", state="verkennen", on=D1, visibility="public")


def test_private_assessments_never_show_to_others_in_the_store(store):
    _three(store)
    seen = {
        who: {a["org"] for a in View(store, Principal(org=who, role=Role.VIEWER)).roadmap_assessments("gemeenten")}
        for who in (A, B, C)
    }
    assert seen == {A: {A, C}, B: {B, C}, C: {B, C}}
    assert {a.org for a in svc.assessments(store, ANONYMOUS, "gemeenten")} == {C}
    # the coordinator is not one of B's chosen organisations
    coordinator = Principal(org="gemeente-x", role=Role.COORDINATOR, at_table=True)
    assert {a["org"] for a in View(store, coordinator).roadmap_assessments("gemeenten")} == {C}
    assert [e.org for e in svc.wall(store, Principal(org=B, role=Role.VIEWER), "gemeenten", D2)] == [B, C]
    hidden = svc.status(store, Principal(org=B, role=Role.VIEWER), "gemeenten", A, D2)
    assert hidden.latest == {} and maturity(hidden)["overall"] == 0.0


def test_private_assessments_never_show_in_cli_output_poster_or_export(store, tmp_path):
    _three(store)
    db = store.engine.url.render_as_string(hide_password=False)
    wall = tmp_path / "wall.html"
    out = run("roadmap", "compare", "--roadmap", "gemeenten", "--out", wall, "--as", B, "--db", db)
    assert "Gemeente-A" not in out and "Gemeente-B" in out and "Gemeente-C" in out
    html = wall.read_text()
    assert f'data-org="{A}"' not in html and f'data-org="{B}"' in html
    run("roadmap", "compare", "--roadmap", "gemeenten", "--out", wall, "--db", db)  # public only
    html = wall.read_text()
    assert f'data-org="{C}"' in html and f'data-org="{A}"' not in html and f'data-org="{B}"' not in html
    shown = json.loads(run("roadmap", "show", "--org", A, "--as", B, "--json", "--db", db))
    assert all(s["assessment"] is None for s in shown["stations"]) and shown["index"]["overall"] == 0.0
    own = json.loads(run("roadmap", "show", "--org", A, "--json", "--db", db))
    assert own["index"]["lines"]["openbare-ruimte"] == 25.0
    svg = tmp_path / "a.svg"
    run("roadmap", "show", "--org", A, "--as", C, "--out", svg, "--db", db)
    assert station_states(svg.read_text()) == {"niet_gestart"}
    export = tmp_path / "all.json"
    run("roadmap", "export", "--roadmap", "gemeenten", "--out", export, "--as", C, "--db", db)
    assert {a["org"] for a in json.loads(export.read_text())["assessments"]} == {B, C}


def test_private_assessments_never_show_through_the_api(store):
    _three(store)
    client = TestClient(create_app(Settings(), store=store))
    as_b = token_headers(store, B, "viewer")
    as_a = token_headers(store, A, "editor")
    for headers in (as_b, {}):
        status = client.get("/api/roadmap/gemeenten/status", params={"org": A}, headers=headers).json()
        assert all(s["assessment"] is None for s in status["stations"])
        svg = client.get("/api/roadmap/gemeenten/map.svg", params={"org": A}, headers=headers)
        assert svg.headers["content-type"].startswith("image/svg+xml")
        assert station_states(svg.text) == {"niet_gestart"}
        wall = client.get("/api/roadmap/gemeenten/wall", headers=headers).json()
        assert A not in {o["org"] for o in wall["organisations"]}
        listed = client.get("/api/roadmap/gemeenten/assessments", headers=headers).json()["assessments"]
        assert A not in {a["org"] for a in listed}
        prog = client.get("/api/roadmap/gemeenten/progress", params={"org": A, "since": "2020-01-01"}, headers=headers)
        assert prog.json()["changes"] == []
    own = client.get("/api/roadmap/gemeenten/status", params={"org": A}, headers=as_a).json()
    assert [s["state"] for s in own["stations"] if s["assessment"]] == ["geborgd"]
    # writing: the organisation's editor only
    body = {"org": A, "station": "or-beheer", "state": "verkennen", "visibility": "private"}
    assert client.post("/api/roadmap/gemeenten/assessments", json=body, headers=as_b).status_code == 403
    assert client.post("/api/roadmap/gemeenten/assessments", json=body).status_code == 401
    assert client.post("/api/roadmap/gemeenten/assessments", json=body, headers=as_a).status_code == 201
    bad = client.post("/api/roadmap/gemeenten/assessments", json={**body, "state": "half"}, headers=as_a)
    assert bad.status_code == 422 and "unknown state 'half'" in bad.text
    assert client.get("/api/roadmap/gemeenten/evidence", params={"org": A}, headers=as_b).status_code == 403


def test_evidence_from_the_platform_is_proposed_and_accepted(store):
    _orgs(store, A)
    with store.writer("test") as w:
        w.upsert(
            "plans",
            [
                f.plan(id=f"p{i}", owner=A, phase_planning="ontwerp:2026-01-01/2026-06-30" if i < 2 else None)
                for i in range(3)
            ],
        )
        w.upsert("assets", [f.asset(id=f"a{i}", owner=A, imbor_type="Put" if i else None) for i in range(4)])
    report = svc.evidence(store, SYSTEM, A)
    got = {p.station: p.state for p in report.proposals}
    assert got == {"or-programmering": State.OPERATIONEEL, "or-areaal": State.IN_ONTWIKKELING}
    assert "lo-informatiebehoefte" not in got  # no IDS files registered: no proposal
    assert svc.assessments(store, SYSTEM, "gemeenten", A) == []  # proposed, never set silently
    out = run("roadmap", "evidence", "--org", A, "--db", store.engine.url.render_as_string(hide_password=False))
    assert "or-programmering" in out and "3 plan(nen)" in out
    pk = svc.accept(store, SYSTEM, A, "or-programmering")
    (a,) = svc.assessments(store, SYSTEM, "gemeenten", A)
    assert a.pk == pk and a.state is State.OPERATIONEEL and a.evidence[0]["kind"] == "plans"
    assert "or-programmering" not in {p.station for p in svc.evidence(store, SYSTEM, A).proposals}
    with pytest.raises(InputError, match="no proposal for station 'org-rollen'"):
        svc.accept(store, SYSTEM, A, "org-rollen")
    # once the organisation registers information requirements (an IDS file, #14), that is evidence
    import datetime as dt

    from openruimte.store import tables as t

    row = {"name": "ils", "version": 1, "sha256": "0" * 64, "file_name": "ils.ids", "title": "ILS", "specifications": 1,
           "warnings": [], "content": "", "created_at": dt.datetime.now(dt.UTC), "created_by": "test"}  # fmt: skip
    with store.engine.begin() as conn:
        conn.execute(sa.insert(t.bim_ids_files), [{**row, "owner": A}, {**row, "owner": "iemand-anders"}])
    report = svc.evidence(store, SYSTEM, A)
    assert {p.station: p.state for p in report.proposals}["lo-informatiebehoefte"] is State.IN_ONTWIKKELING
    assert not any("IDS" in n for n in report.facts.notes)


# --------------------------------------------------------------------------- poster and demo


def test_poster_wall_pdf_page_count_and_paper(demo_store, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    db = demo_store.engine.url.render_as_string(hide_password=False)
    pdf = tmp_path / "WALL.pdf"
    out = run("roadmap", "compare", "--roadmap", "provincies", "--date", "2026-06-01", "--out", pdf, "--db", db)
    assert "poster wall of 12 organisations" in out
    pages = pypdf.PdfReader(pdf).pages
    assert len(pages) == 3  # 12 provinces, 4 per A3 sheet
    w, h = (float(pages[0].mediabox.width) / 72 * 25.4, float(pages[0].mediabox.height) / 72 * 25.4)
    assert (round(w), round(h)) == (420, 297)
    assert "Provincie Zeeland" in pages[2].extract_text()  # text stays text
    a0 = tmp_path / "A0.pdf"
    run("roadmap", "compare", "--roadmap", "provincies", "--paper", "A0", "--out", a0, "--db", db)
    pages = pypdf.PdfReader(a0).pages
    assert len(pages) == 1 and round(float(pages[0].mediabox.width) / 72 * 25.4) == 1189


def test_the_demo_has_three_municipalities_and_twelve_provinces_at_two_dates(demo_store):
    provinces = svc.wall(demo_store, ANONYMOUS, "provincies", D2)
    assert len(provinces) == 12
    assert len(svc.wall(demo_store, SYSTEM, "gemeenten", D2)) == 3
    dates = {a.assessed_on for a in svc.assessments(demo_store, SYSTEM, "provincies")}
    assert dates == {D1, D2}
    moved = [svc.progress_of(demo_store, ANONYMOUS, "provincies", e.org, D1, D2) for e in provinces]
    assert all(p["changes"] for p in moved)
    assert all(p["index_until"]["overall"] > p["index_since"]["overall"] for p in moved)
    # the municipalities' own choices: Voorbeeldstad public, Rivierstad shared with Voorbeeldstad, Duinwijk private
    assert [e.org for e in svc.wall(demo_store, ANONYMOUS, "gemeenten", D2)] == ["gemeente-voorbeeldstad"]
    vbs = Principal(org="gemeente-voorbeeldstad", role=Role.VIEWER)
    assert {e.org for e in svc.wall(demo_store, vbs, "gemeenten", D2)} == {
        "gemeente-voorbeeldstad",
        "gemeente-rivierstad",
    }
    assert security.organisations(demo_store)  # the provinces exist as organisations


def test_every_roadmap_command_and_option_is_in_the_readme_section():
    import typer

    from tests.test_docs import README

    section = README.split("## BIM roadmap (routekaart)")[1].split("\n## ")[0]
    group = typer.main.get_command(app).commands["roadmap"]
    missing = [
        f"{name} {opt}"
        for name, command in group.commands.items()
        for param in command.params
        for opt in param.opts
        if opt.startswith("--") and opt not in ("--help", "--db") and opt not in section
    ]
    missing += [name for name in group.commands if f"openruimte roadmap {name}" not in section]
    assert missing == []
    assert "index(line)   = 100 * sum(score(s)" in section


def test_roadmap_only_organisations_stay_off_the_programming_map(demo_store):
    client = TestClient(create_app(Settings(), store=demo_store))
    client.headers.update(token_headers(demo_store, "gemeente-voorbeeldstad", "coordinator"))
    codes = {o["code"] for o in client.get("/api/config").json()["organisations"]}
    assert "gemeente-voorbeeldstad" in codes and "netbeheerder-noord" in codes
    assert not any(c.startswith("provincie-") and c != "provincie-middenland" for c in codes)
    assert "gemeente-duinwijk" not in codes
