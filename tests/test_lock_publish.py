"""The life of a quarter through the CLI: calculate → lock → verify → publish, and every refusal.

The quarter and its payouts are worked by hand in ``lifecycle_data``.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from lifecycle_data import CHECKER, EXPECTED_CSV_ROWS, PREPARER, append_row, data, edit, sheet_of, write_book
from workbook.cli import main
from workbook.ledger import sqlite_path
from workbook.status_sheet import read_status


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture
def book(tmp_path) -> Path:
    return write_book(tmp_path / "q3.xlsx")


def ledger_db(book: Path) -> Path:
    return book.parent / "bonusbook-data" / "ledger.sqlite3"


def published(book: Path, period: str = "2026Q3") -> Path:
    return book.parent / "bonusbook-data" / "published" / period


def calculated(capsys, book: Path) -> None:
    code, out = run(capsys, "calculate", str(book), "--quiet")
    assert code == 0, out


def locked(capsys, book: Path) -> None:
    calculated(capsys, book)
    code, out = run(capsys, "lock", str(book), "--by", CHECKER)
    assert code == 0, out


# ---------------------------------------------------------------- lock
def test_maker_cannot_check(capsys, book):
    calculated(capsys, book)
    for name in (PREPARER, f"  {PREPARER} ", "制表人\u3000"):  # spaces and full-width space do not make another person
        code, out = run(capsys, "lock", str(book), "--by", name)
        assert code == 1
        assert "审批人不能是制表人" in out
    assert not ledger_db(book).exists() or not sqlite3.connect(ledger_db(book)).execute("SELECT count(*) FROM ledger").fetchone()[0]


def test_lock_before_calculate_is_refused(capsys, book):
    code, out = run(capsys, "lock", str(book), "--by", CHECKER)
    assert code == 1 and "锁定前须先计算" in out


def test_stale_results_are_refused(capsys, book):
    calculated(capsys, book)
    edit(book, "Deals", ("deal_id", "D1"), "amount", 600000)  # 600,000 would be the 2,000 tier: results are stale
    code, out = run(capsys, "lock", str(book), "--by", CHECKER)
    assert code == 1 and "已过期" in out
    calculated(capsys, book)
    code, out = run(capsys, "lock", str(book), "--by", CHECKER)
    assert code == 0, out


def test_pending_claim_blocks_lock(capsys, tmp_path):
    claims = data()["Claims"]
    claims[0].update(hr_approver=None, hr_approved_on=None)
    book = write_book(tmp_path / "q3.xlsx", data(Claims=claims))
    calculated(capsys, book)
    code, out = run(capsys, "lock", str(book), "--by", CHECKER)
    assert code == 1 and "尚未审批完成" in out and "第 2 行" in out  # the claim's sheet row, in words


def test_blocking_errors_block_lock(capsys, book):
    calculated(capsys, book)
    edit(book, "Deals", ("deal_id", "D1"), "amount", "十万")
    code, out = run(capsys, "lock", str(book), "--by", CHECKER)
    assert code == 1 and "阻断性校验错误" in out


def test_lock_records_status_ledger_and_protects_inputs(capsys, book):
    locked(capsys, book)
    st = read_status(book)
    assert st["state"] == "LOCKED" and st["locked_by"] == CHECKER and st["prepared_by"] == PREPARER
    con = sqlite3.connect(ledger_db(book))
    kind, actor, payload, ehash = con.execute("SELECT kind, actor, payload, entry_hash FROM ledger").fetchone()
    assert (kind, actor, ehash) == ("lock", CHECKER, st["lock_entry_hash"])
    p = json.loads(payload)
    assert p["input_sha256"] == st["input_sha256"] and p["results_sha256"] == st["results_sha256"]
    assert p["rows"] == 4 and p["total_amount"] == "1700.00"  # 1,000 + 1,000 − 800 + 500
    wb = openpyxl.load_workbook(book)
    assert sheet_of(wb, "Deals").protection.sheet and sheet_of(wb, "Claims").protection.sheet
    assert any("Status" in ws.title and ws.protection.sheet for ws in wb.worksheets)
    assert any("Payout" in ws.title for ws in wb.worksheets)  # lock replaced only the Status sheet


def test_state_machine_refusals_and_reopen(capsys, book):
    locked(capsys, book)
    code, out = run(capsys, "lock", str(book), "--by", "另一位")
    assert code == 1 and f"已由 {CHECKER}" in out and "不能重复锁定" in out
    code, out = run(capsys, "calculate", str(book), "--quiet")
    assert code == 1 and "锁定后不能重新计算" in out
    code, out = run(capsys, "reopen", str(book), "--by", CHECKER, "--reason", "补录")
    assert code == 1 and "须由锁定人" in out
    code, out = run(capsys, "reopen", str(book), "--by", "王主管", "--reason", "  ")
    assert code == 1 and "必须写明理由" in out
    code, out = run(capsys, "reopen", str(book), "--by", "王主管", "--reason", "补录一笔成交")
    assert code == 0, out
    st = read_status(book)
    assert st["state"] == "CALCULATED" and st["reopened_by"] == "王主管" and st["reopen_reason"] == "补录一笔成交"
    assert not sheet_of(openpyxl.load_workbook(book), "Deals").protection.sheet
    code, out = run(capsys, "reopen", str(book), "--by", "王主管", "--reason", "再来")
    assert code == 1 and "未锁定" in out
    code, out = run(capsys, "publish", str(book))
    assert code == 1 and "未锁定" in out
    # reopened and unchanged: lock again without recalculating
    code, out = run(capsys, "lock", str(book), "--by", CHECKER)
    assert code == 0, out
    code, out = run(capsys, "publish", str(book))
    assert code == 0, out
    code, out = run(capsys, "reopen", str(book), "--by", "王主管", "--reason", "发现错误")
    assert code == 1 and "已发布的期间不能 reopen" in out
    code, out = run(capsys, "calculate", str(book), "--quiet")
    assert code == 1 and "已发布的期间永不更改" in out
    kinds = [k for (k,) in sqlite3.connect(ledger_db(book)).execute("SELECT kind FROM ledger ORDER BY seq")]
    assert kinds == ["lock", "reopen", "lock", "publish"]


def test_refusals_are_one_line_without_traceback(capsys, book):
    code, out = run(capsys, "publish", str(book))
    assert code == 1 and "Traceback" not in out and len(out.strip().splitlines()) == 1


def test_usage_and_file_errors_exit_2(capsys, tmp_path):
    assert run(capsys, "lock", str(tmp_path / "none.xlsx"), "--by", CHECKER)[0] == 2
    assert run(capsys, "reopen", str(tmp_path / "none.xlsx"), "--by", "x")[0] == 2  # --reason missing


def test_unreachable_ledger_exits_2(capsys, book):
    calculated(capsys, book)
    code, out = run(capsys, "lock", str(book), "--by", CHECKER, "--ledger", "postgresql://nobody@127.0.0.1:1/x")
    assert code == 2 and "账本错误" in out and "Traceback" not in out


# ---------------------------------------------------------------- verify
def test_verify_names_the_sheet_and_row_edited_after_lock(capsys, book):
    locked(capsys, book)
    code, out = run(capsys, "verify", str(book))
    assert code == 0 and "核对通过" in out
    row = edit(book, "Deals", ("deal_id", "D2"), "amount", 80001)
    code, out = run(capsys, "verify", str(book))
    assert code == 1
    assert f"成交 (Deals)!A{row} 锁定后被改动 —— 第 {row} 行已修改" in out
    assert "Satisfaction" not in out and "Claims" not in out  # only the edited sheet is named


def test_verify_names_added_and_removed_rows(capsys, book):
    locked(capsys, book)
    added = append_row(book, "Incidents", {"incident_id": "I9", "employee_id": "E1", "date": dt.date(2026, 9, 1), "kind": "violation"})
    wb = openpyxl.load_workbook(book)
    sat = sheet_of(wb, "Satisfaction")
    sat.delete_rows(2)  # E1's 95%; E2's row moves up to row 2 but is unchanged
    wb.save(book)
    code, out = run(capsys, "verify", str(book))
    assert code == 1
    assert f"奖惩事件 (Incidents)!A{added} 锁定后被改动 —— 第 {added} 行是新增或改动后的数据" in out
    assert "满意度 (Satisfaction)!A2 锁定后被改动 —— 锁定时的第 2 行已删除或改动" in out


def test_verify_sees_a_policy_change(capsys, book):
    locked(capsys, book)
    row = edit(book, "Policy", ("key", "pn_complaint_serious"), "value", "25%")
    code, out = run(capsys, "verify", str(book))
    assert code == 1 and f"第 {row} 行已修改" in out and "政策参数 (Policy)" in out


def test_reformatting_a_value_is_not_a_change(capsys, book):
    locked(capsys, book)
    edit(book, "Deals", ("deal_id", "D1"), "amount", "300,000.00")  # same number, typed differently
    code, out = run(capsys, "verify", str(book))
    assert code == 0, out


def test_verify_detects_a_ledger_row_edited_behind_the_triggers(capsys, book):
    locked(capsys, book)
    run(capsys, "publish", str(book))
    con = sqlite3.connect(ledger_db(book))
    con.executescript("DROP TRIGGER ledger_no_update; UPDATE ledger SET actor = '冒名者' WHERE seq = 1;")
    con.close()
    code, out = run(capsys, "verify", str(book))
    assert code == 1
    assert "账本第 1 条" in out and "写入后被改动" in out and "ledger_no_update" in out


# ---------------------------------------------------------------- publish
def test_publish_writes_the_finance_files(capsys, book):
    locked(capsys, book)
    code, out = run(capsys, "publish", str(book), "--by", "财务小刘")
    assert code == 0, out
    folder = published(book)
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "payout-2026Q3.csv", "payout-2026Q3.xlsx"]
    raw = (folder / "payout-2026Q3.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["period", "pay_month", "employee_id", "employee_name", "department", "item_code", "item_name", "amount", "currency", "basis"]
    assert [r[:9] for r in rows[1:]] == EXPECTED_CSV_ROWS
    assert rows[1][9].startswith("新客户 C1 首单 2026-07-10 金额 300,000")
    m = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert (m["period"], m["prepared_by"], m["locked_by"], m["rows"], m["total_amount"]) == ("2026Q3", PREPARER, CHECKER, 4, "1700.00")
    assert m["totals_by_item"] == {"NC": "1000.00", "PN": "-800.00", "SA": "1500.00"}
    con = sqlite3.connect(ledger_db(book))
    (lock_hash,) = con.execute("SELECT entry_hash FROM ledger WHERE kind='lock'").fetchone()
    pub_hash, prev, actor = con.execute("SELECT entry_hash, prev_hash, actor FROM ledger WHERE kind='publish'").fetchone()
    assert (m["ledger_entry_hash"], m["previous_entry_hash"], prev, actor) == (pub_hash, lock_hash, lock_hash, "财务小刘")
    import hashlib

    assert m["payout_csv_sha256"] == hashlib.sha256(raw).hexdigest()
    st = read_status(book)
    assert st["state"] == "PUBLISHED" and st["publish_entry_hash"] == pub_hash


def test_republishing_the_same_content_is_a_no_op(capsys, book):
    locked(capsys, book)
    assert run(capsys, "publish", str(book))[0] == 0
    folder = published(book)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    code, out = run(capsys, "publish", str(book))
    assert code == 0 and "内容相同：未做任何改动" in out
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()} == before
    n = sqlite3.connect(ledger_db(book)).execute("SELECT count(*) FROM ledger WHERE kind='publish'").fetchone()[0]
    assert n == 1


def test_a_published_file_is_never_overwritten(capsys, book):
    locked(capsys, book)
    assert run(capsys, "publish", str(book))[0] == 0
    target = published(book) / "payout-2026Q3.csv"
    target.write_bytes(target.read_bytes().replace(b"1000.00", b"9000.00", 1))
    tampered = target.read_bytes()
    code, out = run(capsys, "publish", str(book))
    assert code == 1 and "永不覆盖" in out
    assert target.read_bytes() == tampered
    code, out = run(capsys, "verify", str(book))
    assert code == 1 and "payout-2026Q3.csv 已被改动" in out


def test_publish_refuses_inputs_changed_after_lock(capsys, book):
    locked(capsys, book)
    row = edit(book, "Satisfaction", ("employee_id", "E2"), "satisfaction", "96%")
    code, out = run(capsys, "publish", str(book))
    assert code == 1 and "锁定后输入已改动" in out and f"第 {row} 行已修改" in out
    assert not published(book).exists()


def with_period(period: str, **changes) -> dict:
    settings = data()["Settings"]
    settings[0]["value"] = period
    return data(Settings=settings, **changes)


def test_a_quarter_cannot_start_before_its_predecessor_is_locked(capsys, tmp_path):
    q1 = write_book(tmp_path / "q1.xlsx", with_period("2026Q1"))
    locked(capsys, q1)
    q3 = write_book(tmp_path / "q3.xlsx")  # 2026Q2 was skipped
    code, out = run(capsys, "calculate", str(q3), "--quiet")
    assert code == 1 and "上一季度 2026Q2 尚未在账本中锁定" in out and len(out.strip().splitlines()) == 1
    opening = [{"employee_id": "E1", "kind": "excess", "period": "2026Q2", "amount": 0}]
    q3b = write_book(tmp_path / "q3b.xlsx", data(OpeningBalances=opening))
    code, out = run(capsys, "calculate", str(q3b), "--quiet")
    assert code == 0, out  # opening balances given explicitly
    assert "期初余额" in read_status(q3b)["opening"]


def test_the_first_quarter_on_the_system_needs_no_predecessor(capsys, book):
    calculated(capsys, book)
    assert "第一个季度" in read_status(book)["opening"]


def test_ledger_url_from_settings_and_flag(capsys, tmp_path):
    url = f"sqlite:///{(tmp_path / 'shared' / 'l.sqlite3').as_posix().lstrip('/')}"
    settings = data()["Settings"] + [{"key": "ledger", "value": url}]
    book = write_book(tmp_path / "q3.xlsx", data(Settings=settings))
    locked(capsys, book)
    assert sqlite_path(url).exists() and not ledger_db(book).exists()
    assert read_status(book)["ledger"] == url


def test_a_locked_book_copied_to_another_desk_cannot_be_recalculated_there(capsys, book, tmp_path):
    import shutil

    locked(capsys, book)
    elsewhere = tmp_path / "other-desk" / "q3.xlsx"  # its own data_home: an empty ledger
    elsewhere.parent.mkdir()
    shutil.copy2(book, elsewhere)
    code, out = run(capsys, "calculate", str(elsewhere), "--quiet")
    assert code == 1 and "已锁定的期间不能换一个账本重新计算" in out


def test_a_book_that_cannot_be_written_still_locks_in_the_ledger(capsys, book, monkeypatch):
    """Excel on Windows keeps the file locked: the lock stands in the ledger, and says so."""
    calculated(capsys, book)
    import workbook.approval as approval

    def busy(*a, **k):
        raise PermissionError(13, "文件正被另一个程序使用")

    monkeypatch.setattr(approval, "write_status", busy)
    code, out = run(capsys, "lock", str(book), "--by", CHECKER)
    assert code == 0 and "状态 表未能更新" in out and "以账本为准" in out
    monkeypatch.undo()
    assert run(capsys, "verify", str(book))[0] == 0
    assert run(capsys, "publish", str(book))[0] == 0
    assert read_status(book)["state"] == "PUBLISHED"
