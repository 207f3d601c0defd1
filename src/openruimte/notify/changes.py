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
from openruimte.model.access import disclosed as may_know
from openruimte.model.access import organisation, quarter, undisclosed_text
from openruimte.store import hooks
from openruimte.store import notifications as sql
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
    orgs = sql.at_table_orgs(conn)
    area_names = sql.area_names(conn, {c.before.area for c in changes} | {c.after.area for c in changes if c.after})
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
            viewer = organisation(recipient, at_table=recipient in orgs)
            disclosed = may_know(viewer, change.before) and (change.after is None or may_know(viewer, change.after))
            area = area_names.get(shown.area or "", shown.area) or "een onbekend gebied"
            date = shown.start if shown.start else change.before.start
            when = quarter(date)
            kinds = change.kinds
            if disclosed:
                before, after = change.fields()
                message = _message(change, kinds, related)
            else:
                before = after = None
                message = undisclosed_text("wijzigt werkzaamheden", area, date)
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
    return sql.insert_notifications(conn, rows, now)


def _message(change: PlanChange, kinds: list[str], related: list[str]) -> str:
    p = change.before
    yours = ", ".join(related)
    if change.after is None:
        return f"{p.owner} heeft plan '{p.name}' ({p.key}) geschrapt; het raakte uw plannen {yours}"
    what = ", ".join(KIND_NL[k] for k in kinds)
    return f"{p.owner} wijzigt plan '{change.after.name}' ({p.key}): {what}; het raakt uw plannen {yours}"


def _partners(
    conn: sa.Connection, spatial: Any, changes: Sequence[PlanChange], params: Parameters
) -> dict[str, set[str]]:
    """changed key -> keys of current plans that couple or conflict with it, before or after."""
    reach = max(params.max_distance_m, params.graafrust_distance_m)
    geoms = [c.before.geometry for c in changes] + [c.after.geometry for c in changes if c.after is not None]
    current = sql.nearby_plans(conn, spatial, geoms, reach)
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


def on_plan_changes(writer: Any, kind: str, changes: Sequence[tuple[Any, Any]]) -> None:
    """The store hook: notify the organisations whose plans couple or conflict with changed
    plans (inside the writing transaction: a change and its notifications commit together)."""
    if kind == "plans":  # a new plan notifies nobody: partners learn of it from the analysis
        changed = [PlanChange(b, a) for b, a in changes if b is not None]
        if changed:
            record_changes(writer.conn, writer.spatial, changed, writer.now)


def subscribe() -> None:
    """Subscribe the notifications to the store's write hooks (done where the store is
    opened for the app and the CLI; idempotent)."""
    hooks.subscribe(on_plan_changes)
