"""For people in Jupyter: the live assessment form, what-if scenarios and notebook displays.

``form`` (ipywidgets), ``evidence`` (the form's panel that previews figures computed from a raw
export before they are accepted), ``scenarios`` (compare what-ifs) and ``display`` (tables,
figures and messages as notebook outputs).
May import: core, files, intake, evidence, scorecard, portfolio and pipeline; nothing imports it
except the notebooks.
"""
