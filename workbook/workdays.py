"""PRC working days: statutory holidays and the weekends made into working days.

The claim deadline of NC is "7 working days after the period end", and the
grade review's public posting counts working days too. Both must follow the
official calendar, including adjusted working Saturdays (调休). The calendar data
comes from the ``chinesecalendar`` package, which knows only the years the State
Council had announced when it was released. A 2026Q4 run happens in January
2027, before a package update may exist, so HR can type the official schedule
into the 工作日历 (Calendar) sheet: its rows override single days, and a year
the package does not know counts as known once the sheet lists at least one day
of it (weekdays work, weekends rest, except the listed days). A date in a year
neither knows is an error (``CalendarUnknown``), never a guess.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Iterable, Mapping

import chinese_calendar

from . import problems as P

KIND_ZH = {"holiday": "放假", "workday": "调休上班"}
WEEKDAY_ZH = "一二三四五六日"


class CalendarUnknown(ValueError):
    """The date lies in a year the working-day calendar has no data for."""

    def __init__(self, day: dt.date):
        self.day = day
        y = day.year
        super().__init__(
            f"工作日日历没有 {y} 年的法定节假日数据（{day.isoformat()}），无法计算工作日：请在 工作日历 (Calendar) 表"
            f"按国务院办公厅公布的 {y} 年节假日安排通知，逐日填写 {y} 年的放假日期（类型 holiday，放假）和"
            f"调休上班日期（类型 workday，调休上班），每天一行（工作簿没有这张表时从新模板复制）"
        )


@lru_cache(maxsize=None)
def package_knows(year: int) -> bool:
    """Whether the installed ``chinesecalendar`` has the State Council schedule for ``year``."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:  # the package's signal for an unknown year
        return False
    return True


@lru_cache(maxsize=4096)
def _package_workday(day: dt.date) -> bool:
    """The package's answer, cached: each of its lookups rescans its whole table (~10 µs)."""
    return chinese_calendar.is_workday(day)


def package_is_workday(day: dt.date) -> bool:
    if not package_knows(day.year):
        raise CalendarUnknown(day)
    return _package_workday(day)


class Calendar:
    """The working-day calendar of one run: the package, corrected by HR's Calendar rows.

    ``overrides`` maps a date to True (a working day: 调休上班) or False (a day
    off: 放假).
    """

    def __init__(self, overrides: Mapping[dt.date, bool] | None = None):
        self.overrides = dict(overrides or {})
        self.sheet_years = frozenset(d.year for d in self.overrides)

    def knows(self, year: int) -> bool:
        return package_knows(year) or year in self.sheet_years

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if package_knows(day.year):
            return _package_workday(day)
        if day.year in self.sheet_years:
            return day.weekday() < 5
        raise CalendarUnknown(day)

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day strictly after ``start`` (n >= 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day, counted = start, 0
        while counted < n:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return day

    def next_workday(self, day: dt.date) -> dt.date:
        return self.add_workdays(day, 1)

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days from start to end, both included."""
        n, day = 0, start
        while day <= end:
            n += self.is_workday(day)
            day += dt.timedelta(days=1)
        return n


PACKAGE = Calendar()  # the package alone: for callers without a book


def from_rows(rows: Iterable) -> Calendar:
    """The calendar of a book's Calendar rows (a later row wins; ``check`` reports clashes)."""
    return Calendar({r.date: r.kind == "workday" for r in rows})


def check(book) -> list[P.Problem]:
    """Calendar rows that clash, repeat, or change a day in a way worth a second look.

    Two rows giving one date different kinds is an error: either answer would be
    a guess. A repeated row, a row that overrides the package, and a 调休上班 day
    that is a plain weekday anyway (调休 days are weekends, so likely a typo) are
    warnings. A 放假 day on a weekend is normal (the notice lists whole runs of
    days) and says nothing.
    """
    probs: list[P.Problem] = []
    seen: dict[dt.date, object] = {}
    for r in book.rows("Calendar"):
        day, zh = r.date, KIND_ZH[r.kind]
        first = seen.get(day)
        if first is not None:
            if first.kind != r.kind:
                probs.append(book.problem(P.ERROR, "Calendar", r, "kind", f"{day.isoformat()} 在第 {first.row} 行为{KIND_ZH[first.kind]}，这里为{zh}：同一天只能有一种类型，请删除错误的一行",
                                          expected=first.kind, found=r.kind))
            else:
                probs.append(book.problem(P.WARNING, "Calendar", r, "date", f"{day.isoformat()} 与第 {first.row} 行重复：请删除一行", found=day.isoformat()))
            continue
        seen[day] = r
        workday = r.kind == "workday"
        if package_knows(day.year):
            if chinese_calendar.is_workday(day) != workday:
                builtin = "工作日" if not workday else "休息日"
                probs.append(book.problem(P.WARNING, "Calendar", r, "date", f"{day.isoformat()} 内置日历为{builtin}，按本表改为{zh}（本表覆盖内置日历）：请确认与国务院办公厅通知一致",
                                          expected=builtin, found=zh))
        elif workday and day.weekday() < 5:
            probs.append(book.problem(P.WARNING, "Calendar", r, "date", f"{day.isoformat()} 是星期{WEEKDAY_ZH[day.weekday()]}，本来就是工作日；调休上班日通常是周末：请核对日期",
                                      expected="周六或周日", found=day.isoformat()))
    return probs


def is_workday(day: dt.date) -> bool:
    return PACKAGE.is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day strictly after ``start`` (n >= 1), by the package calendar."""
    return PACKAGE.add_workdays(start, n)


def next_workday(day: dt.date) -> dt.date:
    return PACKAGE.next_workday(day)
