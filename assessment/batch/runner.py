"""Score many intakes at once: ``support-excellence batch`` (see docs/batch.md).

Every intake runs through the scorecard notebook (``notebooks/scorecard.ipynb``, shipped in the
package as ``assessment.notebooks``) with papermill, so the executed notebook is kept beside its
scorecards as the audit trail; then the portfolio notebook runs over all the results. Speed
comes from warm kernels (:mod:`assessment.batch.kernel`): each worker *process* starts one
Jupyter kernel, imports the heavy libraries once, and hands it to papermill (``km=``) for
notebook after notebook, wiping the user namespace in between. A kernel that dies or hangs is
replaced. The same jobs run on a Dask cluster instead with ``scheduler=`` (``--scheduler``;
:mod:`assessment.batch.distributed`, docs/distributed.md): only the executor changes.

Nothing is written into ``--out`` except by ``os.replace`` from ``OUT/.staging`` (same file
system), so a killed batch never leaves a truncated file there; the next run clears the staging
folder. ``OUT/batch-summary.json`` and ``OUT/batch.log`` report the outcome
(:mod:`assessment.batch.report`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import math
import multiprocessing
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from assessment.batch.distributed import ClusterLost, ClusterUnavailable, connect
from assessment.batch.kernel import (
    KERNEL_NAME,
    POOL,
    KernelPool,
    cell_timeout,
    init_worker,
)
from assessment.batch.remote import RemoteError, RemoteOut
from assessment.batch.report import (
    LOG_NAME,
    PORTFOLIO_NAME,
    SUMMARY_NAME,
    BatchResult,
    JobResult,
    Reporter,
    load_summary,
    progress_bar,
)
from assessment.core.defaults import MAX_TIMEOUT_S as MAX_TIMEOUT
from assessment.core.defaults import MAX_WORKERS, NOTEBOOK_TIMEOUT_S

#: The notebooks the batch runs: the repository's notebooks/ folder, packaged.
NOTEBOOKS_DIR = Path(str(resources.files("assessment.notebooks")))
SCORECARD_NOTEBOOK = NOTEBOOKS_DIR / "scorecard.ipynb"
PORTFOLIO_NOTEBOOK = NOTEBOOKS_DIR / "portfolio.ipynb"
STAGING_NAME = ".staging"
INTAKE_SUFFIXES = (".xlsx", ".xlsm")
DEFAULT_TIMEOUT = NOTEBOOK_TIMEOUT_S
#: Where the executed notebook records the intake it was made from (``--skip-existing``).
SOURCE_KEY = "support_excellence"
PUBLISH_LOCK = "publish.lock"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class BatchError(Exception):
    """A usage problem found before anything runs (no intakes, a missing notebook...)."""


class Executor(Protocol):
    """Where the jobs run: the local process pool or a Dask cluster."""

    workers: int  # as the summary and the log report it

    def submit(self, job: _Job) -> Future[JobResult]: ...

    def check(self, exc: BaseException) -> None:
        """Raise :class:`ClusterLost` when ``exc`` means the executor is gone, not one job."""


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def check_workers(workers: int | None) -> int:
    """``workers``, or the default when None; a :class:`BatchError` unless 1..MAX_WORKERS."""
    if workers is None:
        return default_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or not (
            1 <= workers <= MAX_WORKERS):
        raise BatchError(f"--workers: {workers!r}; give a whole number from 1 to {MAX_WORKERS}")
    return workers


def check_timeout(timeout: float) -> float:
    """``timeout`` if it is a number of seconds above 0 and at most MAX_TIMEOUT, else a
    :class:`BatchError`."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not (
            math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise BatchError(f"--timeout: {timeout!r}; give a number of seconds above 0 and at most "
                         f"{MAX_TIMEOUT:g}")
    return float(timeout)


# ----------------------------------------------------------------------------- jobs


@dataclass(frozen=True)
class _Job:
    kind: str  # "scorecard" or "portfolio"
    notebook: str
    parameters: dict[str, str]
    out: str  # the batch's --out, absolute
    staging: str  # private folder under OUT/.staging, removed afterwards
    timeout: float
    intake: str | None = None
    source: dict[str, int | str] | None = None  # the intake's fingerprint when it was queued
    #: run in a temporary folder of the worker, then copy into ``staging`` (on the target file
    #: system) to publish from there: a Dask worker, whose disk need not be OUT's
    local_staging: bool = False
    #: return the outputs to the batch, which publishes them: a Dask worker that cannot see
    #: ``--out`` (object storage, published from the batch's mirror)
    ship: bool = False


@dataclass(frozen=True)
class _Shipment:
    """What a ``ship`` job returns instead of publishing: the executed notebook's text, the
    worker's paths that text names, and the files the notebook wrote (relative path ->
    bytes)."""

    text: str
    executed: str
    staged: str
    fetched: str | None
    files: dict[str, bytes]


# ----------------------------------------------------------------------------- inputs


def is_url(location: str | Path) -> bool:
    """True for an fsspec URL other than a local file (``s3://b/x.xlsx``, not ``/x.xlsx`` nor
    ``file:///x.xlsx``)."""
    text = str(location) if isinstance(location, str) else ""
    protocol = text.split("://", 1)[0] if "://" in text else ""
    return bool(protocol) and protocol not in ("file", "local")


def collect_intakes(inputs: Iterable[str | Path]) -> list[Path]:
    """Intake files named directly, plus the ``*.xlsx``/``*.xlsm`` of named folders (sorted,
    not recursive; hidden files and Excel's ``~$`` lock files left out); duplicates once.
    An fsspec URL (``s3://bucket/intakes/``) is kept as a ``str``: its worker reads it."""
    found: dict[Any, None] = {}
    for given in inputs:
        if is_url(given):
            found.update(dict.fromkeys(_remote_intakes(str(given))))
            continue
        item = Path(str(given).removeprefix("file://"))
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


def _remote_intakes(url: str) -> list[str]:
    """The intake at ``url``, or the workbooks of the folder (prefix) it names, as URLs."""
    try:
        import fsspec
    except ImportError:
        raise BatchError(f"{url}: reading intakes from URLs needs fsspec: pip install "
                         "'support-excellence[dask]'") from None
    try:
        fs, path = fsspec.core.url_to_fs(url)
        protocol = url.split("://", 1)[0]
        if fs.isdir(path):
            names = sorted(p for p in fs.ls(path, detail=False)
                           if Path(p).suffix.lower() in INTAKE_SUFFIXES
                           and not Path(p).name.startswith((".", "~$")))
            return [f"{protocol}://{name.split('://', 1)[-1]}" for name in names]
        if fs.isfile(path):
            return [url]
    except ImportError as exc:  # e.g. s3fs for s3://
        raise BatchError(f"{url}: {exc}") from None
    except OSError as exc:
        raise BatchError(f"{url}: cannot be read ({exc})") from None
    raise BatchError(f"{url}: no such file or folder")


def notebook_parameters(notebook: Path, required: Sequence[str]) -> set[str]:
    """The names assigned in ``notebook``'s cell tagged ``parameters``; a clear error if the
    notebook is missing or lacks one of ``required``. (Plain JSON: importing papermill here
    would cost the batch two seconds.)"""
    if not notebook.is_file():
        raise BatchError(f"notebook {notebook} not found: the batch's own notebooks ship "
                         "inside the package (assessment.notebooks); reinstall it")
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


def check_segment(framework: str | Path | None, segment: str | None) -> str | None:
    """``segment`` when the framework (``framework`` or the shipped one) has that segment id,
    else a :class:`BatchError` naming the ids it has. A framework that does not load is left
    to the notebooks, which report it per intake."""
    if segment is None:
        return None
    from assessment.core.errors import InputError
    from assessment.core.framework import load_framework

    try:
        known = load_framework(framework).settings.segments
    except InputError:
        return segment
    if segment not in known:
        choices = ", ".join(known) or "none (this framework has no segments)"
        raise BatchError(f"--segment: unknown segment {segment!r}; choose from {choices}")
    return segment


def notebook_options(framework: str | Path | None, formats: Sequence[str] | None,
                     paper: str | None, segment: str | None = None,
                     brand: str | Path | None = None,
                     pptx_template: str | Path | None = None) -> dict[str, str]:
    """The scorecard notebook parameters every intake shares; checks formats, paper, the
    segment override, and the brand file and PowerPoint template (once for the whole batch:
    a bad one raises :class:`~assessment.scorecard.brand.BrandError` or
    :class:`~assessment.scorecard.brand.TemplateError` before anything runs)."""
    from assessment.scorecard.brand import check_pptx_template, load_brand
    from assessment.scorecard.formats import parse_formats
    from assessment.scorecard.pdf import PAPERS, PdfUnavailable, find_chromium

    options = {"framework": str(Path(framework).resolve())} if framework else {}
    if brand is not None and str(brand).strip():
        load_brand(brand)
        options["brand"] = str(Path(brand).resolve())
    template = check_pptx_template(pptx_template)
    if template:
        options["pptx_template"] = str(template)
    if check_segment(framework, segment):
        options["segment"] = segment
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


def fingerprint(intake: Path | str) -> dict[str, int | str]:
    """What ``--skip-existing`` compares: the intake's path, size and modification time (for
    a URL, what its file system reports: an object store's ETag or last-modified)."""
    if isinstance(intake, str):
        import fsspec

        fs, path = fsspec.core.url_to_fs(intake)
        info = fs.info(path)
        changed = next((info[k] for k in ("mtime", "LastModified", "last_modified", "ETag",
                                          "etag", "created") if info.get(k) is not None), "")
        return {"intake": intake, "size": int(info.get("size") or 0), "mtime_ns": str(changed)}
    stat = intake.stat()
    return {"intake": str(intake), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def published_sources(out: Path) -> dict[str, tuple[str, dict[str, int | str]]]:
    """Intake path -> (folder, fingerprint) for every scorecard folder published in ``out``:
    a folder with a ``results.json`` (moved in last, so the folder is complete) and an
    executed notebook that records the intake it was made from."""
    found: dict[str, tuple[str, dict[str, int | str]]] = {}
    for results in sorted(out.glob("*/results.json")):
        folder = results.parent
        if folder.name.startswith(".") or folder.name == PORTFOLIO_NAME:
            continue
        for notebook in sorted(folder.glob("*.ipynb")):
            try:
                source = json.loads(notebook.read_text(encoding="utf-8"))["metadata"][SOURCE_KEY]
                found[str(source["intake"])] = (folder.name, source)
            except (OSError, ValueError, KeyError, TypeError):
                continue
    return found


def is_current(intake: Path, published: dict[str, tuple[str, dict[str, int | str]]]
               ) -> str | None:
    """The folder in which ``intake``, unchanged since (same size and modification time), was
    published, or None (:func:`published_sources`)."""
    folder, source = published.get(str(intake), (None, None))
    if not folder or not source:
        return None
    try:
        now = fingerprint(intake)
    except (OSError, ImportError, ValueError):
        return None
    return folder if all(source.get(k) == now[k] for k in ("size", "mtime_ns")) else None


# ----------------------------------------------------------------------------- the batch


def run_batch(inputs: Iterable[str | Path], out: str | Path, *,
              workers: int | None = None, skip_existing: bool = False,
              timeout: float = DEFAULT_TIMEOUT, portfolio: bool = True,
              framework: str | Path | None = None,
              formats: Sequence[str] | None = None, paper: str | None = None,
              segment: str | None = None, brand: str | Path | None = None,
              pptx_template: str | Path | None = None,
              scorecard_notebook: Path = SCORECARD_NOTEBOOK,
              portfolio_notebook: Path = PORTFOLIO_NOTEBOOK,
              progress: bool = True, scheduler: str | None = None) -> BatchResult:
    """Score every intake of ``inputs`` into ``out``, then the portfolio; see the module doc.

    ``formats`` (default: the notebook's own, xlsx, html and json), ``paper`` and
    ``segment`` (a peer-group override for every intake, checked against the framework)
    reach the scorecard notebook as its ``formats``, ``paper`` and ``segment`` parameters,
    ``brand`` (a brand file) and ``pptx_template`` (the deck's master) as its ``brand`` and
    ``pptx_template`` parameters, both checked once here. ``scheduler`` (a Dask scheduler's
    address) runs the jobs on that cluster instead of local worker processes. Raises
    :class:`BatchError` for usage problems,
    :class:`~assessment.scorecard.pdf.PdfUnavailable` when ``pdf`` is asked for without
    Chromium, and :class:`~assessment.scorecard.brand.BrandError` or
    :class:`~assessment.scorecard.brand.TemplateError` for a bad brand or template, before
    anything is written; :class:`ClusterLost` when the Dask scheduler goes away mid-batch.
    """
    started, clock = dt.datetime.now().astimezone(), time.perf_counter()
    workers = check_workers(workers)
    timeout = check_timeout(timeout)
    intakes = collect_intakes(inputs)
    options = notebook_options(framework, formats, paper, segment, brand, pptx_template)
    declared = notebook_parameters(scorecard_notebook, ("intake", "output_dir",
                                                        *(k for k in options if k != "framework")))
    if portfolio and portfolio_notebook.is_file():
        notebook_parameters(portfolio_notebook, ("results_dir", "output_dir"))
    remote = None
    if is_url(out):  # object storage: the batch runs into a local mirror, pushed as it goes
        try:
            remote = RemoteOut.open(str(out))
        except RemoteError as exc:
            raise BatchError(str(exc)) from None
    with contextlib.ExitStack() as stack:
        if remote is not None:
            stack.callback(remote.close)
            try:
                remote.pull(notebooks=skip_existing)
            except Exception as exc:  # noqa: BLE001 - network, permissions: before any work
                raise BatchError(f"--out {remote.url}: cannot read what earlier batches "
                                 f"published there: {type(exc).__name__}: {exc}") from None
            out = remote.mirror
        out = Path(str(out).removeprefix("file://")).resolve()
        cluster = None
        if scheduler:  # connect first: an unreachable scheduler is reported before any write
            try:
                cluster = stack.enter_context(connect(scheduler))
            except ClusterUnavailable as exc:
                raise BatchError(str(exc)) from None
        out.mkdir(parents=True, exist_ok=True)
        result = _run(intakes, out, options, declared, started, clock, workers, skip_existing,
                      timeout, portfolio, scorecard_notebook, portfolio_notebook, progress,
                      segment, cluster, remote)
        return dataclasses.replace(result, out=remote.url) if remote else result
    raise AssertionError("unreachable")  # pragma: no cover


def _run(intakes: list[Path], out: Path, options: dict[str, str], declared: set[str],
         started: dt.datetime, clock: float, workers: int, skip_existing: bool,
         timeout: float, portfolio: bool, scorecard_notebook: Path, portfolio_notebook: Path,
         progress: bool, segment: str | None, cluster: Any,
         remote: RemoteOut | None = None) -> BatchResult:
    """The batch proper, once its inputs are checked: the same for either executor (and
    with ``remote``, each published folder pushed to object storage as it lands)."""
    previous = load_summary(out).get("index") or {}

    with _staging(out) as staging:
        published = published_sources(out) if skip_existing else {}
        results: dict[Path, JobResult] = {}
        jobs: list[_Job] = []
        queued: list[Path] = []  # the intake of each job
        for intake in intakes:
            folder = is_current(intake, published)
            if folder:
                results[intake] = JobResult(str(intake), "skipped", folder,
                                            detail=f"unchanged since it was published in "
                                                   f"{folder}/")
                continue
            parameters = {"intake": str(intake), **options}
            try:
                source: dict[str, int | str] | None = fingerprint(intake)
            except (OSError, ImportError, ValueError):  # a vanished intake fails in its notebook
                source = None
            queued.append(intake)
            jobs.append(_Job("scorecard", str(scorecard_notebook),
                             {k: v for k, v in parameters.items() if k in declared},
                             str(out), str(staging / f"{len(jobs):05d}-{uuid.uuid4().hex[:8]}"),
                             timeout, str(intake), source, local_staging=cluster is not None,
                             ship=cluster is not None and remote is not None))
        pool_size = max(1, min(workers, len(jobs)))
        with (cluster.executor(_run_job) if cluster else _pool(pool_size)) as pool:
            report = Reporter(out, staging, intakes, results, previous, started,
                              pool.workers if cluster else workers, segment)
            futures = {pool.submit(job): intake for job, intake in zip(jobs, queued, strict=True)}
            submitted = dict(zip(futures, jobs, strict=True))
            bar = progress_bar(len(intakes), len(results), enabled=progress)
            try:
                for future in as_completed(futures):
                    result = _result(future.result, futures[future], pool)
                    _receive(submitted[future], result)
                    if remote is not None:
                        _push(remote, result)
                    results[futures[future]] = result
                    bar.update(1)
                    bar.set_postfix(failed=sum(r.status == "failed" for r in results.values()))
                    report.write(throttle=True)
                # the portfolio reads every results.json of OUT: where OUT is the batch's own
                # mirror of object storage, it runs here, on one local worker
                with (_pool(1) if cluster and remote else contextlib.nullcontext(pool)) as where:
                    report.portfolio, report.portfolio_note = _portfolio(
                        where, out, staging, portfolio, portfolio_notebook, timeout,
                        scored=bool(jobs), local_staging=cluster is not None and not remote)
                if remote is not None and report.portfolio is not None:
                    _push(remote, report.portfolio)
            except ClusterLost as exc:
                report.write()  # what was done ("finished": false); then no staging left
                shutil.rmtree(staging, ignore_errors=True)
                done = sum(r.status == "succeeded" for r in results.values())
                raise ClusterLost(
                    f"{exc} ({done} of {len(intakes)} organization(s) reported done); what "
                    f"is in {remote.url if remote else out} is whole, nothing half-written: "
                    "start the scheduler and its workers again, then re-run the same command "
                    "with --skip-existing") from None
            finally:
                bar.close()
        report.seconds = time.perf_counter() - clock
        report.write()
        if remote is not None:
            try:
                remote.push_files([SUMMARY_NAME, LOG_NAME])
            except Exception as exc:  # noqa: BLE001 - the scorecards are there: say so
                raise BatchError(f"--out {remote.url}: the scorecards were published but not "
                                 f"the summary and log: {type(exc).__name__}: {exc}") from None
    return report.result()


def _push(remote: RemoteOut, result: JobResult) -> None:
    """Push a job's published folder to object storage; a failure fails that job alone."""
    if result.status != "succeeded" or not result.folder:
        return
    try:
        remote.push(result.folder)
    except Exception as exc:  # noqa: BLE001 - network, permissions, quota
        result.status = "failed"
        result.error = (f"could not publish to {remote.url}/{result.folder}/: "
                        f"{type(exc).__name__}: {exc}").splitlines()[0]
        result.detail = repr(exc)


def _portfolio(pool: Executor, out: Path, staging: Path, wanted: bool,
               notebook: Path, timeout: float, scored: bool,
               local_staging: bool = False) -> tuple[JobResult | None, str]:
    if not wanted:
        return None, "skipped (--no-portfolio)"
    if not notebook.is_file():
        return None, f"skipped: {notebook} does not exist yet"
    if not scored and (out / PORTFOLIO_NAME).is_dir():
        return None, "skipped: no intake was re-scored"
    if not any(out.glob("*/results.json")):
        return None, "skipped: no results to compare"
    job = _Job("portfolio", str(notebook), {"results_dir": str(out)}, str(out),
               str(staging / f"portfolio-{uuid.uuid4().hex[:8]}"), timeout,
               local_staging=local_staging)
    return _result(lambda: pool.submit(job).result(), None, pool), ""


def _result(get: Callable[[], JobResult], intake: Path | None, pool: Executor) -> JobResult:
    try:
        return get()
    except Exception as exc:  # the worker process itself failed (crashed, killed)
        pool.check(exc)  # ... unless the whole executor is gone: ClusterLost
        return JobResult(str(intake) if intake else None, "failed",
                         error=f"worker failed: {type(exc).__name__}: {exc}", detail=repr(exc))


class _LocalPool:
    """The local executor: worker processes, each with its warm kernel."""

    def __init__(self, size: int) -> None:
        context = multiprocessing.get_context("spawn")  # no inherited threads or event loops
        self.workers = size
        self.pool = ProcessPoolExecutor(size, mp_context=context, initializer=init_worker,
                                        initargs=(os.getpid(),))

    def submit(self, job: _Job) -> Future[JobResult]:
        return self.pool.submit(_run_job, job)

    def check(self, exc: BaseException) -> None:
        """A dead worker process fails the jobs it held; the batch goes on."""


@contextlib.contextmanager
def _pool(size: int) -> Iterator[_LocalPool]:
    pool = _LocalPool(size)
    try:
        yield pool
    finally:
        pool.pool.shutdown(wait=True, cancel_futures=True)


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


# ----------------------------------------------------------------------------- worker side


def _run_job(job: _Job, kernels: KernelPool = POOL) -> JobResult:
    """Run one notebook on a warm kernel of this worker (``kernels``) and publish what it
    wrote."""
    clock = time.perf_counter()
    result = JobResult(job.intake, "failed")
    work = Path(tempfile.mkdtemp(prefix="support-excellence-")) \
        if job.local_staging or job.ship \
        else Path(job.staging)
    staged = work / "out"
    staged.mkdir(parents=True)
    executed = work / "executed.ipynb"
    parameters = {**job.parameters, "output_dir": str(staged)}
    notebook, fetched = None, None
    try:
        if job.intake and is_url(job.intake):  # its bytes, read here, in a local file
            fetched = _fetch_intake(job.intake, work / "intake")
            parameters["intake"] = str(fetched)
    except Exception as exc:
        result.error = f"could not read the intake: {type(exc).__name__}: {exc}"
        result.detail = repr(exc)
        shutil.rmtree(work, ignore_errors=True)
        result.seconds = round(time.perf_counter() - clock, 3)
        return result
    try:
        with kernels.lease() as lease:
            from papermill import execute_notebook  # ~2 s the first time: the kernel warms up

            result.kernel = lease.kernel.pid
            try:
                lease.kernel.reset()
                # kept in memory (no output path): written once, when it is published
                notebook = execute_notebook(
                    job.notebook, None, parameters=parameters,
                    km=lease.kernel.km, kernel_name=KERNEL_NAME, progress_bar=False,
                    request_save_on_cell_execute=False,
                    execution_timeout=cell_timeout(job.timeout))
            except Exception as exc:
                lease.broken = _failed(result, exc, job.timeout)
    except Exception as exc:  # no kernel would start
        _failed(result, exc, job.timeout)
    try:
        if notebook is not None:
            text = _notebook_text(notebook, executed, job.source)
            if not job.ship:
                _publish(job, result, text, executed, staged, fetched)
            else:  # the batch publishes it (_receive)
                try:
                    result.shipped = _Shipment(
                        text, str(executed), str(staged), str(fetched) if fetched else None,
                        {p.relative_to(staged).as_posix(): p.read_bytes()
                         for p in sorted(staged.rglob("*")) if p.is_file()})
                    result.status = "succeeded"
                except OSError as exc:
                    _cannot_publish(result, exc)
    finally:
        if fetched is not None and job.intake:  # name the URL, not the worker's copy
            result.error, result.detail = (None if t is None else t.replace(str(fetched),
                                                                            job.intake)
                                           for t in (result.error, result.detail))
            result.issues = [i.replace(str(fetched), job.intake) for i in result.issues]
        shutil.rmtree(work, ignore_errors=True)
        if job.local_staging and not job.ship:
            shutil.rmtree(job.staging, ignore_errors=True)
        result.seconds = round(time.perf_counter() - clock, 3)
    return result


def _receive(job: _Job, result: JobResult) -> None:
    """Publish here what a ``ship`` job returned (:class:`_Shipment`), as its worker would
    have; a failure to publish fails that job alone."""
    shipment, result.shipped = result.shipped, None
    if shipment is None:
        return
    with tempfile.TemporaryDirectory(prefix="support-excellence-") as work:
        staged = Path(work) / "out"
        for rel, data in shipment.files.items():
            path = staged / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        _publish(job, result, shipment.text, Path(shipment.executed), staged,
                 Path(shipment.fetched) if shipment.fetched else None,
                 named=Path(shipment.staged))


def _publish(job: _Job, result: JobResult, text: str, executed: Path, staged: Path,
             fetched: Path | None = None, named: Path | None = None) -> None:
    """Publish a notebook's outputs (:func:`_publish_outputs`) and record on ``result``
    where they went; a failure to publish fails that job alone (its kernel is fine)."""
    try:
        result.folder, result.notebook, result.note = _publish_outputs(
            job, text, executed, staged, fetched, named)
    except (OSError, _PublishError) as exc:
        _cannot_publish(result, exc)
        return
    result.status = "succeeded"
    if job.kind == "scorecard":
        result.schema, result.segment = _results_facts(
            Path(job.out) / result.folder / "results.json")


def _cannot_publish(result: JobResult, exc: Exception) -> None:
    result.status, result.folder, result.notebook = "failed", None, None
    result.error = f"could not publish the outputs: {exc}"
    result.detail = repr(exc)


def _failed(result: JobResult, exc: Exception, timeout: float) -> bool:
    """Describe why a notebook failed; True when its kernel must be replaced: unless the
    notebook itself raised (a bad intake), the kernel died, hung or broke."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        result.error, result.issues = _error_message(exc.ename, exc.evalue)
        result.detail = _ANSI.sub("", "\n".join(exc.traceback))
        return False
    if isinstance(exc, CellTimeoutError):
        result.error = f"timed out: a cell ran longer than {timeout:g} s"
    elif isinstance(exc, DeadKernelError):
        result.error = "the kernel died while running the notebook"
    else:
        result.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
    result.detail = f"{type(exc).__name__}: {exc}"
    result.kernel_replaced = True
    return True


def _results_facts(path: Path) -> tuple[str | None, str | None]:
    """The results schema (``support-excellence/results@2``) and the segment id of a
    published ``results.json`` (None when it names none or cannot be read)."""
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
        org = results.get("organization") or {}
        return (str(results["schema"]) if results.get("schema") else None,
                str(org["segment"]) if org.get("segment") else None)
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return None, None


class _PublishError(Exception):
    """The notebook ran but did not write what the batch expects."""


def _error_message(ename: str, evalue: str) -> tuple[str, list[str]]:
    """``("IntakeError: 2 problem(s) in intake x.xlsx:", ["KPIs!D7: ...", ...])``."""
    lines = [line.strip() for line in _ANSI.sub("", evalue or "").splitlines() if line.strip()]
    return f"{ename}: {lines[0] if lines else ''}".rstrip(": "), lines[1:]


def _fetch_intake(url: str, folder: Path) -> Path:
    """Read the intake at ``url`` through fsspec into ``folder`` (same file name)."""
    import fsspec

    target = folder / url.rstrip("/").rsplit("/", 1)[-1]
    folder.mkdir(parents=True, exist_ok=True)
    with fsspec.open(url, "rb") as source:
        target.write_bytes(source.read())
    return target


def _notebook_text(notebook: Any, path: Path, source: dict[str, int | str] | None) -> str:
    """The executed notebook's JSON as papermill writes it to ``path``, with the intake's
    fingerprint (:data:`SOURCE_KEY`) in its metadata. nbformat's own writer, less the
    validation ``nbformat.writes`` adds: nbclient filled a notebook that was valid."""
    from nbformat.v4 import nbjson

    notebook.metadata.setdefault("papermill", {})["output_path"] = str(path)
    if source:
        notebook.metadata[SOURCE_KEY] = source
    text = nbjson.writes(notebook)
    return text + "\n" if source else text


def _publish_outputs(job: _Job, text: str, executed: Path, staged: Path,
                     fetched: Path | None = None,
                     named: Path | None = None) -> tuple[str, str, str | None]:
    """Move what the notebook wrote from staging into ``--out``, with the executed notebook;
    returns (folder, notebook) relative to ``--out``, and a note when the organization's usual
    folder holds another organization's results (:func:`~assessment.scorecard.outputs.output_dir`
    then gives it a folder of its own). ``named`` is the staging folder as the notebook's text
    names it, when its files now lie elsewhere (``staged``: a shipped job's)."""
    out = Path(job.out)
    named = named or staged
    if job.kind == "portfolio":
        _rewrite_notebook(text, staged / "portfolio.ipynb",
                          [(executed, out / PORTFOLIO_NAME / "portfolio.ipynb"),
                           (named, out / PORTFOLIO_NAME)])
        _move_tree(_land(job, staged), out / PORTFOLIO_NAME)
        return PORTFOLIO_NAME, f"{PORTFOLIO_NAME}/portfolio.ipynb", None
    made = sorted(p.parent for p in staged.glob("*/results.json"))
    if len(made) != 1:
        raise _PublishError(f"the notebook wrote {len(made)} results.json file(s), not 1")
    from assessment.files.write import safe_slug
    from assessment.scorecard.outputs import collision_note, output_dir

    folder = made[0]
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    if not isinstance(results, dict) or not isinstance(results.get("organization"), dict):
        raise _PublishError("the notebook wrote a results.json without an organization")
    name = f"{safe_slug(results['organization'].get('name'))}-scorecard.ipynb"
    landed = _land(job, folder)  # on OUT's file system, all but the notebook
    with _publish_lock(out):  # workers choose folders one at a time
        dest = output_dir(results, out)
        note = collision_note(results, dest)
        # the notebook ran against staging: make it name the paths its files have from now on
        _rewrite_notebook(text, landed / name,
                          [*([(fetched, job.intake)] if fetched and job.intake else []),
                           (executed, dest / name), (named / folder.name, dest), (named, out)],
                          renamed=(folder.name, dest.name))
        _move_tree(landed, dest)
    return dest.name, f"{dest.name}/{name}", note


def _land(job: _Job, folder: Path) -> Path:
    """``folder``, or for a job run in the worker's own temporary folder a copy of it in the
    job's folder under ``OUT/.staging`` (same file system as OUT, so moving it in is a rename).
    ``OUT/.staging`` itself is never created here: a batch that gave up removed it, and its
    last jobs then publish nothing."""
    if not job.local_staging:
        return folder
    landing = Path(job.staging)
    shutil.rmtree(landing, ignore_errors=True)  # left by an attempt whose worker was killed
    landing.mkdir()  # FileNotFoundError (an OSError: not published) without OUT/.staging
    return Path(shutil.copytree(folder, landing / "out", copy_function=shutil.copy))


def _rewrite_notebook(text: str, target: Path, paths: list[tuple[Path, Path | str]],
                      renamed: tuple[str, str] | None = None) -> None:
    """Write the notebook ``text`` to ``target`` with staging paths replaced by their final
    ones (and a renamed folder's relative name)."""
    for old, new in paths:
        text = text.replace(_in_json(old), _in_json(new))
    if renamed and renamed[0] != renamed[1]:  # relative names, not inside a path
        text = re.sub(rf"(?<![\w./-]){re.escape(renamed[0])}/", lambda _: f"{renamed[1]}/",
                      text)
    target.write_text(text, encoding="utf-8")


def _in_json(path: Path | str) -> str:
    """``path`` as it appears inside a JSON string of a notebook (nbformat keeps non-ASCII)."""
    return json.dumps(str(path), ensure_ascii=False)[1:-1]


@contextlib.contextmanager
def _publish_lock(out: Path) -> Iterator[None]:
    """An exclusive lock shared by the workers of one batch (``OUT/.staging/publish.lock``)."""
    handle = os.open(out / STAGING_NAME / PUBLISH_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX: no lock
            pass
        yield
    finally:
        os.close(handle)


def _move_tree(src: Path, dest: Path) -> None:
    """Move ``src`` into ``dest``: a single rename when ``dest`` does not exist yet (the
    folder appears whole), else ``os.replace`` file by file, ``results.json`` last, so that a
    folder with a results.json is always complete."""
    files = sorted((p for p in src.rglob("*") if p.is_file()),
                   key=lambda p: (p.name == "results.json", str(p)))
    hidden = [p for p in files if p.name.startswith(".")]  # temporary files: left in staging
    if not hidden and not dest.exists():
        with contextlib.suppress(OSError):  # e.g. another worker made it meanwhile
            os.rename(src, dest)
            return
    files = [p for p in files if p not in hidden]
    for path in files:
        target = dest / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
