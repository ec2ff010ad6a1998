"""Reading real .xlsx files: headers by text, messy values, hidden breakage."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import openpyxl

from workbook import problems as P
from workbook.load import load_book

SETTINGS = [["key", "value"], ["period", "2026Q3"], ["prepared_by", "张三"]]
EMP_HEAD = ["员工 (employee_id)", "姓名", "Department", "team", "role", "grade", "hire_date", "base_salary", "commission_rate", "performance_bonus", "floating_wage"]


def write(path, sheets: dict[str, list[list]], post=None):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    if post:
        post(wb)
    wb.save(path)
    return path


def test_headers_by_key_label_or_both_in_any_order(tmp_path):
    deals = [
        [" AMOUNT ", "成交编号", "客户编号 (client_id)", "employee_id", "分成比例", "signed_on", "备注随便"],
        ["12,000", "D1", "C1 ", "E1", "100%", "2026/7/1"],
        ["1.2万", "D2", "C1", "E1", "1", 46204],
        ["１２３", "D3", "C1", "E1", "0.5", dt.datetime(2026, 7, 3)],
        [None, None, None, None, None, None],
        [456, "D3", "C1", "E2", "50%", "2026-07-03"],
    ]
    path = write(tmp_path / "b.xlsx", {"设置": SETTINGS, "成交 (Deals)": deals})
    book, probs = load_book(path)
    assert [p for p in probs if p.severity == P.ERROR] == []
    warn = [p for p in probs if p.severity == P.WARNING]
    assert any("备注随便" in p.message and p.cell == "G1" for p in warn)
    rows = book.rows("Deals")
    assert [(r.deal_id, r.client_id, r.amount, r.share, r.signed_on) for r in rows] == [
        ("D1", "C1", D("12000"), D("1"), dt.date(2026, 7, 1)),
        ("D2", "C1", D("12000"), D("1"), dt.date(2026, 7, 1)),
        ("D3", "C1", D("123"), D("0.5"), dt.date(2026, 7, 3)),
        ("D3", "C1", D("456"), D("0.5"), dt.date(2026, 7, 3)),
    ]
    assert rows[-1].row == 6  # blank row 5 skipped, sheet row numbers kept
    assert book.cell("Deals", rows[0], "amount") == "A2"  # found by header, not position


def test_missing_column_and_bad_cells_are_located(tmp_path):
    deals = [["deal_id", "client_id", "employee_id", "share", "amount"],
             ["D1", "C1", "E1", "100%", True],
             ["D2", "C1", "E1", "100%", "12,00"],
             ["D3", "C1", "E1", "100%", "#N/A"]]
    book, probs = load_book(write(tmp_path / "b.xlsx", {"Settings": SETTINGS, "Deals": deals}))
    errs = {(p.sheet, p.cell, p.column) for p in probs if p.severity == P.ERROR}
    assert ("Deals", "A1", "signed_on") in errs
    assert {("Deals", "E2", "amount"), ("Deals", "E3", "amount"), ("Deals", "E4", "amount")} <= errs


def test_error_cells_uncached_formulas_and_merged_cells(tmp_path):
    def post(wb):
        ws = wb["Employees"]
        ws["J2"] = "#N/A"
        ws["J2"].data_type = "e"
        ws["J3"] = "=1/0+J2"
        ws.merge_cells("A5:B5")
    emps = [EMP_HEAD, ["E1", "甲", "销售", "", "", "", "", "", "", 1, ""], ["E2", "乙", "销售", "", "", "", "", "", "", 2, ""],
            ["E3", "丙", "销售"], ["E4", "丁", "销售"]]
    book, probs = load_book(write(tmp_path / "b.xlsx", {"Settings": SETTINGS, "Employees": emps}, post))
    errs = {(p.cell, p.message[:6]) for p in probs if p.severity == P.ERROR}
    cells = {c for c, _ in errs}
    assert "J2" in cells  # the #N/A calamine reads as ''
    assert "J3" in cells  # formula Excel never calculated
    assert "A5:B5" in cells  # merged cells in the data


def test_duplicate_headers_and_duplicate_ids(tmp_path):
    emps = [["employee_id", "name", "department", "name"], ["E1", "甲", "销售", "x"], ["E1 ", "乙", "销售", "y"]]
    book, probs = load_book(write(tmp_path / "b.xlsx", {"Settings": SETTINGS, "Employees": emps}))
    msgs = [(p.cell, p.message) for p in probs if p.severity == P.ERROR]
    assert any(c == "D1" and "重复" in m for c, m in msgs)
    assert any(c == "A3" and "重复" in m for c, m in msgs)  # 'E1 ' is 'E1' once trimmed


def test_missing_settings_period_is_an_error(tmp_path):
    book, probs = load_book(write(tmp_path / "b.xlsx", {"Settings": [["key", "value"], ["period", "2026/7"]]}))
    assert book is None and probs[0].cell == "B2" and probs[0].column == "period"


def test_hostile_file_is_a_problem_not_a_crash(tmp_path):
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"not a workbook at all")
    book, probs = load_book(p)
    assert book is None and P.has_errors(probs)


def test_rows_beyond_the_excel_table_range_are_read(tmp_path):
    from openpyxl.worksheet.table import Table

    def post(wb):
        wb["Employees"].add_table(Table(displayName="tblEmp", ref="A1:C2"))  # the table says one row; there are three
    emps = [["employee_id", "name", "department"], ["E1", "甲", "销售"], ["E2", "乙", "销售"], ["E3", "丙", "销售"]]
    book, probs = load_book(write(tmp_path / "b.xlsx", {"Settings": SETTINGS, "Employees": emps}, post))
    assert [e.employee_id for e in book.rows("Employees")] == ["E1", "E2", "E3"]


def test_components_setting_limits_the_rules(tmp_path):
    from workbook.rules import active_rules

    sat = [["employee_id", "period", "satisfaction"], ["E1", "2026Q3", "95%"]]
    inc = [["incident_id", "employee_id", "date", "kind"], ["I1", "E1", "2026-07-01", "violation"]]
    base = {"Employees": [["employee_id", "name", "department"], ["E1", "甲", "销售"]], "Satisfaction": sat, "Incidents": inc}
    book, _ = load_book(write(tmp_path / "a.xlsx", {"Settings": SETTINGS, **base}))
    assert [r.code for r in active_rules(book)] == ["SA", "PN"]  # blank: every component with data
    only = SETTINGS + [["components", "SA，NC"]]
    book, _ = load_book(write(tmp_path / "b.xlsx", {"Settings": only, **base}))
    assert [r.code for r in active_rules(book)] == ["NC", "SA"]
    bad = SETTINGS + [["components", "SA, XX"]]
    _, probs = load_book(write(tmp_path / "c.xlsx", {"Settings": bad, **base}))
    assert any(p.severity == P.ERROR and "XX" in p.message for p in probs)


def test_empty_settings_sheet_is_reported_once_at_its_header(tmp_path):
    book, probs = load_book(write(tmp_path / "b.xlsx", {"设置 (Settings)": []}))
    assert book is None
    assert [(p.sheet, p.cell) for p in probs] == [("设置 (Settings)", "A1")]  # not also "sheet missing"


def test_each_sheets_error_cells_come_before_its_parse_errors(tmp_path):
    """The error-cell scan runs alongside the read; its findings still sit in their sheet's place."""
    def post(wb):
        ws = wb["Employees"]
        ws["J2"] = "#N/A"
        ws["J2"].data_type = "e"

    emps = [EMP_HEAD, ["E1", "甲", "销售", "", "", "", "", "", "", 1, ""], ["E2", "乙", "销售", "", "", "", "", "", "bad", 2, ""]]
    clients = [["client_id", "name"], ["C1", "x"], ["C2", ""]]
    _, probs = load_book(write(tmp_path / "m.xlsx", {"Settings": SETTINGS, "Employees": emps, "Clients": clients}, post))
    cells = [(p.sheet, p.cell) for p in probs if p.cell not in ("", "A1")]
    assert cells == [("Employees", "J2"), ("Employees", "I3"), ("Clients", "B3")]


def test_a_row_of_only_spaces_is_a_blank_row():
    """Spaces (ASCII or full-width) in every cell read as blank, as a single such cell does: the row is skipped, not refused."""
    from workbook.schema import INPUT_BY_KEY
    from workbook.reader import locate

    schema = INPUT_BY_KEY["Employees"]
    header = [c.header for c in schema.columns]
    grid = [header, ["E1"] + ["x"] * (len(header) - 1), ["  "] * len(header), ["\u3000", ""] + ["\t"] * (len(header) - 2), ["E2"] + [""] * (len(header) - 1)]
    table, _ = locate(schema, "Employees", grid, 0, 0)
    assert [r for r, _ in table.rows] == [1, 4]
