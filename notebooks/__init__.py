"""The consultants' notebooks, shipped inside the wheel as ``assessment.notebooks``.

pyproject.toml maps this folder to that package, so ``pip install support-excellence`` carries
these very files and the batch finds them with ``importlib.resources``; there is no copy.
"""
