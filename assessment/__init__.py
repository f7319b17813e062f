"""support-excellence: assess a technical support organization and export scorecards.

Pipeline stages, one module each:
intake (read the workbook) -> framework (what is scored) -> scoring (pure) -> exports -> batch.
"""

__version__ = "0.1.0"
