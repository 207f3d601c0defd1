"""What differs between the engines: the spatial index and the bbox filter.

The query pipeline in :mod:`openruimte.store.repository` is written once; these
two small classes hold the engine-specific parts (as pygeoapi's SQL provider).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import shapely
import sqlalchemy as sa

from openruimte.model.geometry import STORAGE_SRID

BBox = tuple[float, float, float, float]


class Spatial:
    """Engine-specific spatial operations."""

    def bbox_filter(self, table: sa.Table, bbox: BBox) -> Any:
        raise NotImplementedError

    def index_rows(self, conn: sa.Connection, table: sa.Table, rows: Iterable[tuple[int, Any]]) -> None:
        """Keep the spatial index up to date for (pk, geometry) rows just written."""

    def unindex_rows(self, conn: sa.Connection, table: sa.Table, pks: list[int]) -> None:
        """Drop index entries of deleted rows."""


class PostGISSpatial(Spatial):
    """PostGIS keeps its GiST index itself; the bbox filter uses it with ``&&``."""

    def bbox_filter(self, table: sa.Table, bbox: BBox) -> Any:
        envelope = sa.func.ST_MakeEnvelope(*bbox, STORAGE_SRID)
        return sa.and_(table.c.geometry.op("&&")(envelope), sa.func.ST_Intersects(table.c.geometry, envelope))


class SQLiteSpatial(Spatial):
    """WKB geometry plus an R*Tree table ``<table>_rtree`` (id, minx, maxx, miny, maxy)."""

    def _rtree(self, table: sa.Table) -> sa.TableClause:
        return sa.table(
            f"{table.name}_rtree",
            sa.column("id"),
            sa.column("minx"),
            sa.column("maxx"),
            sa.column("miny"),
            sa.column("maxy"),
        )

    def bbox_filter(self, table: sa.Table, bbox: BBox) -> Any:
        """Candidates from the R*Tree; callers refine with exact intersection."""
        rt = self._rtree(table)
        minx, miny, maxx, maxy = bbox
        candidates = sa.select(rt.c.id).where(
            rt.c.maxx >= minx, rt.c.minx <= maxx, rt.c.maxy >= miny, rt.c.miny <= maxy
        )
        return table.c.pk.in_(candidates)

    def index_rows(self, conn: sa.Connection, table: sa.Table, rows: Iterable[tuple[int, Any]]) -> None:
        params = []
        for pk, geom in rows:
            if geom is None:
                continue
            minx, miny, maxx, maxy = shapely.bounds(geom)
            params.append({"id": pk, "minx": minx, "maxx": maxx, "miny": miny, "maxy": maxy})
        if params:
            conn.execute(sa.insert(self._rtree(table)).prefix_with("OR REPLACE"), params)

    def unindex_rows(self, conn: sa.Connection, table: sa.Table, pks: list[int]) -> None:
        rt = self._rtree(table)
        for i in range(0, len(pks), 500):
            conn.execute(sa.delete(rt).where(rt.c.id.in_(pks[i : i + 500])))


def spatial_for(dialect_name: str) -> Spatial:
    return PostGISSpatial() if dialect_name == "postgresql" else SQLiteSpatial()
