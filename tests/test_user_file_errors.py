"""What HR sees when the file itself is wrong: one Chinese line naming THEIR file, exit 1 or 2, the book untouched.

Read-only files and folders are simulated by making the temp-file step fail the way
the operating system does (the suite may run as root, for whom chmod changes nothing).
"""
from __future__ import annotations

import errno
import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest

from lifecycle_data import data, write_book
from workbook import atomic
from workbook.atomic import TMP_PREFIX, write_with
from workbook.cli import main
from workbook.template import build_template, fill_book


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_a_refused_temp_file_is_reported_under_the_target_name(tmp_path):
    target = tmp_path / "q3.xlsx"
    target.write_bytes(b"old")

    def denied(tmp: Path) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp))

    with pytest.raises(PermissionError) as caught:
        write_with(target, denied)
    assert caught.value.filename == str(target)
    assert target.read_bytes() == b"old" and not list(tmp_path.glob(TMP_PREFIX + "*"))


def test_calculate_in_a_read_only_folder_names_the_workbook_not_a_temp_file(tmp_path, monkeypatch, capsys):
    book = write_book(tmp_path / "q3.xlsx")
    before = sha(book)

    def no_temp_here(prefix="", suffix="", dir=None):  # what mkstemp raises in a folder the user may not write
        raise PermissionError(errno.EACCES, "Permission denied", str(Path(dir) / f"{prefix}abc{suffix}"))

    monkeypatch.setattr(atomic.tempfile, "mkstemp", no_temp_here)
    assert main(["calculate", str(book), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert str(book) in err and TMP_PREFIX not in err and "Traceback" not in err
    assert sha(book) == before


def test_a_folder_given_as_the_workbook_is_called_a_folder(tmp_path, capsys):
    folder = tmp_path / "q3.xlsx"
    folder.mkdir()
    assert main(["calculate", str(folder), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "文件夹" in err and "找不到" not in err


def test_an_xlsx_renamed_to_xls_says_so_in_chinese(tmp_path, capsys):
    book = tmp_path / "q3.xls"
    shutil.copy(write_book(tmp_path / "q3.xlsx"), book)
    before = sha(book)
    assert main(["calculate", str(book), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert ".xls" in out and ".xlsx" in out and "Cfb" not in out and "OLE" not in out
    assert sha(book) == before


def test_a_user_sheet_carrying_an_output_title_is_never_overwritten(tmp_path, capsys):
    wb = build_template()
    fill_book(wb, data())
    del wb["发放表 (Payout)"]
    mine = wb.create_sheet("发放表 (Payout)")  # the user's own sheet, unprotected, their data
    mine.append(["我的", "数据"])
    mine.append(["keep", 123])
    book = tmp_path / "q3.xlsx"
    wb.save(book)
    before = sha(book)
    assert main(["calculate", str(book), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "发放表 (Payout)" in out and "改名" in out
    assert sha(book) == before
    assert list(openpyxl.load_workbook(book)["发放表 (Payout)"].iter_rows(values_only=True)) == [("我的", "数据"), ("keep", 123)]


def test_the_templates_own_output_sheets_are_still_replaced_every_run(tmp_path):
    book = write_book(tmp_path / "q3.xlsx")
    assert main(["calculate", str(book), "--quiet"]) == 0
    assert main(["calculate", str(book), "--quiet"]) == 0  # the second run replaces what the first wrote
    rows = list(openpyxl.load_workbook(book)["发放表 (Payout)"].iter_rows(values_only=True))
    assert rows[0][0] == "period" and len(rows) == 5  # header + the 4 rows of lifecycle_data


def test_a_damaged_sheet_is_named_and_nothing_is_written(tmp_path, capsys):
    """A sheet whose XML is cut short: one Chinese message naming that sheet, exit 1, no traceback, book untouched."""
    import zipfile

    from workbook.sheet_marks import sheet_parts

    good = write_book(tmp_path / "good.xlsx", data())
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as zin:
        deals = next((title, part) for title, part in sheet_parts(zin).items() if "Deals" in title)
        with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                body = zin.read(info)
                zout.writestr(info, body[: len(body) // 2] if info.filename == deals[1] else body)
    before = sha(bad)
    assert main(["calculate", str(bad)]) == 1
    err = capsys.readouterr()
    text = err.out + err.err
    assert f"工作表「{deals[0]}」的内容已损坏" in text and "Traceback" not in text
    assert sha(bad) == before
