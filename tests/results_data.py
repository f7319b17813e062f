"""Results structures for exporter and chart tests: full, sparse (null index) and empty."""

from __future__ import annotations

import datetime as dt
from typing import Any

from assessment.core.framework import load_framework
from assessment.core.model import NA, IntakeData
from assessment.core.scoring import score

CURRENT = {
    "support_cost_pct_revenue": 0.085, "support_gross_margin": 0.62,
    "support_revenue_growth": 0.03, "cost_per_customer": 455.5, "support_sourced_revenue": 0.02,
    "csat": 0.81, "nps": 31, "customer_effort_score": 0.7, "customer_retention_rate": 0.9,
    "escalation_rate": 0.08, "cost_per_case": 31.25, "cases_per_engineer_month": 160,
    "self_service_resolution_rate": 0.12, "engineer_utilization": 0.72,
    "support_demand_per_customer": 3.1, "engineer_satisfaction": 0.74,
    "first_contact_resolution": 0.66, "time_to_resolve": 30.5, "time_to_first_response": 2.5,
    "sla_attainment": 0.93, "reopen_rate": 0.06, "contract_renewal_rate": 0.86,
    "recurring_revenue_rate": 0.97, "on_time_renewal_rate": 0.7, "attach_rate": 0.78,
    "win_back_rate": 0.08, "annual_price_uplift": 0.03,
}


def full_results(org: str = "Acme Support GmbH", note: str = "Survey changed in Q2",
                 warning: str = "KPIs!C12: check this value") -> dict[str, Any]:
    fw = load_framework()
    renewal = [i.id for i in fw.questionnaires["renewal_practices"].items]
    excellence = [i.id for i in fw.questionnaires["excellence_practices"].items]
    dims = [i.id for i in fw.questionnaires["customer_expectations"].items]
    intake = IntakeData(
        profile={"organization": org, "industry": "Software", "support_model": "blended",
                 "currency": "EUR", "assessment_date": dt.date(2024, 5, 17)},
        current=dict(CURRENT), targets={"csat": 0.88}, notes={"csat": note, "nps": note},
        answers={
            "renewal_practices": {k: [0, 1, 2, 3, 4, NA, 2][n % 7]
                                  for n, k in enumerate(renewal)},
            "excellence_practices": {k: [3, 2, 1, 4, 0, 2, 3, 3, None, 2][n % 10]
                                     for n, k in enumerate(excellence)},
        },
        ratings={d: {"importance": [5, 4, 4, 3, 5, 4, 5, 3, 2][n % 9],
                     "performance": [3, 4, 3, 4, 2, 4, 3, 3, 4][n % 9],
                     "priority": [4, 4, 5, 3, 3, 4, 4, 2, 3][n % 9]}
                 for n, d in enumerate(dims)},
        warnings=[warning])
    return score(fw, intake)


def sparse_results(org: str = "Sparse Co") -> dict[str, Any]:
    """Only a few reputation/effectiveness KPIs: the index is null, most charts are empty."""
    intake = IntakeData(
        profile={"organization": org, "industry": "Retail", "support_model": "internal",
                 "currency": "USD", "assessment_date": dt.date(2024, 1, 2)},
        current={"csat": 0.8, "nps": 20, "customer_retention_rate": 0.88,
                 "first_contact_resolution": 0.7})
    return score(load_framework(), intake)


def empty_results() -> dict[str, Any]:
    intake = IntakeData(profile={"organization": "Empty", "industry": "x",
                                 "support_model": "internal", "currency": "USD",
                                 "assessment_date": dt.date(2024, 1, 1)})
    return score(load_framework(), intake)
