"""Warm kernels for the batch workers: Jupyter kernels kept across notebooks.

:func:`init_worker` prepares a local worker process (quiet logging, exit with the batch);
:class:`KernelPool` hands a warm kernel to each notebook a process runs at a time (one for a
local worker process, one per thread for a Dask worker, see :mod:`assessment.batch.distributed`),
starting one with the toolkit already imported when none is idle; :meth:`WarmKernel.reset`
wipes the user namespace between two notebooks; a kernel that died or hung is given back as
broken and shut down, so that the next notebook gets a fresh one. papermill drives the kernel
through :attr:`WarmKernel.km`.
"""

from __future__ import annotations

import contextlib
import logging
import math
import multiprocessing.util
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

KERNEL_NAME = "python3"
#: Imported into every new kernel before its first notebook, outside the cell timeout.
WARM_IMPORTS = ("assessment.pipeline", "assessment.scorecard.excel", "assessment.scorecard.html",
                "assessment.scorecard.summary", "assessment.interactive.display",
                "assessment.portfolio.report", "assessment.portfolio.charts")
#: Seconds a kernel may take to start, or to reset between notebooks.
START_TIMEOUT = 120.0


def quiet_worker() -> None:
    """Quiet papermill's logging, and spare the import of a grammar nobody uses."""
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    # papermill -> nbformat -> jsonschema builds a grammar for its optional IRI format check
    # at import (~2 s); notebook validation never checks formats, so workers go without it
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def init_worker(parent: int) -> None:
    """Prepare a local worker process: quiet, and dying with the batch (no orphan keeps
    writing)."""
    quiet_worker()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)  # our kernel notices we are gone and exits too

    threading.Thread(target=watch, daemon=True).start()
    multiprocessing.util.Finalize(None, POOL.close, exitpriority=10)


class WarmKernel:
    """A started kernel, its one connected client, and the clean-up between notebooks.

    nbclient never shuts down a kernel manager it was given (``owns_km`` is false), but it
    asks the manager for a client and starts that client's channels for every notebook; the
    manager therefore hands out one shared client whose channels start once, so no socket or
    heartbeat thread is left behind per notebook.
    """

    def __init__(self, name: str = KERNEL_NAME) -> None:
        import subprocess

        from jupyter_core.utils import run_sync

        self._sync = run_sync
        self.cwd = os.getcwd()
        self.km = kernel_manager(name)
        run_sync(self.km.start_kernel)(
            extra_arguments=["--HistoryManager.hist_file=:memory:"], cwd=self.cwd,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.kc = self.km.client()
        try:
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=START_TIMEOUT)
        except BaseException:
            self.shutdown()
            raise
        self.pid: int | None = getattr(self.km.provisioner, "pid", None)
        # Import the toolkit once, without waiting: the kernel works on them while the
        # worker imports papermill, and the first reset() queues behind them. Freezing moves
        # those objects out of reach of later collections, keeping reset()'s gc.collect cheap.
        self.kc.execute("\n".join([*(f"try:\n    import {m}\nexcept ImportError:\n    pass"
                                     for m in WARM_IMPORTS), "import gc", "gc.collect()",
                                   "gc.freeze()"]), silent=True, store_history=False)

    def run(self, code: str, timeout: float) -> None:
        """Run ``code`` silently; raise if it fails."""
        reply = self._sync(self.kc.execute_interactive)(
            code, silent=True, store_history=False, timeout=timeout,
            output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"kernel set-up failed: {reply['content'].get('evalue')}")

    def reset(self) -> None:
        """Forget everything the previous notebook did to the session: user namespace, output
        cache, history and execution count (cells number from 1 again), working folder."""
        self.run(f"import os as _os\n_os.chdir({self.cwd!r})\n"
                 "get_ipython().reset(new_session=True)", timeout=START_TIMEOUT)

    def shutdown(self) -> None:
        with contextlib.suppress(Exception):
            self.kc.stop_channels()
        with contextlib.suppress(Exception):
            self._sync(self.km.shutdown_kernel)(now=True)


def kernel_manager(name: str) -> Any:
    """An AsyncKernelManager (what nbclient expects) whose ``client()`` is always the same."""
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager

    class SharedClient(AsyncKernelClient):
        _started = _ready = False

        def start_channels(self, *args: Any, **kwargs: Any) -> None:
            if not self._started:
                super().start_channels(*args, **kwargs)
                self._started = True

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            # once is enough: it ends by draining IOPub for 0.2 s, which we'd pay per notebook
            if not self._ready:
                await super().wait_for_ready(timeout=timeout)
                self._ready = True

    class Manager(AsyncKernelManager):
        _shared: SharedClient | None = None

        def client(self, **kwargs: Any) -> SharedClient:
            if self._shared is None:
                self.client_factory = SharedClient
                self._shared = super().client(**kwargs)
            return self._shared

    return Manager(kernel_name=name)


def cell_timeout(seconds: float) -> int:
    """``seconds`` as nbclient takes a cell timeout: whole seconds (its ``timeout`` is a
    traitlets ``Integer``, which refuses ``2.5`` with a TraitError), rounded up, at least 1."""
    return max(1, math.ceil(seconds))


def start_kernel(attempts: int = 3) -> WarmKernel:
    """A new warm kernel. Retried: a kernel can die at start-up when another process takes
    one of the free ports jupyter_client picked for it before it binds them."""
    for _ in range(attempts - 1):
        with contextlib.suppress(Exception):
            return WarmKernel()
    return WarmKernel()


class KernelPool:
    """The warm kernels of one worker process, shared by its threads: :meth:`lease` lends an
    idle kernel (starting one when none is idle), so two notebooks running at once never
    share a kernel; a kernel given back as broken is shut down instead of kept."""

    def __init__(self) -> None:
        self._idle: list[WarmKernel] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextlib.contextmanager
    def lease(self) -> Iterator[KernelLease]:
        """A kernel for one notebook; set ``broken`` on the lease to have it replaced."""
        with self._lock:
            warm = self._idle.pop() if self._idle else None
        lease = KernelLease(warm or start_kernel())
        try:
            yield lease
        except BaseException:
            lease.broken = True
            raise
        finally:
            with self._lock:
                keep = not (lease.broken or self._closed)
                if keep:
                    self._idle.append(lease.kernel)
            if not keep:
                lease.kernel.shutdown()

    def close(self) -> None:
        """Shut down every idle kernel (a leased one is shut down when given back broken)."""
        with self._lock:
            idle, self._idle, self._closed = self._idle, [], True
        for warm in idle:
            warm.shutdown()


class KernelLease:
    """One notebook's hold on a pooled kernel."""

    def __init__(self, kernel: WarmKernel) -> None:
        self.kernel = kernel
        self.broken = False


#: The kernels of a local worker process (a Dask worker has its own, from its plugin).
POOL = KernelPool()
