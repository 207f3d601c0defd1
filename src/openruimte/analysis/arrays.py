"""Plans as columns: the shape every analysis works on.

Columns (numpy arrays, one row per plan) so the same code can run on a
partition of a larger table (GeoArrow/GeoParquet, Dask) unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from openruimte.model import ASSET_TYPES, Phase, Plan

#: day number of a date (proleptic Gregorian ordinal); -1 means absent
NO_DAY = -1
_BIT = {code: 1 << i for i, code in enumerate(ASSET_TYPES)}
_PHASES = list(Phase)


def day(d: dt.date | None) -> int:
    return d.toordinal() if d is not None else NO_DAY


def date_of(n: int) -> dt.date:
    return dt.date.fromordinal(int(n))


def asset_mask(codes: Sequence[str]) -> int:
    """Asset types as a bit set (the vocabulary has fewer than 64 codes)."""
    mask = 0
    for code in codes:
        mask |= _BIT[code]
    return mask


@dataclass(frozen=True)
class PlanColumns:
    """Plans as columns."""

    keys: np.ndarray  # str: owner:id
    owners: np.ndarray  # str
    geoms: np.ndarray  # shapely geometries, EPSG:28992
    start: np.ndarray  # int64 day, NO_DAY when unscheduled
    end: np.ndarray  # int64 day, inclusive
    phase: np.ndarray  # int8 index in Phase order
    asset_mask: np.ndarray  # int64 bit set of asset types
    excavation: np.ndarray  # bool
    surface_renewal: np.ndarray  # bool
    #: asset type codes per plan (tuples, shared between equal rows), for explanations; None when not kept
    asset_types: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def scheduled(self) -> np.ndarray:
        return (self.start != NO_DAY) & (self.end != NO_DAY)

    @classmethod
    def from_plans(cls, plans: Sequence[Plan]) -> PlanColumns:
        n = len(plans)
        return cls(
            keys=np.array([p.key for p in plans], dtype=str),
            owners=np.array([p.owner for p in plans], dtype=str),
            geoms=np.array([p.geometry for p in plans], dtype=object),
            start=np.fromiter((day(p.start) for p in plans), dtype=np.int64, count=n),
            end=np.fromiter((day(p.end) for p in plans), dtype=np.int64, count=n),
            phase=np.fromiter((_PHASES.index(p.phase) for p in plans), dtype=np.int8, count=n),
            asset_mask=np.fromiter((asset_mask(p.asset_types) for p in plans), dtype=np.int64, count=n),
            excavation=np.fromiter((p.excavation for p in plans), dtype=bool, count=n),
            surface_renewal=np.fromiter((p.surface_renewal for p in plans), dtype=bool, count=n),
            asset_types=_tuples([p.asset_types for p in plans]),
        )

    def take(self, rows: np.ndarray) -> PlanColumns:
        """The plans at ``rows`` (indices or a boolean mask), as columns."""
        return PlanColumns(
            keys=self.keys[rows],
            owners=self.owners[rows],
            geoms=self.geoms[rows],
            start=self.start[rows],
            end=self.end[rows],
            phase=self.phase[rows],
            asset_mask=self.asset_mask[rows],
            excavation=self.excavation[rows],
            surface_renewal=self.surface_renewal[rows],
            asset_types=None if self.asset_types is None else self.asset_types[rows],
        )


def _tuples(values: Sequence[tuple[str, ...]]) -> np.ndarray:
    return np.fromiter(values, dtype=object, count=len(values))


def masks_of(type_tuples: Sequence[tuple[str, ...]]) -> np.ndarray:
    """The asset-type bit set of each tuple of codes."""
    return np.fromiter((asset_mask(t) for t in type_tuples), dtype=np.int64, count=len(type_tuples))
