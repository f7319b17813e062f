"""Column mappings: how a help-desk system's export names the canonical ticket columns (§11).

One YAML file per system in ``assessment/data/mappings/`` (``--system``), or a consultant's own
(``--mapping FILE``). The schema is in ``docs/evidence.md``; :func:`load_mapping` refuses any
other key, naming its YAML path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from assessment.core.errors import Issue, MappingError

MAPPING_SCHEMA = "support-excellence/mapping@1"
MAPPINGS_DIR = Path(str(resources.files("assessment") / "data" / "mappings"))
#: Canonical ticket columns and their kind (methodology §11).
CANONICAL: dict[str, str] = {
    "ticket_id": "text", "created_at": "timestamp", "first_response_at": "timestamp",
    "resolved_at": "timestamp", "reopens": "count", "agent_replies": "count",
    "assignee": "text", "channel": "text", "escalated": "flag", "sla_met": "flag",
}
#: Without these a ticket export is refused.
REQUIRED: tuple[str, ...] = ("ticket_id", "created_at", "resolved_at")
TRUE_VALUES: tuple[str, ...] = ("true", "yes", "y", "1")
FALSE_VALUES: tuple[str, ...] = ("false", "no", "n", "0")
#: Which extra keys each kind of canonical column may use.
_RULE_KEYS: dict[str, set[str]] = {
    "text": set(), "count": set(), "timestamp": {"plus_minutes", "plus_hours"},
    "flag": {"true", "false", "contains", "greater_than"},
}
_TOP_KEYS = {"schema", "system", "name", "documentation", "notes", "timestamp_formats",
             "columns"}


@dataclass(frozen=True)
class ColumnRule:
    """How one canonical column is read: from ``names`` (the first present in the file)."""

    canonical: str
    names: tuple[str, ...]
    plus_minutes: str | None = None
    plus_hours: str | None = None
    contains: str | None = None
    greater_than: float | None = None
    true_values: tuple[str, ...] = TRUE_VALUES
    false_values: tuple[str, ...] = FALSE_VALUES

    @property
    def kind(self) -> str:
        return CANONICAL[self.canonical]

    @property
    def offset_column(self) -> str | None:
        return self.plus_minutes or self.plus_hours


@dataclass(frozen=True)
class Mapping:
    system: str
    name: str
    documentation: tuple[dict[str, str], ...]
    notes: str
    timestamp_formats: tuple[str, ...]
    columns: dict[str, ColumnRule] = field(default_factory=dict)
    source: str = ""

    @property
    def short(self) -> str:
        """The system's name, or the consultant's mapping file."""
        return self.source if self.system == "custom" else self.system

    @property
    def label(self) -> str:
        """How messages name the mapping: the system, or the consultant's file."""
        return self.source if self.system == "custom" else f"{self.system} ({self.name})"


def systems() -> list[str]:
    """The shipped mappings, by ``--system`` name."""
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.yaml"))


def load_mapping(name_or_path: str | Path) -> Mapping:
    """The shipped mapping of a system (``"zendesk"``) or a mapping file, validated."""
    text = str(name_or_path)
    path = Path(text)
    shipped = not (path.suffix in (".yaml", ".yml") or path.exists())
    if shipped:
        if text not in systems():
            raise MappingError([Issue(f"no mapping for system {text!r}",
                                     "use one of " + ", ".join(systems())
                                     + ", or --mapping FILE")])
        path = MAPPINGS_DIR / f"{text}.yaml"
    where = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise MappingError([Issue(f"the mapping cannot be read: {error}",
                                 "give a YAML mapping file (see docs/evidence.md)",
                                 path=where)]) from None
    issues: list[Issue] = []
    mapping = _parse(raw, where, issues, shipped)
    if issues or mapping is None:
        raise MappingError(issues, source=str(path))
    return mapping


def _parse(raw: Any, where: str, issues: list[Issue], shipped: bool) -> Mapping | None:
    def bad(key: str, message: str, expected: str = "see docs/evidence.md") -> None:
        issues.append(Issue(message, expected, path=f"{where}: {key}" if key else where))

    if not isinstance(raw, dict):
        bad("", "the mapping is not a YAML mapping of keys")
        return None
    for key in sorted(set(raw) - _TOP_KEYS):
        bad(key, "unknown key", "remove it; keys are " + ", ".join(sorted(_TOP_KEYS)))
    if raw.get("schema") != MAPPING_SCHEMA:
        bad("schema", f"schema must be {MAPPING_SCHEMA}")
    formats = raw.get("timestamp_formats") or []
    if not isinstance(formats, list) or not all(isinstance(f, str) and "%" in f
                                                for f in formats):
        bad("timestamp_formats", "give a list of strptime formats such as '%d/%m/%Y %H:%M'")
        formats = []
    docs = raw.get("documentation") or []
    if shipped and (not isinstance(docs, list) or not docs or not all(
            isinstance(d, dict) and str(d.get("url", "")).startswith("https://") for d in docs)):
        bad("documentation", "a shipped mapping cites at least one https page it is based on")
    columns = raw.get("columns")
    if not isinstance(columns, dict):
        bad("columns", "give the canonical columns and the export's column for each")
        return None
    rules: dict[str, ColumnRule] = {}
    for canonical, spec in columns.items():
        rule = _rule(str(canonical), spec, lambda m, k=f"columns.{canonical}": bad(k, m))
        if rule:
            rules[rule.canonical] = rule
    for name in REQUIRED:
        if name not in columns:
            bad("columns", f"the required column {name} is not mapped")
    system = str(raw.get("system") or "custom") if shipped else "custom"
    return Mapping(system=system, name=str(raw.get("name") or where),
                   documentation=tuple(d for d in docs if isinstance(d, dict)),
                   notes=str(raw.get("notes") or "").strip(),
                   timestamp_formats=tuple(formats), columns=rules, source=where)


def _rule(canonical: str, spec: Any, bad: Any) -> ColumnRule | None:
    if canonical not in CANONICAL:
        bad(f"{canonical!r} is not a canonical column (" + ", ".join(CANONICAL) + ")")
        return None
    if isinstance(spec, str):
        spec = {"column": spec}
    if not isinstance(spec, dict) or "column" not in spec:
        bad("give {column: NAME} (or a list of alternative names)")
        return None
    # YAML reads an unquoted ``true:`` key as a boolean.
    spec = {"true" if k is True else "false" if k is False else k: v for k, v in spec.items()}
    kind = CANONICAL[canonical]
    extra = set(spec) - {"column"} - _RULE_KEYS[kind]
    if extra:
        bad(f"{', '.join(sorted(map(str, extra)))} cannot be used on a {kind} column")
        return None
    names = spec["column"]
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip()
                                                           for n in names):
        bad("column must be a header name or a list of them")
        return None
    values = {}
    for key in ("true", "false"):
        given = spec.get(key)
        if given is not None:
            if not isinstance(given, list) or not given:
                bad(f"{key} must be a list of the export's values")
                return None
            values[key] = tuple(str(v).strip().lower() for v in given)
    greater = spec.get("greater_than")
    if greater is not None and not isinstance(greater, int | float):
        bad("greater_than must be a number")
        return None
    if sum(k in spec for k in ("contains", "greater_than")) + bool(values) > 1:
        bad("use one of true/false lists, contains or greater_than")
        return None
    if "plus_minutes" in spec and "plus_hours" in spec:
        bad("use plus_minutes or plus_hours, not both")
        return None
    return ColumnRule(
        canonical=canonical, names=tuple(n.strip() for n in names),
        plus_minutes=spec.get("plus_minutes"), plus_hours=spec.get("plus_hours"),
        contains=None if spec.get("contains") is None else str(spec["contains"]),
        greater_than=None if greater is None else float(greater),
        true_values=values.get("true", TRUE_VALUES),
        false_values=values.get("false", FALSE_VALUES))
