"""Whole random quarters give the same results on the fast paths and the plain ones.

The speed-ups of the performance work each have their own property test; this
one checks them together, end to end, on random synthetic workbooks (random
size, seed and quarter, so Q4's annual rules and grade review are included):

- fast: the Deals sheet still loading when the small sheets are done, so the
  deal-free work starts early and the grade sheets are built ahead; columns of
  one type parsed through their distinct values; output columns written
  column-wise;
- plain: no early start, every column parsed cell by cell, every output cell
  written on its own.

Lines, payout rows, problems and every written sheet must be identical.
"""
from __future__ import annotations

from pathlib import Path

import python_calamine as pc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.synth import make_quarter
from workbook import reader, tables, xlsx_stream
from workbook.flows import calculate_flow


def plain_cells(col, money, strings=None):
    """Every cell alone, text always inline: the fast path's shared strings must read back the same."""
    return [xlsx_stream._cell(v, money) if v.__class__ is not str else (xlsx_stream._text(v) if v else "<c/>") for v in col]


def run(book: Path, out: Path, fast: bool, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(reader, "still_loading", lambda fut: fast)
        if not fast:
            m.setattr(tables, "_single_type_column", lambda *a: None)
            m.setattr(xlsx_stream, "_column_cells", plain_cells)
        res = calculate_flow(book, out=out)
    return res


def sheets(path: Path) -> dict:
    wb = pc.CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10**6), st.integers(50, 900), st.integers(12, 150), st.sampled_from(["2025Q1", "2025Q3", "2025Q4"]))
def test_random_quarters_agree_on_fast_and_plain_paths(tmp_path, monkeypatch, seed, deals, employees, period):
    book = make_quarter(tmp_path / f"q{seed}.xlsx", deals, employees=employees, period=period, seed=seed)
    fast = run(book, tmp_path / "fast.xlsx", True, monkeypatch)
    plain = run(book, tmp_path / "plain.xlsx", False, monkeypatch)
    assert fast.ok == plain.ok
    assert fast.lines == plain.lines and fast.payout == plain.payout and fast.grades == plain.grades
    assert [(p.severity, p.sheet, p.cell, p.message) for p in fast.problems] == [(p.severity, p.sheet, p.cell, p.message) for p in plain.problems]
    if fast.ok:
        assert sheets(tmp_path / "fast.xlsx") == sheets(tmp_path / "plain.xlsx")
