"""Excel user-defined functions: thin xlwings wrappers over the engine (see workbook/).

On Windows with the xlwings add-in these become worksheet functions (category
"Bonusbook"; the template's ``xlwings.conf`` sheet names this module in
``UDF Modules``). On Linux and macOS the xlwings decorators are no-ops and the
functions are plain Python, which is how they are tested.

Every function takes a single value or whole columns exactly as desktop Excel
sends them and returns a column, so one formula computes a whole table. A bad
row shows a Chinese reason in its own cell, never a traceback. Policy: the
engine's defaults, unless the formula passes the book's ranges
(``tblTiers[#Data]``, ``tblPolicy[#Data]``; see ``policy_args``).
"""
from .awards import BB_MT_AWARD, BB_NC_AWARD, BB_SA_AWARD, BB_TIER
from .grades import BB_GRADE_CHECK
from .schemes import BB_KA_SERIES, BB_KC_PAY, BB_KPI_COEF, BB_KPI_SCORE

__all__ = ["BB_TIER", "BB_NC_AWARD", "BB_MT_AWARD", "BB_SA_AWARD", "BB_KPI_SCORE", "BB_KPI_COEF", "BB_KC_PAY",
           "BB_KA_SERIES", "BB_GRADE_CHECK"]
