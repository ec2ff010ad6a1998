"""Tests for workbook.cells: every accepted spelling, every rejection, and properties."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbook import cells
from workbook.cells import (
    PARSERS, CellError, is_blank, parse_bool, parse_date, parse_enum, parse_id, parse_int,
    parse_month, parse_number, parse_percent, parse_period, parse_text, parse_year, parser_for,
)

ZW = "\u200b\u200c\u200d\u2060\ufeff"


def no_exponent(d: D) -> bool:
    return d.as_tuple().exponent <= 0


# ------------------------------------------------------------------ CellError / blank

def test_cell_error_attributes():
    with pytest.raises(CellError) as info:
        parse_number("abc")
    e = info.value
    assert isinstance(e, ValueError)
    assert str(e) == e.message == "无法识别为数字：请填写如 12000、12,000、1.2万 或 15%"
    assert e.expected == "数字"
    assert e.found == "'abc'"


def test_cell_error_found_for_none_and_dates():
    with pytest.raises(CellError) as info:
        parse_number(None)
    assert info.value.found == "(空)"
    assert "为空" in info.value.message
    with pytest.raises(CellError) as info:
        parse_number(dt.date(2026, 7, 1))
    assert info.value.found == "2026-07-01"
    assert "日期" in info.value.message


@pytest.mark.parametrize("v", [None, "", " ", "\t\n", "\u00a0", "\u3000", "\u200b", "\ufeff", "\u2060",
                               "\u200c", "\u200d", " \u200b\u3000\u00a0 ", ZW])
def test_is_blank_true(v):
    assert is_blank(v)


@pytest.mark.parametrize("v", [0, 0.0, False, "0", "a", " x ", "\u200bx", dt.date(2026, 1, 1), "-"])
def test_is_blank_false(v):
    assert not is_blank(v)


# ------------------------------------------------------------------ numbers

@pytest.mark.parametrize("raw, expected", [
    (0, D("0")),
    (12000, D("12000")),
    (-5, D("-5")),
    (10**20, D("100000000000000000000")),
    (12000.0, D("12000")),
    (-0.0, D("0")),
    (1.5, D("1.5")),
    (0.1 + 0.2, D("0.3")),
    (1.1 * 3, D("3.3")),
    (3.3000000000000003, D("3.3")),
    (0.30000000000000004, D("0.3")),
    (1234.5600000000001, D("1234.56")),
    (100000.0, D("100000")),
    (1e20, D("100000000000000000000")),
    (1e15, D("1000000000000000")),
    (123456789012345678.0, D("123456789012346000")),
    (0.000001, D("0.000001")),
    (D("1E+5"), D("100000")),
    (D("12.50"), D("12.5")),
    ("12000", D("12000")),
    ("-1234.5", D("-1234.5")),
    ("+12", D("12")),
    ("0", D("0")),
    ("-0", D("0")),
    ("007", D("7")),
    (".5", D("0.5")),
    ("12.500", D("12.5")),
    ("12,000", D("12000")),
    ("1,234,567.89", D("1234567.89")),
    ("-1,234", D("-1234")),
    ("1.2万", D("12000")),
    ("3万", D("30000")),
    ("0.5万", D("5000")),
    ("1.2万元", D("12000")),
    ("15%", D("0.15")),
    ("100%", D("1")),
    ("-2.5%", D("-0.025")),
    ("15 %", D("0.15")),
    ("¥12,000", D("12000")),
    ("￥12000", D("12000")),
    ("12000元", D("12000")),
    ("¥ 12,000.50元", D("12000.5")),
    ("-¥500", D("-500")),
    ("¥-500", D("-500")),
    ("１２０００", D("12000")),
    ("１２，０００", D("12000")),
    ("１．５", D("1.5")),
    ("１５％", D("0.15")),
    ("－３", D("-3")),
    ("  12000  ", D("12000")),
    ("\u00a012000\u3000", D("12000")),
    ("\u200b12000\ufeff", D("12000")),
    ("12\u200b000", D("12000")),
    ("12000\n", D("12000")),
])
def test_parse_number_accepts(raw, expected):
    got = parse_number(raw)
    assert isinstance(got, D)
    assert got == expected
    assert str(got) == str(expected)  # same representation: normalised, no exponent
    assert no_exponent(got)


@pytest.mark.parametrize("raw", [
    "", "   ", "\u200b", None,
    "abc", "12a", "a12", "1e5", "1E5", "1.5e3", "nan", "NaN", "inf", "-inf", "Infinity",
    "(500)", "--5", "+-5", "-+5", "-¥-5", "1,2", "12,00", "1,2345", "1,234,56", ",123", "0,123",
    "1.2.3", "1..2", "1.", ".", "-", "+", "¥", "元", "万", "%",
    "1.2万%", "15%万", "¥15%", "15%%", "1 2", "12 000", "1_000", "0x10",
    "1²", "①", "١٢", "12万万", "五", "一万",
    "#N/A", "#VALUE!", "#DIV/0!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#whatever",
    True, False, float("nan"), float("inf"), float("-inf"), D("NaN"), D("Infinity"),
    dt.date(2026, 7, 1), dt.datetime(2026, 7, 1, 12, 0), dt.time(12, 30), [1], object(),
    "1" * 200,
])
def test_parse_number_rejects(raw):
    with pytest.raises(CellError) as info:
        parse_number(raw)
    assert info.value.expected == "数字"
    assert info.value.message  # Chinese text saying what to type


@pytest.mark.parametrize("raw", ["#N/A", "#VALUE!", "#DIV/0!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#foo"])
def test_excel_error_values_are_named(raw):
    with pytest.raises(CellError) as info:
        parse_number(raw)
    assert "Excel 错误值" in info.value.message


@pytest.mark.parametrize("raw", [True, False])
def test_booleans_rejected_in_number_columns(raw):
    for parse in (parse_number, parse_percent, parse_int):
        with pytest.raises(CellError) as info:
            parse(raw)
        assert "TRUE/FALSE" in info.value.message


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_floats_rejected(raw):
    for parse in (parse_number, parse_percent, parse_int, parse_date, parse_id, parse_year, parse_text):
        with pytest.raises(CellError):
            parse(raw)


def test_huge_float_has_no_exponent():
    d = parse_number(1.7976931348623157e308)
    assert d.is_finite() and no_exponent(d)
    assert len(str(d)) == 309


# ------------------------------------------------------------------ percent / int

@pytest.mark.parametrize("raw, expected", [
    (0.3, D("0.3")),
    (1, D("1")),
    (0, D("0")),
    (0.15000000000000002, D("0.15")),
    ("0.3", D("0.3")),
    ("30%", D("0.3")),
    ("30 %", D("0.3")),
    ("３０％", D("0.3")),
    ("12.5%", D("0.125")),
    ("150%", D("1.5")),
    ("-5%", D("-0.05")),
])
def test_parse_percent_accepts(raw, expected):
    got = parse_percent(raw)
    assert got == expected and str(got) == str(expected)


@pytest.mark.parametrize("raw", ["30%%", "¥30", "30元", "1万", "abc", "", None, True, dt.date(2026, 1, 1), float("nan")])
def test_parse_percent_rejects(raw):
    with pytest.raises(CellError) as info:
        parse_percent(raw)
    assert info.value.expected == "百分比"


@pytest.mark.parametrize("raw, expected", [
    (3, 3), (3.0, 3), (-2.0, -2), ("3", 3), ("3.0", 3), ("1,200", 1200), ("1.2万", 12000), ("３", 3),
    (D("4.00"), 4), (1e15, 10**15), ("100%", 1),
])
def test_parse_int_accepts(raw, expected):
    got = parse_int(raw)
    assert type(got) is int and got == expected


@pytest.mark.parametrize("raw", [3.5, "3.5", "15%", 0.1, True, None, "", "abc", dt.date(2026, 1, 1), float("inf")])
def test_parse_int_rejects(raw):
    with pytest.raises(CellError) as info:
        parse_int(raw)
    assert info.value.expected == "整数"


def test_parse_int_fraction_message():
    with pytest.raises(CellError) as info:
        parse_int(3.5)
    assert "整数" in info.value.message and info.value.found == "3.5"


# ------------------------------------------------------------------ dates

def test_serial_46204_is_2026_07_01():
    assert dt.date(1899, 12, 30) + dt.timedelta(46204) == dt.date(2026, 7, 1)
    assert parse_date(46204) == dt.date(2026, 7, 1)
    assert parse_date(46204.0) == dt.date(2026, 7, 1)
    assert parse_date(46204.75) == dt.date(2026, 7, 1)
    assert parse_date(D("46204")) == dt.date(2026, 7, 1)


@pytest.mark.parametrize("raw, expected", [
    (dt.date(2026, 7, 1), dt.date(2026, 7, 1)),
    (dt.datetime(2026, 7, 1, 15, 30), dt.date(2026, 7, 1)),
    (61, dt.date(1900, 3, 1)),
    (59, dt.date(1900, 2, 28)),  # Excel's serials before its fictitious 1900-02-29
    (1, dt.date(1900, 1, 1)),
    (2958465, dt.date(9999, 12, 31)),
    (45658, dt.date(2025, 1, 1)),
    ("2026-07-01", dt.date(2026, 7, 1)),
    ("2026-7-1", dt.date(2026, 7, 1)),
    ("2026/7/1", dt.date(2026, 7, 1)),
    ("2026/07/01", dt.date(2026, 7, 1)),
    ("2026.7.1", dt.date(2026, 7, 1)),
    ("2026年7月1日", dt.date(2026, 7, 1)),
    ("2026年07月01日", dt.date(2026, 7, 1)),
    ("2026-07-01 00:00:00", dt.date(2026, 7, 1)),
    ("2026/7/1 12:30", dt.date(2026, 7, 1)),
    ("2026-07-01T08:15:00", dt.date(2026, 7, 1)),
    ("２０２６－０７－０１", dt.date(2026, 7, 1)),
    ("２０２６年７月１日", dt.date(2026, 7, 1)),
    (" 2026-07-01\u200b ", dt.date(2026, 7, 1)),
    ("2024-02-29", dt.date(2024, 2, 29)),
])
def test_parse_date_accepts(raw, expected):
    got = parse_date(raw)
    assert type(got) is dt.date and got == expected


@pytest.mark.parametrize("raw", [
    "7/1/2026", "1/7/2026", "20260701", "26-7-1", "26/07/01", "2026-02-30", "2025-02-29", "2026-13-01",
    "2026-00-10", "2026-7/1", "2026-07", "July 1, 2026", "2026-07-01 25:00", "明天", "", "  ", None,
    "#N/A", True, False, 0, -1, 0.5, 60, 2958466, 1e10, float("nan"), float("inf"), "46204",
    2026, 2026.07, dt.time(12, 0), "0999-01-01",
])
def test_parse_date_rejects(raw):
    with pytest.raises(CellError) as info:
        parse_date(raw)
    assert info.value.expected == "日期"


def test_parse_date_nonexistent_message():
    with pytest.raises(CellError) as info:
        parse_date("2026-02-30")
    assert "日期不存在" in info.value.message


def test_parse_date_ambiguous_message():
    with pytest.raises(CellError) as info:
        parse_date("7/1/2026")
    assert "歧义" in info.value.message


@pytest.mark.parametrize("raw, expected", [
    (dt.date(2026, 7, 15), (2026, 7)),
    (dt.datetime(2026, 7, 15, 9, 0), (2026, 7)),
    (46204, (2026, 7)),
    ("2026-07", (2026, 7)),
    ("2026-7", (2026, 7)),
    ("2026/7", (2026, 7)),
    ("2026/12", (2026, 12)),
    ("2026年7月", (2026, 7)),
    ("２０２６年７月", (2026, 7)),
    ("2026-07-01", (2026, 7)),
    ("2026/7/31", (2026, 7)),
    ("2026年7月1日", (2026, 7)),
])
def test_parse_month_accepts(raw, expected):
    assert parse_month(raw) == expected


@pytest.mark.parametrize("raw", ["2026-13", "2026-00", "202607", "7/2026", "26-07", "July", "2026", "", None,
                                 True, 2026, 2026.07, "2026.7", "2026-02-30"])
def test_parse_month_rejects(raw):
    with pytest.raises(CellError) as info:
        parse_month(raw)
    assert info.value.expected == "月份"


@pytest.mark.parametrize("raw, expected", [
    ("2026Q3", "2026Q3"), ("2026q3", "2026Q3"), ("2026 Q3", "2026Q3"), ("2026-Q3", "2026Q3"),
    ("2026年第3季度", "2026Q3"), ("2026年Q3", "2026Q3"), ("2026年第三季度", "2026Q3"),
    ("２０２６Ｑ１", "2026Q1"), (" 2026Q4\u200b", "2026Q4"), ("2026-q2", "2026Q2"),
])
def test_parse_period_accepts(raw, expected):
    assert parse_period(raw) == expected


@pytest.mark.parametrize("raw", ["2026Q5", "2026Q0", "2026Q", "Q3", "2026", "26Q3", "Q3 2026", "2026年第5季度",
                                 "2026-07", "", None, 2026, 2026.3, True, dt.date(2026, 7, 1), "1800Q1"])
def test_parse_period_rejects(raw):
    with pytest.raises(CellError) as info:
        parse_period(raw)
    assert info.value.expected == "季度"


@pytest.mark.parametrize("raw, expected", [
    (2026, 2026), (2026.0, 2026), ("2026", 2026), ("2026年", 2026), ("２０２６", 2026), (1900, 1900), (2200, 2200),
    (D("2026"), 2026),
])
def test_parse_year_accepts(raw, expected):
    got = parse_year(raw)
    assert type(got) is int and got == expected


@pytest.mark.parametrize("raw", [1899, 2201, 2026.5, "26", "20260", "2026年7月", "", None, True,
                                 dt.date(2026, 1, 1), float("nan"), "二〇二六"])
def test_parse_year_rejects(raw):
    with pytest.raises(CellError) as info:
        parse_year(raw)
    assert info.value.expected == "年份"


# ------------------------------------------------------------------ bool

@pytest.mark.parametrize("raw, expected", [
    (True, True), (False, False), (1, True), (0, False), (1.0, True), (0.0, False),
    ("Y", True), ("y", True), ("YES", True), ("yes", True), ("是", True), ("TRUE", True), ("true", True),
    ("T", True), ("1", True), ("√", True), ("Ｙ", True), (" 是 ", True),
    ("N", False), ("n", False), ("NO", False), ("No", False), ("否", False), ("FALSE", False), ("f", False),
    ("0", False), ("×", False), ("\u3000否\u200b", False),
])
def test_parse_bool_accepts(raw, expected):
    assert parse_bool(raw) is expected


@pytest.mark.parametrize("raw", [2, -1, 0.5, "2", "1.0", "maybe", "是的", "OK", "x", "", None, float("nan"),
                                 dt.date(2026, 1, 1), "#N/A"])
def test_parse_bool_rejects(raw):
    with pytest.raises(CellError) as info:
        parse_bool(raw)
    assert info.value.expected == "是/否"


# ------------------------------------------------------------------ id / text / enum

@pytest.mark.parametrize("raw, expected", [
    (1001, "1001"), (1001.0, "1001"), ("1001", "1001"), (" A01\u200b ", "A01"), ("Ａ０１", "A01"),
    ("\u00a0E-007\u3000", "E-007"), ("A\u200b01", "A01"), ("007", "007"), (D("1001"), "1001"),
    (123456789012345, "123456789012345"), ("客户甲", "客户甲"),
])
def test_parse_id_accepts(raw, expected):
    assert parse_id(raw) == expected


@pytest.mark.parametrize("raw", [1001.5, True, False, dt.date(2026, 1, 1), dt.datetime(2026, 1, 1), "", "  \u200b",
                                 None, float("nan"), float("inf"), "#N/A", 1e16, 10**18])
def test_parse_id_rejects(raw):
    with pytest.raises(CellError) as info:
        parse_id(raw)
    assert info.value.expected == "编号"


def test_parse_id_long_number_message():
    with pytest.raises(CellError) as info:
        parse_id(110101199001011234.0)  # an ID-card number Excel already truncated
    assert "15 位" in info.value.message


@pytest.mark.parametrize("raw, expected", [
    ("  张三  ", "张三"), ("\u200b李四\ufeff", "李四"), ("\u3000王五", "王五"), ("Ａ组", "Ａ组"),
    (12, "12"), (12.0, "12"), (12.5, "12.5"), (0.1 + 0.2, "0.3"), (1e20, "100000000000000000000"),
    (True, "TRUE"), (False, "FALSE"), (dt.date(2026, 7, 1), "2026-07-01"),
    (dt.datetime(2026, 7, 1), "2026-07-01"), (dt.datetime(2026, 7, 1, 9, 30), "2026-07-01 09:30:00"),
    (dt.time(9, 30), "09:30:00"), ("#1 客户", "#1 客户"),
])
def test_parse_text_accepts(raw, expected):
    assert parse_text(raw) == expected


@pytest.mark.parametrize("raw", ["#N/A", "#VALUE!", "#DIV/0!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "", " ",
                                 None, float("nan")])
def test_parse_text_rejects(raw):
    with pytest.raises(CellError):
        parse_text(raw)


CHOICES = ("software", "secondary_dev", "implementation")


@pytest.mark.parametrize("raw, expected", [
    ("software", "software"), ("Software", "software"), (" SECONDARY_DEV ", "secondary_dev"),
    ("ｓｏｆｔｗａｒｅ", "software"),
])
def test_parse_enum_accepts(raw, expected):
    assert parse_enum(raw, CHOICES) == expected


def test_parse_enum_chinese_and_fullwidth():
    assert parse_enum("高中／中专", ("高中/中专", "大专")) == "高中/中专"


@pytest.mark.parametrize("raw", ["hardware", "", None, 1, "soft ware"])
def test_parse_enum_rejects(raw):
    with pytest.raises(CellError) as info:
        parse_enum(raw, CHOICES)
    assert info.value.expected == "software、secondary_dev、implementation"
    assert "software" in info.value.message


# ------------------------------------------------------------------ registry

def test_parsers_cover_schema_kinds():
    from workbook import schema

    assert set(PARSERS) == {"id", "text", "number", "money", "percent", "int", "date", "month", "period", "year", "bool"}
    assert PARSERS["money"] is parse_number
    for sheet in schema.INPUT_SHEETS:
        for col in sheet.columns:
            assert callable(parser_for(col.kind))


def test_parser_for_enum_and_unknown():
    p = parser_for("enum:shortfall|excess")
    assert p("Excess") == "excess"
    with pytest.raises(CellError):
        p("other")
    assert parser_for("number") is parse_number
    with pytest.raises(ValueError):
        parser_for("nonsense")


# ------------------------------------------------------------------ properties

anything = st.one_of(
    st.text(), st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.booleans(), st.none(),
    st.dates(), st.datetimes(),
)
numberish_text = st.from_regex(r"\A[ ¥￥+\-0-9０-９,，.．%％万元#eE]{0,12}\Z")


@settings(max_examples=400)
@given(st.one_of(anything, numberish_text))
def test_property_number_like_parsers(v):
    for parse in (parse_number, parse_percent):
        try:
            d = parse(v)
        except CellError:
            continue
        assert isinstance(d, D) and d.is_finite() and no_exponent(d)
    try:
        n = parse_int(v)
    except CellError:
        pass
    else:
        assert type(n) is int


@settings(max_examples=300)
@given(anything)
def test_property_other_parsers(v):
    for parse, typ in ((parse_date, dt.date), (parse_bool, bool), (parse_id, str), (parse_period, str),
                       (parse_text, str), (parse_year, int)):
        try:
            got = parse(v)
        except CellError:
            continue
        assert isinstance(got, typ)
        if typ is str:
            assert got and got == got.strip()
    try:
        y, m = parse_month(v)
    except CellError:
        pass
    else:
        assert 1 <= m <= 12


@given(st.decimals(places=2, allow_nan=False, allow_infinity=False, min_value=-10**9, max_value=10**9))
def test_property_round_trip(d):
    assert parse_number(f"{d:,}") == d
    assert parse_number(float(d)) == d
    assert parse_number(str(d)) == d


@given(st.integers(min_value=1, max_value=2958465).filter(lambda n: n != 60))
def test_property_serials(n):
    got = parse_date(n) if not 1900 <= n <= 2200 else None
    if got is not None:
        assert dt.date(1, 1, 1) < got <= dt.date(9999, 12, 31)
        if n > 60:
            assert got == dt.date(1899, 12, 30) + dt.timedelta(n)


@given(st.dates(min_value=dt.date(1900, 1, 1)))
def test_property_iso_dates_round_trip(d):
    assert parse_date(d.isoformat()) == d
    assert parse_date(f"{d.year}/{d.month}/{d.day}") == d
    assert parse_date(f"{d.year}年{d.month}月{d.day}日") == d
    assert parse_month(d) == (d.year, d.month)


def test_module_has_no_xlwings_import():
    src = open(cells.__file__, encoding="utf-8").read()
    assert "import xlwings" not in src and "from xlwings" not in src
