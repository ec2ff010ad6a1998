"""Payout lines: what every rule returns, each one explaining itself.

A line carries the amount (rounded once, here, half up to the fen), the rule and
tier band that produced it, and references to the input rows it used, so a
person can check it by hand. Lines with status other than ``paid`` carry no
money and record outcomes HR must see: a rejected or pending claim, a warning.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .money import ZERO, round_fen
from .records import quick_init

PAID, REJECTED, PENDING, RECORDED = "paid", "rejected", "pending", "recorded"
STATUS_ZH = {PAID: "发放", REJECTED: "驳回", PENDING: "待审批", RECORDED: "记录"}

ITEM_NAMES = {
    "NC": "新客户开发奖励",
    "NC_UP": "战略客户上浮奖励",
    "MT": "客户维护奖励",
    "SA": "客户满意度奖励",
    "TM": "团队奖励",
    "PN": "惩罚扣款",
    "KA": "大客户季度提成",
    "KA_FW": "浮动工资",
    "KA_DED": "未达基数扣款",
    "KC": "关键客户台次绩效",
    "AC": "A类客户开发奖励",
    "AC_PEN": "A类客户开发处罚",
    "SC": "月度考核奖金",
    "PP": "绩效工资分配",
    "ADJ": "调整",
}


@quick_init
@dataclass(frozen=True)
class Line:
    employee_id: str
    component: str
    item_code: str
    amount: Decimal
    basis: str
    rule: str = ""
    band: str = ""
    inputs: tuple[str, ...] = ()
    pay_month: str = ""
    status: str = PAID
    month: str = ""  # YYYY-MM for monthly components

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", round_fen(self.amount))


def outcome(employee_id: str, component: str, item_code: str, status: str, basis: str, **kw) -> Line:
    """A line without money: a rejected or pending claim, a recorded warning."""
    return Line(employee_id, component, item_code, ZERO, basis, status=status, **kw)
