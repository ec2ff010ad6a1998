"""The column-wise sheet writer emits exactly what writing each cell alone emits.

``xlsx_stream`` converts whole columns at once (escaping a joined column, one
join per chunk of rows) because a quarter writes millions of cells. A slip there
would corrupt a payout sheet, so this compares it with the plain per-cell
``_cell`` reference on random tables, and checks a written file reads back.
"""
from __future__ import annotations

import zipfile
from decimal import Decimal

import python_calamine as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbook.xlsx_stream import CHUNK_ROWS, SheetData, _cell, sheet_xml, write_xlsx

cells = st.one_of(
    st.none(), st.just(""), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**9, max_value=10**9),
    st.sampled_from(["a", " a", "a ", "  ", "x<y", "A&B", "a>b", "X < C 且 A ≥ 1", "line\nbreak", "bad\x01char", "\t", "全角　", "=SUM(A1)"]),
    st.text(max_size=8),
)


def reference(sheet: SheetData) -> str:
    rows = []
    for r in sheet.rows:
        r = tuple(r) + (None,) * (len(sheet.header) - len(r))
        rows.append("<row>" + "".join(_cell(v, "2" if i in sheet.money_columns else None) for i, v in enumerate(r)) + "</row>")
    return "".join(rows)


def body(xml: str) -> str:
    start = xml.index("</row>") + len("</row>")  # after the header row
    return xml[start:xml.index("</sheetData>")]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5).flatmap(lambda w: st.tuples(st.just(w), st.lists(st.lists(cells, min_size=w, max_size=w), max_size=12))),
       st.sets(st.integers(0, 4)))
def test_columnwise_xml_equals_cell_by_cell(shape, money):
    width, rows = shape
    sheet = SheetData("T", [f"h{i}" for i in range(width)], [tuple(r) for r in rows], frozenset(money))
    assert body("".join(sheet_xml(sheet))) == reference(sheet)


def test_single_type_columns_take_the_fast_path_and_still_match():
    rows = [(f"E{i:05d}", Decimal(i) / 100, "X < C" if i % 3 else " lead", "A&B") for i in range(50)]
    sheet = SheetData("T", ["a", "b", "c", "d"], rows, frozenset({1}))
    assert body("".join(sheet_xml(sheet))) == reference(sheet)


def test_a_written_book_reads_back_across_chunks(tmp_path):
    n = CHUNK_ROWS + 7
    rows = [(f"E{i}", Decimal(i) / 4, "x<y&z" if i % 2 else "") for i in range(n)]
    path = tmp_path / "out.xlsx"
    write_xlsx(path, [SheetData("结果", ["id", "amount", "note"], rows, frozenset({1})), SheetData("空", ["x"], [])])
    wb = pc.CalamineWorkbook.from_path(str(path))
    grid = wb.get_sheet_by_name("结果").to_python()
    assert len(grid) == n + 1
    assert grid[1] == ["E0", 0.0, ""] and grid[2] == ["E1", 0.25, "x<y&z"] and grid[-1][0] == f"E{n - 1}"
    assert wb.get_sheet_by_name("空").to_python() == [["x"]]


def test_an_error_while_building_a_sheet_is_raised_not_swallowed(tmp_path):
    def rows():
        yield ("a",)
        raise ValueError("boom")

    try:
        write_xlsx(tmp_path / "x.xlsx", [SheetData("T", ["h"], rows())])
    except ValueError as e:
        assert str(e) == "boom"
    else:
        raise AssertionError("the builder's error was lost")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["通过", "未通过", " a", "x<y", "A&B", "", None, "bad\x01", "line\nbreak"]), min_size=65, max_size=300),
       st.lists(st.text(max_size=3), min_size=65, max_size=300))
def test_long_repetitive_text_columns_match_cell_by_cell(repeated, mixed):
    n = min(len(repeated), len(mixed))
    sheet = SheetData("T", ["a", "b"], list(zip(repeated[:n], mixed[:n])))
    assert body("".join(sheet_xml(sheet))) == reference(sheet)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([2025, 2026, 0, -1, 10**16, "2025", "", None, True, False, 1]), min_size=65, max_size=300),
       st.booleans())
def test_long_repetitive_columns_of_numbers_and_text_match_cell_by_cell(repeated, money):
    """Years and the like are built once per distinct value; 1 and True (equal in Python) stay distinct cells."""
    sheet = SheetData("T", ["a", "b"], [(v, v) for v in repeated], frozenset({1}) if money else frozenset())
    assert body("".join(sheet_xml(sheet))) == reference(sheet)


def test_repeating_texts_are_shared_and_read_back_exactly(tmp_path):
    """A results book stores repeating texts once (sharedStrings); every reader sees the same values as inline text would give."""
    import openpyxl

    texts = ["通过", " lead", "trail ", "A&B", "x<y>z", "bad\x01char", "", None, "=SUM(A1)"]
    n = CHUNK_ROWS + 70
    rows = [(texts[i % len(texts)], f"E{i}", i % 3, Decimal(i) / 4) for i in range(n)]
    path = tmp_path / "out.xlsx"
    write_xlsx(path, [SheetData("结果", ["status", "id", "k", "amount"], rows, frozenset({3})), SheetData("二", ["s"], [(t,) for t in texts * 10])])
    with zipfile.ZipFile(path) as zf:
        assert zf.read("xl/worksheets/sheet1.xml").count(b't="s"') == sum(1 for r in rows if r[0])  # the repeating column is shared ...
        unique = zf.read("xl/sharedStrings.xml").count(b"<si>")
    assert unique == len([t for t in texts if t])  # ... once per distinct text, both sheets together

    def shown(v):
        return None if v in ("", None) else v.replace("\x01", "")

    wb = openpyxl.load_workbook(path)
    got = [tuple(c.value for c in r) for r in wb["结果"].iter_rows(min_row=2)]
    assert [g[0] for g in got] == [shown(r[0]) for r in rows]
    assert [g[1] for g in got] == [r[1] for r in rows] and [g[2] for g in got] == [r[2] for r in rows]
    grid = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("二").to_python()
    assert [r[0] for r in grid[1:]] == [shown(t) or "" for t in texts * 10]


def test_shared_texts_are_numbered_in_order_of_first_use(tmp_path):
    """Not in a set's order, which changes from process to process: the same tables give the same file."""
    import re

    rows = [("通过" if i % 2 else "未通过", f"E{i % 7}") for i in range(300)]
    parts = []
    for name in ("a.xlsx", "b.xlsx"):
        write_xlsx(tmp_path / name, [SheetData("T", ["s", "e"], rows)])
        with zipfile.ZipFile(tmp_path / name) as zf:
            parts.append({n: zf.read(n) for n in zf.namelist()})
    assert parts[0] == parts[1]
    texts = [t.decode() for t in re.findall(rb"<si><t>([^<]*)</t></si>", parts[0]["xl/sharedStrings.xml"])]
    assert texts == ["未通过", "通过"] + [f"E{i}" for i in range(7)]  # a chunk is built column by column


def test_a_column_that_starts_with_text_still_keeps_1_and_true_apart():
    """Text columns take their types from their distinct values; a key like 1 also stands for an equal True or 1.0."""
    values = ["", None, "通过", 1, True, 1.0, Decimal(1), 2025] * 20
    sheet = SheetData("T", ["a"], [(v,) for v in values])
    assert body("".join(sheet_xml(sheet))) == reference(sheet)
    assert '<c t="b"><v>1</v></c>' in body("".join(sheet_xml(sheet)))


def test_a_sheet_rendered_ahead_gives_the_same_package_as_one_rendered_in_place(tmp_path):
    """A sheet's XML made ahead with the book's shared strings, then ``write_xlsx``: the parts are those of
    a plain write that renders the same sheets in the same numbering order; the first sheet never."""
    from workbook.xlsx_stream import SharedStrings

    first = SheetData("Results", ["employee_id", "status"], [("E1", "发放"), ("E2", "驳回")] * 40)
    later = SheetData("GradeDetail", ["employee_id", "passed"], [("E2", "是"), ("E3", "否")] * 40)
    strings = SharedStrings()
    ahead = SheetData(later.title, later.header, later.rows, xml=[t.encode() for t in sheet_xml(later, strings=strings)])
    write_xlsx(tmp_path / "a.xlsx", [first, ahead], strings)
    plain = SharedStrings()
    "".join(sheet_xml(later, strings=plain))  # the same numbering order: the later sheet's texts first
    write_xlsx(tmp_path / "b.xlsx", [first, later], plain)
    with zipfile.ZipFile(tmp_path / "a.xlsx") as a, zipfile.ZipFile(tmp_path / "b.xlsx") as b:
        assert {n: a.read(n) for n in a.namelist()} == {n: b.read(n) for n in b.namelist()}
    with pytest.raises(ValueError):
        write_xlsx(tmp_path / "c.xlsx", [ahead, first], strings)
