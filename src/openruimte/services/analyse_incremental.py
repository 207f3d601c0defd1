"""The plan analysis saved pair by pair and kept up to date on every write (issue 12).

- :func:`rebuild_pairs`: the full analysis into ``analysis_pairs`` (after
  ``openruimte analyse`` on the store, or when no pairs are saved yet);
- :func:`update_pairs`: inside a write's own transaction, the pairs that touch
  the changed plans are replaced by those of the plans as they are now, computed
  from their neighbours only (``analysis/incremental.py``): the plans whose box
  comes within the search distance, fetched through the spatial index;
- :func:`pairs_of_plan`, :func:`pairs_page`: reads of what is saved, a plan's
  pairs or a page of all, filtered by what the reader may see.

Every plan write calls :func:`update_pairs` through the store's change hooks
(:mod:`openruimte.services.hooks`): API, imports and the demo alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from openruimte.analysis.incremental import SavedPair, all_pairs, pairs_touching, reach_box
from openruimte.analysis.pairs import Parameters
from openruimte.services.analyse_columns import columns_from_connection
from openruimte.store import tables as t

#: a write that changes more plans than this rebuilds all pairs instead
MAX_INCREMENTAL = 500


def _params_text(params: Parameters) -> str:
    return json.dumps(params.as_dict(), sort_keys=True)


def saved_parameters(conn: sa.Connection) -> Parameters | None:
    """The parameters of the saved pairs, or None when none are saved."""
    row = conn.execute(sa.select(t.analysis_pairs.c.params).limit(1)).first()
    if row is None:
        return None
    return Parameters(**json.loads(row.params))


_INSERT = sa.text(
    'INSERT INTO analysis_pairs (kind, "first", "second", record, params) '
    "VALUES (:kind, :first, :second, :record, :params)"
)
_INSERT_PG = sa.text(
    'INSERT INTO analysis_pairs (kind, "first", "second", record, params) '
    "VALUES (:kind, :first, :second, CAST(:record AS JSON), :params)"
)


def _insert(conn: sa.Connection, pairs: Sequence[SavedPair], params: Parameters) -> None:
    """Rows in batches, each record encoded once with orjson (not per row by the ORM type)."""
    import orjson

    text = _params_text(params)
    stmt = _INSERT_PG if conn.dialect.name == "postgresql" else _INSERT
    rows = [
        {
            "kind": p.kind,
            "first": p.first,
            "second": p.second,
            "record": orjson.dumps(p.record).decode(),
            "params": text,
        }
        for p in pairs
    ]
    for lo in range(0, len(rows), 5_000):
        conn.execute(stmt, rows[lo : lo + 5_000])


def rebuild_pairs(conn: sa.Connection, params: Parameters) -> int:
    """Every pair of every plan, replacing what was saved (in the caller's transaction)."""
    conn.execute(sa.delete(t.analysis_pairs))
    pairs = all_pairs(columns_from_connection(conn), params)
    _insert(conn, pairs, params)
    return len(pairs)


def save_result(conn: sa.Connection, result: Any) -> int:
    """The pairs of a whole-store analysis (a ``records.ColumnAnalysis``), replacing what was saved."""
    from openruimte.analysis.incremental import CONFLICT, COUPLING

    conn.execute(sa.delete(t.analysis_pairs))
    n = 0
    for chunk in result.coupling_chunks():
        _insert(conn, [SavedPair(COUPLING, r["a"], r["b"], r) for r in chunk], result.parameters)
        n += len(chunk)
    for chunk in result.conflict_chunks():
        _insert(conn, [SavedPair(CONFLICT, r["renewal"], r["plan"], r) for r in chunk], result.parameters)
        n += len(chunk)
    return n


def save_records(conn: sa.Connection, couplings: Sequence[dict], conflicts: Sequence[dict], params: Parameters) -> int:
    """The pairs of a whole-store analysis given as records (``PlanAnalysis``), replacing what was saved."""
    from openruimte.analysis.incremental import CONFLICT, COUPLING

    conn.execute(sa.delete(t.analysis_pairs))
    pairs = [SavedPair(COUPLING, r["a"], r["b"], r) for r in couplings]
    pairs += [SavedPair(CONFLICT, r["renewal"], r["plan"], r) for r in conflicts]
    _insert(conn, pairs, params)
    return len(pairs)


def _key_clause(keys: Sequence[str]) -> Any:
    c = t.plans.c
    parts = [tuple(k.split(":", 1)) for k in keys]
    return sa.or_(*(sa.and_(c.owner == o, c.id == i) for o, i in parts))


def update_pairs(writer: Any, changed_keys: Iterable[str], params: Parameters | None = None) -> int | None:
    """Replace the saved pairs that touch ``changed_keys`` (plans written, created or
    deleted in ``writer``'s transaction) by the pairs of those plans as they are now.
    Uses the saved pairs' parameters (``params`` when none are saved yet: then all
    pairs are built). Returns the number of pairs written, None when nothing is
    saved and no ``params`` were given (no analysis to keep up to date)."""
    conn: sa.Connection = writer.conn
    keys = sorted(set(changed_keys))
    saved = saved_parameters(conn)
    if saved is None:
        if params is None:
            return None
        return rebuild_pairs(conn, params)
    if not keys:
        return 0
    if len(keys) > MAX_INCREMENTAL:
        return rebuild_pairs(conn, saved)
    p = t.analysis_pairs.c
    for lo in range(0, len(keys), 200):
        part = keys[lo : lo + 200]
        conn.execute(sa.delete(t.analysis_pairs).where(sa.or_(p.first.in_(part), p.second.in_(part))))
    changed = columns_from_connection(conn, where=[_key_clause(keys)])
    if not len(changed):  # all deleted
        return 0
    boxes = [reach_box([g], saved) for g in changed.geoms]
    near = sa.or_(*(writer.spatial.bbox_filter(t.plans, box) for box in boxes if box is not None))
    cols = columns_from_connection(conn, where=[sa.or_(near, _key_clause(keys))])
    pairs = pairs_touching(cols, keys, saved)
    _insert(conn, pairs, saved)
    return len(pairs)


# --------------------------------------------------------------------------- reads


def _records(rows: Iterable[Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {"couplings": [], "conflicts": []}
    for r in rows:
        out["couplings" if r.kind == "coupling" else "conflicts"].append(r.record)
    return out


def _visible_keys(conn: sa.Connection, keys: set[str], principal: Any) -> set[str]:
    """Which of these plan keys ``principal`` may see with their details (None: everything)."""
    if principal is None or getattr(principal, "system", False):
        return keys
    from openruimte.store.permissions import masked_for, may_see

    c = t.plans.c
    shown: set[str] = set()
    ordered = [tuple(k.split(":", 1)) for k in sorted(keys)]
    for lo in range(0, len(ordered), 1000):
        part = ordered[lo : lo + 1000]
        wanted = {f"{o}:{i}" for o, i in part}
        # owner IN and id IN: probes of the (owner, id) index (a row-value IN is scanned on SQLite)
        rows = conn.execute(
            sa.select(c.owner, c.id, c.visibility, c.sensitive).where(
                c.owner.in_(sorted({o for o, _ in part})), c.id.in_(sorted({i for _, i in part}))
            )
        ).all()
        for r in rows:
            if f"{r.owner}:{r.id}" not in wanted:
                continue
            if may_see(principal, r.owner, r.visibility) and not masked_for(principal, _Masked(r.owner, r.sensitive)):
                shown.add(f"{r.owner}:{r.id}")
    return shown


class _Masked:
    """What ``permissions.masked_for`` reads of a plan."""

    def __init__(self, owner: str, sensitive: bool) -> None:
        self.owner = owner
        self.sensitive = bool(sensitive)


def _filtered(conn: sa.Connection, rows: list[Any], principal: Any) -> dict[str, list[dict[str, Any]]]:
    keys = {r.first for r in rows} | {r.second for r in rows}
    shown = _visible_keys(conn, keys, principal)
    return _records(r for r in rows if r.first in shown and r.second in shown)


def pairs_of_plan(store: Any, key: str, principal: Any = None) -> dict[str, list[dict[str, Any]]]:
    """The saved couplings and conflicts of one plan, those the principal may see."""
    p = t.analysis_pairs.c
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(p.kind, p.first, p.second, p.record)
            .where(sa.or_(p.first == key, p.second == key))
            .order_by(p.kind, p.first, p.second)
        ).all()
        return _filtered(conn, rows, principal)


def plan_pairs_for_view(view: Any, key: str) -> dict[str, Any] | None:
    """A plan's saved couplings and conflicts as ``view`` may see them (pairs with a plan it
    may not see become ``undisclosed`` entries, as ``View.analysis`` makes them), from the
    plan's rows and its partners only; None when no pairs are saved."""
    p = t.analysis_pairs.c
    store = view.store
    with store.engine.connect() as conn:
        if conn.execute(sa.select(p.pk).limit(1)).first() is None:
            return None
    raw = pairs_of_plan(store, key)
    if view.principal.system:
        return {**raw, "undisclosed": []}
    involved = {key} | {c[f] for c in raw["couplings"] for f in ("a", "b")}
    involved |= {c[f] for c in raw["conflicts"] for f in ("renewal", "plan")}
    plans = {}
    for k in involved:
        found = store.plan_row(*k.split(":", 1))
        if found is not None:
            plans[k] = found[0]
    shown = view._plan_pairs({**raw, "unscheduled": []}, plans)
    return {
        "couplings": shown["couplings"],
        "conflicts": shown["conflicts"],
        "undisclosed": [u for u in shown["undisclosed"] if u["plan"] == key],
    }


def pairs_page(
    store: Any, principal: Any = None, *, after: int = 0, limit: int = 1000
) -> tuple[dict[str, Any], int | None]:
    """A page of the saved pairs (by row number, from ``after``), filtered for the
    principal; and where the next page starts (None at the end)."""
    p = t.analysis_pairs.c
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(p.pk, p.kind, p.first, p.second, p.record).where(p.pk > after).order_by(p.pk).limit(limit)
        ).all()
        page = _filtered(conn, rows, principal)
    return page, (rows[-1].pk if len(rows) == limit else None)


def saved_pairs(store: Any) -> list[SavedPair]:
    """Every saved pair, sorted (for checks and tests)."""
    p = t.analysis_pairs.c
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(p.kind, p.first, p.second, p.record)).all()
    return sorted(
        (SavedPair(r.kind, r.first, r.second, r.record) for r in rows), key=lambda x: (x.kind, x.first, x.second)
    )
