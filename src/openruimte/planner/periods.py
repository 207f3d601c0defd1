"""Time buckets (quarters or years) of the planning horizon, on day ordinals."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from openruimte.model.access import quarter_code


def add_months(d: dt.date, months: int) -> dt.date:
    """``d`` moved by whole months, the day clamped to the month's length."""
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=65536)
def _bucket_start(from_year: int, months: int, b: int) -> dt.date:
    return add_months(dt.date(from_year, 1, 1), b * months)


@lru_cache(maxsize=65536)
def _bucket_start_day(from_year: int, months: int, b: int) -> int:
    return _bucket_start(from_year, months, b).toordinal()


@lru_cache(maxsize=262144)
def _period_end(from_year: int, per_year: int, day: int) -> int:
    d = dt.date.fromordinal(day)
    months = 12 // per_year
    b = (d.year - from_year) * per_year + (d.month - 1) // months
    return _bucket_start_day(from_year, months, b + 1) - 1


@dataclass(frozen=True)
class Periods:
    """Buckets from 1 January ``from_year`` to 31 December ``to_year``; index 0 is the first.

    Indices outside ``0 .. n-1`` are valid (before or after the horizon)."""

    from_year: int
    to_year: int
    per_year: int  # 4 (quarters) or 1 (years)

    @property
    def months(self) -> int:
        return 12 // self.per_year

    @property
    def n(self) -> int:
        return (self.to_year - self.from_year + 1) * self.per_year

    @property
    def first_day(self) -> int:
        return dt.date(self.from_year, 1, 1).toordinal()

    @property
    def last_day(self) -> int:
        return dt.date(self.to_year, 12, 31).toordinal()

    def start(self, b: int) -> dt.date:
        return _bucket_start(self.from_year, self.months, b)

    def start_day(self, b: int) -> int:
        return _bucket_start_day(self.from_year, self.months, b)

    def end_day(self, b: int) -> int:
        return self.start_day(b + 1) - 1

    def of(self, d: dt.date | int) -> int:
        """The bucket holding a date (or day ordinal)."""
        if isinstance(d, int):
            d = dt.date.fromordinal(d)
        return (d.year - self.from_year) * self.per_year + (d.month - 1) // self.months

    @cached_property
    def bounds(self) -> np.ndarray:
        """Start day of every bucket in the horizon plus the day after it, as an array."""
        return np.array([self.start_day(b) for b in range(self.n + 1)], dtype=np.int64)

    def period_end(self, day: int) -> int:
        """The last day of the bucket holding ``day`` (a day ordinal)."""
        return _period_end(self.from_year, self.per_year, day)

    @cached_property
    def _wide_bounds(self) -> np.ndarray:
        """Bucket start days from 60 years before to 60 years after the horizon."""
        reach = 60 * self.per_year
        return np.array([self.start_day(b) for b in range(-reach, self.n + reach + 1)], dtype=np.int64)

    def period_ends(self, days: np.ndarray) -> np.ndarray:
        """:meth:`period_end` of many day ordinals at once."""
        bounds = self._wide_bounds
        return bounds[np.searchsorted(bounds, days, side="right")] - 1

    def label(self, b: int) -> str:
        """``2028-K2`` (kwartaal) or ``2028``."""
        d = self.start(b)
        return quarter_code(d) or "" if self.per_year == 4 else str(d.year)

    def overlap(self, start: int, end: int, b: int) -> int:
        """Days of ``[start, end]`` inside bucket ``b``."""
        return max(0, min(end, self.end_day(b)) - max(start, self.start_day(b)) + 1)
