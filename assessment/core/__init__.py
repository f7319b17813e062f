"""The pure core: data model, framework, scoring, the typed view of results, display words.

Plain data in, plain data out: no file or network I/O beyond reading a framework file, no
Jupyter, no openpyxl, no Jinja. May import: the standard library, ``yaml`` (framework files),
``numpy`` (the columnar engine, ``table``) and itself. Everything else in the package may
import the core.
"""
