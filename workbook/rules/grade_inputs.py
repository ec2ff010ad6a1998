"""GR inputs: one manager's facts for one review year, read strictly.

The GradeReview sheet (or a UDF's row of cells) gives raw values; this module
turns them into ``ManagerInputs`` or raises ``GradeInputError`` naming the input.
Levels, the exam and education are ordinal: the exam column holds the highest
exam passed, and a higher exam includes the lower ones. A ratio above 100%, a
negative count or an unknown level is malformed and rejected, never guessed.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from ..cells import CellError, is_blank, parse_bool, parse_enum, parse_int, parse_number, parse_percent, parse_text
from ..schema import EDUCATION, GRADE_REVIEW, LEVELS

LEVEL_EN = {"初级": "junior", "中级": "middle", "高级": "senior"}
_LEVEL_ALIASES = {**{v: k for k, v in LEVEL_EN.items()}, **{k: k for k in LEVELS}}
_LEVEL_SUFFIXES = ("客户经理专业知识考试", "客户经理考试", "专业知识考试", "客户经理", "考试", " exam", " manager")
_NO_EXAM = ("无", "没有", "未通过", "none", "no", "-")


class GradeInputError(CellError):
    """One manager input that cannot be read; ``key`` names the input column."""

    def __init__(self, key: str, message: str, expected: str = "", found: str = "") -> None:
        super().__init__(message, expected, found)
        self.key = key


_RANK = {lvl: i for i, lvl in enumerate(LEVELS, 1)}


def rank(level: str | None) -> int:
    """0 none, 1 初级, 2 中级, 3 高级."""
    got = _RANK.get(level) if type(level) is str else None
    return got if got is not None else LEVELS.index(level) + 1 if level else 0


def education_rank(education: str | None) -> int:
    """0 unknown, then 高中/中专 = 1 … 博士 = 5."""
    return EDUCATION.index(education) + 1 if education else 0


def parse_level(v: Any, key: str = "level") -> str | None:
    """初级/中级/高级 (or junior/middle/senior, or with 客户经理 after it); blank is None."""
    if is_blank(v):
        return None
    text = parse_text(v).strip().lower()
    for suffix in ("客户经理", " manager", " cm"):
        if text.endswith(suffix) and text != suffix:
            text = text[: -len(suffix)].strip()
    level = _LEVEL_ALIASES.get(text)
    if level is None:
        raise GradeInputError(key, "等级必须是 初级、中级 或 高级", "初级 / 中级 / 高级", str(v))
    return level


def parse_exam(v: Any, key: str = "exam_level") -> int:
    """The highest exam passed as a rank (0 none, 1 初级 … 3 高级); a higher exam includes the lower ones."""
    if is_blank(v):
        return 0
    text = parse_text(v).strip().lower()
    if text in _NO_EXAM:
        return 0
    for suffix in _LEVEL_SUFFIXES:
        if text.endswith(suffix) and text != suffix:
            text = text[: -len(suffix)].strip()
            break
    level = _LEVEL_ALIASES.get(text)
    if level is None:
        raise GradeInputError(key, "通过考试等级必须是 初级、中级、高级 或 无（已通过的最高一级考试）", "初级 / 中级 / 高级 / 无", str(v))
    return rank(level)


def parse_education(v: Any, key: str = "education") -> str | None:
    if is_blank(v):
        return None
    try:
        return parse_enum(v, EDUCATION)
    except CellError as e:
        raise GradeInputError(key, "学历必须是 " + "、".join(EDUCATION) + " 之一", e.expected, e.found) from None


def label(key: str) -> str:
    """The Chinese column label of a GradeReview input, for messages."""
    try:
        return GRADE_REVIEW.column(key).label
    except KeyError:
        return {"current_grade": "现等级"}.get(key, key)


def _nonneg(parse):
    def run(v: Any, key: str):
        value = parse(v)
        if value < 0:
            raise GradeInputError(key, f"{label(key)} 不能为负数", "≥ 0", str(v))
        return value
    return run


def _ratio(v: Any, key: str) -> Decimal:
    value = parse_percent(v)
    if not 0 <= value <= 1:
        raise GradeInputError(key, f"{label(key)} 是比例，必须在 0% 到 100% 之间", "0% – 100%", str(v))
    return value


@dataclass(frozen=True)
class ManagerInputs:
    """One manager's facts for one review year, already read and checked."""

    current_grade: str | None = None
    education: str | None = None
    years_as_cm: Decimal | None = None
    years_in_grade: Decimal | None = None  # years in the current grade
    exam_level: int = 0  # rank of the highest exam passed
    new_clients: int | None = None
    prior_avg_new_clients: Decimal | None = None  # average per year while in the current grade
    lower_avg_new_clients: Decimal | None = None  # average per year while in the grade below the current one
    annual_sales: Decimal | None = None
    prior_year_sales: Decimal | None = None
    company_sales_share: Decimal | None = None
    satisfaction: Decimal | None = None
    complaint_rate: Decimal | None = None
    key_clients: int | None = None
    long_term_ratio: Decimal | None = None
    major_projects: int | None = None
    industry_influence: bool | None = None


_READERS = {
    "current_grade": lambda v, k: parse_level(v, k), "education": parse_education, "exam_level": parse_exam,
    "years_as_cm": _nonneg(parse_number), "years_in_grade": _nonneg(parse_number), "new_clients": _nonneg(parse_int),
    "prior_avg_new_clients": _nonneg(parse_number), "lower_avg_new_clients": _nonneg(parse_number),
    "annual_sales": _nonneg(parse_number), "prior_year_sales": _nonneg(parse_number),
    "company_sales_share": _ratio, "satisfaction": _ratio, "complaint_rate": _ratio, "long_term_ratio": _ratio,
    "key_clients": _nonneg(parse_int), "major_projects": _nonneg(parse_int), "industry_influence": lambda v, k: parse_bool(v),
}


def inputs_from(source: Any) -> ManagerInputs:
    """ManagerInputs from a mapping, a GradeReview row, or raw cell values (a UDF's row).

    Raises GradeInputError for the first value that cannot be read.
    """
    if isinstance(source, ManagerInputs):
        return source
    data = source._asdict() if hasattr(source, "_asdict") else dict(source)
    values = {}
    for name in _NAMES:
        raw = data.get(name)
        if name != "exam_level" and is_blank(raw):
            continue
        values[name] = _read(name, raw)
    return ManagerInputs(**values)


_NAMES = tuple(f.name for f in fields(ManagerInputs))
_SKIP = object()  # a blank cell: the field keeps its default
_MISS = object()
# Types whose equal values read alike (numbers are read to one canonical Decimal or int; -0 as 0);
# the type is part of the key, so True and 1, or 1 and 1.0, never share an entry.
_CACHEABLE = frozenset({str, int, float, bool, Decimal})


def _read(name: str, raw: Any) -> Any:
    try:
        return _READERS[name](raw, name)
    except GradeInputError:
        raise
    except CellError as e:
        raise GradeInputError(name, f"{label(name)}：{e.message}", e.expected, e.found) from None


def inputs_from_row(row: Any, current_grade: str | None, cache: dict) -> ManagerInputs:
    """``inputs_from({**row._asdict(), "current_grade": current_grade})``, reading each distinct cell value of a column once.

    A review reads thousands of rows whose cells repeat (education, exam, counts,
    ratios), so ``cache`` (one per book) keeps each successful read by column,
    type and value. A value that fails is read again every time, so its message
    shows that cell's own text.
    """
    values = {}
    for name in _NAMES:
        raw = current_grade if name == "current_grade" else getattr(row, name, None)
        t = type(raw)
        if t in _CACHEABLE:
            key = (name, t, raw)
            try:
                got = cache.get(key, _MISS)
            except TypeError:  # a signalling NaN cannot be hashed; reading it fails below
                got, key = _MISS, None
            if got is _MISS:
                got = _SKIP if name != "exam_level" and is_blank(raw) else _read(name, raw)
                if key is not None:
                    cache[key] = got
        else:
            got = _SKIP if name != "exam_level" and is_blank(raw) else _read(name, raw)
        if got is not _SKIP:
            values[name] = got
    return ManagerInputs(**values)
