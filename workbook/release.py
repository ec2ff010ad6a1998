"""Verify and publish: what a locked quarter may still do.

Verify recomputes the hashes of the book as it is now and compares them with the
lock entry: it names every sheet and row changed since the lock, checks the
whole ledger chain (and its append-only triggers), and, for a published period,
checks the published files byte for byte against what the ledger entry implies.

Publish needs LOCKED and inputs unchanged since the lock, and a payout that
recomputes to the locked results hash. Under the ledger's write lock it appends
the publish entry (so of two desks exactly one publishes), then writes the
finance files, each atomically and never over an existing file. Every byte of
those files follows from the entry, so running publish again is a no-op when
they are all there and identical, completes them after a crash between the
entry and the files, and refuses if a file on disk differs.
"""
from __future__ import annotations

import getpass
from pathlib import Path

from . import problems as P
from .atomic import clean_leftovers
from .canonical import SheetPrint, diff
from .desk import Desk, Prepared, change_problems, desk_for, ledger_state, load, prepare, refused
from .flows import Outcome
from .ledger import LOCK, PUBLISH, Entry, PeriodHistory, Refused, opened, shown_url
from .publish import Files, check, csv_bytes, folder, ledger_payload, render
from .state import PUBLISHED, Where, refusal
from .status_sheet import read_status

LEDGER_SHEET = "账本"


def _changes(prep: Prepared, lock: Entry) -> list[P.Problem]:
    locked = {k: SheetPrint.from_json(v) for k, v in lock.payload.get("sheets", {}).items()}
    out = change_problems(prep.book, diff(locked, prep.fp.sheets))
    if prep.fp.carried_sha256 != lock.payload.get("carried_sha256"):
        out.append(P.error(LEDGER_SHEET, "", "", "上期结转的期初状态与锁定时不同（上一季度在锁定本期后被 reopen 并改动过）",
                           expected=str(lock.payload.get("opening", "")), found="已变化"))
    if prep.fp.policy_sha256 != lock.payload.get("policy_sha256") and not any(p.sheet in (prep.book.title("Policy"), prep.book.title("Tiers")) for p in out):
        out.append(P.error(prep.book.title("Policy"), "", "", "生效的政策参数与锁定时不同（表中未填写的参数取引擎默认值，默认值已变化）"))
    return out


def verify_flow(path: str | Path, ledger_url: str | None = None) -> Outcome:
    path = Path(path)
    book, probs = load(path)
    if book is None:
        return refused("工作簿无法读取，无法核对", probs)
    desk = desk_for(path, book.settings, ledger_url)
    with opened(desk.ledger_url) as led:
        everything = led.entries()
        chain = [P.error(LEDGER_SHEET, "", "", line) for line in led.check_chain(everything)]
        count = len(everything)
        del everything
        hist = led.history(desk.company, desk.period)
        state = ledger_state(hist)
        if state is None:
            return refused(f"{desk.period} 未锁定：verify 核对的是锁定之后的改动，请先锁定", chain, book)
        lock = hist.last(LOCK)
        prep = prepare(book, [p for p in probs if p.severity == P.ERROR], led, desk, run=state == PUBLISHED)
        if prep.opening.refusal:
            return refused(prep.opening.refusal, chain + prep.problems, book)
        found = chain + prep.problems + _changes(prep, lock)
        status = read_status(path)
        if status.get("lock_entry_hash") and status["lock_entry_hash"] != lock.entry_hash:
            found.append(P.warning("状态", "", "lock_entry_hash", "状态表记录的锁定条目与账本不一致：以账本为准", expected=lock.entry_hash, found=status["lock_entry_hash"]))
        if state == PUBLISHED and not prep.errors:
            found += _published_files(desk, prep, hist)
    ok = not P.has_errors(found)
    if ok:
        summary = [f"核对通过：{desk.period} 自 {lock.actor} 于 {lock.at} 锁定以来输入未改动；账本链完整（{count} 条，{shown_url(desk.ledger_url)}）"]
    else:
        summary = [f"核对未通过：发现 {sum(p.severity == P.ERROR for p in found)} 处问题（见上）"]
    return Outcome(ok, found, summary, prep.book)


def _published_files(desk: Desk, prep: Prepared, hist: PeriodHistory) -> list[P.Problem]:
    entry = hist.last(PUBLISH)
    try:
        files = render(prep.rows, entry)
    except ValueError:
        return [P.error(LEDGER_SHEET, "", "", "按当前数据生成的发放文件与发布时账本记录的不一致")]
    return [P.error("published", "", "", line) for line in check(folder(desk.data_home, desk.period), files)]


def publish_flow(path: str | Path, by: str = "", ledger_url: str | None = None) -> Outcome:
    path = Path(path)
    clean_leftovers(path.parent)  # a save killed earlier left its temp file here
    book, probs = load(path)
    if book is None:
        return refused("工作簿无法读取，未发布", probs)
    if P.has_errors(probs):
        return refused(f"存在 {sum(p.severity == P.ERROR for p in probs)} 个阻断性校验错误：锁定后的输入被改坏了，未发布", probs, book)
    desk = desk_for(path, book.settings, ledger_url)
    actor = (by or "").strip() or _whoami()
    with opened(desk.ledger_url) as led:
        hist = led.history(desk.company, desk.period)
        state = ledger_state(hist)
        why = refusal("publish", Where(desk.period, state or "CALCULATED"))
        if why:
            return refused(why, probs, book)
        lock = hist.last(LOCK)
        prep = prepare(book, probs, led, desk)
        if prep.opening.refusal:
            return refused(prep.opening.refusal, prep.problems, book)
        changed = _changes(prep, lock)
        if changed or prep.fp.input_sha256 != lock.payload["input_sha256"] or prep.fp.policy_sha256 != lock.payload["policy_sha256"]:
            return refused(f"{desk.period} 锁定后输入已改动，未发布：请恢复锁定时的数据，或 reopen 后重新计算并锁定", prep.problems + changed, book)
        if prep.errors:
            return refused("计算中发现错误，未发布", prep.problems, book)
        if prep.results_sha256 != lock.payload["results_sha256"]:
            return refused(f"{desk.period} 重新计算的发放结果与锁定时不一致（引擎版本不同？）：请 reopen 后重新计算并锁定", prep.problems, book)
        already = state == PUBLISHED
        if not already:
            payload = ledger_payload(prep.rows, csv_bytes(prep.rows), desk.period, desk.company, lock)
            try:
                entry = led.append(desk.company, desk.period, PUBLISH, actor, payload, _publish_rule(desk))
            except Refused:  # another desk published a moment ago: same data, so the same files
                hist = led.history(desk.company, desk.period)
                if ledger_state(hist) != PUBLISHED:
                    raise
                already = True
        if already:
            entry = hist.last(PUBLISH)
    return _write_files(path, desk, prep, lock, entry, already)


def _publish_rule(desk: Desk):
    def rule(h: PeriodHistory) -> str | None:
        return "同一期间已被另一处发布" if ledger_state(h) == PUBLISHED else refusal("publish", Where(desk.period, ledger_state(h) or "CALCULATED"))
    return rule


def _write_files(path: Path, desk: Desk, prep: Prepared, lock: Entry, entry: Entry, already: bool) -> Outcome:
    target = folder(desk.data_home, desk.period)
    try:
        files: Files = render(prep.rows, entry)
    except ValueError:
        return refused(f"{desk.period} 已发布，但按当前数据生成的发放文件与发布记录不一致：已发布的期间不再更改，未写任何文件", prep.problems, prep.book)
    from .publish import ensure

    w = ensure(target, files)
    if w.conflicts:
        return refused(f"{target} 中已有内容不同的文件 {', '.join(w.conflicts)}：已发布的文件永不覆盖，请核查是谁改动了它们", prep.problems, prep.book)
    summary = []
    if already and not w.written:
        summary.append(f"{desk.period} 已于 {entry.at} 由 {entry.actor} 发布，内容相同：未做任何改动")
    elif already:
        summary.append(f"{desk.period} 已发布（{entry.at}）；补齐了中断时未写出的文件：{', '.join(w.written)}")
    else:
        summary.append(f"{desk.period} 已发布：{len(prep.rows)} 条发放记录，合计 {entry.payload['total_amount']} 元")
    summary.append(f"发放文件：{target}（{', '.join(files.data)}）")
    summary.append(f"账本条目 {entry.entry_hash}（前一条 {entry.prev_hash[:12]}…）")
    if not already or read_status(path).get("state") != PUBLISHED:
        from .approval import status_note, lock_record

        record = lock_record(desk, prep.book, lock, read_status(path))
        record.update(state=PUBLISHED, published_at=entry.at, publish_entry_hash=entry.entry_hash)
        note = status_note(path, record, True)  # the files and the ledger are what count; the sheet is a copy
        if note:
            summary.append(note.lstrip("；"))
    return Outcome(True, prep.problems, summary, prep.book, prep.lines, prep.rows)


def _whoami() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (service account, container)
        return "unknown"
