"""A batch published into object storage: ``--out s3://bucket/prefix`` (any fsspec URL).

The batch runs into a local *mirror* folder with every guarantee of a local ``--out`` (staging,
atomic moves, folder names that never overwrite another organization's). :class:`RemoteOut`
links that mirror to the URL:

- **pull**, before the batch: the last ``batch-summary.json`` and every published folder's
  ``results.json`` (the portfolio compares them; folder names are chosen against them), and
  with ``--skip-existing`` the executed notebooks that record which intake made each folder;
- **push**, as soon as an organization is published in the mirror: its files are uploaded
  under ``OUT/.staging/<folder>-<id>/``, then moved into ``OUT/<folder>/`` one by one,
  ``results.json`` last, so a remote folder with a ``results.json`` is complete (an object
  store has no atomic rename of a folder: on S3 each move is a server-side copy, then a
  delete). The portfolio, then the summary and the log, are pushed the same way at the end.

The executed notebooks, the summary and the log name the URL, never the mirror's local path.
Nothing here runs on a worker: with ``--scheduler``, each Dask worker returns its files and the
batch publishes them into the mirror (``runner._receive``), then pushes them.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Files whose text may carry the mirror's path, rewritten to the URL when pushed.
_REWRITTEN = (".ipynb", ".log")
_SUMMARY = "batch-summary.json"


class RemoteError(Exception):
    """The object store cannot be reached or written; the message says what to do."""


class RemoteOut:
    """One ``--out`` URL and its local mirror."""

    def __init__(self, url: str, fs: Any, root: str) -> None:
        self.url = url.rstrip("/")
        self.fs, self.root = fs, root.rstrip("/")
        # named as the URL's last part, as a local --out folder would be (the portfolio
        # says which folder its results come from)
        self._work = Path(tempfile.mkdtemp(prefix="support-excellence-out-"))
        self.mirror = self._work / (self.root.rsplit("/", 1)[-1] or "out")
        self.mirror.mkdir()

    @classmethod
    def open(cls, url: str) -> RemoteOut:
        """Check that ``url``'s file system is installed and writable, or raise
        :class:`RemoteError` before any organization is scored."""
        try:
            import fsspec

            fs, root = fsspec.core.url_to_fs(url)
        except ImportError as exc:  # fsspec itself, or e.g. s3fs for s3://
            raise RemoteError(f"--out {url}: its file system is not installed ({exc}); "
                              "for s3:// run pip install s3fs") from None
        except ValueError as exc:  # an unknown protocol
            raise RemoteError(f"--out {url}: {exc}") from None
        remote = cls(url, fs, root)
        probe = f"{remote.root}/.staging/probe-{uuid.uuid4().hex[:8]}"
        try:
            fs.pipe_file(probe, b"")
            fs.rm_file(probe)
        except Exception as exc:  # noqa: BLE001 - credentials, bucket, network: all the same
            remote.close()
            raise RemoteError(f"--out {url}: cannot write there: {type(exc).__name__}: "
                              f"{exc}".splitlines()[0]) from None
        return remote

    # ------------------------------------------------------------------ pull
    def pull(self, notebooks: bool = False) -> None:
        """Copy into the mirror what the batch reads of earlier runs (see the module doc)."""
        summary = f"{self.root}/{_SUMMARY}"
        wanted = [*([summary] if self.fs.exists(summary) else []),
                  *self._glob("*/results.json"), *(self._glob("*/*.ipynb") if notebooks else [])]
        for path in wanted:
            rel = path[len(self.root) + 1:]
            if rel.startswith("."):  # .staging/: what an interrupted batch left
                continue
            local = self.mirror / rel
            local.parent.mkdir(parents=True, exist_ok=True)
            data = self.fs.cat_file(path)
            if local.suffix in (".ipynb", ".json"):  # their URLs back to the mirror's paths
                data = _replace(data, self.url, str(self.mirror))
            local.write_bytes(data)

    def _glob(self, pattern: str) -> list[str]:
        return sorted(str(p) for p in self.fs.glob(f"{self.root}/{pattern}"))

    # ------------------------------------------------------------------ push
    def push(self, folder: str) -> None:
        """Publish the mirror's ``folder`` as ``OUT/<folder>/`` (staged, then moved)."""
        source = self.mirror / folder
        files = sorted((p for p in source.rglob("*") if p.is_file()),
                       key=lambda p: (p.name == "results.json", str(p)))
        staging = f"{self.root}/.staging/{folder}-{uuid.uuid4().hex[:8]}"
        for path in files:
            self.fs.pipe_file(f"{staging}/{path.relative_to(source).as_posix()}",
                              self._bytes(path))
        for path in files:
            rel = path.relative_to(source).as_posix()
            self.fs.mv(f"{staging}/{rel}", f"{self.root}/{folder}/{rel}")
        self._remove(staging)

    def push_files(self, names: list[str]) -> None:
        """Publish top-level files of the mirror (the summary, the log), each staged then
        moved."""
        for name in names:
            path = self.mirror / name
            if not path.is_file():
                continue
            staged = f"{self.root}/.staging/{uuid.uuid4().hex[:8]}-{name}"
            self.fs.pipe_file(staged, self._bytes(path))
            self.fs.mv(staged, f"{self.root}/{name}")

    def _bytes(self, path: Path) -> bytes:
        data = path.read_bytes()
        if path.suffix in _REWRITTEN or path.name == _SUMMARY:
            data = _replace(data, str(self.mirror), self.url)
        return data

    def _remove(self, path: str) -> None:
        try:
            if self.fs.exists(path):
                self.fs.rm(path, recursive=True)
        except OSError:  # an empty "folder" of an object store may not exist at all
            pass

    def close(self) -> None:
        """Remove the mirror (the remote keeps everything pushed)."""
        shutil.rmtree(self._work, ignore_errors=True)

    def files(self) -> Iterator[str]:
        """Every object under the URL, relative to it (for tests and checks)."""
        for path in sorted(self.fs.find(self.root)):
            yield str(path)[len(self.root) + 1:]


def _replace(data: bytes, old: str, new: str) -> bytes:
    """``data`` with ``old`` replaced by ``new``, both as written plainly and as inside a JSON
    string."""
    for a, b in ((old, new), (json.dumps(old)[1:-1], json.dumps(new)[1:-1])):
        data = data.replace(a.encode("utf-8"), b.encode("utf-8"))
    return data
