"""The reports a programming table looks at: Gantt chart, bundle map, scenario
comparison (on a generated programme in a SQLite store) and the area dossier of
a demo buurt (HTML and PDF). Rendered files land in test-artifacts/reports/."""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from openruimte.cli import app
from openruimte.planner import Settings, plan_programme
from openruimte.planner.synthetic import synthetic
from openruimte.store import Store
from tests.support.system import ensure_command

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "reports"
runner = CliRunner()
#: a short, machine-independent solver budget
FAST = {"time_limit_s": 20.0, "deterministic_time": 1.0}


@pytest.fixture(scope="module")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated town of 150 plans in a SQLite store, and two programmes of it (A, and B with less room to move)."""
    folder = tmp_path_factory.mktemp("programme")
    plans, segs = synthetic(150, seed=11)
    db = folder / "syn.db"
    store = Store.open(f"sqlite:///{db}")
    with store.writer("test") as w:
        w.upsert("streets", segs)
        w.upsert("plans", plans)
    store.close()
    a = plan_programme(plans, segs, Settings(**FAST)).to_json()
    b = plan_programme(plans, segs, Settings(max_shift_years=1, **FAST)).to_json()
    pa, pb = folder / "a.json", folder / "b.json"
    pa.write_text(json.dumps(a, default=str))
    pb.write_text(json.dumps(b, default=str))
    return {"db": str(db), "a": pa, "b": pb, "plans": {p.key: p for p in plans}, "segs": segs, "json": (a, b)}


def _bucket(date: str, bucket: str) -> tuple[int, int]:
    y, m = int(date[:4]), int(date[5:7])
    return (y, (m - 1) // 3 if bucket == "quarter" else 0)


def _bundled(doc: dict, plans: dict) -> set[str]:
    """Plans that share a street segment and a start period with another excavating plan."""
    together = defaultdict(set)
    for p in doc["plans"]:
        if plans[p["key"]].excavation:
            for s in p["segments"]:
                together[(s, _bucket(p["start"], doc["horizon"]["bucket"]))].add(p["key"])
    return {k for keys in together.values() if len(keys) > 1 for k in keys}


def _no_external_reference(html: str) -> None:
    assert not re.search(r"https?://", html), re.search(r".{60}https?://.{60}", html)
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#|data:)""", html)
    assert "<script" not in html


def _png(path: Path, min_w: int = 1200, min_h: int = 500) -> Image.Image:
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(path)
    img.load()
    assert img.width >= min_w and img.height >= min_h, img.size
    colours = img.convert("RGB").resize((200, 200)).getcolors(40000)
    assert len(colours) > 20  # a drawing, not a blank page
    return img


# ----------------------------------------------------------------------------- Gantt


def test_gantt_html_and_png(generated, artifacts):
    out, png = artifacts / "gantt.html", artifacts / "gantt.png"
    for old in artifacts.glob("gantt*.png"):
        old.unlink()
    res = runner.invoke(
        app, ["gantt", str(generated["a"]), "--out", str(out), "--png", str(png), "--db", generated["db"]]
    )
    assert res.exit_code == 0, res.output
    doc, plans = generated["json"][0], generated["plans"]
    html = out.read_text()
    _no_external_reference(html)
    bars = re.findall(r'data-kind="bar" data-key="([^"]+)" data-bundle="(\d*)"', html)
    assert sorted(k for k, _ in bars) == sorted(p["key"] for p in doc["plans"])
    assert html.count('data-kind="own"') == len(doc["plans"])
    renewals = [p for p in doc["plans"] if plans[p["key"]].surface_renewal]
    assert renewals and html.count('data-kind="nodig"') == len(renewals)
    bundled = {k for k, b in bars if b}
    assert bundled == _bundled(doc, plans) and bundled
    # each bar sits at its proposed period: its start year is under the right year column
    assert "Gantt" in html and "graafrust" in html and "bundel" in html
    streets = {s.name for s in generated["segs"]}
    groups = re.findall(r'data-kind="group">.*?font-weight="600">([^<]+) \(\d+\)</text>', html)
    assert groups and set(groups) <= streets | {"Niet aan een straat gekoppeld"}
    # PNG pages: plan rows + one row per street group, 90 rows a page
    files = [png, *sorted(png.parent.glob("gantt-*.png"), key=lambda f: int(f.stem.split("-")[1]))]
    rows = len(doc["plans"]) + len(groups)
    assert math.ceil(rows / 90) <= len(files) <= math.ceil(rows / 80)
    assert [f.name for f in files[1:]] == [f"gantt-{i}.png" for i in range(2, len(files) + 1)]
    for f in files:
        _png(f, 1500, 800)


def test_gantt_by_owner_of_one_area_without_names(generated, tmp_path):
    out = tmp_path / "g.html"
    res = runner.invoke(
        app, ["gantt", str(generated["a"]), "--out", str(out), "--group", "owner", "--db", generated["db"]]
    )
    assert res.exit_code == 0, res.output
    owners = re.findall(r'data-kind="group">.*?font-weight="600">([^<]+) \((\d+)\)</text>', out.read_text())
    counts = Counter(p["owner"] for p in generated["json"][0]["plans"])
    assert {o: int(n) for o, n in owners} == dict(counts)


def test_gantt_errors_name_the_file(generated, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"plans": [{"key": "x:1", "name": "n", "owner": "x", "start": "2027-13-01"}]}))
    res = runner.invoke(app, ["gantt", str(bad), "--out", str(tmp_path / "g.html"), "--db", generated["db"]])
    assert res.exit_code == 1
    assert "bad.json plan 1" in res.output and "missing" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["gantt", str(tmp_path / "nope.json"), "--out", str(tmp_path / "g.html")])
    assert res.exit_code == 1 and "no such file" in res.output


# ----------------------------------------------------------------------------- bundles


def test_bundle_map(generated, artifacts):
    out, png = artifacts / "bundles.html", artifacts / "bundles.png"
    res = runner.invoke(
        app, ["bundles", str(generated["a"]), "--out", str(out), "--png", str(png), "--db", generated["db"]]
    )
    assert res.exit_code == 0, res.output
    doc = generated["json"][0]
    html = out.read_text()
    _no_external_reference(html)
    used = {s for p in doc["plans"] for s in p["segments"]}
    # three maps (uncoordinated, programme, change), every segment of the programme on each
    assert len(re.findall(r'data-kind="segment" data-id="[^"]+"', html)) == 3 * len(used)
    assert {*re.findall(r'data-kind="segment" data-id="([^"]+)"', html)} == used
    assert html.count('data-kind="street"') == 3  # the store's streets as background, once per map
    # the openings drawn add up to the planner's own metric, for the programme and the baseline
    titles = re.findall(r"data-id=\"[^\"]+\"[^>]*><title>[^<]*: (\d+)× geopend", html)
    m = doc["metrics"]
    assert f"Programma / programme: {m['programme']['street_openings']:,}".replace(",", ".") in html
    assert f"Ongecoördineerd / uncoordinated: {m['uncoordinated']['street_openings']:,}".replace(",", ".") in html
    assert titles
    bundle_segs = set(re.findall(r'data-kind="bundle" data-id="([^"]+)"', html))
    plans = generated["plans"]
    expected = set()
    for start in ("start", "own_start"):  # the programme's map and the uncoordinated map
        starts = Counter(
            (s, _bucket(p[start], "quarter")) for p in doc["plans"] if plans[p["key"]].excavation for s in p["segments"]
        )
        expected |= {s for (s, _), n in starts.items() if n > 1}
    assert bundle_segs == expected
    _png(png, 1800, 700)


def test_bundle_map_needs_the_streets_of_the_programme(generated, tmp_path):
    empty = tmp_path / "empty.db"
    res = runner.invoke(app, ["bundles", str(generated["a"]), "--out", str(tmp_path / "b.html"), "--db", str(empty)])
    assert res.exit_code == 1 and "none of the" in res.output and "--db" in res.output


# ----------------------------------------------------------------------------- compare


def test_compare_two_scenarios(generated, artifacts):
    out = artifacts / "compare.html"
    a, b = generated["json"]
    res = runner.invoke(
        app,
        ["compare", str(generated["a"]), str(generated["b"]), "--label", "ruim", "--label", "krap", "--out", str(out)],
    )
    assert res.exit_code == 0, res.output
    html = out.read_text()
    _no_external_reference(html)
    for doc in (a, b):
        for name in ("programme", "uncoordinated", "greedy"):
            n = doc["metrics"][name]["street_openings"]
            assert f'<td class="num">{n:,}</td>'.replace(",", ".") in html
    pa = {p["key"]: (p["start"], p["end"]) for p in a["plans"]}
    moved = sum(1 for p in b["plans"] if pa[p["key"]] != (p["start"], p["end"]))
    assert f"{moved} van de {len(pa)} werken" in html
    assert "settings.max_shift_years" in html  # the one setting that differs
    assert html.count("settings.") == 1
    owners = {p["owner"] for p in a["plans"]}
    assert all(f"<td>{o}</td><td>ruim</td>" in html and f"<td>{o}</td><td>krap</td>" in html for o in owners)


def test_compare_needs_two_labels(generated, tmp_path):
    res = runner.invoke(
        app, ["compare", str(generated["a"]), str(generated["b"]), "--label", "x", "--out", str(tmp_path / "c.html")]
    )
    assert res.exit_code == 1 and "--label twice" in res.output


# ----------------------------------------------------------------------------- dossier


@pytest.fixture(scope="module")
def demo_programme(demo_store, tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "programme.json"
    result = plan_programme(demo_store.plans(), demo_store.streets(), Settings(**FAST))
    path.write_text(json.dumps(result.to_json(), default=str))
    return path


def _busiest_buurt(store) -> object:
    counts = Counter(p.area for p in store.plans())
    buurten = {a.code: a for a in store.areas(level="buurt")}
    code = max((c for c in counts if c in buurten), key=lambda c: (counts[c], c))
    return buurten[code]


def test_dossier_of_a_demo_buurt(demo_store, demo_programme, artifacts):
    ensure_command("chromium", "chromium")  # installs it, or skips (fails with CI=true)
    area = _busiest_buurt(demo_store)
    out, pdf = artifacts / "dossier.html", artifacts / "dossier.pdf"
    db = str(demo_store.engine.url)
    res = runner.invoke(
        app,
        ["dossier", "--area", area.code, "--programme", str(demo_programme), "--out", str(out), "--pdf", str(pdf)]
        + ["--db", db],
    )
    assert res.exit_code == 0, res.output
    html = out.read_text()
    _no_external_reference(html)

    # the area's plans, couplings and conflicts, computed here from the store
    plans = [p for p in demo_store.plans() if p.area == area.code or p.geometry.intersects(area.geometry)]
    keys = {p.key for p in plans}
    saved = demo_store.latest_analysis("plans")["result"]
    couplings = [c for c in saved["couplings"] if c["a"] in keys or c["b"] in keys]
    conflicts = [c for c in saved["conflicts"] if c["renewal"] in keys or c["plan"] in keys]
    assert plans and couplings and conflicts
    assert f"<b>{len(plans)}</b><span>plannen en projecten" in html
    assert f"<b>{len(couplings)}</b><span>koppelkansen" in html
    assert f"<b>{len(conflicts)}</b><span>graafrustconflicten" in html
    assert f"Gebiedsdossier {area.name}" in html
    # the maps hold the geometries: every plan, every coupling and conflict, the area itself
    assert set(re.findall(r'data-kind="plan" data-id="([^"]+)"', html)) == keys
    assert len(re.findall(r'data-kind="coupling"', html)) == len(couplings)
    assert len(re.findall(r'data-kind="conflict"', html)) == len(conflicts)
    assert 'data-kind="area"' in html and 'data-crs="EPSG:28992"' in html
    # all five categories, sources and dates
    for heading in ("Beleid", "Plannen", "Assets", "Omgeving", "Vitale systemen", "Kandidaatprojecten"):
        assert f". {heading} /" in html
    goals = [g for g in demo_store.policy_goals() if g.area == area.code]
    assert all(g.indicator in html for g in goals)
    assets = [a for a in demo_store.assets() if a.area == area.code or a.geometry.intersects(area.geometry)]
    assert f"<p>{len(assets)} assets" in html or f"<p>{len(assets):,} assets".replace(",", ".") in html
    assert "Bron: plannen (plannen.gpkg" in html and "stand " in html
    # the proposed programme restricted to the area: a Gantt bar for each of its plans in the area
    doc = json.loads(demo_programme.read_text())
    in_area = {p["key"] for p in doc["plans"] if p["key"] in keys}
    bars = set(re.findall(r'data-kind="bar" data-key="([^"]+)" data-bundle', html.split("9. Voorgesteld programma")[1]))
    assert in_area and in_area <= bars
    # the PDF: a real PDF with pages
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and b"%%EOF" in data[-1024:]
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 4, pages
    assert len(data) > 50_000


def test_dossier_unknown_area(demo_store, tmp_path):
    res = runner.invoke(
        app, ["dossier", "--area", "BU0000", "--out", str(tmp_path / "d.html"), "--db", str(demo_store.engine.url)]
    )
    assert res.exit_code == 1 and "no area 'BU0000'" in res.output and "BU0999" in res.output


def test_dossier_of_a_wijk_without_programme(demo_store, tmp_path):
    wijk = next(a for a in demo_store.areas(level="wijk") if any(b.parent == a.code for b in demo_store.areas()))
    out = tmp_path / "wijk.html"
    res = runner.invoke(app, ["dossier", "--area", wijk.code, "--out", str(out), "--db", str(demo_store.engine.url)])
    assert res.exit_code == 0, res.output
    html = out.read_text()
    buurten = [b for b in demo_store.areas(level="buurt") if b.parent == wijk.code]
    assert all(b.name in html for b in buurten)
    assert "Geen programma meegegeven" in html


def test_gantt_without_a_database(generated, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENRUIMTE_DATABASE_URL", raising=False)
    res = runner.invoke(app, ["gantt", str(generated["a"]), "--out", "g.html"])
    assert res.exit_code == 0, res.output
    assert not (tmp_path / "openruimte.db").exists()  # no database made on the way
    html = (tmp_path / "g.html").read_text()
    assert "Zonder database" in html and html.count('data-kind="bar"') == 150
    # without street names, plans that share street segments are grouped together
    groups = re.findall(r'data-kind="group">.*?font-weight="600">Straatvakken ([^<]+) \((\d+)\)</text>', html)
    assert groups and sum(int(n) for _, n in groups) == sum(1 for p in generated["json"][0]["plans"] if p["segments"])


def test_gantt_of_one_area(demo_store, demo_programme, tmp_path):
    area = _busiest_buurt(demo_store)
    out = tmp_path / "area.html"
    db = str(demo_store.engine.url)
    res = runner.invoke(app, ["gantt", str(demo_programme), "--out", str(out), "--area", area.code, "--db", db])
    assert res.exit_code == 0, res.output
    keys = {p.key for p in demo_store.plans() if p.area == area.code or p.geometry.intersects(area.geometry)}
    bars = set(re.findall(r'data-kind="bar" data-key="([^"]+)"', out.read_text()))
    doc = json.loads(demo_programme.read_text())
    assert keys & {p["key"] for p in doc["plans"]} <= bars
    streets = {s.id for s in demo_store.streets() if s.area == area.code or s.geometry.intersects(area.geometry)}
    assert all(k in keys or set(p["segments"]) & streets for p in doc["plans"] for k in [p["key"]] if k in bars)


def test_dossier_reads_the_store_on_both_engines(store):
    """collect() on SQLite and PostGIS: the area's plans, its couplings and conflicts, its assets."""
    from openruimte.analysis.pairs import Parameters
    from openruimte.model import StreetSegment
    from openruimte.reports import dossier
    from openruimte.services import analyse as analysing
    from tests.factories import X0, Y0, area, asset, line, plan

    here, far = area("BU09990001"), area("BU09990002", box=(X0 + 2000, Y0, X0 + 2600, Y0 + 600))
    plans = [
        plan(id="riool", start="2027-03-01", end="2027-09-30"),
        plan(id="kabel", owner="netbeheerder-noord", asset_types="elektriciteit", geometry=line(dy=4)),
        plan(
            id="asfalt",
            asset_types="weg",
            geometry=line(dy=1),
            excavation="nee",
            surface_renewal="ja",
            start="2026-01-01",
            end="2026-06-30",
        ),
        plan(id="ver", geometry=shapely_box_line(X0 + 2100, Y0 + 100)),
    ]
    with store.writer("test") as w:
        w.upsert("areas", [here, far])
        w.upsert("plans", plans)
        w.upsert("streets", [StreetSegment(id="s1", name="Kerkstraat", geometry=line(dx=-20, length=140))])
        w.upsert("assets", [asset(), asset(id="a2", geometry=line(dx=2100, dy=100))])
    saved = analysing.analyse_store(store, Parameters(), actor="test").to_json()
    d = dossier.collect(store, "BU09990001")
    keys = {"gemeente-voorbeeldstad:riool", "netbeheerder-noord:kabel", "gemeente-voorbeeldstad:asfalt"}
    assert {p.key for p in d.plans} == keys
    assert len(d.couplings) == len([c for c in saved["couplings"] if {c["a"], c["b"]} & keys]) > 0
    assert len(d.conflicts) == len([c for c in saved["conflicts"] if {c["renewal"], c["plan"]} & keys]) > 0
    assert [a.id for a in d.assets] == ["a1"] and [s.id for s in d.streets] == ["s1"]
    html = dossier.html(d)
    assert html.count('data-kind="plan"') == 3 and "Kerkstraat" in html
    other = dossier.collect(store, "BU09990002")
    assert [p.id for p in other.plans] == ["ver"] and not other.couplings and not other.conflicts


def shapely_box_line(x: float, y: float):
    import shapely

    return shapely.LineString([(x, y), (x + 100, y)])


def test_later_keys_are_read_when_present(generated, tmp_path):
    """A programme with weights and per-plan scores (added by the weighting framework) renders them."""
    from openruimte.reports import compare, gantt, parse_programme

    a, b = (json.loads(json.dumps(d)) for d in generated["json"])
    a["weights"], b["weights"] = (
        {"preset": "assetgericht", "urgentie": 0.5},
        {"preset": "opgavegericht", "urgentie": 0.2},
    )
    a["plans"][0]["score"] = 0.72
    a["plans"][0]["score_breakdown"] = {"urgentie": 0.4, "beleid": 0.32}
    pa, pb = parse_programme(a, "a.json"), parse_programme(b, "b.json")
    assert "score 0,72 (urgentie 0,40; beleid 0,32)" in gantt.svg(pa)
    html = compare.html(pa, pb)
    assert "weights.preset" in html and "assetgericht" in html and "weights.urgentie" in html
