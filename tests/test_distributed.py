"""``support-excellence batch --scheduler``: the batch on a real Dask cluster on 127.0.0.1.

A ``LocalCluster`` with two worker processes runs 20 intakes (2 of them broken) while one of
its workers is killed; the files must be those of the local batch. A ``dask scheduler``
process killed mid-batch must end the batch with one clear line and no half-written folder.
The unit tests at the end need no cluster.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from workbooks import edits

from assessment.batch import report
from assessment.batch import runner as batch
from assessment.cli import main
from assessment.core.framework import load_framework
from assessment.files.write import workbook_bytes
from assessment.intake.samples import sample_data, sample_names
from assessment.intake.template import fill_intake

distributed = pytest.importorskip("distributed")
from assessment.batch import distributed as dask_batch  # noqa: E402

VENV_BIN = Path(sys.executable).parent
SAMPLE = Path(__file__).parents[1] / "assessment" / "data" / "samples" / "ironclad-systems.xlsx"
#: What each organization folder holds with the default formats.
FOLDER_FILES = {".html", ".ipynb", ".json", ".xlsx"}


def make_intakes(folder: Path, n: int = 20, broken: tuple[int, ...] = (5, 13)) -> list[Path]:
    """``n`` intakes around the samples, values jittered (fixed seed); ``broken`` ones have
    text in a number cell."""
    framework, rng = load_framework(), random.Random(16)
    samples = [sample_data(name) for name in sample_names()]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        base = samples[i % len(samples)]
        current = {k: v if v is None else round(v * rng.uniform(0.9, 1.1), 4)
                   for k, v in base.current.items()}
        for kpi in framework.kpis:  # keep jittered values in range
            lo, hi = framework.valid_range(kpi)
            value = current.get(kpi.id)
            if value is not None:
                current[kpi.id] = min(hi, value) if hi is not None else value
                current[kpi.id] = max(lo, current[kpi.id]) if lo is not None else current[kpi.id]
        data = dataclasses.replace(
            base, current=current, source="",
            profile={**base.profile, "organization": f"Cluster Client {i:02d}"})
        wb = fill_intake(framework, data)
        if i in broken:
            edits(("kpis", "csat", "current", "about 80"))(wb)
        path = folder / f"client-{i:02d}.xlsx"
        path.write_bytes(workbook_bytes(wb))
        paths.append(path)
    return paths


def normalized_notebook(path: Path, out: Path) -> Any:
    """An executed notebook without what differs between any two runs of the local batch
    too: timings, cell ids, and how a cell's printed text was cut into stream messages
    (consecutive stream outputs are joined). Its batch folder is named OUT. The file itself
    must be in nbformat's canonical layout, so that the comparison covers the bytes too."""
    text = path.read_text(encoding="utf-8")
    notebook = json.loads(text.replace(str(out), "OUT"))
    assert text.rstrip("\n") == json.dumps(json.loads(text), indent=1, sort_keys=True,
                                            ensure_ascii=False), path
    for part in (notebook, *notebook["cells"]):
        if "papermill" in part["metadata"]:
            part["metadata"]["papermill"].update(start_time=None, end_time=None,
                                                 duration=None)
    for cell in notebook["cells"]:
        cell.pop("id", None)
        cell["metadata"].pop("execution", None)
        merged: list[dict[str, Any]] = []
        for output in cell.get("outputs", []):
            if (merged and output.get("output_type") == "stream" == merged[-1]["output_type"]
                    and output["name"] == merged[-1]["name"]):
                merged[-1]["text"] = "".join(merged[-1]["text"]) + "".join(output["text"])
            else:
                merged.append(output)
        for output in merged:
            if output.get("output_type") == "stream":
                output["text"] = "".join(output["text"])
        if "outputs" in cell:
            cell["outputs"] = merged
    return notebook


def published(out: Path) -> list[Path]:
    return sorted(p.relative_to(out) for p in out.rglob("*")
                  if p.is_file() and batch.STAGING_NAME not in p.parts
                  and p.name not in (report.SUMMARY_NAME, report.LOG_NAME))


def assert_whole_folders(out: Path) -> None:
    """Every organization folder has its complete file set; no staging file is left."""
    for folder in out.iterdir():
        if folder.is_dir() and folder.name not in (batch.STAGING_NAME, report.PORTFOLIO_NAME):
            assert {p.suffix for p in folder.iterdir()} == FOLDER_FILES, folder
            assert len(list(folder.iterdir())) == 4, folder
    staging = out / batch.STAGING_NAME
    assert not staging.exists() or not [p for p in staging.rglob("*") if p.is_file()
                                        and p.name != batch.PUBLISH_LOCK], \
        list(staging.rglob("*"))


@pytest.fixture(scope="module")
def intakes(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return make_intakes(tmp_path_factory.mktemp("intakes"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, intakes: list[Path]) -> dict[str, Any]:
    """The local batch, then the same on a 2-worker LocalCluster that loses a worker (SIGKILL)
    as soon as the first organization is published. Both into folders named ``out``."""
    local = tmp_path_factory.mktemp("local") / "out"
    local_result = batch.run_batch(intakes, local, workers=2, progress=False)
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       host="127.0.0.1", dashboard_address=None)
    killed: dict[str, int] = {}
    try:
        with distributed.Client(cluster) as client:
            pids = client.run(os.getpid)  # worker address -> process id
        dask_out = tmp_path_factory.mktemp("dask") / "out"

        def kill_one_worker() -> None:
            deadline = time.monotonic() + 120
            while not list(dask_out.glob("*/results.json")) and time.monotonic() < deadline:
                time.sleep(0.05)
            address, pid = sorted(pids.items())[0]
            os.kill(pid, signal.SIGKILL)
            killed[address] = pid

        killer = threading.Thread(target=kill_one_worker, daemon=True)
        killer.start()
        started = time.perf_counter()
        dask_result = batch.run_batch(intakes, dask_out, progress=False,
                                      scheduler=cluster.scheduler_address)
        seconds = time.perf_counter() - started
        killer.join(timeout=5)
    finally:
        cluster.close()
    return {"local": local, "local_result": local_result, "dask": dask_out,
            "dask_result": dask_result, "killed": killed, "seconds": seconds}


@pytest.mark.slow
def test_dask_batch_gives_the_local_batchs_files(runs):
    local, dask_out = runs["local"], runs["dask"]
    assert runs["local_result"].count("succeeded") == 18, [
        (r.error, r.detail[-300:]) for r in runs["local_result"].intakes][:2]
    files = published(local)
    assert files == published(dask_out)
    assert len([f for f in files if f.name == "results.json"]) == 18
    for name in files:
        if name.suffix == ".ipynb":  # timings and cell ids differ between any two runs
            assert normalized_notebook(local / name, local) == \
                normalized_notebook(dask_out / name, dask_out), name
        else:
            assert (local / name).read_bytes() == (dask_out / name).read_bytes(), name


@pytest.mark.slow
def test_dask_batch_reports_like_the_local_one(runs):
    local, dask_out = runs["local_result"], runs["dask_result"]
    assert dask_out.exit_code == local.exit_code == 1  # the two broken intakes
    assert [(r.intake, r.status, r.folder, r.issues) for r in dask_out.intakes] == \
        [(r.intake, r.status, r.folder, r.issues) for r in local.intakes]
    assert dask_out.portfolio and dask_out.portfolio.status == "succeeded"
    summary = json.loads((runs["dask"] / report.SUMMARY_NAME).read_text(encoding="utf-8"))
    assert summary["finished"] and summary["workers"] >= 1
    assert summary["counts"] == {"succeeded": 18, "failed": 2, "skipped": 0}
    assert not (runs["dask"] / batch.STAGING_NAME).exists()


@pytest.mark.slow
def test_a_killed_worker_loses_no_organization(runs):
    assert runs["killed"], "no worker was killed"
    result = runs["dask_result"]
    failed = [Path(r.intake or "").name for r in result.intakes if r.status == "failed"]
    assert failed == ["client-05.xlsx", "client-13.xlsx"], [  # only the broken intakes
        (r.intake, r.error) for r in result.intakes if r.status == "failed"]
    assert all(r.folder for r in result.intakes if r.status == "succeeded")
    # the kernels of both workers ran notebooks, and at least one ran several (warm)
    kernels = [r.kernel for r in result.intakes if r.kernel]
    assert len(set(kernels)) >= 2 and len(set(kernels)) < len(kernels)
    assert_whole_folders(runs["dask"])


@pytest.mark.slow
def test_lost_scheduler_ends_the_batch_with_one_clear_line(tmp_path, intakes):
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen(
        [str(VENV_BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
         "--no-dashboard", "--scheduler-file", str(scheduler_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    out = tmp_path / "out"
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.2)
        address = json.loads(scheduler_file.read_text(encoding="utf-8"))["address"]
        worker = subprocess.Popen(
            [str(VENV_BIN / "dask"), "worker", address, "--nthreads", "1", "--nworkers", "1",
             "--no-dashboard", "--death-timeout", "10"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        env = {**os.environ, dask_batch.ENV_VAR: address}  # the environment variable route
        process = subprocess.Popen([sys.executable, "-m", "assessment", "batch",
                                    *map(str, intakes[:8]), "--out", str(out)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env=env)
        deadline = time.monotonic() + 120
        while not list(out.glob("*/results.json")) and time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        scheduler.kill()
        printed, errors = process.communicate(timeout=60)
    finally:
        for proc in (scheduler, worker):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
    assert process.returncode == 1, errors
    lines = [line for line in errors.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, errors
    assert f"lost the Dask scheduler at {address}" in lines[0]
    assert "--skip-existing" in lines[0]
    assert "Traceback" not in errors, errors
    time.sleep(1)  # the orphaned worker finished or dropped its last notebook
    assert_whole_folders(out)
    assert not (out / batch.STAGING_NAME).exists()


# ----------------------------------------------------------------------------- no cluster


def test_scheduler_option_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv(dask_batch.ENV_VAR, "tcp://from-env:8786")
    assert dask_batch.scheduler_address(None) == "tcp://from-env:8786"
    assert dask_batch.scheduler_address("tcp://option:1") == "tcp://option:1"
    assert dask_batch.scheduler_address("") is None  # empty: local
    monkeypatch.setenv(dask_batch.ENV_VAR, " ")
    assert dask_batch.scheduler_address(None) is None


def test_without_dask_the_scheduler_option_names_the_extra(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    out = tmp_path / "out"
    intake = tmp_path / "a.xlsx"
    shutil.copy(SAMPLE, intake)
    code = main(["batch", str(intake), "--out", str(out), "--scheduler", "tcp://127.0.0.1:1"])
    errors = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "pip install 'support-excellence[dask]'" in errors and "Traceback" not in errors


def test_unreachable_scheduler_is_a_usage_error_and_writes_nothing(tmp_path, monkeypatch,
                                                                   capsys):
    monkeypatch.setattr(dask_batch, "CONNECT_TIMEOUT", 2)
    intake = tmp_path / "a.xlsx"
    shutil.copy(SAMPLE, intake)
    out = tmp_path / "out"
    code = main(["batch", str(intake), "--out", str(out), "--scheduler", "tcp://127.0.0.1:9"])
    errors = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "cannot reach a Dask scheduler at tcp://127.0.0.1:9" in errors


def test_importing_the_batch_does_not_import_dask():
    code = ("import sys, assessment.batch.runner, assessment.batch.distributed, assessment.cli;"
            "print(sorted(m for m in ('dask', 'distributed', 'fsspec') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"



@pytest.mark.slow
def test_intake_urls_are_read_through_fsspec(tmp_path, intakes):
    """An fsspec URL (here a caching wrapper over a local file: any protocol but a plain
    path) is read by its worker; the scorecard is the path's, the notebook names the URL."""
    pytest.importorskip("fsspec")
    url = f"simplecache::file://{intakes[0]}"
    by_path, by_url = tmp_path / "path", tmp_path / "url"
    for given, out in ((str(intakes[0]), by_path), (url, by_url)):
        code = main(["batch", given, "--out", str(out), "--no-portfolio", "--format", "json",
                     "--workers", "1"])
        assert code == 0
    [results] = [f for f in published(by_url) if f.name == "results.json"]
    assert (by_url / results).read_bytes() == (by_path / results).read_bytes()
    notebook = next(by_url.glob("*/*.ipynb")).read_text(encoding="utf-8")
    assert f'"intake": "{url}"' in notebook and "support-excellence-" not in notebook
    summary = json.loads((by_url / report.SUMMARY_NAME).read_text(encoding="utf-8"))
    assert summary["intakes"][0]["intake"] == url


def test_kernel_pool_lends_one_kernel_per_running_notebook(monkeypatch):
    """Two threads of one Dask worker never share a kernel; a broken kernel is shut down and
    not lent again; closing the pool shuts the idle ones down."""
    from assessment.batch import kernel

    class Fake:
        made = 0

        def __init__(self) -> None:
            Fake.made += 1
            self.pid, self.down = Fake.made, False

        def shutdown(self) -> None:
            self.down = True

    monkeypatch.setattr(kernel, "start_kernel", Fake)
    pool = kernel.KernelPool()
    with pool.lease() as first, pool.lease() as second:  # two notebooks at once
        assert first.kernel is not second.kernel
    with pool.lease() as again:  # a warm one is reused
        assert again.kernel in (first.kernel, second.kernel)
        again.broken = True  # it died: replaced
    assert again.kernel.down
    with pool.lease() as third:
        assert third.kernel is not again.kernel and not third.kernel.down
    with pytest.raises(RuntimeError), pool.lease() as failing:
        raise RuntimeError("the worker itself failed")
    assert failing.kernel.down
    idle = third.kernel
    pool.close()
    assert idle.down
    with pool.lease() as late:  # a notebook still running when its worker closes
        pass
    assert late.kernel.down
