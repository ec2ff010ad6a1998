"""The POLICY defaults, as data: the single source the template is filled from.

Every number a rule uses lives here with a note in Chinese, and a flag saying
whether it comes from the source documents or is only an Example (the sources
left it blank). HR changes these in the workbook's Policy (政策参数) and Tiers
(档位表) sheets; the engine then reads the sheet values, not these.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    key: str
    kind: str  # a cells kind: number, money, percent, int, bool, date, text
    default: str  # as typed in the sheet ("" = blank)
    note: str
    example: bool = False  # not from the source: the template marks it "示例"
    component: str = ""


@dataclass(frozen=True)
class TierDefault:
    table: str
    rows: tuple[tuple, ...]  # (lower, lower_inclusive, upper, upper_inclusive, value)
    note: str
    percent: bool = False
    example: bool = False


PARAMS: tuple[Param, ...] = (
    # NC: new-client development award
    Param("nc_table", "text", "nc_award", "新客户奖励使用的档位表（nc_award 或备选 nc_award_alt）", component="NC"),
    Param("nc_uplift_cap", "percent", "100%", "战略客户上浮上限，占档位奖励的比例", component="NC"),
    Param("nc_claim_workdays", "int", "7", "季度结束后提交申请的期限（法定工作日）", component="NC"),
    Param("nc_additional_enabled", "bool", "N", "是否启用追加奖励（业务员首单+期内累计两段）", component="NC"),
    Param("nc_require_delivered", "bool", "N", "是否要求订单已交付才发放", component="NC"),
    Param("nc_scheme_start", "date", "", "方案开始日期：早于此日期的成交不奖励（空=不限制）", component="NC"),
    # MT: maintenance growth award
    # TM: team award
    Param("tm_growth_threshold", "percent", "10%", "团队新客户业绩同比增长达到此比例（含）才发放", component="TM"),
    Param("tm_rate", "percent", "1%", "团队奖励 = 本年团队新客户业绩 × 此比例", component="TM"),
    # PN: penalties, % of the month's performance bonus
    Param("pn_lost_important", "percent", "50%", "因个人原因流失重要客户：扣当月绩效奖金比例", component="PN"),
    Param("pn_lost_general", "percent", "30%", "因个人原因流失一般客户：扣当月绩效奖金比例", component="PN"),
    Param("pn_complaint_minor", "percent", "0%", "轻微投诉：警告（不扣款，记录）", component="PN"),
    Param("pn_complaint_serious", "percent", "20%", "严重投诉：扣当月绩效奖金比例", component="PN"),
    Param("pn_violation_first", "percent", "0%", "首次违反客户开发规定：警告并培训（不扣款，记录）", component="PN"),
    Param("pn_violation_repeat", "percent", "10%", "12个月内再次违规：扣当月绩效奖金比例", component="PN"),
    Param("pn_violation_window_months", "int", "12", "违规累计的回溯月数", component="PN"),
    Param("pn_monthly_cap", "percent", "100%", "同一月扣款合计上限（占当月绩效奖金）", component="PN"),
)

TIER_DEFAULTS: tuple[TierDefault, ...] = (
    TierDefault(
        "nc_award",
        (("0", True, "100000", True, "500"), ("100000", False, "500000", True, "1000"), ("500000", False, None, False, "2000")),
        "新客户开发奖励（按首单金额，边界归低档）",
    ),
    TierDefault(
        "nc_award_alt",
        (("0", True, "1000", True, "50"), ("1000", False, "10000", True, "200"), ("10000", False, None, False, "500")),
        "备选：新客户开发奖励（范本第一种）",
    ),
    TierDefault(
        "nc_additional_initial",
        (("0", True, "50000", True, "100"), ("50000", False, "100000", True, "200"), ("100000", False, None, False, "500")),
        "追加奖励·首单奖（业务员）",
    ),
    TierDefault(
        "nc_additional_total",
        (
            ("0", True, "500000", False, "0"),
            ("500000", True, "1000000", True, "500"),
            ("1000000", False, "2000000", True, "1000"),
            ("2000000", False, None, False, "2000"),
        ),
        "追加奖励·期内累计成交额（不足50万不追加）",
    ),
    TierDefault(
        "mt_rate",
        (("0", False, "0.10", True, "0.01"), ("0.10", False, "0.20", True, "0.02"), ("0.20", False, None, False, "0.03")),
        "客户维护奖励比例（按增长率，整体适用于增长额）",
        percent=True,
    ),
    TierDefault(
        "sa_award",
        (("0", True, "0.90", False, "0"), ("0.90", True, "0.95", False, "500"), ("0.95", True, "1", True, "1000")),
        "客户满意度奖励（只取最高一档）",
        percent=True,
    ),
)

PARAMS_BY_KEY = {p.key: p for p in PARAMS}
TIERS_BY_NAME = {t.table: t for t in TIER_DEFAULTS}
