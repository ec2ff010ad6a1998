"""Cell values: the one place raw spreadsheet values become typed values.

HR staff type, paste (from WeChat, e-mail, other workbooks) and re-save in Excel,
WPS or LibreOffice; the readers (python-calamine, openpyxl, xlwings) hand us
whatever the cell held: int, float, str, bool, date, datetime, time or None.
Twelve thousand may arrive as ``12000``, ``12000.0``, ``"１２０００"``,
``"12,000"``, ``"1.2万"`` or ``"¥12,000元"``; a date as a datetime, an Excel
serial (46204) or text. The rules:

* Accept what is unambiguous: full-width characters, invisible spaces,
  thousands separators in correct groups of three, 万, %, ¥/元.
* Reject everything else with a reason: ``7/1/2026`` is 1 July or 7 January,
  ``1,2`` is 1.2 or a typo for 12, ``1e5`` is usually a mangled ID, ``TRUE`` in an
  amount column is a mistake rather than 1. :class:`CellError` carries a Chinese
  message saying what to type instead, so ``reader`` can point at the exact cell.
* Never guess: no fuzzy date parsing, no locale lookups, no "probably meant".

Floats are binary approximations and Excel works to 15 significant digits, so a
float is rounded to 15 significant digits first (``1.1*3`` -> ``3.3``). Decimals
come back normalised and never with a positive exponent (``12000``, not ``1.2E+4``).
Blanks are the caller's business (check :func:`is_blank`); every parser rejects one.
Parsers run on millions of cells, so each tests the already-typed case first.
"""
from __future__ import annotations

import datetime as _dt
import math
import numbers
import re
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache
from typing import Callable

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_DROP_ZW = dict.fromkeys(map(ord, _ZERO_WIDTH))
# Every Unicode whitespace character (all lie below U+3001) plus the zero-width ones.
_STRIP = "".join(c for c in map(chr, range(0x3001)) if c.isspace()) + _ZERO_WIDTH
# Characters allowed in structured values before NFKC. Others (superscripts, circled or
# Arabic-Indic digits) would silently become ASCII digits, which is a guess: reject them.
_FOREIGN = re.compile(
    "[^\\x20-\\x7e\\s\u00a5\u00d7\u221a\u2713\u2714\u2717\u2718\uff01-\uff5e\uffe5万元年月日第季度是否一二三四]"
)
_CTX = Context(prec=1000, rounding=ROUND_HALF_UP, Emin=-999_999, Emax=999_999)
_ONE, _ZERO = Decimal(1), Decimal(0)
_EPOCH = _dt.date(1899, 12, 30)  # Excel 1900 system, valid from serial 61 on
_SERIAL_MAX = 2958465  # 9999-12-31
_MAX_ID = 10**15  # Excel keeps 15 significant digits: longer numeric IDs are already damaged
_ERROR_LITERALS = frozenset({
    "#N/A", "#VALUE!", "#DIV/0!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
})
_NUM_HINT = "请填写如 12000、12,000、1.2万 或 15%"
_PCT_HINT = "请填写如 30% 或 0.3"
_INT_HINT = "请填写整数，如 3"
_DATE_HINT = "请填写如 2026-07-01、2026/7/1 或 2026年7月1日"
_MONTH_HINT = "请填写如 2026-07、2026/7 或 2026年7月"
_PERIOD_HINT = "请填写如 2026Q3 或 2026年第3季度"
_YEAR_HINT = "请填写四位年份，如 2026"
_BOOL_HINT = "请填写 是/否、Y/N 或 TRUE/FALSE"
_ID_HINT = "请填写编号，如 A01 或 1001"
_ID_TEXT_HINT = "请把该列设为“文本”格式后重新输入编号"
_TEXT_HINT = "请填写文字"


class CellError(ValueError):
    """A raw value that is not the expected kind. ``message`` (Chinese, = ``str(e)``)
    says what to type instead; ``expected`` names the kind; ``found`` shows the raw value."""

    def __init__(self, message: str, expected: str = "", found: str = "") -> None:
        super().__init__(message)
        self.message, self.expected, self.found = message, expected, found

    def __str__(self) -> str:
        return self.message


def _reject(v: object, expected: str, hint: str, why: str = ""):
    """Raise the most specific CellError for ``v``; ``why`` overrides the generic reason."""
    if why:
        msg = f"{why}：{hint}"
    elif is_blank(v):
        msg = f"单元格为空：{hint}"
    elif isinstance(v, bool):
        msg = f"这里需要{expected}，不能填逻辑值 TRUE/FALSE：{hint}"
    elif isinstance(v, str) and v.strip(_STRIP).startswith(("#", "＃")):
        msg = f"单元格是 Excel 错误值 {v.strip(_STRIP)[:20]}：请检查公式或引用，或直接填写值；{hint}"
    elif isinstance(v, (_dt.date, _dt.time)):
        msg = f"这里需要{expected}，但单元格是日期/时间：请把单元格格式改为“常规”后重新填写；{hint}"
    elif isinstance(v, float) and not math.isfinite(v):
        msg = f"数值无效（{v}）：{hint}"
    else:
        msg = f"无法识别为{expected}：{hint}"
    found = "(空)" if v is None else v.isoformat() if isinstance(v, (_dt.date, _dt.time)) else repr(v)
    raise CellError(msg, expected, found if len(found) <= 60 else found[:57] + "...")


def is_blank(v: object) -> bool:
    """None, '' or a string of (possibly invisible) spaces only."""
    return v is None or (isinstance(v, str) and not v.strip(_STRIP))


def _clean(s: str, nfkc: bool) -> str:
    """Drop zero-width characters, optionally NFKC-normalise, strip surrounding spaces."""
    if s.isascii():
        return s.strip()
    s = _drop_zero_width(s)
    return (unicodedata.normalize("NFKC", s) if nfkc else s).strip()


def _has_zero_width(s: str) -> bool:
    """Whether ``s`` holds a zero-width character: five substring searches, each at C
    speed, where ``str.translate`` with a table looks every character up (30 ms over
    the 50,000 client names of a big book)."""
    return any(z in s for z in _ZERO_WIDTH)


def _drop_zero_width(s: str) -> str:
    return s.translate(_DROP_ZW) if _has_zero_width(s) else s


def cleaning_keeps(s: str, nfkc: bool) -> bool:
    """Whether ``_clean`` would leave ``s`` as it is, up to stripping: no zero-width
    character to drop and (with ``nfkc``) already in NFKC form. Lets a whole column
    be checked at once (``tables``)."""
    if s.isascii():
        return True
    return not _has_zero_width(s) and (not nfkc or unicodedata.is_normalized("NFKC", s))


def _norm(s: str) -> str | None:
    """Cleaned NFKC text of a structured value; None if it holds foreign characters."""
    if s.isascii():
        return s.strip()
    return None if _FOREIGN.search(_drop_zero_width(s)) else _clean(s, nfkc=True)


def _plain(d: Decimal) -> Decimal:
    """Strip trailing zeros but never leave a positive exponent; -0 becomes 0."""
    if not d:
        return _ZERO
    d = d.normalize(_CTX)
    return d.quantize(_ONE, context=_CTX) if d.as_tuple().exponent > 0 else d


def _as_float(v: object) -> float | None:
    """A finite float from a non-bool real number (int, float, Decimal, numpy), else None."""
    if isinstance(v, bool) or not isinstance(v, (numbers.Real, Decimal)):
        return None
    if isinstance(v, Decimal) and not v.is_finite():
        return None
    f = float(v)
    return f if math.isfinite(f) else None


_NUM_RE = re.compile(
    r"(?P<s1>[+-])?\s*(?P<cur>¥)?\s*(?P<s2>[+-])?"
    r"(?P<num>[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
    r"\s*(?P<suf>万元|万|元|%)?"
)


def _text_number(raw: str) -> tuple[Decimal, str, bool] | None:
    """(value, suffix, had ¥) for numeric text, or None when it is not one."""
    s = _norm(raw)
    if s is None or len(s) > 100:
        return None
    m = _NUM_RE.fullmatch(s)
    if m is None or (m["s1"] and m["s2"]) or (m["cur"] and m["suf"] == "%"):
        return None
    d = Decimal(m["num"].replace(",", ""))
    if (m["s1"] or m["s2"]) == "-":
        d = d.copy_negate()
    suf = m["suf"] or ""
    if suf:
        d = d.scaleb(-2 if suf == "%" else 4 if suf[0] == "万" else 0, _CTX)
    return _plain(d), suf, bool(m["cur"])


def _number(v: object, expected: str, hint: str) -> Decimal:
    """Shared by number, percent, int and id; the already-typed cases come first."""
    t = type(v)
    if t is int:
        return Decimal(v)
    if t is float:
        if -1e15 < v < 1e15 and v.is_integer():
            return Decimal(int(v))
        if not math.isfinite(v):
            _reject(v, expected, hint)
        # '.15g' rounds the exact binary value to Excel's 15 significant digits; for
        # every float whose repr has <= 15 digits this is exactly its repr.
        text = format(v, ".15g")
        return _plain(Decimal(text)) if "e" in text else Decimal(text)
    if isinstance(v, str):
        r = _text_number(v)
        if r is None:
            _reject(v, expected, hint)
        if expected == "百分比" and (r[2] or r[1] not in ("", "%")):
            _reject(v, expected, hint, "百分比不能带 ¥、元 或 万")
        return r[0]
    if isinstance(v, Decimal) and v.is_finite():
        return _plain(v)
    if isinstance(v, numbers.Integral) and not isinstance(v, bool):
        return Decimal(int(v))
    f = _as_float(v)
    if f is None:
        _reject(v, expected, hint)
    return _number(f, expected, hint)


def parse_number(v: object) -> Decimal:
    """A finite Decimal from a number or unambiguous numeric text (also used for money)."""
    return _number(v, "数字", _NUM_HINT)


def parse_percent(v: object) -> Decimal:
    """A fraction: numbers already are one (Excel stores 30% as 0.3); '30%' -> 0.3."""
    return _number(v, "百分比", _PCT_HINT)


def parse_int(v: object) -> int:
    """An integral number (3, 3.0, '3', '1.2万'); 3.5 is rejected, never rounded."""
    t = type(v)
    if t is int:
        return v
    if t is float and -1e15 < v < 1e15 and v.is_integer():
        return int(v)
    d = _number(v, "整数", _INT_HINT)
    if d.as_tuple().exponent != 0:  # _plain leaves integers with exponent exactly 0
        _reject(v, "整数", _INT_HINT, "必须是整数，不能有小数")
    return int(d)


_DATE_RE = re.compile(
    r"([0-9]{4})(?:([-/.])([0-9]{1,2})\2([0-9]{1,2})|\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日)"
    r"(?:(?:\s+|T)([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?)?"
)
_AMBIGUOUS_RE = re.compile(r"[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}|[0-9]{6,8}")
_MONTH_RE = re.compile(r"([0-9]{4})(?:[-/]([0-9]{1,2})|\s*年\s*([0-9]{1,2})\s*月)")


def _to_date(v: object, expected: str, hint: str) -> _dt.date:
    """Slow path of parse_date / parse_month: date objects, year-first text, serials."""
    if isinstance(v, _dt.datetime):
        return v.date()
    if isinstance(v, _dt.date):
        return v
    if isinstance(v, str):
        s = _norm(v)
        m = None if s is None else _DATE_RE.fullmatch(s)
        if m is None:
            if s and _AMBIGUOUS_RE.fullmatch(s):
                _reject(v, expected, hint, "日期写法有歧义（年份须为四位并写在最前）")
            _reject(v, expected, hint)
        y = int(m[1])
        mo, d = (int(m[3]), int(m[4])) if m[2] else (int(m[5]), int(m[6]))
        if m[7] is not None and (int(m[7]) > 23 or int(m[8]) > 59 or int(m[9] or 0) > 59):
            _reject(v, expected, hint, "时间部分无效")
        if not 1900 <= y <= 9999:
            _reject(v, expected, hint, f"年份 {y} 超出范围")
        try:
            return _dt.date(y, mo, d)
        except ValueError:
            _reject(v, expected, hint, f"日期不存在（{y}年{mo}月{d}日）")
    return _serial(v, expected, hint)


def _serial(v: object, expected: str, hint: str) -> _dt.date:
    """An Excel 1900-system serial number as a date (a fractional part is a time: dropped)."""
    f = v if type(v) is float and math.isfinite(v) else _as_float(v)
    if f is None:
        _reject(v, expected, hint)
    if 1900 <= f < 2201:  # serials 1900..2200 are 1905 dates: someone typed a year
        _reject(v, expected, hint, "这是一个年份数字而不是日期（Excel 会把它当作 1905 年的日期）")
    n = math.floor(f)
    if not 1 <= n <= _SERIAL_MAX:
        _reject(v, expected, hint, f"日期序号 {v} 超出 Excel 日期范围（1 至 {_SERIAL_MAX}）")
    if n == 60:
        _reject(v, expected, hint, "日期序号 60 是 Excel 虚构的 1900-02-29")
    # Excel counts a non-existent 1900-02-29, so serials below 60 are one day later.
    return _EPOCH + _dt.timedelta(n if n > 60 else n + 1)


def parse_date(v: object) -> _dt.date:
    """A date from a date/datetime, an Excel serial or year-first text; never M/D/Y."""
    t = type(v)
    if t is _dt.date:
        return v
    if t is _dt.datetime:
        return v.date()
    if t is float or t is int:
        return _serial(v, "日期", _DATE_HINT)
    return _to_date(v, "日期", _DATE_HINT)


def parse_month(v: object) -> tuple[int, int]:
    """(year, month) from a date, a serial, '2026-07', '2026/7', '2026年7月' or a full date."""
    t = type(v)
    if t is _dt.date or t is _dt.datetime:
        return v.year, v.month
    if isinstance(v, str):
        s = _norm(v)
        m = None if s is None else _MONTH_RE.fullmatch(s)
        if m is not None:
            y, mo = int(m[1]), int(m[2] or m[3])
            if not (1 <= mo <= 12 and 1900 <= y <= 9999):
                _reject(v, "月份", _MONTH_HINT, "月份不存在")
            return y, mo
    d = _to_date(v, "月份", _MONTH_HINT)
    return d.year, d.month


_PERIOD_RE = re.compile(
    r"([0-9]{4})\s*(?:-?\s*Q([1-4])|年\s*(?:第\s*([1-4一二三四])\s*季度|Q([1-4])))", re.IGNORECASE
)
_CN_DIGIT = {"一": "1", "二": "2", "三": "3", "四": "4"}


def parse_period(v: object) -> str:
    """A quarter: '2026Q3', '2026 q3', '2026-Q3', '2026年Q3', '2026年第3季度' -> '2026Q3'."""
    s = _norm(v) if isinstance(v, str) else None
    m = None if s is None else _PERIOD_RE.fullmatch(s)
    if m is None:
        _reject(v, "季度", _PERIOD_HINT)
    if not 1900 <= int(m[1]) <= 2200:
        _reject(v, "季度", _PERIOD_HINT, "年份超出范围（1900 至 2200）")
    q = m[2] or m[3] or m[4]
    return f"{m[1]}Q{_CN_DIGIT.get(q, q)}"


_YEAR_RE = re.compile(r"([0-9]{4})\s*年?")


def parse_year(v: object) -> int:
    """A four-digit year 1900..2200 from 2026, 2026.0, '2026' or '2026年'."""
    if type(v) is int:
        y = v
    elif isinstance(v, str):
        s = _norm(v)
        m = None if s is None else _YEAR_RE.fullmatch(s)
        y = int(m[1]) if m else None
    else:
        f = _as_float(v)
        y = int(f) if f is not None and f.is_integer() else None
    if y is None:
        _reject(v, "年份", _YEAR_HINT)
    if not 1900 <= y <= 2200:
        _reject(v, "年份", _YEAR_HINT, "年份应在 1900 至 2200 之间")
    return y


_BOOLS = {**dict.fromkeys(("Y", "YES", "TRUE", "T", "1", "是", "√", "✓", "✔"), True),
          **dict.fromkeys(("N", "NO", "FALSE", "F", "0", "否", "×", "✗", "✘"), False)}


def parse_bool(v: object) -> bool:
    """True/False, 1/0, or 是/否, Y/N, YES/NO, TRUE/FALSE, T/F, √/× in any case."""
    if v is True or v is False:
        return v
    if isinstance(v, str):
        got = _BOOLS.get((_norm(v) or "").upper())
    else:
        f = _as_float(v)
        got = None if f is None else True if f == 1 else False if f == 0 else None
    if got is None:
        _reject(v, "是/否", _BOOL_HINT)
    return got


def parse_id(v: object) -> str:
    """An identifier as text. Numeric cells become digits (xlwings' 1001.0 -> '1001')."""
    if type(v) is float and -1e15 < v < 1e15 and v.is_integer():
        return str(int(v))
    if isinstance(v, str):
        s = _clean(v, nfkc=True)
        if s and s.upper() not in _ERROR_LITERALS:
            return s
        _reject(v, "编号", _ID_HINT)
    d = _number(v, "编号", _ID_HINT)
    if d.as_tuple().exponent != 0:
        _reject(v, "编号", _ID_TEXT_HINT, "编号不应带小数")
    if not -_MAX_ID < d < _MAX_ID:
        _reject(v, "编号", _ID_TEXT_HINT, "数字编号超过 15 位，Excel 已丢失末尾数字")
    return str(int(d))


def parse_text(v: object) -> str:
    """Trimmed text; numbers, dates and booleans become their plain text form."""
    if isinstance(v, str):
        s = _clean(v, nfkc=False)
        if s and s.upper() not in _ERROR_LITERALS:
            return s
        _reject(v, "文本", _TEXT_HINT)
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, _dt.datetime):
        return v.date().isoformat() if v.time() == _dt.time(0) else v.isoformat(sep=" ")
    if isinstance(v, (_dt.date, _dt.time)):
        return v.isoformat()
    return format(_number(v, "文本", _TEXT_HINT), "f")


def _fold(s: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", s).casefold().split())


@lru_cache(maxsize=256)
def _enum_parser(choices: tuple[str, ...]) -> Callable[[object], str]:
    lookup = {_fold(c): c for c in choices}
    listed = "、".join(choices)
    hint = f"请从以下选项中选择一个：{listed}"

    def parse(v: object) -> str:
        try:
            s = parse_text(v)
        except CellError:
            _reject(v, listed, hint)
        c = lookup.get(_fold(s))
        if c is None:
            _reject(v, listed, hint, "不是可选值")
        return c

    return parse


def parse_enum(v: object, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (case-insensitive, full-width tolerant), spelled as in ``choices``."""
    return _enum_parser(tuple(choices))(v)


PARSERS: dict[str, Callable[[object], object]] = {
    "id": parse_id, "text": parse_text, "number": parse_number, "money": parse_number,
    "percent": parse_percent, "int": parse_int, "date": parse_date, "month": parse_month,
    "period": parse_period, "year": parse_year, "bool": parse_bool,
}


def parser_for(kind: str) -> Callable[[object], object]:
    """The one-argument parser for a schema column kind, including 'enum:a|b|c'."""
    if kind.startswith("enum:"):
        return _enum_parser(tuple(c.strip() for c in kind[5:].split("|") if c.strip()))
    try:
        return PARSERS[kind]
    except KeyError:
        raise ValueError(f"unknown column kind: {kind!r}") from None
