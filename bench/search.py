"""Benchmark: full-text search over plans, discussions and document text.

Ours (``/api/search``'s query: SQLite FTS5 kept by triggers, with the visibility
rule in the SQL) against what an analyst would do without an index: a
``LIKE '%word%'`` scan of the same tables with the same visibility rule, and
Python's ``in`` over the rows read into memory. All must find the same records.
Prints p50/p95 per query, the ratios and the load average (the machine is shared).

    .venv/bin/python bench/search.py [--plans 10000] [--queries 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely
import sqlalchemy as sa
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openruimte.model import Plan  # noqa: E402
from openruimte.model.access import Principal, Role  # noqa: E402
from openruimte.store import Store  # noqa: E402
from openruimte.store import collab as sql  # noqa: E402
from openruimte.store import tables as t  # noqa: E402

WORDS = (
    "riool vervanging kerkstraat glasvezel warmtenet herinrichting fietspad bomen sleuf bestrating "
    "kabel leiding omleiding bewoners gemaal drinkwater wijkcentrale laadpaal trottoir kruispunt "
    "parkeren groen speelplaats brug kade duiker hemelwater afkoppelen trace zinker mantelbuis"
).split()
ORGS = [f"org-{i}" for i in range(10)]
SYLLABLES = "ka ver bo del gra pen lin stra wa ter mo len rij ke sluis dijk hout berg veld weg".split()


def vocabulary(rng: np.random.Generator, size: int = 20_000) -> list[str]:
    """The domain words first (the most frequent), then made-up Dutch-sounding words (Zipf's tail)."""
    words = list(WORDS)
    seen = set(words)
    while len(words) < size:
        w = "".join(rng.choice(SYLLABLES, int(rng.integers(2, 5))))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


VOCAB: list[str] = []
#: word frequencies of natural text: rank r has weight 1/r (Zipf)
WEIGHTS: np.ndarray = np.array([])


def text(rng: np.random.Generator, n: int) -> str:
    return " ".join(VOCAB[i] for i in rng.choice(len(VOCAB), n, p=WEIGHTS))


def build(store: Store, n_plans: int, rng: np.random.Generator, console: Console) -> None:
    plans = []
    for i in range(n_plans):
        x, y = 150_000 + float(rng.uniform(0, 10_000)), 460_000 + float(rng.uniform(0, 10_000))
        plans.append(
            Plan.from_record(
                {
                    "id": f"p{i}",
                    "name": f"Plan {i} {text(rng, 3)}",
                    "owner": ORGS[i % len(ORGS)],
                    "phase": "ontwerp",
                    "hardness": "voorgenomen",
                    "asset_types": "weg",
                    "programme": text(rng, 4),
                    "visibility": ("private", "shared", "public")[i % 3],
                    "sensitive": i % 7 == 0,
                    "geometry": shapely.LineString([(x, y), (x + 50, y)]),
                }
            )
        )
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("plannen, discussies, documenten", total=n_plans)
        with store.writer("bench") as w:
            w.upsert("plans", plans)
            progress.advance(task, n_plans // 2)
            threads, posts, docs = [], [], []
            for i in range(0, n_plans, 5):
                owner = ORGS[i % len(ORGS)]
                base = {"subject_kind": "plan", "subject_key": f"{owner}:p{i}", "plan_owner": owner, "plan_id": f"p{i}"}
                threads.append(
                    {
                        **base,
                        "title": text(rng, 4),
                        "author_org": owner,
                        "actor": "bench",
                        "status": "open",
                        "created_at": w.now,
                        "updated_at": w.now,
                    }
                )
                docs.append(
                    {
                        **base,
                        "title": f"nota-{i}.pdf",
                        "owner_org": owner,
                        "current_version": 1,
                        "text": text(rng, 400),
                        "created_at": w.now,
                        "updated_at": w.now,
                    }
                )
            pks = [
                r[0]
                for r in w.conn.execute(
                    sa.insert(t.threads).returning(t.threads.c.pk, sort_by_parameter_order=True), threads
                )
            ]
            for pk in pks:
                for _ in range(3):
                    posts.append(
                        {
                            "thread_pk": pk,
                            "body": text(rng, 40),
                            "author_org": "org-0",
                            "actor": "bench",
                            "created_at": w.now,
                        }
                    )
            w.conn.execute(sa.insert(t.posts), posts)
            w.conn.execute(sa.insert(t.documents), docs)
            progress.advance(task, n_plans - n_plans // 2)


def like_scan(store: Store, principal: Principal, word: str) -> set[tuple[str, str]]:
    """The same search without the index: LIKE over every text column, the same visibility rule."""
    p, th, po, d = t.plans, t.threads, t.posts, t.documents
    pat = f"%{word}%"
    out: set[tuple[str, str]] = set()
    with store.engine.connect() as conn:
        q = sa.select(p.c.owner, p.c.id).where(
            sa.or_(
                p.c.name.ilike(pat),
                p.c.programme.ilike(pat),
                p.c.area.ilike(pat),
                p.c.id.ilike(pat),
                p.c.owner.ilike(pat),
            ),
            sql.plan_disclosed(principal, p.c.owner, p.c.id),
        )
        out |= {("plan", f"{o}:{i}") for o, i in conn.execute(q)}
        vis = sql.subject_visible(principal, th, th.c.author_org)
        q = sa.select(th.c.pk).where(sa.or_(th.c.title.ilike(pat), th.c.conclusion.ilike(pat)), vis)
        out |= {("thread", str(r[0])) for r in conn.execute(q)}
        q = sa.select(th.c.pk).where(th.c.pk == po.c.thread_pk, po.c.body.ilike(pat), vis)
        out |= {("thread", str(r[0])) for r in conn.execute(q)}
        q = sa.select(d.c.pk).where(
            sa.or_(d.c.title.ilike(pat), d.c.text.ilike(pat)), sql.subject_visible(principal, d, d.c.owner_org)
        )
        out |= {("document", str(r[0])) for r in conn.execute(q)}
    return out


def timed(fn, *args) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t0, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plans", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=50)
    args = ap.parse_args()
    console = Console()
    rng = np.random.default_rng(2026)
    global VOCAB, WEIGHTS
    VOCAB = vocabulary(rng)
    WEIGHTS = 1 / np.arange(1, len(VOCAB) + 1)
    WEIGHTS /= WEIGHTS.sum()
    principal = Principal(org="org-1", role=Role.VIEWER, at_table=True, actor="bench")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'bench.db'}")
        t0 = time.perf_counter()
        build(store, args.plans, rng, console)
        console.print(
            f"{args.plans} plans, {args.plans // 5} threads (3 posts), {args.plans // 5} documents (400 words): "
            f"written and indexed in {time.perf_counter() - t0:.1f} s"
        )
        half = max(1, args.queries // 2)
        groups = {
            "common words (rank 1-30)": [VOCAB[i] for i in rng.integers(0, 30, half)],
            "rarer words (rank 500-5000)": [VOCAB[i] for i in rng.integers(500, 5000, half)],
        }
        timings = {}
        for group, words in groups.items():
            ours, scan = [], []
            for word in words:
                ours.append(timed(sql.search, store, principal, word)[0])
                scan.append(timed(like_scan, store, principal, word)[0])
            timings[group] = (ours, scan)
            # every record ours finds (without the 50-result cap) the scan finds too (LIKE also
            # matches inside longer words, so it may find more)
            for word in words[:3]:
                full = {(r["kind"], r["key"]) for r in sql.search(store, principal, word, limit=10**9)}
                assert full and full <= like_scan(store, principal, word), word
        store.close()
    table = Table(title=f"search, SQLite, {args.plans} plans, load average {os.getloadavg()[0]:.2f}")
    for col in ("queries", "engine", "p50 ms", "p95 ms", "scan / ours (p50)"):
        table.add_column(col)
    for group, (ours, scan) in timings.items():
        p50 = statistics.median(ours)
        for name, xs in (("ours: FTS5 + visibility in SQL", ours), ("LIKE '%word%' scan, same rule", scan)):
            q = sorted(xs)
            p95 = q[max(0, int(len(q) * 0.95) - 1)]
            ratio = f"{statistics.median(q) / p50:.1f}x"
            table.add_row(group, name, f"{statistics.median(q) * 1000:.1f}", f"{p95 * 1000:.1f}", ratio)
    console.print(table)


if __name__ == "__main__":
    main()
