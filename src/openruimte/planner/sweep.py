"""A trade-off sweep: one programme per value of one setting (``candidate_slack_years=0..3``),
with the street openings, cost and disruption of the programme and both baselines, so a
programmer sees what flexibility buys. Pure: the caller runs each programme."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: what may be swept, with its kind; candidate_slack_years widens the candidates' windows
SWEEPABLE: dict[str, type] = {"candidate_slack_years": int, "max_shift_years": int, "graafrust_days": int}
#: at most this many runs in one sweep
MAX_RUNS = 12


class SweepError(ValueError):
    pass


@dataclass(frozen=True)
class Sweep:
    name: str
    values: tuple[int, ...]


def parse_sweep(spec: str) -> Sweep:
    """``NAME=A..B`` (inclusive) or ``NAME=a,b,c``."""
    if "=" not in spec:
        raise SweepError(f"--sweep {spec!r}: expected NAME=A..B or NAME=a,b,c, e.g. candidate_slack_years=0..3")
    name, _, rng = spec.partition("=")
    name = name.strip()
    if name not in SWEEPABLE:
        raise SweepError(f"--sweep {spec!r}: cannot sweep '{name}'; can sweep: {', '.join(SWEEPABLE)}")
    try:
        if ".." in rng:
            a, _, b = rng.partition("..")
            lo, hi = int(a), int(b)
            if hi < lo:
                raise SweepError(f"--sweep {spec!r}: {hi} is below {lo}")
            values = tuple(range(lo, hi + 1))
        else:
            values = tuple(int(v) for v in rng.split(",") if v.strip())
    except ValueError:
        raise SweepError(f"--sweep {spec!r}: the values must be whole numbers, e.g. {name}=0..3") from None
    if not values:
        raise SweepError(f"--sweep {spec!r}: no values")
    if any(v < 0 for v in values):
        raise SweepError(f"--sweep {spec!r}: values must be 0 or more")
    if len(values) > MAX_RUNS:
        raise SweepError(f"--sweep {spec!r}: at most {MAX_RUNS} values")
    return Sweep(name, values)


ROW_KEYS = ("street_openings", "cost_eur", "disruption_days", "no_dig_avoidable")
PROGRAMMES = ("programme", "uncoordinated", "enforced")


def sweep_row(name: str, value: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """One row of the sweep table from a programme.json document."""
    m = data["metrics"]
    row: dict[str, Any] = {name: value}
    for p in PROGRAMMES:
        for k in ROW_KEYS:
            v = m[p][k] if k != "no_dig_avoidable" else data["no_dig_beyond_unavoidable"][p]
            row[f"{p}.{k}"] = round(v) if isinstance(v, float) else v
    for b in ("uncoordinated", "enforced"):
        row[f"openings_vs_{b}"] = data["comparison"][b]["street_openings"]
    s = data["solver"]
    row["gap"] = s["gap"]
    row["status"] = s["status"]
    row["seconds"] = round(sum(v for k, v in data["timings_s"].items()), 1)
    return row
