"""The ``support-excellence`` command line: a thin layer over the library.

Exit codes: 0 success, 2 invalid input (every problem is printed as ``Sheet!Cell: message``,
or ``brand.yaml: key: message`` for a ``--brand`` file; nothing is written) or a usage error,
1 an output could not be written (or the PDF could not be printed: Chromium missing or
failing; nothing is written then) or, for ``batch`` and ``demo``, an intake failed (listed in
the summary).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assessment import __version__
from assessment.core.defaults import (
    DEFAULT_FORMATS,
    DEFAULT_MAX_MB,
    DEFAULT_OUT,
    DEFAULT_PAPER,
    MAX_TIMEOUT_S,
    MAX_WORKERS,
    NOTEBOOK_TIMEOUT_S,
    PAPERS,
)
from assessment.core.errors import InputError, printable
from assessment.scorecard.formats import ALL_FORMATS, formats_help

if TYPE_CHECKING:
    from assessment.batch.report import BatchResult

EXIT_OK, EXIT_WRITE_FAILED, EXIT_INVALID = 0, 1, 2
DEFAULT_TIMEOUT_S = NOTEBOOK_TIMEOUT_S


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of {what}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of {what} above 0")
    return value


def positive_seconds(text: str) -> float:
    """``--timeout``: a finite number of seconds above 0, at most :data:`MAX_TIMEOUT_S`."""
    value = _number(text, "seconds")
    if value > MAX_TIMEOUT_S:
        raise argparse.ArgumentTypeError(f"{text!r}: at most {MAX_TIMEOUT_S:g} seconds (a day)")
    return value


def max_size_mb() -> float:
    """The largest ``--max-size``: what the reader lets an intake unpack to
    (``assessment.intake.reader.MAX_UNPACKED_BYTES``); it reads the whole file into memory."""
    from assessment.intake.reader import MAX_UNPACKED_BYTES

    return MAX_UNPACKED_BYTES / (1024 * 1024)


def positive_megabytes(text: str) -> float:
    """``--max-size``: a finite number of megabytes above 0, at most :func:`max_size_mb`."""
    value = _number(text, "megabytes")
    if value > max_size_mb():
        raise argparse.ArgumentTypeError(
            f"{text!r}: at most {max_size_mb():g} MB (intakes that unpack to more are refused "
            "anyway)")
    return value


def worker_count(text: str) -> int:
    """``--workers``: a whole number from 1 to :data:`MAX_WORKERS`."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a whole number of worker processes") from None
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give from 1 to {MAX_WORKERS} worker processes (each runs a kernel)")
    return value


def _optional_path(text: str) -> Path | None:
    """A file's path; blank (``--brand ""``) means none."""
    return Path(text) if text.strip() else None


def _paper_name(text: str) -> str:
    """``letter`` -> ``Letter``: the paper choice is case-insensitive."""
    return {"a4": "A4", "letter": "Letter"}.get(text.strip().lower(), text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="support-excellence",
        description="Assess a technical support organization across Profit, Reputation, "
                    "Efficiency, Effectiveness and contract renewals, and write consultant-"
                    "ready scorecards.",
        epilog="Typical use: 'support-excellence template --out intake.xlsx', send it to the "
               "client, then 'support-excellence score intake.xlsx --out reports'.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def framework_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--framework", metavar="FILE", type=Path,
                       help="your own framework YAML (KPIs, targets, weights, settings); "
                            "default: the framework shipped with the toolkit")

    def look_options(p: argparse.ArgumentParser, each: str = "") -> None:
        p.add_argument("--brand", metavar="FILE", type=_optional_path, default=None,
                       help=f"your firm's brand on {each}every format: a YAML file with firm, "
                            "logo (PNG or SVG), primary_color, accent_color, confidentiality "
                            "and prepared_by (docs/branding.md). It is checked first: a bad "
                            "file is refused with every problem listed, nothing is written and "
                            "the exit code is 2. Default: the toolkit's own neutral brand")
        p.add_argument("--pptx-template", metavar="FILE", type=_optional_path, default=None,
                       help="your corporate PowerPoint (.pptx or .potx, at most 20 MB) whose "
                            "slide layouts and theme the pptx deck uses (with --format "
                            "...,pptx); default: the deck's built-in layout")

    def segment_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--segment", metavar="ID", default=None,
                       help="score against this peer group's targets instead of the one the "
                            "intake names (a segment id of the framework, e.g. b2b_software)")

    p = sub.add_parser("template", help="write the blank intake workbook for clients",
                       description="Write the blank intake workbook generated from the "
                                   "framework, ready to send to a client.")
    p.add_argument("--out", metavar="PATH", type=Path, default=Path("intake.xlsx"),
                   help="where to write it (default: %(default)s)")
    framework_option(p)

    p = sub.add_parser("score", help="validate a filled intake and write its scorecards",
                       description="Validate a filled intake workbook and write, in "
                                   "OUT/<organization-slug>-<assessment-date>/, the Excel "
                                   "scorecard, the HTML "
                                   "scorecard and results.json (--format adds the PDF and the "
                                   "PowerPoint deck), under your firm's --brand. On invalid "
                                   "input every "
                                   "problem is printed as 'Sheet!Cell: message', nothing is "
                                   "written, and the exit code is 2.")
    p.add_argument("intake", metavar="INTAKE", type=Path, help="the filled intake (.xlsx/.xlsm)")
    p.add_argument("--out", metavar="DIR", type=Path, default=Path(DEFAULT_OUT),
                   help="output folder (default: %(default)s)")
    p.add_argument("--format", default=",".join(DEFAULT_FORMATS), metavar="LIST",
                   help=f"comma-separated outputs among {', '.join(ALL_FORMATS)} (default: "
                        f"%(default)s). {formats_help()}")
    p.add_argument("--paper", choices=PAPERS, default=DEFAULT_PAPER, type=_paper_name,
                   help="page size of the PDF scorecard (default: %(default)s)")
    p.add_argument("--max-size", type=positive_megabytes, default=DEFAULT_MAX_MB, metavar="MB",
                   help="refuse intake files larger than this (default: %(default)s MB)")
    p.add_argument("--quiet", action="store_true", help="do not print the summary table")
    look_options(p)
    framework_option(p)
    segment_option(p)

    p = sub.add_parser("validate", help="check a filled intake without writing anything",
                       description="Check a filled intake workbook and list every problem.")
    p.add_argument("intake", metavar="INTAKE", type=Path)
    p.add_argument("--max-size", type=positive_megabytes, default=DEFAULT_MAX_MB, metavar="MB",
                   help="refuse intake files larger than this (default: %(default)s MB)")
    framework_option(p)
    segment_option(p)

    p = sub.add_parser(
        "upgrade-intake", help="copy a version 1.0 intake's answers into a new 2.0 workbook",
        description="Read an intake workbook of template version 1.0 and write NEW, a "
                    "version 2.0 workbook with every answer copied: the profile, KPI current "
                    "values, notes, practice answers and ratings. A 1.0 target is copied only "
                    "where it differs from the 1.0 framework's default (the 1.0 template "
                    "pre-filled the defaults; in 2.0 a blank target means the framework's "
                    "target for the peer group). Values of KPIs the framework no longer has "
                    "(cost_per_customer) are listed as dropped. The command then lists what "
                    "the client still has to fill in: the peer group, the exchange rate for a "
                    "currency other than the framework's, the 0-10 alignment question, the "
                    "yearly volumes and blank KPIs. OLD is never changed. On a problem every "
                    "one is printed as 'Sheet!Cell: message', nothing is written and the exit "
                    "code is 2.",
        epilog="Example: support-excellence upgrade-intake acme-2025.xlsx acme-2025-v2.xlsx")
    p.add_argument("old", metavar="OLD", type=Path, help="the version 1.0 intake (.xlsx/.xlsm)")
    p.add_argument("new", metavar="NEW", type=Path, help="where to write the 2.0 workbook "
                   "(.xlsx; a different file from OLD)")
    p.add_argument("--max-size", type=positive_megabytes, default=DEFAULT_MAX_MB, metavar="MB",
                   help="refuse intake files larger than this (default: %(default)s MB)")
    framework_option(p)

    p = sub.add_parser("batch", help="score many intakes through the scorecard notebook",
                       description="Run notebooks/scorecard.ipynb through papermill for every "
                                   "intake, keeping each executed notebook beside its "
                                   "scorecards in OUT/<organization>-<date>/, then "
                                   "notebooks/portfolio.ipynb over all results into "
                                   "OUT/portfolio/. A broken intake does not stop the others; "
                                   "it is listed with its 'Sheet!Cell: message' problems in "
                                   "OUT/batch-summary.json and OUT/batch.log. Exit code 0 only "
                                   "if everything succeeded, 1 if anything failed, 2 for "
                                   "usage errors.",
                       epilog="See docs/batch.md.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", type=Path,
                   help="intake workbooks, or folders whose *.xlsx/*.xlsm are taken")
    p.add_argument("--out", metavar="DIR", type=Path, required=True, help="output folder")
    p.add_argument("--workers", type=worker_count, metavar="N", default=None,
                   help="worker processes, each with one warm kernel (default: min(2, CPUs); "
                        f"1 to {MAX_WORKERS})")
    p.add_argument("--skip-existing", action="store_true",
                   help="skip intakes that an earlier batch already published into DIR and "
                        "that have not changed since (same size and modification time)")
    p.add_argument("--timeout", type=positive_seconds, metavar="S", default=DEFAULT_TIMEOUT_S,
                   help="longest a notebook cell may run before its kernel is replaced, in "
                        "seconds (rounded up to a whole second; default: %(default)g s, at "
                        f"most {MAX_TIMEOUT_S:g})")
    p.add_argument("--no-portfolio", action="store_true", help="do not run the portfolio")
    p.add_argument("--format", default=None, metavar="LIST",
                   help=f"outputs per intake, comma-separated among {', '.join(ALL_FORMATS)} "
                        f"(default: {','.join(DEFAULT_FORMATS)}; json is always written, for "
                        f"the portfolio). {formats_help()}")
    p.add_argument("--paper", choices=PAPERS, default=None, type=_paper_name,
                   help=f"page size of the PDF scorecards (default: {DEFAULT_PAPER})")
    look_options(p, "each intake's ")  # checked once, then passed to every scorecard notebook
    framework_option(p)
    segment_option(p)  # passed to every scorecard notebook as its `segment` parameter

    p = sub.add_parser("demo", help="batch-score the bundled sample organizations",
                       description="Run the batch on the bundled fictional organizations "
                                   "(one of them assessed twice, so the portfolio shows a "
                                   "trend) and print where the scorecards, the executed "
                                   "notebooks and the portfolio are.")
    p.add_argument("--out", metavar="DIR", type=Path, default=Path(DEFAULT_OUT),
                   help="output folder (default: %(default)s)")
    p.add_argument("--workers", type=worker_count, metavar="N", default=None,
                   help=f"worker processes (default: min(2, CPUs); 1 to {MAX_WORKERS})")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InputError as error:
        print_issues(error)
        return EXIT_INVALID


def print_issues(error: InputError) -> None:
    """``error: the <input> <file> has N problem(s); nothing was written.`` then one line per
    problem: ``Sheet!Cell: ...`` for an intake, the YAML path for a framework, and
    ``brand.yaml: key: ...`` for a brand file."""
    what = error.kind if error.kind in ("framework", "brand file", "PowerPoint template") \
        else "intake"
    prefix = (f"{printable(Path(error.source).name)}: "
              if error.kind == "brand file" and error.source else "")
    print(f"error: the {what} {printable(error.source)} has {len(error.issues)} problem(s); "
          "nothing was written.", file=sys.stderr)
    for issue in error.issues:
        print(f"  {prefix}{issue}", file=sys.stderr)


def _framework(args: argparse.Namespace):
    from assessment.core.framework import load_framework

    return load_framework(args.framework)


def cmd_template(args: argparse.Namespace) -> int:
    from assessment.intake.template import write_template

    path = write_template(_framework(args), args.out)
    print(f"wrote {path}")
    return EXIT_OK


def _max_bytes(args: argparse.Namespace) -> int:
    return int(args.max_size * 1024 * 1024)


def cmd_validate(args: argparse.Namespace) -> int:
    from assessment.intake.reader import read_intake
    from assessment.pipeline import check_segment

    framework = _framework(args)
    check_segment(framework, args.segment)
    data = read_intake(args.intake, framework, max_bytes=_max_bytes(args), segment=args.segment)
    for warning in data.warnings:
        print(f"warning: {printable(warning)}")
    print(f"{args.intake}: valid ({data.organization})")
    return EXIT_OK


def cmd_score(args: argparse.Namespace) -> int:
    from assessment.scorecard.formats import parse_formats

    try:
        formats = parse_formats(args.format)
    except ValueError as exc:
        print(f"error: --format: {exc}", file=sys.stderr)
        return EXIT_INVALID
    if args.pptx_template and "pptx" not in formats:
        print("note: --pptx-template is used by the pptx format only (add it to --format)",
              file=sys.stderr)
    from assessment.scorecard.brand import as_brand, check_pptx_template

    brand, template = as_brand(args.brand), check_pptx_template(args.pptx_template)  # first
    return _score_one(args.intake, args.out, framework=_framework(args), formats=formats,
                      max_bytes=_max_bytes(args), quiet=args.quiet, paper=args.paper,
                      segment=args.segment, brand=brand, pptx_template=template)


def cmd_upgrade_intake(args: argparse.Namespace) -> int:
    from assessment.intake.upgrade import upgrade_intake

    try:
        report = upgrade_intake(args.old, args.new, _framework(args),
                                max_bytes=_max_bytes(args))
    except OSError as exc:
        print(f"error: could not write {printable(str(args.new))}: {exc.strerror or exc}; "
              "nothing was written.", file=sys.stderr)
        return EXIT_WRITE_FAILED
    print(report.text())
    return EXIT_OK


def _score_one(intake: Path, out: Path, quiet: bool = False, **options) -> int:
    from assessment.pipeline import run
    from assessment.scorecard.outputs import OutputsNotWritten, collision_note
    from assessment.scorecard.pdf import PdfError
    from assessment.scorecard.summary import summary_text

    try:
        outcome = run(intake, out, **options)
    except PdfError as exc:
        print(f"error: {exc}; nothing was written.", file=sys.stderr)
        return EXIT_WRITE_FAILED
    except OutputsNotWritten as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_WRITE_FAILED
    except OSError as exc:
        print(f"error: could not write to {out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_WRITE_FAILED
    if not quiet:
        print(summary_text(outcome.results))
        print()
    for path in outcome.written.values():
        print(f"wrote {path}")
    folder = next(iter(outcome.written.values())).parent
    note = collision_note(outcome.results, folder)
    if note:
        print(f"note: {note}")
    return EXIT_OK


def _batch(inputs: Sequence[Path], out: Path, **options) -> tuple[int, BatchResult | None]:
    from assessment.batch.report import summary_text
    from assessment.batch.runner import BatchError, run_batch
    from assessment.scorecard.pdf import PdfError

    try:
        result = run_batch(inputs, out, **options)
    except BatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID, None
    except PdfError as exc:
        print(f"error: {exc}; nothing was written.", file=sys.stderr)
        return EXIT_WRITE_FAILED, None
    except OSError as exc:
        print(f"error: could not write to {out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_WRITE_FAILED, None
    print(summary_text(result))
    return result.exit_code, result


def cmd_batch(args: argparse.Namespace) -> int:
    if args.framework:
        _framework(args)  # a broken framework: every problem listed once, exit 2
    formats = None if args.format is None else args.format.split(",")  # checked by run_batch
    return _batch(args.inputs, args.out, workers=args.workers,
                  skip_existing=args.skip_existing, timeout=args.timeout,
                  portfolio=not args.no_portfolio, framework=args.framework,
                  formats=formats, paper=args.paper, segment=args.segment,
                  brand=args.brand, pptx_template=args.pptx_template)[0]


def cmd_demo(args: argparse.Namespace) -> int:
    from assessment.batch.report import PORTFOLIO_NAME
    from assessment.intake.samples import sample_workbooks
    from assessment.portfolio.model import comparison, load_results
    from assessment.scorecard.summary import comparison_text

    status, result = _batch(sample_workbooks(), args.out, workers=args.workers)
    if result is None:
        return status
    out = args.out.resolve()
    results, _ = load_results(out)
    print()
    print("Scores (0-100):")
    print(comparison_text(comparison(results)))
    print()
    print("Where things are:")
    for r in result.intakes:
        if r.folder:
            print(f"  {out / r.folder}/  scorecards (.xlsx, .html, results.json) and the "
                  f"executed notebook {Path(r.notebook or '').name}")
    if (out / PORTFOLIO_NAME).is_dir():
        print(f"  {out / PORTFOLIO_NAME}/  the portfolio across all organizations")
    return status


COMMANDS = {"template": cmd_template, "score": cmd_score, "validate": cmd_validate,
            "upgrade-intake": cmd_upgrade_intake, "batch": cmd_batch, "demo": cmd_demo}
