"""Notifications of plan changes, computed inside the writing transaction.

Only the changes that matter to others notify: dates (start, end, window,
duration, phase planning), geometry, phase, status (hardness) and deletion.
A recipient is every other organisation owning a plan that couples or conflicts
with the changed plan, before or after the change, per the analysis
definitions of the exchange spec (:mod:`openruimte.analysis.pairs`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import shapely
import sqlalchemy as sa

from openruimte.analysis.arrays import PlanColumns
from openruimte.analysis.pairs import Parameters, find_conflicts, find_couplings
from openruimte.model import Plan
from openruimte.notify.visibility import Viewer, may_see
from openruimte.store import tables as t
from openruimte.store.mappers import MAPPERS, jsonable

#: field -> the kind of change it makes
WATCHED = {
    "start": "dates",
    "end": "dates",
    "earliest_start": "dates",
    "latest_end": "dates",
    "duration_days": "dates",
    "phase_planning": "dates",
    "geometry": "geometry",
    "phase": "phase",
    "hardness": "status",
}
KIND_NL = {"dates": "data", "geometry": "geometrie", "phase": "fase", "status": "status", "deleted": "geschrapt"}
#: above this many changed plans, candidates are read with one box around all of them
_PER_PLAN_QUERIES = 100


@dataclass(frozen=True)
class PlanChange:
    """One plan before and after a write (``after`` None: deleted)."""

    before: Plan
    after: Plan | None

    @property
    def key(self) -> str:
        return self.before.key

    @cached_property
    def _rows(self) -> tuple[dict[str, Any], dict[str, Any] | None]:
        mapper = MAPPERS["plans"]
        return mapper.to_row(self.before), mapper.to_row(self.after) if self.after is not None else None

    @cached_property
    def changed_fields(self) -> list[str]:
        b, a = self._rows
        if a is None:
            return list(WATCHED)
        return [f for f in WATCHED if _differs(b.get(f), a.get(f))]

    @cached_property
    def kinds(self) -> list[str]:
        if self.after is None:
            return ["deleted"]
        return sorted({WATCHED[f] for f in self.changed_fields})

    def fields(self) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Before and after of the watched fields that changed (all of them when deleted)."""
        b, a = self._rows
        names = self.changed_fields
        return jsonable({f: b.get(f) for f in names}), (jsonable({f: a.get(f) for f in names}) if a else None)


def _differs(x: Any, y: Any) -> bool:
    if isinstance(x, shapely.Geometry) or isinstance(y, shapely.Geometry):
        return x is None or y is None or not shapely.equals_exact(x, y, 0)
    return x != y


def quarter(d: dt.date | None) -> str:
    """``2027 K2`` (the second quarter of 2027), or ``onbekende periode``."""
    return f"{d.year} K{(d.month - 1) // 3 + 1}" if d else "onbekende periode"


def record_changes(
    conn: sa.Connection, spatial: Any, changes: Sequence[PlanChange], now: dt.datetime, params: Parameters | None = None
) -> list[int]:
    """Write the notifications (and pending webhook deliveries) for ``changes``;
    the plans table already holds the new state. Returns the notification keys."""
    changes = [c for c in changes if c.kinds]
    if not changes:
        return []
    params = params or Parameters()
    partners = _partners(conn, spatial, changes, params)
    orgs = {r.code for r in conn.execute(sa.select(t.organisations.c.code).where(t.organisations.c.at_table))}
    area_names = _area_names(conn, {c.before.area for c in changes} | {c.after.area for c in changes if c.after})
    rows: list[dict[str, Any]] = []
    for change in changes:
        by_owner: dict[str, set[str]] = defaultdict(set)
        for other in partners.get(change.key, ()):
            owner, _ = other.split(":", 1)
            if owner != change.before.owner:
                by_owner[owner].add(other)
        shown = change.after or change.before
        for recipient in sorted(by_owner):
            related = sorted(by_owner[recipient])
            viewer = Viewer(recipient, at_table=recipient in orgs)
            disclosed = may_see(change.before, viewer) and (change.after is None or may_see(change.after, viewer))
            area = area_names.get(shown.area or "", shown.area) or "een onbekend gebied"
            when = quarter(shown.start if shown.start else change.before.start)
            kinds = change.kinds
            if disclosed:
                before, after = change.fields()
                message = _message(change, kinds, related)
            else:
                before = after = None
                message = f"een niet-genoemde partij wijzigt werkzaamheden in {area} in {when}"
            rows.append(
                {
                    "recipient": recipient,
                    "plan_key": change.key if disclosed else None,
                    "change": ",".join(kinds),
                    "before": before,
                    "after": after,
                    "related": related,
                    "disclosed": disclosed,
                    "area": area,
                    "quarter": when,
                    "message": message,
                    "created_at": now,
                    "read": False,
                }
            )
    if not rows:
        return []
    pks = [
        r[0]
        for r in conn.execute(
            sa.insert(t.notifications).returning(t.notifications.c.pk, sort_by_parameter_order=True), rows
        )
    ]
    _queue_deliveries(conn, list(zip(pks, [r["recipient"] for r in rows], strict=True)), now)
    return pks


def _message(change: PlanChange, kinds: list[str], related: list[str]) -> str:
    p = change.before
    yours = ", ".join(related)
    if change.after is None:
        return f"{p.owner} heeft plan '{p.name}' ({p.key}) geschrapt; het raakte uw plannen {yours}"
    what = ", ".join(KIND_NL[k] for k in kinds)
    return f"{p.owner} wijzigt plan '{change.after.name}' ({p.key}): {what}; het raakt uw plannen {yours}"


def _queue_deliveries(conn: sa.Connection, notes: list[tuple[int, str]], now: dt.datetime) -> None:
    recipients = sorted({r for _, r in notes})
    hooks: dict[str, list[int]] = defaultdict(list)
    for i in range(0, len(recipients), 500):
        query = sa.select(t.webhooks.c.pk, t.webhooks.c.org).where(
            t.webhooks.c.org.in_(recipients[i : i + 500]), t.webhooks.c.active.is_(True)
        )
        for pk, org in conn.execute(query):
            hooks[org].append(pk)
    deliveries = [
        {
            "webhook_pk": hook,
            "notification_pk": pk,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for pk, recipient in notes
        for hook in hooks.get(recipient, ())
    ]
    if deliveries:
        conn.execute(sa.insert(t.webhook_deliveries), deliveries)


def _area_names(conn: sa.Connection, codes: set[str | None]) -> dict[str, str]:
    wanted = sorted(c for c in codes if c)
    if not wanted:
        return {}
    out = {}
    for i in range(0, len(wanted), 500):
        query = sa.select(t.areas.c.code, t.areas.c.name).where(t.areas.c.code.in_(wanted[i : i + 500]))
        out.update({code: name for code, name in conn.execute(query)})
    return out


def _nearby(conn: sa.Connection, spatial: Any, geoms: list[Any], reach: float) -> list[Plan]:
    """Current plans whose boxes come within ``reach`` of any of ``geoms``."""
    bounds = shapely.bounds(np.array(geoms, dtype=object))
    boxes = [(b[0] - reach, b[1] - reach, b[2] + reach, b[3] + reach) for b in bounds]
    if len(boxes) > _PER_PLAN_QUERIES:
        arr = np.array(boxes)
        boxes = [(arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())]
    mapper = MAPPERS["plans"]
    seen: dict[int, Plan] = {}
    for box in boxes:
        for row in conn.execute(sa.select(t.plans).where(spatial.bbox_filter(t.plans, box))):
            if row.pk not in seen:
                seen[row.pk] = mapper.from_row(row)
    return list(seen.values())


def _partners(
    conn: sa.Connection, spatial: Any, changes: Sequence[PlanChange], params: Parameters
) -> dict[str, set[str]]:
    """changed key -> keys of current plans that couple or conflict with it, before or after."""
    reach = max(params.max_distance_m, params.graafrust_distance_m)
    geoms = [c.before.geometry for c in changes] + [c.after.geometry for c in changes if c.after is not None]
    current = _nearby(conn, spatial, geoms, reach)
    changed = {c.key for c in changes}
    befores = [c.before for c in changes]
    plans = befores + current
    if len(plans) < 2:
        return {}
    cols = PlanColumns.from_plans(plans)
    n_before = len(befores)
    # a row stands for a changed plan when it is a "before" row or the current row of a changed key
    is_changed = np.zeros(len(plans), dtype=bool)
    is_changed[:n_before] = True
    is_changed[n_before:] = np.isin(cols.keys[n_before:], list(changed))
    out: dict[str, set[str]] = defaultdict(set)

    def pair(i: np.ndarray, j: np.ndarray) -> None:
        for x, y in ((i, j), (j, i)):
            # x stands for a changed plan; y must be a current row (index >= n_before), another plan
            keep = is_changed[x] & (y >= n_before) & (cols.keys[x] != cols.keys[y])
            for a, b in zip(cols.keys[x[keep]], cols.keys[y[keep]], strict=True):
                out[str(a)].add(str(b))

    couplings = find_couplings(cols, params)
    pair(couplings.a, couplings.b)
    conflicts = find_conflicts(cols, params)
    pair(conflicts.renewal, conflicts.plan)
    return out
