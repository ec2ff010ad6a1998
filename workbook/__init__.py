"""Bonusbook engine: read a quarter's workbook, validate it, compute explained payouts.

Pure core: nothing in this package imports xlwings. The Excel side (``udfs``,
``macros``) and the ``bonusbook`` CLI are thin callers of ``workbook.flows``.
"""
__version__ = "0.1.0"
