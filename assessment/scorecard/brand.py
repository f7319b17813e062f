"""The consulting firm's brand on every deliverable: name, logo, colours, confidentiality line.

A brand file is a small YAML mapping (docs/branding.md)::

    firm: Example Advisory
    logo: example-logo.svg          # PNG or SVG, relative to this file
    primary_color: "#1F3A5F"        # white text on it must reach 4.5:1 (WCAG 2.1 AA)
    accent_color: "#0E7C86"         # at least 3:1 against white
    confidentiality: Confidential - prepared for the client's management team
    prepared_by: Jane Doe, Example Advisory

:func:`load_brand` reads it within fixed limits and refuses it, listing every problem at once
(:class:`BrandError`, one :class:`~assessment.core.errors.Issue` per key), unless every value
is safe to put on a page: the logo is checked byte by byte (a PNG's chunks, an SVG parsed with
defusedxml and stripped of nothing: anything active or external refuses the file), never just
by its name. :func:`check_pptx_template` does the same for ``--pptx-template``. The
organization's name never comes from here: it is the intake's.
"""

from __future__ import annotations

import base64
import codecs
import difflib
import math
import os
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assessment.core.errors import InputError, Issue

#: Largest brand file read (it holds a handful of short lines).
MAX_BRAND_BYTES = 64 * 1024
#: Largest logo file, and the largest SVG logo (text, so tighter).
MAX_LOGO_BYTES = 512 * 1024
MAX_SVG_BYTES = 256 * 1024
#: Largest PNG logo, in pixels each way.
MAX_LOGO_PIXELS = 2000
#: Longest texts, in characters.
MAX_FIRM = 80
MAX_CONFIDENTIALITY = 200
MAX_PREPARED_BY = 120
#: Contrast a brand's colours must reach against white (WCAG 2.1: 4.5:1 for normal text,
#: 3:1 for large text and graphical objects).
MIN_PRIMARY_CONTRAST = 4.5
MIN_ACCENT_CONTRAST = 3.0
#: Limits of a ``--pptx-template``: file size, zip members, and what they unpack to.
MAX_TEMPLATE_BYTES = 20 * 1024 * 1024
MAX_TEMPLATE_PARTS = 1000
MAX_TEMPLATE_UNPACKED = 200 * 1024 * 1024
TEMPLATE_SUFFIXES = (".pptx", ".potx")

KEYS: tuple[str, ...] = ("firm", "logo", "primary_color", "accent_color", "confidentiality",
                         "prepared_by")
#: Nesting and size of the YAML structure: a brand file is one flat mapping.
_MAX_DEPTH = 3
_MAX_EVENTS = 2000
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_HEX = re.compile(r"#?([0-9A-Fa-f]{6})")
#: C0 controls (newline and tab included: every text is one line), DEL, C1 controls and the
#: invisible bidirectional controls.
_CONTROL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NULL_TAG = "tag:yaml.org,2002:null"
#: What a value written without a tag resolves to; any other tag was written out (``!!python``).
_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}"
               for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}


class BrandError(InputError):
    """The brand file (or the PowerPoint template) cannot be used; ``issues`` lists why, each
    with ``path`` = the YAML key (``firm``, ``logo``...) or ``(file)``."""

    kind = "brand file"


class TemplateError(InputError):
    """The ``--pptx-template`` file cannot be used."""

    kind = "PowerPoint template"


@dataclass(frozen=True)
class Logo:
    """A validated logo: its bytes, kind and size in pixels."""

    data: bytes
    kind: str
    """``"png"`` or ``"svg"``."""
    width: int
    """Pixels: a PNG's IHDR, an SVG's ``width``/``height`` or else its ``viewBox`` (rounded)."""
    height: int

    @property
    def mime(self) -> str:
        return "image/png" if self.kind == "png" else "image/svg+xml"

    def data_uri(self) -> str:
        """``data:image/png;base64,...`` or ``data:image/svg+xml;base64,...``."""
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"

    def png(self, width: int = 600) -> bytes:
        """The logo as PNG bytes (for Excel and PowerPoint, which take no SVG): a PNG as it is,
        an SVG drawn ``width`` pixels wide (at most :data:`MAX_LOGO_PIXELS` each way)."""
        if self.kind == "png":
            return self.data
        import vl_convert

        scale = min(width / self.width, MAX_LOGO_PIXELS / max(self.width, self.height))
        return bytes(vl_convert.svg_to_png(self.data.decode("utf-8"), scale=max(scale, 0.01)))


@dataclass(frozen=True)
class Brand:
    """Who the deliverables are from and how they look (see the module doc)."""

    firm: str
    logo: Logo | None
    primary_color: str
    """``#RRGGBB``, upper case."""
    accent_color: str
    confidentiality: str | None
    """A line for every page, or None."""
    prepared_by: str | None
    is_default: bool = False

    def rgb(self, which: str = "primary") -> str:
        """``"1F3A5F"``: a colour without its ``#`` (openpyxl, python-pptx);
        ``which`` is ``primary`` or ``accent``."""
        if which not in ("primary", "accent"):
            raise ValueError(f"which: {which!r}; primary or accent")
        return getattr(self, f"{which}_color")[1:]


DEFAULT_BRAND = Brand(firm="support-excellence", logo=None, primary_color="#1F3A5F",
                      accent_color="#0E7C86", confidentiality=None, prepared_by=None,
                      is_default=True)
"""The project's own neutral brand: navy (11.5:1 under white text) and teal (4.9:1)."""


# ----------------------------------------------------------------------------- colours


def contrast(color: str, other: str = "#FFFFFF") -> float:
    """The WCAG 2.1 contrast ratio of two ``#RRGGBB`` colours (1 to 21)."""
    lighter, darker = sorted((_luminance(color), _luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(color: str) -> float:
    channels = [int(color.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ratio_text(ratio: float) -> str:
    """``4.49:1``: rounded down, so a colour just short of a limit never reads as reaching it."""
    return f"{math.floor(ratio * 100) / 100:.2f}:1"


# ----------------------------------------------------------------------------- loading


def load_brand(path: str | Path) -> Brand:
    """Read and check a brand file; :class:`BrandError` lists every problem (module doc)."""
    path = Path(path)
    source = str(path)
    data = _read_file(path, MAX_BRAND_BYTES, "the brand file", source)
    values, issues = _parse(_decode(data, source), source)
    text = {key: _text(values, key, limit, issues)
            for key, limit in (("firm", MAX_FIRM), ("confidentiality", MAX_CONFIDENTIALITY),
                               ("prepared_by", MAX_PREPARED_BY))}
    if text["firm"] is None and not any(i.path == "firm" for i in issues):
        issues.append(Issue("missing: the firm's name is required", "firm: Your Firm Name "
                            f"(one line, at most {MAX_FIRM} characters)", path="firm"))
    primary = _color(values, "primary_color", DEFAULT_BRAND.primary_color,
                     MIN_PRIMARY_CONTRAST, "white text on it", issues)
    accent = _color(values, "accent_color", DEFAULT_BRAND.accent_color,
                    MIN_ACCENT_CONTRAST, "it against white", issues)
    logo = _logo(values.get("logo"), path.parent, issues)
    if issues:
        raise BrandError(issues, source)
    assert text["firm"] is not None
    return Brand(firm=text["firm"], logo=logo, primary_color=primary, accent_color=accent,
                 confidentiality=text["confidentiality"], prepared_by=text["prepared_by"])


def as_brand(brand: str | Path | Brand | None) -> Brand:
    """A :class:`Brand` from what a caller passes: None or ``""`` for :data:`DEFAULT_BRAND`,
    a brand file's path (:func:`load_brand`), or a Brand as it is."""
    if isinstance(brand, Brand):
        return brand
    if brand is None or not str(brand).strip():
        return DEFAULT_BRAND
    return load_brand(brand)


def _refuse(source: str, where: str, message: str, expected: str) -> BrandError:
    return BrandError([Issue(message, expected, path=where)], source)


def _read_file(path: Path, limit: int, what: str, source: str) -> bytes:
    """Up to ``limit`` bytes of a regular file (never a device or a pipe), or a BrandError."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(source, "(file)", f"{what} {path} is not a regular file",
                          "the path of a YAML file")
        if info.st_size > limit:
            raise _refuse(source, "(file)", f"{what} is {info.st_size:,} bytes, over the "
                          f"{limit // 1024} KB limit", f"a file under {limit // 1024} KB")
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise _refuse(source, "(file)", f"cannot read {what} ({exc.strerror or exc})",
                      "a readable YAML file") from None
    if len(data) > limit:
        raise _refuse(source, "(file)", f"{what} grew over the {limit // 1024} KB limit",
                      f"a file under {limit // 1024} KB")
    return data


def _decode(data: bytes, source: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _refuse(source, "(file)", "the file is UTF-16 text", "save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _refuse(source, f"line {line}", f"the file is not UTF-8 text (byte "
                      f"0x{data[exc.start]:02X} on line {line})", "save it as UTF-8") from None


def _parse(text: str, source: str) -> tuple[dict[str, tuple[str | None, Any]], list[Issue]]:
    """Key -> (raw text of its value or None, YAML node), from one flat YAML mapping, and the
    problems of its keys (unknown, given twice, not a single value).

    Values are never constructed: ``firm: yes`` is the text ``yes``, ``primary_color: 001F3A``
    stays ``001F3A``. Aliases and anchors are refused outright (a brand file has no use for
    them, and they are how alias bombs expand), as is nesting deeper than a list in a value;
    both are found in the event stream, before any tree is built.
    """
    _scan(text, source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise _syntax(exc, source) from None
    if root is None:
        raise _refuse(source, "(file)", "the brand file is empty",
                      "at least 'firm: Your Firm Name'")
    if not isinstance(root, yaml.MappingNode):
        raise _refuse(source, "(file)", "the brand file is not a mapping of keys",
                      "lines such as 'firm: Your Firm Name' (docs/branding.md)")
    values: dict[str, tuple[str | None, Any]] = {}
    issues: list[Issue] = []
    for key_node, value_node in root.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        shown = repr(key[:40]) if isinstance(key, str) else "a list or mapping"
        if key not in KEYS:
            close = difflib.get_close_matches(str(key).lower(), KEYS, n=1, cutoff=0.6) \
                if isinstance(key, str) and len(key) <= 40 else []
            hint = f"did you mean {close[0]!r}? " if close else ""
            issues.append(Issue(f"unknown key {shown}", f"{hint}the keys are "
                                f"{', '.join(KEYS)}", path=key[:40] if key else "(file)"))
            continue
        if key in values:
            issues.append(Issue(f"the key {key!r} appears twice (line "
                                f"{key_node.start_mark.line + 1})", "give each key once",
                                path=key))
            continue
        if value_node.tag not in _PLAIN_TAGS:
            values[key] = (None, value_node)
            issues.append(Issue(f"a YAML tag ({value_node.tag[:60]})", "plain text, without "
                                "a !tag", path=key))
            continue
        if not isinstance(value_node, yaml.ScalarNode):
            values[key] = (None, value_node)
            issues.append(Issue("a list or mapping, not a single value",
                                "one line of text", path=key))
            continue
        null = value_node.tag == _NULL_TAG and value_node.style is None
        values[key] = (None if null else value_node.value, value_node)
    return values, issues


def _scan(text: str, source: str) -> None:
    """Refuse aliases, anchors, deep nesting and very long event streams, naming the key."""
    depth, events, key, expect_key = 0, 0, "(file)", False
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            events += 1
            if events > _MAX_EVENTS:
                raise _refuse(source, key, f"the brand file holds over {_MAX_EVENTS} YAML "
                              "values", "the six keys of docs/branding.md, one line each")
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise _refuse(source, key, "a YAML anchor or alias (&name / *name), refused "
                              "as a possible alias bomb", "write every value out")
            if isinstance(event, yaml.ScalarEvent) and depth == 1:
                if expect_key:
                    key = event.value[:40] or "(file)"
                expect_key = not expect_key
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if depth == 1:
                    expect_key = False  # a collection as a value
                depth += 1
                if depth == 1:
                    expect_key = True
                if depth > _MAX_DEPTH:
                    raise _refuse(source, key, f"values nested deeper than {_MAX_DEPTH} "
                                  "levels", "one line of text per key")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
                if depth == 1:
                    expect_key = True
    except yaml.YAMLError as exc:
        raise _syntax(exc, source) from None


def _syntax(exc: yaml.YAMLError, source: str) -> BrandError:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}" if mark else "(file)"
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return _refuse(source, where, f"not valid YAML ({problem})",
                   "fix the YAML syntax (quote a value that holds ': ' or starts with #)")


def _text(values: dict[str, tuple[str | None, Any]], key: str, limit: int,
          issues: list[Issue]) -> str | None:
    raw = values.get(key, (None, None))[0]
    if raw is None:
        return None
    text = raw.strip()
    if not text:
        return None
    bad = _CONTROL.search(text)
    if bad:
        issues.append(Issue(f"holds the control character U+{ord(bad[0]):04X}",
                            "one line of plain text, without line breaks, tabs or "
                            "invisible direction marks", path=key))
    elif len(text) > limit:
        issues.append(Issue(f"{len(text)} characters long", f"at most {limit}", path=key))
    else:
        return text
    return None


def _color(values: dict[str, tuple[str | None, Any]], key: str, default: str, minimum: float,
           what: str, issues: list[Issue]) -> str:
    raw, node = values.get(key, (None, None))
    if node is None:
        return default
    if raw is None or not raw.strip():
        issues.append(Issue("empty", f"a colour in quotes such as '{default}' (YAML reads an "
                            "unquoted # as the start of a comment)", path=key))
        return default
    match = _HEX.fullmatch(raw.strip())
    if not match:
        issues.append(Issue(f"{raw.strip()[:40]!r} is not a colour",
                            f"'#RRGGBB' in hexadecimal, such as '{default}'", path=key))
        return default
    color = "#" + match[1].upper()
    ratio = contrast(color)
    if ratio < minimum:
        issues.append(Issue(
            f"{color} is too light: {what} has a contrast of {_ratio_text(ratio)}",
            f"at least {minimum:g}:1 (WCAG 2.1); a darker shade, such as {default} "
            f"({_ratio_text(contrast(default))})", path=key))
    return color


# ----------------------------------------------------------------------------- the logo


def _logo(value: tuple[str | None, Any] | None, folder: Path, issues: list[Issue]) -> Logo | None:
    raw = value[0] if value else None
    if raw is None or not raw.strip():
        return None
    name = raw.strip()
    if _CONTROL.search(name) or len(name) > 1000:
        issues.append(Issue("not a usable file name", "a PNG or SVG file's path, relative to "
                            "the brand file", path="logo"))
        return None
    path = folder / name
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(0, "not a regular file")
        if info.st_size > MAX_LOGO_BYTES:
            issues.append(Issue(f"{name[:80]} is {info.st_size:,} bytes, over the "
                                f"{MAX_LOGO_BYTES // 1024} KB limit",
                                f"a logo under {MAX_LOGO_BYTES // 1024} KB (an SVG under "
                                f"{MAX_SVG_BYTES // 1024} KB)", path="logo"))
            return None
        with path.open("rb") as handle:
            data = handle.read(MAX_LOGO_BYTES + 1)
    except OSError as exc:
        issues.append(Issue(f"cannot read {name[:80]} ({exc.strerror or exc}; looked in "
                            f"{folder.resolve()})", "a PNG or SVG file, its path relative to "
                            "the brand file", path="logo"))
        return None
    try:
        return _check_logo(data, name)
    except ValueError as exc:
        issues.append(Issue(f"{name[:80]}: {exc}", "a PNG (at most "
                            f"{MAX_LOGO_PIXELS:,} x {MAX_LOGO_PIXELS:,} pixels) or a plain SVG "
                            f"(no scripts, event handlers or external references; at most "
                            f"{MAX_SVG_BYTES // 1024} KB)", path="logo"))
        return None


def _check_logo(data: bytes, name: str) -> Logo:
    """A :class:`Logo` of these bytes, or ValueError saying what is wrong with them."""
    if len(data) > MAX_LOGO_BYTES:
        raise ValueError(f"over the {MAX_LOGO_BYTES // 1024} KB limit")
    suffix = os.path.splitext(name)[1].lower()
    if data.startswith(_PNG_SIGNATURE):
        return _png(data)
    if suffix == ".png":
        raise ValueError("not a PNG file: its first bytes are not the PNG signature")
    head = data[:512].lstrip(codecs.BOM_UTF8).lstrip()
    if suffix == ".svg" or head.startswith(b"<"):
        return _svg(data)
    raise ValueError("neither a PNG nor an SVG image")


def _png(data: bytes) -> Logo:
    """Walk every chunk: lengths within the file, CRCs right, IHDR first, IEND last."""
    offset, width, height, seen = len(_PNG_SIGNATURE), 0, 0, []
    while offset < len(data):
        if offset + 12 > len(data):
            raise ValueError("a truncated PNG (a chunk runs past the end)")
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        end = offset + 12 + length
        if end > len(data):
            raise ValueError("a truncated PNG (a chunk runs past the end)")
        body = data[offset + 4:end - 4]  # chunk type and data
        if zlib.crc32(body) != struct.unpack(">I", data[end - 4:end])[0]:
            raise ValueError(f"a damaged PNG (chunk {kind!r} fails its checksum)")
        if not seen:
            if kind != b"IHDR" or length != 13:
                raise ValueError("not a valid PNG (its first chunk is not the IHDR header)")
            width, height = struct.unpack(">II", data[offset + 8:offset + 16])
        seen.append(kind)
        offset = end
        if kind == b"IEND":
            break
    if not seen or seen[-1] != b"IEND" or b"IDAT" not in seen:
        raise ValueError("a truncated PNG (no image data or no end chunk)")
    if not (1 <= width <= MAX_LOGO_PIXELS and 1 <= height <= MAX_LOGO_PIXELS):
        raise ValueError(f"{width:,} x {height:,} pixels, over {MAX_LOGO_PIXELS:,} each way")
    return Logo(data, "png", width, height)


_FORBIDDEN_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "audio",
                       "video", "handler", "listener"}
_URL = re.compile(r"url\s*\(\s*(['\"]?)\s*([^)'\"]*)", re.IGNORECASE)
_LENGTH = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*(px)?\s*")


def _svg(data: bytes) -> Logo:
    """Parse with defusedxml (no DTD, entities or external references) and refuse anything
    active or external: scripts, ``on*`` handlers, foreignObject, links and ``url()``
    references other than ``#id`` fragments, style sheets that import."""
    if len(data) > MAX_SVG_BYTES:
        raise ValueError(f"an SVG of {len(data):,} bytes, over the "
                         f"{MAX_SVG_BYTES // 1024} KB limit")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("an SVG that is not UTF-8 text") from None
    if re.search(r"<\?xml-stylesheet", text, re.IGNORECASE):
        raise ValueError("an SVG that loads an external style sheet (<?xml-stylesheet?>)")
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(text.encode("utf-8"), forbid_dtd=True, forbid_entities=True,
                          forbid_external=True)
    except DefusedXmlException:
        raise ValueError("an SVG with a DOCTYPE or entity declarations (refused: they can "
                         "expand or fetch content)") from None
    except ParseError as exc:
        raise ValueError(f"not well-formed XML ({exc})") from None
    if _local(root.tag) != "svg":
        raise ValueError(f"not an SVG image (its root element is <{_local(root.tag)[:40]}>)")
    for element in root.iter():
        tag = _local(element.tag) if isinstance(element.tag, str) else ""
        if tag.lower() in _FORBIDDEN_ELEMENTS:
            raise ValueError(f"an SVG with a <{tag}> element")
        for attribute, value in element.attrib.items():
            name = _local(attribute)
            if name.lower().startswith("on"):
                raise ValueError(f"an SVG with an event handler ({name}= on <{tag}>)")
            if name == "href" and not value.strip().startswith("#"):  # xlink:href too
                raise ValueError(f"an SVG with an external reference (href={value[:60]!r} "
                                 f"on <{tag}>)")
            _check_css(value, f"{name}= on <{tag}>")
            if name.lower() == "attributename" and value.strip().lower().endswith("href"):
                raise ValueError(f"an SVG that animates a link (<{tag} attributeName=href>)")
        if tag == "style":
            _check_css(element.text or "", "<style>")
    width, height = _svg_size(root)
    return Logo(data, "svg", width, height)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _check_css(value: str, where: str) -> None:
    lowered = value.lower()
    if "javascript:" in re.sub(r"\s+", "", lowered):
        raise ValueError(f"an SVG with a javascript: link ({where})")
    if "@import" in lowered:
        raise ValueError(f"an SVG whose style imports another sheet ({where})")
    for match in _URL.finditer(value):
        if not match[2].strip().startswith("#"):
            raise ValueError(f"an SVG with an external reference (url({match[2][:60]}) in "
                             f"{where})")


def _svg_size(root: Any) -> tuple[int, int]:
    """Pixels from ``width``/``height`` (plain numbers or px), else from the ``viewBox``."""
    sizes = [_LENGTH.fullmatch(root.get(name, "")) for name in ("width", "height")]
    if all(sizes):
        width, height = (float(m[1]) for m in sizes if m)
    else:
        parts = re.split(r"[\s,]+", (root.get("viewBox") or "").strip())
        try:
            width, height = (float(p) for p in parts[2:4]) if len(parts) == 4 else (0.0, 0.0)
        except ValueError:
            width = height = 0.0
    if not (math.isfinite(width) and math.isfinite(height) and width > 0 and height > 0):
        raise ValueError("an SVG without a size (give it a viewBox, or width and height in "
                         "pixels)")
    if max(width, height) > 100_000:
        raise ValueError("an SVG over 100,000 units wide or high")
    return max(1, round(width)), max(1, round(height))


# ----------------------------------------------------------------------------- the template


def check_pptx_template(path: str | Path | None) -> Path | None:
    """The resolved path of a usable ``--pptx-template`` (None for none or ``""``), or a
    :class:`TemplateError`: it must be a regular .pptx/.potx file under
    :data:`MAX_TEMPLATE_BYTES`, a zip of at most :data:`MAX_TEMPLATE_PARTS` parts unpacking to
    at most :data:`MAX_TEMPLATE_UNPACKED`, holding a presentation."""
    if path is None or not str(path).strip():
        return None
    path = Path(path)
    source = str(path)

    def refuse(message: str, expected: str = "a PowerPoint .pptx or .potx file") -> TemplateError:
        return TemplateError([Issue(message, expected, path="--pptx-template")], source)

    if path.suffix.lower() not in TEMPLATE_SUFFIXES:
        raise refuse(f"{path.name[:80]} is not a .pptx or .potx file")
    try:
        info = path.stat()
    except OSError as exc:
        raise refuse(f"cannot read {path.name[:80]} ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise refuse(f"{path.name[:80]} is not a regular file")
    if info.st_size > MAX_TEMPLATE_BYTES:
        raise refuse(f"{info.st_size:,} bytes, over the {MAX_TEMPLATE_BYTES // 2**20} MB limit",
                     "a template without large embedded media")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_TEMPLATE_PARTS:
                raise refuse(f"{len(members):,} parts, over the limit of {MAX_TEMPLATE_PARTS}")
            if sum(m.file_size for m in members) > MAX_TEMPLATE_UNPACKED:
                raise refuse(f"unpacks to over {MAX_TEMPLATE_UNPACKED // 2**20} MB")
            names = {m.filename for m in members}
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise refuse(f"{path.name[:80]} is not a PowerPoint file (not a valid zip: "
                     f"{str(exc)[:80]})") from None
    if not {"[Content_Types].xml", "ppt/presentation.xml"} <= names:
        raise refuse(f"{path.name[:80]} is a zip without a presentation "
                     "(no ppt/presentation.xml)")
    return path.resolve()
