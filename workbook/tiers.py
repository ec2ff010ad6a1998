"""Tier tables as validated data: explicit bands, no gaps, no overlaps.

A band is (lower, lower_inclusive, upper, upper_inclusive, value); a blank end is
open. The lessons of the commission modules we studied: bands inclusive at both
ends let a boundary match two rows and the first silently wins; unchecked gaps
and a value above the top band pay 0 without a word. Here a table is checked once
when it is loaded, and a lookup that matches no band raises ``NoBand`` so the
caller reports it instead of paying 0.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Sequence

from . import problems as P
from .money import fmt_plain


@dataclass(frozen=True)
class Band:
    lower: Decimal | None
    lower_inclusive: bool
    upper: Decimal | None
    upper_inclusive: bool
    value: Decimal
    row: int | None = None  # 1-based sheet row, for messages

    def contains(self, x: Decimal) -> bool:
        if self.lower is not None:
            if x < self.lower or (x == self.lower and not self.lower_inclusive):
                return False
        if self.upper is not None:
            if x > self.upper or (x == self.upper and not self.upper_inclusive):
                return False
        return True

    def label(self, percent: bool = False) -> str:
        """The band in words a person checks: e.g. ``> 100,000 且 ≤ 500,000``."""
        show = _pct if percent else fmt_plain
        parts = []
        if self.lower is not None:
            parts.append(("≥ " if self.lower_inclusive else "> ") + show(self.lower))
        if self.upper is not None:
            parts.append(("≤ " if self.upper_inclusive else "< ") + show(self.upper))
        return " 且 ".join(parts) if parts else "全部"


def _pct(x: Decimal) -> str:
    return fmt_plain(x * 100) + "%"


class NoBand(LookupError):
    def __init__(self, table: str, x: Decimal):
        self.table, self.x = table, x
        super().__init__(f"档位表 {table} 没有覆盖数值 {fmt_plain(x)}：请在 档位表 (Tiers) 补齐该区间")


@dataclass(frozen=True)
class TierTable:
    name: str
    bands: tuple[Band, ...]
    percent: bool = False  # the measure is a ratio; show bands as percentages

    def lookup(self, x: Decimal) -> Band:
        """The one band containing ``x``; ``NoBand`` if none (never a silent 0)."""
        for band in self.bands:  # tables hold a handful of rows; order is validated
            if band.contains(x):
                return band
        raise NoBand(self.name, x)

    def value(self, x: Decimal) -> Decimal:
        return self.lookup(x).value


def check_bands(name: str, bands: Sequence[Band], sheet: str = "Tiers") -> list[P.Problem]:
    """Every structural fault of a table, as problems naming the rows."""
    out: list[P.Problem] = []

    def err(band: Band, msg: str) -> None:
        cell = f"A{band.row}" if band.row else ""
        out.append(P.error(sheet, cell, "table", f"档位表 {name}：{msg}", found=band.label()))

    if not bands:
        out.append(P.error(sheet, "", "table", f"档位表 {name} 没有任何档位"))
        return out
    for b in bands:
        if b.lower is not None and b.upper is not None:
            if b.lower > b.upper or (b.lower == b.upper and not (b.lower_inclusive and b.upper_inclusive)):
                err(b, "下限大于上限或区间为空")
    for i, b in enumerate(bands):
        if i > 0 and b.lower is None:
            err(b, "只有第一档可以不填下限")
        if i < len(bands) - 1 and b.upper is None:
            err(b, "只有最后一档可以不填上限")
    for a, b in zip(bands, bands[1:]):
        if a.upper is None or b.lower is None:
            continue
        if b.lower < a.upper:
            err(b, "与上一档重叠或未按下限从小到大排序")
        elif b.lower > a.upper:
            err(b, f"与上一档之间有空档（{fmt_plain(a.upper)} 至 {fmt_plain(b.lower)} 未覆盖）")
        elif a.upper_inclusive and b.lower_inclusive:
            err(b, f"边界 {fmt_plain(b.lower)} 同时属于两档：请只在一档勾选“含”")
        elif not a.upper_inclusive and not b.lower_inclusive:
            err(b, f"边界 {fmt_plain(b.lower)} 不属于任何一档：请在其中一档勾选“含”")
    return out


def make_table(name: str, rows: Iterable[tuple], percent: bool = False) -> TierTable:
    """Build a table from (lower, li, upper, ui, value[, row]) tuples; values as text or Decimal."""
    bands = []
    for r in rows:
        lower, li, upper, ui, value = r[:5]
        row = r[5] if len(r) > 5 else None
        bands.append(Band(_d(lower), bool(li), _d(upper), bool(ui), Decimal(str(value)), row))
    return TierTable(name, tuple(bands), percent)


def _d(v) -> Decimal | None:
    return None if v is None or v == "" else Decimal(str(v))
