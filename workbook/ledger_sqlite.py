"""The embedded ledger: one SQLite file in data_home.

Append-only is enforced twice: the code only ever INSERTs, and triggers make
the database itself refuse UPDATE and DELETE, so a slip in a SQL tool cannot
rewrite history. (Someone who drops the triggers first can; that is what the
hash chain is for, and ``guard_problems`` reports the missing triggers.)

Writers take SQLite's write lock up front with ``BEGIN IMMEDIATE``, read the
period's state and the chain head, and insert, all in one transaction, so two
processes cannot both lock or both publish a period. The rollback journal (not
WAL) is used because data_home may sit on a shared network folder.
"""
from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Iterator

from .ledger import Entry, Ledger, LedgerUnavailable, _row_to_entry

COLUMNS = "seq, company, period, kind, actor, at, payload, prev_hash, entry_hash"
TRIGGERS = ("ledger_no_update", "ledger_no_delete")
SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger (
    seq        INTEGER PRIMARY KEY,
    company    TEXT NOT NULL,
    period     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL,
    payload    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    entry_hash TEXT NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS ledger_period ON ledger (company, period);
CREATE TRIGGER IF NOT EXISTS ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'bonusbook ledger is append-only: UPDATE refused'); END;
CREATE TRIGGER IF NOT EXISTS ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'bonusbook ledger is append-only: DELETE refused'); END;
"""
BUSY_TIMEOUT_S = 60


class _SqliteTx:
    def __init__(self, con: sqlite3.Connection):
        self.con = con

    def head(self) -> tuple[int, str] | None:
        row = self.con.execute("SELECT seq, entry_hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
        return (int(row[0]), row[1]) if row else None

    def period_rows(self, company: str, period: str) -> list[Entry]:
        cur = self.con.execute(f"SELECT {COLUMNS} FROM ledger WHERE company = ? AND period = ? ORDER BY seq", (company, period))
        return [_row_to_entry(*r) for r in cur]

    def insert(self, e: Entry) -> None:
        from .canonical import dumps

        self.con.execute(f"INSERT INTO ledger ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (e.seq, e.company, e.period, e.kind, e.actor, e.at, dumps(e.payload).decode("utf-8"), e.prev_hash, e.entry_hash))


class SqliteLedger(Ledger):
    def __init__(self, path: Path):
        self.path = Path(path)
        self.url = f"sqlite:///{self.path.resolve().as_posix().lstrip('/')}"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
            self.con.execute("PRAGMA synchronous = FULL")
            self.missing_at_open = self._missing() if self._has_table() else []
            if not self._has_table() or self.missing_at_open:  # a reader of a sound ledger never writes
                with self._exclusive():  # two first runs at once: one creates, the other waits
                    for stmt in _statements(SCHEMA):  # restores a dropped trigger; verify still reports it
                        self.con.execute(stmt)
        except (sqlite3.Error, OSError) as e:
            raise LedgerUnavailable(f"无法打开账本 {self.path}：{e}") from e

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[_SqliteTx]:
        try:
            self.con.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise LedgerUnavailable(f"账本 {self.path} 被占用或不可写：{e}") from e
        try:
            yield _SqliteTx(self.con)
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        try:
            self.con.execute("COMMIT")
        except sqlite3.Error as e:
            raise LedgerUnavailable(f"账本 {self.path} 写入失败：{e}") from e

    def entries(self, company: str | None = None, period: str | None = None) -> list[Entry]:
        sql, args = f"SELECT {COLUMNS} FROM ledger", []
        conds = []
        if company is not None:
            conds.append("company = ?")
            args.append(company)
        if period is not None:
            conds.append("period = ?")
            args.append(period)
        if conds:
            sql += " WHERE " + " AND ".join(conds)
        try:
            return [_row_to_entry(*r) for r in self.con.execute(sql + " ORDER BY seq", args)]
        except sqlite3.Error as e:
            raise LedgerUnavailable(f"无法读取账本 {self.path}：{e}") from e

    def index(self, company: str) -> list[tuple[int, str, str]]:
        try:
            return [(int(a), b, c) for a, b, c in self.con.execute("SELECT seq, period, kind FROM ledger WHERE company = ? ORDER BY seq", (company,))]
        except sqlite3.Error as e:
            raise LedgerUnavailable(f"无法读取账本 {self.path}：{e}") from e

    def _has_table(self) -> bool:
        return self.con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger'").fetchone() is not None

    def _missing(self) -> list[str]:
        have = {r[0] for r in self.con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ledger'")}
        return [t for t in TRIGGERS if t not in have]

    def guard_problems(self) -> list[str]:
        gone = sorted(set(self.missing_at_open) | set(self._missing()))
        return [f"账本 {self.path} 缺少防改写触发器 {t}：有人删除了它，账本可能被直接改动过" for t in gone]

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.con.close()


def _statements(script: str) -> list[str]:
    """Split the schema into statements (triggers contain ``;`` inside BEGIN…END)."""
    out, buf = [], []
    for line in script.strip().splitlines():
        buf.append(line)
        text = "\n".join(buf).strip()
        if text.endswith(";") and (not text.upper().startswith("CREATE TRIGGER") or text.upper().endswith("END;")):
            out.append(text)
            buf = []
    return out
