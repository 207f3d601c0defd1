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


#: the definition the saved records follow, saved with the parameters: 2 since the shared
#: length became the exact round zone (issue 12, third round; 1, unwritten: GEOS' coarse
#: buffer). Pairs saved under another definition are all rebuilt on the next write, so
#: the saved pairs stay equal to a full re-analysis.
DEFINITION = 2


def _params_text(params: Parameters) -> str:
    return json.dumps({**params.as_dict(), "definition": DEFINITION}, sort_keys=True)


def saved_parameters(conn: sa.Connection) -> Parameters | None:
    """The parameters of the saved pairs, or None when none are saved."""
    saved = _saved(conn)
    return None if saved is None else saved[0]


def _saved(conn: sa.Connection) -> tuple[Parameters, bool] | None:
    """(the parameters of the saved pairs, whether they follow this :data:`DEFINITION`), or None."""
    row = conn.execute(sa.select(t.analysis_pairs.c.params).limit(1)).first()
    if row is None:
        return None
    data = json.loads(row.params)
    version = data.pop("definition", 1)
    return Parameters(**data), version == DEFINITION


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
    found = _saved(conn)
    if found is None:
        if params is None:
            return None
        return rebuild_pairs(conn, params)
    saved, current = found
    if not current:  # saved under an earlier definition of the records
        return rebuild_pairs(conn, saved)
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


def _key_parts(conn: sa.Connection, key: Any) -> tuple[Any, Any]:
    """SQL for the owner and the id of a plan key ``owner:id`` (neither contains ':')."""
    colon = sa.func.strpos(key, ":") if conn.dialect.name == "postgresql" else sa.func.instr(key, ":")
    return sa.func.substr(key, 1, colon - 1), sa.func.substr(key, colon + 1)


def _with_plans(conn: sa.Connection, pairs: Any) -> Any:
    """``pairs`` (a subquery of saved pairs) with the owner, visibility and sensitivity of
    both plans, joined through the plans' (owner, id) index: one query, an index probe per
    plan (``owner IN (...) AND id IN (...)`` over a page's keys made PostgreSQL scan the
    whole plans table, ~250 ms at 100k plans)."""
    first, second = t.plans.alias("first_plan"), t.plans.alias("second_plan")
    fo, fi = _key_parts(conn, pairs.c.first)
    so, si = _key_parts(conn, pairs.c.second)
    return sa.select(
        pairs,
        first.c.owner.label("first_owner"),
        first.c.visibility.label("first_visibility"),
        first.c.sensitive.label("first_sensitive"),
        second.c.owner.label("second_owner"),
        second.c.visibility.label("second_visibility"),
        second.c.sensitive.label("second_sensitive"),
    ).select_from(
        pairs.outerjoin(first, sa.and_(first.c.owner == fo, first.c.id == fi)).outerjoin(
            second, sa.and_(second.c.owner == so, second.c.id == si)
        )
    )


def _shown(principal: Any, owner: str | None, visibility: str | None, sensitive: Any) -> bool:
    """May ``principal`` see this plan with its details (a pair is shown when both plans are)?"""
    from openruimte.store.permissions import masked_for, may_see

    if owner is None:  # no such plan (any more)
        return False
    return may_see(principal, owner, visibility) and not masked_for(principal, _Masked(owner, sensitive))


class _Masked:
    """What ``permissions.masked_for`` reads of a plan."""

    def __init__(self, owner: str, sensitive: bool) -> None:
        self.owner = owner
        self.sensitive = bool(sensitive)


def _read(conn: sa.Connection, pairs: Any, principal: Any, order: Sequence[str]) -> tuple[list[Any], list[Any]]:
    """The rows of ``pairs`` (a subquery with kind, first, second, record), in ``order``
    (names of its columns), in one query: all of them, and those the principal may see."""
    if principal is None or getattr(principal, "system", False):
        rows = conn.execute(sa.select(pairs).order_by(*(pairs.c[o] for o in order))).all()
        return rows, rows
    rows = conn.execute(_with_plans(conn, pairs).order_by(*(pairs.c[o] for o in order))).all()
    seen: dict[tuple[str | None, str | None, bool], bool] = {}

    def shown(owner: str | None, visibility: str | None, sensitive: Any) -> bool:
        k = (owner, visibility, bool(sensitive))
        if k not in seen:
            seen[k] = _shown(principal, owner, visibility, sensitive)
        return seen[k]

    return rows, [
        r
        for r in rows
        if shown(r.first_owner, r.first_visibility, r.first_sensitive)
        and shown(r.second_owner, r.second_visibility, r.second_sensitive)
    ]


def pairs_of_plan(store: Any, key: str, principal: Any = None) -> dict[str, list[dict[str, Any]]]:
    """The saved couplings and conflicts of one plan, those the principal may see."""
    p = t.analysis_pairs.c
    with store.engine.connect() as conn:
        pairs = sa.select(p.kind, p.first, p.second, p.record).where(sa.or_(p.first == key, p.second == key)).subquery()
        return _records(_read(conn, pairs, principal, ("kind", "first", "second"))[1])


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
    principal, in one query; and where the next page starts (None at the end)."""
    p = t.analysis_pairs.c
    with store.engine.connect() as conn:
        page = sa.select(p.pk, p.kind, p.first, p.second, p.record).where(p.pk > after).order_by(p.pk).limit(limit)
        every, shown = _read(conn, page.subquery(), principal, ("pk",))
    return _records(shown), (every[-1].pk if len(every) == limit else None)


def saved_pairs(store: Any) -> list[SavedPair]:
    """Every saved pair, sorted (for checks and tests)."""
    p = t.analysis_pairs.c
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(p.kind, p.first, p.second, p.record)).all()
    return sorted(
        (SavedPair(r.kind, r.first, r.second, r.record) for r in rows), key=lambda x: (x.kind, x.first, x.second)
    )
