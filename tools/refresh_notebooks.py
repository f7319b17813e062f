"""Refresh the committed notebooks: ``python tools/refresh_notebooks.py NOTEBOOK...``
(``make notebooks`` refreshes all of ``notebooks/``; see docs/notebooks.md).

Each notebook is executed with its default parameters and rewritten with its new outputs and
without run metadata, so that nbval can compare a fresh run with it. A maintenance script of the
repository: it is not part of the package.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Cell metadata kept when a notebook is refreshed (``tags`` holds ``parameters``).
KEEP_CELL_METADATA = ("tags", "jupyter")
#: The output type of an ipywidgets view.
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def clean(nb: Any) -> Any:
    """Strip what varies between runs from an executed notebook (in place; returned).

    Drops papermill's and nbclient's run metadata (times, durations, status), the Python
    version, and any other notebook metadata but the kernel spec (load a cleaned notebook with
    ``papermill.iorw.load_notebook_node`` before ``parameterize_notebook``: it adds back the
    empty tags and metadata papermill expects); merges consecutive stream outputs, whose split
    depends on timing; and gives each widget view a stable model id (the widget state is not
    saved, so the random id only made every refresh differ).
    """
    kernelspec = nb.metadata.get("kernelspec") or {
        "display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata = type(nb.metadata)(
        kernelspec=kernelspec,
        language_info=type(nb.metadata)(name="python", file_extension=".py",
                                        mimetype="text/x-python"))
    for number, cell in enumerate(nb.cells):
        cell.metadata = type(cell.metadata)(
            {k: v for k, v in cell.metadata.items() if k in KEEP_CELL_METADATA and v})
        if cell.cell_type != "code":
            continue
        merged: list[Any] = []
        for out in cell.outputs:
            if (out.get("output_type") == "stream" and merged
                    and merged[-1].get("output_type") == "stream"
                    and merged[-1].get("name") == out.get("name")):
                merged[-1]["text"] += out["text"]
            else:
                merged.append(out)
        for position, out in enumerate(merged):
            view = (out.get("data") or {}).get(WIDGET_VIEW)
            if isinstance(view, dict) and "model_id" in view:
                view["model_id"] = hashlib.sha1(f"{number}:{position}".encode()).hexdigest()[:32]
        cell.outputs = merged
    return nb


def refresh(path: str | Path, kernel_name: str | None = None) -> Path:
    """Re-execute ``path`` with its default parameters and rewrite it with the new outputs,
    cleaned by :func:`clean`. A notebook that fails is left unchanged (the error is raised)."""
    import nbformat
    import papermill

    from assessment.files.write import atomic_write

    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        executed = papermill.execute_notebook(
            str(path), str(Path(tmp) / path.name), kernel_name=kernel_name,
            progress_bar=False, report_mode=False)
    for cell in executed.cells:
        if cell.cell_type == "code" and any(o.get("output_type") == "error"
                                            for o in cell.get("outputs", [])):
            raise RuntimeError(f"{path}: a cell raised an error; the notebook was not rewritten")
    text = nbformat.writes(clean(executed), version=4)
    return atomic_write(path, text if text.endswith("\n") else text + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/refresh_notebooks.py",
        description="Maintain the committed notebooks: re-execute them with their default "
                    "parameters and rewrite them with deterministic outputs, ready for nbval.")
    parser.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK")
    parser.add_argument("--kernel", default=None,
                        help="kernel name (default: the notebook's own, normally python3)")
    args = parser.parse_args(argv)
    for nb_path in args.notebooks:
        refresh(nb_path, args.kernel)
        print(f"refreshed {nb_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
