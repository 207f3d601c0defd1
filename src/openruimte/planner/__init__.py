"""The programme optimiser: one programme of works for 10-15 years that opens
each street as few times as possible, within windows, no-dig periods, budgets
and crews (CP-SAT), compared with an uncoordinated and a greedy baseline.

Pure: plans and street segments in, a :class:`ProgrammeResult` out; no I/O.
"""

from openruimte.planner.explain import explain
from openruimte.planner.metrics import Metrics, evaluate
from openruimte.planner.programme import ProgrammeResult, candidate_plan, plan_programme
from openruimte.planner.segments import SegmentMap, map_segments
from openruimte.planner.settings import Settings, Weights

__all__ = [
    "Metrics",
    "ProgrammeResult",
    "SegmentMap",
    "Settings",
    "Weights",
    "candidate_plan",
    "evaluate",
    "explain",
    "map_segments",
    "plan_programme",
]
