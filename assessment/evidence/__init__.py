"""Stage 0, evidence: KPIs computed from the client's own raw exports (methodology §11).

``files`` (opening a CSV or Parquet export: encoding, delimiter, DuckDB settings), ``mapping``
(a help-desk system's column names, as data in ``assessment/data/mappings/``), ``tickets``
(ticket KPIs), ``survey`` (CSAT, NPS, CES and the expectation survey) and ``fill`` (an intake
copy filled from the figures). DuckDB does the reading and aggregating, streaming.
May import: :mod:`assessment.core`, :mod:`assessment.files`, :mod:`assessment.intake`.
Never :mod:`assessment.scorecard`.
"""
