"""Maps as inline SVG from geometries in EPSG:28992 (metres): no tiles, no internet.

Each drawn feature is one SVG element with ``data-kind`` (and ``data-id`` when
given) and a ``<title>`` for the tooltip, so a reader can hover and a test can count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from openruimte.reports._html import esc, num


class SvgMap:
    """A north-up map of ``bbox`` (minx, miny, maxx, maxy in metres) ``width`` pixels wide."""

    def __init__(self, bbox: tuple[float, float, float, float], *, width: int = 900, max_height: int = 720) -> None:
        minx, miny, maxx, maxy = bbox
        dx, dy = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
        pad = 0.03 * max(dx, dy)
        minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
        dx, dy = maxx - minx, maxy - miny
        scale = min(width / dx, max_height / dy)
        self.scale = scale
        self.width = round(dx * scale)
        self.height = round(dy * scale)
        self.minx, self.maxy = minx, maxy
        self.box = shapely.box(minx, miny, maxx, maxy)
        self.parts: list[str] = []
        self.count: dict[str, int] = {}

    # -------------------------------------------------------------- geometry

    def _xy(self, coords: Any) -> str:
        s = self.scale
        return " ".join(f"{(x - self.minx) * s:.1f},{(self.maxy - y) * s:.1f}" for x, y in coords)

    def _path(self, geom: BaseGeometry) -> str:
        out = []
        for part in getattr(geom, "geoms", [geom]):
            kind = part.geom_type
            if kind == "Polygon":
                for ring in (part.exterior, *part.interiors):
                    out.append("M" + self._xy(ring.coords) + "Z")
            elif kind in ("LineString", "LinearRing"):
                out.append("M" + self._xy(part.coords))
            elif kind.startswith("Multi") or kind == "GeometryCollection":
                out.append(self._path(part))
        return "".join(out)

    def add(
        self,
        geom: BaseGeometry | None,
        *,
        kind: str,
        stroke: str = "none",
        fill: str = "none",
        width: float = 1.0,
        opacity: float = 1.0,
        fill_opacity: float | None = None,
        dash: str | None = None,
        radius: float = 4.0,
        title: str | None = None,
        ident: str | None = None,
        simplify: bool = False,
    ) -> None:
        """Draw one feature (points as circles of ``radius`` pixels)."""
        if geom is None or geom.is_empty:
            return
        if simplify:
            geom = shapely.simplify(geom, 0.6 / self.scale, preserve_topology=True)
        attrs = f'data-kind="{esc(kind)}"' + (f' data-id="{esc(ident)}"' if ident else "")
        style = f'stroke="{stroke}" stroke-width="{width:g}" fill="{fill}"'
        if opacity != 1.0:
            style += f' opacity="{opacity:g}"'
        if fill_opacity is not None:
            style += f' fill-opacity="{fill_opacity:g}"'
        if dash:
            style += f' stroke-dasharray="{dash}"'
        tip = f"<title>{esc(title)}</title>" if title else ""
        dims = shapely.get_dimensions(geom)
        if dims == 0:
            pts = shapely.get_coordinates(geom)
            s = self.scale
            circles = "".join(
                f'<circle cx="{(x - self.minx) * s:.1f}" cy="{(self.maxy - y) * s:.1f}" r="{radius:g}"/>'
                for x, y in pts
            )
            self.parts.append(f"<g {attrs} {style}>{tip}{circles}</g>")
        else:
            rule = ' fill-rule="evenodd"' if dims == 2 else ""
            cap = ' stroke-linecap="round" stroke-linejoin="round"' if dims == 1 else ""
            self.parts.append(f'<path {attrs} {style}{rule}{cap} d="{self._path(geom)}">{tip}</path>')
        self.count[kind] = self.count.get(kind, 0) + 1

    def add_many(self, geoms: Iterable[BaseGeometry], *, kind: str, **style: Any) -> None:
        """Many features as one path (a background layer: streets, buurt borders)."""
        gs = [g for g in geoms if g is not None and not g.is_empty]
        if not gs:
            return
        merged = shapely.simplify(shapely.GeometryCollection(gs), 0.6 / self.scale, preserve_topology=True)
        stroke, width = style.get("stroke", "#999"), style.get("width", 0.6)
        fill = style.get("fill", "none")
        extra = f' fill-opacity="{style["fill_opacity"]:g}"' if "fill_opacity" in style else ""
        self.parts.append(
            f'<path data-kind="{esc(kind)}" stroke="{stroke}" stroke-width="{width:g}" fill="{fill}"{extra} '
            f'fill-rule="evenodd" stroke-linejoin="round" d="{self._path(merged)}"/>'
        )

    def label(
        self, x: float, y: float, text: str, *, size: int = 11, color: str = "#333", anchor: str = "middle"
    ) -> None:
        s = self.scale
        self.parts.append(
            f'<text x="{(x - self.minx) * s:.1f}" y="{(self.maxy - y) * s:.1f}" font-size="{size}" fill="{color}" '
            f'text-anchor="{anchor}" paint-order="stroke" stroke="#fff" stroke-width="3">{esc(text)}</text>'
        )

    # -------------------------------------------------------------- furniture

    def _scalebar(self) -> str:
        target = self.width / 5 / self.scale  # metres in a fifth of the width
        step = 10 ** math.floor(math.log10(target))
        metres = max(m for m in (step, 2 * step, 5 * step) if m <= target)
        px = metres * self.scale
        label = f"{num(metres / 1000, 1 if metres < 1000 else 0)} km" if metres >= 1000 else f"{num(metres)} m"
        x, y = 12, self.height - 14
        return (
            f'<g data-kind="scalebar"><rect x="{x - 4}" y="{y - 16}" width="{px + 50:.0f}" height="24" fill="#fff" '
            f'opacity=".8"/><path d="M{x},{y - 4}v4h{px:.1f}v-4" stroke="#222" fill="none" stroke-width="1.5"/>'
            f'<text x="{x + px + 6:.1f}" y="{y}" font-size="11">{label}</text></g>'
        )

    def _north(self) -> str:
        x = self.width - 22
        return (
            f'<g data-kind="north"><path d="M{x},10 l7,18 l-7,-5 l-7,5z" fill="#222"/>'
            f'<text x="{x}" y="40" font-size="11" text-anchor="middle">N</text></g>'
        )

    def render(self, *, caption: str | None = None) -> str:
        label = f' aria-label="{esc(caption)}"' if caption else ""
        return (
            f'<svg width="{self.width}" height="{self.height}" '
            f'viewBox="0 0 {self.width} {self.height}" role="img"{label} data-crs="EPSG:28992">'
            f'<rect width="100%" height="100%" fill="#fbfcfd"/>{"".join(self.parts)}{self._scalebar()}{self._north()}'
            "</svg>"
        )


def bbox_of(geoms: Iterable[BaseGeometry | None]) -> tuple[float, float, float, float] | None:
    gs = [g for g in geoms if g is not None and not g.is_empty]
    if not gs:
        return None
    b = shapely.total_bounds(gs)
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
