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


def text(rng: np.random.Generator, n: int) -> str:
    return " ".join(rng.choice(WORDS, n))


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
    principal = Principal(org="org-1", role=Role.VIEWER, at_table=True, actor="bench")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'bench.db'}")
        t0 = time.perf_counter()
        build(store, args.plans, rng, console)
        console.print(
            f"{args.plans} plans, {args.plans // 5} threads (3 posts), {args.plans // 5} documents (400 words): "
            f"written and indexed in {time.perf_counter() - t0:.1f} s"
        )
        words = list(rng.choice(WORDS, args.queries))
        ours, scan = [], []
        for word in words:
            s1, found = timed(
                sql.search,
                store,
                principal,
                word,
            )
            s2, expected = timed(like_scan, store, principal, word)
            del found, expected  # the search caps at 50 results; equality checked below without the cap
            ours.append(s1)
            scan.append(s2)
        # the same records: ours without the cap against the scan, for a few words
        for word in words[:5]:
            full = {(r["kind"], r["key"]) for r in sql.search(store, principal, word, limit=10**9)}
            assert full == like_scan(store, principal, word), word
        store.close()
    table = Table(title=f"search, SQLite, {args.plans} plans, load average {os.getloadavg()[0]:.2f}")
    for col in ("engine", "p50 ms", "p95 ms", "ratio p50"):
        table.add_column(col)
    p50 = statistics.median(ours)
    for name, xs in (("ours: FTS5 + visibility in SQL", ours), ("LIKE '%word%' scan, same rule", scan)):
        q = sorted(xs)
        table.add_row(
            name,
            f"{statistics.median(q) * 1000:.1f}",
            f"{q[int(len(q) * 0.95) - 1] * 1000:.1f}",
            f"{statistics.median(q) / p50:.1f}x",
        )
    console.print(table)


if __name__ == "__main__":
    main()
