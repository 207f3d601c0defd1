"""The programming table's agenda, built from what changed, and its decisions.

:func:`build_agenda` takes what the caller may see (the use case reads it
through the visibility rule) and returns the items in a fixed order:

1. new couplings (koppelkansen) since the date;
2. new no-dig conflicts (graafrustconflicten);
3. plans that changed phase, dates or hardness (and new and withdrawn plans);
4. capacity and space problems (for the coordinator: these analyses are theirs);
5. open discussions.

A :class:`Decision` (besluit) is recorded per item and linked to the plans and
the thread it is about; :func:`besluitenlijst_html` lists them.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

SECTIONS = {
    "coupling": ("Nieuwe koppelkansen", "New couplings"),
    "conflict": ("Nieuwe graafrustconflicten", "New no-dig conflicts"),
    "plan": ("Gewijzigde plannen", "Changed plans"),
    "capacity": ("Capaciteit en ruimte", "Capacity and space"),
    "space": ("Capaciteit en ruimte", "Capacity and space"),
    "thread": ("Open discussies", "Open discussions"),
    "undisclosed": ("Koppelkansen en conflicten met een niet-genoemde partij", "With an undisclosed party"),
}
ORDER = ("coupling", "conflict", "undisclosed", "plan", "capacity", "space", "thread")
WATCHED = {"phase": "fase", "start": "start", "end": "einde", "hardness": "hardheid"}


@dataclass(frozen=True)
class AgendaItem:
    number: int
    kind: str
    title: str
    detail: str = ""
    plans: tuple[str, ...] = ()
    thread: int | None = None

    @property
    def section(self) -> str:
        return SECTIONS[self.kind][0]

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "plans": list(self.plans), "section": self.section}


@dataclass(frozen=True)
class Agenda:
    since: dt.date
    items: tuple[AgendaItem, ...]
    title: str = "Agenda programmeertafel"
    meeting_date: dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "since": self.since.isoformat(),
            "meeting_date": self.meeting_date.isoformat() if self.meeting_date else None,
            "items": [i.to_json() for i in self.items],
        }

    def to_html(self) -> str:
        return agenda_html(self)


@dataclass(frozen=True)
class Decision:
    """A decision of the programming table (besluit), linked to plans and a thread."""

    text: str
    decided_on: dt.date
    plans: tuple[str, ...] = ()
    thread: int | None = None
    item: int | None = None
    meeting: int | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        from openruimte.model.errors import FieldError

        if not self.text.strip():
            raise FieldError("text", "a decision needs its text (what was decided)")
        if len(self.text) > 5000:
            raise FieldError("text", f"is {len(self.text)} characters; at most 5000")

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "plans": list(self.plans), "decided_on": self.decided_on.isoformat()}


@dataclass
class PlanEvent:
    """One audited write of a plan since the date: ``action`` insert, update or delete;
    ``before``/``after`` the changed fields."""

    key: str
    name: str
    action: str
    at: dt.datetime
    before: Mapping[str, Any] = field(default_factory=dict)
    after: Mapping[str, Any] = field(default_factory=dict)


def _pair(entry: Mapping[str, Any], a: str, b: str) -> tuple[str, str]:
    return (str(entry[a]), str(entry[b]))


def _fmt(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


def plan_changes(events: Sequence[PlanEvent]) -> list[tuple[str, str, str]]:
    """``(key, title, detail)`` per plan that was added, withdrawn or changed phase, dates or
    hardness (all its events since the date merged: first value before, last after)."""
    first_before: dict[str, dict[str, Any]] = {}
    last_after: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    actions: dict[str, list[str]] = {}
    for ev in sorted(events, key=lambda e: e.at):
        names[ev.key] = ev.name or names.get(ev.key, ev.key)
        actions.setdefault(ev.key, []).append(ev.action)
        for f in WATCHED:
            if f in ev.before or ev.action == "insert":
                first_before.setdefault(ev.key, {}).setdefault(f, ev.before.get(f))
            if f in ev.after:
                last_after.setdefault(ev.key, {})[f] = ev.after[f]
    out = []
    for key in sorted(actions):
        acts = actions[key]
        name = names[key]
        if acts[-1] == "delete":
            if acts[0] != "insert":
                out.append((key, f"Plan ingetrokken: {name}", f"{key} is verwijderd"))
            continue
        if acts[0] == "insert":
            after = last_after.get(key, {})
            detail = ", ".join(f"{WATCHED[f]} {_fmt(after.get(f))}" for f in WATCHED if f in after)
            out.append((key, f"Nieuw plan: {name}", detail))
            continue
        before, after = first_before.get(key, {}), last_after.get(key, {})
        changed = [f for f in WATCHED if f in after and before.get(f) != after.get(f)]
        if changed:
            detail = "; ".join(f"{WATCHED[f]}: {_fmt(before.get(f))} → {_fmt(after.get(f))}" for f in changed)
            out.append((key, f"Plan gewijzigd: {name}", detail))
    return out


def build_agenda(
    since: dt.date,
    *,
    names: Mapping[str, str],
    couplings: Iterable[Mapping[str, Any]] = (),
    couplings_before: Iterable[Mapping[str, Any]] | None = None,
    conflicts: Iterable[Mapping[str, Any]] = (),
    conflicts_before: Iterable[Mapping[str, Any]] | None = None,
    undisclosed: Iterable[Mapping[str, Any]] = (),
    plan_events: Sequence[PlanEvent] = (),
    capacity: Iterable[Mapping[str, Any]] = (),
    space: Iterable[Mapping[str, Any]] = (),
    open_threads: Iterable[Mapping[str, Any]] = (),
    meeting_date: dt.date | None = None,
) -> Agenda:
    """The agenda since ``since``. Pairs are new when they are not in the analysis saved
    before the date (``*_before``; None: no such analysis, every pair is new)."""
    drafts: list[tuple[str, str, str, tuple[str, ...], int | None]] = []
    old_c = {frozenset(_pair(c, "a", "b")) for c in couplings_before or ()}
    for c in sorted(couplings, key=lambda c: (str(c["a"]), str(c["b"]))):
        a, b = _pair(c, "a", "b")
        if frozenset((a, b)) in old_c:
            continue
        text = (c.get("explanation") or {}).get("text") if isinstance(c.get("explanation"), Mapping) else None
        drafts.append(("coupling", f"Koppelkans: {names.get(a, a)} en {names.get(b, b)}", text or "", (a, b), None))
    old_k = {_pair(k, "renewal", "plan") for k in conflicts_before or ()}
    for k in sorted(conflicts, key=lambda k: (str(k["renewal"]), str(k["plan"]))):
        r, p = _pair(k, "renewal", "plan")
        if (r, p) in old_k:
            continue
        text = (k.get("explanation") or {}).get("text") if isinstance(k.get("explanation"), Mapping) else None
        drafts.append(
            ("conflict", f"Graafrustconflict: {names.get(p, p)} in {names.get(r, r)}", text or "", (r, p), None)
        )
    for u in undisclosed:
        plan = str(u.get("plan", ""))
        drafts.append(
            ("undisclosed", f"{names.get(plan, plan)}", str(u.get("text", "")), (plan,) if plan else (), None)
        )
    for key, title, detail in plan_changes(plan_events):
        drafts.append(("plan", title, detail, (key,), None))
    for e in capacity:
        detail = f"capaciteit {e.get('capacity')} {e.get('unit', '')}, overschreden in {e.get('exceeded_year')}"
        drafts.append(
            ("capacity", f"Capaciteit: {e.get('name') or e.get('id')}", detail, tuple(e.get("plans") or ()), None)
        )
    for s in space:
        detail = f"vrij {s.get('free_m')} m, nodig {s.get('required_m')} m"
        drafts.append(
            (
                "space",
                f"Ruimte in de grond: {s.get('name') or s.get('street_id')}",
                detail,
                tuple(s.get("planned_by") or ()),
                None,
            )
        )
    for th in sorted(open_threads, key=lambda t: int(t["id"])):
        subject = th.get("subject_key", "")
        drafts.append(
            ("thread", f"Open discussie: {th['title']}", f"over {subject}", tuple(th.get("plans") or ()), int(th["id"]))
        )
    drafts.sort(key=lambda d: ORDER.index(d[0]))
    items = tuple(
        AgendaItem(number=i, kind=k, title=t, detail=d, plans=p, thread=th)
        for i, (k, t, d, p, th) in enumerate(drafts, 1)
    )
    return Agenda(since=since, items=items, meeting_date=meeting_date)


_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#1b2b34}
h1{font-size:1.4em} h2{font-size:1.1em;margin-top:1.4em;border-bottom:1px solid #ccd}
ol{padding-left:1.6em} li{margin:.35em 0} .detail{color:#555;font-size:.92em}
.plans{font-family:monospace;font-size:.85em;color:#345}
table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccd;padding:.3em .5em;text-align:left;vertical-align:top}
"""


def agenda_html(agenda: Agenda) -> str:
    """The agenda as one self-contained HTML page (Dutch)."""
    e = html.escape
    when = f" van {agenda.meeting_date.isoformat()}" if agenda.meeting_date else ""
    parts = [
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>",
        f"<title>{e(agenda.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(agenda.title)}{e(when)}</h1>",
        f"<p>Wijzigingen sinds {e(agenda.since.isoformat())}: {len(agenda.items)} agendapunten.</p>",
    ]
    if not agenda.items:
        parts.append("<p>Geen nieuwe punten.</p>")
    section = None
    for item in agenda.items:
        if item.section != section:
            if section is not None:
                parts.append("</ol>")
            section = item.section
            parts.append(f"<h2>{e(section)}</h2><ol start='{item.number}'>")
        plans = f"<div class='plans'>{e(', '.join(item.plans))}</div>" if item.plans else ""
        detail = f"<div class='detail'>{e(item.detail)}</div>" if item.detail else ""
        parts.append(f"<li id='punt-{item.number}'><strong>{e(item.title)}</strong>{detail}{plans}</li>")
    if section is not None:
        parts.append("</ol>")
    parts.append("</body></html>")
    return "".join(parts)


def besluitenlijst_html(title: str, decisions: Sequence[Decision]) -> str:
    """The decisions (besluitenlijst) as one HTML page (Dutch)."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(d.decided_on.isoformat())}</td><td>{'' if d.item is None else d.item}</td>"
        f"<td>{e(d.text)}</td><td class='plans'>{e(', '.join(d.plans))}</td>"
        f"<td>{'' if d.thread is None else d.thread}</td></tr>"
        for d in decisions
    )
    return (
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body><h1>{e(title)}</h1>"
        "<table><thead><tr><th>Datum</th><th>Punt</th><th>Besluit</th><th>Plannen</th><th>Discussie</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></body></html>"
    )
