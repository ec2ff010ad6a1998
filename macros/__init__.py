"""Excel macros (Validate, Calculate, Lock, Publish, Import): thin xlwings entry points.

Each reads the calling workbook's path through xlwings, calls the same
``workbook.flows`` function as the CLI, and reports back. No business logic here.
"""
