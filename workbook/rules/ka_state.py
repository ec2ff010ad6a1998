"""The data KA's pure rule takes and returns: the carried state and one quarter's inputs.

``KAState`` is what the lock step stores in the ledger and the next quarter
reads back, so it is plain data with an exact JSON form: Decimals as strings,
shortfalls oldest first. ``QuarterInput`` is one employee's quarter after the
book has been measured (CRM-only lines, credited by share, typed by revenue).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..money import ZERO, fmt_plain
from ..periods import Quarter
from ..records import quick_init

ONE = Decimal(1)


def _s(x: Decimal) -> str:
    """Exact and canonical: 10000.0 and 1E+4 both become "10000", so equal states hash alike."""
    return format(x.normalize(), "f")


@dataclass(frozen=True)
class Shortfall:
    """One quarter below base, not yet made up."""

    period: str  # the quarter it arose in, e.g. "2026Q1"
    base: Decimal  # B_k
    flat: Decimal  # F_k, that quarter's flat-rate counting revenue
    missing: Decimal  # the amount still to make up

    def to_dict(self) -> dict[str, str]:
        return {"period": self.period, "base": _s(self.base), "flat": _s(self.flat), "missing": _s(self.missing)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Shortfall":
        return cls(str(d["period"]), Decimal(str(d["base"])), Decimal(str(d.get("flat", "0"))), Decimal(str(d["missing"])))


@dataclass(frozen=True)
class KAState:
    """What one employee carries from one quarter into the next. JSON-ready via to_dict."""

    shortfalls: tuple[Shortfall, ...] = ()
    excess: Decimal = ZERO

    @property
    def empty(self) -> bool:
        return not self.shortfalls and self.excess == 0

    def to_dict(self) -> dict[str, Any]:
        return {"shortfalls": [s.to_dict() for s in self.shortfalls], "excess": _s(self.excess)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "KAState":
        sfs = sorted((Shortfall.from_dict(x) for x in d.get("shortfalls", ())), key=lambda s: Quarter.parse(s.period))
        return cls(tuple(sfs), Decimal(str(d.get("excess", "0"))))

    def describe(self) -> str:
        open_ = "、".join(f"{s.period} 欠 {fmt_plain(s.missing)}" for s in self.shortfalls) or "无"
        return f"未补足季度：{open_}；结转 {fmt_plain(self.excess)}"


@quick_init
@dataclass(frozen=True)
class QuarterInput:
    """One employee's quarter, already measured: revenue credited by share, CRM-only."""

    employee_id: str
    period: str
    target: Decimal  # T
    counting: Decimal  # revenue counting toward the task, before the carried excess
    flat_counting: Decimal = ZERO  # F: the flat-rate part of ``counting`` (implementation)
    flat_all: Decimal = ZERO  # every flat-rate revenue of the quarter, counting or not
    k: Decimal = ONE
    new_hire: bool = False
    floating_wage: Decimal | None = None
    pay_month: str = ""
    inputs: tuple[str, ...] = ()
    kpi_text: str = ""
