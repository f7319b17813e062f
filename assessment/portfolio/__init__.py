"""Stage 4, portfolio: many organizations' results compared, ranked and followed over time.

``model`` (pure: percentiles, distributions, trends, sensitivity), ``charts`` (SVG figures with
the scorecard's SVG toolkit) and ``report`` (the portfolio workbook and HTML page).
May import: :mod:`assessment.core`, :mod:`assessment.files`, :mod:`assessment.scorecard`; and
:mod:`assessment.pipeline` with :mod:`assessment.intake` only to score the bundled samples when
no results folder is given.
"""
