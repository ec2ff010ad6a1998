"""KP: the KPI-weighted performance coefficient (POLICY §7). It pays no money.

Each employee and period has a handful of indicator rows on the KPI sheet. A
quantitative indicator scores min(actual / target, cap) × 100 with a floor of 0;
a qualitative one carries an entered score from 0 to ``kp_score_max``. The
weighted score is S = Σ weight × score, and the coefficient is k = S / 100
(Decided) or, when ``kp_table`` names a tier table, that table's value for S.

The arithmetic is the pure function :func:`kpi_score` over plain rows, so a UDF,
KA and the Coefficients output sheet all get the same numbers. Bad rows are
input errors (weights not totalling exactly 100%, a missing target, a score out
of range); they never turn into a silent 0.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from operator import mul
from typing import Sequence

from .. import problems as P
from ..model import Book
from ..money import ZERO, fmt_plain
from ..records import quick_init
from ..tiers import NoBand, TierTable

RULE = "POLICY §7 KPI 考核系数"
HUNDRED = Decimal(100)
ONE = Decimal(1)
DEFAULT_CAP = Decimal("1.2")
DEFAULT_MAX = Decimal(120)
KP_TABLES = ("kp_coefficient",)  # the tier tables that map a weighted score to k


class KpiInputError(ValueError):
    """One KPI row that cannot be scored: which row, which column, and why (Chinese)."""

    def __init__(self, row, column: str, message: str, expected: str = "", found: object = ""):
        self.row, self.column, self.message, self.expected, self.found = row, column, message, expected, found
        super().__init__(message)


@quick_init
@dataclass(frozen=True)
class IndicatorScore:
    indicator: str
    kind: str
    weight: Decimal
    score: Decimal  # 0 .. 120 (or the configured caps)
    row: object = None

    @property
    def weighted(self) -> Decimal:
        return self.weight * self.score


@quick_init
@dataclass(frozen=True)
class KpiResult:
    score: Decimal  # S, the weighted score
    k: Decimal  # the coefficient
    indicators: tuple[IndicatorScore, ...]
    band: str = ""  # the tier band used, or "" for k = S / 100

    def explain(self) -> str:
        parts = "，".join(f"{i.indicator} {show(i.score)}×{show(i.weight * HUNDRED)}%" for i in self.indicators)
        how = f"档位 {self.band}" if self.band else "k = S/100"
        return f"KPI：{parts}；加权得分 S = {show(self.score)}，{how} → k = {show(self.k)}"


def show(x: Decimal) -> str:
    """A score or coefficient for people: at most 4 decimals, no trailing zeros."""
    return fmt_plain(x.quantize(Decimal("0.0001")).normalize())


def indicator_score(row, cap: Decimal = DEFAULT_CAP, score_max: Decimal = DEFAULT_MAX) -> Decimal:
    """The 0..120 score of one KPI row, or ``KpiInputError``."""
    if row.kind == "quantitative":
        if row.target is None:
            raise KpiInputError(row, "target", "定量指标必须填写目标值", expected="> 0", found="(空)")
        if row.target <= 0:
            raise KpiInputError(row, "target", "定量指标的目标值必须大于 0", expected="> 0", found=row.target)
        if row.actual is None:
            raise KpiInputError(row, "actual", "定量指标必须填写实际值", expected="数值", found="(空)")
        ratio = min(row.actual / row.target, cap)
        return max(ZERO, ratio * HUNDRED)
    if row.score is None:
        raise KpiInputError(row, "score", "定性指标必须填写评分", expected=f"0–{fmt_plain(score_max)}", found="(空)")
    if not (ZERO <= row.score <= score_max):
        raise KpiInputError(row, "score", f"定性指标评分必须在 0 到 {fmt_plain(score_max)} 之间", expected=f"0–{fmt_plain(score_max)}", found=row.score)
    return row.score


def weight_total(weights: Sequence[Decimal]) -> Decimal:
    """Σ weight in row order: must be exactly 1 (100%)."""
    return sum(weights, ZERO)


def weighted_sum(weights: Sequence[Decimal], scores: Sequence[Decimal]) -> Decimal:
    """S = Σ weight × score in row order: the one formula for :func:`kpi_score` and the
    cell functions' fast path (the same Decimal operations in the same order)."""
    return sum(map(mul, weights, scores), ZERO)


def kpi_score(rows: Sequence, table: TierTable | None = None, cap: Decimal = DEFAULT_CAP,
              score_max: Decimal = DEFAULT_MAX) -> KpiResult:
    """(S, k, per-indicator scores) for one employee and period.

    ``rows`` are KPI rows (anything with indicator, weight, kind, target, actual,
    score). Raises ``KpiInputError`` for the first row that cannot be scored, or
    when the weights do not add up to exactly 100%, and ``NoBand`` when the tier
    table does not cover S.
    """
    if not rows:
        raise KpiInputError(None, "weight", "没有 KPI 指标行", expected="权重合计 100%", found="(无)")
    for r in rows:
        if r.weight is None or r.weight < 0:
            raise KpiInputError(r, "weight", "权重不能为空或为负数", expected="≥ 0", found=r.weight)
    total = weight_total([r.weight for r in rows])
    if total != ONE:
        raise KpiInputError(rows[0], "weight", f"同一员工同一期间的 KPI 权重合计为 {fmt_plain(total * HUNDRED)}%，必须正好是 100%",
                            expected="100%", found=f"{fmt_plain(total * HUNDRED)}%")
    scored = tuple(IndicatorScore(r.indicator, r.kind, r.weight, indicator_score(r, cap, score_max), r) for r in rows)
    s = weighted_sum([i.weight for i in scored], [i.score for i in scored])
    if table is None:
        return KpiResult(s, s / HUNDRED, scored)
    band = table.lookup(s)
    return KpiResult(s, band.value, scored, band.label())


def groups(book: Book, period: str | None = None) -> dict[tuple[str, str], list]:
    """KPI rows by (employee, period), in sheet order; one period only when given.

    Made once per book and period (KP's check and coefficients and KA's inputs
    and check all ask): the answer is shared, so callers only read it.
    """
    def build() -> dict[tuple[str, str], list]:
        out: dict[tuple[str, str], list] = defaultdict(list)
        for r in book.rows("KPI"):
            if period is None or r.period == period:
                out[(r.employee_id, r.period)].append(r)
        return dict(out)
    return book.memo(f"kpi_groups:{period}", build)


def policy_settings(policy) -> tuple[TierTable | None, Decimal, Decimal]:
    """The tier table (None: k = S / 100), the quantitative cap and the qualitative maximum.
    Shared with the BB_KPI_* cell functions."""
    name = policy["kp_table"]
    table = policy.tiers.get(name) if name else None
    return table, policy["kp_quant_cap"], policy["kp_score_max"]


def _settings(book: Book) -> tuple[TierTable | None, Decimal, Decimal]:
    return policy_settings(book.policy)


def _all_row_problems(book: Book, rows: list, cap: Decimal, score_max: Decimal) -> list[P.Problem]:
    out = []
    for r in rows:
        try:
            indicator_score(r, cap, score_max)
        except KpiInputError as e:
            out.append(book.problem(P.ERROR, "KPI", e.row, e.column, f"员工 {r.employee_id} {r.period} 指标 {r.indicator}：{e.message}", e.expected, e.found))
    return out


def check(book: Book) -> list[P.Problem]:
    """Every KPI input error of the run's period: all of them, not only the first."""
    probs: list[P.Problem] = []
    name = book.policy["kp_table"]
    if name and name not in KP_TABLES:  # another component's table would turn S into its money values
        row = next((r for r in book.rows("Policy") if str(r.key).strip() == "kp_table"), None)
        return [P.error(book.title("Policy"), book.cell("Policy", row, "value"), "kp_table", f"参数 kp_table 须留空（k = S/100）或填 KPI 系数档位表 {' / '.join(KP_TABLES)}", expected="空 或 kp_coefficient", found=name)]
    table, cap, score_max = _settings(book)
    emps = book.employees
    scored, _ = coefficients(book)  # a group scored there passed every row (kpi_score scores them all): no need to score it again
    for (emp, period), rows in groups(book, str(book.period)).items():
        if emp not in emps:
            probs.append(book.problem(P.ERROR, "KPI", rows[0], "employee_id", f"工号 {emp} 不在 员工 (Employees) 表中", found=emp))
        if emp in scored:
            continue
        row_probs = _all_row_problems(book, rows, cap, score_max)
        probs.extend(row_probs)
        if row_probs:
            continue
        try:
            kpi_score(rows, table, cap, score_max)
        except KpiInputError as e:
            probs.append(book.problem(P.ERROR, "KPI", e.row, e.column, f"员工 {emp} {period}：{e.message}", e.expected, e.found))
        except NoBand as e:
            probs.append(book.problem(P.ERROR, "KPI", rows[0], "score", f"员工 {emp} {period}：{e}"))
    return probs


def coefficients(book: Book) -> tuple[dict[str, KpiResult], list[P.Problem]]:
    """The run period's KPI result per employee, and errors for groups that cannot be scored.

    Worked out once per book: KP, the Coefficients sheet and KA's factor all ask.
    """
    return book.memo("kp_coefficients", lambda: _coefficients(book))


def _coefficients(book: Book) -> tuple[dict[str, KpiResult], list[P.Problem]]:
    table, cap, score_max = _settings(book)
    out: dict[str, KpiResult] = {}
    probs: list[P.Problem] = []
    for (emp, period), rows in groups(book, str(book.period)).items():
        try:
            out[emp] = kpi_score(rows, table, cap, score_max)
        except KpiInputError as e:
            probs.append(book.problem(P.ERROR, "KPI", e.row, e.column, f"员工 {emp} {period}：{e.message}", e.expected, e.found))
        except NoBand as e:
            probs.append(book.problem(P.ERROR, "KPI", rows[0], "score", f"员工 {emp} {period}：{e}"))
    return out, probs


def compute(book: Book) -> tuple[list, list[P.Problem]]:
    """KP pays nothing: its results are the Coefficients sheet and KA's factor."""
    _, probs = coefficients(book)
    return [], probs


COEFFICIENTS_HEADER = ("employee_id", "name", "period", "component", "indicator", "kind", "weight", "score", "weighted_score", "coefficient", "basis")


def table_rows(book: Book) -> list[tuple]:
    """Rows of the Coefficients output: one per indicator, then one with S and k."""
    results, _ = coefficients(book)
    emps = book.employees
    period = str(book.period)
    rows: list[tuple] = []
    for emp in sorted(results):
        res = results[emp]
        name = emps[emp].name if emp in emps else ""
        for i in res.indicators:
            how = "min(实际/目标, 上限)×100" if i.kind == "quantitative" else "评分"
            rows.append((emp, name, period, "KP", i.indicator, i.kind, i.weight, i.score, i.weighted, None, f"{how}；权重 × 得分"))
        total_w = sum((i.weight for i in res.indicators), ZERO)
        rows.append((emp, name, period, "KP", "加权得分 S / 系数 k", "", total_w, None, res.score, res.k, res.explain()))
    return rows
