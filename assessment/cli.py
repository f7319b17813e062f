"""The ``support-excellence`` command line: a thin layer over the library.

Exit codes: 0 success, 2 invalid input (every problem is printed as ``Sheet!Cell: message``,
or ``brand.yaml: key: message`` for a ``--brand`` file; nothing is written) or a usage error,
1 an output could not be written (or the PDF could not be printed: Chromium missing or
failing; nothing is written then) or, for ``batch`` and ``demo``, an intake failed (listed in
the summary).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    p.add_argument("inputs", nargs="+", metavar="INPUT",  # str: an fsspec URL stays whole
                   help="intake workbooks, or folders whose *.xlsx/*.xlsm are taken (paths, "
                        "or fsspec URLs such as s3://bucket/intakes/)")
    p.add_argument("--out", metavar="DIR", required=True,  # str: a URL stays whole
                   help="output folder: a path (with --scheduler, one every worker sees), or "
                        "an fsspec URL such as s3://bucket/prefix (needs its package, e.g. "
                        "s3fs): each organization is published there as it lands, from the "
                        "machine running the batch")
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
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="run the notebooks on an existing Dask cluster, e.g. tcp://HOST:8786, "
                        "instead of local worker processes (default: the environment variable "
                        "SUPPORT_EXCELLENCE_SCHEDULER; empty: local). Needs "
                        "pip install 'support-excellence[dask]'; see docs/distributed.md")
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
    _evidence_parser(sub, framework_option)
    return parser


def _day(text: str) -> dt.date:
    """``--from``/``--to``: a date, YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD") from None


def _evidence_parser(sub: Any, framework_option: Any) -> None:
    from assessment.evidence.files import DELIMITERS, ENCODINGS
    from assessment.evidence.mapping import systems
    from assessment.evidence.survey import KINDS

    p = sub.add_parser(
        "evidence", help="compute KPIs from a ticket export or survey responses",
        description="Compute KPI values from the client's own raw data (methodology §11): a "
                    "help-desk ticket export or survey responses. Prints each figure with its "
                    "n, 95% interval and period, what could not be computed and why, and "
                    "every row left out by reason with its first row numbers. --json writes "
                    "the evidence file (support-excellence/evidence@1); --intake IN --out NEW "
                    "writes a copy of the intake with the values filled in and marked with "
                    "their source (IN is never changed). A file that lacks required columns "
                    "is refused with exit code 2, naming them and the mapping used.",
        epilog="Examples: support-excellence evidence tickets export.csv --system zendesk "
               "--tz Europe/Berlin --intake acme.xlsx --out acme-evidence.xlsx; "
               "support-excellence evidence survey nps.csv --kind nps --json nps.json")
    kinds = p.add_subparsers(dest="source", required=True, metavar="SOURCE")

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--tz", metavar="ZONE", default=None,
                       help="time zone of timestamps written without an offset (an IANA "
                            "name such as Europe/Berlin); default UTC. Timestamps with an "
                            "offset are converted from it")
        q.add_argument("--encoding", choices=ENCODINGS, default="auto",
                       help="text encoding of a CSV; auto (default) reads a byte-order mark "
                            "(UTF-8 or Excel's UTF-16 'Unicode text') and otherwise requires "
                            "UTF-8, refusing anything else rather than guessing")
        q.add_argument("--delimiter", choices=[k for k in DELIMITERS if len(k) > 1],
                       default="auto",
                       help="CSV delimiter; auto (default) takes the one of comma, semicolon "
                            "and tab that the header line uses, and refuses a header that "
                            "uses several")
        q.add_argument("--json", metavar="OUT", type=Path, default=None,
                       help="write the evidence file (JSON) here")
        q.add_argument("--intake", metavar="IN", type=Path, default=None,
                       help="an intake workbook to fill from the figures (with --out)")
        q.add_argument("--out", metavar="NEW", type=Path, default=None,
                       help="where to write the filled copy of --intake (a new file)")
        q.add_argument("--quiet", action="store_true", help="print only problems")
        framework_option(q)

    q = kinds.add_parser(
        "tickets", help="ticket KPIs from a help-desk export (CSV or Parquet)",
        description="First contact resolution, median times to first response and to "
                    "resolve, reopen, escalation and SLA rates, cases per engineer per month "
                    "and annual assisted cases, from a ticket export read through the column "
                    "mapping of its help-desk system (docs/evidence.md).")
    q.add_argument("file", metavar="FILE", type=Path, help="the export (.csv or .parquet)")
    q.add_argument("--system", choices=systems(), default="generic",
                   help="the help-desk system whose export this is (default: %(default)s, the "
                        "canonical column names)")
    q.add_argument("--mapping", metavar="FILE", type=Path, default=None,
                   help="your own column mapping (YAML, see docs/evidence.md); replaces "
                        "--system")
    q.add_argument("--from", dest="date_from", metavar="DATE", type=_day, default=None,
                   help="first creation date to count (YYYY-MM-DD); tickets created before "
                        "are left out")
    q.add_argument("--to", dest="date_to", metavar="DATE", type=_day, default=None,
                   help="last creation date to count (YYYY-MM-DD, inclusive)")
    common(q)

    q = kinds.add_parser(
        "survey", help="CSAT, NPS, CES or the expectation survey from responses (CSV or .xlsx)",
        description="CSAT (1-5, share of 4-5), NPS (0-10, promoters minus detractors) or CES "
                    "(1-7, share of 5-7) with n and a 95% interval, or the expectation survey: "
                    "one row per respondent with a 'group' column (customer or staff) and "
                    "'<dimension>.importance', '<dimension>.performance' (customers) and "
                    "'<dimension>.priority' (staff) ratings 1-5. Answers outside the scale "
                    "are left out with a reason.")
    q.add_argument("file", metavar="FILE", type=Path,
                   help="the responses: .csv, or .xlsx (its first sheet, header in row 1)")
    q.add_argument("--kind", choices=KINDS, required=True, help="which survey")
    q.add_argument("--column", metavar="NAME", default=None,
                   help="the answer column of a csat, nps or ces file (default: the kind's "
                        "name, e.g. nps)")
    common(q)


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
    what = error.kind if error.kind in ("framework", "brand file", "PowerPoint template",
                                        "export", "column mapping") else "intake"
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
    from assessment.batch.distributed import ClusterLost
    from assessment.batch.report import summary_text
    from assessment.batch.runner import BatchError, run_batch
    from assessment.scorecard.pdf import PdfError

    try:
        result = run_batch(inputs, out, **options)
    except BatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID, None
    except ClusterLost as exc:  # the Dask scheduler went away mid-batch: one line, exit 1
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_WRITE_FAILED, None
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
    from assessment.batch.distributed import scheduler_address

    return _batch(args.inputs, args.out, workers=args.workers,
                  skip_existing=args.skip_existing, timeout=args.timeout,
                  portfolio=not args.no_portfolio, framework=args.framework,
                  formats=formats, paper=args.paper, segment=args.segment,
                  brand=args.brand, pptx_template=args.pptx_template,
                  scheduler=scheduler_address(args.scheduler))[0]


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


def cmd_evidence(args: argparse.Namespace) -> int:
    if (args.intake is None) != (args.out is None):
        print("error: --intake and --out go together: the intake to fill and where to write "
              "the filled copy", file=sys.stderr)
        return EXIT_INVALID
    import time

    from assessment.core.errors import ExportError, Issue
    from assessment.evidence.summary import summary_text

    framework = _framework(args)
    started = time.monotonic()

    def say(text: str) -> None:
        if not args.quiet:
            print(f"[{time.monotonic() - started:5.1f} s] {text}…", file=sys.stderr, flush=True)

    common = {"tz": args.tz, "encoding": args.encoding, "delimiter": args.delimiter}
    if args.source == "tickets":
        from assessment.evidence.tickets import ticket_evidence

        report = ticket_evidence(args.file, system=args.system, mapping=args.mapping,
                                 date_from=args.date_from, date_to=args.date_to,
                                 progress=say, **common)
    else:
        from assessment.evidence.survey import survey_evidence

        say(f"reading {args.file.name}")
        dims = [i.id for i in framework.questionnaires["customer_expectations"].items]
        report = survey_evidence(args.file, args.kind, column=args.column, dimensions=dims,
                                 **common)
    if not args.quiet:
        print(summary_text(report, framework))
    try:
        if args.intake is not None:
            from assessment.evidence.fill import fill_intake_copy

            changes = fill_intake_copy(args.intake, args.out, [report], framework)
            if not args.quiet:
                print(f"\nwrote {printable(str(args.out))}: {len(changes)} value(s) filled "
                      "from evidence (pale blue cells; sheet Evidence):")
                for change in changes:
                    print(printable(f"  {change.cell or change.key}: {_shown(change.before)} -> "
                                    f"{_shown(change.after)}"))
        if args.json is not None:
            import json

            from assessment.files.write import atomic_write

            atomic_write(args.json, json.dumps(report.to_json(), indent=2, ensure_ascii=False,
                                               allow_nan=False) + "\n")
            if not args.quiet:
                print(f"wrote {printable(str(args.json))}")
    except OSError as exc:
        raise_or = ExportError([Issue(f"could not write: {exc.strerror or exc}",
                                      "choose a folder you can write to")])
        print_issues(raise_or)
        return EXIT_WRITE_FAILED
    return EXIT_OK


def _shown(value: Any) -> str:
    if value is None:
        return "blank"
    return f"{value:,.6g}" if isinstance(value, float) else str(value)


COMMANDS = {"template": cmd_template, "score": cmd_score, "validate": cmd_validate,
            "upgrade-intake": cmd_upgrade_intake, "batch": cmd_batch, "demo": cmd_demo,
            "evidence": cmd_evidence}
