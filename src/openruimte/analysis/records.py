"""The result encoding of the plan analysis, from columns (issue 12).

The same records as :func:`openruimte.analysis.couplings.analyse_plans` (score,
explanation, Dutch text: identical, a test compares them byte for byte), but from
:class:`PlanColumns` instead of a ``Plan`` object per row, in chunks, encoded with
orjson and streamed to a file, so a million plans never hold a million dicts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from openruimte.analysis.arrays import PlanColumns
from openruimte.analysis.couplings import UnitCosts, _eur, score, shared_length
from openruimte.analysis.pairs import Conflicts, Couplings, Parameters, Progress, find_conflicts, find_couplings

#: pairs per chunk (explanations are built and written a chunk at a time)
CHUNK = 25_000
#: pairs per shared-length task on the background threads (a divisor of CHUNK)
SHARED_CHUNK = 5_000


@dataclass
class ColumnAnalysis:
    """Couplings and conflicts as row indices into ``cols``; records made on demand."""

    parameters: Parameters
    cols: PlanColumns
    couplings: Couplings
    conflicts: Conflicts
    costs: UnitCosts
    _document: dict[str, Any] | None = field(default=None, repr=False)
    #: the records already encoded (orjson), in pair order, when an engine made them (Dask workers)
    coupling_json: list[bytes] | None = field(default=None, repr=False)
    conflict_json: list[bytes] | None = field(default=None, repr=False)
    #: the shared lengths per SHARED_CHUNK couplings, being computed (:meth:`start_shared`)
    _shared: list[Any] | None = field(default=None, repr=False)

    @property
    def plans(self) -> int:
        return len(self.cols)

    @property
    def unscheduled(self) -> list[str]:
        return sorted(self.cols.keys[~self.cols.scheduled].tolist())

    def start_shared(self) -> None:
        """Start computing the shared lengths of every chunk of couplings on the
        background threads (numpy and GEOS without the GIL), so they run while the
        conflicts are found and the records made; :meth:`coupling_chunks` takes them
        in order. Each pair's value depends on that pair alone: the same values as
        computed in one piece."""
        from openruimte.analysis.threads import background

        if self._shared is not None or self.coupling_json is not None:
            return
        c, d = self.couplings, self.parameters.max_distance_m
        pool = background()
        self._shared = [
            pool.submit(shared_length, self.cols.geoms, c.a[lo : lo + SHARED_CHUNK], c.b[lo : lo + SHARED_CHUNK], d)
            for lo in range(0, len(c.a), SHARED_CHUNK)
        ]

    def coupling_chunks(self, size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
        """The coupling records a chunk at a time (the shared lengths from :meth:`start_shared`)."""
        if self.coupling_json is not None:
            yield from _decoded(self.coupling_json, size)
            return
        self.start_shared()
        assert self._shared is not None
        c = self.couplings
        step = max(1, size // SHARED_CHUNK)
        for i in range(0, len(self._shared), step):
            lo, hi = i * SHARED_CHUNK, min(len(c.a), (i + step) * SHARED_CHUNK)
            shared = np.concatenate([f.result() for f in self._shared[i : i + step]])
            part = Couplings(c.a[lo:hi], c.b[lo:hi], c.distance_m[lo:hi], c.gap_days[lo:hi])
            yield coupling_records(self.cols, part, self.parameters, self.costs, shared=shared)

    def conflict_chunks(self, size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
        if self.conflict_json is not None:
            yield from _decoded(self.conflict_json, size)
            return
        k = self.conflicts
        for lo in range(0, len(k.renewal), size):
            part = Conflicts(
                k.renewal[lo : lo + size],
                k.plan[lo : lo + size],
                k.distance_m[lo : lo + size],
                k.overlap_days[lo : lo + size],
            )
            yield conflict_records(self.cols, part, self.parameters)

    def to_json(self) -> dict[str, Any]:
        """The whole result as one document (in memory, kept: :meth:`write` then writes it
        instead of making the records again; without it, :meth:`write` streams)."""
        if self._document is None:
            self._document = self._make_document()
        return self._document

    def _make_document(self) -> dict[str, Any]:
        return {
            "parameters": self.parameters.as_dict(),
            "plans": self.plans,
            "unscheduled": self.unscheduled,
            "couplings": [r for chunk in self.coupling_chunks() for r in chunk],
            "conflicts": [r for chunk in self.conflict_chunks() for r in chunk],
        }

    def write(self, out: Path | IO[bytes], progress: Progress | None = None) -> None:
        """The spec's result encoding as compact JSON, streamed; the same bytes as
        ``orjson.dumps(self.to_json())``."""
        if isinstance(out, Path):
            with out.open("wb") as f:
                self.write(f, progress)
            return
        import orjson

        if self._document is None and self.coupling_json is not None and self.conflict_json is not None:
            head = orjson.dumps(
                {"parameters": self.parameters.as_dict(), "plans": self.plans, "unscheduled": self.unscheduled}
            )
            out.write(head[:-1] + b',"couplings":[')
            for lo in range(0, len(self.coupling_json), CHUNK):
                out.write((b"," if lo else b"") + b",".join(self.coupling_json[lo : lo + CHUNK]))
            out.write(b'],"conflicts":[')
            out.write(b",".join(self.conflict_json))
            out.write(b"]}")
            if progress:
                progress(len(self.coupling_json) + len(self.conflict_json))
            return
        if self._document is not None:
            out.write(orjson.dumps(self._document))
            if progress:
                progress(len(self.couplings.a) + len(self.conflicts.renewal))
            return

        head = orjson.dumps(
            {"parameters": self.parameters.as_dict(), "plans": self.plans, "unscheduled": self.unscheduled}
        )
        out.write(head[:-1] + b',"couplings":[')
        _write_chunks(out, self.coupling_chunks(SHARED_CHUNK), progress)  # records start after the first task
        out.write(b'],"conflicts":[')
        _write_chunks(out, self.conflict_chunks(), progress)
        out.write(b"]}")


def _decoded(encoded: list[bytes], size: int) -> Iterator[list[dict[str, Any]]]:
    import orjson

    for lo in range(0, len(encoded), size):
        yield [orjson.loads(b) for b in encoded[lo : lo + size]]


def _write_chunks(out: IO[bytes], chunks: Iterator[list[dict[str, Any]]], progress: Progress | None) -> None:
    import orjson

    first = True
    for chunk in chunks:
        if not chunk:
            continue
        if not first:
            out.write(b",")
        out.write(orjson.dumps(chunk)[1:-1])
        first = False
        if progress:
            progress(len(chunk))


def analyse_columns(
    cols: PlanColumns,
    params: Parameters | None = None,
    *,
    costs: UnitCosts | None = None,
    progress: Progress | None = None,
    finder: Callable[[PlanColumns, Parameters], Any] | None = None,
) -> ColumnAnalysis:
    """Couplings and no-dig conflicts among the plans of ``cols`` (``finder``: another
    engine for the pairs, e.g. the Dask one; the default is this process)."""
    params = params or Parameters()
    if finder is None:
        couplings = find_couplings(cols, params, progress)
        empty = Conflicts(*(np.empty(0, np.int64),) * 4)
        result = ColumnAnalysis(params, cols, couplings, empty, costs or UnitCosts())
        result.start_shared()  # while the conflicts are found
        result.conflicts = find_conflicts(cols, params, progress)
        return result
    found = finder(cols, params)
    if isinstance(found, tuple):
        couplings, conflicts = found
    else:  # partition.Merged, with the records made by the partitions
        result = ColumnAnalysis(params, cols, found.couplings, found.conflicts, costs or UnitCosts())
        result.coupling_json, result.conflict_json = found.coupling_json, found.conflict_json
        return result
    return ColumnAnalysis(params, cols, couplings, conflicts, costs or UnitCosts())


# --------------------------------------------------------------------------- records


def coupling_records(
    cols: PlanColumns, c: Couplings, params: Parameters, costs: UnitCosts, *, shared: np.ndarray | None = None
) -> list[dict[str, Any]]:
    """As ``couplings._coupling_records``, from columns (``shared``: the shared lengths, when known)."""
    if cols.asset_types is None:
        raise ValueError("the columns carry no asset types (PlanColumns.asset_types) for the explanations")
    if shared is None:
        shared = shared_length(cols.geoms, c.a, c.b, params.max_distance_m)
    start, end = cols.start, cols.end
    overlap = np.maximum(0, np.minimum(end[c.a], end[c.b]) - np.maximum(start[c.a], start[c.b]) + 1)
    saving = costs.saving(shared)
    scores = score(c.distance_m, c.gap_days, shared, params)
    # per pair, gathered once as Python objects (no numpy indexing in the loop)
    key_a, key_b = cols.keys[c.a].tolist(), cols.keys[c.b].tolist()
    own_a, own_b = cols.owners[c.a].tolist(), cols.owners[c.b].tolist()
    typ_a, typ_b = cols.asset_types[c.a].tolist(), cols.asset_types[c.b].tolist()
    who: dict[tuple[str, tuple[str, ...]], str] = {}
    union: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = {}
    overlap_text: dict[int, str] = {}
    gap_text: dict[int, str] = {}
    saving_text: dict[tuple[float, float], str] = {}
    out = []
    for ka, kb, oa, ob, ta, tb, dist, gap, sh, ov, sav, sc in zip(
        key_a,
        key_b,
        own_a,
        own_b,
        typ_a,
        typ_b,
        c.distance_m.tolist(),
        c.gap_days.tolist(),
        shared.tolist(),
        overlap.tolist(),
        saving.tolist(),
        scores.tolist(),
        strict=True,
    ):
        shared_m = round(sh, 1)
        saving_eur = round(sav, -2)
        wa = who.get((oa, ta))
        if wa is None:
            wa = who[(oa, ta)] = f"{oa} ({', '.join(ta)})"
        wb = who.get((ob, tb))
        if wb is None:
            wb = who[(ob, tb)] = f"{ob} ({', '.join(tb)})"
        types = union.get((ta, tb))
        if types is None:
            types = union[(ta, tb)] = sorted(set(ta) | set(tb))
        where = "op dezelfde plek" if dist == 0 else f"op {dist:.1f} m van elkaar".replace(".", ",")
        # the sentence parts that repeat (days, metres and euros), made once per value
        when = (overlap_text if gap == 0 else gap_text).get(ov if gap == 0 else gap)
        if when is None:
            when = f"de uitvoering overlapt {ov} dagen." if gap == 0 else f"{gap} dagen na elkaar."
            (overlap_text if gap == 0 else gap_text)[ov if gap == 0 else gap] = when
        text = f"{wa} en {wb} werken {where}; {when}"
        if shared_m > 0:
            sentence = saving_text.get((shared_m, saving_eur))
            if sentence is None:
                sentence = saving_text[(shared_m, saving_eur)] = (
                    f" Samen één sleuf over ca. {shared_m:.0f} m bespaart ongeveer {_eur(saving_eur)}"
                    " aan graaf- en straatwerk."
                )
            text += sentence
        out.append(
            {
                "a": ka,
                "b": kb,
                "distance_m": round(dist, 3),
                "gap_days": gap,
                "score": sc,
                "explanation": {
                    "shared_m": shared_m,
                    "overlap_days": ov,
                    "parties": [oa, ob] if oa < ob else ([ob, oa] if ob < oa else [oa]),
                    "asset_types": list(types),
                    "saving_eur": saving_eur,
                    "text": text,
                },
            }
        )
    return out


def conflict_records(cols: PlanColumns, k: Conflicts, params: Parameters) -> list[dict[str, Any]]:
    """As ``couplings._conflict_records``, from columns."""
    keys, owners = cols.keys, cols.owners
    iso: dict[int, str] = {}

    def day(n: int) -> str:
        s = iso.get(n)
        if s is None:
            s = iso[n] = dt.date.fromordinal(n).isoformat()
        return s

    out = []
    for ir, ix, dist, ov in zip(
        k.renewal.tolist(), k.plan.tolist(), k.distance_m.tolist(), k.overlap_days.tolist(), strict=True
    ):
        end_r = int(cols.end[ir])
        first, last = day(end_r + 1), day(end_r + params.graafrust_days)
        out.append(
            {
                "renewal": str(keys[ir]),
                "plan": str(keys[ix]),
                "distance_m": round(dist, 3),
                "overlap_days": ov,
                "explanation": {
                    "no_dig_from": first,
                    "no_dig_to": last,
                    "text": (
                        f"{owners[ix]} graaft ({day(int(cols.start[ix]))} t/m {day(int(cols.end[ix]))}) waar "
                        f"{owners[ir]} net nieuw bestraat heeft; "
                        f"graafrust van {first} t/m {last}: {ov} dagen overlap."
                    ),
                },
            }
        )
    return out
