"""Stage 1, intake: the Excel workbook a client fills in, written and read back.

``layout`` (where each answer lives), ``template`` (writes the blank or filled workbook),
``reader`` (validates a workbook into :class:`~assessment.core.model.IntakeData`, every problem
with its ``Sheet!Cell``) and ``samples`` (the bundled fictional organizations).
May import: :mod:`assessment.core`, :mod:`assessment.files`. Never :mod:`assessment.scorecard`.
"""
