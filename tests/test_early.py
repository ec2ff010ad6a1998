"""Starting the deal-free work while Deals loads changes when, never what.

``early`` runs the ledger gate, rule checks and computations, the grade review
and the coefficients on a book whose Deals sheet is still pending. Whether it
gets the chance depends on timing, so these tests force each path and compare
whole calculate runs: lines, payout, problems and the written results book.
"""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from bench.synth import make_quarter
from tests.lifecycle_data import CHECKER, DATA, write_book
from workbook import reader
from workbook.early import Early, start
from workbook.flows import calculate_flow, lock_flow
from workbook.load import load_book
from workbook.model import SheetPending


def run(path: Path, out: Path, early: bool, monkeypatch, ledger_url: str | None = None):
    calls = []
    monkeypatch.setattr(reader, "still_loading", lambda fut: calls.append(1) or early)
    res = calculate_flow(path, out=out, ledger_url=ledger_url)
    assert calls, "the Deals sheet was not read last"
    return res


def sheets(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def same_run(a, b) -> None:
    assert a.ok == b.ok
    assert a.lines == b.lines
    assert a.payout == b.payout
    assert [(p.severity, p.sheet, p.cell, p.message) for p in a.problems] == [(p.severity, p.sheet, p.cell, p.message) for p in b.problems]
    assert a.summary == b.summary


@pytest.fixture(scope="module")
def quarter(tmp_path_factory) -> Path:
    """A Q4 book with every component's sheets filled (grade review included)."""
    return make_quarter(tmp_path_factory.mktemp("early") / "q.xlsx", 3000, employees=300)


def test_a_full_quarter_gives_the_same_results_with_and_without_the_early_start(quarter, tmp_path, monkeypatch):
    a = run(quarter, tmp_path / "a.xlsx", True, monkeypatch)
    b = run(quarter, tmp_path / "b.xlsx", False, monkeypatch)
    assert a.ok and a.grades
    same_run(a, b)
    assert a.grades == b.grades
    assert sheets(tmp_path / "a.xlsx") == sheets(tmp_path / "b.xlsx")
    assert parts(tmp_path / "a.xlsx") == parts(tmp_path / "b.xlsx")  # the deal-free sheets rendered ahead or not: the same XML


def parts(path: Path) -> dict[str, bytes]:
    """Every part of a package, uncompressed: the same file, whatever the zip's layout or timestamps."""
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_the_deal_free_sheets_are_rendered_ahead_only_for_a_results_book(quarter, tmp_path, monkeypatch):
    """Ahead of Deals, the grade and coefficient sheets' XML is made for a separate results book
    (and used there); a calculate into the book itself writes through its own path and makes none."""
    rendered = []
    import workbook.flows as flows

    import workbook.writer as writer

    real = flows.prerender
    monkeypatch.setattr(flows, "prerender", lambda tables, **kw: rendered.append(sorted(tables)) or real(tables, **kw))
    monkeypatch.setattr(writer, "prerender", lambda tables: pytest.fail("rendered again at the end"))
    run(quarter, tmp_path / "a.xlsx", True, monkeypatch)
    assert rendered == [["Coefficients", "GradeDetail", "Grades"]]
    with zipfile.ZipFile(tmp_path / "a.xlsx") as zf:
        assert zf.namelist().index("xl/worksheets/sheet4.xml") < zf.namelist().index("xl/worksheets/sheet1.xml")  # rendered ahead: first in the package
    rendered.clear()
    inplace = tmp_path / "inplace.xlsx"
    shutil.copy(quarter, inplace)
    run(inplace, None, True, monkeypatch)
    assert rendered == []


def test_the_early_start_does_the_deal_free_parts_and_leaves_the_rest(quarter, monkeypatch):
    monkeypatch.setattr(reader, "still_loading", lambda fut: True)
    seen: list[Early] = []

    def meanwhile(book, loading):
        with pytest.raises(SheetPending):
            book.rows("Deals")
        book, early = start(book, None)
        seen.append(early)
        return book

    book, _ = load_book(quarter, meanwhile=meanwhile)
    (early,) = seen
    assert {"KP", "SA", "KC", "SC", "PP", "PN"} <= set(early.computed)
    assert not {"NC", "MT", "TM", "AC", "KA"} & set(early.computed)  # they read deals
    assert book.rows("Deals")  # settled: Deals is there for the usual order


def test_an_invalid_book_reports_the_same_problems_either_way(quarter, tmp_path, monkeypatch):
    bad = tmp_path / "bad.xlsx"
    shutil.copy(quarter, bad)
    wb = openpyxl.load_workbook(bad)
    emp = next(ws for ws in wb.worksheets if "Employees" in ws.title)
    kpi = next(ws for ws in wb.worksheets if "KPI" in ws.title)
    emp.cell(3, 1).value = None  # an employee without an id
    kpi.cell(2, 4).value = "很多"  # a weight that is not a number
    wb.save(bad)
    a = run(bad, tmp_path / "a.xlsx", True, monkeypatch)
    b = run(bad, tmp_path / "b.xlsx", False, monkeypatch)
    assert not a.ok
    same_run(a, b)


def test_carried_state_and_a_lock_are_respected_by_the_early_start(tmp_path, monkeypatch):
    """Q3 locked in the ledger: Q3 again is refused either way; Q4 carries Q3's state the same way."""
    home = tmp_path / "home"
    data = {k: [dict(r) for r in v] for k, v in DATA.items()}
    data["Settings"] = data["Settings"] + [{"key": "data_home", "value": str(home)}]
    q3 = write_book(tmp_path / "q3.xlsx", data)
    assert calculate_flow(q3).ok
    assert lock_flow(q3, CHECKER).ok
    a = run(q3, tmp_path / "a.xlsx", True, monkeypatch)
    b = run(q3, tmp_path / "b.xlsx", False, monkeypatch)
    assert not a.ok
    same_run(a, b)
    data["Settings"] = [r if r["key"] != "period" else {"key": "period", "value": "2026Q4"} for r in data["Settings"]]
    q4 = write_book(tmp_path / "q4.xlsx", data)
    a = run(q4, tmp_path / "a4.xlsx", True, monkeypatch)
    b = run(q4, tmp_path / "b4.xlsx", False, monkeypatch)
    same_run(a, b)


def test_an_early_start_that_fails_outright_leaves_the_usual_run(quarter, tmp_path, monkeypatch):
    import workbook.flows as flows

    def broken(book, gate, extra):
        raise RuntimeError("an unexpected failure in the head start")

    monkeypatch.setattr(flows, "start", broken)
    a = run(quarter, tmp_path / "a.xlsx", True, monkeypatch)
    b = run(quarter, tmp_path / "b.xlsx", False, monkeypatch)
    assert a.ok
    same_run(a, b)


def test_asking_whether_deals_is_loading_does_not_keep_the_sheet_alive(quarter, monkeypatch):
    """The question handed to the early start holds no reference to the Deals read: once
    the reader is done with it, the sheet as read (100 MB at 200,000 rows) is freed."""
    import gc

    asked = []
    monkeypatch.setattr(reader, "still_loading", lambda fut: True)
    tables = reader.iter_tables(quarter, [], waiting=asked.append)
    next(t for t in tables if t.schema.key == "Deals")
    assert len(asked) == 1 and asked[0]() is True  # still inside the reader: it is asked as usual
    for _ in tables:
        pass
    gc.collect()
    assert asked[0]() is False
