"""The Voila app (``make app``): serve notebooks/interactive_assessment.ipynb on localhost.

Starts Voila once for the module, with the command of the Makefile's ``app`` recipe (so the test
cannot drift from ``make app``) on 127.0.0.1 and a free port. Two checks:

- over HTTP: the page is served (HTTP 200) with the form in it, code cells hidden, rendered with
  the offline ``support-excellence`` template, and every script and stylesheet loaded from the
  local server (the app must work offline, in a client's meeting room). Voila renders widgets in
  the browser: the page carries each displayed widget's model reference
  (``application/vnd.jupyter.widget-view+json``) and the notebook's markdown;
- in headless Chromium with every request outside the local server aborted: the form's tabs,
  live index, SVG charts and Font Awesome icons render, with no failed request, console error
  or page error, and no console warning at all: in particular none of the "Unsatisfied version"
  warnings a widget manager built against other JupyterLab libraries than the page's gives
  (the pins of pyproject.toml). Every tab title shows whole, and the page shows no developer
  text (class or function names, repository paths, tool instructions). A screenshot is left in
  the temporary directory (``voila.png``).

``make app PORT=...`` serves on that port (8866 by default), and a ``?template=`` query cannot
make Voila render another template.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chart_sizes, watched_page

pytest.importorskip(
    "voila", reason="VOILA IS NOT INSTALLED: the Voila app smoke test did not run "
                    "(voila is a dependency: pip install -e .)")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
MAKEFILE = ROOT / "Makefile"
NOTEBOOK = ROOT / "notebooks" / "interactive_assessment.ipynb"
#: The Voila template for offline use (share/jupyter/voila/templates/support-excellence).
TEMPLATE = "support-excellence"
#: Longest wait for the server to answer and for the page (kernel start plus form build).
STARTUP_S = 30.0
PAGE_S = 60.0
SCREENSHOT = Path(tempfile.gettempdir()) / "voila.png"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
ASSET_URL = re.compile(
    r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']([^\"']+)[\"']", re.I)
REMOTE = re.compile(r"^(?:https?:)?//", re.I)
CELL_OUTPUT = re.compile(
    r"<script type=\"application/vnd\.voila\.cell-output\+json\">(.*?)</script>", re.S)
#: The form's charts: inline SVG in an HTML widget.
CHART = ".widget-html svg"
#: JavaScript: whether some element matching the selector has been drawn with a non-zero size.
CHART_DRAWN_JS = """(selector) => Array.from(document.querySelectorAll(selector)).some((el) => {
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.height > 0;
})"""
#: JavaScript: whether a Font Awesome font face (the form's button icons) has loaded.
ICON_FONT_LOADED_JS = """async () => {
  await document.fonts.ready;
  return Array.from(document.fonts).some(
    (face) => face.family.includes('Font Awesome') && face.status === 'loaded');
}"""
LIVE_INDEX = re.compile(r"Support Excellence Index:?\s+\d+\.\d")
#: JavaScript: every tab title of the page with the width it needs and the width it has.
TAB_TITLES_JS = """() => Array.from(document.querySelectorAll('.lm-TabBar-tabLabel')).map(
  (label) => ({text: label.textContent, needs: label.scrollWidth, has: label.clientWidth}))"""
#: What a consultant must never read on the app's page: code, repository paths, tool commands.
DEVELOPER_TEXT = ("AssessmentForm", "form.results", "form.widget", "form.export",
                  "assessment.interactive", "assessment.pipeline", "docs/", ".py", ".md",
                  "papermill", "support-excellence score", "Traceback", "notebook",
                  "run this cell", "()")
#: The browser console's words for a shared module whose version does not match.
VERSION_WARNING = re.compile(r"version", re.I)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode("utf-8", "replace")


def app_command() -> tuple[dict[str, str], list[str]]:
    """The ``make app`` recipe's Voila command: its variable assignments and Voila's arguments.

    ``$(CURDIR)`` becomes the repository root; ``make app`` runs from there, and so does Voila here.
    """
    text = MAKEFILE.read_text().replace("\\\n", " ")
    recipe = re.search(r"^app:.*\n((?:\t.*\n?)+)", text, re.M)
    assert recipe, "the Makefile has no app: target"
    line = next((line for line in recipe.group(1).splitlines() if "$(BIN)/voila " in line), None)
    assert line, f"the app recipe does not run $(BIN)/voila:\n{recipe.group(1)}"
    words = [word.replace("$(CURDIR)", str(ROOT)) for word in shlex.split(line)]
    at = words.index("$(BIN)/voila")
    return dict(word.split("=", 1) for word in words[:at]), words[at + 1:]


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


@pytest.fixture(scope="module")
def voila_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``make app``'s Voila on 127.0.0.1 and a free port: its base URL and its log file."""
    assignments, args = app_command()
    port = free_port()
    env = {**os.environ, **assignments}
    # the kernel imports the package from the work tree even when it is not installed
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))])
    args = [arg for arg in args if not arg.startswith("--port=")]
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "voila", *args, f"--port={port}", "--Voila.ip=127.0.0.1",
             "--Voila.port_retries=0"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        wait_for_server(port, proc, log)
        yield f"http://127.0.0.1:{port}", log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def notebook_markdown_headings() -> list[str]:
    nb = json.loads(NOTEBOOK.read_text())
    return [line.lstrip("#").strip() for cell in nb["cells"] if cell["cell_type"] == "markdown"
            for line in "".join(cell["source"]).splitlines() if line.startswith("#")]


def test_voila_serves_the_form_offline(voila_app: tuple[str, Path]) -> None:
    base, log = voila_app
    try:
        status, page = get(f"{base}/", timeout=PAGE_S)
    except urllib.error.URLError as error:
        pytest.fail(f"GET {base}/ failed: {error}\n{log.read_text()[-3000:]}")

    assert status == 200
    assert f"/voila/templates/{TEMPLATE}/static/" in page, f"not rendered with {TEMPLATE!r}"
    # the notebook ran cleanly, with its code hidden
    outputs = [json.loads(block) for block in CELL_OUTPUT.findall(page)]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert errors == [] and "Traceback" not in page, errors or log.read_text()[-3000:]
    assert "AssessmentForm(" not in page, "code cells are shown: strip_sources is off"
    for cell in json.loads(NOTEBOOK.read_text())["cells"]:  # the markdown a consultant reads
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"])
            assert [w for w in DEVELOPER_TEXT if w in text] == [], text[:80]
            assert "`" not in text, f"code formatting in the app's text: {text[:80]}"
    # the form: the notebook's headings, the form's widget view, the scores it computed
    for heading in notebook_markdown_headings():
        assert heading in page, f"markdown heading {heading!r} missing from the page"
    views = [o["data"][WIDGET_VIEW] for o in outputs if WIDGET_VIEW in o.get("data", {})]
    assert views and all(v.get("model_id") for v in views), "the form was not displayed"
    assert LIVE_INDEX.search(page), "no index score"

    # offline: every script and stylesheet comes from this server, none from a CDN
    assets = ASSET_URL.findall(page)
    assert any(".js" in url for url in assets), "the page loads no script at all"
    remote = [url for url in assets if REMOTE.match(url)]
    assert remote == [], f"scripts or stylesheets linked from outside the local server: {remote}"
    for url in assets:
        if not url.startswith("data:"):
            path = url if url.startswith("/") else f"/{url}"
            assert get(f"{base}{path}", timeout=10)[0] == 200, url


def test_form_renders_offline_in_chromium(voila_app: tuple[str, Path], chromium: Any) -> None:
    base, log = voila_app
    timeout_ms = PAGE_S * 1000
    with watched_page(chromium, offline=False, viewport=(1280, 1800)) as (page, page_log):
        warnings: list[str] = []
        page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
        # Playwright's offline mode also cuts 127.0.0.1, so abort instead every request that
        # leaves the local server; each one is logged as a failed request
        page.route(lambda url: not url.startswith(f"{base}/"), lambda route: route.abort())
        page.goto(f"{base}/", timeout=timeout_ms)
        page.locator(".widget-tab .lm-TabBar-tab").first.wait_for(timeout=timeout_ms)
        page.get_by_text(LIVE_INDEX).first.wait_for(state="visible", timeout=timeout_ms)
        page.wait_for_function(CHART_DRAWN_JS, arg=CHART, timeout=timeout_ms)
        page.wait_for_load_state("networkidle", timeout=timeout_ms)  # late fonts, icons
        charts = chart_sizes(page, CHART)
        icons = page.evaluate(ICON_FONT_LOADED_JS)
        tabs = page.evaluate(TAB_TITLES_JS)
        shown = page.inner_text("body")
        page.screenshot(path=SCREENSHOT)

        assert any(c["width"] > 0 and c["height"] > 0 for c in charts), charts
        assert icons, "Font Awesome (bundled in voila-style.js, served locally) did not load"
        assert page_log.problems() == [], "\n".join(
            [*page_log.problems(), "voila log:", log.read_text()[-2000:]])
        versions = [w for w in warnings if VERSION_WARNING.search(w)]
        assert versions == [], "lab and widget versions do not match:\n" + "\n".join(versions)
        assert warnings == [], "console warnings:\n" + "\n".join(warnings)
        # every tab title whole (ipywidgets shrinks tabs to a share of the bar and cuts them)
        titles = [t["text"] for t in tabs]
        assert {"Effectiveness", "Expectations", "Business case"} <= set(titles), titles
        cut = [t for t in tabs if t["needs"] > t["has"]]
        assert cut == [], f"tab titles cut: {cut}"
        assert [w for w in DEVELOPER_TEXT if w in shown] == [], "developer text on the page"


def test_template_cannot_be_switched_from_the_address(voila_app: tuple[str, Path]) -> None:
    """``?template=`` (a path traversal in Voila before 0.5.13) is ignored: make app turns the
    template and theme overrides off."""
    base, _log = voila_app
    status, page = get(f"{base}/?template=../../../../etc&theme=../x", timeout=PAGE_S)
    assert status == 200
    assert f"/voila/templates/{TEMPLATE}/static/" in page


@pytest.mark.parametrize("port", [None, "8870"])
def test_make_app_serves_on_the_port_given(port: str | None) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    args = [make, "-n", "app"] + ([f"PORT={port}"] if port else [])
    printed = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True,
                             env={k: v for k, v in os.environ.items() if k != "PORT"}).stdout
    wanted = port or "8866"
    assert re.findall(r"--port=(\S+)", printed) == [wanted], printed
