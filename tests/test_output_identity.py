"""The scorecards of the bundled samples are pinned to the byte (issue 16).

Writing the workbook and the HTML page was sped up without changing a byte of either. These
tests hold that line: each sample's ``.xlsx`` and ``.html`` (A4, the default brand, as
``support-excellence score`` writes them) are built twice in a row and must be identical, and
must match the SHA-256 digests recorded from the code *before* the speed-up.

Other tests check determinism from one run to the next (``test_excel``, ``test_cli``); none
pins the bytes themselves, so a change that altered every output consistently would pass them.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from typing import Any

import pytest

from assessment.core.framework import Framework
from assessment.core.scoring import score
from assessment.intake.reader import read_intake
from assessment.intake.samples import SAMPLES_DIR, sample_names
from assessment.scorecard import html
from assessment.scorecard.excel import excel_bytes
from assessment.scorecard.formats import RenderOptions

# Recorded from the unmodified writers (commit 8da5bbf) with the locked dependencies
# (openpyxl 3.1.5, Jinja2 3.1.6, zlib 1.2.13). Per sample: the .xlsx file's SHA-256, the
# SHA-256 of its zip members (name, length and uncompressed bytes, in order) and the .html
# file's SHA-256.
#
# These are not to be updated to make a failing test pass. A change that is meant to alter the
# scorecards (new content, another layout, a methodology change, a dependency upgrade that
# writes different XML) must update these digests in the same commit, and its message must say
# which output changed and why; recompute them from each sample's excel_bytes(...) and
# html.render(...) as built below. A change meant only to speed things up must leave them as
# they are.
#
# The file digest of an .xlsx also depends on the zlib build compressing it; with a zlib other
# than the one recorded, only its members are compared (their bytes do not depend on zlib).
RECORDED_ZLIB = "1.2.13"
PINNED: dict[str, tuple[str, str, str]] = {
    "harbor-city-it": (
        "9da27c8ddbfb69ab524147179de8d8e74869f101a9de8a70102a33153b7bc1d4",
        "1c7f4d560c7ac780a3abe02675bde64c09611d4824e42111a4eb8c1b69e45159",
        "e2de9a2aa8bc055f03f99e7d08f5991edb430805d7f7a62e97dd926ea800a4c0"),
    "ironclad-systems": (
        "4175f7f439f7d4488ab5731173dc5110308cce6b53f54afcd056a02067ae4014",
        "c749054516bfb13e574da1d3fc350806d54f690c06eac4d8c3a760baa37e059f",
        "6c7ff9a55154e51d2f510b0c14a08e98e80b09edff2e3d85ed63532557e76341"),
    "northwind-cloud": (
        "6d67eb59bafbe1a27a269d66d57135c9e36f438a11fc867577b68336db1eb29f",
        "4c71779164438d8cc4c1e3731e94dba9cceabbcf0352965fd6f60b1f9fd8e814",
        "1c710d886fb14c6ad4b203c55ad1b9ccf2511897bd3032c39e9f1857bbf1e9a8"),
    "northwind-cloud-2026-04": (
        "196f9ac5387876e07acbe87d533d92086ea3c4eac0008af6c2f2735ae54b1aa0",
        "fce1db5121d5c21b61879c7892b7c3b1a1d59949ac58509fa807a91bf0e9f5d2",
        "bb92158ef633d5b065b1c5bae08f6588215a3f73aebc6eb196d0bb15530519c2"),
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def members_sha256(xlsx: bytes) -> str:
    """The digest of a zip's members: each name, length and uncompressed bytes, in order."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        for info in archive.infolist():
            body = archive.read(info)
            digest.update(info.filename.encode() + b"\0" + str(len(body)).encode() + b"\0"
                          + body)
    return digest.hexdigest()


def outputs(results: dict[str, Any]) -> tuple[bytes, bytes]:
    """The .xlsx and .html bytes ``support-excellence score`` writes (A4, default brand)."""
    options = RenderOptions()
    return excel_bytes(results, options), html.render(results, options).encode("utf-8")


@pytest.fixture(scope="module")
def sample_results(framework: Framework) -> dict[str, dict[str, Any]]:
    return {name: score(framework, read_intake(SAMPLES_DIR / f"{name}.xlsx", framework))
            for name in sample_names()}


def test_every_sample_is_pinned() -> None:
    assert sorted(PINNED) == sorted(sample_names())


@pytest.mark.parametrize("name", sorted(PINNED))
def test_sample_outputs_are_deterministic_and_unchanged(
        name: str, sample_results: dict[str, dict[str, Any]]) -> None:
    xlsx, page = outputs(sample_results[name])
    again_xlsx, again_page = outputs(sample_results[name])
    assert sha256(again_xlsx) == sha256(xlsx), f"{name}: the workbook differs when built twice"
    assert sha256(again_page) == sha256(page), f"{name}: the HTML differs when built twice"

    file_digest, members_digest, page_digest = PINNED[name]
    assert members_sha256(xlsx) == members_digest, (
        f"{name}: the workbook's content changed (see the comment above PINNED)")
    if zlib.ZLIB_RUNTIME_VERSION == RECORDED_ZLIB:
        assert sha256(xlsx) == file_digest, (
            f"{name}: the workbook's bytes changed (see the comment above PINNED)")
    assert sha256(page) == page_digest, (
        f"{name}: the HTML changed (see the comment above PINNED)")
