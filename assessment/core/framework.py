"""The framework: what is scored, loaded from YAML and validated.

A framework file holds the KPIs, the three questionnaires, targets, floors, weights, benchmarks,
recommendations and settings. :func:`load_framework` checks every rule and raises
:class:`~assessment.core.errors.FrameworkError` listing *all* problems, each with its YAML path.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import datetime as dt
import difflib
import functools
import hashlib
import math
import re
import string
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import yaml

from assessment.core.errors import FrameworkError, Issue

ELEMENTS: tuple[str, ...] = ("profit", "reputation", "efficiency", "effectiveness")
AREAS: tuple[str, ...] = (*ELEMENTS, "renewal")
UNITS: tuple[str, ...] = ("percent", "currency", "hours", "count", "score", "ratio")
DIRECTIONS: tuple[str, ...] = ("higher", "lower", "band")
QUESTIONNAIRES: tuple[str, ...] = (
    "renewal_practices",
    "excellence_practices",
    "customer_expectations",
)
#: Questionnaires answered on the 0-4 maturity scale (customer expectations use 1-5 ratings).
PRACTICE_QUESTIONNAIRES: tuple[str, ...] = ("renewal_practices", "excellence_practices")

#: Valid input range of a value, by unit, unless the KPI sets ``min``/``max``.
UNIT_RANGES: dict[str, tuple[float | None, float | None]] = {
    "percent": (0.0, 1.0),
    "currency": (0.0, None),
    "hours": (0.0, None),
    "count": (0.0, None),
    "score": (-100.0, 100.0),
    "ratio": (0.0, None),
}

#: The support models of methodology §7; a KPI's ``applies_to`` names some of them.
MODELS: tuple[str, ...] = ("internal", "external", "blended")
#: How an applicable KPI without a value counts in aggregates (methodology §3).
MISSING_KPI_RULES: tuple[str, ...] = ("zero", "exclude")
#: Profile volumes a consistency relation may name (``profile.<field>``).
PROFILE_VOLUMES: tuple[str, ...] = ("annual_revenue", "support_cost", "contract_revenue_base",
                                    "assisted_cases", "support_headcount", "active_customers")
#: Profile volumes in money (the client's currency).
MONEY_VOLUMES: tuple[str, ...] = ("annual_revenue", "support_cost", "contract_revenue_base")

#: The business-case formulas the engine knows (methodology §10; docs/methodology.md).
FORMULAS: tuple[str, ...] = ("renewal_at_stake", "cost_gap", "self_service_shift",
                             "repeat_contacts")
#: What each formula takes, in order: its inputs (``profile`` volume, ``kpi``) and its
#: assumptions (by role). docs/methodology.md writes each formula out.
FORMULA_INPUTS: dict[str, tuple[str, ...]] = {
    "renewal_at_stake": ("profile", "kpi"),
    "cost_gap": ("profile", "kpi"),
    "self_service_shift": ("profile", "kpi"),
    "repeat_contacts": ("profile", "kpi"),
}
FORMULA_ASSUMPTIONS: dict[str, tuple[str, ...]] = {
    "renewal_at_stake": (),
    "cost_gap": (),
    "self_service_shift": ("self-service cost per contact",
                           "assisted cost per contact, used when cost per case is blank"),
    "repeat_contacts": ("repeat contacts per case not resolved first time",
                        "assisted cost per contact, used when cost per case is blank"),
}
#: Units of a business-case assumption (``currency`` is the framework's, converted by fx_rate).
ASSUMPTION_UNITS: tuple[str, ...] = ("currency", "percent", "ratio", "count")
#: Executive-summary finding rules, and the placeholders each rule's text may use.
FINDING_PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "largest_gap": ("name", "points", "score", "element"),
    "weak_element": ("element", "score", "others", "margin"),
    "renewal_erosion": ("rate", "client_year5", "industry_year5", "industry_rate"),
    "failing_relation": ("relation", "stated", "implied", "cells"),
    "low_coverage": ("coverage", "missing"),
    "largest_driver": ("driver", "money", "low", "high"),
    "not_measured": ("count", "names"),
}
#: Numeric parameters a finding rule takes, with their defaults.
FINDING_PARAMS: dict[str, dict[str, float]] = {
    "weak_element": {"margin": 15.0}, "low_coverage": {"below": 0.8},
}
#: Effort sizes of an initiative and the divisor each gives its value (methodology §10).
EFFORTS: dict[str, int] = {"S": 1, "M": 2, "L": 3}
#: Horizons of an initiative, in order, with the months they span.
HORIZONS: dict[str, tuple[int, int]] = {
    "days_0_90": (0, 3), "months_3_6": (3, 6), "months_6_12": (6, 12)}

DEFAULT_SETTINGS: dict[str, Any] = {
    "currency": "USD",
    "missing_kpi": "zero",
    "segments": {},
    "amber": 80.0,
    "min_coverage": 0.5,
    "element_weights": dict.fromkeys(ELEMENTS, 1.0),
    "renewal_blend": 0.5,
    "ipa_threshold": 3.5,
    "industry_renewal_rate": 0.824,
    "price_uplift": None,
    "alignment_survey_average": 6.6,
    "alignment_survey_source": None,
    "alignment_survey_year": None,
}

DEFAULT_FRAMEWORK = "default"


class FrozenDict(dict):
    """A dict that refuses changes.

    A loaded framework is cached and shared by every caller in the process
    (:func:`load_framework`), so its mappings are read-only: one caller cannot change what
    another sees. ``dict(frozen)`` gives a plain, changeable copy. It pickles and deep-copies
    as a FrozenDict, compares equal to a dict with the same items and serializes as one.
    """

    __slots__ = ()

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("a framework's mappings are read-only (the framework is shared); "
                        "copy one with dict(...) to change it")

    __setitem__ = __delitem__ = __ior__ = _read_only  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _read_only  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))


#: The empty mapping every resolved KPI shares as its ``by_segment``.
_NO_SEGMENTS: FrozenDict = FrozenDict()
#: Entries each framework keeps in its memo (resolved views, scoring plans) at most.
MEMO_LIMIT = 64
_MISSING = object()


@dataclass(frozen=True)
class Benchmark:
    """A published reference figure: shown as context with its source, never as the target."""

    value: float | None
    source: str
    year: int | str | None = None
    note: str | None = None
    range: tuple[float, float] | None = None
    currency: str | None = None


@dataclass(frozen=True)
class SegmentValues:
    """What a segment changes of one KPI (None: the KPI's own value applies)."""

    target: float | None = None
    floor: float | tuple[float, float] | None = None
    band: tuple[float, float] | None = None
    benchmark: Benchmark | None = None


@dataclass(frozen=True)
class Segment:
    """A peer group the framework has its own targets for (methodology §1)."""

    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Relation:
    """A consistency check (methodology §7): ``value ≈ factor · Π product / Π divide``.

    Terms are ``kpi.<id>`` or ``profile.<volume>``; the relation holds when
    ``|stated − implied| <= tolerance · |implied|``.
    """

    id: str
    name: str
    value: str
    product: tuple[str, ...]
    divide: tuple[str, ...] = ()
    factor: float = 1.0
    tolerance: float = 0.1

    @property
    def terms(self) -> tuple[str, ...]:
        """Every term, the stated value first."""
        return (self.value, *self.product, *self.divide)


@dataclass(frozen=True)
class Assumption:
    """A business-case assumption: its value in the low (cautious), base and high case."""

    id: str
    name: str
    unit: str
    low: float
    base: float
    high: float
    source: str
    year: int | str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Driver:
    """A business-case driver: one of :data:`FORMULAS` over its inputs and assumptions."""

    id: str
    name: str
    formula: str
    inputs: tuple[str, ...]
    assumptions: tuple[str, ...] = ()
    overlaps: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Finding:
    """An executive-summary rule: a kind of :data:`FINDING_PLACEHOLDERS` and its sentence."""

    id: str
    rule: str
    text: str
    params: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Initiative:
    """A roadmap initiative: what it moves, its effort, horizon and owner role."""

    id: str
    name: str
    description: str
    kpis: tuple[str, ...]
    practices: tuple[str, ...]
    drivers: tuple[str, ...]
    effort: str
    horizon: str
    owner: str


@dataclass(frozen=True)
class Kpi:
    id: str
    element: str
    name: str
    definition: str
    unit: str
    direction: str
    target: float | None
    floor: float | tuple[float, float]
    weight: float
    band: tuple[float, float] | None = None
    minimum: float | None = None
    maximum: float | None = None
    benchmark: Benchmark | None = None
    recommendations: tuple[str, ...] = ()
    #: Band KPIs: advice for each side of the band (``below``, ``above``).
    band_recommendations: dict[str, tuple[str, ...]] | None = None
    applies_to: tuple[str, ...] = MODELS
    by_segment: dict[str, SegmentValues] = field(default_factory=dict)

    def applies(self, model: str | None) -> bool:
        """Whether the KPI applies to an organization of support ``model`` (all when None)."""
        return model is None or model in self.applies_to

    def advice(self, side: str | None = None) -> tuple[str, ...]:
        """The recommendations; for a band KPI those of ``side`` (``below``/``above``) only."""
        if self.band_recommendations is not None:
            return self.band_recommendations.get(side or "", ())
        return self.recommendations


@dataclass(frozen=True)
class Item:
    """A questionnaire item: a practice, or a customer-expectation dimension."""

    id: str
    name: str
    text: str
    weight: float
    recommendations: tuple[str, ...] = ()
    satisfiers: str | None = None
    dissatisfiers: str | None = None


@dataclass(frozen=True)
class Questionnaire:
    id: str
    name: str
    description: str
    items: tuple[Item, ...]
    applies_to: tuple[str, ...] = MODELS

    def applies(self, model: str | None) -> bool:
        return model is None or model in self.applies_to


@dataclass(frozen=True)
class Settings:
    currency: str
    missing_kpi: str
    segments: dict[str, Segment]
    amber: float
    min_coverage: float
    element_weights: dict[str, float]
    renewal_blend: float
    ipa_threshold: float
    industry_renewal_rate: float
    price_uplift: float | None
    alignment_survey_average: float
    alignment_survey_source: str | None = None
    alignment_survey_year: int | None = None


@dataclass(frozen=True)
class Framework:
    name: str
    version: str
    settings: Settings
    element_names: dict[str, str]
    element_descriptions: dict[str, str]
    kpis: tuple[Kpi, ...]
    questionnaires: dict[str, Questionnaire]
    levels: tuple[str, ...]
    answer_scale: tuple[str, ...]
    relations: tuple[Relation, ...] = ()
    assumptions: tuple[Assumption, ...] = ()
    drivers: tuple[Driver, ...] = ()
    findings: tuple[Finding, ...] = ()
    initiatives: tuple[Initiative, ...] = ()
    source: str = field(default="", compare=False)

    def kpi(self, kpi_id: str) -> Kpi:
        """The KPI with id ``kpi_id``; KeyError if there is none."""
        return self._kpis_by_id[kpi_id]

    @functools.cached_property
    def _kpis_by_id(self) -> dict[str, Kpi]:
        return FrozenDict((kpi.id, kpi) for kpi in self.kpis)

    @functools.cached_property
    def _memo_store(self) -> OrderedDict[Any, Any]:
        return OrderedDict()

    def memo(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()``, computed once per ``key`` for this framework instance and kept (the
        :data:`MEMO_LIMIT` most recent keys). For values derived from the framework alone,
        such as :meth:`resolved` views and the scoring engine's per-segment plans; callers
        must treat what is returned as read-only. The least recently used key goes first.
        """
        store = self._memo_store
        value = store.get(key, _MISSING)
        if value is _MISSING:
            value = build()
            store[key] = value
            while len(store) > MEMO_LIMIT:
                store.popitem(last=False)  # the least recently used
        else:
            # KeyError: dropped by another thread meanwhile, nothing to keep fresh
            with contextlib.suppress(KeyError):
                store.move_to_end(key)
        return value

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the memo and the id index (rebuilt on use)."""
        return {k: v for k, v in self.__dict__.items()
                if k not in ("_memo_store", "_kpis_by_id")}

    def kpis_of(self, area: str) -> list[Kpi]:
        return [k for k in self.kpis if k.element == area]

    def resolved(self, segment: str | None = None, fx_rate: float | None = None) -> Framework:
        """The framework as one organization sees it (methodology §1–§2).

        Each KPI takes its ``segment``'s target, floor, band and benchmark where the framework
        gives them; then money values (unit ``currency``: target, floor, band, min, max) are
        multiplied by ``fx_rate`` (client-currency units per framework-currency unit).
        Benchmarks keep their own currency. ``segment`` must be one of ``settings.segments``
        or None; the result has no ``by_segment`` left to apply. Each ``(segment, fx_rate)``
        is resolved once and kept on this framework (:meth:`memo`): the same object is
        returned again.
        """
        if segment is not None and segment not in self.settings.segments:
            raise KeyError(f"unknown segment {segment!r}")
        if segment is None and not fx_rate:
            return self
        return self.memo(("resolved", segment, fx_rate), lambda: dataclasses.replace(
            self, kpis=tuple(_resolve_kpi(k, segment, fx_rate) for k in self.kpis)))

    def valid_range(self, kpi: Kpi) -> tuple[float | None, float | None]:
        """The range an intake value of ``kpi`` must fall in (in computation units)."""
        lo, hi = UNIT_RANGES[kpi.unit]
        return (kpi.minimum if kpi.minimum is not None else lo,
                kpi.maximum if kpi.maximum is not None else hi)


def _resolve_kpi(kpi: Kpi, segment: str | None, fx_rate: float | None) -> Kpi:
    """One KPI with its segment's values and money converted (see :meth:`Framework.resolved`)."""
    seg = kpi.by_segment.get(segment) if segment else None
    target, floor, band, bench = kpi.target, kpi.floor, kpi.band, kpi.benchmark
    if seg is not None:
        target = seg.target if seg.target is not None else target
        floor = seg.floor if seg.floor is not None else floor
        band = seg.band if seg.band is not None else band
        bench = seg.benchmark if seg.benchmark is not None else bench
    minimum, maximum = kpi.minimum, kpi.maximum
    if fx_rate and kpi.unit == "currency":
        def scale(x: Any) -> Any:
            if x is None:
                return None
            return tuple(v * fx_rate for v in x) if isinstance(x, tuple) else x * fx_rate
        target, floor, band = scale(target), scale(floor), scale(band)
        minimum, maximum = scale(minimum), scale(maximum)
    return dataclasses.replace(kpi, target=target, floor=floor, band=band, benchmark=bench,
                               minimum=minimum, maximum=maximum, by_segment=_NO_SEGMENTS)


# --------------------------------------------------------------------------- limits

#: A framework file larger than this is refused unread (the default is about 41 KB; YAML is
#: parsed in pure Python at roughly 100 KB a second for dense files).
MAX_FRAMEWORK_BYTES = 256 * 1024
#: Deepest nesting of mappings and lists, aliases expanded (the default nests 7 levels).
MAX_DEPTH = 20
#: Values in the file, and once every alias is expanded (the default holds about 1,300).
MAX_EXPANDED_NODES = 50_000
#: Characters of text in the file once every alias is expanded.
MAX_EXPANDED_CHARS = 4_000_000
#: Digits of a whole number in the file.
MAX_DIGITS = 30
#: Entries of the lists.
MAX_KPIS = 300
MAX_ITEMS = 100
MAX_RECOMMENDATIONS = 20
#: Characters of ids, names and short labels, and of longer texts.
MAX_ID = 64
MAX_NAME = 120
MAX_LABEL = 40
MAX_VERSION = 40
MAX_TEXT = 2000
#: Bounds of numbers: weights, and every target, floor, band, min, max and benchmark.
MIN_WEIGHT = 1e-6
MAX_WEIGHT = 1e6
MAX_MAGNITUDE = 1e15
#: Problems listed at most; the rest are counted.
MAX_ISSUES = 200

TOP_KEYS: tuple[str, ...] = ("name", "version", "settings", "elements", "levels",
                             "answer_scale", "kpis", "questionnaires", "relations",
                             "business_case", "findings", "initiatives")
BUSINESS_KEYS: tuple[str, ...] = ("assumptions", "drivers")
ASSUMPTION_KEYS: tuple[str, ...] = ("id", "name", "unit", "low", "base", "high", "source",
                                    "year", "note")
DRIVER_KEYS: tuple[str, ...] = ("id", "name", "formula", "inputs", "assumptions", "overlaps",
                                "description")
FINDING_KEYS: tuple[str, ...] = ("id", "rule", "text", "params")
INITIATIVE_KEYS: tuple[str, ...] = ("id", "name", "description", "kpis", "practices", "drivers",
                                    "effort", "horizon", "owner")
MAX_BUSINESS_ITEMS = 50
ELEMENT_KEYS: tuple[str, ...] = ("name", "description")
KPI_KEYS: tuple[str, ...] = ("id", "element", "name", "definition", "unit", "direction",
                             "target", "floor", "band", "weight", "min", "max", "benchmark",
                             "recommendations", "applies_to", "by_segment")
BENCHMARK_KEYS: tuple[str, ...] = ("value", "range", "source", "year", "note", "currency")
SEGMENT_VALUE_KEYS: tuple[str, ...] = ("target", "floor", "band", "benchmark")
SEGMENT_KEYS: tuple[str, ...] = ("name", "description")
RELATION_KEYS: tuple[str, ...] = ("id", "name", "value", "equals", "tolerance")
EQUALS_KEYS: tuple[str, ...] = ("product", "divide", "factor")
BAND_SIDES: tuple[str, ...] = ("below", "above")
MAX_SEGMENTS = 20
MAX_RELATIONS = 50
QUESTIONNAIRE_KEYS: tuple[str, ...] = ("name", "description", "items", "applies_to")
ITEM_KEYS: tuple[str, ...] = ("id", "name", "text", "weight", "recommendations", "satisfiers",
                              "dissatisfiers")

#: Ids the intake template writes and its reader (which lower-cases them) reads back.
_ID = re.compile(r"[a-z][a-z0-9_]*")
#: A number with an exponent but no decimal point: YAML 1.1 reads ``1e3`` as text.
_EXPONENT = re.compile(r"[-+]?[0-9]+[eE][-+]?[0-9]+")
#: Control and bidirectional-override characters: refused in every framework text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# --------------------------------------------------------------------------- loading


def default_framework_path() -> Path:
    return Path(str(resources.files("assessment") / "data" / "framework.yaml"))


#: Frameworks kept parsed, by the SHA-256 of the file's bytes (the most recent ones).
FRAMEWORK_CACHE_SIZE = 8
_cache: OrderedDict[str, Framework] = OrderedDict()
_cache_lock = threading.Lock()


def load_framework(path: str | Path | None = None) -> Framework:
    """Load and validate a framework file (the shipped default when ``path`` is None).

    The file is read up to :data:`MAX_FRAMEWORK_BYTES`, decoded as UTF-8 and parsed with
    ``yaml.safe_load`` semantics (libyaml's C parser where PyYAML has it), refusing nesting
    deeper than :data:`MAX_DEPTH` and aliases that expand beyond :data:`MAX_EXPANDED_NODES`
    values. Every problem raises :class:`FrameworkError` with its location.

    A valid framework is parsed once per process and kept by the SHA-256 of the file's bytes:
    loading the same bytes again (from any path) returns the cached, read-only framework
    (with ``source`` naming the path asked for); changed bytes are parsed afresh. The file is
    read and hashed on every call, so an edited file is never served stale.
    """
    path = Path(path) if path else default_framework_path()
    source = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FRAMEWORK_BYTES + 1)
    except OSError as exc:
        raise FrameworkError(
            [Issue(f"cannot read the framework file ({exc.strerror or exc})",
                   "a readable YAML file", path=source)], source) from None
    if len(data) > MAX_FRAMEWORK_BYTES:
        _refuse(source, "(file)", f"the file is larger than the {_kib(MAX_FRAMEWORK_BYTES)} "
                "limit for a framework", "a framework file under "
                f"{_kib(MAX_FRAMEWORK_BYTES)} (the default is about 41 KB)")
    digest = hashlib.sha256(data).hexdigest()
    with _cache_lock:
        cached = _cache.get(digest)
        if cached is not None:
            _cache.move_to_end(digest)
    if cached is None:
        cached = parse_framework(_parse_yaml(_decode(data, source), source), source=source)
        with _cache_lock:
            cached = _cache.setdefault(digest, cached)
            while len(_cache) > FRAMEWORK_CACHE_SIZE:
                _cache.popitem(last=False)
    if cached.source == source:
        return cached
    # the content is shared (read-only); each other path gets one view naming that path
    return cached.memo(("source", source), lambda: dataclasses.replace(cached, source=source))


def clear_framework_cache() -> None:
    """Forget every cached framework (the next :func:`load_framework` parses again)."""
    with _cache_lock:
        _cache.clear()


def _refuse(source: str, where: str, message: str, expected: str) -> NoReturn:
    raise FrameworkError([Issue(message, expected, path=where)], source)


def _kib(size: int) -> str:
    return f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def _decode(data: bytes, source: str) -> str:
    """The file's text as UTF-8, or a FrameworkError naming the first byte that is not."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _refuse(source, "(file)", "the file is UTF-16 text; a framework file must be UTF-8",
                "save the file with the encoding UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        _refuse(source, f"line {line}",
                f"the file is not UTF-8 text: byte 0x{data[exc.start]:02X} at line {line}, "
                f"column {column} (byte {exc.start + 1} of the file) is not valid UTF-8",
                "save the file with the encoding UTF-8 (it looks like another encoding, "
                "such as Windows-1252 or Latin-1)")


class _Refused(yaml.YAMLError):
    """A YAML structure refused before it is built: too deep, recursive or an alias bomb."""

    def __init__(self, message: str, expected: str, mark: Any) -> None:
        super().__init__(message)
        self.message, self.expected, self.mark = message, expected, mark


class _Limits:
    """The checks of the framework loader, run while the node graph is composed: they refuse
    deep nesting, too many values, duplicate keys, over-long integers and bad dates.

    Mixed into a loader whose composer is PyYAML's Python one (events may come from libyaml's C
    parser): the checks must see each node as it is composed, before the whole document is,
    so that ``[[[[…`` is refused at level 21 rather than after the parser has recursed."""

    depth = 0
    nodes = 0
    #: Alias events seen: without any, the composed graph is a tree within the limits above.
    aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(f"mappings and lists nested deeper than {MAX_DEPTH} levels",
                               "a framework shaped like the default (it nests 7 levels)",
                               self.peek_event().start_mark)
            self.nodes += 1
            if self.nodes > MAX_EXPANDED_NODES:
                raise _Refused(f"the file holds over {MAX_EXPANDED_NODES:,} values",
                               "a framework of a sensible size (the default holds about 1,300)",
                               self.peek_event().start_mark)
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self.depth -= 1

    def compose_mapping_node(self, anchor: Any) -> Any:
        """A mapping, refusing a key given twice (``yaml.safe_load`` keeps the last silently,
        so a pasted-in second ``weight:`` would quietly win)."""
        node = super().compose_mapping_node(anchor)  # type: ignore[misc]
        first: dict[str, int] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.value == "<<":
                continue
            if key.value in first:
                raise _Refused(f"the key {key.value[:40]!r} appears twice in one mapping "
                               f"(first at line {first[key.value]})",
                               "each key once: delete or rename one of them", key.start_mark)
            first[key.value] = key.start_mark.line + 1
        return node

    def construct_yaml_int(self, node: Any) -> Any:
        if sum(c.isdigit() for c in node.value) > MAX_DIGITS:
            raise _Refused(f"a whole number with more than {MAX_DIGITS} digits",
                           f"a number of at most {MAX_DIGITS} digits", node.start_mark)
        return super().construct_yaml_int(node)  # type: ignore[misc]

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)  # type: ignore[misc]
        except (ValueError, OverflowError) as exc:
            raise _Refused(f"{node.value[:40]!r} looks like a date but is not one ({exc})",
                           "a real date such as 2024-03-31, or quote the text",
                           node.start_mark) from None


class _FrameworkLoader(_Limits, yaml.SafeLoader):
    """``yaml.SafeLoader`` (pure Python) with the framework's limits."""


_FrameworkLoader.add_constructor("tag:yaml.org,2002:int", _FrameworkLoader.construct_yaml_int)
_FrameworkLoader.add_constructor("tag:yaml.org,2002:timestamp",
                                 _FrameworkLoader.construct_yaml_timestamp)


@functools.cache
def _c_loader(c_safe_loader: type) -> type:
    """The framework loader on libyaml's C parser: ``c_safe_loader`` (``yaml.CSafeLoader``)
    scans and parses, PyYAML's Python composer builds the nodes with the checks of
    :class:`_Limits`; resolving and constructing are ``yaml.SafeLoader``'s in both loaders,
    so both give the same data. libyaml's own composer is not used: it builds the whole
    document before any check could run."""

    def __init__(self: Any, stream: str) -> None:
        c_safe_loader.__init__(self, stream)
        yaml.composer.Composer.__init__(self)

    loader = type("_CFrameworkLoader", (_Limits, yaml.composer.Composer, c_safe_loader),
                  {"__init__": __init__, "__doc__": "The framework loader on libyaml."})
    loader.add_constructor("tag:yaml.org,2002:int", _Limits.construct_yaml_int)
    loader.add_constructor("tag:yaml.org,2002:timestamp", _Limits.construct_yaml_timestamp)
    return loader


def _loader_class() -> type:
    """The C-parser loader where PyYAML was built with libyaml, else the pure-Python one."""
    c_safe_loader = getattr(yaml, "CSafeLoader", None)
    return _FrameworkLoader if c_safe_loader is None else _c_loader(c_safe_loader)


def _parse_yaml(text: str, source: str) -> Any:
    """Plain data from YAML text, as ``yaml.safe_load`` would give, within the limits.

    Parsed with libyaml's C parser where available (:func:`_loader_class`). Should that fail
    in any way, the pure-Python loader parses the text again, so a refused file is reported
    exactly as before (libyaml words syntax errors its own way and has its own nesting limit).
    """
    loader_class = _loader_class()
    if loader_class is not _FrameworkLoader:
        try:
            return _load(loader_class, text)
        except yaml.YAMLError:
            pass  # reported below, in the pure-Python loader's words
    try:
        return _load(_FrameworkLoader, text)
    except _Refused as exc:
        where = f"line {exc.mark.line + 1}" if exc.mark else "(file)"
        _refuse(source, where, exc.message, exc.expected)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        _refuse(source, where, f"not valid YAML ({getattr(exc, 'problem', None) or exc})",
                "fix the YAML syntax")


def _load(loader_class: type, text: str) -> Any:
    """Compose ``text`` with the checks of :class:`_Limits`, check the aliases, construct."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if loader.aliases:  # without aliases the tree is already within every limit
            _check_expansion(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: Any) -> None:
    """Refuse recursive aliases, and aliases that expand past the size and depth limits.

    Aliases share one node in the composed graph, so this walks each node once (without
    recursion) and adds up what every node would weigh with all aliases written out.
    """
    size: dict[int, tuple[int, int, int]] = {}  # id -> (values, characters, depth)
    active: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            kids = [size[id(kid)] for kid in _children(node)]
            chars = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
            values = 1 + sum(k[0] for k in kids)
            chars += sum(k[1] for k in kids)
            depth = 1 + max((k[2] for k in kids), default=0)
            size[key] = (values, chars, depth)
            if values > MAX_EXPANDED_NODES or chars > MAX_EXPANDED_CHARS:
                raise _Refused(
                    f"aliases expand this value to over {MAX_EXPANDED_NODES:,} values or "
                    f"{MAX_EXPANDED_CHARS:,} characters (refused as a possible alias bomb)",
                    "write the values out, or use fewer aliases (*name)", node.start_mark)
            if depth > MAX_DEPTH:
                raise _Refused(f"aliases nest this value deeper than {MAX_DEPTH} levels",
                               "write the values out, or use fewer aliases (*name)",
                               node.start_mark)
            continue
        if key in size:
            continue
        if key in active:
            raise _Refused("a recursive alias: this value contains an alias of itself",
                           "write the value out in full", node.start_mark)
        active.add(key)
        stack.append((node, True))
        stack.extend((kid, False) for kid in _children(node) if id(kid) not in size)


def parse_framework(raw: Any, source: str = "") -> Framework:
    """Validate plain data (as loaded from YAML) and build a :class:`Framework`."""
    v = _Validator()
    framework = v.framework(raw, source)
    if v.issues:
        issues = v.issues
        if v.dropped:
            issues = [*issues, Issue(f"{v.dropped} more problem(s) not listed",
                                     "fix the problems above and validate again",
                                     path="(more)")]
        raise FrameworkError(issues, source)
    assert framework is not None
    return _frozen(framework)


def _frozen(fw: Framework) -> Framework:
    """``fw`` with every mapping a :class:`FrozenDict` (everything else in it is immutable)."""
    replace = dataclasses.replace
    return replace(
        fw,
        settings=replace(fw.settings, segments=FrozenDict(fw.settings.segments),
                         element_weights=FrozenDict(fw.settings.element_weights)),
        element_names=FrozenDict(fw.element_names),
        element_descriptions=FrozenDict(fw.element_descriptions),
        questionnaires=FrozenDict(fw.questionnaires),
        kpis=tuple(replace(k, by_segment=FrozenDict(k.by_segment) if k.by_segment
                           else _NO_SEGMENTS,
                           band_recommendations=None if k.band_recommendations is None
                           else FrozenDict(k.band_recommendations)) for k in fw.kpis),
        findings=tuple(replace(f, params=FrozenDict(f.params)) for f in fw.findings),
    )


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def _brief(value: Any) -> str:
    """A short, safe rendering of any YAML value for a message (never expands containers)."""
    if isinstance(value, str):
        return repr(value if len(value) <= MAX_LABEL else value[:MAX_LABEL] + "…")
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return repr(value) if abs(value) < 10**MAX_DIGITS else "a very large number"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return f"a mapping of {len(value)} key(s)"
    if isinstance(value, (dt.date, dt.datetime)):
        return repr(value.isoformat())
    return f"a {type(value).__name__} value"


def _key(key: Any) -> str:
    """A mapping key as it appears in a YAML path."""
    return key if isinstance(key, str) and _ID.fullmatch(key) and len(key) <= MAX_LABEL \
        else _brief(key)


def _suggest(value: Any, choices: tuple[str, ...]) -> str:
    """``"; did you mean 'x'?"`` when ``value`` is close to one of ``choices``."""
    if not isinstance(value, str) or len(value) > MAX_LABEL:
        return ""
    close = difflib.get_close_matches(value.lower(), choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _as_text(value: Any) -> Any:
    """A number or date where a text is expected, as text (YAML reads ``1.0`` as a number)."""
    if _is_number(value) and abs(value) < 10**MAX_DIGITS or isinstance(value, dt.date):
        return str(value)
    return value


def _looks_numeric(text: str) -> bool:
    """Whether ``text`` is a number in exponent form that YAML 1.1 reads as text (``1e3``)."""
    return bool(_EXPONENT.fullmatch(text.strip()))


def _number_text(value: float) -> str:
    return f"{value:,g}" if abs(value) >= 1e4 else f"{value:g}"


class _Validator:
    """Collects every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self.dropped = 0
        self.segment_ids: tuple[str, ...] = ()

    def add(self, path: str, message: str, expected: str = "") -> None:
        if len(self.issues) >= MAX_ISSUES:
            self.dropped += 1
            return
        self.issues.append(Issue(message, expected, path=path))

    def unknown_keys(self, data: dict, path: str, known: tuple[str, ...]) -> None:
        """Report every key of ``data`` not in ``known``, with a suggestion when one is close."""
        for key in data:
            if key not in known and len(self.issues) >= MAX_ISSUES:
                self.dropped += 1
            elif key not in known:
                where = f"{path}.{_key(key)}" if path else _key(key)
                self.add(where, f"unknown key {_brief(key)}{_suggest(key, known)}",
                         f"one of {', '.join(known)}")

    def choice(self, value: str, path: str, what: str, choices: tuple[str, ...]) -> bool:
        if value in choices:
            return True
        self.add(path, f"unknown {what} {_brief(value)}{_suggest(value, choices)}",
                 f"one of {', '.join(choices)}")
        return False

    def require(self, data: dict, key: str, path: str, kind: type | tuple = str,
                limit: int = MAX_NAME) -> Any:
        if key not in data or data[key] is None or data[key] == "":
            self.add(f"{path}.{key}", "required field is missing", f"a {_kind_name(kind)}")
            return None
        value = data[key]
        if kind in (int, float) or kind == (int, float):
            return self.number(value, f"{path}.{key}")
        if kind is str:
            return self.text(value, f"{path}.{key}", limit)
        if not isinstance(value, kind):
            self.add(f"{path}.{key}", f"expected a {_kind_name(kind)}, got {_brief(value)}",
                     f"a {_kind_name(kind)}")
            return None
        return value

    def text(self, value: Any, path: str, limit: int, optional: bool = False) -> str | None:
        """A text of at most ``limit`` characters without control characters."""
        if optional and value is None:
            return None
        if not isinstance(value, str):
            self.add(path, f"expected a text, got {_brief(value)}", "a text")
            return None
        if len(value) > limit:
            self.add(path, f"text of {len(value):,} characters is too long",
                     f"at most {limit:,} characters")
            return None
        bad = _CONTROL.search(value)
        if bad:
            self.add(path, f"text contains the control character U+{ord(bad.group()):04X}",
                     "plain text without control or text-direction characters")
            return None
        return value

    def optional(self, spec: dict, key: str, path: str, limit: int) -> str | None:
        """An optional text field (a number written there is taken as text); None if empty."""
        value = _as_text(spec.get(key))
        return self.text(value, f"{path}.{key}", limit) if value not in (None, "") else None

    def number(self, value: Any, path: str, what: str = "a number") -> float | None:
        """A finite number within ±:data:`MAX_MAGNITUDE`."""
        if not _is_number(value):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                self.add(path, f"{_brief(value)} is not a finite number",
                         f"{what} between {-MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}")
            elif isinstance(value, str) and _looks_numeric(value):
                self.add(path, f"{_brief(value)} is text, not a number (YAML reads an exponent "
                         "without a decimal point as text)", f"{what}, e.g. 1.0e+3 or 1000")
            else:
                self.add(path, f"{_brief(value)} is not a number", what)
            return None
        if abs(value) > MAX_MAGNITUDE:
            self.add(path, f"{_number_text(float(value))} is too large",
                     f"{what} between {-MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}")
            return None
        return float(value)

    def weight(self, value: Any, path: str) -> float | None:
        """A weight: a number from :data:`MIN_WEIGHT` to :data:`MAX_WEIGHT`."""
        expected = f"a weight > 0, from {MIN_WEIGHT:.6f} to {MAX_WEIGHT:,.0f}"
        if not _is_number(value):
            return self.number(value, path, "a weight")
        w = float(value)
        if w <= 0:
            self.add(path, f"weight {w:g} must be greater than 0", "a weight > 0")
        elif w < MIN_WEIGHT:
            self.add(path, f"weight {w:g} is too small", expected)
        elif w > MAX_WEIGHT:
            self.add(path, f"weight {_number_text(w)} is too large", expected)
        else:
            return w
        return None

    def texts(self, value: Any, path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            self.add(path, "recommendations must be a list of texts", "a YAML list of strings")
            return ()
        if len(value) > MAX_RECOMMENDATIONS:
            self.add(path, f"{len(value)} recommendations are too many",
                     f"at most {MAX_RECOMMENDATIONS}")
            return ()
        out = [self.text(t, f"{path}[{i}]", MAX_TEXT) for i, t in enumerate(value)]
        return tuple(t for t in out if t is not None)

    def id(self, spec: dict, path: str, what: str, seen: set[str]) -> tuple[str | None, str]:
        """The ``id`` of a KPI or item, and the path extended with it."""
        value = self.require(spec, "id", path, limit=MAX_ID)
        if value is None:
            return None, path
        if not _ID.fullmatch(value):
            self.add(f"{path}({_brief(value)}).id", f"{_brief(value)} is not a snake_case id",
                     "lower case letters a-z, digits and underscores, starting with a letter "
                     "(the intake template writes the id and reads it back in lower case)")
            return None, path
        path = f"{path}({value})"
        if value in seen:
            self.add(f"{path}.id", f"duplicate {what} id {value!r}",
                     "ids unique in the file" if what == "KPI"
                     else "ids unique within the questionnaire")
        seen.add(value)
        return value, path

    # ----------------------------------------------------------------- sections

    def framework(self, raw: Any, source: str) -> Framework | None:
        if not isinstance(raw, dict):
            self.add("(top)", "the framework file is empty or not a mapping",
                     "keys name, version, settings, elements, kpis, questionnaires")
            return None
        self.unknown_keys(raw, "", TOP_KEYS)
        name = self.require(raw, "name", "(top)")
        version = raw.get("version")
        if version is None or version == "":
            self.add("version", "required field is missing", "a version such as '1.0'")
        elif isinstance(version, (str, dt.date)) or _is_number(version):
            version = self.text(_as_text(version), "version", MAX_VERSION)
        else:
            self.add("version", f"expected a version, got {_brief(version)}",
                     "a version such as '1.0'")
        settings = self.settings(raw.get("settings") or {})
        element_names, element_descriptions = self.elements(raw.get("elements") or {})
        kpis = self.kpis(raw.get("kpis"))
        questionnaires = self.questionnaires(raw.get("questionnaires"))
        levels = self.labels(raw.get("levels"), "levels", 5)
        scale = self.labels(raw.get("answer_scale"), "answer_scale", 5, answers=True)
        kpi_ids = {spec["id"] for spec in raw.get("kpis") or ()
                   if isinstance(raw.get("kpis"), list) and isinstance(spec, dict)
                   and isinstance(spec.get("id"), str)}
        relations = self.relations(raw.get("relations"), kpi_ids)
        assumptions, drivers = self.business_case(raw.get("business_case"), kpi_ids)
        findings = self.findings(raw.get("findings"))
        business = raw.get("business_case")
        driver_specs = business.get("drivers") if isinstance(business, dict) else None
        driver_ids = {spec["id"] for spec in driver_specs or ()
                      if isinstance(driver_specs, list) and isinstance(spec, dict)
                      and isinstance(spec.get("id"), str)}
        initiatives = self.initiatives(raw.get("initiatives"), kpi_ids, questionnaires,
                                       driver_ids)
        if self.issues or self.dropped:
            return None
        return Framework(
            name=name, version=str(version), settings=settings,
            element_names=element_names, element_descriptions=element_descriptions,
            kpis=tuple(kpis), questionnaires=questionnaires,
            levels=levels, answer_scale=scale, relations=relations, assumptions=assumptions,
            drivers=drivers, findings=findings, initiatives=initiatives, source=source,
        )

    # ------------------------------------------------------------------- issue 13 data

    def listing(self, raw: Any, path: str, what: str) -> list[tuple[str, dict]]:
        """``(path, mapping)`` of a YAML list of mappings, each problem reported."""
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.add(path, f"must be a list of {what}", "a YAML list")
            return []
        if len(raw) > MAX_BUSINESS_ITEMS:
            self.add(path, f"{len(raw)} {what} are too many", f"at most {MAX_BUSINESS_ITEMS}")
            return []
        out = []
        for i, spec in enumerate(raw):
            if isinstance(spec, dict):
                out.append((f"{path}[{i}]", spec))
            else:
                self.add(f"{path}[{i}]", f"each of the {what} must be a mapping", "keys id, ...")
        return out

    def ids(self, raw: Any, path: str, known: set[str], what: str) -> tuple[str, ...]:
        """A list of ids, each one of ``known``."""
        if raw is None:
            return ()
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list):
            self.add(path, f"must be a list of {what}", f"a list such as [{what}]")
            return ()
        out = []
        for j, item in enumerate(raw):
            if item in known:
                out.append(item)
            else:
                self.add(f"{path}[{j}]", f"unknown {what} {_brief(item)}"
                         f"{_suggest(item, tuple(sorted(known)))}", f"one of the {what}s")
        return tuple(out)

    def business_case(self, raw: Any, kpi_ids: set[str],
                      ) -> tuple[tuple[Assumption, ...], tuple[Driver, ...]]:
        if raw is None:
            return (), ()
        if not isinstance(raw, dict):
            self.add("business_case", "must be a mapping", "keys assumptions, drivers")
            return (), ()
        self.unknown_keys(raw, "business_case", BUSINESS_KEYS)
        assumptions: list[Assumption] = []
        seen: set[str] = set()
        for path, spec in self.listing(raw.get("assumptions"), "business_case.assumptions",
                                       "assumptions"):
            before = len(self.issues) + self.dropped
            aid, path = self.id(spec, path, "assumption", seen)
            self.unknown_keys(spec, path, ASSUMPTION_KEYS)
            name = self.require(spec, "name", path)
            unit = self.require(spec, "unit", path)
            if unit is not None:
                self.choice(unit, f"{path}.unit", "unit", ASSUMPTION_UNITS)
            values = [self.require(spec, key, path, (int, float)) for key in ("low", "base",
                                                                               "high")]
            source = self.require(spec, "source", path, limit=MAX_TEXT)
            year = _as_text(spec.get("year"))
            year = self.text(year, f"{path}.year", MAX_LABEL, optional=True)
            note = self.text(spec.get("note"), f"{path}.note", MAX_TEXT, optional=True)
            if len(self.issues) + self.dropped == before:
                year_value: int | str | None = int(year) if year and year.isdigit() else year
                assumptions.append(Assumption(aid, name, unit, *values, source, year_value,
                                              note))
        # names are checked against every id in the file: a refused one is reported once
        listed = raw.get("assumptions")
        known_assumptions = {spec["id"] for spec in listed or ()
                             if isinstance(listed, list) and isinstance(spec, dict)
                             and isinstance(spec.get("id"), str)}
        terms = {f"kpi.{i}" for i in kpi_ids} | {f"profile.{v}" for v in PROFILE_VOLUMES}
        specs = self.listing(raw.get("drivers"), "business_case.drivers", "drivers")
        driver_ids = {spec.get("id") for _, spec in specs if isinstance(spec.get("id"), str)}
        drivers: list[Driver] = []
        seen = set()
        for path, spec in specs:
            before = len(self.issues) + self.dropped
            did, path = self.id(spec, path, "driver", seen)
            self.unknown_keys(spec, path, DRIVER_KEYS)
            name = self.require(spec, "name", path)
            formula = self.require(spec, "formula", path)
            if formula is not None:
                self.choice(formula, f"{path}.formula", "formula", FORMULAS)
            inputs = self.ids(spec.get("inputs"), f"{path}.inputs", terms, "term")
            used = self.ids(spec.get("assumptions"), f"{path}.assumptions", known_assumptions,
                            "assumption")
            overlaps = self.ids(spec.get("overlaps"), f"{path}.overlaps",
                                driver_ids - {did}, "driver")
            text = self.optional(spec, "description", path, MAX_TEXT)
            if formula in FORMULA_INPUTS and len(self.issues) + self.dropped == before:
                kinds = tuple(term.partition(".")[0] for term in inputs)
                if kinds != FORMULA_INPUTS[formula]:
                    self.add(f"{path}.inputs", f"formula {formula} takes "
                             f"{' then '.join(FORMULA_INPUTS[formula])} terms",
                             "inputs: [profile.<volume>, kpi.<id>]")
                roles = FORMULA_ASSUMPTIONS[formula]
                if len(used) != len(roles):
                    self.add(f"{path}.assumptions", f"formula {formula} takes {len(roles)} "
                             "assumption(s)", "in this order: " + ("; ".join(roles) or "none"))
            if len(self.issues) + self.dropped == before:
                drivers.append(Driver(did, name, formula, inputs, used, overlaps, text or ""))
        # overlaps are symmetric: a driver another one names overlaps it too
        named = {d.id: set(d.overlaps) for d in drivers}
        for d in drivers:
            for other in d.overlaps:
                named.setdefault(other, set()).add(d.id)
        drivers = [dataclasses.replace(d, overlaps=tuple(sorted(named[d.id]))) for d in drivers]
        return tuple(assumptions), tuple(drivers)

    def findings(self, raw: Any) -> tuple[Finding, ...]:
        out: list[Finding] = []
        seen: set[str] = set()
        for path, spec in self.listing(raw, "findings", "findings"):
            before = len(self.issues) + self.dropped
            fid, path = self.id(spec, path, "finding", seen)
            self.unknown_keys(spec, path, FINDING_KEYS)
            rule = self.require(spec, "rule", path)
            if rule is not None and not self.choice(rule, f"{path}.rule", "rule",
                                                    tuple(FINDING_PLACEHOLDERS)):
                rule = None
            text = self.require(spec, "text", path, limit=MAX_TEXT)
            if text is not None and rule is not None:
                self.template(text, f"{path}.text", FINDING_PLACEHOLDERS[rule])
            params = dict(FINDING_PARAMS.get(rule or "", {}))
            raw_params = spec.get("params") or {}
            if not isinstance(raw_params, dict):
                self.add(f"{path}.params", "must be a mapping", "e.g. {margin: 15}")
                raw_params = {}
            for key, value in raw_params.items():
                if key not in params:
                    self.add(f"{path}.params.{_key(key)}", f"unknown parameter {_brief(key)}",
                             "one of " + (", ".join(params) or "none for this rule"))
                    continue
                number = self.number(value, f"{path}.params.{key}")
                if number is not None:
                    params[key] = number
            if len(self.issues) + self.dropped == before:
                out.append(Finding(fid, rule, text, params))
        return tuple(out)

    def template(self, text: str, path: str, allowed: tuple[str, ...]) -> None:
        """A sentence with ``{placeholders}``, each one of ``allowed``."""
        try:
            parts = list(string.Formatter().parse(text))
        except ValueError as exc:
            self.add(path, f"the text is not a valid template ({exc})",
                     "placeholders in braces, such as {name}; write {{ for a brace")
            return
        for _, name, spec, conv in parts:
            if name is None:
                continue
            if name not in allowed or spec or conv:
                self.add(path, f"unknown placeholder {{{name}}}" if name not in allowed
                         else f"placeholder {{{name}}} with a format or conversion",
                         "one of " + ", ".join(f"{{{a}}}" for a in allowed))

    def initiatives(self, raw: Any, kpi_ids: set[str],
                    questionnaires: dict[str, Questionnaire],
                    driver_ids: set[str]) -> tuple[Initiative, ...]:
        practices = {f"{q}.{i.id}" for q, spec in questionnaires.items() for i in spec.items
                     if q in PRACTICE_QUESTIONNAIRES}
        out: list[Initiative] = []
        seen: set[str] = set()
        owners: dict[str, str] = {}
        for path, spec in self.listing(raw, "initiatives", "initiatives"):
            before = len(self.issues) + self.dropped
            iid, path = self.id(spec, path, "initiative", seen)
            self.unknown_keys(spec, path, INITIATIVE_KEYS)
            name = self.require(spec, "name", path)
            text = self.optional(spec, "description", path, MAX_TEXT)
            kpis = self.ids(spec.get("kpis"), f"{path}.kpis", kpi_ids, "KPI id")
            moved = self.ids(spec.get("practices"), f"{path}.practices", practices,
                             "practice (<questionnaire>.<item>)")
            drivers = self.ids(spec.get("drivers"), f"{path}.drivers", driver_ids, "driver")
            for d in drivers:
                if d in owners:
                    self.add(f"{path}.drivers", f"driver {d!r} already belongs to initiative "
                             f"{owners[d]!r}", "each driver in one initiative at most, so "
                             "its money is never counted twice")
                owners.setdefault(d, iid or "")
            effort = self.require(spec, "effort", path)
            if effort is not None:
                self.choice(effort, f"{path}.effort", "effort", tuple(EFFORTS))
            horizon = self.require(spec, "horizon", path)
            if horizon is not None:
                self.choice(horizon, f"{path}.horizon", "horizon", tuple(HORIZONS))
            owner = self.require(spec, "owner", path)
            if len(self.issues) + self.dropped == before:
                out.append(Initiative(iid, name, text or "", kpis, moved, drivers, effort,
                                      horizon, owner))
        return tuple(out)

    def elements(self, raw: Any) -> tuple[dict[str, str], dict[str, str]]:
        names: dict[str, str] = {}
        descriptions: dict[str, str] = {}
        if not isinstance(raw, dict):
            self.add("elements", "must be a mapping of element id to its name and description",
                     f"keys {', '.join(ELEMENTS)}")
            raw = {}
        for key, spec in raw.items():
            path = f"elements.{_key(key)}"
            if not self.choice(key, path, "element", ELEMENTS):
                continue
            if spec is None:
                continue
            if not isinstance(spec, dict):
                self.add(path, "must be a mapping with name and description",
                         f"keys {', '.join(ELEMENT_KEYS)}")
                continue
            self.unknown_keys(spec, path, ELEMENT_KEYS)
            name = self.optional(spec, "name", path, MAX_NAME)
            text = self.optional(spec, "description", path, MAX_TEXT)
            names[key] = name or key.title()
            descriptions[key] = text or ""
        for key in ELEMENTS:
            names.setdefault(key, key.title())
            descriptions.setdefault(key, "")
        return names, descriptions

    def labels(self, raw: Any, path: str, count: int, answers: bool = False) -> tuple[str, ...]:
        if not isinstance(raw, list) or len(raw) != count or not all(
                isinstance(x, str) and x for x in raw):
            self.add(path, f"must be a list of {count} names", f"{count} texts, lowest first")
            return ()
        before = len(self.issues)
        seen: dict[str, int] = {}
        for i, label in enumerate(raw):
            if self.text(label, f"{path}[{i}]", MAX_LABEL) is None:
                continue
            if answers and '"' in label:
                self.add(f"{path}[{i}]", 'an answer label cannot contain a double quote (")',
                         "a label without double quotes (the template's dropdown list)")
            # the intake reads an answer by its label, commas written as semicolons
            folded = label.replace(",", ";").strip().lower()
            if answers and folded in seen:
                self.add(f"{path}[{i}]", f"the label {_brief(label)} repeats "
                         f"{path}[{seen[folded]}]", "five different labels")
            seen.setdefault(folded, i)
        return tuple(raw) if len(self.issues) == before else ()

    def settings(self, raw: Any) -> Settings:
        if not isinstance(raw, dict):
            self.add("settings", "must be a mapping", "keys such as amber, min_coverage")
            raw = {}
        merged = {**DEFAULT_SETTINGS, **raw}
        for key in raw:
            if key not in DEFAULT_SETTINGS:
                self.add(f"settings.{_key(key)}",
                         f"unknown setting {_brief(key)}{_suggest(key, tuple(DEFAULT_SETTINGS))}",
                         f"one of {', '.join(DEFAULT_SETTINGS)}")
        bounds = {
            "amber": (0, 100), "min_coverage": (0, 1), "renewal_blend": (0, 1),
            "ipa_threshold": (1, 5), "industry_renewal_rate": (0, 1),
            "alignment_survey_average": (0, 10),
        }
        currency = merged["currency"]
        if not (isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency)):
            self.add("settings.currency", f"{_brief(currency)} is not a currency code",
                     "an ISO 4217 code in capitals, such as USD or EUR")
            currency = DEFAULT_SETTINGS["currency"]
        missing = merged["missing_kpi"]
        if missing not in MISSING_KPI_RULES:
            self.add("settings.missing_kpi",
                     f"unknown rule {_brief(missing)}{_suggest(missing, MISSING_KPI_RULES)}",
                     "zero (a KPI without data scores 0) or exclude (left out, as in version 1)")
            missing = DEFAULT_SETTINGS["missing_kpi"]
        self.segment_ids = ()
        segments = self.segments(merged["segments"])
        self.segment_ids = tuple(segments)
        source = self.text(_as_text(merged["alignment_survey_source"]),
                           "settings.alignment_survey_source", MAX_TEXT, optional=True)
        year = merged["alignment_survey_year"]
        if year is not None and not (isinstance(year, int) and not isinstance(year, bool)
                                     and 1900 <= year <= 2200):
            self.add("settings.alignment_survey_year", f"{_brief(year)} is not a year",
                     "a year such as 2014")
            year = None
        values: dict[str, float] = {}
        for key, (lo, hi) in bounds.items():
            value = self.number(merged[key], f"settings.{key}")
            if value is not None and not lo <= value <= hi:
                self.add(f"settings.{key}", f"{value} is out of range", f"between {lo} and {hi}")
            values[key] = value if value is not None else DEFAULT_SETTINGS[key]
        uplift = merged["price_uplift"]
        if uplift is not None:
            uplift = self.number(uplift, "settings.price_uplift", "a fraction such as 0.05")
            if uplift is not None and not -1 <= uplift <= 1:
                self.add("settings.price_uplift", f"{uplift:g} is out of range",
                         "a fraction between -1 and 1, such as 0.05")
        weights_raw = merged["element_weights"]
        weights = dict(DEFAULT_SETTINGS["element_weights"])
        if not isinstance(weights_raw, dict):
            self.add("settings.element_weights", "must be a mapping of element to weight",
                     f"keys {', '.join(ELEMENTS)}")
        else:
            for key, w in weights_raw.items():
                path = f"settings.element_weights.{_key(key)}"
                if not self.choice(key, path, "element", ELEMENTS):
                    continue
                w = self.weight(w, path)
                if w is not None:
                    weights[key] = w
        return Settings(currency=currency, missing_kpi=missing, segments=segments,
                        element_weights=weights, price_uplift=uplift,
                        alignment_survey_source=source, alignment_survey_year=year, **values)

    def segments(self, raw: Any) -> dict[str, Segment]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.add("settings.segments", "must be a mapping of segment id to name and "
                     "description", "it_service_desk: {name: ..., description: ...}")
            return {}
        if len(raw) > MAX_SEGMENTS:
            self.add("settings.segments", f"{len(raw)} segments are too many",
                     f"at most {MAX_SEGMENTS}")
            return {}
        out: dict[str, Segment] = {}
        for key, spec in raw.items():
            path = f"settings.segments.{_key(key)}"
            if not (isinstance(key, str) and _ID.fullmatch(key) and len(key) <= MAX_ID):
                self.add(path, f"{_brief(key)} is not a snake_case segment id",
                         "lower case letters a-z, digits and underscores")
                continue
            spec = spec if spec is not None else {}
            if not isinstance(spec, dict):
                self.add(path, "must be a mapping with name and description",
                         "name: ..., description: ...")
                continue
            self.unknown_keys(spec, path, SEGMENT_KEYS)
            name = self.optional(spec, "name", path, MAX_NAME)
            text = self.optional(spec, "description", path, MAX_TEXT)
            out[key] = Segment(key, name or key.replace("_", " ").capitalize(), text or "")
        return out

    def models(self, raw: Any, path: str) -> tuple[str, ...]:
        """An ``applies_to`` list of support models (all three when absent)."""
        if raw is None:
            return MODELS
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            self.add(path, "must be a non-empty list of support models",
                     f"a list such as [{', '.join(MODELS)}]")
            return MODELS
        out = []
        for i, model in enumerate(raw):
            if self.choice(model, f"{path}[{i}]", "support model", MODELS):
                out.append(model)
        return tuple(m for m in MODELS if m in out)

    def relations(self, raw: Any, kpi_ids: set[str]) -> tuple[Relation, ...]:
        """The relations; terms are checked against every KPI id in the file (a KPI refused
        for its own fault is reported once, not again by each relation naming it)."""
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.add("relations", "must be a list of relations", "a YAML list")
            return ()
        if len(raw) > MAX_RELATIONS:
            self.add("relations", f"{len(raw)} relations are too many",
                     f"at most {MAX_RELATIONS}")
            return ()
        known = {f"kpi.{i}" for i in kpi_ids} | {f"profile.{v}" for v in PROFILE_VOLUMES}
        seen: set[str] = set()
        out = []
        for i, spec in enumerate(raw):
            path = f"relations[{i}]"
            if not isinstance(spec, dict):
                self.add(path, "a relation must be a mapping", f"keys {', '.join(RELATION_KEYS)}")
                continue
            before = len(self.issues) + self.dropped
            rel_id, path = self.id(spec, path, "relation", seen)
            self.unknown_keys(spec, path, RELATION_KEYS)
            name = self.require(spec, "name", path, limit=MAX_TEXT)
            equals = spec.get("equals")
            if not isinstance(equals, dict):
                self.add(f"{path}.equals", "is missing or not a mapping",
                         "equals: {product: [terms], divide: [terms], factor: 1}")
                continue
            self.unknown_keys(equals, f"{path}.equals", EQUALS_KEYS)

            def terms(value: Any, where: str, required: bool) -> tuple[str, ...]:
                value = [value] if isinstance(value, str) else value
                if value is None and not required:
                    return ()
                if not isinstance(value, list) or (required and not value):
                    self.add(where, "must be a list of terms",
                             "terms such as kpi.cost_per_case or profile.support_cost")
                    return ()
                for j, term in enumerate(value):
                    if term not in known:
                        self.add(f"{where}[{j}]", f"unknown term {_brief(term)}"
                                 f"{_suggest(term, tuple(sorted(known)))}",
                                 "kpi.<a KPI id> or profile.<one of "
                                 f"{', '.join(PROFILE_VOLUMES)}>")
                return tuple(value)

            stated = terms(spec.get("value"), f"{path}.value", True)
            product = terms(equals.get("product"), f"{path}.equals.product", True)
            divide = terms(equals.get("divide"), f"{path}.equals.divide", False)
            factor = equals.get("factor", 1)
            factor = self.number(factor, f"{path}.equals.factor")
            if factor is not None and factor <= 0:
                self.add(f"{path}.equals.factor", f"{factor:g} is not above 0", "a factor > 0")
            tolerance = self.require(spec, "tolerance", path, (int, float))
            if tolerance is not None and not 0 < tolerance < 1:
                self.add(f"{path}.tolerance", f"{tolerance:g} is out of range",
                         "a fraction between 0 and 1, such as 0.15")
            if len(stated) > 1:
                self.add(f"{path}.value", "the stated value is one term", "value: kpi.<id>")
            if len(self.issues) + self.dropped > before:
                continue
            out.append(Relation(rel_id, name, stated[0], product, divide, factor, tolerance))
        return tuple(out)

    def segment_values(self, raw: Any, path: str, kpi_unit: str | None,
                       direction: str | None) -> dict[str, SegmentValues]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.add(path, "must be a mapping of segment id to values",
                     "b2b_software: {target: ..., floor: ...}")
            return {}
        out: dict[str, SegmentValues] = {}
        for seg, spec in raw.items():
            where = f"{path}.{_key(seg)}"
            if not self.choice(seg, where, "segment", self.segment_ids or ("(none declared)",)):
                continue
            if not isinstance(spec, dict):
                self.add(where, "must be a mapping", f"keys {', '.join(SEGMENT_VALUE_KEYS)}")
                continue
            self.unknown_keys(spec, where, SEGMENT_VALUE_KEYS)
            target = floor = band = None
            if direction == "band":
                if "target" in spec:
                    self.add(f"{where}.target", "a band KPI has no target",
                             "band: [lo, hi] and floor: [f_lo, f_hi]")
                if "band" in spec:
                    band = self.pair(spec["band"], f"{where}.band", "band: [lo, hi]")
                if "floor" in spec:
                    floor = self.pair(spec["floor"], f"{where}.floor", "floor: [f_lo, f_hi]")
            else:
                if "band" in spec:
                    self.add(f"{where}.band", "only band KPIs have a band", "target and floor")
                if "target" in spec:
                    target = self.number(spec["target"], f"{where}.target")
                if "floor" in spec:
                    floor = self.number(spec["floor"], f"{where}.floor")
            bench = self.benchmark(spec.get("benchmark"), f"{where}.benchmark")
            out[seg] = SegmentValues(target, floor, band, bench)
        return out

    def kpis(self, raw: Any) -> list[Kpi]:
        if not isinstance(raw, list) or not raw:
            self.add("kpis", "must be a non-empty list of KPIs", "a YAML list")
            return []
        if len(raw) > MAX_KPIS:
            self.add("kpis", f"{len(raw):,} KPIs are too many", f"at most {MAX_KPIS}")
            return []
        seen: set[str] = set()
        out = []
        for i, spec in enumerate(raw):
            kpi = self.kpi(spec, f"kpis[{i}]", seen)
            if kpi:
                out.append(kpi)
        for element in ELEMENTS:
            if not any(k.element == element for k in out) and not any(
                    i.path and i.path.startswith("kpis[") for i in self.issues):
                self.add("kpis", f"element {element!r} has no KPI", "at least one KPI per element")
        return out

    def kpi(self, spec: Any, path: str, seen: set[str]) -> Kpi | None:
        if not isinstance(spec, dict):
            self.add(path, "a KPI must be a mapping", "keys id, element, name, ...")
            return None
        before = len(self.issues) + self.dropped
        kpi_id, path = self.id(spec, path, "KPI", seen)
        self.unknown_keys(spec, path, KPI_KEYS)
        element = self.require(spec, "element", path)
        if element is not None:
            self.choice(element, f"{path}.element", "element", AREAS)
        name = self.require(spec, "name", path)
        definition = self.require(spec, "definition", path, limit=MAX_TEXT)
        unit = self.require(spec, "unit", path)
        if unit is not None and not self.choice(unit, f"{path}.unit", "unit", UNITS):
            unit = None
        direction = self.require(spec, "direction", path)
        if direction is not None:
            self.choice(direction, f"{path}.direction", "direction", DIRECTIONS)
        weight = None
        if "weight" not in spec or spec["weight"] is None or spec["weight"] == "":
            self.add(f"{path}.weight", "required field is missing", "a number")
        else:
            weight = self.weight(spec["weight"], f"{path}.weight")
        minimum = spec.get("min")
        maximum = spec.get("max")
        minimum = None if minimum is None else self.number(minimum, f"{path}.min")
        maximum = None if maximum is None else self.number(maximum, f"{path}.max")
        if unit is not None:
            lo, hi = _valid_range(unit, minimum, maximum)
            if lo is not None and hi is not None and not lo < hi:
                where = f"{path}.min" if minimum is not None else f"{path}.max"
                self.add(where, f"the valid range {_number_text(lo)} to {_number_text(hi)} is "
                         "empty: min must be below max",
                         f"min < max (a {unit} KPI defaults to "
                         f"{_range_words(*UNIT_RANGES[unit])})")

        target = floor = band = None
        if direction == "band":
            band = self.pair(spec.get("band"), f"{path}.band", "band: [lo, hi] with lo <= hi")
            floor = self.pair(spec.get("floor"), f"{path}.floor",
                              "floor: [f_lo, f_hi], the values that score 0")
            if band and floor and not (floor[0] < band[0] and floor[1] > band[1]):
                self.add(f"{path}.floor",
                         f"floors {list(floor)} must lie outside the band {list(band)}",
                         "f_lo < lo and f_hi > hi")
            if band and band[0] > band[1]:
                self.add(f"{path}.band", f"band {list(band)} has lo above hi", "lo <= hi")
        elif direction in ("higher", "lower"):
            target = self.require(spec, "target", path, (int, float))
            floor = self.require(spec, "floor", path, (int, float))
            self.in_range(target, unit, minimum, maximum, f"{path}.target")
            if target is not None and floor is not None:
                if direction == "higher" and not target > floor:
                    self.add(f"{path}.target",
                             f"target {target:g} must be above the floor {floor:g} "
                             "for a 'higher' KPI", "target > floor")
                if direction == "lower" and not target < floor:
                    self.add(f"{path}.target",
                             f"target {target:g} must be below the floor {floor:g} "
                             "for a 'lower' KPI", "target < floor")
        benchmark = self.benchmark(spec.get("benchmark"), f"{path}.benchmark")
        recs: tuple[str, ...] = ()
        sides: dict[str, tuple[str, ...]] | None = None
        raw_recs = spec.get("recommendations")
        if direction == "band":
            sides = self.band_advice(raw_recs, f"{path}.recommendations")
        elif isinstance(raw_recs, dict):
            self.add(f"{path}.recommendations", "only band KPIs split advice by side",
                     "a list of texts")
        else:
            recs = self.texts(raw_recs, f"{path}.recommendations")
        applies_to = self.models(spec.get("applies_to"), f"{path}.applies_to")
        by_segment = self.segment_values(spec.get("by_segment"), f"{path}.by_segment", unit,
                                         direction)
        if len(self.issues) + self.dropped > before:
            return None
        kpi = Kpi(
            id=kpi_id, element=element, name=name, definition=definition, unit=unit,
            direction=direction, target=target, floor=floor, weight=weight, band=band,
            minimum=minimum, maximum=maximum, benchmark=benchmark, recommendations=recs,
            band_recommendations=sides, applies_to=applies_to, by_segment=by_segment,
        )
        for seg in by_segment:
            self.check_scale(_resolve_kpi(kpi, seg, None), f"{path}.by_segment.{seg}")
        return kpi

    def band_advice(self, raw: Any, path: str) -> dict[str, tuple[str, ...]]:
        """A band KPI's advice: ``{below: [...], above: [...]}``, one list per side."""
        if raw is None:
            return {side: () for side in BAND_SIDES}
        if not isinstance(raw, dict):
            self.add(path, "a band KPI's recommendations are split by side",
                     "recommendations: {below: [texts], above: [texts]}")
            return {}
        self.unknown_keys(raw, path, BAND_SIDES)
        return {side: self.texts(raw.get(side), f"{path}.{side}") for side in BAND_SIDES}

    def check_scale(self, kpi: Kpi, path: str) -> None:
        """A segment's values must make a valid scale, as the KPI's own must."""
        if kpi.direction == "band":
            if kpi.band and kpi.band[0] > kpi.band[1]:
                self.add(f"{path}.band", f"band {list(kpi.band)} has lo above hi", "lo <= hi")
            elif kpi.band and not (kpi.floor[0] < kpi.band[0] and kpi.floor[1] > kpi.band[1]):
                self.add(f"{path}.floor", f"floors {list(kpi.floor)} must lie outside the band "
                         f"{list(kpi.band)}", "f_lo < lo and f_hi > hi")
            return
        if kpi.direction == "higher" and not kpi.target > kpi.floor:
            self.add(f"{path}.target", f"target {kpi.target:g} must be above the floor "
                     f"{kpi.floor:g} for a 'higher' KPI", "target > floor")
        if kpi.direction == "lower" and not kpi.target < kpi.floor:
            self.add(f"{path}.target", f"target {kpi.target:g} must be below the floor "
                     f"{kpi.floor:g} for a 'lower' KPI", "target < floor")
        self.in_range(kpi.target, kpi.unit, kpi.minimum, kpi.maximum, f"{path}.target")

    def in_range(self, target: float | None, unit: str | None,
                 minimum: float | None, maximum: float | None, path: str) -> None:
        """A target outside the KPI's valid range: the template pre-fills it, the intake
        reader would refuse it, and the client would be blamed."""
        if target is None or unit is None:
            return
        lo, hi = _valid_range(unit, minimum, maximum)
        if lo is not None and hi is not None and lo >= hi:
            return  # reported at min/max
        if (lo is not None and target < lo) or (hi is not None and target > hi):
            self.add(path, f"target {_number_text(target)} is outside the KPI's valid range "
                     f"({_range_words(lo, hi)}); the intake would refuse it",
                     "a target inside the range, or widen it with min/max")

    def pair(self, raw: Any, path: str, expected: str) -> tuple[float, float] | None:
        if not isinstance(raw, list) or len(raw) != 2 or not all(_is_number(x) for x in raw):
            message = "is missing" if raw is None else f"{_brief(raw)} is not a pair of numbers"
            if isinstance(raw, list) and len(raw) == 2:
                message = f"[{_brief(raw[0])}, {_brief(raw[1])}] is not a pair of numbers"
            self.add(path, message, expected)
            return None
        lo = self.number(raw[0], f"{path}[0]")
        hi = self.number(raw[1], f"{path}[1]")
        return None if lo is None or hi is None else (lo, hi)

    def benchmark(self, raw: Any, path: str) -> Benchmark | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            self.add(path, "a benchmark must be a mapping", "keys value, source, year, note")
            return None
        self.unknown_keys(raw, path, BENCHMARK_KEYS)
        source = self.require(raw, "source", path, limit=MAX_TEXT)
        value = raw.get("value")
        span = raw.get("range")
        if value is None and span is None:
            self.add(f"{path}.value", "a benchmark needs a value or a range",
                     "value: 0.82 or range: [lo, hi]")
            return None
        if value is not None:
            value = self.number(value, f"{path}.value")
        if span is not None:
            span = self.pair(span, f"{path}.range", "range: [lo, hi]")
        year = raw.get("year")
        if isinstance(year, int) and not isinstance(year, bool):
            if not 1900 <= year <= 2200:
                self.add(f"{path}.year", f"{_brief(year)} is not a year",
                         "a year such as 2024, or a short text")
        elif year is not None:
            year = self.text(_as_text(year), f"{path}.year", MAX_LABEL)
        note = self.text(raw.get("note"), f"{path}.note", MAX_TEXT, optional=True)
        currency = raw.get("currency")
        if currency is not None and not (isinstance(currency, str)
                                         and re.fullmatch(r"[A-Z]{3}", currency)):
            self.add(f"{path}.currency", f"{_brief(currency)} is not a currency code",
                     "an ISO 4217 code in capitals, such as USD")
            currency = None
        if source is None:
            return None
        return Benchmark(value=value, source=source, year=year, note=note, range=span,
                         currency=currency)

    def questionnaires(self, raw: Any) -> dict[str, Questionnaire]:
        if not isinstance(raw, dict):
            self.add("questionnaires", "must be a mapping", f"keys {', '.join(QUESTIONNAIRES)}")
            return {}
        out = {}
        for key in raw:
            if key not in QUESTIONNAIRES:
                self.add(f"questionnaires.{_key(key)}",
                         f"unknown questionnaire {_brief(key)}{_suggest(key, QUESTIONNAIRES)}",
                         f"one of {', '.join(QUESTIONNAIRES)}")
        for key in QUESTIONNAIRES:
            path = f"questionnaires.{key}"
            spec = raw.get(key)
            if not isinstance(spec, dict):
                self.add(path, "questionnaire is missing", "a mapping with name and items")
                continue
            self.unknown_keys(spec, path, QUESTIONNAIRE_KEYS)
            name = self.optional(spec, "name", path, MAX_NAME)
            text = self.optional(spec, "description", path, MAX_TEXT)
            items_raw = spec.get("items")
            if not isinstance(items_raw, list) or not items_raw:
                self.add(f"{path}.items", "must be a non-empty list", "a YAML list of items")
                continue
            if len(items_raw) > MAX_ITEMS:
                self.add(f"{path}.items", f"{len(items_raw):,} items are too many",
                         f"at most {MAX_ITEMS}")
                continue
            seen: set[str] = set()
            items = []
            for i, item in enumerate(items_raw):
                built = self.item(item, f"{path}.items[{i}]", seen)
                if built:
                    items.append(built)
            applies_to = self.models(spec.get("applies_to"), f"{path}.applies_to")
            out[key] = Questionnaire(id=key, name=name or key, description=text or "",
                                     items=tuple(items), applies_to=applies_to)
        return out

    def item(self, spec: Any, path: str, seen: set[str]) -> Item | None:
        if not isinstance(spec, dict):
            self.add(path, "an item must be a mapping", "keys id, name, text, weight")
            return None
        before = len(self.issues) + self.dropped
        item_id, path = self.id(spec, path, "item", seen)
        self.unknown_keys(spec, path, ITEM_KEYS)
        name = self.optional(spec, "name", path, MAX_NAME)
        text = self.require(spec, "text", path, limit=MAX_TEXT)
        weight = None
        if "weight" not in spec or spec["weight"] is None or spec["weight"] == "":
            self.add(f"{path}.weight", "required field is missing", "a number")
        else:
            weight = self.weight(spec["weight"], f"{path}.weight")
        recs = self.texts(spec.get("recommendations"), f"{path}.recommendations")
        satisfiers = self.text(spec.get("satisfiers"), f"{path}.satisfiers", MAX_TEXT,
                               optional=True)
        dissatisfiers = self.text(spec.get("dissatisfiers"), f"{path}.dissatisfiers", MAX_TEXT,
                                  optional=True)
        if len(self.issues) + self.dropped > before:
            return None
        return Item(id=item_id, name=name or item_id, text=text, weight=weight,
                    recommendations=recs, satisfiers=satisfiers, dissatisfiers=dissatisfiers)


def _valid_range(unit: str, minimum: float | None,
                 maximum: float | None) -> tuple[float | None, float | None]:
    """What :meth:`Framework.valid_range` will give for a KPI of ``unit`` with min/max."""
    lo, hi = UNIT_RANGES[unit]
    return (minimum if minimum is not None else lo, maximum if maximum is not None else hi)


def _range_words(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"{_number_text(lo)} to {_number_text(hi)}"
    return f"{_number_text(lo)} or more" if lo is not None else f"up to {_number_text(hi)}"


def _kind_name(kind: type | tuple) -> str:
    if kind == (int, float) or kind in (int, float):
        return "number"
    return {str: "text", list: "list", dict: "mapping"}.get(kind, str(kind))
