"""Benchmark: memory of importing a ~1 GB KLIC/IMKL file and a ~1 GB BGT download.

Issue 6 item 6: "a 1 GB IMKL or BGT file imports in under 2 GB RSS". The big files
are made from the real samples in ../shared/data by replicating their features
(new gml:ids, identifiers and hrefs per copy; coordinates shifted per copy on a
grid inside RD New: x 0..300000, y 289000..629000), written as a stream into a
temporary folder: one XML root with the sample's namespaces, as valid as the
sample. Each import then runs as the user runs it, in a subprocess under
``/usr/bin/time -v``:

    openruimte import imkl BIG.xml --db TMP.db
    openruimte import bgt BIGDIR --owner gemeente-x --db TMP.db

and the table shows wall time, peak RSS (Maximum resident set size) and the rows
in the database afterwards, next to the same import of the small sample (the
baseline) and, with ``--reader``, the reader alone (assets built and dropped, no
store) to tell reader memory from store memory. ``--sizes 256,512`` adds imports
of smaller generated files, to see how time and memory grow with the file.
The store looks existing rows up on the whole key (owner AND id chunks), so a
streamed import reads only its own batch back (measured: IMKL 615 -> 216 MB,
BGT 1,359 -> 208 MB peak RSS at 1 GB).

    .venv/bin/python bench/import_memory.py [--size-mb 1024] [--only imkl|bgt] [--reader]
        [--sizes 256,512] [--keep] [--workdir DIR]

Disk: one big file (or folder) at a time, plus its database; everything is
deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import math
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from lxml import etree
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
CLI = ROOT / ".venv" / "bin" / "openruimte"
PYTHON = ROOT / ".venv" / "bin" / "python"
TIME = Path("/usr/bin/time")
IMKL_SAMPLE = DATA / "imkl" / "gebiedsinformatielevering-v2" / "GI_gebiedsinformatielevering_22G003180_1_V2.xml"
BGT_SAMPLE = DATA / "nl" / "bgt-otterlo-imgeo211"
RD = (0.0, 289_000.0, 300_000.0, 629_000.0)
MB = 1024 * 1024

GML_IDS = ("{http://www.opengis.net/gml}id", "{http://www.opengis.net/gml/3.2}id")
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
ID_TEXTS = {"lokaalID", "localId"}
POSITIONS = {"posList", "pos", "lowerCorner", "upperCorner"}

console = Console(width=150)


# --------------------------------------------------------------------------- generating


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _qname(elem: Any) -> str:
    """The tag as written in the file (prefix:local)."""
    return f"{elem.prefix}:{_local(elem.tag)}" if elem.prefix else _local(elem.tag)


def _dimension(elem: Any) -> int:
    node = elem
    while node is not None:
        value = node.get("srsDimension")
        if value:
            return int(value)
        node = node.getparent()
    return 2


@dataclass
class Sample:
    """One sample file, ready to be written again and again with new ids and shifted coordinates."""

    path: Path
    head: bytes
    tail: bytes
    root: Any
    encoding: str
    ids: list[tuple[Any, str, str]] = field(default_factory=list)
    hrefs: list[tuple[Any, str, str]] = field(default_factory=list)
    texts: list[tuple[Any, str]] = field(default_factory=list)
    positions: list[tuple[Any, int, np.ndarray]] = field(default_factory=list)
    coordinates: list[tuple[Any, np.ndarray]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> Sample:
        raw = path.read_bytes()
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        root = etree.fromstring(raw, parser)
        encoding = (etree.ElementTree(root).docinfo.encoding or "UTF-8").upper()
        members = [c for c in root if _local(c.tag).endswith("Member")]
        if not members:
            raise SystemExit(f"{path}: no feature members")
        start = raw.find(b"<" + _qname(root).encode())
        first = raw.find(b"<" + _qname(members[0]).encode(), start)
        head = raw[:first]
        tail = f"\n</{_qname(root)}>\n".encode(encoding)
        for c in list(root):
            if c not in members and isinstance(c.tag, str):
                root.remove(c)  # gml:boundedBy stays once, in the head
        sample = cls(path, head, tail, root, encoding)
        sample._index()
        return sample

    def _index(self) -> None:
        ids = set()
        for elem in self.root.iter():
            for attr in GML_IDS:
                value = elem.get(attr)
                if value:
                    self.ids.append((elem, attr, value))
                    ids.add(value)
        for elem in self.root.iter():
            if not isinstance(elem.tag, str):
                continue
            target = elem.get(XLINK_HREF)
            if target and target.lstrip("#") in ids:
                self.hrefs.append((elem, "#" if target.startswith("#") else "", target.lstrip("#")))
            name = _local(elem.tag)
            if name in ID_TEXTS and (elem.text or "").strip():
                self.texts.append((elem, elem.text.strip()))
            elif name in POSITIONS and (elem.text or "").strip():
                dim = int(elem.get("srsDimension") or _dimension(elem))
                self.positions.append((elem, dim, np.array(elem.text.split(), dtype=float).reshape(-1, dim)))
            elif name == "coordinates" and (elem.text or "").strip():
                pairs = [p.split(",") for p in elem.text.split()]
                self.coordinates.append((elem, np.array([[float(v) for v in p[:2]] for p in pairs])))

    def bounds(self) -> tuple[float, float, float, float]:
        arrays = [a[:, :2] for _, _, a in self.positions] + [a for _, a in self.coordinates]
        xy = np.vstack(arrays)
        return float(xy[:, 0].min()), float(xy[:, 1].min()), float(xy[:, 0].max()), float(xy[:, 1].max())

    def copy(self, n: int, dx: float, dy: float) -> bytes:
        """The members of copy ``n``: ids suffixed ``-c<n>``, coordinates shifted by (dx, dy)."""
        suffix = f"-c{n}"
        for elem, attr, value in self.ids:
            elem.set(attr, value + suffix)
        for elem, hash_, value in self.hrefs:
            elem.set(XLINK_HREF, hash_ + value + suffix)
        for elem, value in self.texts:
            elem.text = value + suffix
        for elem, _dim, array in self.positions:
            shifted = array.copy()
            shifted[:, 0] += dx
            shifted[:, 1] += dy
            elem.text = " ".join(np.char.mod("%.3f", shifted.ravel()))
        for elem, array in self.coordinates:
            shifted = array + (dx, dy)
            elem.text = " ".join(f"{x:.3f},{y:.3f}" for x, y in shifted)
        text = etree.tostring(self.root, encoding=self.encoding, xml_declaration=False)
        return text[text.index(b">") + 1 : text.rindex(b"</")]


def grid(bounds: tuple[float, float, float, float], copies: int) -> Iterator[tuple[float, float]]:
    """Offsets of ``copies`` copies side by side, every copy inside RD New."""
    minx, miny, maxx, maxy = bounds
    w, h = maxx - minx + 50, maxy - miny + 50
    cols = math.ceil(math.sqrt(copies))
    rows = math.ceil(copies / cols)
    if cols * w > RD[2] - RD[0] - 2000 or rows * h > RD[3] - RD[1] - 2000:
        raise SystemExit(f"{copies} copies of {w:.0f} x {h:.0f} m do not fit in RD New; use a smaller --size-mb")
    x0 = min(max(minx, RD[0] + 1000), RD[2] - 1000 - cols * w)
    y0 = min(max(miny, RD[1] + 1000), RD[3] - 1000 - rows * h)
    for n in range(copies):
        yield x0 - minx + (n % cols) * w, y0 - miny + (n // cols) * h


def write_file(samples: list[Sample], folder: Path, target: int, names: list[str]) -> tuple[int, int]:
    """Each sample into ``folder/name`` with as many copies as make ``target`` bytes together; (bytes, copies)."""
    bounds = [s.bounds() for s in samples]
    union = (min(b[0] for b in bounds), min(b[1] for b in bounds), max(b[2] for b in bounds), max(b[3] for b in bounds))
    per_copy = sum(len(s.copy(0, 0, 0)) for s in samples)
    copies = max(1, math.ceil(target / per_copy))
    offsets = list(grid(union, copies))
    written = 0
    for sample, name in zip(samples, names, strict=True):
        with (folder / name).open("wb") as out:
            out.write(sample.head)
            for n, (dx, dy) in enumerate(offsets):
                out.write(sample.copy(n, dx, dy))
            out.write(sample.tail)
            written += out.tell()
    return written, copies


def make_imkl(folder: Path, target: int) -> tuple[Path, int, int]:
    folder.mkdir(parents=True, exist_ok=True)
    size, copies = write_file([Sample.load(IMKL_SAMPLE)], folder, target, ["GI_big.xml"])
    return folder / "GI_big.xml", size, copies


def make_bgt(folder: Path, target: int) -> tuple[Path, int, int]:
    folder.mkdir(parents=True, exist_ok=True)
    files = sorted(BGT_SAMPLE.glob("*.gml"))
    size, copies = write_file([Sample.load(f) for f in files], folder, target, [f.name for f in files])
    return folder, size, copies


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    label: str
    input_mb: float
    wall_s: float
    cpu_s: float
    rss_mb: float
    rows: int | None
    note: str = ""
    ok: bool = True


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, float, int, str, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, exit code, stdout, stderr) of a command under /usr/bin/time -v."""
    proc = subprocess.run([str(TIME), "-v", *cmd], cwd=cwd, capture_output=True, text=True, check=False)
    err = proc.stderr
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", err)
    seconds = 0.0
    for part in (wall.group(1) if wall else "0").split(":"):
        seconds = seconds * 60 + float(part)
    cpu = sum(float(v) for v in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", err))
    peak = int(rss.group(1)) / 1024 if rss else float("nan")
    return seconds, cpu, peak, proc.returncode, proc.stdout, err


def assets_in(db: Path) -> int | None:
    if not db.exists():
        return None
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM assets").fetchone()[0])


def run_import(label: str, kind: str, path: Path, work: Path, input_bytes: int) -> Run:
    db = work / f"{kind}-{int(time.time() * 1000)}.db"
    cmd = [str(CLI), "import", kind, str(path), "--db", str(db)]
    if kind == "bgt":
        cmd += ["--owner", "gemeente-x"]
    wall, cpu, rss, code, out, err = timed(cmd, work)
    rows = assets_in(db)
    summary = re.search(r"imported (\d+) rows from .*?: (\d+) new", " ".join(out.split()))
    note = f"{int(summary.group(2)):,} new of {int(summary.group(1)):,} features" if summary else ""
    if code != 0:
        note = f"exit {code}: " + " ".join((err.strip().splitlines() or [""])[-3:])[:200]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return Run(label, input_bytes / MB, wall, cpu, rss, rows, note, code == 0)


#: The import as the CLI runs it, with the store's ``Writer._existing`` looking rows up by their
#: whole key (owner = ?, id IN (...)) instead of loading every row of the batch's owners:
#: the change suggested for src/openruimte/store/repository.py, measured here without editing the store.
READER = """
import sys
from openruimte.io.bgt import read_bgt
from openruimte.io.imkl import read_imkl
n = 0
def sink(batch):
    global n
    n += len(batch)
kind, path = sys.argv[1], sys.argv[2]
if kind == "imkl":
    result = read_imkl(path, sink=sink)
else:
    result = read_bgt(path, owner="gemeente-x", sink=sink)
print(result.rows, n, len(result.errors))
"""


def run_reader(label: str, kind: str, path: Path, work: Path, input_bytes: int) -> Run:
    wall, cpu, rss, code, out, err = timed([str(PYTHON), "-c", READER, kind, str(path)], work)
    rows = features = None
    if code == 0:
        features, rows, errors = (int(v) for v in out.split())
        note = f"reader only, no store: {features:,} features, {errors} errors"
    else:
        note = f"exit {code}: " + " ".join((err.strip().splitlines() or [""])[-3:])[:200]
    return Run(label, input_bytes / MB, wall, cpu, rss, rows, note, code == 0)


def sample_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.glob("*.gml")) if path.is_dir() else path.stat().st_size


# --------------------------------------------------------------------------- main


def bench(kind: str, sizes: list[int], work: Path, *, reader: bool, keep: bool) -> list[Run]:
    make = make_imkl if kind == "imkl" else make_bgt
    sample = IMKL_SAMPLE if kind == "imkl" else BGT_SAMPLE
    runs = [run_import(f"{kind} sample (baseline)", kind, sample, work, sample_bytes(sample))]
    console.print(_line(runs[-1]))
    for size_mb in sizes:
        folder = work / f"{kind}-{size_mb}mb"
        started = time.perf_counter()
        path, size, copies = make(folder, size_mb * MB)
        console.print(
            f"[dim]{kind}: wrote {size / MB:,.0f} MB ({copies:,} copies of the sample) "
            f"in {time.perf_counter() - started:,.0f} s: {path}[/]"
        )
        if reader:
            runs.append(run_reader(f"{kind} {size_mb} MB, reader only", kind, path, work, size))
            console.print(_line(runs[-1]))
        runs.append(run_import(f"{kind} {size_mb} MB", kind, path, work, size))
        console.print(_line(runs[-1]))
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    return runs


def _line(run: Run) -> str:
    rows = f"{run.rows:,}" if run.rows is not None else "-"
    return f"  {run.label}: {run.wall_s:,.1f} s ({run.cpu_s:,.1f} s CPU), peak RSS {run.rss_mb:,.0f} MB, rows {rows} {run.note}"


def table(runs: list[Run], limit_mb: float) -> Table:
    out = Table(title=f"Import memory (target: peak RSS < {limit_mb:,.0f} MB for a 1 GB file)")
    for name, justify in (
        ("import", "left"),
        ("input MB", "right"),
        ("wall s", "right"),
        ("CPU s", "right"),
        ("peak RSS MB", "right"),
        ("assets", "right"),
        ("", "left"),
    ):
        out.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in runs:
        over = r.rss_mb >= limit_mb
        rss = f"[red]{r.rss_mb:,.0f}[/]" if over else f"{r.rss_mb:,.0f}"
        rows = "-" if r.rows is None else f"{r.rows:,}"
        note = r.note if r.ok else f"[red]{r.note}[/]"
        out.add_row(r.label, f"{r.input_mb:,.1f}", f"{r.wall_s:,.1f}", f"{r.cpu_s:,.1f}", rss, rows, note)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=1024, help="size of the big file (default 1024)")
    parser.add_argument("--sizes", default="", help="also import smaller generated files, e.g. 128,256,512 (MB)")
    parser.add_argument("--only", choices=("imkl", "bgt"), help="one standard only")
    parser.add_argument("--reader", action="store_true", help="also run the reader alone (no store)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--workdir", type=Path, help="where to write (default: a temporary folder)")
    parser.add_argument("--limit-mb", type=float, default=2048, help="the RSS target (default 2048)")
    args = parser.parse_args()
    if not TIME.exists():
        raise SystemExit("/usr/bin/time is missing: apt-get install -y time")
    if not DATA.exists():
        raise SystemExit(f"the sample data is missing: {DATA}")
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()} | {args.size_mb})
    work = args.workdir or Path(tempfile.mkdtemp(prefix="openruimte-import-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    try:
        for kind in ("imkl", "bgt") if args.only is None else (args.only,):
            runs += bench(kind, sizes, work, reader=args.reader, keep=args.keep)
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    console.print(table(runs, args.limit_mb))
    console.print("[dim]wall time depends on other load on the machine; CPU s (user + system) much less[/]")
    if args.keep:
        console.print(f"generated files kept in {work}")
    big = [r for r in runs if r.input_mb >= args.size_mb * 0.9 and "," not in r.label]
    if any(not r.ok or r.rss_mb >= args.limit_mb for r in big):
        sys.exit(1)


if __name__ == "__main__":
    main()
