"""Score many intakes at once: ``support-excellence batch`` (see docs/batch.md).

Every intake runs through ``notebooks/scorecard.ipynb`` with papermill, so the executed notebook
is kept beside its scorecards as the audit trail; then ``notebooks/portfolio.ipynb`` runs over
all the results. Speed comes from warm kernels: each worker *process* starts one Jupyter kernel,
imports the heavy libraries once, and hands it to papermill (``km=``) for notebook after
notebook, wiping the user namespace in between. A kernel that dies or hangs is replaced.

Nothing is written into ``--out`` except by ``os.replace`` from ``OUT/.staging`` (same file
system), so a killed batch never leaves a truncated file there; the next run clears the staging
folder. ``OUT/batch-summary.json`` and ``OUT/batch.log`` report the outcome.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import multiprocessing
import multiprocessing.util
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import assessment
from assessment.core.defaults import NOTEBOOK_TIMEOUT_S

NOTEBOOKS_DIR = Path(assessment.__file__).resolve().parents[1] / "notebooks"
SCORECARD_NOTEBOOK = NOTEBOOKS_DIR / "scorecard.ipynb"
PORTFOLIO_NOTEBOOK = NOTEBOOKS_DIR / "portfolio.ipynb"
SUMMARY_NAME, LOG_NAME, STAGING_NAME, PORTFOLIO_NAME = (
    "batch-summary.json", "batch.log", ".staging", "portfolio")
SUMMARY_SCHEMA = "support-excellence/batch@1"
INTAKE_SUFFIXES = (".xlsx", ".xlsm")
DEFAULT_TIMEOUT = NOTEBOOK_TIMEOUT_S
KERNEL_NAME = "python3"
#: Imported into every new kernel before its first notebook, outside the cell timeout.
WARM_IMPORTS = ("assessment.pipeline", "assessment.scorecard.excel", "assessment.scorecard.html",
                "assessment.scorecard.summary", "assessment.interactive.display",
                "assessment.portfolio.report", "assessment.portfolio.charts")
_START_TIMEOUT = 120.0
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class BatchError(Exception):
    """A usage problem found before anything runs (no intakes, a missing notebook...)."""


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


# ----------------------------------------------------------------------------- results


@dataclass
class JobResult:
    """The outcome of one notebook run, as reported in the summary and the log."""

    intake: str | None
    status: str  # "succeeded", "failed" or "skipped"
    folder: str | None = None  # relative to --out
    notebook: str | None = None  # relative to --out
    seconds: float = 0.0
    error: str | None = None
    issues: list[str] = field(default_factory=list)
    detail: str = ""  # traceback or reason, for the log only
    kernel: int | None = None  # pid of the kernel that ran it
    kernel_replaced: bool = False

    def brief(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "detail"}


@dataclass
class BatchResult:
    """Everything one batch did; ``exit_code`` is 0 only if nothing failed."""

    out: Path
    intakes: list[JobResult]
    portfolio: JobResult | None
    portfolio_note: str
    workers: int
    seconds: float

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.intakes)

    @property
    def failures(self) -> list[JobResult]:
        return [r for r in [*self.intakes, self.portfolio] if r and r.status == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0


@dataclass(frozen=True)
class _Job:
    kind: str  # "scorecard" or "portfolio"
    notebook: str
    parameters: dict[str, str]
    out: str  # the batch's --out, absolute
    staging: str  # private folder under OUT/.staging, removed afterwards
    timeout: float
    intake: str | None = None


# ----------------------------------------------------------------------------- inputs


def collect_intakes(inputs: Iterable[str | Path]) -> list[Path]:
    """Intake files named directly, plus the ``*.xlsx``/``*.xlsm`` of named folders (sorted,
    not recursive; hidden files and Excel's ``~$`` lock files left out); duplicates once."""
    found: dict[Path, None] = {}
    for item in map(Path, inputs):
        if item.is_dir():
            found.update(dict.fromkeys(sorted(
                p.resolve() for p in item.iterdir()
                if p.is_file() and p.suffix.lower() in INTAKE_SUFFIXES
                and not p.name.startswith((".", "~$")))))
        elif item.is_file():
            found[item.resolve()] = None
        else:
            raise BatchError(f"{item}: no such file or folder")
    if not found:
        raise BatchError("no intake workbooks (*.xlsx, *.xlsm) found in "
                         + ", ".join(map(str, inputs)))
    return list(found)


def notebook_parameters(notebook: Path, required: Sequence[str]) -> set[str]:
    """The names assigned in ``notebook``'s cell tagged ``parameters``; a clear error if the
    notebook is missing or lacks one of ``required``. (Plain JSON: importing papermill here
    would cost the batch two seconds.)"""
    if not notebook.is_file():
        raise BatchError(f"notebook {notebook} not found: the batch runs the notebooks of the "
                         "repository checkout (install it with `pip install -e .`)")
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        source = next("".join(c["source"]) for c in cells
                      if "parameters" in c.get("metadata", {}).get("tags", []))
    except (OSError, ValueError, KeyError, TypeError, StopIteration):
        raise BatchError(f"{notebook} has no cell tagged 'parameters'") from None
    names = set(re.findall(r"^([A-Za-z_]\w*)\s*(?::[^=\n]*)?=", source, re.MULTILINE))
    missing = [name for name in required if name not in names]
    if missing:
        raise BatchError(f"{notebook} has no parameter(s) {', '.join(missing)}")
    return names


def _notebook_options(framework: str | Path | None, formats: Sequence[str] | None,
                      paper: str | None) -> dict[str, str]:
    """The scorecard notebook parameters every intake shares; checks formats and paper."""
    from assessment.scorecard.outputs import parse_formats
    from assessment.scorecard.pdf import PAPERS, PdfUnavailable, find_chromium

    options = {"framework": str(Path(framework).resolve())} if framework else {}
    if formats is not None:
        try:
            chosen = parse_formats(",".join(formats))
        except ValueError as exc:
            raise BatchError(f"--format: {exc}") from None
        if "pdf" in chosen and find_chromium() is None:
            raise PdfUnavailable()
        # results.json is what the batch publishes by, and what the portfolio reads
        options["formats"] = ",".join(chosen if "json" in chosen else (*chosen, "json"))
    if paper is not None:
        if paper not in PAPERS:
            raise BatchError(f"--paper: {paper!r}; choose from {', '.join(PAPERS)}")
        options["paper"] = paper
    return options


def load_summary(out: Path) -> dict[str, Any]:
    """The previous ``batch-summary.json`` of ``out``, or ``{}``."""
    try:
        data = json.loads((out / SUMMARY_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def is_current(intake: Path, out: Path, index: dict[str, str]) -> str | None:
    """The output folder of ``intake`` if its ``results.json`` is newer than the intake."""
    folder = index.get(str(intake))
    if not folder:
        return None
    results = out / folder / "results.json"
    with contextlib.suppress(OSError):
        if results.stat().st_mtime > intake.stat().st_mtime:
            return folder
    return None


# ----------------------------------------------------------------------------- the batch


def run_batch(inputs: Iterable[str | Path], out: str | Path, *,
              workers: int | None = None, skip_existing: bool = False,
              timeout: float = DEFAULT_TIMEOUT, portfolio: bool = True,
              framework: str | Path | None = None,
              formats: Sequence[str] | None = None, paper: str | None = None,
              scorecard_notebook: Path = SCORECARD_NOTEBOOK,
              portfolio_notebook: Path = PORTFOLIO_NOTEBOOK,
              progress: bool = True) -> BatchResult:
    """Score every intake of ``inputs`` into ``out``, then the portfolio; see the module doc.

    ``formats`` (default: the notebook's own, xlsx, html and json) and ``paper`` reach the
    scorecard notebook as its ``formats`` and ``paper`` parameters. Raises
    :class:`BatchError` for usage problems, and
    :class:`~assessment.scorecard.pdf.PdfUnavailable` when ``pdf`` is asked for without
    Chromium, before anything is written.
    """
    started, clock = dt.datetime.now().astimezone(), time.perf_counter()
    workers = workers or default_workers()
    if workers < 1:
        raise BatchError("--workers must be at least 1")
    if timeout <= 0:
        raise BatchError("--timeout must be positive")
    intakes = collect_intakes(inputs)
    options = _notebook_options(framework, formats, paper)
    declared = notebook_parameters(scorecard_notebook, ("intake", "output_dir",
                                                        *(k for k in options if k != "framework")))
    if portfolio and portfolio_notebook.is_file():
        notebook_parameters(portfolio_notebook, ("results_dir", "output_dir"))
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    previous = load_summary(out).get("index") or {}

    with _staging(out) as staging:
        results: dict[Path, JobResult] = {}
        jobs: list[_Job] = []
        for intake in intakes:
            folder = is_current(intake, out, previous) if skip_existing else None
            if folder:
                results[intake] = JobResult(str(intake), "skipped", folder,
                                            detail=f"{folder}/results.json is newer")
                continue
            parameters = {"intake": str(intake), **options}
            jobs.append(_Job("scorecard", str(scorecard_notebook),
                             {k: v for k, v in parameters.items() if k in declared},
                             str(out), str(staging / f"{len(jobs):05d}-{uuid.uuid4().hex[:8]}"),
                             timeout, str(intake)))
        report = _Reporter(out, staging, intakes, results, previous, started, workers)
        pool_size = max(1, min(workers, len(jobs)))
        with _pool(pool_size) as pool:
            futures = {pool.submit(_run_job, job): Path(job.intake or "") for job in jobs}
            bar = _progress(len(intakes), len(results), enabled=progress)
            try:
                for future in as_completed(futures):
                    result = _result(future.result, futures[future])
                    results[futures[future]] = result
                    bar.update(1)
                    bar.set_postfix(failed=sum(r.status == "failed" for r in results.values()))
                    report.write(throttle=True)
            finally:
                bar.close()
            report.portfolio, report.portfolio_note = _portfolio(
                pool, out, staging, portfolio, portfolio_notebook, timeout,
                scored=bool(jobs))
        report.seconds = time.perf_counter() - clock
        report.write()
    return report.result()


def _portfolio(pool: ProcessPoolExecutor, out: Path, staging: Path, wanted: bool,
               notebook: Path, timeout: float, scored: bool) -> tuple[JobResult | None, str]:
    if not wanted:
        return None, "skipped (--no-portfolio)"
    if not notebook.is_file():
        return None, f"skipped: {notebook} does not exist yet"
    if not scored and (out / PORTFOLIO_NAME).is_dir():
        return None, "skipped: no intake was re-scored"
    if not any(out.glob("*/results.json")):
        return None, "skipped: no results to compare"
    job = _Job("portfolio", str(notebook), {"results_dir": str(out)}, str(out),
               str(staging / f"portfolio-{uuid.uuid4().hex[:8]}"), timeout)
    return _result(lambda: pool.submit(_run_job, job).result(), None), ""


def _result(get: Callable[[], JobResult], intake: Path | None) -> JobResult:
    try:
        return get()
    except Exception as exc:  # the worker process itself failed (crashed, killed)
        return JobResult(str(intake) if intake else None, "failed",
                         error=f"worker failed: {type(exc).__name__}: {exc}", detail=repr(exc))


def _progress(total: int, done: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, initial=done, unit="org", desc="scoring", file=sys.stderr,
                disable=None if enabled else True, dynamic_ncols=True)


@contextlib.contextmanager
def _pool(size: int) -> Iterator[ProcessPoolExecutor]:
    context = multiprocessing.get_context("spawn")  # no inherited threads or event loops
    pool = ProcessPoolExecutor(size, mp_context=context, initializer=_init_worker,
                               initargs=(os.getpid(),))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _staging(out: Path) -> Iterator[Path]:
    """``OUT/.staging``, emptied, locked against a second batch on the same folder, and
    removed at the end (a killed batch leaves it for the next run to clear)."""
    staging = out / STAGING_NAME
    staging.mkdir(exist_ok=True)
    handle = os.open(staging, os.O_RDONLY)
    try:
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - not POSIX: no lock
            pass
        except OSError:
            raise BatchError(f"another batch is writing into {out}") from None
        _clear(staging)
        yield staging
        shutil.rmtree(staging, ignore_errors=True)
    finally:
        os.close(handle)


def _clear(folder: Path) -> None:
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def publish(path: Path, content: str | bytes, staging: Path) -> Path:
    """Write ``path`` atomically through a temporary file in ``staging`` (same file system)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f"{path.name}.", suffix=".tmp", dir=staging)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# ----------------------------------------------------------------------------- reporting


class _Reporter:
    """Keeps ``batch-summary.json`` and ``batch.log`` up to date (atomically)."""

    def __init__(self, out: Path, staging: Path, intakes: list[Path],
                 results: dict[Path, JobResult], previous: dict[str, str],
                 started: dt.datetime, workers: int) -> None:
        self.out, self.staging, self.intakes, self.results = out, staging, intakes, results
        self.previous, self.started, self.workers = previous, started, workers
        self.portfolio: JobResult | None = None
        self.portfolio_note = ""
        self.seconds = 0.0
        self._last = 0.0

    def result(self) -> BatchResult:
        done = [self.results[i] for i in self.intakes if i in self.results]
        return BatchResult(self.out, done, self.portfolio, self.portfolio_note, self.workers,
                           self.seconds)

    def write(self, throttle: bool = False) -> None:
        if throttle and time.monotonic() - self._last < 1.0:
            return
        self._last = time.monotonic()
        batch = self.result()
        publish(self.out / SUMMARY_NAME, summary_json(batch, self.started, self.previous),
                self.staging)
        publish(self.out / LOG_NAME, log_text(batch, self.started, len(self.intakes)),
                self.staging)


def summary_json(batch: BatchResult, started: dt.datetime, previous: dict[str, str]) -> str:
    """``batch-summary.json``: counts, one entry per intake, and the index that
    ``--skip-existing`` reads (intake path -> output folder, kept across runs)."""
    index = dict(previous)
    index.update({r.intake: r.folder for r in batch.intakes
                  if r.intake and r.folder and r.status != "failed"})
    portfolio = batch.portfolio.brief() if batch.portfolio else None
    data = {
        "schema": SUMMARY_SCHEMA,
        "out": str(batch.out),
        "started": started.isoformat(timespec="seconds"),
        "finished": bool(batch.seconds),
        "seconds": round(batch.seconds, 3),
        "workers": batch.workers,
        "counts": {s: batch.count(s) for s in ("succeeded", "failed", "skipped")},
        "intakes": [r.brief() for r in batch.intakes],
        "portfolio": portfolio or {"status": "skipped", "note": batch.portfolio_note},
        "index": dict(sorted(index.items())),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def log_text(batch: BatchResult, started: dt.datetime, total: int) -> str:
    lines = [f"{started.isoformat(timespec='seconds')} batch into {batch.out}: "
             f"{total} intake(s), {batch.workers} worker(s)"]
    for r in [*batch.intakes, *([batch.portfolio] if batch.portfolio else [])]:
        what = r.intake or "portfolio"
        where = f" -> {r.folder}/" if r.folder else ""
        how = f" ({r.seconds:.2f} s, kernel {r.kernel})" if r.kernel else ""
        lines.append(f"[{r.status}] {what}{where}{how}")
        if r.error:
            lines += [f"    {r.error}", *(f"      {issue}" for issue in r.issues)]
        shown = {r.error, *r.issues}
        if r.status != "succeeded" and any(
                line.strip() not in shown for line in r.detail.splitlines() if line.strip()):
            lines += [f"    | {line}" for line in r.detail.splitlines()]
        if r.kernel_replaced:
            lines.append("    the kernel was replaced by a fresh one")
    if batch.portfolio_note:
        lines.append(f"[portfolio] {batch.portfolio_note}")
    if batch.seconds:
        lines.append(f"finished in {batch.seconds:.1f} s: {batch.count('succeeded')} "
                     f"succeeded, {batch.count('failed')} failed, {batch.count('skipped')} "
                     "skipped" + (f"; portfolio {batch.portfolio.status}"
                                  if batch.portfolio else ""))
    return "\n".join(lines) + "\n"


def summary_text(batch: BatchResult) -> str:
    """The few lines printed at the end of a batch."""
    out = batch.out
    lines = [f"Batch finished in {batch.seconds:.1f} s with {batch.workers} worker(s): "
             f"{batch.count('succeeded')} succeeded, {batch.count('failed')} failed, "
             f"{batch.count('skipped')} skipped."]
    for r in batch.failures:
        lines.append(f"  FAILED {r.intake or 'portfolio'}: {r.error}")
        lines += [f"    {issue}" for issue in r.issues[:20]]
        if len(r.issues) > 20:
            lines.append(f"    ... and {len(r.issues) - 20} more (see the log)")
    lines.append(f"Scorecards and executed notebooks: {out}/<organization>-<date>/")
    if batch.portfolio and batch.portfolio.status == "succeeded":
        lines.append(f"Portfolio: {out / PORTFOLIO_NAME}/")
    else:
        lines.append(f"Portfolio: {batch.portfolio_note or 'failed (see the log)'}")
    lines.append(f"Summary: {out / SUMMARY_NAME}; log: {out / LOG_NAME}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- worker side


def _init_worker(parent: int) -> None:
    """Quiet papermill's logging and die with the batch (no orphan keeps writing)."""
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    # papermill -> nbformat -> jsonschema builds a grammar for its optional IRI format check
    # at import (~2 s); notebook validation never checks formats, so workers go without it
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)  # our kernel notices we are gone and exits too

    threading.Thread(target=watch, daemon=True).start()
    multiprocessing.util.Finalize(None, _drop_kernel, exitpriority=10)


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
        self.km = _kernel_manager(name)
        run_sync(self.km.start_kernel)(
            extra_arguments=["--HistoryManager.hist_file=:memory:"], cwd=self.cwd,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.kc = self.km.client()
        try:
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=_START_TIMEOUT)
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
                 "get_ipython().reset(new_session=True)", timeout=_START_TIMEOUT)

    def shutdown(self) -> None:
        with contextlib.suppress(Exception):
            self.kc.stop_channels()
        with contextlib.suppress(Exception):
            self._sync(self.km.shutdown_kernel)(now=True)


def _kernel_manager(name: str) -> Any:
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


_WARM: WarmKernel | None = None


def _start_kernel(attempts: int = 3) -> WarmKernel:
    """A new warm kernel. Retried: a kernel can die at start-up when another process takes
    one of the free ports jupyter_client picked for it before it binds them."""
    for _ in range(attempts - 1):
        with contextlib.suppress(Exception):
            return WarmKernel()
    return WarmKernel()


def _drop_kernel() -> None:
    global _WARM
    if _WARM is not None:
        _WARM.shutdown()
        _WARM = None


def _run_job(job: _Job) -> JobResult:
    """Run one notebook on this worker's warm kernel and publish what it wrote."""
    global _WARM
    clock = time.perf_counter()
    result = JobResult(job.intake, "failed")
    staged = Path(job.staging) / "out"
    staged.mkdir(parents=True)
    executed = Path(job.staging) / "executed.ipynb"
    try:
        if _WARM is None:
            _WARM = _start_kernel()
        from papermill import execute_notebook  # ~2 s the first time: the kernel warms up meanwhile

        result.kernel = _WARM.pid
        _WARM.reset()
        execute_notebook(  # writes the executed notebook once, at the end, into staging
            job.notebook, executed, parameters={**job.parameters, "output_dir": str(staged)},
            km=_WARM.km, kernel_name=KERNEL_NAME, progress_bar=False,
            request_save_on_cell_execute=False, execution_timeout=job.timeout)
    except Exception as exc:
        _failed(result, exc, job.timeout)
    else:
        try:
            result.folder, result.notebook = _publish_outputs(job, executed, staged)
            result.status = "succeeded"
        except (OSError, _PublishError) as exc:  # the kernel is fine: keep it
            result.error = f"could not publish the outputs: {exc}"
            result.detail = repr(exc)
    finally:
        shutil.rmtree(job.staging, ignore_errors=True)
        result.seconds = round(time.perf_counter() - clock, 3)
    return result


def _failed(result: JobResult, exc: Exception, timeout: float) -> None:
    """Describe why a notebook failed. Unless the notebook itself raised (a bad intake), the
    kernel died, hung or broke: it is replaced by a fresh one for the next notebook."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        result.error, result.issues = _error_message(exc.ename, exc.evalue)
        result.detail = _ANSI.sub("", "\n".join(exc.traceback))
        return
    if isinstance(exc, CellTimeoutError):
        result.error = f"timed out: a cell ran longer than {timeout:g} s"
    elif isinstance(exc, DeadKernelError):
        result.error = "the kernel died while running the notebook"
    else:
        result.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
    result.detail = f"{type(exc).__name__}: {exc}"
    result.kernel_replaced = True
    _drop_kernel()


class _PublishError(Exception):
    """The notebook ran but did not write what the batch expects."""


def _error_message(ename: str, evalue: str) -> tuple[str, list[str]]:
    """``("IntakeError: 2 problem(s) in intake x.xlsx:", ["KPIs!D7: ...", ...])``."""
    lines = [line.strip() for line in _ANSI.sub("", evalue or "").splitlines() if line.strip()]
    return f"{ename}: {lines[0] if lines else ''}".rstrip(": "), lines[1:]


def _publish_outputs(job: _Job, executed: Path, staged: Path) -> tuple[str, str]:
    """Move what the notebook wrote from staging into ``--out``, with the executed notebook;
    returns (folder, notebook) relative to ``--out``."""
    out = Path(job.out)
    if job.kind == "portfolio":
        folder, name = staged, "portfolio.ipynb"
        dest = out / PORTFOLIO_NAME
    else:
        made = sorted(p.parent for p in staged.glob("*/results.json"))
        if len(made) != 1:
            raise _PublishError(f"the notebook wrote {len(made)} results.json file(s), not 1")
        folder, dest = made[0], out / made[0].name
        from assessment.files.write import safe_slug

        results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
        name = f"{safe_slug(results['organization'].get('name'))}-scorecard.ipynb"
    # the notebook ran against staging: make it name the paths its files have from now on
    text = executed.read_text(encoding="utf-8")
    for old, new in ((executed, dest / name), (staged, dest if job.kind == "portfolio" else out)):
        text = text.replace(json.dumps(str(old))[1:-1], json.dumps(str(new))[1:-1])
    (folder / name).write_text(text, encoding="utf-8")
    _move_tree(folder, dest)
    return dest.relative_to(out).as_posix(), (dest / name).relative_to(out).as_posix()


def _move_tree(src: Path, dest: Path) -> None:
    """``os.replace`` every file of ``src`` into ``dest``; ``results.json`` last, so that a
    folder with a results.json is always complete."""
    files = sorted((p for p in src.rglob("*") if p.is_file() and not p.name.startswith(".")),
                   key=lambda p: (p.name == "results.json", str(p)))
    for path in files:
        target = dest / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)

