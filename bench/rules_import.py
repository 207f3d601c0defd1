"""Benchmark: reading and importing an IMRO2012 plan (issue 15) against GDAL's GML driver.

A big plan is made from Geonovum's Durperveld example (../shared/data/omgevingsplan/imro2012/
2012_10.gml) by repeating its feature members ``--copies`` times, each copy with new gml:ids
and hrefs and its coordinates shifted 2 km per copy on a grid west and south (still inside RD New), written as one
FeatureCollectionIMRO. Then, each in a subprocess under GNU time (wall, CPU, peak RSS):

- ours, reader only: ``read_imro`` (every rule built, arcs densified, nothing stored);
- ours, the command: ``openruimte import rules BIG.gml --db TMP.db`` (read + one transaction);
- what a GIS analyst would use: ``ogr2ogr -f GPKG out.gpkg BIG.gml`` (GDAL's GML driver, every
  feature type to a GeoPackage layer; it does not split Maatvoering values into rules).

    .venv/bin/python bench/rules_import.py [--copies 40] [--keep] [--workdir DIR]

Prints a table with the ratio to ogr2ogr; note ``uptime`` (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT.parent / "shared" / "data" / "omgevingsplan" / "imro2012" / "2012_10.gml"
PYTHON = sys.executable
PLAN = "NL.IMRO.0999.BP2012000001-0005"
_ID = re.compile(r'(gml:id="|xlink:href="#)([^"]+)"')
_POS = re.compile(r"(<gml:(?:posList|pos)[^>]*>)([^<]+)(<)")


def make_plan(copies: int, out: Path) -> int:
    text = SAMPLE.read_text(encoding="utf-8")
    head_end = text.index("<imro:featureMember>")
    tail_start = text.rindex("</imro:featureMember>") + len("</imro:featureMember>")
    head, body, tail = text[:head_end], text[head_end:tail_start], text[tail_start:]
    with out.open("w", encoding="utf-8") as fh:
        fh.write(head)
        for i in range(copies):
            dx, dy = -2000.0 * (i % 50), -2000.0 * (i // 50)  # a grid west and south of Durperveld
            copy = _ID.sub(lambda m, i=i: f'{m.group(1)}{m.group(2)}-c{i}"', body) if i else body
            if i:  # one plan: the copies' objects are of the same Bestemmingsplangebied
                copy = copy.replace(f"{PLAN}-c{i}", PLAN)
                copy = re.sub(r"<imro:featureMember>\s*<imro:(?:Bestemmingsplangebied|MetadataIMRObestand).*?"
                              r"</imro:featureMember>", "", copy, flags=re.S)  # fmt: skip
                copy = _POS.sub(lambda m, dx=dx, dy=dy: m.group(1) + _shift(m.group(2), dx, dy) + m.group(3), copy)
            fh.write(copy)
        fh.write(tail)
    return out.stat().st_size


def _shift(text: str, dx: float, dy: float) -> str:
    values = text.split()
    return " ".join(f"{float(v) + (dx if k % 2 == 0 else dy):.3f}" for k, v in enumerate(values))


def timed(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    time_bin = shutil.which("time") or "/usr/bin/time"
    proc = subprocess.run([time_bin, "-v", *cmd], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    stats = {}
    for line in proc.stderr.splitlines():
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            parts = line.rsplit(" ", 1)[1].split(":")
            stats["wall"] = sum(float(p) * 60**k for k, p in enumerate(reversed(parts)))
        elif line.startswith("User time"):
            stats["user"] = float(line.rsplit(" ", 1)[1])
        elif line.startswith("System time"):
            stats["sys"] = float(line.rsplit(" ", 1)[1])
        elif line.startswith("Maximum resident set size"):
            stats["rss_mb"] = int(line.rsplit(" ", 1)[1]) / 1024
    stats["cpu"] = stats.get("user", 0) + stats.get("sys", 0)
    stats["out"] = proc.stdout
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    if not SAMPLE.exists():
        raise SystemExit(f"{SAMPLE} is absent")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="openruimte-bench-rules-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        big = work / "plan.gml"
        size = make_plan(args.copies, big)
        print(f"load average before: {os.getloadavg()}")
        print(f"{big}: {args.copies} copies of Durperveld, {size / 1e6:.1f} MB")
        reader = timed(
            [PYTHON, "-c", f"from openruimte.io.imro import read_imro; print(len(read_imro({str(big)!r}).rules))"]
        )
        db = work / "rules.db"
        db.unlink(missing_ok=True)
        command = timed([str(Path(PYTHON).with_name("openruimte")), "import", "rules", str(big), "--db",
                         f"sqlite:///{db}"])  # fmt: skip
        gpkg = work / "ogr.gpkg"
        gpkg.unlink(missing_ok=True)
        gdal = timed(["ogr2ogr", "-f", "GPKG", str(gpkg), str(big)])
        print(f"load average after: {os.getloadavg()}")
        rows = [
            ("ours: read_imro (reader only)", reader, f"{reader['out'].strip()} rules"),
            ("ours: openruimte import rules (SQLite)", command, ""),
            ("GDAL: ogr2ogr -f GPKG (GML driver)", gdal, ""),
        ]
        print(
            "\n| run | wall s | CPU s | peak MB | wall / ogr2ogr | CPU / ogr2ogr | |\n|---|---:|---:|---:|---:|---:|---|"
        )
        for name, st, note in rows:
            print(
                f"| {name} | {st['wall']:.2f} | {st['cpu']:.2f} | {st['rss_mb']:.0f} | "
                f"{st['wall'] / gdal['wall']:.2f} | {st['cpu'] / max(gdal['cpu'], 0.01):.2f} | {note} |"
            )
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
