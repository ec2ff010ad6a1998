"""Cell functions for tier lookups and the NC, MT and SA awards.

Each is a thin wrapper: Excel-shaped columns in (``shape``), the policy the
formula asked for (``policy_args``), the same pure function the rule uses for
Calculate, a column out. The docstrings are the help text Excel shows.
"""
from __future__ import annotations

import xlwings as xw

from workbook.cells import CellError, parse_bool, parse_number, parse_percent
from workbook.money import excel_fen
from workbook.rules.maintenance import NOT_GROWN, FenGrowth, growth_award
from workbook.rules.new_client import client_award
from workbook.rules.satisfaction import award_band
from workbook.tiers import check_bands, make_table

from . import fen
from .fen import fen_column
from .policy_args import policy_from
from .shape import UdfError, blank, call, column, columns, excel_safe, money, per_row

CATEGORY = "Bonusbook"


def _tier_table(table, tiers):
    """A named table from the policy, or bands given inline as a 5-column range."""
    if isinstance(table, (list, tuple)) and table and isinstance(table[0], (list, tuple)) and len(table[0]) >= 5:
        rows = []
        for i, r in enumerate(table, start=1):
            if all(blank(v) for v in r[:5]):
                continue
            lo, li, up, ui, val = r[:5]
            try:
                rows.append((None if blank(lo) else parse_number(lo), not blank(li) and parse_bool(li),
                             None if blank(up) else parse_number(up), not blank(ui) and parse_bool(ui),
                             parse_number(val), i))
            except CellError as e:
                raise UdfError(f"档位区域第 {i} 行：{e}") from None
        result = make_table("档位区域", rows)
        problems = check_bands("档位区域", result.bands)
        if problems:
            raise UdfError(problems[0].message)
        return result
    names = column(table, "table")
    if len(names) != 1 or blank(names[0]):
        raise UdfError("第一个参数应为档位表名称（如 \"sa_award\"）或 5 列的档位区域（下限、含下限、上限、含上限、取值）")
    name = str(names[0]).strip()
    policy = policy_from(None, tiers)
    if name not in policy.tiers:
        raise UdfError(f"没有名为 {name} 的档位表，可用：{', '.join(sorted(policy.tiers))}")
    return policy.tier(name)


@xw.func(category=CATEGORY)
@xw.arg("table", ndim=2, doc="档位表名称（如 \"sa_award\"），或 5 列档位区域：下限、含下限、上限、含上限、取值")
@xw.arg("values", ndim=2, doc="要查档的数值：一个单元格或一整列")
@xw.arg("tiers", ndim=2, doc="可选：本工作簿的档位表区域 tblTiers[#Data]；省略时用制度默认档位")
@excel_safe
def BB_TIER(table, values, tiers=None):
    """按档位表查出每个数值所在档位的取值。可传入整列，一次返回整列；没有档位覆盖的数值显示原因。"""
    tt = _tier_table(table, tiers)
    parse = parse_percent if tt.percent else parse_number
    n, cols = columns(values=values)
    return per_row(lambda v: tt.lookup(parse(v)).value, n, cols)


@xw.func(category=CATEGORY)
@xw.arg("basis", ndim=2, doc="新客户首单金额（同日多笔合计）：一个单元格或一整列")
@xw.arg("tiers", ndim=2, doc="可选：档位表区域 tblTiers[#Data]；省略时用制度默认档位")
@xw.arg("policy", ndim=2, doc="可选：政策参数区域 tblPolicy[#Data]（决定使用哪张新客户档位表）")
@excel_safe
def BB_NC_AWARD(basis, tiers=None, policy=None):
    """新客户开发奖励：按首单金额查档得到该客户的奖励总额（多人合作时再按分成比例分配）。"""
    pol = policy_from(policy, tiers)

    def one(b):
        return money(client_award(pol, parse_number(b))[2])

    n, cols = columns(basis=basis)
    return per_row(one, n, cols)


@xw.func(category=CATEGORY)
@xw.arg("this_year", ndim=2, doc="本年对老客户的销售额（按分成计）：一个单元格或一整列")
@xw.arg("last_year", ndim=2, doc="上年对同一批老客户的销售额：与上一列同样多行")
@xw.arg("tiers", ndim=2, doc="可选：档位表区域 tblTiers[#Data]；省略时用制度默认档位")
@excel_safe
def BB_MT_AWARD(this_year, last_year, tiers=None):
    """客户维护奖励 = 增长率所在档位的比例 × 增长额；未增长为 0；上年为 0 时显示不发放的原因。"""
    pol = policy_from(None, tiers)

    def one(t, l):
        if blank(t) or blank(l):
            raise UdfError("本年和上年销售额都要填写（没有销售请填 0）")
        res = growth_award(pol, parse_number(t), parse_number(l))
        if res.amount is None:
            return 0 if res.rate is not None else res.why
        return money(res.amount)

    n, cols = columns(this_year=this_year, last_year=last_year)
    fast = FenGrowth(pol)
    if not (fast.usable and fen.ENABLED):
        return per_row(one, n, cols)
    award, out = fast.award, []
    append = out.append
    for t, l, tf, lf in zip(cols["this_year"], cols["last_year"], fen_column(cols["this_year"]), fen_column(cols["last_year"])):
        if tf is not None and lf is not None:  # both whole fen: the integer path, else growth_award itself
            f = award(tf, lf)
            if f is not None:
                append([0 if f == NOT_GROWN else excel_fen(f)])
                continue
        append(["" if blank(t) and blank(l) else call(one, (t, l))])
    return out or [[""]]


@xw.func(category=CATEGORY)
@xw.arg("satisfaction", ndim=2, doc="客户满意度（如 95% 或 0.95）：一个单元格或一整列")
@xw.arg("tiers", ndim=2, doc="可选：档位表区域 tblTiers[#Data]；省略时用制度默认档位")
@excel_safe
def BB_SA_AWARD(satisfaction, tiers=None):
    """客户满意度奖励：只取最高一档（默认 ≥95% 1000 元，≥90% 500 元，其余 0）。"""
    pol = policy_from(None, tiers)

    def one(s):
        return money(award_band(pol, parse_percent(s)).value)

    n, cols = columns(satisfaction=satisfaction)
    return per_row(one, n, cols)
