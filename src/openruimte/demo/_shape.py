"""The shape of Voorbeeldstad in polar terms around its centre.

The town is star-shaped around its centre: an outline ``r_out(theta)``, a ring
road ``r_ring(theta)`` around the historic centre, and radial main roads
``theta_i(s)`` from the ring (s = 0) to the outline (s = 1). Between two
radials a *sector* has coordinates (s, u), u = 0 on one radial and u = 1 on the
next; residential streets are drawn as curves in (s, u), so they never cross a
radial, the ring or the outline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from shapely.geometry import LineString, Polygon

CENTRE_X = 155_000.0
CENTRE_Y = 463_000.0
TAU = 2 * math.pi

#: base angles (degrees, anticlockwise from east) of the radial main roads; none
#: runs along the canal, which crosses the town from west to east
RADIAL_BASE_DEG = (35.0, 80.0, 130.0, 215.0, 260.0, 300.0, 335.0)
#: radials that are wijk boundaries: wijk k runs from WIJK_RADIALS[k] to the next
WIJK_RADIALS = (5, 0, 2, 3)  # Oosterpark, Noorderhout, Westerkwartier, Zuiderveld
#: the radial that is a provincial road
PROVINCIAL_RADIAL = 3


def _harmonics(theta: np.ndarray, harm: tuple[tuple[int, float, float], ...]) -> np.ndarray:
    out = np.ones_like(theta, dtype=float)
    for k, a, phi in harm:
        out = out + a * np.sin(k * theta + phi)
    return out


@dataclass(frozen=True, slots=True)
class TownShape:
    """Outline, ring, radials and canal of the town, all deterministic from a seed."""

    r_outline: float
    outline_harm: tuple[tuple[int, float, float], ...]
    r_ring_base: float
    ring_harm: tuple[tuple[int, float, float], ...]
    radial_theta: tuple[float, ...]
    radial_wiggle: tuple[tuple[float, float, float], ...]
    canal_wave: tuple[float, float, float, float, float, float]

    @classmethod
    def from_rng(cls, rng: np.random.Generator) -> TownShape:
        outline = tuple(
            (k, float(rng.uniform(0.3, 1.0) * a), float(rng.uniform(0, TAU)))
            for k, a in ((2, 0.07), (3, 0.05), (4, 0.035), (6, 0.02))
        )
        ring = tuple(
            (k, float(rng.uniform(0.4, 1.0) * a), float(rng.uniform(0, TAU))) for k, a in ((3, 0.05), (5, 0.03))
        )
        thetas = tuple(math.radians(d + float(rng.uniform(-4, 4))) for d in RADIAL_BASE_DEG)
        wiggle = tuple(
            (float(rng.uniform(0.015, 0.04)), float(rng.choice([1.0, 1.5, 2.0])), float(rng.uniform(0, TAU)))
            for _ in thetas
        )
        canal = (
            float(rng.uniform(40, 80)),
            float(rng.uniform(380, 520)),
            float(rng.uniform(0, TAU)),
            float(rng.uniform(10, 25)),
            float(rng.uniform(150, 220)),
            float(rng.uniform(0, TAU)),
        )
        return cls(
            r_outline=float(rng.uniform(2050, 2200)),
            outline_harm=outline,
            r_ring_base=float(rng.uniform(540, 580)),
            ring_harm=ring,
            radial_theta=thetas,
            radial_wiggle=wiggle,
            canal_wave=canal,
        )

    # ------------------------------------------------------------------ radii
    def r_out(self, theta: np.ndarray) -> np.ndarray:
        return self.r_outline * _harmonics(np.asarray(theta, dtype=float), self.outline_harm)

    def r_ring(self, theta: np.ndarray) -> np.ndarray:
        return self.r_ring_base * _harmonics(np.asarray(theta, dtype=float), self.ring_harm)

    def polar_xy(self, r: np.ndarray, theta: np.ndarray) -> np.ndarray:
        return np.column_stack([CENTRE_X + r * np.cos(theta), CENTRE_Y + r * np.sin(theta)])

    def xy_at(self, s: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """Point at fraction ``s`` between ring (0) and outline (1) at angle ``theta``."""
        theta = np.asarray(theta, dtype=float)
        r_in = self.r_ring(theta)
        return self.polar_xy(r_in + np.asarray(s) * (self.r_out(theta) - r_in), theta)

    # ------------------------------------------------------------------ radials and sectors
    @property
    def n_radials(self) -> int:
        return len(self.radial_theta)

    def radial_angle(self, i: int, s: np.ndarray) -> np.ndarray:
        """Angle of radial ``i`` at ``s``; indices wrap, adding a full turn."""
        turns, j = divmod(i, self.n_radials)
        w, m, phi = self.radial_wiggle[j]
        return self.radial_theta[j] + turns * TAU + w * np.sin(math.pi * m * np.asarray(s, dtype=float) + phi)

    def sector_xy(self, i: int, s: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Map sector coordinates (s, u) of sector ``i`` (radial i to i+1) to RD."""
        s = np.asarray(s, dtype=float)
        ta = self.radial_angle(i, s)
        tb = self.radial_angle(i + 1, s)
        return self.xy_at(s, ta + np.asarray(u, dtype=float) * (tb - ta))

    def sector_length(self, i: int) -> float:
        """Ring-to-outline distance in the middle of sector ``i``."""
        theta = float(self.radial_angle(i, 0.5) + self.radial_angle(i + 1, 0.5)) / 2
        return float(self.r_out(np.array([theta]))[0] - self.r_ring(np.array([theta]))[0])

    def sector_width(self, i: int, s: float) -> float:
        """Arc length across sector ``i`` at ``s``."""
        ta = float(self.radial_angle(i, s))
        tb = float(self.radial_angle(i + 1, s))
        mid = (ta + tb) / 2
        r_in = float(self.r_ring(np.array([mid]))[0])
        r = r_in + s * (float(self.r_out(np.array([mid]))[0]) - r_in)
        return r * (tb - ta)

    def radial_line(self, i: int, s0: float = -0.004, s1: float = 1.03, step_m: float = 15.0) -> LineString:
        n = max(20, int(self.sector_length(i) * (s1 - s0) / step_m))
        s = np.linspace(s0, s1, n)
        return LineString(self.xy_at(s, self.radial_angle(i, s)))

    # ------------------------------------------------------------------ outline, ring, canal
    def outline(self) -> Polygon:
        theta = np.radians(np.arange(0.0, 360.0, 0.5))
        return Polygon(np.round(self.polar_xy(self.r_out(theta), theta), 3))

    def ring_coords(self, deg0: float = 0.0, deg1: float = 360.0) -> np.ndarray:
        theta = np.radians(np.arange(deg0, deg1 + 1e-9, 1.0))
        return np.round(self.polar_xy(self.r_ring(theta), theta), 3)

    def canal_line(self) -> LineString:
        a1, l1, p1, a2, l2, p2 = self.canal_wave
        dx = np.arange(-3200.0, 3200.0 + 1e-9, 20.0)
        # damp the wave near the centre so the canal passes through it
        y = a1 * np.sin(dx / l1 + p1) + a2 * np.sin(dx / l2 + p2)
        y = y - (a1 * np.sin(p1) + a2 * np.sin(p2)) * np.exp(-((dx / 500.0) ** 2))
        return LineString(np.round(np.column_stack([CENTRE_X + dx, CENTRE_Y + y]), 3))
