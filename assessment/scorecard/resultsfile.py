"""``results.json``: the results structure as strict, deterministic JSON (methodology §8)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assessment.scorecard.formats import RenderOptions


def results_json(results: dict[str, Any]) -> str:
    """Serialize results deterministically (strict JSON: no NaN)."""
    return json.dumps(results, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render(results: dict[str, Any], options: RenderOptions) -> str:
    """The ``json`` output format."""
    return results_json(results)
