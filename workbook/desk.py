"""Where one book's quarter lives, and the steps lock, verify and publish share.

A *desk* is the book file, its data_home (the ledger and the published files;
default: a ``bonusbook-data`` folder beside the workbook) and its ledger URL
(``--ledger``, else ``BONUSBOOK_LEDGER``, else the Settings key ``ledger``,
else SQLite in data_home). The ledger keys a period by company and quarter.

``prepare`` loads the book, puts the previous quarter's locked closing state
into ``Book.carried``, and recomputes fingerprint and payout: every transition
works from the data as it is now, never from what a sheet claims.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import problems as P
from .calculate import compute, payout_rows, validate
from .canonical import Fingerprint, SheetChange, fingerprint, ranges, results_sha256
from .carry import Opening, opening
from .flows import Outcome
from .ledger import LEDGER_ENV, PUBLISH, Ledger, PeriodHistory, default_url
from .lines import Line
from .load import load_book
from .model import Book, Settings
from .schema import INPUT_BY_KEY

DATA_HOME_DEFAULT = "bonusbook-data"


@dataclass(frozen=True)
class Desk:
    book_path: Path
    data_home: Path
    ledger_url: str
    company: str
    period: str


def desk_for(path: str | Path, settings: Settings, ledger_url: str | None = None) -> Desk:
    path = Path(path).resolve()
    home = Path(os.path.expanduser(settings.data_home)) if settings.data_home else Path(DATA_HOME_DEFAULT)
    if not home.is_absolute():
        home = path.parent / home
    url = ledger_url or os.environ.get(LEDGER_ENV, "") or settings.ledger or default_url(home)
    return Desk(path, home, url, settings.company, str(settings.period))


def refused(line: str, problems: list[P.Problem] | None = None, book: Book | None = None) -> Outcome:
    """A refused transition: the rule in one Chinese line (exit code 1)."""
    return Outcome(False, list(problems or []), [line], book)


@dataclass
class Prepared:
    book: Book
    problems: list[P.Problem]
    opening: Opening
    fp: Fingerprint | None = None
    lines: list[Line] = field(default_factory=list)
    rows: list = field(default_factory=list)
    results_sha256: str = ""

    @property
    def errors(self) -> list[P.Problem]:
        return [p for p in self.problems if p.severity == P.ERROR]


def load(path: Path) -> tuple[Book | None, list[P.Problem]]:
    book, probs = load_book(path)
    if book is not None:
        probs += validate(book)
    return book, probs


def prepare(book: Book, problems: list[P.Problem], led: Ledger, desk: Desk, run: bool = True) -> Prepared:
    """Carry the opening state in; fingerprint; compute (when ``run``) the payout."""
    op = opening(led, desk.company, book.period, book)
    book = dataclasses.replace(book, carried=op.carried)
    out = Prepared(book, problems + op.problems, op)
    if op.refusal:
        return out
    out.fp = fingerprint(book)
    if run and not out.errors:
        out.lines, cprobs = compute(book)
        out.problems += cprobs
        out.rows = payout_rows(book, out.lines)
        out.results_sha256 = results_sha256(out.rows)
    return out


def ledger_state(hist: PeriodHistory) -> str | None:
    """LOCKED/PUBLISHED as the state machine names them; None when the workbook decides."""
    return hist.state if hist.state in ("LOCKED", "PUBLISHED") else None


def change_problems(book: Book, changes: list[SheetChange]) -> list[P.Problem]:
    """One error per changed sheet, naming its rows."""
    out = []
    for ch in changes:
        title = book.title(ch.sheet_key)
        label = INPUT_BY_KEY[ch.sheet_key].header if ch.sheet_key in INPUT_BY_KEY else ch.sheet_key
        parts = []
        if ch.modified:
            parts.append(f"第 {ranges(ch.modified)} 行已修改")
        if ch.added:
            parts.append(f"第 {ranges(ch.added)} 行是新增或改动后的数据")
        if ch.removed:
            parts.append(f"锁定时的第 {ranges(ch.removed)} 行已删除或改动")
        first = (ch.modified or ch.added or ch.removed or (0,))[0]
        where = f"A{first}" if first else ""
        out.append(P.error(title, where, "", ("" if where else f"{label}：") + "锁定后被改动 —— " + "；".join(parts)))
    return out


def adjustment_problems(book: Book, index: list[tuple[int, str, str]]) -> list[P.Problem]:
    """Adjustments must correct a period the ledger (its ``index``) shows as published."""
    out = []
    if not index:
        return out  # first quarter on the system: earlier periods were published elsewhere
    published = {p for _, p, k in index if k == PUBLISH}
    seen = {p for _, p, _ in index}
    for r in book.rows("Adjustments"):
        if r.refers_to_period in published:
            continue
        if r.refers_to_period in seen:
            out.append(book.problem(P.ERROR, "Adjustments", r, "refers_to_period",
                                    f"所属期间 {r.refers_to_period} 在账本中尚未发布：未发布的期间应 reopen 后直接修改，而不是用调整",
                                    expected="账本中已发布的期间", found=r.refers_to_period))
        else:
            out.append(book.problem(P.WARNING, "Adjustments", r, "refers_to_period",
                                    f"所属期间 {r.refers_to_period} 不在账本中：按系统启用前已发布的期间处理", found=r.refers_to_period))
    return out
