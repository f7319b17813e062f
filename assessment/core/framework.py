"""The framework: what is scored, loaded from YAML and validated.

A framework file holds the KPIs, the three questionnaires, targets, floors, weights, benchmarks,
recommendations and settings. :func:`load_framework` checks every rule and raises
:class:`~assessment.core.errors.FrameworkError` listing *all* problems, each with its YAML path.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

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

DEFAULT_SETTINGS: dict[str, Any] = {
    "amber": 80.0,
    "min_coverage": 0.5,
    "element_weights": dict.fromkeys(ELEMENTS, 1.0),
    "renewal_blend": 0.5,
    "ipa_threshold": 3.5,
    "industry_renewal_rate": 0.824,
    "price_uplift": None,
    "alignment_survey_average": 6.6,
}

DEFAULT_FRAMEWORK = "default"


@dataclass(frozen=True)
class Benchmark:
    """A published reference figure: shown as context with its source, never as the target."""

    value: float | None
    source: str
    year: int | str | None = None
    note: str | None = None
    range: tuple[float, float] | None = None


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


@dataclass(frozen=True)
class Settings:
    amber: float
    min_coverage: float
    element_weights: dict[str, float]
    renewal_blend: float
    ipa_threshold: float
    industry_renewal_rate: float
    price_uplift: float | None
    alignment_survey_average: float


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
    source: str = field(default="", compare=False)

    def kpi(self, kpi_id: str) -> Kpi:
        """The KPI with id ``kpi_id``; KeyError if there is none."""
        return self._kpis_by_id[kpi_id]

    @functools.cached_property
    def _kpis_by_id(self) -> dict[str, Kpi]:
        return {kpi.id: kpi for kpi in self.kpis}

    def kpis_of(self, area: str) -> list[Kpi]:
        return [k for k in self.kpis if k.element == area]

    def valid_range(self, kpi: Kpi) -> tuple[float | None, float | None]:
        """The range an intake value of ``kpi`` must fall in (in computation units)."""
        lo, hi = UNIT_RANGES[kpi.unit]
        return (kpi.minimum if kpi.minimum is not None else lo,
                kpi.maximum if kpi.maximum is not None else hi)


# --------------------------------------------------------------------------- loading


def default_framework_path() -> Path:
    return Path(str(resources.files("assessment") / "data" / "framework.yaml"))


def load_framework(path: str | Path | None = None) -> Framework:
    """Load and validate a framework file (the shipped default when ``path`` is None)."""
    path = Path(path) if path else default_framework_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FrameworkError(
            [Issue(f"cannot read the framework file ({exc.strerror})",
                   "a readable YAML file", path=str(path))], str(path)) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise FrameworkError(
            [Issue(f"not valid YAML ({getattr(exc, 'problem', exc)})",
                   "fix the YAML syntax", path=where)], str(path)) from None
    return parse_framework(raw, source=str(path))


def parse_framework(raw: Any, source: str = "") -> Framework:
    """Validate plain data (as loaded from YAML) and build a :class:`Framework`."""
    v = _Validator()
    framework = v.framework(raw, source)
    if v.issues:
        raise FrameworkError(v.issues, source)
    assert framework is not None
    return framework


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


class _Validator:
    """Collects every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, path: str, message: str, expected: str = "") -> None:
        self.issues.append(Issue(message, expected, path=path))

    def require(self, data: dict, key: str, path: str, kind: type | tuple = str) -> Any:
        if key not in data or data[key] is None or data[key] == "":
            self.add(f"{path}.{key}", "required field is missing", f"a {_kind_name(kind)}")
            return None
        value = data[key]
        if kind in (int, float) or kind == (int, float):
            if not _is_number(value):
                self.add(f"{path}.{key}", f"{value!r} is not a number", "a number")
                return None
            return float(value)
        if not isinstance(value, kind):
            self.add(f"{path}.{key}", f"expected a {_kind_name(kind)}, got {value!r}",
                     f"a {_kind_name(kind)}")
            return None
        return value

    def number(self, value: Any, path: str, what: str = "a number") -> float | None:
        if not _is_number(value):
            self.add(path, f"{value!r} is not a number", what)
            return None
        return float(value)

    def texts(self, value: Any, path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            self.add(path, "recommendations must be a list of texts", "a YAML list of strings")
            return ()
        return tuple(value)

    # ----------------------------------------------------------------- sections

    def framework(self, raw: Any, source: str) -> Framework | None:
        if not isinstance(raw, dict):
            self.add("(top)", "the framework file is empty or not a mapping",
                     "keys name, version, settings, elements, kpis, questionnaires")
            return None
        name = self.require(raw, "name", "(top)")
        version = raw.get("version")
        if version is None or version == "":
            self.add("version", "required field is missing", "a version such as '1.0'")
        settings = self.settings(raw.get("settings") or {})
        elements = raw.get("elements") or {}
        element_names: dict[str, str] = {}
        element_descriptions: dict[str, str] = {}
        if not isinstance(elements, dict):
            self.add("elements", "must be a mapping of element id to its name and description",
                     f"keys {', '.join(ELEMENTS)}")
            elements = {}
        for key, spec in elements.items():
            if key not in ELEMENTS:
                self.add(f"elements.{key}", f"unknown element {key!r}",
                         f"one of {', '.join(ELEMENTS)}")
                continue
            spec = spec if isinstance(spec, dict) else {}
            element_names[key] = str(spec.get("name") or key.title())
            element_descriptions[key] = str(spec.get("description") or "")
        for key in ELEMENTS:
            element_names.setdefault(key, key.title())
            element_descriptions.setdefault(key, "")

        kpis = self.kpis(raw.get("kpis"))
        questionnaires = self.questionnaires(raw.get("questionnaires"))
        levels = self.labels(raw.get("levels"), "levels", 5)
        scale = self.labels(raw.get("answer_scale"), "answer_scale", 5)
        if self.issues:
            return None
        return Framework(
            name=name, version=str(version), settings=settings,
            element_names=element_names, element_descriptions=element_descriptions,
            kpis=tuple(kpis), questionnaires=questionnaires,
            levels=levels, answer_scale=scale, source=source,
        )

    def labels(self, raw: Any, path: str, count: int) -> tuple[str, ...]:
        if not isinstance(raw, list) or len(raw) != count or not all(
                isinstance(x, str) and x for x in raw):
            self.add(path, f"must be a list of {count} names", f"{count} texts, lowest first")
            return ()
        return tuple(raw)

    def settings(self, raw: Any) -> Settings:
        if not isinstance(raw, dict):
            self.add("settings", "must be a mapping", "keys such as amber, min_coverage")
            raw = {}
        merged = {**DEFAULT_SETTINGS, **raw}
        for key in raw:
            if key not in DEFAULT_SETTINGS:
                self.add(f"settings.{key}", f"unknown setting {key!r}",
                         f"one of {', '.join(DEFAULT_SETTINGS)}")
        bounds = {
            "amber": (0, 100), "min_coverage": (0, 1), "renewal_blend": (0, 1),
            "ipa_threshold": (1, 5), "industry_renewal_rate": (0, 1),
            "alignment_survey_average": (0, 10),
        }
        values: dict[str, float] = {}
        for key, (lo, hi) in bounds.items():
            value = self.number(merged[key], f"settings.{key}")
            if value is not None and not lo <= value <= hi:
                self.add(f"settings.{key}", f"{value} is out of range", f"between {lo} and {hi}")
            values[key] = value if value is not None else DEFAULT_SETTINGS[key]
        uplift = merged["price_uplift"]
        if uplift is not None:
            uplift = self.number(uplift, "settings.price_uplift", "a fraction such as 0.05")
        weights_raw = merged["element_weights"]
        weights = dict(DEFAULT_SETTINGS["element_weights"])
        if not isinstance(weights_raw, dict):
            self.add("settings.element_weights", "must be a mapping of element to weight",
                     f"keys {', '.join(ELEMENTS)}")
        else:
            for key, w in weights_raw.items():
                path = f"settings.element_weights.{key}"
                if key not in ELEMENTS:
                    self.add(path, f"unknown element {key!r}", f"one of {', '.join(ELEMENTS)}")
                    continue
                w = self.number(w, path)
                if w is not None and w <= 0:
                    self.add(path, f"weight {w:g} must be greater than 0", "a weight > 0")
                elif w is not None:
                    weights[key] = w
        return Settings(element_weights=weights, price_uplift=uplift, **values)

    def kpis(self, raw: Any) -> list[Kpi]:
        if not isinstance(raw, list) or not raw:
            self.add("kpis", "must be a non-empty list of KPIs", "a YAML list")
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
        before = len(self.issues)
        kpi_id = self.require(spec, "id", path)
        if kpi_id is not None:
            path = f"{path}({kpi_id})"
            if not kpi_id.isidentifier() or kpi_id != kpi_id.lower():
                self.add(f"{path}.id", f"{kpi_id!r} is not a snake_case id",
                         "lower case letters, digits and underscores")
            if kpi_id in seen:
                self.add(f"{path}.id", f"duplicate KPI id {kpi_id!r}", "ids unique in the file")
            seen.add(kpi_id)
        element = self.require(spec, "element", path)
        if element is not None and element not in AREAS:
            self.add(f"{path}.element", f"unknown element {element!r}",
                     f"one of {', '.join(AREAS)}")
        name = self.require(spec, "name", path)
        definition = self.require(spec, "definition", path)
        unit = self.require(spec, "unit", path)
        if unit is not None and unit not in UNITS:
            self.add(f"{path}.unit", f"unknown unit {unit!r}", f"one of {', '.join(UNITS)}")
        direction = self.require(spec, "direction", path)
        if direction is not None and direction not in DIRECTIONS:
            self.add(f"{path}.direction", f"unknown direction {direction!r}",
                     f"one of {', '.join(DIRECTIONS)}")
        weight = self.require(spec, "weight", path, (int, float))
        if weight is not None and weight <= 0:
            self.add(f"{path}.weight", f"weight {weight:g} must be greater than 0",
                     "a weight > 0")
        minimum = spec.get("min")
        maximum = spec.get("max")
        minimum = None if minimum is None else self.number(minimum, f"{path}.min")
        maximum = None if maximum is None else self.number(maximum, f"{path}.max")

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
        recs = self.texts(spec.get("recommendations"), f"{path}.recommendations")
        if len(self.issues) > before:
            return None
        return Kpi(
            id=kpi_id, element=element, name=name, definition=definition, unit=unit,
            direction=direction, target=target, floor=floor, weight=weight, band=band,
            minimum=minimum, maximum=maximum, benchmark=benchmark, recommendations=recs,
        )

    def pair(self, raw: Any, path: str, expected: str) -> tuple[float, float] | None:
        if not isinstance(raw, list) or len(raw) != 2 or not all(_is_number(x) for x in raw):
            message = "is missing" if raw is None else f"{raw!r} is not a pair of numbers"
            self.add(path, message, expected)
            return None
        return (float(raw[0]), float(raw[1]))

    def benchmark(self, raw: Any, path: str) -> Benchmark | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            self.add(path, "a benchmark must be a mapping", "keys value, source, year, note")
            return None
        source = self.require(raw, "source", path)
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
        if source is None:
            return None
        return Benchmark(value=value, source=source, year=raw.get("year"), note=raw.get("note"),
                         range=span)

    def questionnaires(self, raw: Any) -> dict[str, Questionnaire]:
        if not isinstance(raw, dict):
            self.add("questionnaires", "must be a mapping", f"keys {', '.join(QUESTIONNAIRES)}")
            return {}
        out = {}
        for key in raw:
            if key not in QUESTIONNAIRES:
                self.add(f"questionnaires.{key}", f"unknown questionnaire {key!r}",
                         f"one of {', '.join(QUESTIONNAIRES)}")
        for key in QUESTIONNAIRES:
            path = f"questionnaires.{key}"
            spec = raw.get(key)
            if not isinstance(spec, dict):
                self.add(path, "questionnaire is missing", "a mapping with name and items")
                continue
            items_raw = spec.get("items")
            if not isinstance(items_raw, list) or not items_raw:
                self.add(f"{path}.items", "must be a non-empty list", "a YAML list of items")
                continue
            seen: set[str] = set()
            items = []
            for i, item in enumerate(items_raw):
                built = self.item(item, f"{path}.items[{i}]", seen)
                if built:
                    items.append(built)
            out[key] = Questionnaire(id=key, name=str(spec.get("name") or key),
                                     description=str(spec.get("description") or ""),
                                     items=tuple(items))
        return out

    def item(self, spec: Any, path: str, seen: set[str]) -> Item | None:
        if not isinstance(spec, dict):
            self.add(path, "an item must be a mapping", "keys id, name, text, weight")
            return None
        before = len(self.issues)
        item_id = self.require(spec, "id", path)
        if item_id is not None:
            path = f"{path}({item_id})"
            if item_id in seen:
                self.add(f"{path}.id", f"duplicate item id {item_id!r}",
                         "ids unique within the questionnaire")
            seen.add(item_id)
        text = self.require(spec, "text", path)
        weight = self.require(spec, "weight", path, (int, float))
        if weight is not None and weight <= 0:
            self.add(f"{path}.weight", f"weight {weight:g} must be greater than 0",
                     "a weight > 0")
        recs = self.texts(spec.get("recommendations"), f"{path}.recommendations")
        if len(self.issues) > before:
            return None
        return Item(id=item_id, name=str(spec.get("name") or item_id), text=text, weight=weight,
                    recommendations=recs, satisfiers=spec.get("satisfiers"),
                    dissatisfiers=spec.get("dissatisfiers"))


def _kind_name(kind: type | tuple) -> str:
    if kind == (int, float) or kind in (int, float):
        return "number"
    return {str: "text", list: "list", dict: "mapping"}.get(kind, str(kind))
