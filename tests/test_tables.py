"""The column-wise, memoised parser gives exactly what parsing each cell alone gives.

``parse_column`` caches results per distinct (type, value): a mistake there
(say 1, 1.0 and True sharing an entry) would silently change data, so this
compares it with the plain per-cell reference on random columns.
"""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from workbook.cells import CellError, is_blank, parser_for
from workbook.tables import parse_column

values = st.one_of(
    st.none(), st.just(""), st.just("  "), st.booleans(), st.integers(-5, 5), st.sampled_from([0.0, -0.0, 1.0, 1.5, -2.0, 1e15]),
    st.sampled_from(["1", "1.0", "1,000", "1.2万", "15%", "是", "N", "2026-07-01", "2026Q3", "#N/A", "E001 ", "abc"]),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)),
)
KINDS = ["id", "text", "number", "money", "percent", "int", "date", "month", "period", "year", "bool", "enum:a|b"]


def reference(value, parse):
    if value is None or value == "":
        return None
    try:
        return parse(value)
    except CellError as e:
        return None if is_blank(value) else ("error", e.message)


@settings(max_examples=300, deadline=None)
@given(st.lists(values, max_size=40), st.sampled_from(KINDS))
def test_column_parse_equals_cell_by_cell(column, kind):
    parse = parser_for(kind)
    got = [("error", r.message) if isinstance(r, CellError) else r for r in parse_column(column, parse)]
    want = [reference(v, parse) for v in column]
    assert got == want
    assert [type(g) for g in got] == [type(w) for w in want]  # 1 and True never share an answer


# Columns of a single type take the set-and-map path (and plain ASCII ids or text
# the no-parse path); these strategies aim at exactly those paths and their edges.
texts = st.one_of(
    st.sampled_from(["E001", "E001 ", " E001", "e001", "#N/A", "#n/a", "#REF!", "", "  ", "\t", "A\x1fB", "A\x1f", "x y", "全角", "Ｅ００１", "1.5", "12,000", "是", "2026-07-01", "a|b", "B",
                     "张三", "张\u200b三", "\ufeff李四", "王\u2060五", "ｶ"]),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x3000, blacklist_categories=("Cs",)), max_size=6),
)
floats = st.one_of(st.floats(allow_nan=False), st.sampled_from([0.0, -0.0, 1.0, 1e15, -1e15, 1e16, 0.1 + 0.2, 1234.5678, 1e-20, float("inf")]))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(texts, max_size=40), st.lists(floats, max_size=40), st.lists(st.integers(-3, 10**16), max_size=40),
                 st.lists(st.one_of(st.none(), texts), max_size=20), st.lists(st.one_of(st.none(), floats), max_size=20),
                 st.lists(st.one_of(st.none(), st.dates(min_value=dt.date(1899, 12, 1), max_value=dt.date(2031, 1, 1))), max_size=20),
                 st.lists(st.booleans(), max_size=5), st.lists(st.dates(min_value=dt.date(1899, 12, 1), max_value=dt.date(2031, 1, 1)), max_size=40),
                 st.lists(st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 1, 1)), max_size=10)),
       st.sampled_from(KINDS), st.booleans())
def test_single_type_columns_parse_like_cell_by_cell(column, kind, blanks):
    parse = parser_for(kind)
    issues: list[int] = []
    got = [("error", r.message) if isinstance(r, CellError) else r for r in parse_column(column, parse, issues, blanks)]
    want = [reference(v, parse) for v in column]
    assert got == want
    assert [type(g) for g in got] == [type(w) for w in want]
    assert issues == [i for i, v in enumerate(column) if (reference(v, parse) is None and blanks) or (reference(v, parse) is not None and _fails(v, parse))]


@given(st.sampled_from(KINDS))
def test_a_repeating_column_that_starts_with_text_keeps_1_true_and_1_0_apart(kind):
    """Repeating text columns take their types from their distinct values; a value there may stand for equal ones of other types."""
    column = ["1", "1", "是", 1, True, 1.0, "1", None] * 5
    parse = parser_for(kind)
    got = [("error", r.message) if isinstance(r, CellError) else r for r in parse_column(column, parse, [], True)]
    want = [reference(v, parse) for v in column]
    assert got == want
    assert [type(g) for g in got] == [type(w) for w in want]


def _fails(value, parse) -> bool:
    try:
        parse(value)
    except CellError:
        return True
    return False


# A float column with many distinct values (amounts, margins) is parsed through a
# NumPy sort instead of a set; whole-yuan columns are converted in one pass.
whole_floats = st.integers(-10**15 + 1, 10**15 - 1).map(float)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.lists(floats, min_size=65, max_size=200, unique=True), st.lists(whole_floats, min_size=65, max_size=200, unique=True),
                 st.lists(st.one_of(floats, whole_floats), min_size=65, max_size=200, unique=True)),
       st.lists(st.integers(0, 10**6), max_size=300), st.sampled_from(["number", "money", "percent"]))
def test_many_distinct_floats_parse_like_cell_by_cell(distinct, repeats, kind):
    column = distinct + [distinct[i % len(distinct)] for i in repeats]  # repeats past the first 512 cells too
    parse = parser_for(kind)
    issues: list[int] = []
    got = [("error", r.message) if isinstance(r, CellError) else r for r in parse_column(column, parse, issues, True)]
    want = [reference(v, parse) for v in column]
    assert got == want
    assert [str(g) for g in got] == [str(w) for w in want]  # the same Decimal, exponent included
    assert issues == [i for i, v in enumerate(column) if _fails(v, parse)]


def _repeats_reference(keys: list) -> list[tuple[int, int]]:
    """(row, first row with the same key) of every repeat, by a plain dict: the reference for ``_unique``."""
    seen: dict = {}
    out = []
    for i, k in enumerate(keys):
        first = seen.setdefault(k, i)
        if first != i:
            out.append((i, first))
    return out


def _unique_repeats(columns: list[list], keys: tuple[str, ...]) -> list[tuple[int, int]]:
    from workbook.reader import RawTable
    from workbook.schema import Column, Sheet
    from workbook.tables import _unique

    schema = Sheet("T", "测试", tuple(Column(k, k, "id") for k in keys), unique=keys)
    n = len(columns[0])
    raw = RawTable(schema, "T", 0, {k: j for j, k in enumerate(keys)})
    probs = _unique(raw, schema, columns, list(range(1, n + 1)), bytearray(n))
    return [(int(p.cell[1:]) - 2, int(p.message.split("第 ")[1].split(" 行")[0]) - 2) for p in probs]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["D1", "D2", "D3", "Ｄ1", "d1"]), st.sampled_from(["E1", "E2"])), max_size=30),
       st.booleans())
def test_repeated_keys_found_like_the_plain_loop(pairs, two_keys):
    """Every repeat is named, with the row it repeats, and no distinct key is called a repeat."""
    if not pairs:
        return
    columns = [[a for a, _ in pairs], [b for _, b in pairs]] if two_keys else [[a for a, _ in pairs]]
    keys = ("deal_id", "employee_id") if two_keys else ("deal_id",)
    expected = _repeats_reference(list(zip(*columns)) if two_keys else columns[0])
    assert _unique_repeats(columns, keys) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["D1", "D2"]), st.sampled_from(["E1", "E2", "E3"]), st.sampled_from(["2026Q1", "2026Q2"])), max_size=40))
def test_repeats_of_three_keys_found_like_the_plain_loop(triples):
    """Three key columns (as KPI's employee, period and indicator) combine without a repeat missed or made up."""
    if not triples:
        return
    from workbook.tables import _repeats, encode

    columns = [list(c) for c in zip(*triples)]
    assert _unique_repeats(columns, ("deal_id", "employee_id", "period")) == _repeats_reference(triples)
    for keys in (columns, columns[:2], columns[1:], columns[:1]):
        codes = [encode(c) for c in keys]
        assert _repeats([(len(d), c) for d, c, _ in codes]) == (len(set(zip(*keys))) < len(triples))  # exact, not just "look"


def test_keys_whose_hashes_collide_are_not_repeats():
    """The fast check compares hashes; equal hashes of different keys must still not be reported (hash(-1) == hash(-2))."""
    assert hash(-1) == hash(-2)
    assert _unique_repeats([[-1, -2]], ("deal_id",)) == []
    assert _unique_repeats([[-1, -2, -1]], ("deal_id",)) == [(2, 0)]


def _deals_raw(cells: list[list]):
    from workbook.reader import RawTable
    from workbook.schema import INPUT_SHEETS

    schema = next(s for s in INPUT_SHEETS if s.key == "Deals")
    keys = ["deal_id", "client_id", "employee_id", "signed_on", "amount", "share"]
    return RawTable(schema, "Deals", 0, {k: j for j, k in enumerate(keys)}, [(i + 1, row) for i, row in enumerate(cells)])


def test_parsed_columns_line_up_with_the_rows_and_the_deal_columns_match_a_plain_list():
    """The columns kept with the rows are the rows' own fields, column by column, so
    deal columns built from them equal those pulled out of a plain list of the rows."""
    from workbook.rules.deal_columns import _build
    from workbook.tables import columns_of, parse_table

    rows, probs = parse_table(_deals_raw([["D1", "C1", "E1", dt.date(2025, 3, 1), 1000.0, 0.6],
                                          ["D1", "C1", "E2", dt.date(2025, 3, 1), 1000.0, 0.4],
                                          ["D2", " C2", "E1", "2025-11-30", "2,500", "100%"]]))
    assert not [p for p in probs if p.severity == "error"]
    cols = columns_of(rows)
    assert cols is not None
    for name, column in cols.items():
        assert column == [getattr(r, name) for r in rows], name
    a, b = _build(rows), _build(list(rows))
    assert columns_of(list(rows)) is None
    for f in ("employees", "clients", "amount", "share"):
        assert getattr(a, f) == getattr(b, f)
    for f in ("emp", "client", "deal", "day", "year", "first_row"):
        assert getattr(a, f).tolist() == getattr(b, f).tolist()


def test_rows_dropped_for_bad_cells_keep_no_columns():
    """A dropped row would shift every column against the rows: then there are none to take."""
    from workbook.tables import columns_of, parse_table

    rows, probs = parse_table(_deals_raw([["D1", "C1", "E1", dt.date(2025, 3, 1), 1000.0, 1.0],
                                          ["D2", "C1", "E1", "not a date", 1000.0, 1.0],
                                          ["D3", "C2", "E2", dt.date(2025, 3, 2), 500.0, 1.0]]))
    assert [r.deal_id for r in rows] == ["D1", "D3"]
    assert columns_of(rows) is None


def test_rows_as_locate_leaves_them_parse_like_plain_pairs():
    """``locate`` keeps the row numbers and cells apart (``NumberedRows``); parsing them gives the
    same rows and problems as the plain (row, cells) pairs, blank and short rows included."""
    from workbook.reader import NumberedRows, RawTable, locate
    from workbook.schema import INPUT_SHEETS
    from workbook.tables import parse_table

    schema = next(s for s in INPUT_SHEETS if s.key == "Deals")
    grid = [["标题"], ["deal_id", "client_id", "employee_id", "signed_on", "amount", "share"],
            ["D1", "C1", "E1", dt.date(2025, 3, 1), 1000.0, 1.0],
            [None, "", "  ", None, None, None],  # blank: dropped
            ["D2", "C1", "E2", "bad date", 10.0, 1.0],  # a bad cell: a problem, the row dropped
            ["D3", "C2"],  # short: padded, its missing cells are blanks
            ["D1", "C1", "E1", dt.date(2025, 3, 1), 1000.0, 1.0]]  # a repeat
    raw, _ = locate(schema, "成交", grid, 0, 0)
    assert isinstance(raw.rows, NumberedRows)
    assert [r for r, _ in raw.rows] == [2, 4, 5, 6] and raw.rows[1] == (4, grid[4]) and raw.rows[1:2] == [(4, grid[4])]
    plain = RawTable(raw.schema, raw.title, raw.header_row, raw.cols, [(r, list(cells)) for r, cells in raw.rows])
    assert raw.rows == plain.rows
    (a, pa), (b, pb) = parse_table(raw), parse_table(plain)
    assert a == b and [r.row for r in a] == [3, 7]
    assert [(p.cell, p.message) for p in pa] == [(p.cell, p.message) for p in pb] and len(pa) >= 3
    empty, _ = locate(schema, "成交", grid[1:2], 0, 0)
    assert parse_table(empty) == ([], [])
