"""The Status sheet write: only the Status part and the protection elements change."""
from __future__ import annotations

import os
import shutil
import subprocess
import zipfile

import openpyxl
import pytest

from lifecycle_data import CHECKER, sheet_of, write_book
from workbook.cli import main
from workbook.sheet_marks import sheet_parts
from workbook.status_patch import PROTECT, set_protection
from workbook.status_sheet import read_status, write_status


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_lock_rewrites_only_the_status_sheet_and_the_protection(tmp_path):
    book = write_book(tmp_path / "q3.xlsx")
    assert main(["calculate", str(book), "--quiet"]) == 0
    before = parts(book)
    assert main(["lock", str(book), "--by", CHECKER]) == 0
    after = parts(book)
    with zipfile.ZipFile(book) as z:
        by_title = sheet_parts(z)
    status = next(p for t, p in by_title.items() if "Status" in t)
    inputs = {p for t, p in by_title.items() if t.split(" (")[-1].rstrip(")") in ("Deals", "Claims", "Settings", "Employees")}
    assert set(before) == set(after)
    changed = {n for n in before if before[n] != after[n]}
    assert status in changed and inputs <= changed
    for name in changed - {status}:  # every other change is the protection element, nothing else
        assert after[name].replace(PROTECT, b"") == before[name], name
    untouched = [p for t, p in by_title.items() if "Payout" in t or "Results" in t]
    assert untouched and all(before[p] == after[p] for p in untouched)
    wb = openpyxl.load_workbook(book)
    assert sheet_of(wb, "Deals").protection.sheet and any("Status" in ws.title and ws.protection.sheet for ws in wb.worksheets)
    assert read_status(book)["locked_by"] == CHECKER
    # reopen takes the protection off again, and a second lock puts it back: no duplicates
    assert main(["reopen", str(book), "--by", "王主管", "--reason", "补录"]) == 0
    assert not sheet_of(openpyxl.load_workbook(book), "Deals").protection.sheet
    assert main(["lock", str(book), "--by", CHECKER]) == 0
    deals = next(p for t, p in by_title.items() if "Deals" in t)
    assert parts(book)[deals].count(b"<sheetProtection") == 1


def test_a_book_without_a_status_sheet_is_written_the_slow_way(tmp_path):
    book = write_book(tmp_path / "plain.xlsx")
    write_status(book, {"state": "CALCULATED", "period": "2026Q3"}, protect_inputs=True)
    assert read_status(book)["state"] == "CALCULATED"
    assert sheet_of(openpyxl.load_workbook(book), "Deals").protection.sheet


def test_protection_element_is_inserted_replaced_and_removed():
    xml = b"<worksheet><sheetData><row/></sheetData><sheetCalcPr fullCalcOnLoad='1'/><dataValidations/></worksheet>"
    on = set_protection(xml, True)
    assert on == xml.replace(b"<sheetCalcPr fullCalcOnLoad='1'/>", b"<sheetCalcPr fullCalcOnLoad='1'/>" + PROTECT)
    assert set_protection(on, True) == on and set_protection(on, False) == xml
    assert set_protection(b"<worksheet><sheetData/></worksheet>", True) == b"<worksheet><sheetData/>" + PROTECT + b"</worksheet>"


def test_libreoffice_opens_a_locked_book(tmp_path):
    soffice = shutil.which("soffice")
    if not soffice:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required in CI")
        pytest.skip("LibreOffice not installed")
    book = write_book(tmp_path / "q3.xlsx")
    assert main(["calculate", str(book), "--quiet"]) == 0 and main(["lock", str(book), "--by", CHECKER]) == 0
    proc = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", "xlsx",
                           "--outdir", str(tmp_path / "lo"), str(book)], capture_output=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    resaved = tmp_path / "lo" / "q3.xlsx"
    assert read_status(resaved)["state"] == "LOCKED" and read_status(resaved)["locked_by"] == CHECKER
