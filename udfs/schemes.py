"""Cell functions for the KPI coefficient, KC unit pay and the KA quarterly series.

Thin wrappers again: Excel-shaped columns in, the rules' own pure functions
(``kpi.kpi_score``, ``unit_commission.pay_for``, ``key_account.settle``) in the
middle, a column out. KPI rows are grouped by the employee column, so one
formula over the KPI table shows each row its employee's S or k. The KA series
runs the quarters in row order, carrying shortfalls and excess from one row to
the next exactly as the locked ledger carries them between real quarters.

A column can hold 100,000 rows, so the KA series runs rows of whole fen through
``key_account.FenSeries``, settle's exact integer twin, and hands the state to
``settle`` for any other row; KPI groups of ordinary cells are scored from
memoised parses (``kpi_groups``). Tests hold both equal to the plain path.
"""
from __future__ import annotations

from decimal import Decimal

import xlwings as xw

from workbook.cells import CellError, parse_bool, parse_int, parse_number, parse_percent, parser_for
from workbook.money import ZERO
from workbook.rules.ka_state import KAState, QuarterInput
from workbook.rules.key_account import FenSeries, KAParams, settle
from workbook.rules.kpi import KpiInputError, kpi_score, policy_settings
from workbook.rules.unit_commission import pay_for
from workbook.schema import INPUT_BY_KEY
from workbook.tables import row_type
from workbook.tiers import NoBand

from . import fen
from .fen import fen_column
from .kpi_groups import FastScores, groups
from .policy_args import policy_from
from .shape import UdfError, blank, cell, columns, err, excel_safe, money, per_row

CATEGORY = "Bonusbook"


KPI_ROW = row_type("KPI")
_kind = parser_for(INPUT_BY_KEY["KPI"].column("kind").kind)  # the KPI sheet's own enum parser


def _number_or_none(v):
    return None if blank(v) else parse_number(v)


def _kpi(employee, weight, kind, target, actual, score, policy, tiers, want: str):
    pol = policy_from(policy, tiers)
    table, cap, score_max = policy_settings(pol)
    n, cols = columns(employee=employee, weight=weight, kind=kind, target=target, actual=actual, score=score)
    fast = FastScores(cols, _kind, KPI_ROW, cap, score_max) if fen.ENABLED else None
    out: list = [""] * n
    for who, idx in groups(cols).items():
        value = fast.value(idx, table, want) if fast is not None and fast.usable else None
        if value is not None:
            for i in idx:
                out[i] = value
            continue
        try:
            rows = [_kpi_row(who, i, cols) for i in idx]
            res = kpi_score(rows, table, cap, score_max)
            value = cell(res.score if want == "S" else res.k)
        except UdfError as e:
            value = err(str(e))
        except KpiInputError as e:
            where = f"第 {e.row.row} 行：" if e.row is not None else ""
            value = err(where + e.message)
        except NoBand as e:
            value = err(str(e))
        for i in idx:
            out[i] = value
    return [[v] for v in out] or [[""]]


def _kpi_row(who: str, i: int, cols: dict):
    """One KPI row as the rule sees it; row numbers count from 1 within the range."""
    try:
        w = cols["weight"][i]
        return KPI_ROW(employee_id=who, period=None, indicator=f"第 {i + 1} 行",
                       weight=None if blank(w) else parse_percent(w), kind=_kind(cols["kind"][i]),
                       target=_number_or_none(cols["target"][i]), actual=_number_or_none(cols["actual"][i]),
                       score=_number_or_none(cols["score"][i]), row=i + 1)
    except CellError as e:
        raise UdfError(f"第 {i + 1} 行：{e.message}") from None


@xw.func(category=CATEGORY)
@xw.arg("employee", ndim=2, doc="工号列：同一工号的行算作一名员工（只算一人时可留空）")
@xw.arg("weight", ndim=2, doc="权重列（如 30% 或 0.3），同一员工合计须为 100%")
@xw.arg("kind", ndim=2, doc="类型列：quantitative 定量 / qualitative 定性")
@xw.arg("target", ndim=2, doc="目标值列（定量指标）")
@xw.arg("actual", ndim=2, doc="实际值列（定量指标）")
@xw.arg("score", ndim=2, doc="评分列（定性指标，0–120）")
@xw.arg("policy", ndim=2, doc="可选：政策参数区域 tblPolicy[#Data]")
@excel_safe
def BB_KPI_SCORE(employee, weight, kind, target, actual, score, policy=None):
    """KPI 加权得分 S = Σ 权重 × 得分；每行显示其所属员工的 S。权重合计不是 100% 等问题显示原因。"""
    return _kpi(employee, weight, kind, target, actual, score, policy, None, "S")


@xw.func(category=CATEGORY)
@xw.arg("employee", ndim=2, doc="工号列：同一工号的行算作一名员工（只算一人时可留空）")
@xw.arg("weight", ndim=2, doc="权重列（如 30% 或 0.3），同一员工合计须为 100%")
@xw.arg("kind", ndim=2, doc="类型列：quantitative 定量 / qualitative 定性")
@xw.arg("target", ndim=2, doc="目标值列（定量指标）")
@xw.arg("actual", ndim=2, doc="实际值列（定量指标）")
@xw.arg("score", ndim=2, doc="评分列（定性指标，0–120）")
@xw.arg("policy", ndim=2, doc="可选：政策参数区域 tblPolicy[#Data]（kp_table 等）")
@xw.arg("tiers", ndim=2, doc="可选：档位表区域 tblTiers[#Data]")
@excel_safe
def BB_KPI_COEF(employee, weight, kind, target, actual, score, policy=None, tiers=None):
    """KPI 系数 k（默认 k = S / 100，参数 kp_table 指定档位表时按档位取值）；每行显示其所属员工的 k。"""
    return _kpi(employee, weight, kind, target, actual, score, policy, tiers, "k")


@xw.func(category=CATEGORY)
@xw.arg("units", ndim=2, doc="当月台次（整数）：一个单元格或一整列")
@xw.arg("channel_units", ndim=2, doc="当月渠道台次（可留空）")
@xw.arg("css", ndim=2, doc="当月 CSS 得分（有销量时必填）")
@xw.arg("tiers", ndim=2, doc="可选：档位表区域 tblTiers[#Data]")
@xw.arg("policy", ndim=2, doc="可选：政策参数区域 tblPolicy[#Data]（单车提成等）")
@excel_safe
def BB_KC_PAY(units, channel_units, css, tiers=None, policy=None):
    """关键客户台次绩效 = (台次×单车提成 + 渠道台次×渠道提成) × 销售系数 × CSS 系数；每行一个月。"""
    pol = policy_from(policy, tiers)

    def one(u, c, s):
        if blank(u):
            raise UdfError("台次不能为空（没有销量请填 0）")
        units_, chan = parse_int(u), 0 if blank(c) else parse_int(c)
        if units_ < 0 or chan < 0:
            raise UdfError("台次不能为负数")
        try:
            return money(pay_for(pol, units_, chan, _number_or_none(s)).amount)
        except ValueError:
            raise UdfError("有销量时必须填写 CSS 得分") from None

    n, cols = columns(units=units, channel_units=channel_units, css=css)
    return per_row(one, n, cols)


@xw.func(category=CATEGORY)
@xw.arg("target", ndim=2, doc="各季度目标 T（每行一个季度，按时间顺序）")
@xw.arg("counting", ndim=2, doc="各季度计入任务的收入（按分成、已录入 CRM；含实施收入）")
@xw.arg("flat_counting", ndim=2, doc="其中实施收入 F（按固定比例计提、也计入任务）；没有填 0")
@xw.arg("flat_all", ndim=2, doc="可选：全部固定比例收入（实施+维护+培训）；省略时等于上一列")
@xw.arg("k", ndim=2, doc="可选：各季度 KPI 系数；省略时为 1")
@xw.arg("new_hire", ndim=2, doc="可选：是否新业务员入职当季（Y/N）")
@xw.arg("policy", ndim=2, doc="可选：政策参数区域 tblPolicy[#Data]")
@excel_safe
def BB_KA_SERIES(target, counting, flat_counting, flat_all=None, k=None, new_hire=None, policy=None):
    """大客户各季度提成（含补发、× KPI 系数）：按行依次结算，未完成基数的欠额和超出目标的结转带到下一行。"""
    pol = policy_from(policy, None)
    params = KAParams.from_policy(pol)
    named = dict(target=target, counting=counting, flat_counting=flat_counting)
    for key, value in (("flat_all", flat_all), ("k", k), ("new_hire", new_hire)):
        if value is not None:
            named[key] = value
    n, cols = columns(**named)
    fast = FenSeries(params)
    fast.usable &= fen.ENABLED
    prepared = _ka_prepared(params, n, cols) if fast.usable else [None] * n
    state, broken, out = KAState(), "", []
    on = fast.usable and fast.load(state)  # the state lives in ``fast`` while on
    resume = 0  # rows before it are done
    for i in range(n):
        if i < resume:
            continue
        if on:
            got = fast.run(prepared, i, _period)
            if got:
                out += [[v] for v in got]
                resume = i + len(got)
                continue
        row = {key: col[i] for key, col in cols.items()}
        if all(blank(v) for v in row.values()):
            out.append([""])
            continue
        if broken:
            out.append([err(f"前面第 {broken} 行有误，无法结转到本季")])
            continue
        if on:
            state, on = fast.state(), False
        try:
            if blank(row["target"]) or blank(row["counting"]):
                raise UdfError("目标和计入任务的收入都要填写（没有请填 0）")
            flat = ZERO if blank(row["flat_counting"]) else parse_number(row["flat_counting"])
            q = QuarterInput(employee_id="", period=_period(i), target=parse_number(row["target"]),
                             counting=parse_number(row["counting"]), flat_counting=flat,
                             flat_all=flat if blank(row.get("flat_all")) else parse_number(row["flat_all"]),
                             k=Decimal(1) if blank(row.get("k")) else parse_number(row["k"]),
                             new_hire=False if blank(row.get("new_hire")) else parse_bool(row["new_hire"]))
            s, state = settle(state, q, params)
            out.append([money(s.payout)])
            on = fast.usable and fast.load(state)
        except (CellError, UdfError) as e:
            broken = str(i + 1)
            out.append([err(f"第 {i + 1} 行：{e}")])
    return out or [[""]]


def _ka_prepared(params: KAParams, n: int, cols: dict) -> list:
    """Each row's arguments for ``FenSeries.run``, or None where ``settle`` takes the row:
    blanks in the required columns, text, values off the fen grid, anything unusual."""
    target, counting = fen_column(cols["target"]), fen_column(cols["counting"])
    flat = fen_column(cols["flat_counting"], 0)  # empty: 0
    flat_all = flat if "flat_all" not in cols else [f if a is _SAME else a for f, a in zip(flat, fen_column(cols["flat_all"], _SAME))]
    factors: dict = {}

    def factor(v):  # only floats and empty cells: True == 1.0 must not share an entry
        if v is None or v.__class__ is float:
            got = factors.get(v, _SAME)
            if got is _SAME:
                try:
                    got = factors[v] = FenSeries.factor(params, ONE if v is None else parse_number(v))
                except CellError:
                    got = factors[v] = None
            return got
        return None

    hires = {None: False}

    def hire(v):  # empty cells and text only
        if v is None or v.__class__ is str:
            got = hires.get(v, _SAME)
            if got is _SAME:
                try:
                    got = hires[v] = parse_bool(v) if not blank(v) else None
                except CellError:
                    got = hires[v] = None
            return got
        return None

    k = list(map(factor, cols["k"])) if "k" in cols else [factor(None)] * n
    new_hire = list(map(hire, cols["new_hire"])) if "new_hire" in cols else [False] * n
    return [None if None in r else r for r in zip(target, counting, flat, flat_all, k, new_hire)]


def _period(i: int) -> str:
    """Row i's quarter in the series, as a shortfall names it."""
    return f"第{i + 1}行"


_SAME = object()  # a marker no cell value can be
ONE = Decimal(1)
