"""Write one organization's deliverables, in the formats of :mod:`assessment.scorecard.formats`.

Everything is rendered in memory first, then the set is published all or nothing
(:func:`assessment.files.write.publish_files`): a failing renderer (e.g. no Chromium for the
PDF) writes nothing, and a failing write (e.g. a full disk) leaves the previous files as they
were and raises :class:`OutputsNotWritten`. Files of other formats that an earlier run left in
the folder stay (so ``--format pdf`` adds a PDF to an existing set).

Each assessment has its folder ``OUT/<slug>-<date>`` (:func:`output_dir`); two different
organizations whose names give the same slug never share one: the second gets
``OUT/<slug>-<tag>-<date>``, ``<tag>`` being the first hex digits of a hash of its name
(:func:`organization_tag`), and :func:`collision_note` says so.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from assessment.core.defaults import DEFAULT_PAPER
from assessment.files.write import organization_key, publish_files, safe_slug
from assessment.scorecard.brand import DEFAULT_BRAND, Brand
from assessment.scorecard.formats import (
    ALL_FORMATS,
    FORMATS,
    REGISTRY,
    RenderOptions,
    parse_formats,
)
from assessment.scorecard.resultsfile import results_json

__all__ = ["ALL_FORMATS", "FORMATS", "OutputsNotWritten", "collision_note", "folder_name",
           "folder_organization", "organization_tag", "output_dir", "output_paths",
           "parse_formats", "results_json", "write_outputs"]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
RESULTS_NAME = "results.json"
#: Hex digits of the organization's hash tried, in turn, to tell two organizations apart.
TAG_LENGTHS = (6, 12, 64)


class OutputsNotWritten(OSError):
    """The scorecards could not be written (a full disk, no permission...); the folder was left
    as it was. ``str()`` is one line for the user."""

    def __init__(self, folder: Path, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror or str(cause))
        self.folder, self.cause = folder, cause

    def __str__(self) -> str:
        return (f"could not write the scorecards into {self.folder}: "
                f"{self.cause.strerror or self.cause}; nothing was changed there "
                "(free some space or choose another --out, then score again)")


def _name(results: dict[str, Any]) -> str | None:
    return results["organization"].get("name")


def _date(results: dict[str, Any]) -> str | None:
    date = str(results["organization"].get("assessment_date") or "")
    return date if _ISO_DATE.fullmatch(date) else None


def folder_name(results: dict[str, Any], tag: str = "") -> str:
    """``<organization slug>-<assessment date>`` (``<slug>-<tag>-<date>`` with a ``tag``)."""
    return "-".join(part for part in (safe_slug(_name(results)), tag, _date(results)) if part)


def organization_tag(results: dict[str, Any], length: int = TAG_LENGTHS[0]) -> str:
    """The first ``length`` hex digits of the SHA-256 of the organization's key (its name
    without case and extra spaces), stable across runs."""
    key = organization_key(_name(results)).encode("utf-8")
    return hashlib.sha256(key).hexdigest()[:length]


def folder_organization(folder: Path) -> str | None:
    """The organization whose ``results.json`` is in ``folder``: its name, ``""`` if the file
    cannot be read (it is nobody's to overwrite), None if there is no such file."""
    path = folder / RESULTS_NAME
    if not path.exists() and not path.is_symlink():
        return None
    try:
        name = json.loads(path.read_text(encoding="utf-8"))["organization"]["name"]
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    return str(name) if name else ""


def _free_for(folder: Path, results: dict[str, Any]) -> bool:
    owner = folder_organization(folder)
    return owner is None or (owner != "" and organization_key(owner)
                             == organization_key(_name(results)))


def output_dir(results: dict[str, Any], out: str | Path) -> Path:
    """The folder of one assessment: ``OUT/<organization slug>-<assessment date>``.

    The date keeps a re-assessment of the same organization beside the earlier one, and the
    same organization assessed again on the same date replaces its own files. When that
    folder holds the results of a *different* organization (or a results.json that cannot be
    read), the folder is ``OUT/<slug>-<tag>-<date>`` (:func:`organization_tag`), so no
    organization ever overwrites another.
    """
    out = Path(out)
    folder = out / folder_name(results)
    for length in TAG_LENGTHS:
        if _free_for(folder, results):
            return folder
        folder = out / folder_name(results, organization_tag(results, length))
    return folder


def collision_note(results: dict[str, Any], folder: Path) -> str | None:
    """Why ``folder`` (from :func:`output_dir`) is not ``<slug>-<date>``, or None."""
    usual = folder.parent / folder_name(results)
    if folder.name == usual.name:
        return None
    owner = folder_organization(usual)
    whose = f"the results of {owner!r}" if owner else "a results.json that cannot be read"
    return (f"{usual.name}/ already holds {whose}, another organization than "
            f"{_name(results)!r}: its files went to {folder.name}/ instead")


def output_paths(results: dict[str, Any], out: str | Path,
                 formats: Iterable[str] = FORMATS) -> dict[str, Path]:
    """Where each format goes, all in :func:`output_dir`: ``<slug>-scorecard.xlsx``,
    ``<slug>-scorecard.html``, ``results.json``, ``<slug>-scorecard.pdf`` (the registry's names)."""
    folder = output_dir(results, out)
    slug = safe_slug(_name(results))
    return {fmt: folder / REGISTRY[fmt].file_name(slug) for fmt in formats}


def write_outputs(results: dict[str, Any], out: str | Path, formats: Iterable[str] = FORMATS,
                  *, paper: str = DEFAULT_PAPER, brand: Brand = DEFAULT_BRAND,
                  pptx_template: Path | None = None) -> dict[str, Path]:
    """Render the chosen formats, then publish them together; returns format -> written path.

    ``paper`` (``A4`` or ``Letter``) is the page size of printed formats, ``brand`` the firm's
    look on every format (already loaded: :func:`assessment.scorecard.brand.load_brand`) and
    ``pptx_template`` the deck's master (already checked:
    :func:`assessment.scorecard.brand.check_pptx_template`). Any renderer
    failing, e.g. :class:`assessment.scorecard.pdf.PdfUnavailable` without Chromium, leaves
    no file written; a write failing raises :class:`OutputsNotWritten` and leaves the folder
    as it was.
    """
    formats = tuple(formats)
    options = RenderOptions(paper=paper, brand=brand, pptx_template=pptx_template)
    rendered = {fmt: REGISTRY[fmt].render(results, options) for fmt in formats}
    paths = output_paths(results, out, formats)
    if not paths:
        return {}
    folder = next(iter(paths.values())).parent
    try:
        publish_files(folder, {paths[fmt].name: rendered[fmt] for fmt in paths},
                      last=RESULTS_NAME)
    except OSError as exc:
        raise OutputsNotWritten(folder, exc) from exc
    return paths
