"""The Voila app (``make app``): serve notebooks/interactive_assessment.ipynb on localhost.

Starts Voila as a subprocess on 127.0.0.1 and a free port, requests the notebook page, and checks
that it is served (HTTP 200) with the form in it, code cells hidden, and every script loaded
from the local server (the app must work offline, in a client's meeting room). Voila renders
widgets in the browser: the page carries each displayed widget's model reference
(``application/vnd.jupyter.widget-view+json``) and the notebook's markdown, which is what is
checked here.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip(
    "voila", reason="VOILA IS NOT INSTALLED: the Voila app smoke test did not run "
                    "(voila is a dependency: pip install -e .)")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "interactive_assessment.ipynb"
#: Longest wait for the server to answer and for the page (kernel start plus form build).
STARTUP_S = 30.0
PAGE_S = 60.0
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.I)
CELL_OUTPUT = re.compile(
    r"<script type=\"application/vnd\.voila\.cell-output\+json\">(.*?)</script>", re.S)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode("utf-8", "replace")


def wait_for_server(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Poll until the port accepts connections; fail with Voila's log if it never does."""
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"voila exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"voila did not answer within {STARTUP_S:.0f} s:\n{log.read_text()[-3000:]}")


def notebook_markdown_headings() -> list[str]:
    nb = json.loads(NOTEBOOK.read_text())
    return [line.lstrip("#").strip() for cell in nb["cells"] if cell["cell_type"] == "markdown"
            for line in "".join(cell["source"]).splitlines() if line.startswith("#")]


def test_voila_serves_the_form_offline(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ)
    # the kernel imports the package from the work tree even when it is not installed
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))])
    log = tmp_path / "voila.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "voila", str(NOTEBOOK), "--no-browser", f"--port={port}",
             "--Voila.ip=127.0.0.1", "--Voila.port_retries=0"],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
    try:
        wait_for_server(port, proc, log)
        base = f"http://127.0.0.1:{port}"
        try:
            status, page = get(f"{base}/", timeout=PAGE_S)
        except urllib.error.URLError as error:
            pytest.fail(f"GET {base}/ failed: {error}\n{log.read_text()[-3000:]}")

        assert status == 200
        # the notebook ran cleanly, with its code hidden
        outputs = [json.loads(block) for block in CELL_OUTPUT.findall(page)]
        errors = [o for o in outputs if o.get("output_type") == "error"]
        assert errors == [] and "Traceback" not in page, errors or log.read_text()[-3000:]
        assert "AssessmentForm(" not in page, "code cells are shown: strip_sources is off"
        # the form: the notebook's headings, the form's widget view, the scores it computed
        for heading in notebook_markdown_headings():
            assert heading in page, f"markdown heading {heading!r} missing from the page"
        views = [o["data"][WIDGET_VIEW] for o in outputs if WIDGET_VIEW in o.get("data", {})]
        assert views and all(v.get("model_id") for v in views), "the form was not displayed"
        assert re.search(r"Support Excellence Index\s+\d+\.\d", page), "no index score"

        # offline: every script comes from this server, none from a CDN
        sources = SCRIPT_SRC.findall(page)
        assert sources, "the page loads no script at all"
        remote = [src for src in sources if re.match(r"^(https?:)?//", src, re.I)]
        assert remote == [], f"scripts loaded from outside the local server: {remote}"
        for src in sources:
            url = src if src.startswith("/") else f"/{src}"
            assert get(f"{base}{url}", timeout=10)[0] == 200, src
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
