"""Who may see what, in SQL: the store side of the one visibility rule
(:mod:`openruimte.model.access`: principals, roles, masking, the undisclosed
party and its wording).

Every read path of the web app (REST, exports, OGC API Features, vector tiles,
analysis results, the UI that reads the API, the public map) reads through a
:class:`View`: the store seen by one :class:`Principal`. A view

* adds the SQL condition of :func:`visible_clause` to every query of rows that
  have an owner and a visibility (plans, assets, policy goals, vital systems);
* masks commercially sensitive plans of other organisations
  (:func:`mask_plan`): geometry, phase and period stay, everything that names
  the party goes, the key becomes a stable opaque one;
* filters saved analysis results pair by pair (:meth:`View.analysis`): a pair
  whose other side the principal may not see becomes "een niet-genoemde partij
  heeft werkzaamheden in BUURT in KWARTAAL".

Rules (README "Security model"):

``private``  the owning organisation only;
``shared``   the owner, the organisations at the programming table and the coordinator;
``public``   everyone, also without logging in.

The coordinator (the municipality's urban programmer) sees everything shared,
sensitive plans unmasked. Areas, streets, buildings and environment layers are
reference data without an owner: everyone sees them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import shapely
import sqlalchemy as sa

from openruimte.model import Plan, Visibility
from openruimte.model.access import (
    UNDISCLOSED,
    Forbidden,
    Principal,
    mask_plan,
    masked_for,
    may_see,
    opaque_id,
    quarter_code,
    undisclosed_text,
)


@dataclasses.dataclass(frozen=True)
class _PlanFacts:
    """What :meth:`View.analysis` reads of a plan: who may see it (:func:`may_see`, :func:`masked_for`)
    and, for an undisclosed party, where and when (its buurt and quarter)."""

    owner: str
    visibility: str
    sensitive: bool
    start: dt.date | None
    geometry: Any
    end: dt.date | None = None


@dataclasses.dataclass(frozen=True)
class _Sensitive:
    """What :func:`masked_for` reads of a plan."""

    owner: str
    sensitive: bool


def _column_value(value: Any) -> Any:
    """A plan's attribute as :meth:`Store.plan_columns` gives it (dates ISO, tuples as lists, words as text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, dict):
        return {str(k): [_column_value(d) for d in v] if isinstance(v, tuple) else v for k, v in value.items()}
    return value


def visible_clause(principal: Principal, table: sa.Table) -> Any | None:
    """The SQL condition on a table with ``owner`` and ``visibility`` (None: no condition)."""
    if principal.system:
        return None
    c = table.c
    allowed = [str(Visibility.PUBLIC)] + ([str(Visibility.SHARED)] if principal.sees_shared else [])
    cond = c.visibility.in_(allowed)
    if principal.org is not None:
        cond = sa.or_(cond, c.owner == principal.org)
    return cond


# --- roadmap self-assessments (issue 17): the rule is model.access.may_see_assessment ---


def assessment_clause(principal: Principal, table: sa.Table) -> Any | None:
    """SQL pre-filter of :func:`~openruimte.model.access.may_see_assessment` (the ``shared_with``
    list is checked in Python)."""
    if principal.system:
        return None
    cond = table.c.visibility == "public"
    if principal.org is not None:
        cond = sa.or_(cond, table.c.visibility == "shared", table.c.org == principal.org)
    return cond


class View:
    """The store as one principal may see it. Routers read only through a view."""

    def __init__(self, store: Any, principal: Principal) -> None:
        from openruimte.store import security

        self.store = store
        self.principal = principal
        self._secret = security.secret(store, "opaque-ids")
        self._areas: tuple[list[Any], Any] | None = None

    # ------------------------------------------------------------------ plans

    def _present(self, rows: Sequence[tuple[Plan, Any]]) -> list[tuple[Plan, Any]]:
        out = []
        for plan, meta in rows:
            if masked_for(self.principal, plan):
                plan = mask_plan(plan, self._secret)
                meta = dataclasses.replace(meta, pk=0, source=None, imported_at=None, dataset_id=None)
            out.append((plan, meta))
        return out

    def plan_rows(self, flt: Any = None) -> list[tuple[Plan, Any]]:
        """Visible plans (masked where sensitive). Filters that name the party
        (owner, asset types, themes, keys) run after masking, so they cannot
        reveal a masked plan."""
        from openruimte.store import PlanFilter

        flt = flt or PlanFilter()
        neutral = dataclasses.replace(flt, owners=(), asset_types=(), themes=(), keys=())
        rows = self._present(self.store.plan_rows(neutral, principal=self.principal))
        owners, types, themes, keys = set(flt.owners), set(flt.asset_types), set(flt.themes), set(flt.keys)
        return [
            (p, m)
            for p, m in rows
            if (not owners or p.owner in owners)
            and (not types or types & set(p.asset_types))
            and (not themes or themes & set(p.themes))
            and (not keys or p.key in keys)
        ]

    def plan_columns(self, fields: Sequence[str], flt: Any = None) -> dict[str, list[Any]]:
        """:meth:`plan_rows` as columns (:meth:`Store.plan_columns`: no ``Plan`` per row): the same
        plans in the same order, ``key`` and the asked ``fields``. The same rule: the rows come
        through :func:`visible_clause`; a row :func:`masked_for` the principal is read whole and
        shown as :func:`mask_plan` shows it; the filters that name the party run after masking."""
        from openruimte.store import PlanFilter

        flt = flt or PlanFilter()
        neutral = dataclasses.replace(flt, owners=(), asset_types=(), themes=(), keys=())
        need = list(dict.fromkeys([*fields, "sensitive", "asset_types", "themes"]))
        cols = self.store.plan_columns(need, neutral, principal=self.principal)
        masked = [
            i
            for i, (owner, sensitive) in enumerate(zip(cols["owner"], cols["sensitive"], strict=True))
            if sensitive and masked_for(self.principal, _Sensitive(owner, sensitive))
        ]
        if masked:
            whole = self.store.plans_by_pk([cols["pk"][i] for i in masked])
            for i in masked:
                shown = mask_plan(whole[cols["pk"][i]], self._secret)
                for name in cols:
                    if name != "pk":
                        cols[name][i] = _column_value(getattr(shown, name))
        cols["key"] = [f"{o}:{i}" for o, i in zip(cols["owner"], cols["id"], strict=True)]
        owners, types, themes, keys = set(flt.owners), set(flt.asset_types), set(flt.themes), set(flt.keys)
        if owners or types or themes or keys:
            keep = [
                i
                for i in range(len(cols["key"]))
                if (not owners or cols["owner"][i] in owners)
                and (not types or types & set(cols["asset_types"][i]))
                and (not themes or themes & set(cols["themes"][i]))
                and (not keys or cols["key"][i] in keys)
            ]
            cols = {n: [v[i] for i in keep] for n, v in cols.items()}
        return cols

    def plans(self, flt: Any = None) -> list[Plan]:
        return [p for p, _ in self.plan_rows(flt)]

    def plan_row(self, owner: str, plan_id: str) -> tuple[Plan, Any] | None:
        """One plan by its key (a masked plan only by its opaque key), or None."""
        if owner == UNDISCLOSED:
            for plan, meta in self.plan_rows():
                if plan.owner == UNDISCLOSED and plan.id == plan_id:
                    return plan, meta
            return None
        found = self.store.plan_row(owner, plan_id, principal=self.principal)
        if found is None or masked_for(self.principal, found[0]):
            return None
        return found

    def history(self, owner: str, plan_id: str) -> list[dict[str, Any]] | None:
        """The audit entries of a plan the principal may see unmasked (None: not found)."""
        if self.plan_row(owner, plan_id) is None or owner == UNDISCLOSED:
            gone = self.store.plan_row(owner, plan_id) is None
            if not (gone and (self.principal.system or self.principal.org == owner)):
                return None
        return self.store.audit(table="plans", key=f"{owner}:{plan_id}")

    # ------------------------------------------------------------------ other owned rows

    def assets(self, **kwargs: Any) -> list[Any]:
        return self.store.assets(principal=self.principal, **kwargs)

    def policy_goals(self, **kwargs: Any) -> list[Any]:
        return self.store.policy_goals(principal=self.principal, **kwargs)

    def vital_systems(self) -> list[Any]:
        return [s for s in self.store.vital_systems() if may_see(self.principal, s.owner, s.visibility)]

    def counts(self) -> dict[str, Counter[str]]:
        counts = self.store.counts(principal=self.principal)
        counts["plans"] = Counter(p.owner for p in self.plans())
        return counts

    def roadmap_assessments(self, roadmap: str | None = None, org: str | None = None) -> list[Any]:
        """Roadmap self-assessments this principal may see (issue 17; rule: :func:`may_see_assessment`)."""
        from openruimte.store import roadmap as rm

        return rm.assessments(self.store, self.principal, roadmap=roadmap, org=org)

    # ------------------------------------------------------------------ reference data (no owner)

    def areas(self, **kwargs: Any) -> list[Any]:
        return self.store.areas(**kwargs)

    def streets(self, **kwargs: Any) -> list[Any]:
        return self.store.streets(**kwargs)

    def layers(self, **kwargs: Any) -> list[Any]:
        return self.store.layers(**kwargs)

    def organisations(self) -> list[Any]:
        return self.store.organisations()

    def data_version(self) -> int:
        return self.store.data_version()

    # ------------------------------------------------------------------ analysis results

    def analysis(self, kind: str) -> dict[str, Any] | None:
        """The newest saved result of an analysis kind as this principal may see it."""
        if kind == "plans":
            return self._plan_analysis()
        saved = self.store.latest_analysis(kind)
        if saved is None or self.principal.system:
            return saved
        if not self.principal.coordinator:
            raise Forbidden(
                f"de analyse '{kind}' is alleen voor de coördinator / the {kind} analysis is for the coordinator only"
            )
        return {**saved, "result": self._scrub(saved["result"], self._hidden_keys())}

    def _plan_analysis(self) -> dict[str, Any] | None:
        """The plan analysis with its pairs as every write has kept them since the last whole run
        (``analysis_pairs``, issue 12) and the unscheduled plans and count as the plans are now, as
        this principal may see it; the last whole result as saved when no pairs are kept or they
        were made with other parameters."""
        head = self.store.latest_analysis_parameters("plans")
        if head is None:
            return None
        kept = self.store.saved_pairs()
        if kept is None or kept[0] != head["parameters"]:
            saved = self.store.latest_analysis("plans")
            return saved if self.principal.system else {**saved, "result": self._plan_pairs(saved["result"])}
        if self.principal.system:  # every plan, unmasked: only which are scheduled is read
            cols = self.store.plan_columns(("start", "end"))
            rows = zip(cols["owner"], cols["id"], cols["start"], cols["end"], strict=True)
            when = {f"{o}:{i}": (start, end) for o, i, start, end in rows}
            plans = None
        else:
            plans = self._all_plans()
            when = {k: (p.start, p.end) for k, p in plans.items()}
        result = {
            "parameters": head["parameters"],
            "plans": len(when),
            "unscheduled": sorted(k for k, (start, end) in when.items() if start is None or end is None),
            "couplings": kept[1],
            "conflicts": kept[2],
        }
        meta = {k: head[k] for k in ("kind", "created_at", "actor")}
        return {**meta, "result": result if plans is None else self._plan_pairs(result, plans)}

    def _all_plans(self) -> dict[str, Any]:
        """Every plan by key, with what the analysis filter reads of it (owner, visibility, sensitivity,
        start, geometry), read as columns: a saved analysis names thousands of plans and the map's
        start-up reads it for every caller."""
        cols = self.store.plan_columns(("visibility", "sensitive", "start", "end", "geometry"))
        return {
            f"{owner}:{pid}": _PlanFacts(
                owner,
                visibility,
                bool(sensitive),
                dt.date.fromisoformat(start) if start else None,
                geom,
                dt.date.fromisoformat(end) if end else None,
            )
            for owner, pid, visibility, sensitive, start, end, geom in zip(
                cols["owner"],
                cols["id"],
                cols["visibility"],
                cols["sensitive"],
                cols["start"],
                cols["end"],
                cols["geometry"],
                strict=True,
            )
        }

    def _shown(self, plan: Any) -> bool:
        return (
            plan is not None
            and may_see(self.principal, plan.owner, plan.visibility)
            and not masked_for(self.principal, plan)
        )

    def _hidden_keys(self) -> set[str]:
        return {k for k, p in self._all_plans().items() if not self._shown(p)}

    def _plan_pairs(self, result: dict[str, Any], plans: dict[str, Any] | None = None) -> dict[str, Any]:
        # issue 12 (scale): ``plans`` may be just the plans the result names (a plan's saved pairs)
        plans = self._all_plans() if plans is None else plans
        couplings: list[dict[str, Any]] = []
        conflicts: list[dict[str, Any]] = []
        undisclosed: list[dict[str, Any]] = []
        sides = (("couplings", "a", "b", couplings), ("conflicts", "renewal", "plan", conflicts))
        for kind, first, second, kept in sides:
            for entry in result.get(kind, []):
                one, two = plans.get(entry[first]), plans.get(entry[second])
                shown_one, shown_two = self._shown(one), self._shown(two)
                if shown_one and shown_two:
                    kept.append(entry)
                elif shown_one and two is not None:
                    undisclosed.append(self._undisclosed(kind, entry[first], first, two))
                elif shown_two and one is not None:
                    undisclosed.append(self._undisclosed(kind, entry[second], second, one))
        unscheduled = []
        for key in result.get("unscheduled", []):
            plan = plans.get(key)
            if plan is None or not may_see(self.principal, plan.owner, plan.visibility):
                continue
            unscheduled.append(
                key if not masked_for(self.principal, plan) else f"{UNDISCLOSED}:{opaque_id(self._secret, key)}"
            )
        visible = sum(1 for p in plans.values() if may_see(self.principal, p.owner, p.visibility))
        return {
            **result,
            "plans": visible,
            "unscheduled": unscheduled,
            "couplings": couplings,
            "conflicts": conflicts,
            "undisclosed": undisclosed,
        }

    def _undisclosed(self, kind: str, mine: str, role: str, other: Any) -> dict[str, Any]:
        """What the principal learns of a pair whose other side it may not see: area and quarter."""
        code, name = self._area_of(other)
        what = "koppelkans" if kind == "couplings" else "graafrustconflict"
        what_en = "coupling" if kind == "couplings" else "no-dig conflict"
        return {
            "kind": "coupling" if kind == "couplings" else "conflict",
            "plan": mine,
            "role": role,
            "area": code,
            "area_name": name,
            "quarter": quarter_code(other.start),
            "text": f"{what}: {undisclosed_text('heeft werkzaamheden', name, other.start)}",
            "text_en": f"{what_en}: {undisclosed_text('has works', name, other.start, 'en')}",
        }

    def _area_of(self, plan: Any) -> tuple[str | None, str]:
        """The buurt (else wijk, else municipality) holding the plan's representative point."""
        if self._areas is None:
            order = {"buurt": 0, "wijk": 1, "gemeente": 2}
            areas = sorted(self.store.areas(), key=lambda a: order.get(str(a.level), 3))
            tree = shapely.STRtree([a.geometry for a in areas]) if areas else None
            self._areas = (areas, tree)
        areas, tree = self._areas
        if tree is not None:
            hits = sorted(tree.query(plan.geometry.representative_point(), predicate="intersects"))
            if hits:
                area = areas[int(hits[0])]
                return area.code, area.name
        return None, "het gebied"

    def _scrub(self, value: Any, hidden: set[str]) -> Any:
        """Drop every record that names a plan hidden from the principal (as a value or as a mapping's
        key); hidden keys in lists become ``niet-genoemd``."""
        if isinstance(value, dict):
            if any(isinstance(v, str) and v in hidden for v in value.values()):
                return None
            return {k: self._scrub(v, hidden) for k, v in value.items() if k not in hidden}
        if isinstance(value, list):
            out = []
            for v in value:
                if isinstance(v, str) and v in hidden:
                    v = UNDISCLOSED
                else:
                    v = self._scrub(v, hidden)
                if v is not None:
                    out.append(v)
            return out
        return value
