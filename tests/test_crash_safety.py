"""Crash safety and concurrency with real processes: kill -9 mid-save, racing desks, VBA kept.

Each child is a fresh ``python`` running the real CLI. A child that must die
mid-write has one function patched to stall at the worst moment, prints a
marker, and is then killed with SIGKILL: nothing in the product knows about it.
"""
from __future__ import annotations

import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from lifecycle_data import CHECKER, write_book
from workbook.atomic import TMP_PREFIX
from workbook.cli import main
from workbook.status_sheet import read_status, save_guard

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork semantics are POSIX")


def cli(*argv: str) -> int:
    return main(list(argv))


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def child(code: str, *args: str) -> subprocess.Popen:
    script = "import sys, time\nsys.path.insert(0, %r)\n" % str(ROOT) + textwrap.dedent(code)
    return subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def kill_at(proc: subprocess.Popen, marker: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if marker in line:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(30)
            return
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"child never reached {marker}: {proc.stderr.read()[-2000:]}")


def leftovers(folder: Path) -> list[Path]:
    return list(folder.glob(TMP_PREFIX + "*"))


STALL_IN_SAVE = """
    import os
    def fsync(fd):  # the temp file is complete and about to be made durable: cut it in half and hang
        os.ftruncate(fd, os.fstat(fd).st_size // 2)
        print("HALF-WRITTEN", flush=True)
        time.sleep(600)
    os.fsync = fsync
    from workbook.cli import main
    sys.exit(main(sys.argv[1:]))
"""


def test_kill_9_during_calculate_leaves_the_workbook_intact(tmp_path):
    book = write_book(tmp_path / "q3.xlsx")
    before = sha(book)
    kill_at(child(STALL_IN_SAVE, "calculate", str(book), "--quiet"), "HALF-WRITTEN")
    assert sha(book) == before
    openpyxl.load_workbook(book)  # still a valid workbook
    assert leftovers(tmp_path), "the killed save left its temp file (so the clean-up below is tested)"
    assert cli("calculate", str(book), "--quiet") == 0
    assert leftovers(tmp_path) == []
    assert read_status(book)["state"] == "CALCULATED"


def test_kill_9_during_lock_save_keeps_book_and_ledger_consistent(tmp_path):
    book = write_book(tmp_path / "q3.xlsx")
    assert cli("calculate", str(book), "--quiet") == 0
    before = sha(book)
    kill_at(child(STALL_IN_SAVE, "lock", str(book), "--by", CHECKER), "HALF-WRITTEN")
    assert sha(book) == before  # the Status sheet still says CALCULATED …
    assert read_status(book)["state"] == "CALCULATED"
    assert cli("verify", str(book)) == 0  # … but the ledger, which is authoritative, holds the lock
    assert cli("lock", str(book), "--by", "另一位") == 1
    assert cli("publish", str(book)) == 0
    assert read_status(book)["state"] == "PUBLISHED" and leftovers(tmp_path) == []


STALL_BEFORE_XLSX = """
    import workbook.publish as pub
    original = pub.write_bytes
    def write_bytes(path, data, overwrite=True):
        if str(path).endswith(".xlsx"):
            print("CSV-WRITTEN", flush=True)
            time.sleep(600)
        return original(path, data, overwrite)
    pub.write_bytes = write_bytes
    from workbook.cli import main
    sys.exit(main(sys.argv[1:]))
"""


def test_kill_9_during_publish_then_publish_completes_without_overwriting(tmp_path):
    book = write_book(tmp_path / "q3.xlsx")
    assert cli("calculate", str(book), "--quiet") == 0
    assert cli("lock", str(book), "--by", CHECKER) == 0
    kill_at(child(STALL_BEFORE_XLSX, "publish", str(book)), "CSV-WRITTEN")
    folder = tmp_path / "bonusbook-data" / "published" / "2026Q3"
    assert sorted(p.name for p in folder.iterdir()) == ["payout-2026Q3.csv"]
    csv_before = sha(folder / "payout-2026Q3.csv")
    assert cli("verify", str(book)) == 1  # the ledger says published; two files are missing
    assert cli("publish", str(book)) == 0  # completes the interrupted publish
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "payout-2026Q3.csv", "payout-2026Q3.xlsx"]
    assert sha(folder / "payout-2026Q3.csv") == csv_before
    assert cli("verify", str(book)) == 0
    con = sqlite3.connect(tmp_path / "bonusbook-data" / "ledger.sqlite3")
    assert con.execute("SELECT count(*) FROM ledger WHERE kind = 'publish'").fetchone()[0] == 1


def _race(book: Path, argvs: list[list[str]]) -> list[subprocess.CompletedProcess]:
    """Start the children while this process holds the ledger's write lock, then let go:
    every child has loaded and computed by then and contends for the same lock."""
    db = book.parent / "bonusbook-data" / "ledger.sqlite3"
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    procs = [subprocess.Popen([sys.executable, "-m", "workbook.cli", *a], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, cwd=ROOT) for a in argvs]
    time.sleep(6)  # loading and computing this small book takes well under that
    con.execute("COMMIT")
    con.close()
    return [subprocess.CompletedProcess(p.args, p.wait(120), p.stdout.read()) for p in procs]


def test_two_desks_locking_at_once_exactly_one_wins(tmp_path):
    book = write_book(tmp_path / "q3.xlsx")
    assert cli("calculate", str(book), "--quiet") == 0
    from workbook.ledger import open_ledger

    open_ledger(str(tmp_path / "bonusbook-data" / "ledger.sqlite3")).close()  # an empty ledger for _race to hold
    results = _race(book, [["lock", str(book), "--by", "审批甲"], ["lock", str(book), "--by", "审批乙"]])
    codes = sorted(r.returncode for r in results)
    assert codes == [0, 1], [r.stdout for r in results]
    loser = next(r for r in results if r.returncode == 1)
    assert "不能重复锁定" in loser.stdout
    con = sqlite3.connect(tmp_path / "bonusbook-data" / "ledger.sqlite3")
    assert con.execute("SELECT count(*) FROM ledger WHERE kind = 'lock'").fetchone()[0] == 1


def test_two_desks_publishing_at_once_publish_once(tmp_path):
    book = write_book(tmp_path / "q3.xlsx")
    assert cli("calculate", str(book), "--quiet") == 0
    assert cli("lock", str(book), "--by", CHECKER) == 0
    results = _race(book, [["publish", str(book), "--by", "财务甲"], ["publish", str(book), "--by", "财务乙"]])
    assert [r.returncode for r in results] == [0, 0], [r.stdout for r in results]
    assert sum("已发布：4 条发放记录" in r.stdout for r in results) == 1  # one publishes; the other finds it
    # published (and, if it came before the winner finished writing, wrote the same bytes it would have)
    con = sqlite3.connect(tmp_path / "bonusbook-data" / "ledger.sqlite3")
    assert con.execute("SELECT count(*) FROM ledger WHERE kind = 'publish'").fetchone()[0] == 1
    assert cli("verify", str(book)) == 0


# ---------------------------------------------------------------- the user's formulas and VBA
VBA_BYTES = b"\xd0\xcf\x11\xe0 not a real VBA project, but bytes that must survive unchanged"


def make_xlsm(src: Path, dst: Path) -> None:
    """The same book as a macro-enabled workbook carrying a VBA project part."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                data = data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVBA1" Type="http://schemas.microsoft.com/office/2006/'
                                                         b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
            zout.writestr(item, data)
        zout.writestr("xl/vbaProject.bin", VBA_BYTES)


def test_vba_and_formulas_survive_calculate_lock_and_publish(tmp_path):
    src = write_book(tmp_path / "plain.xlsx")
    wb = openpyxl.load_workbook(src)
    ws = wb["说明"]
    ws["C3"] = "=1+2"  # a user's formula on a sheet the engine does not read
    wb.save(src)
    book = tmp_path / "q3.xlsm"
    make_xlsm(src, book)
    assert cli("calculate", str(book), "--quiet") == 0
    assert cli("lock", str(book), "--by", CHECKER) == 0
    assert cli("publish", str(book)) == 0
    with zipfile.ZipFile(book) as z:
        assert z.read("xl/vbaProject.bin") == VBA_BYTES
        assert re.search(rb"vbaProject", z.read("[Content_Types].xml"))
    assert openpyxl.load_workbook(book, keep_vba=True)["说明"]["C3"].value == "=1+2"


def test_a_workbook_read_for_values_only_is_never_saved(tmp_path):
    book = write_book(tmp_path / "q3.xlsx")
    with pytest.raises(ValueError, match="data_only"):
        save_guard(openpyxl.load_workbook(book, data_only=True))
    save_guard(openpyxl.load_workbook(book))
