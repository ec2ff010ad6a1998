"""The typed inputs of one run: settings, policy and every input sheet's rows.

``Book`` is what the rules see. It is built once by ``load`` and never changed;
rules read it and return lines. Rows keep their sheet row number so every
payout line can cite the exact inputs it used.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

from .periods import Quarter
from .problems import ERROR, Problem, col_letter, error, warning
from .policy import Policy
from .workdays import Calendar, from_rows


class SheetPending(Exception):
    """A rule asked for a sheet that is still being read; the early start gives way."""


@dataclass(frozen=True)
class Settings:
    period: Quarter
    company: str = ""
    prepared_by: str = ""
    data_home: str = ""
    components: tuple[str, ...] = ()  # empty: every component with data
    ledger: str = ""  # ledger URL (sqlite:///… or postgresql://…); empty: SQLite in data_home
    as_of: dt.date | None = None  # the grade review's reference date; None: the day of the run


@dataclass(frozen=True)
class Book:
    settings: Settings
    policy: Policy
    tables: dict[str, list] = field(default_factory=dict)  # sheet key -> typed rows
    titles: dict[str, str] = field(default_factory=dict)  # sheet key -> tab name in the file
    columns: dict[str, dict[str, int]] = field(default_factory=dict)  # sheet key -> column key -> 0-based index
    # State carried in from the previous locked quarter (via the ledger), by
    # component code, e.g. {"KA": ..., "PN": ..., "GR": ...}. Empty: the rules
    # fall back to the opening sheets (OpeningBalances, GradeReview.prior_failed_years).
    carried: dict[str, Any] = field(default_factory=dict)
    _memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # Sheets still being read (see ``early``): asking for their rows raises
    # SheetPending, so work begun before they arrive can never see them empty.
    pending: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    def memo(self, key: str, build: Callable[[], Any]) -> Any:
        """A derived index (e.g. whole deals by client), built once per book.

        Rules share these instead of each re-scanning 200,000 deal rows. Safe
        because a Book never changes after loading.
        """
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    @property
    def period(self) -> Quarter:
        return self.settings.period

    def rows(self, sheet_key: str) -> list:
        if sheet_key in self.pending:
            raise SheetPending(sheet_key)
        return self.tables.get(sheet_key, [])

    def title(self, sheet_key: str) -> str:
        return self.titles.get(sheet_key, sheet_key)

    def ref(self, sheet_key: str, row: Any) -> str:
        """``Deals!R12``-style reference to one input row."""
        return f"{self.title(sheet_key)}!R{row.row}"

    def cell(self, sheet_key: str, row: Any, column: str) -> str:
        """A1 reference of one input cell, found by header (never a fixed letter)."""
        if row is None or not getattr(row, "row", 0):
            return ""
        j = self.columns.get(sheet_key, {}).get(column)
        return f"{col_letter(j)}{row.row}" if j is not None else f"A{row.row}"

    def problem(self, severity: str, sheet_key: str, row: Any, column: str, message: str, expected: str = "", found: Any = "") -> Problem:
        """A problem located at one input cell of this book."""
        make = error if severity == ERROR else warning
        return make(self.title(sheet_key), self.cell(sheet_key, row, column), column, message, expected, found)

    @property
    def calendar(self) -> Calendar:
        """The working-day calendar: the built-in one corrected by the 工作日历 (Calendar) sheet."""
        return self.memo("calendar", lambda: from_rows(self.rows("Calendar")))

    @cached_property
    def employees(self) -> dict[str, Any]:
        return {e.employee_id: e for e in self.rows("Employees")}

    @cached_property
    def clients(self) -> dict[str, Any]:
        return {c.client_id: c for c in self.rows("Clients")}
