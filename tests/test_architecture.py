"""The package's shape: stages import only what they may, no cycles, no borrowed privates.

docs/architecture.md states the rules; these tests hold the code to them, reading every module
with :mod:`ast` (nothing is imported). Imports under ``if TYPE_CHECKING:`` are annotations only
and are left out; imports inside functions (lazy imports) count like any other.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "assessment"

#: What each stage may import from the package (itself always allowed).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "files": {"core"},
    "intake": {"core", "files"},
    # raw exports (methodology §11) become figures, and a filled copy of an intake
    "evidence": {"core", "files", "intake"},
    "scorecard": {"core", "files"},
    "pipeline": {"core", "files", "intake", "scorecard"},
    # with no results folder, the portfolio scores the bundled samples through the pipeline
    "portfolio": {"core", "files", "scorecard", "pipeline", "intake"},
    "batch": {"core", "files", "intake", "scorecard", "portfolio", "pipeline"},
    "interactive": {"core", "files", "intake", "evidence", "scorecard", "portfolio", "pipeline"},
    "cli": {"core", "files", "intake", "evidence", "scorecard", "portfolio", "pipeline", "batch"},
    "__main__": {"cli"},
    "__init__": set(),
}
#: Third-party libraries the pure core may use (besides the standard library).
CORE_THIRD_PARTY = {"yaml", "numpy"}  # numpy: the columnar engine (core/table.py)


def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skip |= {id(n) for n in ast.walk(child)}
    return skip


def imports(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """``(imported module, imported names, line)`` for every import of ``name`` at run time."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((base, [a.name for a in node.names], node.lineno))
    return found


def stage(module: str) -> str:
    """``assessment.scorecard.html`` -> ``scorecard``; ``assessment.cli`` -> ``cli``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def internal_edges() -> dict[str, set[str]]:
    """Module -> the package modules it imports (``from pkg import mod`` resolved to mod)."""
    mods = modules()
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        for target, names, _ in imports(name, path):
            if target != "assessment" and not target.startswith("assessment."):
                continue
            for n in names:
                if f"{target}.{n}" in mods:
                    edges[name].add(f"{target}.{n}")
            if target in mods and not all(f"{target}.{n}" in mods for n in names or ["-"]):
                edges[name].add(target)
    return edges


def test_every_stage_folder_is_known_and_documents_what_it_may_import() -> None:
    for folder in sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").exists()):
        assert folder.name in ALLOWED, f"new stage {folder.name}: add it to ALLOWED and the docs"
        doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text()))
        assert doc and "May import" in doc, f"{folder.name}/__init__.py must say what it may import"


def test_stages_import_only_what_they_may() -> None:
    wrong = []
    for name, targets in internal_edges().items():
        own = stage(name)
        for target in targets:
            other = stage(target)
            if other not in ALLOWED[own] | {own, "__init__"}:
                wrong.append(f"{name} imports {target} ({own} may not import {other})")
    assert not wrong, "\n".join(wrong)


def test_intake_and_scorecard_do_not_depend_on_each_other() -> None:
    edges = internal_edges()
    assert not any(stage(t) == "scorecard" for m, ts in edges.items() if stage(m) == "intake"
                   for t in ts)
    assert not any(stage(t) == "intake" for m, ts in edges.items() if stage(m) == "scorecard"
                   for t in ts)


def test_the_core_is_pure() -> None:
    """The core imports only the standard library, YAML and itself: no I/O edge, no Jupyter."""
    allowed = set(sys.stdlib_module_names) | CORE_THIRD_PARTY | {"__future__"}
    wrong = []
    for name, path in modules().items():
        if stage(name) != "core":
            continue
        for target, _, line in imports(name, path):
            top = target.split(".")[0]
            if top == "assessment":
                if stage(target) not in ("core", "__init__"):
                    wrong.append(f"{path.name}:{line} imports {target}")
            elif top not in allowed:
                wrong.append(f"{path.name}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles() -> None:
    edges = internal_edges()
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*stack[stack.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert not cycles, "\n".join(cycles)


def test_no_private_name_is_imported_across_modules() -> None:
    mods = modules()
    wrong = []
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = set()
        for target, names, line in imports(name, path):
            if not target.startswith("assessment"):
                continue
            for n in names:
                if n.startswith("_") and not n.startswith("__"):
                    wrong.append(f"{name}:{line} imports {target}.{n}")
                if f"{target}.{n}" in mods:
                    aliases.add(n)
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for a in node.names:
                    if a.asname and (a.name in aliases or "." in a.name):
                        aliases.add(a.asname)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                wrong.append(f"{name}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert not wrong, "\n".join(wrong)


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    """Control: the import reader finds lazy imports and skips TYPE_CHECKING ones."""
    module = tmp_path / "m.py"
    module.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                      "    from assessment.intake import reader\n"
                      "def f():\n    from assessment.scorecard import html as _h\n")
    found = [t for t, _, _ in imports("assessment.intake.m", module)]
    assert "assessment.scorecard" in found and "assessment.intake" not in found


def test_architecture_doc_matches_the_tree() -> None:
    """Every module is named in docs/architecture.md, and every module it names exists."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(assessment/[\w/]+\.py)`", doc))
    named |= {f"assessment/{folder}/{m}.py" for folder, line in
              re.findall(r"^\s*assessment/(\w+)/\s+(.*)$", doc, re.M)
              for m in re.findall(r"\b(\w+)\.py\b", line)}
    actual = {str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
              if p.name not in ("__init__.py", "__main__.py")}
    assert not named - actual, f"docs/architecture.md names missing files: {named - actual}"
    assert not actual - named, f"docs/architecture.md does not mention: {actual - named}"


@pytest.mark.parametrize("folder", ["notebooks"])
def test_notebooks_only_call_the_package(folder: str) -> None:
    """Notebooks are thin: no function or class definitions in their code cells."""
    import json

    for path in sorted((ROOT / folder).glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                assert not re.search(r"^\s*(def|class) ", source, re.M), path.name
