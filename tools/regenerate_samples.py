"""Regenerate the committed workbooks: ``python tools/regenerate_samples.py`` (``make templates``).

Rewrites the blank intake template ``templates/intake.xlsx`` and every bundled sample intake
workbook (``assessment/data/samples/<name>.xlsx``) from the framework and the samples' data, so
that they never drift apart (tests/test_template.py and tests/test_samples.py fail when they
do). A maintenance script of the repository: it is not part of the package.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from assessment.core.framework import Framework, load_framework
from assessment.intake.samples import SAMPLES_DIR, sample_data, sample_names
from assessment.intake.template import write_intake, write_template

ROOT = Path(__file__).resolve().parents[1]
#: The committed blank template consultants hand out.
TEMPLATE = ROOT / "templates" / "intake.xlsx"


def regenerate(framework: Framework | None = None, template: Path | None = TEMPLATE,
               samples_dir: Path = SAMPLES_DIR) -> list[Path]:
    """Write the blank template (unless ``template`` is None) and one workbook per bundled
    sample into ``samples_dir``; returns the written paths, template first."""
    framework = framework or load_framework()
    written = []
    if template is not None:
        write_template(framework, template)
        written.append(template)
    for name in sample_names():
        path = samples_dir / f"{name}.xlsx"
        write_intake(framework, sample_data(name), path)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/regenerate_samples.py",
        description="Regenerate templates/intake.xlsx and the bundled sample intake workbooks "
                    "from the framework and the samples' data.")
    parser.parse_args(argv)
    for path in regenerate():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
