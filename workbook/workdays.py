"""PRC working days: statutory holidays and the weekends made into working days.

The claim deadline of NC is "7 working days after the period end", and the
grade review's public posting counts working days too. Both must follow the
official calendar, including adjusted working Saturdays (调休). The calendar data
comes from the ``chinesecalendar`` package, which knows only the years the State
Council has announced. A date outside those years is an error, never a guess.
"""
from __future__ import annotations

import datetime as dt

import chinese_calendar


class CalendarUnknown(ValueError):
    """The date lies in a year the working-day calendar has no data for."""

    def __init__(self, day: dt.date):
        self.day = day
        super().__init__(
            f"工作日日历没有 {day.year} 年的法定节假日数据（{day.isoformat()}），无法计算工作日；"
            f"请升级 bonusbook 以获取新的节假日安排"
        )


def is_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as exc:  # the package's signal for an unknown year
        raise CalendarUnknown(day) from exc


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day strictly after ``start`` (n >= 1)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    day = start
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


def next_workday(day: dt.date) -> dt.date:
    return add_workdays(day, 1)
