"""Why a plan got its period, in Dutch (the working language of the programming table).

The explanation names what decided it: whether the plan may move at all, its
window, periods closed by no-dig periods, the works it is bundled with (on which
streets, in which periods), the rules each other period would break (budget,
no-dig, crews) and the objective terms with their weights against its own planning.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from openruimte.analysis.weighing import score_sentence
from openruimte.planner.baselines import Placement
from openruimte.planner.instance import Instance, Item, active_buckets, closes, spend

if TYPE_CHECKING:
    from openruimte.planner.programme import ProgrammeResult


def _date(day: int) -> str:
    return dt.date.fromordinal(day).isoformat()


def periods_text(inst: Instance, buckets: list[int]) -> str:
    """Bucket labels with consecutive runs joined: ``2028-K1 t/m 2028-K3, 2030-K2``."""
    runs: list[list[int]] = []
    for b in sorted(set(buckets)):
        if runs and b == runs[-1][-1] + 1:
            runs[-1].append(b)
        else:
            runs.append([b])
    label = inst.periods.label
    return ", ".join(label(r[0]) if len(r) == 1 else f"{label(r[0])} t/m {label(r[-1])}" for r in runs)


def explain(result: ProgrammeResult, key: str) -> str:
    """Why ``key`` got its period in the proposed programme."""
    inst = result.instance
    if key not in inst.by_key:
        skipped = dict(inst.skipped)
        if key in skipped:
            return f"{key} is niet meegenomen in het programma: {skipped[key]}."
        raise KeyError(key)
    i = inst.by_key[key]
    lines = [_header(result, i), *_freedom(inst, inst.items[i]), *_bundles(result, i)]
    if inst.items[i].movable:
        lines += _alternatives(result, i)
    lines += _budget(result, i)
    lines.append(_weights(inst, inst.items[i]))
    return "\n".join(lines)


def _header(result: ProgrammeResult, i: int) -> str:
    inst = result.instance
    it = inst.items[i]
    opt = it.options[result.assignment[i]]
    shift = opt.bucket - it.own.bucket
    unit = "kwartaal" if inst.settings.bucket == "quarter" else "jaar"
    units = "kwartalen" if inst.settings.bucket == "quarter" else "jaar"
    if shift == 0:
        moved = "in de eigen periode"
    else:
        moved = f"{abs(shift)} {unit if abs(shift) == 1 else units} {'later' if shift > 0 else 'eerder'} dan gepland"
    own = "eigen planning" if it.plan.scheduled else "vroegst mogelijke start"
    return (
        f"{it.plan.name} ({it.key}, {it.owner}): voorgesteld {_date(opt.start)} t/m {_date(opt.end)} "
        f"(periode {inst.periods.label(opt.bucket)}), {moved}; {own} {_date(it.own.start)} t/m {_date(it.own.end)}."
    )


def _freedom(inst: Instance, it: Item) -> list[str]:
    if not it.movable:
        why = {"besloten": "hardheid besloten", "geen ruimte in venster": "geen andere periode past in het venster"}
        text = why.get(it.reason, it.reason)
        lines = [f"Dit plan ligt vast ({text}): het optimaliseerprogramma verschuift het niet."]
    else:
        p = it.plan
        window = []
        if p.earliest_start:
            window.append(f"niet voor {p.earliest_start.isoformat()}")
        if p.latest_end:
            window.append(f"gereed uiterlijk {p.latest_end.isoformat()}")
        if p.scheduled:
            window.append(f"hooguit {inst.settings.max_shift_years} jaar verschuiven ({p.phase}, {p.hardness})")
        else:
            window.append(f"duur {it.duration_days} dagen")
        lines = [
            f"Toegestane startperioden: {periods_text(inst, [o.bucket for o in it.options])} "
            f"({len(it.options)} mogelijkheden; {', '.join(window)})."
        ]
    for reason, buckets in sorted(it.removed.items()):
        lines.append(f"Uitgesloten door {_reason(inst, reason)}: {periods_text(inst, buckets)}.")
    return lines


def _reason(inst: Instance, reason: str) -> str:
    if reason == "venster":
        return "het venster (earliest_start / latest_end)"
    for prefix, text in (
        ("graafrust na ", "de graafrust na herbestrating"),
        ("graafrust zou ", "graafrust die zou raken"),
    ):
        if reason.startswith(prefix):
            key = reason[len(prefix) :].removesuffix(" raken")
            other = inst.items[inst.by_key[key]] if key in inst.by_key else None
            fixed = other is not None and not other.movable
            last = inst.periods.period_end(other.options[0].end) if other is not None else 0
            until = f" (tot en met {_date(last + inst.settings.graafrust_days)})" if fixed else ""
            name = f"{other.plan.name} ({key})" if other else key
            return f"{text} {name}{until}" if prefix == "graafrust na " else f"herbestrating met graafrust over {name}"
    return reason


def _bundles(result: ProgrammeResult, i: int) -> list[str]:
    """The works that dig in the same street segments in the same periods."""
    inst, a = result.instance, result.assignment
    mine = set(active_buckets(inst.periods, inst.items[i].options[a[i]]))
    shared: dict[int, dict[str, set]] = defaultdict(lambda: {"streets": set(), "buckets": set()})
    for c in inst.classes_of[i]:
        cls = inst.classes[c]
        for j in cls.items:
            if j == i:
                continue
            common = mine & set(active_buckets(inst.periods, inst.items[j].options[a[j]]))
            if common:
                shared[j]["buckets"] |= common
                shared[j]["streets"] |= {inst.segmap.names[s] or inst.segmap.ids[s] for s in cls.segments}
    if not shared:
        return ["Geen andere werken graven in dezelfde straatsegmenten in dezelfde perioden.", *_closing(result, i)]
    lines = ["Gebundeld met:"]
    for j in sorted(shared, key=lambda j: inst.items[j].key):
        o = inst.items[j]
        streets = ", ".join(sorted(shared[j]["streets"]))
        lines.append(
            f"- {o.plan.name} ({o.key}, {', '.join(o.plan.asset_types)}): samen open in "
            f"{periods_text(inst, sorted(shared[j]['buckets']))} in {streets}."
        )
    return lines + _closing(result, i)


def _closing(result: ProgrammeResult, i: int) -> list[str]:
    """The shared-opening rule: which renewal closes this work's opening, or which works this renewal closes."""
    inst, a = result.instance, result.assignment
    it = inst.items[i]
    mine = it.options[a[i]]
    out = []
    mine_segs = set(it.segments)
    for other_it in inst.items:
        j = other_it.index
        if j == i or not mine_segs & set(other_it.segments):
            continue
        if it.renewal and other_it.excavation:
            is_renewal = True
        elif other_it.renewal and it.excavation:
            is_renewal = False
        else:
            continue
        other = other_it.options[a[j]]
        r, x = (mine, other) if is_renewal else (other, mine)
        if x.end > r.end and closes(r, x, inst.periods):
            name = f"{other_it.plan.name} ({other_it.key})"
            if is_renewal:
                out.append(
                    f"Deze herbestrating sluit de opening van {name}: eerst graven, als laatste bestraten, "
                    "in dezelfde periode."
                )
            else:
                out.append(
                    f"De opening wordt gesloten door de herbestrating {name}: die wordt als laatste gelegd; "
                    "de graafrust begint daarna."
                )
    if it.renewal:
        end = inst.periods.period_end(mine.end) + inst.settings.graafrust_days
        out.append(
            f"Na deze herbestrating geldt graafrust tot uiterlijk {_date(end)}: latere graafwerken worden geweigerd."
        )
    return out


def _option_points(result: ProgrammeResult, i: int, k: int) -> dict[str, int]:
    """Objective terms of the classes of item ``i`` and its own points, with it at option ``k``."""
    obj, a = result.objective, list(result.assignment)
    a[i] = k
    out = {"openings": 0, "days": 0, "trench_pts": 0, "total": obj.item_points[i][k], "item": obj.item_points[i][k]}
    for c in result.instance.classes_of[i]:
        o, d, t = obj.class_terms(c, a)
        n_seg, coef = len(result.instance.classes[c].segments), obj.coef[c]
        out["openings"] += o * n_seg
        out["days"] += d * n_seg
        out["trench_pts"] += t * coef.trench
        out["total"] += o * coef.openings + d * coef.days + t * coef.trench
    return out


def _placed_except(result: ProgrammeResult, i: int) -> Placement:
    state = Placement.empty(result.instance, result.objective)
    for j, k in enumerate(result.assignment):
        if j != i:
            state.place(j, k)
    return state


def _alternatives(result: ProgrammeResult, i: int) -> list[str]:
    """Why not its own period, and why not the periods that would score better."""
    inst, it = result.instance, result.instance.items[i]
    chosen = result.assignment[i]
    state = _placed_except(result, i)
    points = [_option_points(result, i, k) for k in range(len(it.options))]
    lines = []
    own = next((k for k, o in enumerate(it.options) if o.bucket == it.own.bucket), None)
    if own is not None and own != chosen:
        lines.append(_versus(inst, points[chosen], points[own], inst.periods.label(it.own.bucket)))
    elif own is None:
        lines.append("De eigen periode is niet toegestaan (zie hierboven).")
    better = [k for k in range(len(it.options)) if points[k]["total"] < points[chosen]["total"]]
    blocked = defaultdict(list)
    for k in better:
        for rule in state.violations(i, k):
            blocked[_rule_text(inst, rule)].append(it.options[k].bucket)
    for text, buckets in sorted(blocked.items()):
        lines.append(f"Op zich gunstiger, maar {text}: {periods_text(inst, buckets)}.")
    return lines


def _versus(inst: Instance, chosen: dict[str, int], own: dict[str, int], label: str) -> str:
    unit = inst.settings.unit_costs
    per_m = unit.trench_eur_per_m + unit.paving_eur_per_m2 * unit.trench_width_m
    d_open = own["openings"] - chosen["openings"]
    d_days = own["days"] - chosen["days"]
    d_pts = own["total"] - chosen["total"]
    parts = [f"{_signed(d_open)} straatopeningen (segment x periode)", f"{_signed(d_days)} hinderdagen"]
    if chosen["trench_pts"] != own["trench_pts"]:
        parts.append("gedeelde sleuf en bestrating" if own["trench_pts"] > chosen["trench_pts"] else "een sleuf meer")
    return (
        f"Tegenover de eigen periode {label} scheelt de voorgestelde periode {', '.join(parts)}; "
        f"in punten {d_pts / 10:.1f} minder (kosten gerekend met € {per_m:.0f} per meter sleuf en bestrating)."
    )


def _signed(n: int) -> str:
    return f"{n} minder" if n >= 0 else f"{-n} meer"


def _rule_text(inst: Instance, rule: str) -> str:
    if rule.startswith("budget "):
        owner, year = rule[len("budget ") :].rsplit(" ", 1)
        return f"het budget van {owner} in {year} laat dat niet toe"
    if rule.startswith("graafrust "):
        key = rule[len("graafrust ") :]
        name = inst.items[inst.by_key[key]].plan.name if key in inst.by_key else key
        return f"de graafrust met {name} ({key}) staat het niet toe"
    if rule.startswith("ploegen "):
        return f"de ploegcapaciteit ({rule[len('ploegen ') :]}) is dan vol"
    return rule


def _budget(result: ProgrammeResult, i: int) -> list[str]:
    inst, it = result.instance, result.instance.items[i]
    budgets = inst.budgets.get(it.owner)
    if not budgets or not it.plan.budget_eur:
        return []
    use = result.metrics["programme"].budget_use.get(it.owner, {})
    opt = it.options[result.assignment[i]]
    parts = []
    for year in sorted(spend(it, opt, inst.periods)):
        if year in budgets and year in use:
            share = use[year]["spend"] / budgets[year] if budgets[year] else 0.0
            parts.append(f"{year}: {share:.0%}")
    if not parts:
        return []
    return [f"Budget van {it.owner} ({inst.budget_source.get(it.owner, 'opgegeven')}) in gebruik: {', '.join(parts)}."]


def _weights(inst: Instance, it: Item) -> str:
    w = inst.settings.weights
    score = inst.scores.get(it.key)
    text = (
        f"Gewichten: {w.openings:g} per straatopening, {w.disruption_days:g} per hinderdag, "
        f"{w.cost_keur:g} per € 1.000 sleuf en bestrating, {w.deviation:g} per periode afwijking van de eigen planning"
    )
    if score:
        text += f", {w.earliness:g} x score {score:g} per periode uitstel"
    return text + "."


def resolve_key(result: ProgrammeResult, given: str) -> str | None:
    """The plan key of ``given`` (a key, or an id that only one plan of the programme has)."""
    inst = result.instance
    if given in inst.by_key or given in dict(inst.skipped):
        return given
    found = [k for k in [*inst.by_key, *dict(inst.skipped)] if k.split(":", 1)[1] == given]
    return found[0] if len(found) == 1 else None


def explain_with_score(
    result: ProgrammeResult, key: str, score: Mapping[str, Any] | None = None, preset: str = ""
) -> str:
    """:func:`explain`, followed by the plan's score sentence from the weighting framework."""
    text = explain(result, key)
    return text if score is None else text + "\n" + score_sentence(score, preset)
