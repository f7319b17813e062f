"""JupyterLab for real: a ``jupyter server`` on localhost runs every notebook in a kernel.

A consultant opens the notebooks in JupyterLab, so papermill and nbval (which start kernels
directly) are not enough. These tests start the installed ``jupyter server`` on 127.0.0.1 with a
token, read each ``notebooks/*.ipynb`` through its contents API, open a session (a ``python3``
kernel whose working directory is ``notebooks/``, as in Lab), run every code cell over the
kernel's websocket (Jupyter messaging protocol 5.3) and stop the kernel and the server. Each run
must be clean (every ``execute_reply`` ``ok``, no ``error`` output), in a kernel of this very
environment, importing ``assessment`` from the work tree, writing nothing into the repository
(the output folder parameter is overridden in an injected cell, as papermill does), with output
JupyterLab can show offline: no remote script or stylesheet in HTML, and every widget model from
a lab extension the server serves.

The extension checks read the installed state: ``jupyter labextension list`` and the page config
of the running ``/lab`` page (the widgets manager and anywidget enabled and served), the built
application's ``package.json`` (the core ``@jupyterlab/vega5-extension`` mime renderer), and the
Altair chart widgets (``alt.JupyterChart``, an anywidget) the interactive form creates in a real
kernel: their JavaScript reaches JupyterLab as the vl-convert bundle, with no CDN import. A
plain ``alt.Chart`` draws offline too once ``assessment.interactive.display.offline_altair()``
has run.
"""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
import functools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from browser import watched_page

pytest.importorskip(
    "jupyter_server", reason="JUPYTER SERVER IS NOT INSTALLED: the JupyterLab tests did not run "
                             "(jupyterlab is a dependency: pip install -e .)")
from tornado.httpclient import HTTPRequest  # noqa: E402 (tornado comes with jupyter_server)
from tornado.websocket import WebSocketClientConnection, websocket_connect  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: Longest waits: the server answering, one cell, one HTTP request.
STARTUP_S = 30.0
CELL_S = 120.0
HTTP_S = 30.0
PROTOCOL_VERSION = "5.3"
#: Parameters naming the folder a notebook writes to; overridden with a temporary folder.
OUTPUT_PARAMETERS = ("output_dir",)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Widget model modules and the lab extension that provides them in the browser.
WIDGET_PROVIDERS = {
    "@jupyter-widgets/base": "@jupyter-widgets/jupyterlab-manager",
    "@jupyter-widgets/controls": "@jupyter-widgets/jupyterlab-manager",
    "@jupyter-widgets/output": "@jupyter-widgets/jupyterlab-manager",
    "anywidget": "anywidget",
}
REQUIRED_EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "anywidget")
VEGA_EXTENSION = "@jupyterlab/vega5-extension"
#: JupyterLab user settings for the server: a notebook opened in the browser is never saved
#: (Lab marks it modified on open, when it records the kernel's language_info), no news popup.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"},
}
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: An HTML element that makes the browser fetch something from another host.
REMOTE_RESOURCE = re.compile(
    r"<(?:script|img|link|iframe|embed|source)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//",
    re.I)
#: A URL in a script (the ``$schema`` of a Vega spec and XML namespaces are never fetched).
SCRIPT_URL = re.compile(r"(?<!\"\$schema\": )[\"'](?:https?:)?//(?!www\.w3\.org/)[^\"'\s]+[\"']")
SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.I | re.S)
#: An ES module import from a URL (static ``import ... from "https://..."`` or ``import(...)``).
URL_IMPORT = re.compile(r"""\bimport\b[^;"']*?\(?\s*["'](?:https?:)?//""")
VEGA_MIMETYPE = re.compile(r"application/vnd\.vega(?:lite)?\.v\d+[+.]json")


# ------------------------------------------------------------------------------------ server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running ``jupyter server``: its URL, token, process and log file."""

    url: str
    token: str
    proc: subprocess.Popen[bytes]
    log: Path

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        """One HTTP request with the token; HTTP errors are returned, not raised."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.url}{path}", data=data, method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=HTTP_S) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """A REST call that must succeed; its JSON answer (None when empty)."""
        status, payload = self.request(method, path, body)
        assert 200 <= status < 300, (
            f"{method} {path}: HTTP {status} {payload[:500]!r}\n{self.log_tail()}")
        return json.loads(payload) if payload else None

    def page_config(self) -> dict[str, Any]:
        """The page config JupyterLab's ``/lab`` page hands to the browser."""
        status, page = self.request("GET", "/lab")
        assert status == 200, f"GET /lab: HTTP {status}\n{self.log_tail()}"
        found = re.search(rb'<script id="jupyter-config-data" type="application/json">(.*?)'
                          rb"</script>", page, re.S)
        assert found, "the /lab page carries no jupyter-config-data"
        return json.loads(found.group(1))


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate, wait, kill if it lingers."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``jupyter server`` on 127.0.0.1, rooted at the repository; stopped (and checked gone)."""
    tmp = tmp_path_factory.mktemp("jupyter")
    port, token = free_port(), uuid.uuid4().hex
    env = dict(os.environ)
    # kernels import the package from the work tree even when it is not installed
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))])
    env["JUPYTER_RUNTIME_DIR"] = str(tmp / "runtime")  # connection files, cookie secret
    (tmp / "kernel-tmp").mkdir()
    env["TMPDIR"] = str(tmp / "kernel-tmp")  # a notebook's default temporary output folder
    settings = tmp / "settings"
    for plugin, values in LAB_SETTINGS.items():
        (settings / plugin).parent.mkdir(parents=True, exist_ok=True)
        (settings / plugin).with_suffix(".jupyterlab-settings").write_text(json.dumps(values))
    log = tmp / "server.log"
    command = [sys.executable, "-m", "jupyter_server", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={ROOT}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
               f"--LabApp.user_settings_dir={settings}",
               # Lab checkpoints a notebook it opens: not into notebooks/.ipynb_checkpoints
               f"--FileCheckpoints.checkpoint_dir={tmp / 'checkpoints'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI run as root
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    running = Server(f"http://127.0.0.1:{port}", token, proc, log)
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter server exited with {proc.returncode}:\n"
                            f"{running.log_tail()}")
            try:
                if running.request("GET", "/api/status")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter server did not answer /api/status within {STARTUP_S:.0f} s"
                            f":\n{running.log_tail()}")
            time.sleep(0.2)
        yield running
    finally:
        stop(proc)
    assert proc.poll() is not None, "jupyter server is still running"
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass  # nothing listens on the port any more


# ------------------------------------------------------------------------------------ kernel


@dataclass
class Execution:
    """What one ``execute_request`` gave: the reply's content and the iopub messages."""

    label: str
    reply: dict[str, Any]
    outputs: list[dict[str, Any]] = field(default_factory=list)
    comms: list[dict[str, Any]] = field(default_factory=list)

    def errors(self) -> list[dict[str, Any]]:
        return [o for o in self.outputs if o["output_type"] == "error"]

    def text(self) -> str:
        return "".join(o.get("text", "") for o in self.outputs if o["output_type"] == "stream")

    def failure(self) -> str:
        """The cell's label and traceback, for an assertion message."""
        error = (self.errors() or [self.reply])[0]
        trace = "\n".join(error.get("traceback", []))
        trace = trace or f"{error.get('ename')}: {error.get('evalue')}"
        return f"{self.label} failed ({self.reply.get('status')}):\n{ANSI.sub('', trace)}"


def decode(frame: str | bytes) -> dict[str, Any]:
    """A message of jupyter_server's default websocket protocol (JSON, or binary with buffers:
    a count, offsets, then the JSON and each buffer)."""
    if isinstance(frame, str):
        return json.loads(frame)
    count = int.from_bytes(frame[:4], "big")
    offsets = [int.from_bytes(frame[4 + 4 * i:8 + 4 * i], "big") for i in range(count)]
    end = offsets[1] if count > 1 else len(frame)
    return json.loads(frame[offsets[0]:end])


class KernelClient:
    """A client of one kernel's ``/channels`` websocket, speaking messaging protocol 5.3."""

    def __init__(self, ws: WebSocketClientConnection) -> None:
        self.ws = ws
        self.session = uuid.uuid4().hex

    @classmethod
    async def connect(cls, server: Server, kernel_id: str) -> KernelClient:
        ws_url = server.url.replace("http://", "ws://", 1)
        request = HTTPRequest(f"{ws_url}/api/kernels/{kernel_id}/channels"
                              f"?session_id={uuid.uuid4().hex}&token={server.token}",
                              connect_timeout=HTTP_S, request_timeout=HTTP_S)
        return cls(await websocket_connect(request, max_message_size=64 * 2**20))

    async def send(self, msg_type: str, content: dict[str, Any]) -> str:
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "session": self.session, "username": "test_jupyterlab",
                  "date": dt.datetime.now(dt.UTC).isoformat(), "msg_type": msg_type,
                  "version": PROTOCOL_VERSION}
        await self.ws.write_message(json.dumps(
            {"header": header, "parent_header": {}, "metadata": {}, "content": content,
             "buffers": [], "channel": "shell"}))
        return msg_id

    async def replies(self, msg_id: str, deadline: float) -> AsyncIterator[dict[str, Any]]:
        """The messages answering ``msg_id``, until the deadline (``TimeoutError``)."""
        loop = asyncio.get_running_loop()
        while True:
            frame = await asyncio.wait_for(self.ws.read_message(), deadline - loop.time())
            if frame is None:
                raise ConnectionError("the kernel websocket closed")
            msg = decode(frame)
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                yield msg

    async def kernel_info(self, timeout: float = CELL_S) -> dict[str, Any]:
        msg_id = await self.send("kernel_info_request", {})
        deadline = asyncio.get_running_loop().time() + timeout
        async for msg in self.replies(msg_id, deadline):
            if msg["header"]["msg_type"] == "kernel_info_reply":
                return msg["content"]
        raise AssertionError("unreachable")

    async def execute(self, label: str, code: str, timeout: float = CELL_S) -> Execution:
        """Run ``code``; collect outputs until both the reply and the idle status arrived."""
        msg_id = await self.send("execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True})
        deadline = asyncio.get_running_loop().time() + timeout
        run = Execution(label, {})
        idle = False
        async for msg in self.replies(msg_id, deadline):
            kind, content = msg["header"]["msg_type"], msg["content"]
            if msg["channel"] == "shell" and kind == "execute_reply":
                run.reply = content
            elif kind == "status":
                idle = content["execution_state"] == "idle"
            elif kind in ("stream", "display_data", "execute_result", "error",
                          "update_display_data"):
                run.outputs.append({"output_type": kind, **content})
            elif kind == "comm_open":
                run.comms.append(content)
            if run.reply and idle:
                return run
        raise AssertionError("unreachable")


def in_own_loop(coroutine: Any) -> Any:
    """Run ``coroutine`` to completion in a fresh event loop on another thread: the session's
    Playwright browser (tests/conftest.py) keeps a loop running on this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def run_cells(server: Server, kernel_id: str,
                    cells: list[tuple[str, str]]) -> list[Execution]:
    """Execute ``(label, code)`` cells in order, stopping at the first that fails."""
    client = await KernelClient.connect(server, kernel_id)
    try:
        info = await client.kernel_info()
        assert info["status"] == "ok" and info["protocol_version"].startswith("5."), info
        runs: list[Execution] = []
        for label, code in cells:
            try:
                runs.append(await client.execute(label, code))
            except TimeoutError:
                pytest.fail(f"{label} did not finish within {CELL_S:.0f} s:\n{code[:500]}")
            if runs[-1].reply.get("status") != "ok" or runs[-1].errors():
                break
        return runs
    finally:
        client.ws.close()


#: The first cell run in every kernel: where it runs and what it imports.
ENVIRONMENT_PROBE = """\
import json, os, sys
import assessment
print(json.dumps({"executable": sys.executable, "prefix": sys.prefix, "cwd": os.getcwd(),
                  "assessment": assessment.__file__}))
"""


def check_environment(run: Execution, cwd: Path) -> None:
    """The kernel is this environment's Python, in ``cwd``, importing the work tree's package."""
    assert run.reply.get("status") == "ok" and not run.errors(), run.failure()
    found = json.loads(run.text().strip().splitlines()[-1])
    assert Path(found["executable"]) == Path(sys.executable), found
    assert Path(found["prefix"]).resolve() == Path(sys.prefix).resolve(), found
    assert Path(found["cwd"]).resolve() == cwd.resolve(), found
    assert Path(found["assessment"]).resolve().is_relative_to(ROOT / "assessment"), found


# ------------------------------------------------------------------------------ notebooks


def parameter_names(source: str) -> list[str]:
    """The names a papermill ``parameters`` cell assigns."""
    names: list[str] = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def code_cells(notebook: dict[str, Any], out_dir: Path) -> tuple[list[tuple[str, str]], bool]:
    """The notebook's code cells as ``(label, code)``, with the output folder parameter set to
    ``out_dir`` in a cell injected after the ``parameters`` cell (as papermill does); and
    whether there was such a parameter."""
    cells: list[tuple[str, str]] = []
    overridden = False
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        cells.append((f"cell {index}", source))
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            names = [n for n in parameter_names(source) if n in OUTPUT_PARAMETERS]
            if names:
                lines = "".join(f"{name} = {str(out_dir)!r}\n" for name in names)
                cells.append((f"injected parameters after cell {index}", f"# Parameters\n{lines}"))
                overridden = True
    return cells, overridden


def git_status(*args: str) -> set[str] | None:
    """``git status --porcelain`` lines of the work tree (None without git)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return None
    done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    return set(done.stdout.splitlines()) if done.returncode == 0 else None


def untracked() -> set[str] | None:
    """New files anywhere in the work tree, and ignored ones too where the kernel runs."""
    repo = git_status()
    here = git_status("--ignored", "--", "notebooks")
    if repo is None or here is None:
        return None
    return {line for line in repo | here if line.startswith(("??", "!!"))}


def needs_network(html: str) -> bool:
    """Whether an HTML output makes the browser fetch from another host (an element's
    ``src``/``href``, or a script with a URL in it, as Altair's HTML renderer has)."""
    return bool(REMOTE_RESOURCE.search(html)
                or any(SCRIPT_URL.search(script) for script in SCRIPT.findall(html)))


def offline_problems(run: Execution) -> list[str]:
    """Outputs JupyterLab could not show offline: remote resources in HTML, IOPub limits."""
    problems = []
    for out in run.outputs:
        data = out.get("data", {})
        if needs_network(str(data.get("text/html", ""))):
            problems.append(f"{run.label}: HTML output loads from another host")
        vega = [m for m in data if VEGA_MIMETYPE.fullmatch(m)]
        if vega:
            problems.append(f"{run.label}: Vega output {vega} (Altair's mimetype renderer): "
                            "use assessment.interactive.display.offline_altair()")
        if "rate exceeded" in out.get("text", ""):
            problems.append(f"{run.label}: {out['text'].strip()[:200]}")
    return problems


def widget_modules(comms: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Model and view modules of the widgets the kernel opened, with their versions."""
    modules: dict[str, set[str]] = {}
    for comm in comms:
        if comm.get("target_name") != "jupyter.widget":
            continue
        state = comm["data"]["state"]
        for kind in ("_model", "_view"):
            if state.get(f"{kind}_module"):
                modules.setdefault(state[f"{kind}_module"], set()).add(
                    state.get(f"{kind}_module_version", ""))
    return modules


def check_widgets_are_served(modules: dict[str, set[str]], config: dict[str, Any]) -> None:
    """Every widget module comes from a lab extension the running server serves, and an
    anywidget model asks for the installed anywidget version (``~0.11.*`` for 0.11.0)."""
    served = {ext["name"]: ext for ext in config["federated_extensions"]}
    for module, versions in modules.items():
        provider = WIDGET_PROVIDERS.get(module)
        assert provider, f"widget module {module} has no known lab extension"
        assert provider in served, f"{module} needs {provider}, not served by JupyterLab"
        if module == "anywidget":
            installed = lab_extension_versions()["anywidget"]
            for wanted in versions:
                major_minor = re.match(r"[~^]?(\d+)\.(\d+)", wanted)
                assert major_minor and installed.split(".")[:2] == list(major_minor.groups()), (
                    f"kernel asks for anywidget {wanted}, JupyterLab has {installed}")


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs_in_a_jupyter_server_kernel(server: Server, notebook: Path,
                                                  tmp_path: Path) -> None:
    name = f"notebooks/{notebook.name}"
    before = untracked()
    model = server.api("GET", f"/api/contents/{quote(name)}?content=1")
    assert model["type"] == "notebook" and model["path"] == name
    out_dir = tmp_path / "out"
    cells, overridden = code_cells(model["content"], out_dir)
    session = server.api("POST", "/api/sessions", {
        "path": name, "name": notebook.name, "type": "notebook", "kernel": {"name": "python3"}})
    kernel_id = session["kernel"]["id"]
    try:
        runs = in_own_loop(run_cells(server, kernel_id,
                                     [("environment probe", ENVIRONMENT_PROBE), *cells]))
    finally:
        server.api("DELETE", f"/api/sessions/{session['id']}")
    kernels = {k["id"] for k in server.api("GET", "/api/kernels")}
    sessions = {s["id"] for s in server.api("GET", "/api/sessions")}
    assert kernel_id not in kernels and session["id"] not in sessions, "kernel left running"

    check_environment(runs[0], notebook.parent)
    for run in runs:
        assert run.reply.get("status") == "ok" and not run.errors(), \
            f"{notebook.name}: {run.failure()}"
    assert len(runs) == len(cells) + 1, "not every cell ran"
    problems = [p for run in runs for p in offline_problems(run)]
    assert problems == [], problems
    check_widgets_are_served(widget_modules([c for run in runs for c in run.comms]),
                             server.page_config())
    if overridden:  # the run wrote where it was told, and only there
        assert out_dir.is_dir() and any(p.is_file() for p in out_dir.rglob("*")), \
            f"{notebook.name} wrote nothing into its output_dir"
    after = untracked()
    if before is not None and after is not None:
        assert after - before == set(), f"{notebook.name} left files in the repository"


# ---------------------------------------------------------------------------- extensions


@functools.cache
def lab_extension_list() -> str:
    """``jupyter labextension list`` (it prints to stderr), colours stripped; run once."""
    done = subprocess.run([sys.executable, "-m", "jupyter", "labextension", "list"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    return ANSI.sub("", done.stdout + done.stderr)


def lab_extension_versions() -> dict[str, str]:
    """Extension name -> version, from the enabled and OK lines of the listing."""
    return dict(re.findall(r"^\s+(\S+) v(\S+) enabled\s+OK\b", lab_extension_list(), re.M))


@pytest.mark.slow
def test_widget_extensions_are_installed_enabled_and_served(server: Server) -> None:
    versions, listing = lab_extension_versions(), lab_extension_list()
    disabled_listed = listing.partition("Disabled extensions:")[2]
    for name in REQUIRED_EXTENSIONS:
        assert name in versions, f"{name} is not installed, enabled and OK:\n{listing}"
        assert name not in disabled_listed, listing
    # the running server hands them to the browser, and serves their code itself
    config = server.page_config()
    served = {ext["name"]: ext for ext in config["federated_extensions"]}
    disabled = config["disabledExtensions"]
    for name in REQUIRED_EXTENSIONS:
        assert name in served, f"{name} missing from /lab's federated_extensions"
        assert not any(d == name or d.startswith(f"{name}:") for d in disabled), disabled
        load = served[name]["load"].removeprefix("./")
        status, script = server.request("GET", f"/lab/extensions/{name}/{load}")
        assert status == 200 and script, f"{name}'s remoteEntry is not served: {status}"


@pytest.mark.slow
def test_vega_mime_renderer_is_built_into_jupyterlab(server: Server) -> None:
    """JupyterLab renders Vega and Vega-Lite outputs with a core mime extension built into the
    application the server serves (no lab extension to install, nothing from a CDN)."""
    config = server.page_config()
    app = json.loads((Path(config["staticDir"]) / "package.json").read_text())["jupyterlab"]
    assert VEGA_EXTENSION in app["mimeExtensions"], sorted(app["mimeExtensions"])
    disabled = config["disabledExtensions"]
    assert not any(d == VEGA_EXTENSION or d.startswith(f"{VEGA_EXTENSION}:")
                   for d in disabled), disabled
    assert VEGA_EXTENSION not in lab_extension_list().partition("Disabled extensions:")[2]
    assert "application/vnd.vegalite.v5+json" in built_vega_mimetypes(Path(config["staticDir"]))


def built_vega_mimetypes(static: Path) -> set[str]:
    """The Vega mimetypes the built JupyterLab bundle registers a renderer for."""
    return {m.decode() for js in static.glob("*.js")
            for m in re.findall(rb"application/vnd\.vega(?:lite)?\.v\d+\+json", js.read_bytes())}


ALTAIR_FORM = """\
from assessment.interactive.form import AssessmentForm
form = AssessmentForm(charts="altair")
form.widget
"""


def bundled_chart_states(run: Execution) -> list[dict[str, Any]]:
    """The ``alt.JupyterChart`` models a cell opened, checked to carry Altair's JavaScript as
    the offline bundle (no ``import`` from a CDN)."""
    charts = [c["data"]["state"] for c in run.comms
              if c["data"]["state"].get("_anywidget_id") == "altair.jupyter.jupyter_chart."
                                                             "JupyterChart"]
    for state in charts:
        assert len(state["_esm"]) > 100_000, "the chart's JavaScript is not the bundle"
        assert not URL_IMPORT.search(state["_esm"]), URL_IMPORT.search(state["_esm"])
    return charts


def run_in_kernel(server: Server, label: str, code: str) -> Execution:
    """Run one cell in a fresh kernel of the server; it must succeed."""
    kernel = server.api("POST", "/api/kernels", {"name": "python3"})
    try:
        runs = in_own_loop(run_cells(server, kernel["id"], [(label, code)]))
    finally:
        server.api("DELETE", f"/api/kernels/{kernel['id']}")
    assert runs[0].reply.get("status") == "ok" and not runs[0].errors(), runs[0].failure()
    return runs[0]


def displayed_widget(run: Execution) -> bool:
    return any(o["output_type"] == "execute_result" and WIDGET_VIEW in o["data"]
               for o in run.outputs)


@pytest.mark.slow
def test_altair_chart_widgets_reach_jupyterlab_offline(server: Server) -> None:
    """``AssessmentForm(charts="altair")`` in a real kernel: its ``alt.JupyterChart`` models go
    to anywidget in JupyterLab with Altair's JavaScript bundled (no ``import`` from a CDN)."""
    jupyter_chart = pytest.importorskip("altair.jupyter.jupyter_chart")
    # the bundle check does catch a CDN import: Altair's own, un-bundled source has them
    assert URL_IMPORT.search(jupyter_chart.load_js_src())
    run = run_in_kernel(server, "altair form", ALTAIR_FORM)
    assert len(bundled_chart_states(run)) == 4, "expected the form's four chart panels"
    assert displayed_widget(run), "the form was not displayed"
    check_widgets_are_served(widget_modules(run.comms), server.page_config())


PLAIN_ALTAIR = """\
from assessment.interactive import display as nb
alt = nb.offline_altair()
alt.Chart(alt.Data(values=[{"x": 1}, {"x": 2}])).mark_point().encode(x="x:Q")
"""


@pytest.mark.slow
def test_plain_altair_chart_renders_offline_after_offline_altair(server: Server) -> None:
    """A consultant's own ``alt.Chart``, after ``nb.offline_altair()``, reaches JupyterLab as
    an offline ``JupyterChart`` widget, not as HTML that loads Vega from a CDN."""
    run = run_in_kernel(server, "plain altair", PLAIN_ALTAIR)
    assert len(bundled_chart_states(run)) == 1
    assert displayed_widget(run), "the chart was not displayed"
    assert offline_problems(run) == []
    check_widgets_are_served(widget_modules(run.comms), server.page_config())


# ------------------------------------------------------------------------------- browser

SCREENSHOT = Path(tempfile.gettempdir()) / "jlab.png"
BROWSER_NOTEBOOK = ROOT / "notebooks" / "portfolio.ipynb"
PAGE_S = 60.0
#: JavaScript: the chart outputs JupyterLab shows (an ``img`` of the SVG as a ``data:`` URI in an
#: HTML output, which Lab shows in untrusted notebooks too) with their decoded size, the
#: ``stderr`` outputs (tracebacks, warnings), and whether the run is over (the kernel idle and
#: no cell prompt ``[*]``, running or queued).
LAB_OUTPUTS_JS = """() => ({
  charts: Array.from(document.querySelectorAll(
    '.jp-OutputArea-output img[src^="data:image/svg+xml"]')).map((img) => ({
      complete: img.complete, width: img.naturalWidth, height: img.naturalHeight,
      stale: img.dataset.seStale === '1', alt: (img.alt || '').slice(0, 80)})),
  stderr: Array.from(document.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')).map(
    (el) => el.innerText.slice(0, 2000)),
  done: !!document.querySelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
    && !Array.from(document.querySelectorAll('.jp-InputPrompt')).some(
      (el) => el.innerText.includes('*')),
})"""


def svg_outputs(path: Path) -> int:
    """How many SVG charts the notebook's committed outputs hold."""
    cells = json.loads(path.read_text())["cells"]
    htmls = ("".join(out.get("data", {}).get("text/html", ""))
             for cell in cells for out in cell.get("outputs", []))
    return sum('src="data:image/svg+xml;base64,' in html for html in htmls)


@contextmanager
def lab_notebook(server: Server, chromium: Any, name: str) -> Iterator[tuple[Any, Any]]:
    """JupyterLab in headless Chromium with notebook ``name`` open and its kernel idle; yields
    the page and its :class:`~browser.PageLog`. Every request leaving the local server is
    aborted (and so logged as failed); the notebook's session is deleted afterwards."""
    timeout_ms = PAGE_S * 1000
    try:
        with watched_page(chromium, offline=False) as (page, page_log):
            # Playwright's offline mode also cuts 127.0.0.1: abort what leaves the server instead
            page.route(lambda url: not url.startswith(f"{server.url}/"),
                       lambda route: route.abort())
            page.goto(f"{server.url}/lab/tree/{name}?token={server.token}", timeout=timeout_ms)
            page.locator(".jp-OutputArea-output").first.wait_for(timeout=timeout_ms)
            # the kernel is connected: the status bar reads "<kernel> | Idle"
            page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle$")).first \
                .wait_for(timeout=timeout_ms)
            yield page, page_log
    finally:
        for session in server.api("GET", "/api/sessions"):
            if session["path"] == name:
                server.api("DELETE", f"/api/sessions/{session['id']}")


@pytest.mark.slow
def test_jupyterlab_runs_the_portfolio_and_draws_its_charts(server: Server, chromium: Any) -> None:
    """JupyterLab in headless Chromium: open the notebook, *Run All Cells*, see every chart.

    The committed charts are drawn as soon as the notebook opens, though an unsigned notebook
    is untrusted (JupyterLab would show an untrusted ``image/svg+xml`` as its text; the charts
    are ``<img>`` tags in HTML, which it sanitizes and shows), and again after the run.
    Every request leaving the local server is aborted and logged: none may fail.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # the fixture has it

    name = f"notebooks/{BROWSER_NOTEBOOK.name}"
    committed, expected = BROWSER_NOTEBOOK.read_bytes(), svg_outputs(BROWSER_NOTEBOOK)
    before = untracked()
    timeout_ms = PAGE_S * 1000
    with lab_notebook(server, chromium, name) as (page, page_log):
        # the committed charts show before any run (untrusted notebook)
        page.wait_for_function(
            f"() => ({LAB_OUTPUTS_JS})().charts.filter((c) => c.width > 0).length "
            f">= {expected}", timeout=timeout_ms)
        opened = page.evaluate(LAB_OUTPUTS_JS)["charts"]
        # mark them, so the wait below sees the charts the run draws, not these
        page.evaluate("() => document.querySelectorAll('.jp-OutputArea-output img')"
                      ".forEach((img) => { img.dataset.seStale = '1'; })")
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel",
                     has_text="Run All Cells").first.click()
        try:
            page.wait_for_function(
                f"() => {{ const o = ({LAB_OUTPUTS_JS})(); return o.done && "
                f"o.charts.filter((c) => c.width > 0 && !c.stale).length >= {expected}; }}",
                timeout=timeout_ms)
        except PlaywrightTimeout as error:  # say what Lab showed
            page.screenshot(path=SCREENSHOT)
            pytest.fail(f"JupyterLab did not draw {expected} charts: {error}\n"
                        f"{page.evaluate(LAB_OUTPUTS_JS)}\n{page_log.problems()}\n"
                        f"see {SCREENSHOT}")
        page.locator('.jp-OutputArea-output img[src^="data:image/svg+xml"]').first \
            .scroll_into_view_if_needed()
        page.screenshot(path=SCREENSHOT)
        outputs = page.evaluate(LAB_OUTPUTS_JS)
        problems = page_log.problems()
    assert outputs["stderr"] == [], outputs["stderr"]
    assert len(opened) == expected and all(c["complete"] and c["width"] > 0 for c in opened), (
        "the committed charts are not drawn when the notebook is opened", opened)
    charts = outputs["charts"]
    assert len(charts) == expected and all(c["complete"] and c["width"] > 0 and c["height"] > 0
                                           for c in charts), charts
    assert problems == [], "\n".join([*problems, "server log:", server.log_tail()])
    assert BROWSER_NOTEBOOK.read_bytes() == committed, "JupyterLab saved the notebook"
    after = untracked()
    if before is not None and after is not None:
        assert after - before == set(), "JupyterLab left files in the repository"


ALTAIR_SCREENSHOT = Path(tempfile.gettempdir()) / "jlab-altair.png"
#: JavaScript: what vega-embed drew in the first cell's output (``canvas`` or ``svg`` marks).
FIRST_CELL_VEGA_JS = """() => {
  const cell = document.querySelector('.jp-Notebook .jp-Cell');
  const marks = cell && cell.querySelector('.jp-OutputArea-output .vega-embed .marks');
  if (!marks) return null;
  const box = marks.getBoundingClientRect();
  return {tag: marks.tagName.toLowerCase(), width: box.width, height: box.height};
}"""


@pytest.mark.slow
def test_jupyterlab_draws_a_plain_altair_chart_offline(server: Server, chromium: Any) -> None:
    """JupyterLab in headless Chromium: a consultant adds a cell with their own ``alt.Chart``
    (after ``nb.offline_altair()``) and runs it; vega-embed draws it from the bundled
    JavaScript while every request leaving the local server is aborted and logged."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # the fixture has it

    name = f"notebooks/{BROWSER_NOTEBOOK.name}"
    committed = BROWSER_NOTEBOOK.read_bytes()
    timeout_ms = PAGE_S * 1000
    with lab_notebook(server, chromium, name) as (page, page_log):
        # a new cell above the first (command mode "a"), typed in and run with Shift+Enter
        page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").first.click()
        page.keyboard.press("Escape")
        page.keyboard.press("a")
        page.keyboard.press("Enter")
        page.keyboard.insert_text(PLAIN_ALTAIR.replace("\n", "; ").strip("; "))
        page.keyboard.press("Shift+Enter")
        try:
            page.wait_for_function(
                f"() => {{ const m = ({FIRST_CELL_VEGA_JS})(); "
                "return m && m.width > 0 && m.height > 0; }", timeout=timeout_ms)
        except PlaywrightTimeout as error:
            page.screenshot(path=SCREENSHOT)
            pytest.fail(f"JupyterLab did not draw the Altair chart: {error}\n"
                        f"{page_log.problems()}\nsee {SCREENSHOT}")
        drawn = page.evaluate(FIRST_CELL_VEGA_JS)
        page.screenshot(path=ALTAIR_SCREENSHOT)
        problems = page_log.problems()
    assert drawn["tag"] in ("canvas", "svg") and drawn["width"] > 0, drawn
    assert problems == [], "\n".join([*problems, "server log:", server.log_tail()])
    assert BROWSER_NOTEBOOK.read_bytes() == committed, "JupyterLab saved the notebook"
