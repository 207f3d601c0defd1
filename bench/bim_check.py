"""Benchmark: ``openruimte bim check`` against running ``ifctester`` alone, on large IFC models.

Generates (once, cached in ``--workdir``) IFC4 models of about 50 and 200 MB with
``bench/_ifcgen.py`` (rooms of walls, slabs, columns, doors, windows and spaces with property
sets, materials and NL-SfB references, so that the requirements have something to check);
``--models place`` uses the models of ``bench/bim_place.py`` instead (the same files the
placing benchmark times, cached in ``bench/.cache``; they carry no property sets), then times each tool in a fresh process under GNU time (wall clock
and peak RSS), with two sets of requirements:

- ``ils``: the built-in BIM basis ILS (ours also runs its two Python-only checks: model
  near its origin and storey order; ifctester gets the same IDS file without them);
- ``rotterdam``: ``IDS Rotterdam BIM.ids`` from ../shared/data (ours reads its pre-1.0
  habits with warnings; ifctester reads it as it is).

Both write a JSON report. Ratios are ours / ifctester (below 1: ours is faster or smaller).

    .venv/bin/python bench/bim_check.py                       # 50 and 200 MB
    .venv/bin/python bench/bim_check.py --sizes 10 --repeat 1 --report figures.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from _ifcgen import generate  # noqa: E402

PY = Path(sys.executable)
OURS = PY.with_name("openruimte")
ILS = ROOT / "src" / "openruimte" / "bim" / "data" / "ils-basis.ids"
ROTTERDAM = ROOT.parent / "shared" / "data" / "ids" / "nl" / "IDS Rotterdam BIM.ids"


def _timed(cmd: list[str], timeout: float) -> dict[str, object]:
    """Wall clock (s) and peak RSS (MB) of ``cmd`` under GNU time; the exit code too."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            ["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"status": "timed out", "wall_s": timeout}
    wall = time.perf_counter() - started
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return {
        "status": "ok" if done.returncode in (0, 1) else f"exit {done.returncode}",
        "exit": done.returncode,
        "wall_s": round(wall, 2),
        "rss_mb": round(int(rss.group(1)) / 1024, 1) if rss else None,
        "stderr_tail": done.stderr.strip().splitlines()[-25:-23] if done.returncode not in (0, 1) else [],
    }


def _load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def _model(mb: float, workdir: Path, models: str) -> Path:
    if models == "place":
        import bim_place

        return bim_place.model(mb)
    model = workdir / f"model-{mb:g}mb.ifc"
    if not model.is_file():
        print(f"generating {model} ...", flush=True)
        t = time.perf_counter()
        generate(model, mb)
        print(f"  {model.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t:.0f} s", flush=True)
    return model


def run(
    sizes: list[float],
    workdir: Path,
    repeat: int,
    timeout: float,
    models: str = "ids",
    wanted: tuple[str, ...] = ("ils", "rotterdam"),
) -> list[dict[str, object]]:
    workdir.mkdir(parents=True, exist_ok=True)
    sets = {"ils": (["--builtin", "ils"], ILS)}
    if ROTTERDAM.is_file():
        sets["rotterdam"] = (["--ids", str(ROTTERDAM)], ROTTERDAM)
    sets = {k: v for k, v in sets.items() if k in wanted}
    figures = []
    for mb in sizes:
        model = _model(mb, workdir, models)
        size_mb = round(model.stat().st_size / 1e6, 1)
        for name, (our_args, ids_file) in sets.items():
            out_ours, out_theirs = workdir / f"ours-{name}.json", workdir / f"ifctester-{name}.json"
            ours_cmd = [str(OURS), "bim", "check", str(model), *our_args, "--json", str(out_ours)]
            theirs_cmd = [str(PY), "-m", "ifctester", str(ids_file), str(model), "-r", "Json", "-o", str(out_theirs)]
            best: dict[str, dict[str, object]] = {}
            for _ in range(repeat):
                for tool, cmd in (("ours", ours_cmd), ("ifctester", theirs_cmd)):
                    load = _load()
                    result = _timed(cmd, timeout)
                    result["load"] = load
                    if tool not in best or (result["status"] == "ok" and result["wall_s"] < best[tool]["wall_s"]):
                        best[tool] = result
            row = {"size_mb": size_mb, "models": models, "requirements": name, **{k: v for k, v in best.items()}}
            o, t = best["ours"], best["ifctester"]
            if o["status"] == "ok" and t["status"] == "ok":
                row["time_ratio"] = round(o["wall_s"] / t["wall_s"], 2)
                row["rss_ratio"] = round(o["rss_mb"] / t["rss_mb"], 2) if o["rss_mb"] and t["rss_mb"] else None
            figures.append(row)
            print(
                f"{size_mb:7.1f} MB {models:5s} {name:10s} ours {o['wall_s']:8.1f} s {o.get('rss_mb')} MB [{o['status']}] | "
                f"ifctester {t['wall_s']:8.1f} s {t.get('rss_mb')} MB [{t['status']}] | "
                f"ratio time {row.get('time_ratio')} rss {row.get('rss_ratio')} | load {o['load']} / {t['load']}",
                flush=True,
            )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,200", help="model sizes in MB, default 50,200")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool; the fastest counts")
    parser.add_argument("--timeout", type=float, default=3600.0, help="per run, seconds")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/openruimte-bench-bim"), help="models and reports")
    parser.add_argument("--report", type=Path, help="write the figures as JSON")
    parser.add_argument("--sets", default="ils,rotterdam", help="requirement sets: ils, rotterdam (default both)")
    parser.add_argument(
        "--models", choices=("ids", "place"), default="ids", help="bench/_ifcgen.py (default) or bench/bim_place.py"
    )
    args = parser.parse_args()
    sizes = [float(s) for s in args.sizes.split(",") if s.strip()]
    print(f"load average at start: {_load()} ({os.cpu_count()} cores)")
    wanted = tuple(x.strip() for x in args.sets.split(",") if x.strip())
    figures = run(sizes, args.workdir, args.repeat, args.timeout, args.models, wanted)
    if args.report:
        args.report.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
