"""GR criteria as data, and the pure eligibility test of one manager for one level.

POLICY §13 lists, per level, qualification items (任职资格: education, years,
exam, industry influence) and performance items (业绩要求: new clients, sales,
satisfaction, growth, complaint rate, key clients, share, long-term ratio, major
projects). Each item is one ``Spec`` row below; every threshold is a Policy
parameter (the source left them as "[X]", so the defaults are Example values).
The functions here take plain values and a params mapping, never a Book, so an
Excel UDF can call them on one row of cells.

Comparisons follow the PRC reading of the source words: "达到 X 以上" includes X
(actual ≥ X), "低于 X" excludes it (actual < X). Education and the exam are
ordinal: a higher degree or a higher exam passed satisfies a lower requirement.
A value that cannot be read is never guessed: ``inputs_from`` raises
``GradeInputError`` naming the input, and the sheet path turns that into a
problem at the cell.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter
from typing import Any, Callable, Mapping, NamedTuple

from ..money import fmt_plain
from ..schema import LEVELS
from .grade_inputs import ManagerInputs, education_rank, inputs_from, parse_education, parse_level, rank

CRITERION_ZH = {
    "education": "学历", "years_as_cm": "客户经理年限", "years_in_grade": "下一级任职年限", "exam_level": "专业知识考试",
    "new_clients": "近一年新客户数", "annual_sales": "年度销售额", "sales_growth": "销售额同比增长",
    "satisfaction": "客户满意度", "complaint_rate": "客户投诉率", "key_clients": "重点客户数",
    "company_sales_share": "占公司总销售额比例", "long_term_ratio": "长期合作客户比例",
    "major_projects": "主导重大项目数", "industry_influence": "行业影响力",
}


class Spec(NamedTuple):
    level: str
    key: str
    op: str  # ">=", "<", "rank>=" (education), "exam>=", "true", "growth>=" (≥ (1+p) × base)
    param: str | None  # Policy key of the required value; None: the level itself (exam), or True
    performance: bool  # a 业绩要求 item: checked every year against the current grade


def _specs(level: str, rows: tuple) -> tuple[Spec, ...]:
    return tuple(Spec(level, *r) for r in rows)


CRITERIA: tuple[Spec, ...] = _specs("初级", (
    ("education", "rank>=", "gr_junior_education", False),
    ("years_as_cm", ">=", "gr_junior_years_as_cm", False),
    ("exam_level", "exam>=", None, False),
    ("new_clients", ">=", "gr_junior_new_clients", True),
    ("annual_sales", ">=", "gr_junior_annual_sales", True),
    ("satisfaction", ">=", "gr_junior_satisfaction", True),
)) + _specs("中级", (
    ("education", "rank>=", "gr_middle_education", False),
    ("years_as_cm", ">=", "gr_middle_years_as_cm", False),
    ("years_in_grade", ">=", "gr_middle_years_in_grade", False),
    ("exam_level", "exam>=", None, False),
    ("new_clients", "growth>=", "gr_middle_new_clients_growth", True),
    ("annual_sales", ">=", "gr_middle_annual_sales", True),
    ("sales_growth", ">=", "gr_middle_sales_growth", True),
    ("complaint_rate", "<", "gr_middle_complaint_rate", True),
    ("key_clients", ">=", "gr_middle_key_clients", True),
)) + _specs("高级", (
    ("education", "rank>=", "gr_senior_education", False),
    ("years_as_cm", ">=", "gr_senior_years_as_cm", False),
    ("years_in_grade", ">=", "gr_senior_years_in_grade", False),
    ("exam_level", "exam>=", None, False),
    ("industry_influence", "true", None, False),
    ("new_clients", "growth>=", "gr_senior_new_clients_growth", True),
    ("annual_sales", ">=", "gr_senior_annual_sales", True),
    ("company_sales_share", ">=", "gr_senior_sales_share", True),
    ("long_term_ratio", ">=", "gr_senior_long_term_ratio", True),
    ("major_projects", ">=", "gr_senior_major_projects", True),
))

# The input columns each criterion reads (for locating a missing value at its cell).
SOURCES = {
    "years_in_grade": ("years_in_grade",), "new_clients": ("new_clients", "prior_avg_new_clients", "lower_avg_new_clients"),
    "sales_growth": ("annual_sales", "prior_year_sales"),
}


def _specs_for(level: str, performance_only: bool) -> tuple[Spec, ...]:
    return tuple(s for s in CRITERIA if s.level == level and (s.performance or not performance_only))


_SPECS_FOR = {(lvl, p): _specs_for(lvl, p) for lvl in LEVELS for p in (False, True)}


def specs_for(level: str, performance_only: bool = False) -> tuple[Spec, ...]:
    got = _SPECS_FOR.get((level, bool(performance_only))) if type(level) is str else None
    return got if got is not None else _specs_for(level, performance_only)


class CriterionResult(NamedTuple):
    key: str
    actual: Any  # None: not filled in (the criterion then fails)
    required: Any
    passed: bool
    level: str = ""
    comparison: str = ""  # ≥, <, 须具备
    note: str = ""
    performance: bool = False


PERCENT_KEYS = frozenset({"satisfaction", "complaint_rate", "company_sales_share", "long_term_ratio", "sales_growth"})
_SHOW_OP = {">=": "≥", "growth>=": "≥", "rank>=": "≥", "exam>=": "≥", "<": "<", "true": "须具备"}


def _param(params: Mapping[str, Any], key: str | None) -> Any:
    if key is None:
        return None
    try:
        return params[key]
    except KeyError:
        return None


def new_clients_base(inputs: ManagerInputs, level: str) -> tuple[Decimal | None, str]:
    """The yearly average of new clients the level's growth test compares with.

    The source compares with "the average per year while in the grade below the
    level": for an applicant one level up that is the current grade
    (``prior_avg_new_clients``); for the yearly check of the current grade it is
    the grade below it (``lower_avg_new_clients``). Any other case has no figure.
    """
    below = LEVELS[rank(level) - 2] if rank(level) >= 2 else ""
    if rank(inputs.current_grade) == rank(level) - 1:
        return inputs.prior_avg_new_clients, f"任{below}期间年均"
    if rank(inputs.current_grade) == rank(level):
        return inputs.lower_avg_new_clients, f"任{below}期间年均"
    return None, f"任{below}期间年均"


def _years_below(spec: Spec, inputs: ManagerInputs, required: Any) -> CriterionResult:
    """Years held in the grade directly below the level."""
    below = LEVELS[rank(spec.level) - 2]
    c = rank(inputs.current_grade)
    make = lambda actual, passed, note: CriterionResult(spec.key, actual, required, passed, spec.level, "≥", note, spec.performance)
    if c >= rank(spec.level):
        return make(None, True, f"现任{inputs.current_grade}，已任过{below}")
    if c == rank(spec.level) - 1:
        actual = inputs.years_in_grade
        if actual is None or required is None:
            return make(actual, False, "未填写" if actual is None else "参数未设置")
        return make(actual, actual >= required, f"任{below}年限")
    return make(Decimal(0), required is not None and required <= 0, f"未任{below}")


def evaluate(spec: Spec, inputs: ManagerInputs, params: Mapping[str, Any]) -> CriterionResult:
    """One criterion of one level for one manager."""
    required = _param(params, spec.param)
    op = _SHOW_OP[spec.op]
    note = ""
    if spec.key == "years_in_grade":
        return _years_below(spec, inputs, required)
    if spec.op == "exam>=":
        actual = LEVELS[inputs.exam_level - 1] if inputs.exam_level else "无"
        passed = inputs.exam_level >= rank(spec.level)
        return CriterionResult(spec.key, actual, spec.level, passed, spec.level, op, "高一级考试包含低一级", spec.performance)
    if spec.op == "true":
        actual = inputs.industry_influence
        return CriterionResult(spec.key, actual, True, actual is True, spec.level, op, "发表专业文章或获行业奖项", spec.performance)
    if spec.op == "rank>=":
        actual = inputs.education
        required = parse_education(required, spec.param or "education") if required is not None else None
        passed = actual is not None and required is not None and education_rank(actual) >= education_rank(required)
        return CriterionResult(spec.key, actual, required, passed, spec.level, op, "", spec.performance)
    if spec.op == "growth>=":
        base, note = new_clients_base(inputs, spec.level)
        growth, actual = required, inputs.new_clients
        if base is None:
            return CriterionResult(spec.key, actual, None, False, spec.level, op, f"缺少{note}新客户数（基数）", spec.performance)
        required = None if growth is None else (1 + growth) * base
        if growth is not None:
            note = f"(1+{fmt_plain(growth * 100)}%) × {note} {fmt_plain(base)}"
    elif spec.key == "sales_growth":
        sales, prior = inputs.annual_sales, inputs.prior_year_sales
        actual = None if sales is None or prior is None or prior == 0 else (sales - prior) / prior
        if prior == 0:
            note = "上年销售额为 0，无法计算增长率"
    else:
        actual = getattr(inputs, spec.key)
    if actual is None or required is None:
        why = "未填写" if actual is None else "参数未设置"
        note = note if spec.key == "sales_growth" and note else (f"{why}；{note}" if note else why)
        return CriterionResult(spec.key, actual, required, False, spec.level, op, note, spec.performance)
    passed = actual < required if spec.op == "<" else actual >= required
    return CriterionResult(spec.key, actual, required, passed, spec.level, op, note, spec.performance)


def eligibility(manager_inputs: Any, level: Any, params: Mapping[str, Any]) -> tuple[bool, list[CriterionResult]]:
    """Whether one manager meets every criterion of one level, with each criterion's result.

    ``manager_inputs``: ManagerInputs, a GradeReview row, or a mapping of raw cell
    values by column key (plus ``current_grade``). Raises GradeInputError on a
    value that cannot be read. Eligibility is only a test: it changes no grade.
    """
    inputs = inputs_from(manager_inputs)
    lvl = parse_level(level)
    if lvl is None:
        raise ValueError("level is required")
    results = [evaluate(s, inputs, params) for s in specs_for(lvl)]
    return all(r.passed for r in results), results


def evaluate_levels(manager_inputs: Any, params: Mapping[str, Any]) -> dict[str, tuple[bool, list[CriterionResult]]]:
    inputs = inputs_from(manager_inputs)
    return {lvl: eligibility(inputs, lvl, params) for lvl in LEVELS}


def _reads(spec: Spec) -> Callable[[ManagerInputs], Any]:
    """The inputs ``evaluate`` reads for ``spec``, as a key: equal keys give equal results."""
    if spec.key == "years_in_grade":
        return attrgetter("current_grade", "years_in_grade")
    if spec.op == "exam>=":
        return attrgetter("exam_level")
    if spec.op == "growth>=":
        return attrgetter("current_grade", "new_clients", "prior_avg_new_clients", "lower_avg_new_clients")
    if spec.key == "sales_growth":
        return attrgetter("annual_sales", "prior_year_sales")
    return attrgetter({"true": "industry_influence", "rank>=": "education"}.get(spec.op, spec.key))


class Criteria:
    """``evaluate_levels`` and ``performance_review`` for many managers under one params mapping.

    A year-end review tests thousands of managers on 25 criteria, and most
    criteria see few distinct values (education, exam, counts, ratios), so each
    result is kept by the inputs its criterion reads (``_reads``) and shared.
    The inputs must come from ``inputs_from``: it reads numbers to one
    canonical form, so equal values also print alike. Results are the ones
    ``evaluate`` builds; ``tests/test_grade_speed_paths.py`` holds the two equal.
    """

    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = params
        self._levels = {lvl: tuple((s, {}, _reads(s)) for s in specs_for(lvl)) for lvl in LEVELS}
        self._performance = {lvl: tuple(e for e in entries if e[0].performance) for lvl, entries in self._levels.items()}

    def levels(self, inputs: ManagerInputs) -> dict[str, tuple[bool, list[CriterionResult]]]:
        """``evaluate_levels(inputs, params)``."""
        return {lvl: self._results(inputs, entries) for lvl, entries in self._levels.items()}

    def performance_review(self, inputs: ManagerInputs) -> tuple[bool, list[CriterionResult]]:
        """``performance_review(inputs, params)``."""
        if inputs.current_grade is None:
            return True, []
        return self._results(inputs, self._performance[inputs.current_grade])

    def _results(self, inputs: ManagerInputs, entries: tuple) -> tuple[bool, list[CriterionResult]]:
        results = []
        ok = True
        for spec, memo, reads in entries:
            k = reads(inputs)
            r = memo.get(k)
            if r is None:
                r = memo[k] = evaluate(spec, inputs, self.params)
            if not r.passed:
                ok = False
            results.append(r)
        return ok, results

    @staticmethod
    def performance(inputs: ManagerInputs, levels: dict[str, tuple[bool, list[CriterionResult]]]) -> tuple[bool, list[CriterionResult]]:
        """``performance_review`` from the results of ``levels``: the current grade's performance items (the same objects)."""
        if inputs.current_grade is None:
            return True, []
        results = [r for r in levels[inputs.current_grade][1] if r.performance]
        return all(r.passed for r in results), results


def highest_eligible_level(manager_inputs: Any, params: Mapping[str, Any]) -> str | None:
    """The highest level whose criteria all pass (each level stands on its own), or None."""
    passing = [lvl for lvl, (ok, _) in evaluate_levels(manager_inputs, params).items() if ok]
    return passing[-1] if passing else None


def needed_columns(spec: Spec, inputs: ManagerInputs) -> tuple[str, ...]:
    """The GradeReview columns a criterion reads for this manager (exam: blank means none passed)."""
    if spec.key == "exam_level":
        return ()
    if spec.key == "years_in_grade":
        return ("years_in_grade",) if rank(inputs.current_grade) == rank(spec.level) - 1 else ()
    if spec.key == "sales_growth":
        return ("annual_sales", "prior_year_sales")
    if spec.op == "growth>=":
        c, lvl = rank(inputs.current_grade), rank(spec.level)
        base = "prior_avg_new_clients" if c == lvl - 1 else "lower_avg_new_clients" if c == lvl else None
        return ("new_clients",) + ((base,) if base else ())
    return (spec.key,)


_NEEDED: dict = {}


def columns_needed(level: str, current: str | None, performance_only: bool = False) -> tuple[str, ...]:
    """Every column ``needed_columns`` names for the level's criteria, in order, each once.

    Which columns a criterion reads depends only on the current grade, so the
    answer is worked out once per (level, current grade) and kept.
    """
    key = (level, current, performance_only)
    got = _NEEDED.get(key)
    if got is None:
        probe = ManagerInputs(current_grade=current)
        cols: list[str] = []
        for spec in specs_for(level, performance_only):
            cols += [c for c in needed_columns(spec, probe) if c not in cols]
        got = _NEEDED[key] = tuple(cols)
    return got


def missing_performance_columns(inputs: ManagerInputs) -> list[str]:
    """Columns the current grade's performance review needs but the row leaves blank."""
    if inputs.current_grade is None:
        return []
    return [col for col in columns_needed(inputs.current_grade, inputs.current_grade, True) if getattr(inputs, col) is None]


def performance_review(manager_inputs: Any, params: Mapping[str, Any]) -> tuple[bool, list[CriterionResult]]:
    """The year's results against the performance items (业绩要求) of the current grade.

    A manager with no grade is not under dynamic management: (True, []).
    """
    inputs = inputs_from(manager_inputs)
    if inputs.current_grade is None:
        return True, []
    results = [evaluate(s, inputs, params) for s in specs_for(inputs.current_grade, performance_only=True)]
    return all(r.passed for r in results), results


def show(key: str, value: Any) -> str:
    """A criterion value as HR reads it: 85%, 500,000, 是/否, (空)."""
    if value is None:
        return "(空)"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal) and key in PERCENT_KEYS:
        return _two_places(value * 100) + "%"
    if isinstance(value, Decimal):
        return _two_places(value)
    return str(value)


def _two_places(value: Decimal) -> str:
    """Display only (at most 2 decimals); the comparison used the exact value."""
    if value != value.quantize(Decimal("0.01")):
        value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return fmt_plain(value)


def required_text(result: CriterionResult) -> str:
    return f"{result.comparison} {show(result.key, result.required)}"
