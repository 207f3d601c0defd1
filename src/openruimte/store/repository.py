"""The store: opening a database, one write path with the audit log, and queries.

Every write goes through :class:`Writer`, inside one transaction: rows, spatial
index and audit log commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import shapely
import sqlalchemy as sa
from sqlalchemy import event

from openruimte.model import (
    Dataset,
    EnvironmentFeature,
    EnvironmentLayer,
    Organisation,
    OrganisationKind,
    VitalElement,
    VitalSystem,
)
from openruimte.model.access import Forbidden, Principal
from openruimte.model.errors import OpenRuimteError
from openruimte.model.vocab import Visibility
from openruimte.store import hooks
from openruimte.store import tables as t
from openruimte.store.mappers import MAPPERS, Mapper, jsonable
from openruimte.store.spatial import BBox, Spatial, spatial_for

DEFAULT_DB = "openruimte.db"


class StoreError(OpenRuimteError):
    code = "store_error"
    status = 500


def database_url(db: str | None = None) -> str:
    """A SQLAlchemy URL: ``--db`` (a path or URL), else ``OPENRUIMTE_DATABASE_URL``,
    else the SQLite file ``openruimte.db`` in the working directory."""
    from openruimte.settings import Settings

    value = db or Settings().database_url or DEFAULT_DB
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # SQLAlchemy emits BEGIN itself (see _sqlite_begin), so a writer can take the lock up front
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    """``BEGIN IMMEDIATE`` for writers (the write lock is taken, or waited for with
    the busy timeout, before anything is read: two writers never deadlock on an
    upgrade from reading to writing); a deferred ``BEGIN`` for everything else."""
    conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))


def _json_loads(text: str | bytes) -> Any:
    """JSON columns read by orjson (a third of ``json.loads``' time: 10k plans carry 40k JSON values);
    what orjson refuses (NaN, integers past 64 bits, which ``json.dumps`` may have written) by ``json``."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def create_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, json_deserializer=_json_loads)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return sa.create_engine(url, pool_pre_ping=True)


@dataclass
class RowMeta:
    """What the store keeps about a row beside its content."""

    pk: int
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    source: str | None
    imported_at: dt.datetime | None
    dataset_id: int | None


@dataclass
class WriteSummary:
    """What one import or write did."""

    kind: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    dataset_id: int | None = None
    keys: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged


@dataclass(frozen=True)
class PlanFilter:
    """Filters on plans; every field optional. Lists mean "any of"."""

    bbox: BBox | None = None
    owners: Sequence[str] = ()
    phases: Sequence[str] = ()
    hardness: Sequence[str] = ()
    asset_types: Sequence[str] = ()
    themes: Sequence[str] = ()
    period: tuple[dt.date, dt.date] | None = None
    keys: Sequence[str] = ()


class Store:
    """A database of OpenRuimte: SQLite file by default, PostgreSQL + PostGIS in production."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.spatial: Spatial = spatial_for(engine.dialect.name)

    @classmethod
    def open(cls, db: str | None = None, *, migrate: bool = True) -> Store:
        """Open (and bring up to date) the database at ``db``: a path or a URL."""
        url = database_url(db)
        store = cls(create_engine(url))
        if migrate:
            store.migrate()
        return store

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrate(self) -> str:
        """Run Alembic migrations to head; returns the revision."""
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext

        cfg = Config()
        cfg.set_main_option("script_location", str(resources.files("openruimte.store") / "migrations"))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        with self.engine.connect() as conn:
            return str(MigrationContext.configure(conn).get_current_revision())

    @contextmanager
    def writer(self, actor: str, *, dry_run: bool = False, principal: Principal | None = None) -> Iterator[Writer]:
        """One transaction for a whole write: commits at the end, rolls back on any
        error, and always rolls back when ``dry_run``. With a ``principal`` (the API's
        caller) every row written or deleted must be one that principal may write
        (:meth:`~openruimte.model.access.Principal.may_write`), else :class:`Forbidden`."""
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn.execution_options(sqlite_begin="BEGIN IMMEDIATE")
            trans = conn.begin()
            try:
                yield Writer(conn, self.spatial, actor, principal)
            except BaseException:
                trans.rollback()
                raise
            if dry_run:
                trans.rollback()
            else:
                trans.commit()

    # ------------------------------------------------------------------ reads

    def _select(self, mapper: Mapper, where: list[Any], bbox: BBox | None, limit: int | None = None) -> list[Any]:
        table = mapper.table
        query = sa.select(table).order_by(table.c.pk)
        if bbox is not None:
            query = query.where(self.spatial.bbox_filter(table, bbox))
        for clause in where:
            query = query.where(clause)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        if bbox is not None and self.dialect != "postgresql":
            box = shapely.box(*bbox)
            rows = [r for r in rows if r.geometry.intersects(box)]
        return rows

    def plan_rows(self, flt: PlanFilter | None = None, *, principal: Any = None) -> list[tuple[Any, RowMeta]]:
        """Plans with their row metadata, filtered (and only those ``principal`` may see, when given;
        the web app reads through :class:`openruimte.store.permissions.View`, which also masks)."""
        flt = flt or PlanFilter()
        rows = self._select(MAPPERS["plans"], self._plan_where(flt, principal), flt.bbox)
        out = []
        keys = set(flt.keys)
        for row in rows:
            plan = MAPPERS["plans"].from_row(row)
            if flt.asset_types and not set(plan.asset_types) & set(flt.asset_types):
                continue
            if flt.themes and not set(plan.themes) & set(flt.themes):
                continue
            if keys and plan.key not in keys:
                continue
            out.append((plan, _meta(row)))
        return out

    def _plan_where(self, flt: PlanFilter, principal: Any) -> list[Any]:
        """The SQL part of a plan filter (visibility, owners, phases, hardness, period; not the bbox)."""
        c = t.plans.c
        where: list[Any] = _visible(t.plans, principal)
        if flt.owners:
            where.append(c.owner.in_(list(flt.owners)))
        if flt.phases:
            where.append(c.phase.in_(list(flt.phases)))
        if flt.hardness:
            where.append(c.hardness.in_(list(flt.hardness)))
        if flt.period:
            lo, hi = flt.period
            where.append(sa.and_(c.start <= hi, c.end >= lo))
        return where

    def plan_columns(
        self, columns: Sequence[str], flt: PlanFilter | None = None, *, principal: Any = None
    ) -> dict[str, list[Any]]:
        """The plans of :meth:`plan_rows` (same filter, same rows, same order) as columns, for readers
        of thousands of plans at once (the programming map, the 3D view): one query of just these
        columns, the driver's values decoded column by column, no ``Plan`` per row and no SQLAlchemy
        type processing. Values: JSON lists as lists, dates as ISO text (``YYYY-MM-DD``), booleans as
        bool, ``geometry`` as shapely geometries (RD); always with ``pk``, ``owner`` and ``id``.
        Not masked: the web app reads through :meth:`openruimte.store.permissions.View.plan_columns`."""
        flt = flt or PlanFilter()
        names = list(dict.fromkeys(["pk", "owner", "id", *columns]))
        for extra in ("asset_types", "themes"):
            if getattr(flt, extra) and extra not in names:
                names.append(extra)
        out = self.columns(t.plans, names, self._plan_where(flt, principal), flt.bbox)
        types, themes, keys = set(flt.asset_types), set(flt.themes), set(flt.keys)
        if types or themes or keys:
            keep = [
                i
                for i in range(len(out["pk"]))
                if (not types or types & set(out["asset_types"][i]))
                and (not themes or themes & set(out["themes"][i]))
                and (not keys or f"{out['owner'][i]}:{out['id'][i]}" in keys)
            ]
            out = {n: [v[i] for i in keep] for n, v in out.items()}
        return out

    def columns(
        self, table: sa.Table, names: Sequence[str], where: Sequence[Any] = (), bbox: BBox | None = None
    ) -> dict[str, list[Any]]:
        """Rows of ``table`` (pk order, ``where`` and intersecting ``bbox``) as columns: one query of
        these columns, the driver's values decoded column by column (:func:`_decode_column`), no
        model object per row and no SQLAlchemy type processing."""
        unknown = [n for n in names if n not in table.c]
        if unknown:
            raise ValueError(f"no {table.name} column {', '.join(unknown)}")
        names = list(names)
        geometry_added = bbox is not None and "geometry" not in names
        if geometry_added:
            names.append("geometry")
        postgres = self.dialect == "postgresql"
        raw = sa.types.NullType()

        def column(name: str) -> Any:
            if name == "geometry" and postgres:
                return sa.type_coerce(sa.func.ST_AsBinary(table.c.geometry), raw)
            return sa.type_coerce(table.c[name], raw)  # the driver's value, as it comes

        query = sa.select(*[column(n) for n in names]).order_by(table.c.pk)
        if bbox is not None:
            query = query.where(self.spatial.bbox_filter(table, bbox))
        for clause in where:
            query = query.where(clause)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        values = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        out = {n: _decode_column(table.c[n].type, list(v)) for n, v in zip(names, values, strict=True)}
        if bbox is not None and not postgres and rows:
            hit = shapely.intersects(np.asarray(out["geometry"], dtype=object), shapely.box(*bbox))
            if not hit.all():
                keep = np.flatnonzero(hit).tolist()
                out = {n: [v[i] for i in keep] for n, v in out.items()}
        if geometry_added:
            del out["geometry"]
        return out

    def plans_by_pk(self, pks: Sequence[int]) -> dict[int, Any]:
        """Whole plans by primary key (pk -> Plan)."""
        mapper = MAPPERS["plans"]
        out: dict[int, Any] = {}
        for i in range(0, len(pks), 500):
            for row in self._select(mapper, [t.plans.c.pk.in_(list(pks[i : i + 500]))], None):
                out[row.pk] = mapper.from_row(row)
        return out

    def plan_row(self, owner: str, plan_id: str, *, principal: Any = None) -> tuple[Any, RowMeta] | None:
        """One plan and its row metadata, or None."""
        c = t.plans.c
        where = [c.owner == owner, c.id == plan_id, *_visible(t.plans, principal)]
        rows = self._select(MAPPERS["plans"], where, None, limit=1)
        return (MAPPERS["plans"].from_row(rows[0]), _meta(rows[0])) if rows else None

    def plans(self, flt: PlanFilter | None = None) -> list[Any]:
        return [p for p, _ in self.plan_rows(flt)]

    def assets(
        self,
        *,
        bbox: BBox | None = None,
        owners: Sequence[str] = (),
        asset_types: Sequence[str] = (),
        principal: Any = None,
    ) -> list[Any]:
        c = t.assets.c
        where = _visible(t.assets, principal)
        if owners:
            where.append(c.owner.in_(list(owners)))
        if asset_types:
            where.append(c.asset_type.in_(list(asset_types)))
        mapper = MAPPERS["assets"]
        return [mapper.from_row(r) for r in self._select(mapper, where, bbox)]

    def policy_goals(self, *, bbox: BBox | None = None, principal: Any = None) -> list[Any]:
        mapper = MAPPERS["policy"]
        return [mapper.from_row(r) for r in self._select(mapper, _visible(t.policy_goals, principal), bbox)]

    def areas(self, *, level: str | None = None, bbox: BBox | None = None) -> list[Any]:
        mapper = MAPPERS["areas"]
        where = [t.areas.c.level == level] if level else []
        return [mapper.from_row(r) for r in self._select(mapper, where, bbox)]

    def buildings(self, *, bbox: BBox | None = None) -> list[Any]:
        mapper = MAPPERS["buildings"]
        return [mapper.from_row(r) for r in self._select(mapper, [], bbox)]

    def streets(self, *, bbox: BBox | None = None) -> list[Any]:
        mapper = MAPPERS["streets"]
        return [mapper.from_row(r) for r in self._select(mapper, [], bbox)]

    def organisations(self) -> list[Organisation]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.organisations).order_by(t.organisations.c.code)).all()
        return [Organisation(code=r.code, name=r.name, kind=OrganisationKind(r.kind)) for r in rows]

    def layers(self, *, with_features: bool = True) -> list[EnvironmentLayer]:
        with self.engine.connect() as conn:
            layers = conn.execute(sa.select(t.environment_layers).order_by(t.environment_layers.c.name)).all()
            feats: dict[str, list[EnvironmentFeature]] = defaultdict(list)
            if with_features:
                for r in conn.execute(sa.select(t.environment_features).order_by(t.environment_features.c.pk)):
                    feats[r.layer].append(
                        EnvironmentFeature(
                            id=r.id,
                            value=r.value,
                            value_class=r.value_class,
                            attributes=dict(r.attributes or {}),
                            geometry=r.geometry,
                        )
                    )
        return [
            EnvironmentLayer(
                name=r.name,
                title=r.title,
                unit=r.unit,
                description=r.description,
                higher_is_worse=bool(r.higher_is_worse),
                features=feats.get(r.name, []),
            )
            for r in layers
        ]

    def vital_systems(self) -> list[VitalSystem]:
        with self.engine.connect() as conn:
            systems = conn.execute(sa.select(t.vital_systems).order_by(t.vital_systems.c.pk)).all()
            elements: dict[int, list[VitalElement]] = defaultdict(list)
            for r in conn.execute(sa.select(t.vital_elements).order_by(t.vital_elements.c.pk)):
                elements[r.system_pk].append(
                    VitalElement(
                        id=r.id,
                        system="",
                        kind=r.kind,
                        name=r.name,
                        capacity=r.capacity,
                        load=r.load,
                        unit=r.unit,
                        geometry=r.geometry,
                        service_area=r.service_area,
                    )
                )
        out = []
        for s in systems:
            els = elements.get(s.pk, [])
            for el in els:
                el.system = s.id
            out.append(
                VitalSystem(
                    id=s.id,
                    owner=s.owner,
                    name=s.name,
                    network_type=s.network_type,
                    visibility=Visibility(s.visibility),
                    elements=els,
                )
            )
        return out

    def datasets(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(t.datasets).order_by(t.datasets.c.pk))]

    def counts(self, *, principal: Any = None) -> dict[str, Counter[str]]:
        """Rows per category and owner (of the rows ``principal`` may see, when given)."""
        out: dict[str, Counter[str]] = {}
        with self.engine.connect() as conn:
            for name, table in (
                ("plans", t.plans),
                ("assets", t.assets),
                ("policy", t.policy_goals),
                ("vital", t.vital_systems),
            ):
                query = sa.select(table.c.owner, sa.func.count()).group_by(table.c.owner)
                for clause in _visible(table, principal):
                    query = query.where(clause)
                rows = conn.execute(query).all()
                out[name] = Counter({o: n for o, n in rows})
            out["buildings"] = Counter(
                {"3D": conn.execute(sa.select(sa.func.count()).select_from(t.buildings)).scalar_one()}
            )
            out["streets"] = Counter(
                {"segments": conn.execute(sa.select(sa.func.count()).select_from(t.street_segments)).scalar_one()}
            )
            out["areas"] = Counter(
                {
                    lvl: n
                    for lvl, n in conn.execute(sa.select(t.areas.c.level, sa.func.count()).group_by(t.areas.c.level))
                }
            )
            out["layers"] = Counter(
                {
                    layer: n
                    for layer, n in conn.execute(
                        sa.select(t.environment_features.c.layer, sa.func.count()).group_by(
                            t.environment_features.c.layer
                        )
                    )
                }
            )
            out["organisations"] = Counter(
                {"all": conn.execute(sa.select(sa.func.count()).select_from(t.organisations)).scalar_one()}
            )
        return out

    def audit(self, *, table: str | None = None, key: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        query = sa.select(t.audit_log).order_by(t.audit_log.c.pk.desc()).limit(limit)
        if table:
            query = query.where(t.audit_log.c.table_name == table)
        if key:
            query = query.where(t.audit_log.c.record_key == key)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def data_version(self) -> int:
        """Grows with every write (the audit log's newest entry): a cache key for derived data."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.max(t.audit_log.c.pk))).scalar() or 0)

    def analysis_times(self) -> dict[str, Any]:
        """Kind -> when its newest result was saved (without loading the results)."""
        a = t.analysis_results
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(a.c.kind, sa.func.max(a.c.created_at)).group_by(a.c.kind))
            return {kind: at for kind, at in rows}

    def latest_analysis(self, kind: str) -> dict[str, Any] | None:
        """The newest saved result of an analysis kind (with ``created_at`` and ``actor``), or None."""
        a = t.analysis_results
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(a).where(a.c.kind == kind).order_by(a.c.pk.desc()).limit(1)).first()
        if row is None:
            return None
        return {"kind": row.kind, "created_at": row.created_at, "actor": row.actor, "result": row.result}

    def latest_analysis_parameters(self, kind: str) -> dict[str, Any] | None:
        """The newest saved result of an analysis kind without its records: ``created_at``,
        ``actor`` and the result's ``parameters`` (read by the database's JSON operator, so a
        result of 90,000 pairs is not decoded to learn them), or None."""
        a = t.analysis_results
        query = sa.select(a.c.created_at, a.c.actor, a.c.result["parameters"].label("parameters"))
        with self.engine.connect() as conn:
            row = conn.execute(query.where(a.c.kind == kind).order_by(a.c.pk.desc()).limit(1)).first()
        if row is None:
            return None
        return {"kind": kind, "created_at": row.created_at, "actor": row.actor, "parameters": row.parameters}

    def saved_pairs(self) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]] | None:
        """The plan analysis' pairs as every write keeps them (``analysis_pairs``, issue 12):
        (the parameters they were made with, the coupling records sorted by ``(a, b)``, the
        conflict records sorted by ``(renewal, plan)``), as the spec orders them; None when no
        pairs are saved. One query; the records decoded by orjson, not per row by the ORM."""
        with self.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                'SELECT kind, "first", "second", CAST(record AS TEXT) FROM analysis_pairs'
            ).all()
            params_text = conn.exec_driver_sql("SELECT params FROM analysis_pairs LIMIT 1").scalar()
        if not rows:
            return None
        params = json.loads(params_text)
        params.pop("definition", None)
        rows.sort()  # kind, then the keys: the spec's order (code points, as Python compares text)
        decoded = {}
        for kind in ("coupling", "conflict"):
            texts = ",".join(r[3] for r in rows if r[0] == kind)
            decoded[kind] = orjson.loads(f"[{texts}]")
        return params, decoded["coupling"], decoded["conflict"]

    def content_fingerprint(self) -> str:
        """A hash of all content (not of timestamps): equal for equal data on any engine."""
        import hashlib

        h = hashlib.sha256()
        for kind in ("plans", "assets", "policy", "areas", "streets", "buildings"):
            mapper = MAPPERS[kind]
            for row in self._select(mapper, [], None):
                h.update(repr(sorted(jsonable(mapper.to_row(mapper.from_row(row))).items())).encode())
        return h.hexdigest()


def _visible(table: sa.Table, principal: Any) -> list[Any]:
    """The visibility condition of permissions.py as a where-list (empty: no principal, or the system)."""
    if principal is None:
        return []
    from openruimte.store.permissions import visible_clause

    clause = visible_clause(principal, table)
    return [] if clause is None else [clause]


class StaleVersion(OpenRuimteError):
    """An update or delete named a version that is no longer the current one."""

    code = "stale_version"
    status = 412

    def __init__(self, key: str, current: int | None, expected: int) -> None:
        self.current = current
        self.expected = expected
        super().__init__(f"{key} is at version {current}, not {expected}" if current else f"{key} no longer exists")


def _decode_column(kind: Any, values: list[Any]) -> list[Any]:
    """One column of :meth:`Store.columns` from the driver's values by its column type (SQLite: JSON as
    text, dates as ISO text, booleans as 0/1, geometry as WKB; psycopg: JSON parsed, dates as dates,
    the WKB of ST_AsBinary): JSON as Python values, dates as ISO text, booleans as bool, geometry as
    shapely geometries (RD)."""
    if isinstance(kind, t.GeometryType):
        return list(shapely.from_wkb([bytes(v) if isinstance(v, memoryview) else v for v in values]))
    if isinstance(kind, sa.JSON):
        return [_json_loads(v) if isinstance(v, str | bytes) else v for v in values]
    if isinstance(kind, sa.Date) and not isinstance(kind, sa.DateTime):
        return [v if v is None or (isinstance(v, str) and len(v) == 10) else _iso_date(v) for v in values]
    if isinstance(kind, sa.Boolean):
        return [None if v is None else bool(v) for v in values]
    return values


def _iso_date(value: Any) -> str:
    if isinstance(value, str):  # as SQLAlchemy's SQLite DATE reads it: year-month-day
        year, month, day = (int(part) for part in value.split("-")[:3])
        return dt.date(year, month, day).isoformat()
    return value.isoformat()


def _meta(row: Any) -> RowMeta:
    return RowMeta(
        pk=row.pk,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        source=row.source,
        imported_at=row.imported_at,
        dataset_id=row.dataset_id,
    )


class Writer:
    """The one place where rows are written: spatial index and audit log go along."""

    def __init__(self, conn: sa.Connection, spatial: Spatial, actor: str, principal: Principal | None = None) -> None:
        self.conn = conn
        self.spatial = spatial
        self.actor = actor
        self.principal = principal
        self.now = _now()

    def _may_write(self, owners: Iterable[str | None]) -> None:
        """The one permission check of every write: the principal may write each owner's rows."""
        if self.principal is None:
            return  # the local administrator (CLI, imports, analyses) writes everything
        for owner in sorted({o for o in owners if o is not None}):
            if not self.principal.may_write(owner):
                raise Forbidden(
                    f"only editors and admins of {owner} may change its rows "
                    f"(you are {self.principal.role or 'anonymous'} of {self.principal.org or 'no organisation'})"
                )

    def _audit(
        self, action: str, table: str, key: str, version: int | None, before: Any, after: Any, dataset_id: int | None
    ) -> dict[str, Any]:
        return {
            "at": self.now,
            "actor": self.actor,
            "action": action,
            "table_name": table,
            "record_key": key,
            "version": version,
            "before": before,
            "after": after,
            "dataset_id": dataset_id,
        }

    def _append_audit(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(sa.insert(t.audit_log), rows)

    def audit(self, action: str, table: str, key: str, before: Any = None, after: Any = None) -> None:
        """Log a write made outside the row methods (organisations, users, tokens ...)."""
        before = jsonable(before) if before is not None else None
        after = jsonable(after) if after is not None else None
        self._append_audit([self._audit(action, table, key, None, before, after, None)])

    def _claim(self, plan_key: tuple[str, str], expected_version: int, bump: int) -> Any:
        """Take the row at ``expected_version`` (its version + ``bump``) as the transaction's first write,
        so two writers of one version cannot both pass: the loser finds the version changed."""
        c = t.plans.c
        where = sa.and_(c.owner == plan_key[0], c.id == plan_key[1])
        done = self.conn.execute(
            sa.update(t.plans).where(where, c.version == expected_version).values(version=c.version + bump)
        ).rowcount
        if done != 1:
            current = self.conn.execute(sa.select(c.version).where(where)).scalar()
            raise StaleVersion(":".join(plan_key), current, expected_version)
        return self.conn.execute(sa.select(t.plans).where(where)).one()

    def replace_plan(self, plan: Any, expected_version: int, *, source: str | None = None) -> int:
        """Replace a plan only if it is still at ``expected_version``; returns the new version."""
        self._may_write([plan.owner])
        mapper = MAPPERS["plans"]
        old = self._claim((plan.owner, plan.id), expected_version, 1)
        before_item = mapper.from_row(old)
        row = mapper.to_row(plan)
        before, after = _diff(mapper.to_row(before_item), row)
        row.update(self._row_meta("plans", source, None, created=False))
        row["version"] = expected_version + 1
        self.conn.execute(sa.update(t.plans).where(t.plans.c.pk == old.pk).values(**row))
        self.spatial.index_rows(self.conn, t.plans, [(old.pk, plan.geometry)])
        self._append_audit([self._audit("update", "plans", plan.key, expected_version + 1, before, after, None)])
        self._notify([(before_item, plan)])
        return expected_version + 1

    def delete_plan(self, owner: str, plan_id: str, expected_version: int) -> None:
        """Delete a plan only if it is still at ``expected_version``."""
        self._may_write([owner])
        self._claim((owner, plan_id), expected_version, 0)
        self.delete("plans", (owner, plan_id))

    def add_dataset(self, dataset: Dataset, rows: int) -> int:
        values = dataset.to_record()
        values.update(imported_at=self.now, actor=self.actor, rows=rows)
        pk = self.conn.execute(sa.insert(t.datasets).returning(t.datasets.c.pk), values).scalar_one()
        self._append_audit([self._audit("import", "datasets", str(pk), None, None, jsonable(values), pk)])
        return int(pk)

    def finish_dataset(self, dataset_id: int, *, rows: int, snapshot_date: dt.date | None) -> None:
        """Record what a streamed import wrote, once it has all been read."""
        self.conn.execute(
            sa.update(t.datasets).where(t.datasets.c.pk == dataset_id).values(rows=rows, snapshot_date=snapshot_date)
        )

    def upsert_organisations(self, orgs: Sequence[Organisation]) -> WriteSummary:
        summary = WriteSummary("organisations")
        existing = {r.code: r for r in self.conn.execute(sa.select(t.organisations))}
        audit = []
        for org in orgs:
            rec = org.to_record()
            old = existing.get(org.code)
            if old is None:
                self.conn.execute(sa.insert(t.organisations), {**rec, "created_at": self.now})
                audit.append(self._audit("insert", "organisations", org.code, None, None, rec, None))
                summary.inserted += 1
            elif (old.name, old.kind) != (org.name, str(org.kind)):
                self.conn.execute(
                    sa.update(t.organisations)
                    .where(t.organisations.c.code == org.code)
                    .values(name=org.name, kind=str(org.kind))
                )
                audit.append(
                    self._audit(
                        "update", "organisations", org.code, None, {"name": old.name, "kind": old.kind}, rec, None
                    )
                )
                summary.updated += 1
            else:
                summary.unchanged += 1
        self._append_audit(audit)
        return summary

    def upsert(
        self, kind: str, items: Sequence[Any], *, dataset_id: int | None = None, source: str | None = None
    ) -> WriteSummary:
        """Insert new records, update changed ones (version + 1), leave equal ones."""
        self._may_write(getattr(item, "owner", None) for item in items)
        if kind == "layer":
            return self._replace_layers(items, dataset_id)
        if kind == "vital":
            return self._upsert_vital(items, dataset_id, source)
        mapper = MAPPERS[kind]
        table = mapper.table
        summary = WriteSummary(kind, dataset_id=dataset_id)
        existing = self._existing(mapper, items)
        inserts: list[dict[str, Any]] = []
        insert_items: list[Any] = []
        audit: list[dict[str, Any]] = []
        touched: list[tuple[int, Any]] = []
        changed_plans: list[tuple[Any, Any]] = []
        for item in items:
            key = mapper.key(item)
            row = mapper.to_row(item)
            old = existing.get(key)
            if old is None:
                row.update(self._row_meta(kind, source, dataset_id, created=True))
                inserts.append(row)
                insert_items.append(item)
                continue
            before_item = mapper.from_row(old)
            if before_item == item:
                summary.unchanged += 1
                continue
            before, after = _diff(mapper.to_row(before_item), row)
            row.update(self._row_meta(kind, source, dataset_id, created=False))
            if "version" in table.c:
                row["version"] = old.version + 1
            self.conn.execute(sa.update(table).where(table.c.pk == old.pk).values(**row))
            touched.append((old.pk, item.geometry))
            if kind == "plans":
                changed_plans.append((before_item, item))
            audit.append(
                self._audit(
                    "update", table.name, mapper.record_key(item), row.get("version"), before, after, dataset_id
                )
            )
            summary.updated += 1
        if inserts:
            result = self.conn.execute(sa.insert(table).returning(table.c.pk, sort_by_parameter_order=True), inserts)
            pks = [r[0] for r in result]
            for pk, item in zip(pks, insert_items, strict=True):
                touched.append((pk, item.geometry))
                audit.append(
                    self._audit(
                        "insert",
                        table.name,
                        mapper.record_key(item),
                        1,
                        None,
                        jsonable(mapper.to_row(item)),
                        dataset_id,
                    )
                )
            summary.inserted = len(inserts)
            if kind == "plans":  # new plans too: (None, plan)
                changed_plans.extend((None, item) for item in insert_items)
        self.spatial.index_rows(self.conn, table, touched)
        self._append_audit(audit)
        if changed_plans:
            self._notify(changed_plans)
        summary.keys = [mapper.record_key(i) for i in items]
        return summary

    def save_analysis(self, kind: str, parameters: dict[str, Any], result: dict[str, Any]) -> int:
        """Keep an analysis result (the map shows the newest of each kind)."""
        values = {"kind": kind, "created_at": self.now, "actor": self.actor, "parameters": parameters, "result": result}
        pk = self.conn.execute(sa.insert(t.analysis_results).returning(t.analysis_results.c.pk), values).scalar_one()
        self._append_audit(
            [self._audit("insert", "analysis_results", kind, None, None, {"pk": pk, **parameters}, None)]
        )
        return int(pk)

    def delete(self, kind: str, key: tuple[Any, ...]) -> bool:
        if "owner" in MAPPERS[kind].key_columns:
            self._may_write([key[list(MAPPERS[kind].key_columns).index("owner")]])
        mapper = MAPPERS[kind]
        table = mapper.table
        where = sa.and_(*(table.c[c] == v for c, v in zip(mapper.key_columns, key, strict=True)))
        old = self.conn.execute(sa.select(table).where(where)).first()
        if old is None:
            return False
        self.conn.execute(sa.delete(table).where(table.c.pk == old.pk))
        self.spatial.unindex_rows(self.conn, table, [old.pk])
        before_item = mapper.from_row(old)
        before = jsonable(mapper.to_row(before_item))
        if kind == "plans":
            self._notify([(before_item, None)])
        self._append_audit(
            [
                self._audit(
                    "delete", table.name, ":".join(map(str, key)), getattr(old, "version", None), before, None, None
                )
            ]
        )
        return True

    def _notify(self, changes: list[tuple[Any, Any]]) -> None:
        """Tell the change hooks (:mod:`openruimte.store.hooks`) of changed plans, in this
        transaction: a change and what the hooks write (notifications) commit together."""
        hooks.changed(self, "plans", changes)

    def _row_meta(self, kind: str, source: str | None, dataset_id: int | None, *, created: bool) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "updated_at": self.now,
            "source": source,
            "imported_at": self.now if source else None,
            "dataset_id": dataset_id,
        }
        if created:
            meta["created_at"] = self.now
            meta["version"] = 1
        return meta

    def _existing(self, mapper: Mapper, items: Sequence[Any]) -> dict[tuple[Any, ...], Any]:
        """The stored rows with the keys of ``items``, looked up on the whole key (owner AND id
        chunks): a streamed import then reads only its batch, not every row of its owners."""
        table = mapper.table
        *heads, last = mapper.key_columns
        groups: dict[tuple[Any, ...], set[Any]] = defaultdict(set)
        for item in items:
            groups[tuple(getattr(item, c) for c in heads)].add(getattr(item, last))
        out: dict[tuple[Any, ...], Any] = {}
        for head, lasts in groups.items():
            values = sorted(lasts)
            for i in range(0, len(values), 500):
                where = [table.c[c] == v for c, v in zip(heads, head, strict=True)]
                where.append(table.c[last].in_(values[i : i + 500]))
                for row in self.conn.execute(sa.select(table).where(*where)):
                    out[tuple(getattr(row, c) for c in mapper.key_columns)] = row
        return out

    def _replace_layers(self, layers: Sequence[EnvironmentLayer], dataset_id: int | None) -> WriteSummary:
        summary = WriteSummary("layer", dataset_id=dataset_id)
        for layer in layers:
            existed = self.conn.execute(
                sa.select(t.environment_layers.c.name).where(t.environment_layers.c.name == layer.name)
            ).first()
            old_pks = [
                r[0]
                for r in self.conn.execute(
                    sa.select(t.environment_features.c.pk).where(t.environment_features.c.layer == layer.name)
                )
            ]
            self.conn.execute(sa.delete(t.environment_features).where(t.environment_features.c.layer == layer.name))
            self.spatial.unindex_rows(self.conn, t.environment_features, old_pks)
            values = {**layer.to_record(), "dataset_id": dataset_id, "updated_at": self.now}
            if existed:
                self.conn.execute(
                    sa.update(t.environment_layers).where(t.environment_layers.c.name == layer.name).values(**values)
                )
            else:
                self.conn.execute(sa.insert(t.environment_layers), {**values, "created_at": self.now})
            rows = [{**f.to_record(), "layer": layer.name} for f in layer.features]
            if rows:
                pks = [
                    r[0]
                    for r in self.conn.execute(
                        sa.insert(t.environment_features).returning(
                            t.environment_features.c.pk, sort_by_parameter_order=True
                        ),
                        rows,
                    )
                ]
                self.spatial.index_rows(
                    self.conn, t.environment_features, zip(pks, [f.geometry for f in layer.features], strict=True)
                )
            action = "update" if existed else "insert"
            self._append_audit(
                [
                    self._audit(
                        action,
                        "environment_layers",
                        layer.name,
                        None,
                        None,
                        {**jsonable(layer.to_record()), "features": len(rows)},
                        dataset_id,
                    )
                ]
            )
            summary.inserted += len(rows)
            summary.keys.append(layer.name)
        return summary

    def _upsert_vital(self, systems: Sequence[VitalSystem], dataset_id: int | None, source: str | None) -> WriteSummary:
        summary = WriteSummary("vital", dataset_id=dataset_id)
        vs, ve = t.vital_systems, t.vital_elements
        for system in systems:
            old = self.conn.execute(sa.select(vs).where(vs.c.owner == system.owner, vs.c.id == system.id)).first()
            values = {**system.to_record(), **self._row_meta("vital", source, dataset_id, created=old is None)}
            if old is None:
                pk = self.conn.execute(sa.insert(vs).returning(vs.c.pk), values).scalar_one()
            else:
                pk = old.pk
                values["version"] = old.version + 1
                self.conn.execute(sa.update(vs).where(vs.c.pk == pk).values(**values))
                old_pks = [r[0] for r in self.conn.execute(sa.select(ve.c.pk).where(ve.c.system_pk == pk))]
                self.conn.execute(sa.delete(ve).where(ve.c.system_pk == pk))
                self.spatial.unindex_rows(self.conn, ve, old_pks)
            rows = []
            for el in system.elements:
                rec = el.to_record()
                rec.pop("system")
                rows.append({**rec, "system_pk": pk})
            if rows:
                pks = [
                    r[0]
                    for r in self.conn.execute(sa.insert(ve).returning(ve.c.pk, sort_by_parameter_order=True), rows)
                ]
                self.spatial.index_rows(self.conn, ve, zip(pks, [e.geometry for e in system.elements], strict=True))
            self._append_audit(
                [
                    self._audit(
                        "insert" if old is None else "update",
                        "vital_systems",
                        system.key,
                        values.get("version"),
                        None,
                        {**jsonable(system.to_record()), "elements": len(rows)},
                        dataset_id,
                    )
                ]
            )
            summary.inserted += 1 if old is None else 0
            summary.updated += 0 if old is None else 1
            summary.keys.append(system.key)
        return summary


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    changed = [k for k in after if before.get(k) != after.get(k)]
    return jsonable({k: before.get(k) for k in changed}), jsonable({k: after.get(k) for k in changed})
