"""Quarters and months: the calendar arithmetic every rule shares."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """From the canonical form ``2026Q3`` (cells.parse_period produces it)."""
        y, q = text.upper().split("Q")
        return cls(int(y), int(q))

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def start(self) -> dt.date:
        return _first_day(self.year, 3 * self.q - 2)

    @property
    def end(self) -> dt.date:
        return month_end(self.year, 3 * self.q)

    @property
    def months(self) -> tuple[tuple[int, int], ...]:
        return tuple((self.year, m) for m in range(3 * self.q - 2, 3 * self.q + 1))

    @property
    def is_year_end(self) -> bool:
        return self.q == 4

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.q == 1 else Quarter(self.year, self.q - 1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@lru_cache(maxsize=4096)
def _first_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


@lru_cache(maxsize=4096)  # rules compare 200,000 deal dates with a quarter's end
def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def next_month(day: dt.date) -> str:
    """``YYYY-MM`` of the month after ``day``: the payroll month of a payout."""
    y, m = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return f"{y:04d}-{m:02d}"


def months_back(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (clamped to the month's end)."""
    total = day.year * 12 + (day.month - 1) - months
    y, m = divmod(total, 12)
    last = month_end(y, m + 1).day
    return dt.date(y, m + 1, min(day.day, last))
