"""Edge utilities for writing files: atomic writes, safe file names, openpyxl cell helpers.

Shared by every stage that writes (the intake template, scorecards, the portfolio).
May import: the standard library, openpyxl and :mod:`assessment.core`.
"""
