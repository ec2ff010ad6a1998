"""Department templates and their import into the master workbook.

A round trip (generate, fill as a manager would with openpyxl, import,
calculate) with amounts worked by hand from POLICY.md, then every malformed or
hostile return refused with nothing imported: the master's bytes and its
canonical content hash are checked unchanged after each refusal. Every file is
built here in tmp_path; no binary fixtures.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from conftest import as_xlsm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook.canonical import fingerprint
from workbook.cli import main
from workbook.flows import calculate_flow, import_flow, manager_template_flow
from workbook.import_log import TITLE as IMPORTS_TITLE
from workbook.load import load_book
from workbook.manager_template import CLIENTS_TITLE, ROSTER_TITLE
from workbook.rules import kpi
from workbook.template import build_template, fill_book
from workbook.template_manifest import MANIFEST_TITLE, TEMPLATE_VERSION, read_manifest

PERIOD = "2026Q2"  # ends 2026-06-30; 7 working days later is 2026-07-09 (Jul 1-3, 6-9)
CLAIMS, INCIDENTS, KPI = "奖励申请 (Claims)", "奖惩事件 (Incidents)", "KPI考核 (KPI)"

EMPLOYEES = [
    {"employee_id": "E001", "name": "王一", "department": "大客户部", "team": "KA1", "role": "客户经理", "grade": "中级",
     "base_salary": 9000, "performance_bonus": 5000},
    {"employee_id": "E002", "name": "李二", "department": "大客户部", "team": "KA1", "role": "客户经理", "grade": "初级",
     "base_salary": 6000, "performance_bonus": 4000},
    {"employee_id": "E003", "name": "张三", "department": "市场部", "team": "MK1", "role": "客户经理", "grade": "初级",
     "base_salary": 6500, "performance_bonus": 6000},
]
CLIENTS = [
    {"client_id": "C001", "name": "甲公司", "important": "N", "strategic": "N"},
    {"client_id": "C002", "name": "乙公司", "important": "N", "strategic": "N"},
    {"client_id": "C003", "name": "丙公司", "important": "N", "strategic": "N"},
    {"client_id": "C004", "name": "丁公司", "important": "N", "strategic": "N"},
]


def _deal(did, cid, eid, day, amount):
    return {"deal_id": did, "client_id": cid, "employee_id": eid, "share": "100%", "signed_on": day, "amount": amount,
            "revenue_type": "software", "in_crm": "Y", "delivered": "Y"}


DEALS = [
    _deal("D0", "C004", "E001", dt.date(2025, 3, 1), 50_000),  # an old client
    _deal("D1", "C001", "E001", dt.date(2026, 5, 10), 300_000),
    _deal("D2", "C002", "E002", dt.date(2026, 4, 20), 80_000),
    _deal("D3", "C003", "E003", dt.date(2026, 5, 5), 600_000),
]
MASTER_CLAIMS = [  # already in the master: 市场部's claim
    {"claim_id": "Q9", "employee_id": "E003", "client_id": "C003", "submitted_on": dt.date(2026, 7, 2),
     "dept_approver": "孙经理", "dept_approved_on": dt.date(2026, 7, 3), "hr_approver": "钱人力", "hr_approved_on": dt.date(2026, 7, 6)},
]

# What the 大客户部 manager types: text amounts and dates, Y/N, as people do.
GOOD_CLAIMS = [
    ["Q1", "E001", "C001", dt.date(2026, 7, 3), "赵经理", dt.date(2026, 7, 6), "钱人力", dt.date(2026, 7, 7), None, None],
    ["Q2", "E002", "C002", "2026/7/2", "赵经理", "2026-07-06", "钱人力", dt.date(2026, 7, 7), None, None],
]
GOOD_INCIDENTS = [["I1", "E002", dt.date(2026, 5, 15), "complaint", "serious", None, "客户投诉响应慢"]]
GOOD_KPI = [
    ["E001", PERIOD, "销售额", "60%", "quantitative", 100, 110, None],
    ["E001", PERIOD, "客户满意度", 0.4, "qualitative", None, None, 90],
]


def make_master(path: Path, period: str = PERIOD, claims=MASTER_CLAIMS) -> Path:
    wb = build_template()
    fill_book(wb, {
        "Settings": [{"key": "period", "value": period}, {"key": "company", "value": "测试公司"}, {"key": "prepared_by", "value": "张人力"}],
        "Employees": EMPLOYEES, "Clients": CLIENTS, "Deals": DEALS, "Claims": claims,
    })
    wb.save(path)
    return path


def generate(master: Path, dept: str, out: Path) -> Path:
    res = manager_template_flow(master, dept, out)
    assert res.ok, res.problems
    return out


def fill(template: Path, out: Path, sheets: dict[str, list[list]] | None = None, edit=None) -> Path:
    """Type rows into the template's cells (row 2 down), as a manager does in Excel; ``edit`` tampers."""
    wb = openpyxl.load_workbook(template)
    for title, rows in (sheets if sheets is not None else {CLAIMS: GOOD_CLAIMS, INCIDENTS: GOOD_INCIDENTS, KPI: GOOD_KPI}).items():
        ws = wb[title]
        for i, values in enumerate(rows, start=2):
            for j, v in enumerate(values, start=1):
                if v is not None:
                    ws.cell(row=i, column=j, value=v)
    if edit:
        edit(wb)
    wb.save(out)
    return out


def state(master: Path) -> tuple[str, str]:
    """The master's bytes and its canonical input hash."""
    book, _ = load_book(master)
    return hashlib.sha256(master.read_bytes()).hexdigest(), fingerprint(book).input_sha256


@pytest.fixture
def master(tmp_path) -> Path:
    return make_master(tmp_path / "主工作簿.xlsx")


@pytest.fixture
def ka_template(master, tmp_path) -> Path:
    return generate(master, "大客户部", tmp_path / "模板-大客户部.xlsx")


def refused(master: Path, path: Path, *words: str) -> list[str]:
    """Import ``path``: it must be refused, with every word in its report, and the master untouched."""
    before = state(master)
    res = import_flow(master, [path], by="张人力")
    assert not res.ok
    assert state(master) == before  # same bytes, same canonical content
    text = "\n".join(res.summary)
    assert "本文件的任何内容都没有导入" in text
    for w in words:
        assert w in text, text
    return res.summary


# ------------------------------------------------------------------ template
def test_template_holds_one_department_protected_with_manifest(master, ka_template):
    wb = openpyxl.load_workbook(ka_template)
    assert wb.sheetnames == ["填写说明", CLAIMS, INCIDENTS, KPI, "月度考核 (Scorecard)", "等级评审 (GradeReview)",
                             ROSTER_TITLE, CLIENTS_TITLE, MANIFEST_TITLE]  # 大客户部 runs the monthly scorecard (POLICY §10)
    assert wb.security.lockStructure
    roster = [[c.value for c in row] for row in wb[ROSTER_TITLE].iter_rows()]
    assert [r[0] for r in roster[1:]] == ["E001", "E002"]  # only 大客户部, never E003
    assert not any("工资" in str(h) or "奖金" in str(h) for h in roster[0])  # no pay data for managers
    clients = [r[0].value for r in wb[CLIENTS_TITLE].iter_rows(min_row=2)]
    assert clients == ["C001", "C002", "C004"]  # the clients 大客户部 dealt with
    ws = wb[CLAIMS]
    assert ws.protection.sheet and wb[ROSTER_TITLE].protection.sheet and wb["填写说明"].protection.sheet
    assert ws["A1"].protection.locked and not ws.column_dimensions["A"].protection.locked
    assert not ws.tables  # a protected sheet cannot grow a table
    lists = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert lists["B2:B20000"].formula1 == f"'{ROSTER_TITLE}'!$A$2:$A$3" and lists["B2:B20000"].errorStyle == "stop"
    assert {str(dv.sqref): dv.formula1 for dv in wb[KPI].data_validations.dataValidation if dv.type == "list"}["B2:B20000"] == f'"{PERIOD}"'
    months = {str(dv.sqref): dv.formula1 for dv in wb["月度考核 (Scorecard)"].data_validations.dataValidation if dv.type == "list"}
    assert months["B2:B20000"] == '"2026-04,2026-05,2026-06"'
    m = read_manifest(wb)
    assert wb[MANIFEST_TITLE].sheet_state == "veryHidden"
    book, _ = load_book(master)
    assert (m["department"], m["period"], m["template_version"]) == ("大客户部", PERIOD, TEMPLATE_VERSION)
    assert m["master_sha256"] == fingerprint(book).input_sha256
    words = " ".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row if c.value)
    assert "大客户部" in words and PERIOD in words and "选择性粘贴" in words and "公式" in words


def test_market_department_gets_no_scorecard_and_unknown_department_refused(master, tmp_path):
    wb = openpyxl.load_workbook(generate(master, "市场部", tmp_path / "mk.xlsx"))
    assert "月度考核 (Scorecard)" not in wb.sheetnames and "台次 (Units)" not in wb.sheetnames
    res = manager_template_flow(master, "财务部", tmp_path / "x.xlsx")
    assert not res.ok and "大客户部、市场部" in res.problems[0].message
    assert not (tmp_path / "x.xlsx").exists()


# ----------------------------------------------------------------- round trip
def test_round_trip_generate_fill_import_calculate(master, ka_template, tmp_path):
    def note_like_a_formula(wb):  # text typed with a leading apostrophe: a string cell, never a formula
        wb[INCIDENTS]["G2"].value = "=HYPERLINK(\"http://x\")"
        wb[INCIDENTS]["G2"].data_type = "s"
    returned = fill(ka_template, tmp_path / "回收.xlsx", edit=note_like_a_formula)
    res = import_flow(master, [returned], by="张人力")
    assert res.ok, res.summary
    assert "奖励申请 (Claims) 2 行" in res.summary[0] and "奖惩事件 (Incidents) 1 行" in res.summary[0]
    book, probs = load_book(master)
    assert [c.claim_id for c in book.rows("Claims")] == ["Q9", "Q1", "Q2"]
    assert book.rows("Claims")[2].submitted_on == dt.date(2026, 7, 2)  # "2026/7/2" typed as text, stored as a date
    # KPI: S = 60% × min(110/100, 120%)×100 + 40% × 90 = 66 + 36 = 102; k = S / 100 = 1.02
    assert kpi.coefficients(book)[0]["E001"].k == Decimal("1.02")
    log = openpyxl.load_workbook(master)[IMPORTS_TITLE]
    row = [c.value for c in log[2]]
    assert row[1:6] == ["张人力", "回收.xlsx", hashlib.sha256(returned.read_bytes()).hexdigest(), "大客户部", PERIOD]
    assert row[7] == 5  # 2 claims + 1 incident + 2 KPI lines
    note = openpyxl.load_workbook(master)[INCIDENTS]["G2"]
    assert note.value == '=HYPERLINK("http://x")' and note.data_type == "s"  # imported as inert text

    calc = calculate_flow(master)
    assert calc.ok, [p.render() for p in calc.errors]
    paid = {(r.employee_id, r.item_code): r.amount for r in calc.payout}
    # NC (POLICY §1): first deal of C001 is 300,000, in (100,000, 500,000] -> 1,000; C002 80,000 <= 100,000 -> 500;
    # C003 (市场部, claim Q9 already in the master) 600,000 > 500,000 -> 2,000
    assert paid[("E001", "NC")] == Decimal("1000.00")
    assert paid[("E002", "NC")] == Decimal("500.00")
    assert paid[("E003", "NC")] == Decimal("2000.00")
    # PN (POLICY §5): a serious complaint deducts 20% of the month's performance bonus: 20% × 4,000 = -800
    assert paid[("E002", "PN")] == Decimal("-800.00")


def test_good_and_bad_files_in_one_batch(master, ka_template, tmp_path):
    good = fill(ka_template, tmp_path / "good.xlsx")
    mk = generate(master, "市场部", tmp_path / "mk.xlsx")
    bad = fill(mk, tmp_path / "bad.xlsx", {CLAIMS: [["Q5", "E003", "C003", "2026-07-02", "孙经理", None, None, None, "abc", None]]})
    res = import_flow(master, [bad, good], by="张人力")
    assert not res.ok
    text = "\n".join(res.summary)
    assert "未导入 bad.xlsx" in text and f"{CLAIMS}!I2" in text and "已导入 good.xlsx" in text
    assert any(p.where == f"[bad.xlsx]{CLAIMS}!I2" for p in res.problems)  # the combined list names the file
    book, _ = load_book(master)
    assert [c.claim_id for c in book.rows("Claims")] == ["Q9", "Q1", "Q2"]  # nothing from bad.xlsx


def test_master_formulas_and_table_survive_import(tmp_path, ka_template, master):
    wb = openpyxl.load_workbook(master)
    ws = wb[CLAIMS]
    ws["L1"], ws["L2"] = "审批天数", "=F2-D2"  # the user's own formula column beside the claims
    ws.tables["tblClaims"].ref = "A1:L2"
    wb.save(master)
    assert import_flow(master, [fill(ka_template, tmp_path / "r.xlsx")], by="张人力").ok
    ws = openpyxl.load_workbook(master)[CLAIMS]
    assert ws["L2"].value == "=F2-D2" and ws["L4"].value == "=F4-D4"  # kept, and carried down to the new rows
    assert ws.tables["tblClaims"].ref == "A1:L4"


# ------------------------------------------------------------- refusals
def test_wrong_department_employee(master, ka_template, tmp_path):
    rows = GOOD_CLAIMS + [["Q3", "E003", "C003", "2026-07-02", "赵经理", None, None, None, None, None]]
    refused(master, fill(ka_template, tmp_path / "r.xlsx", {CLAIMS: rows}), f"{CLAIMS}!B4", "属于 市场部", "不是 大客户部 的员工")


def test_manifest_department_changed(master, ka_template, tmp_path):
    def edit(wb):
        for row in wb[MANIFEST_TITLE].iter_rows(min_row=2):
            if row[0].value == "department":
                row[1].value = "市场部"
    refused(master, fill(ka_template, tmp_path / "r.xlsx", edit=edit), "隐藏的模板信息被改动过", "不是 市场部 的员工")


def test_wrong_period(tmp_path):
    old = make_master(tmp_path / "q1.xlsx", period="2026Q1")
    template = generate(old, "大客户部", tmp_path / "q1-ka.xlsx")
    master = make_master(tmp_path / "master.xlsx")
    kpi_rows = [["E001", "2026Q1", "销售额", "100%", "quantitative", 100, 90, None]]
    refused(master, fill(template, tmp_path / "r.xlsx", {KPI: kpi_rows}), "这是 2026Q1 的模板", "期间必须是本期 2026Q2", f"{KPI}!B2")


def test_other_companys_template(tmp_path, ka_template):
    other = tmp_path / "other.xlsx"
    make_master(other)
    wb = openpyxl.load_workbook(other)
    wb["设置 (Settings)"]["B3"] = "另一家公司"
    wb.save(other)
    refused(other, fill(ka_template, tmp_path / "r.xlsx"), "这是 测试公司 的模板，主工作簿属于 另一家公司")


def test_edited_header(master, ka_template, tmp_path):
    def edit(wb):
        wb[CLAIMS]["D1"] = "日期"
    refused(master, fill(ka_template, tmp_path / "r.xlsx", edit=edit), f"{CLAIMS}!D1", "列名被改动")


def test_edited_protected_roster(master, ka_template, tmp_path):
    """The manager unprotects the roster, adds a 市场部 employee and claims for them."""
    def edit(wb):
        wb[ROSTER_TITLE].protection.sheet = False
        wb[ROSTER_TITLE].append(["E003", "张三", "MK1", "客户经理", "初级"])
    rows = [["Q3", "E003", "C003", "2026-07-02", "赵经理", None, None, None, None, None]]
    refused(master, fill(ka_template, tmp_path / "r.xlsx", {CLAIMS: rows}, edit), f"{ROSTER_TITLE}!A4:E4", "受保护的", "E003 / 张三", f"{CLAIMS}!B2")


def test_extra_sheet(master, ka_template, tmp_path):
    def edit(wb):
        wb.create_sheet("草稿")["A1"] = "随手记"
    refused(master, fill(ka_template, tmp_path / "r.xlsx", edit=edit), "多出的工作表“草稿”")


def test_formula_instead_of_value(master, ka_template, tmp_path):
    def edit(wb):
        wb[INCIDENTS]["C2"] = "=DATE(2026,5,15)"
    refused(master, fill(ka_template, tmp_path / "r.xlsx", edit=edit), f"{INCIDENTS}!C2", "单元格是公式")


def test_error_cell(master, ka_template, tmp_path):
    def edit(wb):
        wb[KPI]["G2"] = "#N/A"  # openpyxl stores an error code as an error cell (t="e")
        assert wb[KPI]["G2"].data_type == "e"
    refused(master, fill(ka_template, tmp_path / "r.xlsx", edit=edit), f"{KPI}!G2", "错误值 #N/A")


def test_value_outside_the_columns(master, ka_template, tmp_path):
    def edit(wb):
        wb[CLAIMS]["M2"] = "备注：加急"
    refused(master, fill(ka_template, tmp_path / "r.xlsx", edit=edit), f"{CLAIMS}!M2", "表格列以外")


def test_unparseable_and_missing_cells(master, ka_template, tmp_path):
    rows = [["Q1", "E001", "C001", "七月三日", None, None, None, None, None, None],
            ["Q2", None, "C002", "2026-07-02", None, None, None, None, None, None]]
    refused(master, fill(ka_template, tmp_path / "r.xlsx", {CLAIMS: rows}), f"{CLAIMS}!D2", f"{CLAIMS}!B3", "不能为空")


def test_unknown_client(master, ka_template, tmp_path):
    rows = [["Q1", "E001", "C999", "2026-07-02", None, None, None, None, None, None]]
    refused(master, fill(ka_template, tmp_path / "r.xlsx", {CLAIMS: rows}), f"{CLAIMS}!C2", "C999 不在主工作簿")


def test_encrypted_file(master, tmp_path):
    path = tmp_path / "加密.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le"))
    refused(master, path, "已加密", "密码")


def test_zip_bomb(master, ka_template, tmp_path):
    path = fill(ka_template, tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:  # as in test_hostile: 300 MiB of zeros, ~300 KiB on disk
        with zf.open("xl/worksheets/sheet99.xml", "w", force_zip64=True) as f:
            chunk = b"\0" * (4 << 20)
            for _ in range(75):
                f.write(chunk)
    refused(master, path, "压缩炸弹")


def test_file_with_macros_refused(master, ka_template, tmp_path):
    path = fill(ka_template, tmp_path / "宏.xlsx")
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"\0" * 64)
    refused(master, path, "包含宏")


def test_plain_workbook_is_not_a_template(master, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = CLAIMS
    wb.active.append(["申请编号 (claim_id)"])
    wb.save(tmp_path / "plain.xlsx")
    refused(master, tmp_path / "plain.xlsx", "不是用 bonusbook manager-template 生成的部门模板")


def test_duplicates_refused(master, ka_template, tmp_path):
    # Q9 is already in the master (市场部's claim); I1 twice inside the file
    rows = [["Q9", "E001", "C001", "2026-07-02", None, None, None, None, None, None]]
    twice = [GOOD_INCIDENTS[0], ["I1", "E001", dt.date(2026, 6, 1), "violation", None, None, None]]
    refused(master, fill(ka_template, tmp_path / "r.xlsx", {CLAIMS: rows, INCIDENTS: twice}),
            "Q9 已在主工作簿 奖励申请 (Claims) 第 2 行", f"{INCIDENTS}!A3", "重复")


def test_same_claim_in_two_files_of_one_batch(master, ka_template, tmp_path):
    first = fill(ka_template, tmp_path / "a.xlsx")
    second = fill(ka_template, tmp_path / "b.xlsx", {CLAIMS: [GOOD_CLAIMS[0]]}, edit=lambda wb: wb[CLAIMS].cell(row=2, column=5, value="另一位经理"))
    res = import_flow(master, [first, second], by="张人力")
    assert not res.ok
    assert "已在本次导入的文件 a.xlsx 第 2 行" in "\n".join(res.summary)
    book, _ = load_book(master)
    assert [c.claim_id for c in book.rows("Claims")] == ["Q9", "Q1", "Q2"]


def test_reimport_refused_and_master_unchanged(master, ka_template, tmp_path):
    returned = fill(ka_template, tmp_path / "r.xlsx")
    assert import_flow(master, [returned], by="张人力").ok
    lines = refused(master, returned, "已经导入过", "张人力")
    copy = tmp_path / "副本.xlsx"  # the same bytes under another name
    shutil.copy(returned, copy)
    refused(master, copy, "已经导入过")
    assert len(lines) == 3


def test_locked_master_refuses_import(master, ka_template, tmp_path):
    from workbook.status_sheet import write_status

    write_status(master, {"state": "LOCKED", "period": PERIOD}, protect_inputs=True)
    before = state(master)
    res = import_flow(master, [fill(ka_template, tmp_path / "r.xlsx")], by="张人力")
    assert not res.ok and "已锁定" in res.summary[0] and state(master) == before


def test_master_changed_during_import_writes_nothing(master, ka_template, tmp_path, monkeypatch):
    from workbook import importer

    returned = fill(ka_template, tmp_path / "r.xlsx")
    real = importer._read_back

    def someone_saves(tmp, book, expected):  # another desk saves the master while we write
        real(tmp, book, expected)
        wb = openpyxl.load_workbook(master)
        wb["设置 (Settings)"]["B3"] = "改过的公司"
        wb.save(master)

    monkeypatch.setattr(importer, "_read_back", someone_saves)
    res = import_flow(master, [returned], by="张人力")
    assert not res.ok and "被其他人或程序修改" in "\n".join(res.summary)
    book, _ = load_book(master)
    assert [c.claim_id for c in book.rows("Claims")] == ["Q9"]
    assert not list(tmp_path.glob(".bonusbook-tmp-*"))


# ---------------------------------------------------------------------- CLI
def test_cli_exit_codes(master, ka_template, tmp_path, capsys):
    assert main(["manager-template", str(master), "市场部", str(tmp_path / "mk.xlsx")]) == 0
    good = fill(ka_template, tmp_path / "good.xlsx")
    assert main(["import", str(master), str(good), "--by", "张人力", "--quiet"]) == 0
    assert main(["import", str(master), str(good), "--quiet"]) == 1  # re-import refused
    out = capsys.readouterr().out
    assert "未导入 good.xlsx" in out and "Traceback" not in out
    assert main(["import", str(master), str(tmp_path / "nope.xlsx"), "--quiet"]) == 2
    assert main(["import", str(tmp_path / "no-master.xlsx"), str(good), "--quiet"]) == 2
    assert main(["import", str(master)]) == 2  # no FILE: usage error
    assert main(["manager-template", str(master), "财务部", str(tmp_path / "x.xlsx")]) == 1


def test_demo_imports_two_departments(tmp_path, capsys):
    from workbook.demo import build_demo_book, run_demo

    assert run_demo(tmp_path / "demo") == 0
    out = capsys.readouterr().out
    assert "已导入 回收-大客户部.xlsx" in out and "已导入 回收-市场部.xlsx" in out
    # the same quarter filled directly pays the same: the import adds exactly the held-back rows
    from workbook.demo_life import _approve_pending

    demo_book = tmp_path / "demo" / "demo-2025Q4.xlsx"
    direct_book = build_demo_book(tmp_path / "direct.xlsx")
    _approve_pending(direct_book, dt.date(2026, 1, 9))  # as the demo's HR does before the lock
    direct = calculate_flow(direct_book)
    assert fingerprint(load_book(demo_book)[0]).input_sha256 == fingerprint(direct.book).input_sha256
    # the demo went on to lock and publish: what finance got is what the direct book pays
    import csv

    published = tmp_path / "demo" / "bonusbook-data" / "published" / "2025Q4" / "payout-2025Q4.csv"
    with open(published, encoding="utf-8-sig", newline="") as fh:
        got = sorted((r["employee_id"], r["item_code"], Decimal(r["amount"])) for r in csv.DictReader(fh))
    assert got == sorted((r.employee_id, r.item_code, r.amount) for r in direct.payout) and got


def test_import_macro_runs_the_same_flow(master, ka_template, tmp_path):
    """The Excel button (macros.import_files) runs import_flow on a copy and writes the changes back."""
    from macros.headless import apply_to_file
    from macros.run import run_macro

    returned = fill(ka_template, tmp_path / "r.xlsx")
    report = run_macro("import", master, files=[str(returned)], by="张人力")
    assert report.ok, report.message
    assert "已导入 r.xlsx" in report.message and ".bonusbook" not in report.message
    apply_to_file(master, report)
    book, _ = load_book(master)
    assert [c.claim_id for c in book.rows("Claims")] == ["Q9", "Q1", "Q2"]
    again = run_macro("import", master, files=[str(returned)], by="张人力")
    assert not again.ok and "已经导入过" in again.message


def test_import_macro_keeps_the_users_formulas_and_dropdowns(master, ka_template, tmp_path):
    """The Excel path writes only the appended rows into an input sheet: it never clears it."""
    from macros.headless import apply_to_file
    from macros.run import run_macro

    wb = openpyxl.load_workbook(master)
    ws = wb[CLAIMS]
    ws["L1"], ws["L2"] = "审批天数", "=F2-D2"  # the user's own formula column beside the claims
    validations = len(ws.data_validations.dataValidation)
    wb.save(master)
    report = run_macro("import", master, files=[str(fill(ka_template, tmp_path / "r.xlsx"))], by="张人力")
    assert report.ok, report.message
    claims = next(s for s in report.sheets if s.title == CLAIMS)
    assert claims.edits and all(row >= 3 for row, _, _ in claims.edits)  # only the two new rows (3 and 4)
    apply_to_file(master, report)
    ws = openpyxl.load_workbook(master)[CLAIMS]
    assert ws["L2"].value == "=F2-D2"  # the formula survives
    assert len(ws.data_validations.dataValidation) == validations  # and so do the dropdowns
    book, _ = load_book(master)
    assert [c.claim_id for c in book.rows("Claims")] == ["Q9", "Q1", "Q2"]


# ----------------------------------------------------------------- property
@pytest.fixture(scope="module")
def prop_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("prop")
    m = make_master(d / "master.xlsx")
    return m, generate(m, "大客户部", d / "ka.xlsx")


incident = st.tuples(
    st.sampled_from(["E001", "E002"]),
    st.dates(dt.date(2025, 7, 1), dt.date(2026, 6, 30)),
    st.sampled_from([("complaint", "minor"), ("complaint", "serious"), ("client_lost", "general"), ("violation", None)]),
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(incident, min_size=0, max_size=12))
def test_import_adds_exactly_the_rows_of_the_file(prop_files, rows):
    master0, template = prop_files
    with tempfile.TemporaryDirectory() as d:
        master = Path(d) / "m.xlsx"
        shutil.copy(master0, master)
        before, _ = load_book(master)
        typed = [[f"X{i:03d}", e, day, kind, sev, "C001" if kind == "client_lost" else None, None] for i, (e, day, (kind, sev)) in enumerate(rows)]
        res = import_flow(master, [fill(template, Path(d) / "r.xlsx", {INCIDENTS: typed})], by="测试")
        assert res.ok, res.summary
        after, _ = load_book(master)
        got = [(r.incident_id, r.employee_id, r.date, r.kind, r.severity) for r in after.rows("Incidents")]
        assert got == [(t[0], t[1], t[2], t[3], t[4]) for t in typed]
        for key in ("Employees", "Clients", "Deals", "Claims"):  # nothing else moved
            assert [r[:-1] for r in after.rows(key)] == [r[:-1] for r in before.rows(key)]


# ------------------------------------------------------------ real client
def test_libreoffice_saved_return_imports_and_master_opens(master, ka_template, tmp_path):
    """A manager who fills the template in LibreOffice: the re-saved file still imports, and the master opens after."""
    soffice = shutil.which("soffice")
    if not soffice:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required in CI")
        pytest.skip("LibreOffice not installed")

    def convert(path: Path, to: str, out: Path) -> Path:
        proc = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", to,
                               "--outdir", str(out), str(path)], capture_output=True, timeout=180)
        assert proc.returncode == 0, proc.stderr
        return out / (path.stem + "." + to.split(":")[0])

    resaved = convert(fill(ka_template, tmp_path / "回收.xlsx"), "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    assert resaved.read_bytes() != (tmp_path / "回收.xlsx").read_bytes()
    res = import_flow(master, [resaved], by="张人力")
    assert res.ok, res.summary
    assert [c.claim_id for c in load_book(master)[0].rows("Claims")] == ["Q9", "Q1", "Q2"]
    assert convert(master, "csv", tmp_path / "csv").stat().st_size > 0


def test_xlsm_master_keeps_its_vba_project(tmp_path, ka_template, master):
    xlsm = tmp_path / "主工作簿.xlsm"
    as_xlsm(master, xlsm)
    assert import_flow(xlsm, [fill(ka_template, tmp_path / "r.xlsx")], by="张人力").ok
    with zipfile.ZipFile(xlsm) as zf:
        assert zf.read("xl/vbaProject.bin") == b"VBA" * 100
    assert [c.claim_id for c in load_book(xlsm)[0].rows("Claims")] == ["Q9", "Q1", "Q2"]
