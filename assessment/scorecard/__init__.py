"""Stage 3, scorecard: one organization's results as files a consultant hands over.

``charts`` (each chart's data, once), ``svg`` (the small SVG toolkit that draws it), ``vega``
(the same charts as Altair/Vega-Lite for JupyterLab), ``html``, ``excel``, ``pdf``, ``summary``
(terminal text), and ``formats`` (the registry of output formats: name -> writer).
May import: :mod:`assessment.core`, :mod:`assessment.files`. Never :mod:`assessment.intake`.
"""
