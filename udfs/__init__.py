"""Excel user-defined functions: thin xlwings wrappers over the engine (see workbook/).

On Windows with the xlwings add-in these become worksheet functions; on Linux
and macOS the xlwings decorators are no-ops and the functions are plain Python,
which is how they are tested.
"""
