"""The plan analysis over Dask workers (``openruimte analyse --engine dask``, issue 12).

The plans are cut into spatial partitions with a halo of the search distance
(:mod:`openruimte.analysis.partition`); each partition goes to a worker as its
own columns and runs the same kernel as one machine; the client merges the pairs
in key order. The result is identical to ``--engine local`` (a test checks it on
random plans with partition borders crossing plans).

Without ``--scheduler`` a ``LocalCluster`` is started on this machine (one
process per worker, one thread each: the GEOS calls hold the GIL). With
``--scheduler tcp://HOST:8786`` the work goes to a running cluster: start it with
``dask scheduler`` on one machine and ``dask worker tcp://HOST:8786 --nthreads 1``
on each of the others, with the same ``openruimte`` version installed everywhere
(the kernel is sent by reference to its module).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from openruimte.analysis.arrays import PlanColumns
from openruimte.analysis.pairs import Parameters
from openruimte.analysis.partition import Merged, PartPairs, merge, pairs_of_partition, partitions

#: plans per partition (a partition's columns and tree fit easily in a worker's memory)
PLANS_PER_PARTITION = 50_000

Finder = Callable[[PlanColumns, Parameters], Merged]


def _kernel(cols: PlanColumns, rows: np.ndarray, owned: np.ndarray, params: Parameters) -> PartPairs:
    """One partition on a worker: its pairs and their records (shared lengths, scores,
    explanations: the costly part), so the client only merges."""
    return pairs_of_partition(cols, rows, owned, params, records=True)


def partition_count(n: int, workers: int) -> int:
    """At least two partitions per worker (so a slow worker does not hold up the rest),
    and no more plans per partition than :data:`PLANS_PER_PARTITION`."""
    return max(2 * workers, -(-n // PLANS_PER_PARTITION), 1)


def _peak_rss_mb() -> float:
    """This worker process's peak resident memory (VmHWM), MB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def find_with_client(
    client: Any, cols: PlanColumns, params: Parameters, parts: int | None = None, stats: dict[str, Any] | None = None
) -> Merged:
    """The pairs of ``cols`` and their records, computed on the workers of ``client``
    (a ``distributed.Client``), merged in key order."""
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    parts = parts or partition_count(len(cols), workers)
    reach = max(params.max_distance_m, params.graafrust_distance_m)
    parts_list = partitions(cols, parts, reach)
    # at most two partitions per worker in flight: a worker holds its current inputs, not all of them
    from distributed import as_completed

    def submit(p: Any) -> Any:
        # the partition's columns go to a worker directly (scatter), not inside the task graph
        data = client.scatter(cols.take(p.rows), direct=True, hash=False)
        return client.submit(_kernel, data, p.rows, p.owned, params, key=f"openruimte-pairs-{p.number}", pure=False)

    pending = list(parts_list)
    window = as_completed([submit(pending.pop(0)) for _ in range(min(len(pending), 2 * workers))])
    found = []
    for future in window:
        found.append(future.result())
        future.release()
        if pending:
            window.add(submit(pending.pop(0)))
    futures = parts_list
    if stats is not None:
        stats.update(workers=workers, partitions=len(futures), plans_sent=int(sum(len(p.rows) for p in parts_list)))
        try:
            stats["worker_peak_mb"] = sorted(client.run(_peak_rss_mb).values())
        except Exception:  # noqa: BLE001 - a figure for the user, not the result
            stats["worker_peak_mb"] = []
    return merge(cols, list(found))


@contextmanager
def dask_finder(
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    processes: bool = True,
    parts: int | None = None,
    stats: dict[str, Any] | None = None,
) -> Iterator[Finder]:
    """A pair finder on a Dask cluster: the one at ``scheduler``, else a ``LocalCluster``
    of ``workers`` workers (default 2) that is closed afterwards. ``stats`` (a dict) receives
    the number of workers and partitions, the plans sent (halos included) and each
    worker's peak memory."""
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=workers or 2, threads_per_worker=1, processes=processes, dashboard_address=":0"
        )
        client = Client(cluster)
    try:
        yield lambda cols, params: find_with_client(client, cols, params, parts, stats)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
