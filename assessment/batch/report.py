"""What a batch reports: its results, ``batch-summary.json``, ``batch.log``, the closing lines
and the progress bar.

:class:`JobResult` is the outcome of one notebook and :class:`BatchResult` that of a whole
batch. :class:`Reporter` keeps the summary and the log in ``--out`` up to date while the batch
runs, writing each through the staging folder (:func:`publish`) so that neither is ever seen
half written; :func:`summary_json`, :func:`log_text` and :func:`summary_text` render them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assessment.core.errors import printable

SUMMARY_NAME, LOG_NAME, PORTFOLIO_NAME = "batch-summary.json", "batch.log", "portfolio"
SUMMARY_SCHEMA = "support-excellence/batch@1"


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
    note: str | None = None  # e.g. its usual folder held another organization
    schema: str | None = None  # of the results.json it published (results@1 or results@2)
    segment: str | None = None  # the peer segment the results were scored for
    #: the outputs a Dask worker returns for the batch to publish (runner._Shipment)
    shipped: Any = field(default=None, repr=False, compare=False)

    def brief(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k not in ("detail", "shipped")}


@dataclass
class BatchResult:
    """Everything one batch did; ``exit_code`` is 0 only if nothing failed."""

    out: Path | str  # the folder, or the object-storage URL it was published to
    intakes: list[JobResult]
    portfolio: JobResult | None
    portfolio_note: str
    workers: int
    seconds: float
    segment: str | None = None  # the --segment override every intake was scored for

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.intakes)

    @property
    def failures(self) -> list[JobResult]:
        return [r for r in [*self.intakes, self.portfolio] if r and r.status == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0


def load_summary(out: Path) -> dict[str, Any]:
    """The previous ``batch-summary.json`` of ``out``, or ``{}``."""
    try:
        data = json.loads((out / SUMMARY_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


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


def progress_bar(total: int, done: int, enabled: bool) -> Any:
    """A tqdm bar on stderr counting organizations (``done`` of them already skipped)."""
    from tqdm import tqdm

    return tqdm(total=total, initial=done, unit="org", desc="scoring", file=sys.stderr,
                disable=None if enabled else True, dynamic_ncols=True)


class Reporter:
    """Keeps ``batch-summary.json`` and ``batch.log`` up to date (atomically)."""

    def __init__(self, out: Path, staging: Path, intakes: list[Path],
                 results: dict[Path, JobResult], previous: dict[str, str],
                 started: dt.datetime, workers: int, segment: str | None = None) -> None:
        self.out, self.staging, self.intakes, self.results = out, staging, intakes, results
        self.previous, self.started, self.workers = previous, started, workers
        self.segment = segment
        self.portfolio: JobResult | None = None
        self.portfolio_note = ""
        self.seconds = 0.0
        self._last = 0.0

    def result(self) -> BatchResult:
        done = [self.results[i] for i in self.intakes if i in self.results]
        return BatchResult(self.out, done, self.portfolio, self.portfolio_note, self.workers,
                           self.seconds, self.segment)

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
    """``batch-summary.json``: counts, one entry per intake (with a ``note`` when its folder
    is not the usual one), and an index (intake path -> output folder, kept across runs; for
    people and scripts: ``--skip-existing`` reads the published folders themselves)."""
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
        "segment": batch.segment,
        "counts": {s: batch.count(s) for s in ("succeeded", "failed", "skipped")},
        "intakes": [r.brief() for r in batch.intakes],
        "portfolio": portfolio or {"status": "skipped", "note": batch.portfolio_note},
        "index": dict(sorted(index.items())),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def log_text(batch: BatchResult, started: dt.datetime, total: int) -> str:
    lines = [f"{started.isoformat(timespec='seconds')} batch into {batch.out}: "
             f"{total} intake(s), {batch.workers} worker(s)"
             + (f", segment {batch.segment} for every intake" if batch.segment else "")]
    for r in [*batch.intakes, *([batch.portfolio] if batch.portfolio else [])]:
        what = r.intake or "portfolio"
        where = f" -> {r.folder}/" if r.folder else ""
        how = f" ({r.seconds:.2f} s, kernel {r.kernel})" if r.kernel else ""
        lines.append(f"[{r.status}] {what}{where}{how}{_scored_as(r)}")
        if r.note:
            lines.append(f"    note: {r.note}")
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
    return "\n".join(printable(line) for line in lines) + "\n"


def _scored_as(r: JobResult) -> str:
    """`` [results@2, segment b2b_software]``: what the published results are, or ``""``."""
    facts = [r.schema.rpartition("/")[2] if r.schema else None,
             f"segment {r.segment}" if r.segment else None]
    shown = ", ".join(f for f in facts if f)
    return f" [{shown}]" if shown else ""


def summary_text(batch: BatchResult) -> str:
    """The few lines printed at the end of a batch."""
    out = str(batch.out).rstrip("/")  # a folder, or an object-storage URL
    lines = [f"Batch finished in {batch.seconds:.1f} s with {batch.workers} worker(s): "
             f"{batch.count('succeeded')} succeeded, {batch.count('failed')} failed, "
             f"{batch.count('skipped')} skipped."]
    if batch.segment:
        lines.append(f"  Every intake was scored for segment {batch.segment} (--segment).")
    for r in batch.intakes:
        if r.note:
            lines.append(f"  NOTE {r.intake}: {r.note}")
    for r in batch.failures:
        lines.append(f"  FAILED {r.intake or 'portfolio'}: {r.error}")
        lines += [f"    {issue}" for issue in r.issues[:20]]
        if len(r.issues) > 20:
            lines.append(f"    ... and {len(r.issues) - 20} more (see the log)")
    lines.append(f"Scorecards and executed notebooks: {out}/<organization>-<date>/")
    if batch.portfolio and batch.portfolio.status == "succeeded":
        lines.append(f"Portfolio: {out}/{PORTFOLIO_NAME}/")
    else:
        lines.append(f"Portfolio: {batch.portfolio_note or 'failed (see the log)'}")
    lines.append(f"Summary: {out}/{SUMMARY_NAME}; log: {out}/{LOG_NAME}")
    return "\n".join(printable(line) for line in lines)
