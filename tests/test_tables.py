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
    st.none(), st.just(""), st.just("  "), st.booleans(), st.integers(-5, 5), st.sampled_from([0.0, 1.0, 1.5, -2.0, 1e15]),
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
