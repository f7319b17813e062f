"""Brand files (``--brand``) and PowerPoint templates (``--pptx-template``): good ones load,
hostile ones are refused with every problem named by its key, before anything is written."""

from __future__ import annotations

import base64
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from assessment.core.errors import InputError
from assessment.pipeline import run
from assessment.scorecard import brand as brands
from assessment.scorecard.brand import (
    DEFAULT_BRAND,
    Brand,
    BrandError,
    TemplateError,
    as_brand,
    check_pptx_template,
    contrast,
    load_brand,
)
from assessment.scorecard.formats import REGISTRY, RenderOptions

LOGO_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            'viewBox="0 0 240 80"><defs><linearGradient id="g"><stop offset="0" '
            'stop-color="#1F3A5F"/></linearGradient></defs>'
            '<rect width="240" height="80" fill="url(#g)"/><use xlink:href="#g"/>'
            '<text x="10" y="50" style="font: 30px sans-serif">Example</text></svg>')


def png(width: int = 60, height: int = 20, signature: bytes = b"\x89PNG\r\n\x1a\n") -> bytes:
    """A real, small RGB PNG of the given size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    rows = b"".join(b"\x00" + b"\x1f\x3a\x5f" * width for _ in range(height))
    return (signature + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def brand_file(folder: Path, text: str, files: dict[str, bytes | str] | None = None,
               name: str = "brand.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, content in (files or {}).items():
        target = folder / file_name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            target.write_bytes(content)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> BrandError:
    with pytest.raises(BrandError) as info:
        load_brand(path)
    assert isinstance(info.value, InputError)
    return info.value


def only_issue(error: BrandError, key: str) -> str:
    """The text of the one problem on ``key``, checking it is named by that key."""
    found = [str(i) for i in error.issues if i.path == key]
    assert found, f"no problem on {key!r}: {error}"
    assert found[0].startswith(f"{key}: ")
    return found[0]


# ----------------------------------------------------------------------------- good files


def test_brand_with_a_png_logo_loads(tmp_path: Path) -> None:
    path = brand_file(tmp_path, 'firm: Example Advisory\nlogo: assets/logo.png\n'
                                'primary_color: "#1f3a5f"\naccent_color: 0E7C86\n'
                                'confidentiality: "Confidential: for the client only"\n'
                                'prepared_by: Jane Doe, Example Advisory\n',
                      {"assets/logo.png": b""})
    (tmp_path / "assets" / "logo.png").write_bytes(png(120, 40))
    brand = load_brand(path)
    assert brand == Brand("Example Advisory", brand.logo, "#1F3A5F", "#0E7C86",
                          "Confidential: for the client only", "Jane Doe, Example Advisory")
    assert not brand.is_default
    assert brand.rgb() == "1F3A5F" and brand.rgb("accent") == "0E7C86"
    assert brand.logo is not None
    assert (brand.logo.kind, brand.logo.width, brand.logo.height) == ("png", 120, 40)
    assert brand.logo.png() == brand.logo.data
    uri = brand.logo.data_uri()
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]) == png(120, 40)


def test_brand_with_an_svg_logo_loads(tmp_path: Path) -> None:
    path = brand_file(tmp_path, "firm: Example Advisory\nlogo: logo.svg\n",
                      {"logo.svg": LOGO_SVG})
    brand = load_brand(path)
    assert brand.logo is not None
    assert (brand.logo.kind, brand.logo.width, brand.logo.height) == ("svg", 240, 80)
    assert brand.logo.data_uri().startswith("data:image/svg+xml;base64,")
    assert brand.logo.png(480).startswith(b"\x89PNG\r\n\x1a\n")  # for Excel and PowerPoint
    # the colours not given are the default brand's
    assert (brand.primary_color, brand.accent_color) == (DEFAULT_BRAND.primary_color,
                                                         DEFAULT_BRAND.accent_color)
    assert brand.confidentiality is None and brand.prepared_by is None


def test_values_are_text_as_written(tmp_path: Path) -> None:
    """YAML would read these as a boolean, a date and an octal number; a brand keeps the text."""
    brand = load_brand(brand_file(tmp_path, "firm: 2024-01-01\nprepared_by: yes\n"
                                            "primary_color: 001F3A\n"))
    assert (brand.firm, brand.prepared_by, brand.primary_color) == ("2024-01-01", "yes",
                                                                    "#001F3A")


def test_default_brand_passes_its_own_checks(tmp_path: Path) -> None:
    assert DEFAULT_BRAND.is_default and DEFAULT_BRAND.firm == "support-excellence"
    assert DEFAULT_BRAND.logo is None and DEFAULT_BRAND.confidentiality is None
    assert contrast(DEFAULT_BRAND.primary_color) >= brands.MIN_PRIMARY_CONTRAST
    assert contrast(DEFAULT_BRAND.accent_color) >= brands.MIN_ACCENT_CONTRAST
    written = brand_file(tmp_path, f"firm: {DEFAULT_BRAND.firm}\n"
                                   f"primary_color: '{DEFAULT_BRAND.primary_color}'\n"
                                   f"accent_color: '{DEFAULT_BRAND.accent_color}'\n")
    assert load_brand(written) == Brand(**{**DEFAULT_BRAND.__dict__, "is_default": False})
    assert as_brand(None) is as_brand("") is DEFAULT_BRAND
    assert RenderOptions().brand is DEFAULT_BRAND and RenderOptions().pptx_template is None


def test_contrast_is_wcag() -> None:
    assert contrast("#000000") == pytest.approx(21.0)
    assert contrast("#FFFFFF") == pytest.approx(1.0)
    assert contrast("#767676") == pytest.approx(4.54, abs=0.01)  # the classic AA grey


def test_pptx_is_a_registered_opt_in_format() -> None:
    deck = REGISTRY["pptx"]
    assert (deck.module, deck.description) == ("assessment.scorecard.pptx",
                                               "editable PowerPoint deck with native charts")
    from assessment.core.defaults import DEFAULT_FORMATS

    assert "pptx" not in DEFAULT_FORMATS


# ----------------------------------------------------------------------------- hostile files


def test_unknown_key_is_named_with_a_suggestion(tmp_path: Path) -> None:
    error = refused(brand_file(tmp_path, "firm: X\nprimary_colour: '#1F3A5F'\n"))
    text = only_issue(error, "primary_colour")
    assert "unknown key" in text and "did you mean 'primary_color'?" in text


def test_missing_firm(tmp_path: Path) -> None:
    error = refused(brand_file(tmp_path, "prepared_by: Jane\n"))
    assert "required" in only_issue(error, "firm")


@pytest.mark.parametrize("value", ['"Acme\\nInc"', '"Acme\\u202eInc"', '"Acme\\x1b[31m"',
                                   '"Acme\\tInc"'])
def test_control_characters_refused(tmp_path: Path, value: str) -> None:
    error = refused(brand_file(tmp_path, f"firm: {value}\n"))
    assert "control character" in only_issue(error, "firm")
    assert "\x1b" not in str(error) and "\u202e" not in str(error)


@pytest.mark.parametrize(("key", "limit"), [("firm", 80), ("confidentiality", 200),
                                            ("prepared_by", 120)])
def test_texts_too_long(tmp_path: Path, key: str, limit: int) -> None:
    extra = "" if key == "firm" else "firm: X\n"
    error = refused(brand_file(tmp_path, f"{extra}{key}: {'x' * (limit + 1)}\n"))
    assert f"at most {limit}" in only_issue(error, key)


def test_a_3_mb_logo_is_refused(tmp_path: Path) -> None:
    huge = png(10, 10)[:-12] + b"\0" * 3_000_000
    error = refused(brand_file(tmp_path, "firm: X\nlogo: logo.png\n", {"logo.png": huge}))
    assert "over the 512 KB limit" in only_issue(error, "logo")


@pytest.mark.parametrize(("content", "phrase"), [
    (png(signature=b"GIF89a\0\0"), "not the PNG signature"),
    (png()[:40], "truncated"),
    (png(2001, 10), "2,001 x 10 pixels"),
    (png()[:20] + b"\xff" + png()[21:], "checksum"),
])
def test_bad_png_refused(tmp_path: Path, content: bytes, phrase: str) -> None:
    error = refused(brand_file(tmp_path, "firm: X\nlogo: logo.png\n", {"logo.png": content}))
    assert phrase in only_issue(error, "logo")


SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">{}</svg>'
XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink" '


@pytest.mark.parametrize(("svg", "phrase"), [
    (SVG.format("<script>alert(1)</script>"), "<script>"),
    (SVG.replace("<svg ", '<svg onload="alert(1)" ').format(""), "event handler (onload="),
    (SVG.format('<rect onclick="x()"/>'), "event handler (onclick="),
    (SVG.replace("<svg ", f"<svg {XLINK}").format(
        '<image xlink:href="https://tracker.example/p.png"/>'), "external reference"),
    (SVG.format('<image href="file:///etc/passwd"/>'), "external reference"),
    (SVG.format('<a href="javascript:alert(1)"><rect/></a>'), "external reference"),
    (SVG.format('<rect style="fill: url(https://x.example/f.svg#g)"/>'), "external reference"),
    (SVG.format("<style>@import url(https://x.example/a.css);</style>"), "imports"),
    (SVG.format("<foreignObject><p>hi</p></foreignObject>"), "<foreignObject>"),
    ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
     + SVG.format("<text>&b;</text>"), "DOCTYPE or entity"),
    ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     + SVG.format("<text>&x;</text>"), "DOCTYPE or entity"),
    ('<?xml-stylesheet href="https://x.example/a.css"?>' + SVG.format(""), "style sheet"),
    ("<html><body/></html>", "not an SVG image"),
    ('<svg xmlns="http://www.w3.org/2000/svg"/>', "without a size"),
    ("<svg", "not well-formed"),
])
def test_hostile_svg_refused(tmp_path: Path, svg: str, phrase: str) -> None:
    error = refused(brand_file(tmp_path, "firm: X\nlogo: logo.svg\n", {"logo.svg": svg}))
    assert phrase in only_issue(error, "logo")


def test_oversized_svg_refused(tmp_path: Path) -> None:
    svg = SVG.format("<!--" + "x" * (300 * 1024) + "-->")
    error = refused(brand_file(tmp_path, "firm: X\nlogo: logo.svg\n", {"logo.svg": svg}))
    assert "256 KB" in only_issue(error, "logo")


@pytest.mark.parametrize("logo", ["../../../../../../../../etc/passwd", "/etc/passwd",
                                  "/dev/zero", "missing.png", "."])
def test_a_logo_that_is_no_image_is_refused(tmp_path: Path, logo: str) -> None:
    """An escaping path is simply a file that is not a PNG or SVG (or no file at all)."""
    error = refused(brand_file(tmp_path / "a" / "b", f"firm: X\nlogo: {logo}\n"))
    text = only_issue(error, "logo")
    assert "root:" not in text  # never the file's content
    assert any(p in text for p in ("neither a PNG nor an SVG", "cannot read")), text


def test_low_contrast_primary_names_the_ratio(tmp_path: Path) -> None:
    error = refused(brand_file(tmp_path, "firm: X\nprimary_color: '#A0C4E8'\n"))
    text = only_issue(error, "primary_color")
    assert "white text on it has a contrast of 1.81:1" in text
    assert "at least 4.5:1" in text


def test_low_contrast_accent_names_the_ratio(tmp_path: Path) -> None:
    error = refused(brand_file(tmp_path, "firm: X\naccent_color: FFD700\n"))
    text = only_issue(error, "accent_color")
    assert "it against white has a contrast of 1.4" in text and "at least 3:1" in text


def test_just_short_of_the_limit_never_reads_as_reaching_it(tmp_path: Path) -> None:
    # #777777 gives 4.478:1 under white text: shown as 4.47, not rounded up to 4.48 or 4.5
    error = refused(brand_file(tmp_path, "firm: X\nprimary_color: '#777777'\n"))
    assert "4.47:1" in only_issue(error, "primary_color")


@pytest.mark.parametrize(("line", "phrase"), [
    ("primary_color: #1F3A5F", "unquoted #"),  # YAML: a comment, so an empty value
    ("primary_color: navy", "not a colour"),
    ("primary_color: '#12345'", "not a colour"),
])
def test_bad_colours(tmp_path: Path, line: str, phrase: str) -> None:
    error = refused(brand_file(tmp_path, f"firm: X\n{line}\n"))
    assert phrase in only_issue(error, "primary_color")


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    error = refused(brand_file(tmp_path, 'lgo: x.png\nfirm: "a\\tb"\nprimary_color: "#A0C4E8"\n'
                                         "logo: /etc/passwd\n"))
    assert [i.path for i in error.issues] == ["lgo", "firm", "primary_color", "logo"]
    assert "did you mean 'logo'?" in str(error)


@pytest.mark.parametrize(("text", "key", "phrase"), [
    ("firm: X\nprepared_by: &a [*a, *a]\n", "prepared_by", "alias"),
    ("firm: X\nconfidentiality: &a x\nprepared_by: *a\n", "confidentiality", "alias"),
    ("firm: " + "[" * 20_000 + "]" * 20_000 + "\n", "firm", "nested deeper"),
    ("firm: [" + ",".join(["1"] * 3000) + "]\n", "firm", "over 2000 YAML values"),
    ("firm: X\nfirm: Y\n", "firm", "appears twice"),
    ("firm: !!python/object/apply:os.system ['true']\n", "firm", "YAML tag"),
    ("firm: [a, b]\n", "firm", "not a single value"),
    ("- firm\n- X\n", "(file)", "not a mapping"),
    ("", "(file)", "empty"),
    ("firm: X\n" + "# padding\n" * 8000, "(file)", "64 KB limit"),
    ("firm: 'unclosed\n", "line 2", "not valid YAML"),
])
def test_hostile_yaml_refused(tmp_path: Path, text: str, key: str, phrase: str) -> None:
    error = refused(brand_file(tmp_path, text))
    assert phrase in only_issue(error, key)


def test_brand_file_that_is_not_utf8_or_missing(tmp_path: Path) -> None:
    (tmp_path / "latin.yaml").write_bytes("firm: Café\n".encode("latin-1"))
    assert "not UTF-8" in str(refused(tmp_path / "latin.yaml"))
    assert "cannot read" in str(refused(tmp_path / "missing.yaml"))
    assert "not a regular file" in str(refused(tmp_path))


# ----------------------------------------------------------------------------- the template


def test_pptx_template_checks(tmp_path: Path) -> None:
    from pptx import Presentation

    good = tmp_path / "corporate.pptx"
    Presentation().save(str(good))
    assert check_pptx_template(good) == good.resolve()
    potx = tmp_path / "corporate.POTX"
    potx.write_bytes(good.read_bytes())
    assert check_pptx_template(potx) == potx.resolve()
    assert check_pptx_template(None) is None and check_pptx_template("") is None

    (tmp_path / "fake.pptx").write_bytes(b"not a zip")
    (tmp_path / "deck.key").write_bytes(good.read_bytes())
    with zipfile.ZipFile(tmp_path / "other.pptx", "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    with zipfile.ZipFile(tmp_path / "parts.pptx", "w") as archive:
        for i in range(brands.MAX_TEMPLATE_PARTS + 1):
            archive.writestr(f"ppt/media/{i}.txt", "")
    with zipfile.ZipFile(tmp_path / "bomb.pptx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ppt/presentation.xml", b"\0" * (brands.MAX_TEMPLATE_UNPACKED + 1))
    for name, phrase in [("fake.pptx", "not a valid zip"), ("deck.key", "not a .pptx or .potx"),
                         ("other.pptx", "without a presentation"), ("parts.pptx", "1,001 parts"),
                         ("bomb.pptx", "unpacks to over"), ("missing.pptx", "cannot read")]:
        with pytest.raises(TemplateError) as info:
            check_pptx_template(tmp_path / name)
        assert isinstance(info.value, InputError)
        assert [i.path for i in info.value.issues] == ["--pptx-template"]
        assert phrase in str(info.value), (name, str(info.value))


# ----------------------------------------------------------------------------- the pipeline


def test_pipeline_refuses_a_bad_brand_before_reading_anything(tmp_path: Path) -> None:
    bad = brand_file(tmp_path, "firm: X\nprimary_color: '#EEEEEE'\n")
    out = tmp_path / "out"
    with pytest.raises(BrandError):
        # the intake does not even exist: the brand is checked first
        run(tmp_path / "no-such-intake.xlsx", out, brand=bad, formats=("json",))
    with pytest.raises(TemplateError):
        run(tmp_path / "no-such-intake.xlsx", out, pptx_template=tmp_path / "x.pptx")
    assert not out.exists()
