"""For people in Jupyter: the live assessment form, what-if scenarios and notebook displays.

``form`` (ipywidgets), ``scenarios`` (compare what-ifs) and ``display`` (tables, figures and
messages as notebook outputs).
May import: core, files, intake, scorecard, portfolio and pipeline; nothing imports it except
the notebooks.
"""
