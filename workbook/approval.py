"""Approval: calculate's gate, lock (maker ≠ checker) and reopen.

Calculate may run only while the period is not locked, and only from a known
opening state (the previous quarter locked in the ledger, the first quarter on
the system, or opening balances given explicitly); it records in the Status
sheet the hashes of the inputs it used.

Lock is the approval. It refuses blocking errors, pending claims, stale
results (inputs, policy or results differ from what calculate recorded) and an
approver who is the preparer. It stores in the ledger the input, policy and
result hashes, every row's digest (so verify can name rows), and the closing
state the next quarter will start from; then it writes the Status sheet and
protects the input sheets. The ledger append re-checks the state inside its
exclusive transaction, so of two desks locking at once exactly one wins.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from . import problems as P
from .atomic import clean_leftovers
from .canonical import fingerprint, results_sha256
from .carry import closing_state, encode, opening
from .desk import Desk, adjustment_problems, desk_for, ledger_state, load, prepare, refused
from .flows import Outcome
from .ledger import LOCK, REOPEN, Entry, PeriodHistory, Refused, opened, shown_url, utc_now
from .ledger import exists as ledger_exists
from .lines import PENDING
from .model import Book
from .money import ZERO
from .state import CALCULATE, CALCULATED, LOCKED, PUBLISHED, Where, effective_state, maker_checker, refusal, reopen_guard
from .status_sheet import read_status, status_table, write_status


def lock_who(hist: PeriodHistory) -> tuple[str, str]:
    e = hist.last(LOCK)
    return (e.actor, e.at) if e else ("", "")


class CalculateGate:
    """Called by calculate between load and validate: state check, carried state in."""

    def __init__(self, path: str | Path, ledger_url: str | None = None):
        self.path = Path(path)
        self.ledger_url = ledger_url
        self.desk: Desk | None = None
        self.source = ""
        self.refusal: str | None = None

    def __call__(self, book: Book) -> tuple[Book, str | None, list[P.Problem]]:
        book, self.refusal, probs = self._open(book)
        return book, self.refusal, probs

    def _open(self, book: Book) -> tuple[Book, str | None, list[P.Problem]]:
        self.desk = desk = desk_for(self.path, book.settings, self.ledger_url)
        clean_leftovers(self.path.parent)
        status = read_status(self.path)
        known = status.get("lock_entry_hash", "") if status.get("state") in (LOCKED, PUBLISHED) else ""
        elsewhere = (f"状态表记录 {desk.period} 已锁定（账本条目 {known[:12]}），但账本 {shown_url(desk.ledger_url)} 中没有这条记录："
                     f"请检查 设置 表的 data_home / ledger，已锁定的期间不能换一个账本重新计算")
        if not ledger_exists(desk.ledger_url):  # nothing locked anywhere yet: do not create a ledger just to read it
            self.source = "系统中的第一个季度：期初状态取自 期初余额 表和各表的期初列"
            return book, elsewhere if known else None, []
        with opened(desk.ledger_url) as led:
            hist = led.history(desk.company, desk.period)
            st = ledger_state(hist)
            if st:
                return book, refusal(CALCULATE, Where(desk.period, st, *lock_who(hist))), []
            if known and known not in {e.entry_hash for e in hist.entries}:
                return book, elsewhere, []
            op = opening(led, desk.company, book.period, book)
            if op.refusal:
                return book, op.refusal, op.problems
            adj = adjustment_problems(book, led.index(desk.company))
        self.source = op.source
        return dataclasses.replace(book, carried=op.carried), None, op.problems + adj

    def status(self, book: Book, rows: list) -> tuple:
        """The Status sheet a calculate leaves: CALCULATED, with the hashes of what it used."""
        fp = fingerprint(book)
        desk = self.desk or desk_for(self.path, book.settings, self.ledger_url)
        return status_table({
            "state": CALCULATED, "period": desk.period, "company": desk.company, "prepared_by": book.settings.prepared_by,
            "calculated_at": utc_now(), "input_sha256": fp.input_sha256, "policy_sha256": fp.policy_sha256,
            "results_sha256": results_sha256(rows), "opening": self.source, "ledger": shown_url(desk.ledger_url),
        })


def lock_flow(path: str | Path, by: str, ledger_url: str | None = None) -> Outcome:
    path = Path(path)
    clean_leftovers(path.parent)
    book, probs = load(path)
    if book is None:
        return refused("工作簿无法读取，未锁定", probs)
    if P.has_errors(probs):
        return refused(f"存在 {sum(p.severity == P.ERROR for p in probs)} 个阻断性校验错误：修正并重新计算后才能锁定", probs, book)
    why = maker_checker(by, book.settings.prepared_by)
    if why:
        return refused(why, probs, book)
    desk = desk_for(path, book.settings, ledger_url)
    status = read_status(path)
    with opened(desk.ledger_url) as led:
        hist = led.history(desk.company, desk.period)
        prep = prepare(book, probs, led, desk)
        if prep.opening.refusal:
            return refused(prep.opening.refusal, prep.problems, book)
        if prep.errors:
            return refused("计算中发现错误：修正后重新计算才能锁定", prep.problems, book)
        fp = prep.fp
        state = ledger_state(hist) or effective_state(None, status.get("state", ""), status.get("input_sha256", ""), fp.input_sha256)
        why = refusal("lock", Where(desk.period, state, *lock_who(hist)))
        if why:
            return refused(why, prep.problems, book)
        if status.get("policy_sha256") != fp.policy_sha256 or status.get("results_sha256") != prep.results_sha256:
            return refused(f"{desk.period} 的计算结果已过期：计算之后政策参数、上期结转或引擎结果有变化，请重新计算后再锁定", prep.problems, book)
        pending = [ln for ln in prep.lines if ln.status == PENDING]
        if pending:
            refs = "、".join(sorted({re.sub(r"!R(\d+)$", r" 第 \1 行", ref) for ln in pending for ref in ln.inputs[:1]}))
            return refused(f"有 {len(pending)} 条奖励申请尚未审批完成（{refs}）：所有申请审批完成后才能锁定", prep.problems, book)
        total = sum((r.amount for r in prep.rows), ZERO)
        payload = {
            "company": desk.company, "period": desk.period, "prepared_by": book.settings.prepared_by,
            "input_sha256": fp.input_sha256, "policy_sha256": fp.policy_sha256, "carried_sha256": fp.carried_sha256,
            "results_sha256": prep.results_sha256, "rows": len(prep.rows), "total_amount": f"{total:.2f}",
            "opening": prep.opening.source, "opening_entry": prep.opening.from_entry,
            "closing": encode(closing_state(prep.book)), "sheets": fp.sheets_json(),
        }

        def rule(h: PeriodHistory) -> str | None:  # re-checked under the ledger's write lock
            now = ledger_state(h)
            return refusal("lock", Where(desk.period, now, *lock_who(h))) if now else None

        entry = _append_or_refuse(led, desk, LOCK, by, payload, rule)
    if isinstance(entry, str):
        return refused(entry, prep.problems, book)
    note = status_note(path, lock_record(desk, book, entry, status), True)
    return Outcome(True, prep.problems, [f"{desk.period} 已由 {entry.actor} 锁定（{entry.at}）：{len(prep.rows)} 条发放记录，合计 {total:,.2f} 元",
                                          f"账本条目 {entry.entry_hash}（{shown_url(desk.ledger_url)}）" + (note or "；输入表已保护")],
                   prep.book, prep.lines, prep.rows)


def status_note(path: Path, record: dict, protect: bool) -> str:
    """Write the Status sheet; the transition already stands in the ledger, so a file that
    cannot be written (open in Excel on Windows) is a note, not a failure."""
    try:
        write_status(path, record, protect_inputs=protect)
    except OSError as e:
        return f"；注意：工作簿的 状态 表未能更新（{e.strerror or e}），以账本为准"
    return ""


def lock_record(desk: Desk, book: Book, entry: Entry, status: dict) -> dict:
    return {
        "state": LOCKED, "period": desk.period, "company": desk.company, "prepared_by": book.settings.prepared_by,
        "calculated_at": status.get("calculated_at", ""), "input_sha256": entry.payload["input_sha256"],
        "policy_sha256": entry.payload["policy_sha256"], "results_sha256": entry.payload["results_sha256"],
        "opening": entry.payload.get("opening", ""), "locked_by": entry.actor, "locked_at": entry.at,
        "lock_entry_hash": entry.entry_hash, "ledger": shown_url(desk.ledger_url),
    }


def reopen_flow(path: str | Path, by: str, reason: str, ledger_url: str | None = None) -> Outcome:
    path = Path(path)
    clean_leftovers(path.parent)
    book, probs = load(path)
    if book is None:
        return refused("工作簿无法读取，未 reopen", probs)
    desk = desk_for(path, book.settings, ledger_url)
    status = read_status(path)
    with opened(desk.ledger_url) as led:
        def rule(h: PeriodHistory) -> str | None:
            now = ledger_state(h) or CALCULATED
            why = refusal("reopen", Where(desk.period, now, *lock_who(h)))
            return why or reopen_guard(by, reason, lock_who(h)[0])

        lock = led.history(desk.company, desk.period).last(LOCK)
        entry = _append_or_refuse(led, desk, REOPEN, by, {"reason": (reason or "").strip(), "lock_entry_hash": lock.entry_hash if lock else ""}, rule)
    if isinstance(entry, str):
        return refused(entry, [], book)
    record = lock_record(desk, book, lock, status) if lock else {}
    record.update(state=CALCULATED, reopened_by=entry.actor, reopened_at=entry.at, reopen_reason=entry.payload["reason"],
                  locked_by="", locked_at="", lock_entry_hash="")
    note = status_note(path, record, False)
    return Outcome(True, [], [f"{desk.period} 已由 {entry.actor} reopen（理由：{entry.payload['reason']}）；输入表已取消保护，修改后请重新计算并锁定",
                              f"账本条目 {entry.entry_hash}{note}"], book)


def _append_or_refuse(led, desk: Desk, kind: str, by: str, payload: dict, rule) -> Entry | str:
    try:
        return led.append(desk.company, desk.period, kind, (by or "").strip(), payload, rule)
    except Refused as r:
        return r.reason
