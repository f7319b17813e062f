"""``support-excellence batch --out s3://…``: a batch published into object storage.

A real S3 API (moto's server on 127.0.0.1, through s3fs) receives the batch of two good
intakes and a broken one; every file must be the local batch's, the notebooks, summary and log
must name the URL, and nothing may be left under ``.staging/``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assessment.batch import report
from assessment.batch import runner as batch
from assessment.cli import main
from assessment.intake.samples import sample_workbooks

s3fs = pytest.importorskip("s3fs")
moto_server = pytest.importorskip("moto.server")

SAMPLES = {p.stem: p for p in sample_workbooks()}
BUCKET = "scorecards"
URL = f"s3://{BUCKET}/nightly"


def cli(*argv: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def s3() -> Iterator[Any]:
    """An S3 endpoint on 127.0.0.1 with an empty bucket; the environment points s3fs (and
    the batch's worker processes) at it."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    saved = dict(os.environ)
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=f"http://{host}:{port}")
    s3fs.S3FileSystem.clear_instance_cache()
    fs = s3fs.S3FileSystem()
    fs.mkdir(BUCKET)
    try:
        yield fs
    finally:
        os.environ.clear()
        os.environ.update(saved)
        s3fs.S3FileSystem.clear_instance_cache()
        server.stop()


def objects(fs: Any, prefix: str = f"{BUCKET}/nightly") -> dict[str, bytes]:
    fs.invalidate_cache()
    return {p[len(prefix) + 1:]: fs.cat_file(p) for p in sorted(fs.find(prefix))}


@pytest.fixture(scope="module")
def runs(s3: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("remote")
    inputs = root / "inputs"
    inputs.mkdir()
    for name in ("ironclad-systems", "harbor-city-it"):
        shutil.copy(SAMPLES[name], inputs / f"{name}.xlsx")
    broken = inputs / "broken-client.xlsx"
    broken.write_bytes(b"not a workbook")
    local = root / "nightly"  # the portfolio names the folder its results come from
    local_run = cli("batch", inputs, "--out", local, "--workers", "2")
    remote_run = cli("batch", inputs, "--out", URL, "--workers", "2")
    return {"inputs": inputs, "local": local, "local_run": local_run,
            "remote_run": remote_run, "objects": objects(s3), "fs": s3}


def test_the_bucket_gets_the_local_batchs_files(runs):
    local: Path = runs["local"]
    local_files = {p.relative_to(local).as_posix(): p.read_bytes()
                   for p in local.rglob("*") if p.is_file() and ".staging" not in p.parts}
    remote = runs["objects"]
    assert sorted(remote) == sorted(local_files)
    assert not [k for k in remote if k.startswith(".staging")]  # staged, then moved
    folders = {k.split("/")[0] for k in remote if "/" in k}
    assert len(folders) == 3  # two organizations and the portfolio; the broken one: nothing
    for name, data in remote.items():
        if name.endswith((".ipynb", ".log")) or name == report.SUMMARY_NAME:
            continue  # they name where they were published
        assert data == local_files[name], name


def test_notebooks_summary_and_log_name_the_url_not_the_local_mirror(runs):
    remote = runs["objects"]
    for name, data in remote.items():
        if name.endswith((".ipynb", ".log", ".json")):
            assert b"support-excellence-out-" not in data, name
    notebook = next(v for k, v in remote.items() if k.endswith("-scorecard.ipynb"))
    assert URL.encode() in notebook
    summary = json.loads(remote[report.SUMMARY_NAME])
    assert summary["out"] == URL
    assert summary["counts"] == {"succeeded": 2, "failed": 1, "skipped": 0}
    assert f"batch into {URL}" in remote[report.LOG_NAME].decode()


def test_exit_code_and_summary_lines_are_the_local_batchs(runs):
    code, printed, _ = runs["remote_run"]
    assert code == runs["local_run"][0] == 1  # the broken intake
    assert f"Portfolio: {URL}/portfolio/" in printed
    assert f"Summary: {URL}/batch-summary.json" in printed
    assert "FAILED" in printed and "broken-client.xlsx" in printed


def test_skip_existing_reads_what_the_bucket_holds(runs):
    code, _, _ = cli("batch", runs["inputs"], "--out", URL, "--workers", "1",
                     "--skip-existing", "--no-portfolio")
    summary = json.loads(objects(runs["fs"])[report.SUMMARY_NAME])
    assert code == 1
    assert summary["counts"] == {"succeeded": 0, "failed": 1, "skipped": 2}


def test_a_bucket_that_does_not_exist_is_a_usage_error(s3, tmp_path):
    code, _, err = cli("batch", SAMPLES["ironclad-systems"], "--out", "s3://no-such-bucket/x",
                       "--workers", "1")
    assert code == 2
    assert "--out s3://no-such-bucket/x: cannot write there" in err


@pytest.mark.slow
def test_on_a_dask_cluster_the_workers_ship_and_the_batch_publishes(runs):
    """Two Dask worker processes that never see the batch's mirror return each
    organization's files; the batch publishes them into the bucket: the same files again."""
    distributed = pytest.importorskip("distributed")
    url = f"s3://{BUCKET}/cluster/nightly"
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       host="127.0.0.1", dashboard_address=None)
    try:
        code, printed, _ = cli("batch", runs["inputs"], "--out", url,
                               "--scheduler", cluster.scheduler_address)
    finally:
        cluster.close()
    assert code == 1 and f"Portfolio: {url}/portfolio/" in printed
    on_cluster = objects(runs["fs"], f"{BUCKET}/cluster/nightly")
    assert sorted(on_cluster) == sorted(runs["objects"])
    for name, data in on_cluster.items():
        if name.endswith((".ipynb", ".log")) or name == report.SUMMARY_NAME:
            assert b"support-excellence-" not in data.replace(b"support-excellence/", b""), name
            continue
        assert data == runs["objects"][name], name
    summary = json.loads(on_cluster[report.SUMMARY_NAME])
    assert summary["counts"] == {"succeeded": 2, "failed": 1, "skipped": 0}
    assert all("shipped" not in entry for entry in summary["intakes"])


def test_a_shipped_job_is_published_where_its_notebook_says(tmp_path):
    """The batch side of a shipped job: files written by a worker under its own paths are
    published into OUT, and the notebook's text names their final places."""
    out = tmp_path / "out"
    (out / ".staging").mkdir(parents=True)
    worker = "/worker/tmp/support-excellence-abc"
    results = {"schema": "support-excellence/results@2",
               "organization": {"name": "Acme Support", "assessed_on": "2026-11-30",
                                "segment": "b2b_software"}}
    text = json.dumps({"cells": [], "metadata": {"note": f"{worker}/out/acme/results.json"}})
    job = batch._Job("scorecard", "nb.ipynb", {}, str(out), str(out / ".staging" / "00000-x"),
                     60.0, "acme.xlsx", None, local_staging=True, ship=True)
    result = report.JobResult("acme.xlsx", "succeeded")
    result.shipped = batch._Shipment(text, f"{worker}/executed.ipynb", f"{worker}/out", None,
                                     {"acme/results.json": json.dumps(results).encode()})
    batch._receive(job, result)
    assert result.status == "succeeded" and result.shipped is None
    assert result.segment == "b2b_software"
    [notebook] = (out / result.folder).glob("*.ipynb")
    assert json.loads(notebook.read_text())["metadata"]["note"] == \
        f"{out / result.folder}/results.json"
    assert json.loads((out / result.folder / "results.json").read_text()) == results


def test_a_failed_upload_fails_that_organization_alone():
    class Unreachable:
        url = URL

        def push(self, folder: str) -> None:
            raise OSError("connection reset by peer")

    done = report.JobResult("a.xlsx", "succeeded", "acme-2026-11-30")
    failed = report.JobResult("b.xlsx", "failed", error="IntakeError: ...")
    batch._push(Unreachable(), done)  # type: ignore[arg-type]
    batch._push(Unreachable(), failed)  # type: ignore[arg-type]
    assert done.status == "failed"
    assert done.error == (f"could not publish to {URL}/acme-2026-11-30/: OSError: "
                          "connection reset by peer")
    assert failed.error == "IntakeError: ..."  # untouched: it had nothing to push
