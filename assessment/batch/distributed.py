"""The batch on an existing Dask cluster: ``support-excellence batch ... --scheduler
tcp://HOST:PORT`` (or ``SUPPORT_EXCELLENCE_SCHEDULER``); see docs/distributed.md.

Only the executor changes: :func:`connect` reaches the scheduler and registers
:class:`KernelPlugin` on every worker (present and future), and :class:`DaskPool` submits the
runner's jobs through ``Client.get_executor()``, whose futures are ``concurrent.futures`` ones,
so :func:`assessment.batch.runner.run_batch` drives them exactly as it drives its local
process pool. (This module does not import the runner: the runner hands it the job
function.) Each Dask worker keeps warm kernels in its plugin's
:class:`~assessment.batch.kernel.KernelPool`: one per thread running a notebook, reset between
notebooks, replaced when one dies or times out. A job runs in a temporary folder of its worker
and is published from ``OUT/.staging`` by a rename (see the runner's publishing).

``--out`` is a path every worker sees the same way (one machine, or a shared file system
mounted at the same place); intakes may also be fsspec URLs, read by their worker (the
runner's ``_fetch_intake``). Publishing to object storage is not supported yet.

Dask, distributed and fsspec are an optional extra (``pip install
'support-excellence[dask]'``), imported only when a scheduler is given: the local batch runs
without them.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Future
from typing import Any

from assessment.batch.kernel import POOL, KernelPool, quiet_worker
from assessment.batch.report import JobResult

#: The runner's job function: a job, and the kernels to run it on.
RunJob = Callable[[Any, KernelPool], JobResult]

#: The environment variable read when ``--scheduler`` is not given; empty means local.
ENV_VAR = "SUPPORT_EXCELLENCE_SCHEDULER"
INSTALL = "pip install 'support-excellence[dask]'"
PLUGIN_NAME = "support-excellence-kernels"
#: Seconds to reach the scheduler, and to wait for its first worker.
CONNECT_TIMEOUT = 30


class ClusterUnavailable(Exception):
    """No cluster to run on: Dask not installed, the scheduler unreachable, no worker. A usage
    problem, found before anything is written."""


class ClusterLost(Exception):
    """The scheduler went away mid-batch: the batch ends, with what was published kept and
    nothing half-written."""


def scheduler_address(option: str | None) -> str | None:
    """``--scheduler`` if given, else ``SUPPORT_EXCELLENCE_SCHEDULER``; None (the local
    pool) when both are unset or empty."""
    value = option if option is not None else os.environ.get(ENV_VAR, "")
    return value.strip() or None


class KernelPlugin:
    """Registered on every Dask worker: its warm kernels, closed with the worker.

    A plain class with the hooks of ``distributed.WorkerPlugin`` (made its subclass by
    :func:`_plugin_class`, so that this module imports without Dask)."""

    name = PLUGIN_NAME

    def setup(self, worker: Any) -> None:
        quiet_worker()
        self.pool = KernelPool()

    def teardown(self, worker: Any) -> None:
        pool = getattr(self, "pool", None)
        if pool is not None:
            pool.close()


def _plugin_class() -> type:
    from distributed import WorkerPlugin

    return type("SupportExcellenceKernels", (KernelPlugin, WorkerPlugin),
                {"__module__": __name__})


def run_on_worker(run: RunJob, job: Any) -> JobResult:
    """``run(job)`` on this Dask worker, with a kernel of its plugin's pool."""
    from distributed import get_worker

    try:
        plugin = get_worker().plugins.get(PLUGIN_NAME)
    except ValueError:  # not on a worker (tests calling it directly)
        plugin = None
    pool = getattr(plugin, "pool", None)
    return run(job, pool if isinstance(pool, KernelPool) else POOL)


class DaskPool:
    """The runner's executor on a Dask cluster: ``submit(job)`` runs ``run(job, kernels)`` on
    a worker."""

    def __init__(self, client: Any, address: str, run: RunJob) -> None:
        self.client, self.address, self.run = client, address, run
        self.executor = client.get_executor(pure=False)
        self.workers = sum(int(w.get("nthreads", 1)) for w in
                           client.scheduler_info()["workers"].values()) or 1

    def submit(self, job: Any) -> Future[JobResult]:
        return self.executor.submit(run_on_worker, self.run, job)

    def check(self, exc: BaseException) -> None:
        """A cancelled job or a client that is no longer running: the scheduler is gone.
        (A killed worker is not: the scheduler re-runs its jobs elsewhere, and only a job
        that killed several workers comes back failed, as ``KilledWorker``.)"""
        if isinstance(exc, CancelledError) or self.client.status != "running":
            raise ClusterLost(f"lost the Dask scheduler at {self.address} mid-batch") from exc


class Cluster:
    """A connection to a Dask scheduler, for the length of one batch."""

    def __init__(self, client: Any, address: str) -> None:
        self.client, self.address = client, address

    @contextlib.contextmanager
    def executor(self, run: RunJob) -> Iterator[DaskPool]:
        pool = DaskPool(self.client, self.address, run)
        try:
            yield pool
        finally:
            pool.executor.shutdown(wait=False)


@contextlib.contextmanager
def connect(address: str) -> Iterator[Cluster]:
    """A client of the scheduler at ``address`` with :class:`KernelPlugin` on its workers; a
    :class:`ClusterUnavailable` naming the fix when Dask is not installed, the scheduler
    cannot be reached, or it has no worker."""
    try:
        import distributed
    except ImportError:
        raise ClusterUnavailable(f"--scheduler {address}: running the batch on a Dask cluster "
                                 f"needs Dask; install it with: {INSTALL}") from None
    # the client logs every lost connection and retry: the batch says it in one line instead
    for name in ["distributed", "tornado", *logging.root.manager.loggerDict]:
        if name.split(".")[0] in ("distributed", "tornado"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterUnavailable(f"--scheduler: cannot reach a Dask scheduler at {address} "
                         f"({exc}); start one ('dask scheduler') and give its address, "
                         "tcp://HOST:PORT") from None
    try:
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except (TimeoutError, OSError):
            raise ClusterUnavailable(f"--scheduler: the Dask scheduler at {address} has no worker; "
                             f"start some ('dask worker {address}')") from None
        client.register_plugin(_plugin_class()(), name=PLUGIN_NAME)
        yield Cluster(client, address)
    finally:
        with contextlib.suppress(Exception):
            client.close(timeout=5)

