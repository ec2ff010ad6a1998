"""Problems: the plain records every stage returns instead of raising.

A stage never prints and never raises for bad user input. It returns its result
plus a list of ``Problem`` records; only the outermost caller (CLI, macro, UDF)
turns them into text. Each record carries enough to point HR at the exact cell:
``Deals!F12``, the column key, what was expected and what was found.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .records import quick_init

ERROR = "error"
WARNING = "warning"


@quick_init
@dataclass(frozen=True)
class Problem:
    """One finding about the input, located as precisely as we can."""

    severity: str  # ERROR blocks calculate; WARNING is shown but allowed
    sheet: str = ""
    cell: str = ""  # e.g. "F12"; empty when the problem is about a whole sheet
    column: str = ""  # column key, e.g. "amount"
    message: str = ""  # Chinese, says what to do
    expected: str = ""
    found: str = ""

    @property
    def where(self) -> str:
        """``Sheet!Cell`` (or just the sheet) for messages and hyperlinks."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet

    def render(self) -> str:
        """One line for a terminal or a message box."""
        tag = "错误" if self.severity == ERROR else "警告"
        parts = [f"[{tag}]"]
        if self.where:
            parts.append(self.where)
        if self.column:
            parts.append(f"({self.column})")
        parts.append(self.message)
        text = " ".join(parts)
        extra = []
        if self.expected:
            extra.append(f"应为: {self.expected}")
        if self.found:
            extra.append(f"实际: {self.found}")
        if extra:
            text += "；" + "；".join(extra)
        return text


def error(sheet: str, cell: str, column: str, message: str, expected: str = "", found: object = "") -> Problem:
    return Problem(ERROR, sheet, cell, column, message, expected, _show(found))


def warning(sheet: str, cell: str, column: str, message: str, expected: str = "", found: object = "") -> Problem:
    return Problem(WARNING, sheet, cell, column, message, expected, _show(found))


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)


def _show(value: object) -> str:
    if value is None:
        return "(空)"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def col_letter(index: int) -> str:
    """0-based column index to Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row0: int, col0: int) -> str:
    """0-based (row, col) to an A1 reference."""
    return f"{col_letter(col0)}{row0 + 1}"
