"""Stage 5, batch: the scorecard notebook run by papermill for many intakes, then the portfolio.

``runner`` (orchestration, staging and publishing), ``kernel`` (warm kernels in worker
processes), ``report`` (summary, log) and ``distributed`` (the same jobs on a Dask cluster,
``batch --scheduler``; Dask is an optional extra, imported only then) and ``remote`` (an
object-storage ``--out``: a local mirror pushed through fsspec). The notebooks it
executes ship inside the package (``assessment/notebooks``, mapped from the repository's
``notebooks/`` folder).
May import: everything below it (core, files, intake, scorecard, portfolio, pipeline).
"""
