"""The macros without Excel: the flow part on files, the Excel part on a stand-in book.

The quarter (2026Q3), worked by hand from POLICY §1, §3 and §5:
- C1 is new: first deal 2026-07-10, 300,000 → NC tier (100k, 500k] → 1,000, split
  E1 60% / E2 40% → 600 / 400; both claims approved by HR on 10-12 → pay month 2026-11.
- C2 is new: 500,000.01 → 2,000 to E2; HR approved 09-30 → pay month 2026-10.
- C3 has a first_deal_date in 2025: not new.
- SA: E1 95% → 1,000; E2 89.99% → 0 (no payout row).
- PN: E2 serious complaint in September → 20% × 4,000 = −800.
Payout total: 600 + 400 + 2,000 + 1,000 − 800 = 3,200.
"""
from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

import macros
from macros.excel import apply_report, excel_value
from macros.headless import apply_to_file
from macros.run import MacroError, changes, inbox_files, protected_sheets, run_macro
from macros.vba import bas_text, hex_utf16
from workbook import instructions
from workbook.template import build_template, fill_book, save_workbook

PAYOUT = "发放表 (Payout)"
STATUS = "状态 (Status)"

QUARTER = {
    "Settings": [{"key": "period", "value": "2026Q3"}, {"key": "company", "value": "测试公司"},
                 {"key": "prepared_by", "value": "张人力"}, {"key": "components", "value": "NC,SA,PN"}],
    "Employees": [
        {"employee_id": "E1", "name": "王伟", "department": "销售一部", "team": "T1", "performance_bonus": 5000},
        {"employee_id": "E2", "name": "李娜", "department": "销售二部", "team": "T1", "performance_bonus": "4,000"},
    ],
    "Clients": [
        {"client_id": "C1", "name": "龙头集团", "strategic": "是"},
        {"client_id": "C2", "name": "新星公司"},
        {"client_id": "C3", "name": "老客户", "first_deal_date": dt.date(2025, 1, 1)},
    ],
    "Deals": [
        {"deal_id": "D1", "client_id": "C1", "employee_id": "E1", "share": 0.6, "signed_on": dt.date(2026, 7, 10), "amount": 300000},
        {"deal_id": "D1", "client_id": "C1", "employee_id": "E2", "share": "40%", "signed_on": "2026/7/10", "amount": "30万"},
        {"deal_id": "D2", "client_id": "C2", "employee_id": "E2", "share": 1, "signed_on": dt.date(2026, 8, 1), "amount": "500,000.01"},
        {"deal_id": "D3", "client_id": "C3", "employee_id": "E1", "share": 1, "signed_on": dt.date(2026, 8, 5), "amount": 50000},
    ],
    "Claims": [
        {"claim_id": "Q1", "employee_id": "E1", "client_id": "C1", "submitted_on": dt.date(2026, 10, 9), "dept_approver": "赵经理",
         "dept_approved_on": dt.date(2026, 10, 10), "hr_approver": "钱人力", "hr_approved_on": dt.date(2026, 10, 12)},
        {"claim_id": "Q2", "employee_id": "E2", "client_id": "C1", "submitted_on": dt.date(2026, 10, 9), "dept_approver": "赵经理",
         "dept_approved_on": dt.date(2026, 10, 10), "hr_approver": "钱人力", "hr_approved_on": dt.date(2026, 10, 12)},
        {"claim_id": "Q3", "employee_id": "E2", "client_id": "C2", "submitted_on": dt.date(2026, 9, 28), "dept_approver": "赵经理",
         "dept_approved_on": dt.date(2026, 9, 29), "hr_approver": "钱人力", "hr_approved_on": dt.date(2026, 9, 30)},
    ],
    "Satisfaction": [{"employee_id": "E1", "period": "2026Q3", "satisfaction": "95%"},
                     {"employee_id": "E2", "period": "2026Q3", "satisfaction": 0.8999}],
    "Incidents": [{"incident_id": "I1", "employee_id": "E2", "date": dt.date(2026, 9, 10), "kind": "complaint", "severity": "serious"}],
}
EXPECTED = {  # (employee, item, pay month) -> amount, from the docstring
    ("E1", "NC", "2026-11"): D("600"), ("E1", "SA", "2026-10"): D("1000"),
    ("E2", "NC", "2026-10"): D("2000"), ("E2", "NC", "2026-11"): D("400"), ("E2", "PN", "2026-10"): D("-800"),
}


@pytest.fixture
def book(tmp_path) -> Path:
    wb = build_template()
    fill_book(wb, QUARTER)
    path = tmp_path / "q.xlsx"
    save_workbook(wb, path)
    return path


def payout_of(rows: list[list]) -> dict:
    head = rows[0]
    i = {k: head.index(k) for k in ("employee_id", "item_code", "pay_month", "amount")}
    return {(r[i["employee_id"]], r[i["item_code"]], r[i["pay_month"]]): D(str(r[i["amount"]])).quantize(D("0.01"))
            for r in rows[1:] if r and r[0]}


def sheet(report, title):
    return next(s for s in report.sheets if s.title == title)


def test_calculate_macro_leaves_the_file_alone_and_returns_the_payout(book):
    before = book.read_bytes()
    report = run_macro("calculate", book)
    assert report.ok, report.message
    assert book.read_bytes() == before  # Excel holds the file: the macro never writes it
    assert not list(book.parent.glob(".bonusbook-macro-*"))  # the working copy is gone
    assert payout_of(sheet(report, PAYOUT).rows) == EXPECTED
    titles = {s.title for s in report.sheets}
    assert {"计算明细 (Results)", PAYOUT, "校验结果 (Validation)", STATUS} <= titles
    assert all(s.protected for s in report.sheets)  # output sheets arrive protected
    assert "3,200.00" in report.message  # 600 + 400 + 2,000 + 1,000 − 800


def test_macro_and_cli_write_the_same_cells(book, tmp_path):
    from workbook.flows import calculate_flow

    cli = tmp_path / "cli.xlsx"
    shutil.copy(book, cli)
    assert calculate_flow(cli).ok
    report = run_macro("calculate", book)
    apply_to_file(book, report)
    a, b = openpyxl.load_workbook(cli), openpyxl.load_workbook(book)
    for title in ("计算明细 (Results)", PAYOUT):
        rows_a = [[c.value for c in r] for r in a[title].iter_rows()]
        rows_b = [[c.value for c in r] for r in b[title].iter_rows()]
        assert rows_a == rows_b


def test_a_quarter_macro_by_macro(book):
    """validate → calculate → lock → verify → publish, each applied as Excel would save it."""
    for name, kw in (("validate", {}), ("calculate", {}), ("lock", {"by": "李审批"}), ("verify", {}), ("publish", {"by": "王发布"})):
        report = run_macro(name, book, **kw)
        assert report.ok, f"{name}: {report.message}"
        apply_to_file(book, report)
    published = book.parent / "bonusbook-data" / "published" / "2026Q3"
    csv = (published / "payout-2026Q3.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(csv) == 1 + len(EXPECTED)
    wb = openpyxl.load_workbook(book)
    assert wb["员工 (Employees)"].protection.sheet  # locked: inputs protected
    status = {r[0].value: r[1].value for r in wb[STATUS].iter_rows(min_row=2)}
    assert status["locked_by"] == "李审批"


def test_lock_by_the_preparer_is_refused_with_the_rule(book):
    apply_to_file(book, run_macro("calculate", book))
    report = run_macro("lock", book, by="张人力")
    assert not report.ok and "制表人" in report.message


def test_verify_names_the_changed_sheet(book):
    apply_to_file(book, run_macro("calculate", book))
    apply_to_file(book, run_macro("lock", book, by="李审批"))
    wb = openpyxl.load_workbook(book)
    wb["成交 (Deals)"]["F3"] = 999999  # someone edits an amount after the lock
    wb.save(book)
    report = run_macro("verify", book)
    assert not report.ok and "成交" in report.message


@pytest.mark.parametrize("name,kw,words", [
    ("nope", {}, "未知的宏"), ("lock", {}, "审批人"), ("reopen", {"by": "王"}, "原因"),
])
def test_bad_calls_say_what_to_do(book, name, kw, words):
    with pytest.raises(MacroError, match=words):
        run_macro(name, book, **kw)


def test_import_without_files_looks_in_the_inbox(book):
    with pytest.raises(MacroError, match="部门回收"):
        run_macro("import", book)
    inbox = book.parent / "部门回收"
    inbox.mkdir()
    for name in ("b.xlsx", "a.xlsx", "~$a.xlsx", "notes.txt"):
        (inbox / name).write_bytes(b"")
    assert [p.name for p in inbox_files(book)] == ["a.xlsx", "b.xlsx"]


def test_changes_and_protection_are_read_from_the_files(book, tmp_path):
    other = tmp_path / "o.xlsx"
    shutil.copy(book, other)
    wb = openpyxl.load_workbook(other)
    wb["员工 (Employees)"].protection.sheet = True
    wb.create_sheet("新表")["A1"] = "x"
    wb.save(other)
    sheets, protection = changes(book, other)
    assert [s.title for s in sheets] == ["新表"] and protection == {"员工 (Employees)": True}
    assert protected_sheets(book)["计算明细 (Results)"] and not protected_sheets(book)["员工 (Employees)"]


# ---- the Excel side, on a stand-in with xlwings' small surface ----
class FakeRange:
    def __init__(self, sheet, ref):
        self.sheet, self.ref = sheet, ref
        self.font = type("Font", (), {"bold": False})()

    @property
    def value(self):
        return self.sheet.cells.get(self.ref)

    @value.setter
    def value(self, rows):
        self.sheet.cells[self.ref] = rows

    def add_hyperlink(self, address, text=None):
        self.sheet.links[self.ref] = address

    number_format = None


class FakeSheet:
    def __init__(self, name):
        self.name, self.cells, self.links, self.protected = name, {}, {}, False
        self.api = type("Api", (), {"Protect": lambda _: setattr(self, "protected", True),
                                    "Unprotect": lambda _: setattr(self, "protected", False)})()

    def range(self, *ref):
        return FakeRange(self, ref[0] if len(ref) == 1 else ref)

    def clear(self):
        self.cells.clear()

    def autofit(self, axis=None):
        pass


class FakeSheets(list):
    def __getitem__(self, key):
        return next(s for s in self if s.name == key) if isinstance(key, str) else list.__getitem__(self, key)

    def add(self, name, after=None):
        s = FakeSheet(name)
        self.append(s)
        return s


class FakeBook:
    def __init__(self, names):
        self.sheets = FakeSheets(FakeSheet(n) for n in names)
        self.saved, self.alerts = 0, []
        self.app = type("App", (), {"alert": lambda _, text, title=None: self.alerts.append((title, text))})()

    def save(self):
        self.saved += 1


def test_apply_report_writes_sheets_as_text_protects_and_links(book):
    report = run_macro("validate", book)  # the blank Satisfaction period etc. are fine; validation writes its sheet
    xl = FakeBook(openpyxl.load_workbook(book).sheetnames)
    report.sheets.append(macros.run.Sheet("数据", [["id", "amount"], ["001", 12.5], ["=HYPERLINK(\"x\")", 1.0]], True, {"A2": "'员工 (Employees)'!A1"}))
    report.protection["员工 (Employees)"] = True
    apply_report(xl, report)
    data = xl.sheets["数据"]
    assert data.cells["A1"][1] == ["'001", 12.5] and data.cells["A1"][2][0] == "'=HYPERLINK(\"x\")"
    assert data.protected and data.links == {"A2": "#'员工 (Employees)'!A1"}
    assert xl.sheets["员工 (Employees)"].protected and xl.saved == 1
    assert excel_value("") == "" and excel_value(3.0) == 3.0


def test_entry_points_decode_vba_hex():
    assert macros._text(hex_utf16("张三 O'Neil")) == "张三 O'Neil"
    assert macros._text("not hex") == ""


def test_vba_module_is_ascii_current_and_calls_existing_entry_points():
    bas = (Path(macros.__file__).parent / "bonusbook.bas").read_bytes()
    assert bas == bas_text().encode("ascii"), "regenerate: python -m macros.vba > macros/bonusbook.bas"
    text = bas.decode("ascii")
    for _, vba, py, _, _ in instructions.BUTTONS:
        assert f"Sub {vba}()" in text
        assert f"macros.{py.split('.')[1].split('(')[0]}(" in text
        assert callable(getattr(macros, py.split(".")[1].split("(")[0]))


def test_import_macro_takes_the_inbox_and_returns_the_new_rows(tmp_path):
    from test_manager_import import fill, generate, make_master
    from workbook.load import load_book

    master = make_master(tmp_path / "主工作簿.xlsx")
    template = generate(master, "大客户部", tmp_path / "模板-大客户部.xlsx")
    (tmp_path / "部门回收").mkdir()
    fill(template, tmp_path / "部门回收" / "回收.xlsx")
    report = run_macro("import", master, by="张人力")
    assert report.ok, report.message
    assert "主工作簿.xlsx" in report.message and ".bonusbook-macro-" not in report.message
    titles = {s.title for s in report.sheets}
    assert {"奖励申请 (Claims)", "导入记录 (Imports)"} <= titles
    apply_to_file(master, report)
    book, _ = load_book(master)
    assert [c.claim_id for c in book.rows("Claims")] == ["Q9", "Q1", "Q2"]  # Q9 was there; Q1, Q2 came from the file
    claims = next(s for s in report.sheets if s.title == "奖励申请 (Claims)")
    assert claims.table_ref.endswith("4")  # header + 3 claims: the Excel Table stretches over them
    assert openpyxl.load_workbook(master)["奖励申请 (Claims)"].tables["tblClaims"].ref == claims.table_ref
    again = run_macro("import", master, by="张人力")
    assert not again.ok  # the same file twice is refused


def test_entry_points_drive_the_calling_book(book, monkeypatch):
    """macros.calculate() / lock(): caller → save → flow on a copy → sheets written back → message box."""
    import xlwings as xw

    xl = FakeBook(openpyxl.load_workbook(book).sheetnames)
    xl.fullname = str(book)
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: xl), raising=False)
    macros.calculate()
    assert xl.saved == 2  # before the flow reads the file, and after the sheets are written
    title, text = xl.alerts[-1]
    assert title == "Bonusbook" and "3,200.00" in text
    assert xl.sheets[PAYOUT].protected and xl.sheets[PAYOUT].cells["A1"][0][0] == "'period"
    macros.lock("")  # no name typed: the message says what is missing, nothing runs
    assert "审批人" in xl.alerts[-1][1] and xl.alerts[-1][0].endswith("未完成")
