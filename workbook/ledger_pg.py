"""The shared ledger: one PostgreSQL table that several HR desks append to.

Same contract as the SQLite ledger. Appends take ``LOCK TABLE … IN EXCLUSIVE
MODE`` (readers go on, other writers wait), so the state check, the chain head
and the insert are one step for every desk. Triggers refuse UPDATE, DELETE and
TRUNCATE. Schema creation runs under a transaction-level advisory lock so two
desks starting on an empty database do not race each other's CREATE.
"""
from __future__ import annotations

import contextlib
from typing import Iterator

from .ledger import Entry, Ledger, LedgerUnavailable, _row_to_entry, shown_url

TABLE = "bonusbook_ledger"
COLUMNS = "seq, company, period, kind, actor, at, payload, prev_hash, entry_hash"
TRIGGERS = ("bonusbook_ledger_no_update", "bonusbook_ledger_no_delete", "bonusbook_ledger_no_truncate")
SCHEMA_LOCK_KEY = 0x426F6E75  # "Bonu": serialises schema creation across desks
SCHEMA = (
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        seq        BIGINT PRIMARY KEY,
        company    TEXT NOT NULL,
        period     TEXT NOT NULL,
        kind       TEXT NOT NULL,
        actor      TEXT NOT NULL,
        at         TEXT NOT NULL,
        payload    TEXT NOT NULL,
        prev_hash  TEXT NOT NULL,
        entry_hash TEXT NOT NULL UNIQUE)""",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_period ON {TABLE} (company, period)",
    """CREATE OR REPLACE FUNCTION bonusbook_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'bonusbook ledger is append-only: % refused', TG_OP; END $$""",
    f"""CREATE OR REPLACE TRIGGER bonusbook_ledger_no_update BEFORE UPDATE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION bonusbook_ledger_append_only()""",
    f"""CREATE OR REPLACE TRIGGER bonusbook_ledger_no_delete BEFORE DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION bonusbook_ledger_append_only()""",
    f"""CREATE OR REPLACE TRIGGER bonusbook_ledger_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION bonusbook_ledger_append_only()""",
)
CONNECT_TIMEOUT_S = 10


class _PgTx:
    def __init__(self, cur):
        self.cur = cur

    def head(self) -> tuple[int, str] | None:
        self.cur.execute(f"SELECT seq, entry_hash FROM {TABLE} ORDER BY seq DESC LIMIT 1")
        row = self.cur.fetchone()
        return (int(row[0]), row[1]) if row else None

    def period_rows(self, company: str, period: str) -> list[Entry]:
        self.cur.execute(f"SELECT {COLUMNS} FROM {TABLE} WHERE company = %s AND period = %s ORDER BY seq", (company, period))
        return [_row_to_entry(*r) for r in self.cur.fetchall()]

    def insert(self, e: Entry) -> None:
        from .canonical import dumps

        self.cur.execute(f"INSERT INTO {TABLE} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                         (e.seq, e.company, e.period, e.kind, e.actor, e.at, dumps(e.payload).decode("utf-8"), e.prev_hash, e.entry_hash))


class PgLedger(Ledger):
    def __init__(self, url: str):
        import psycopg

        self._psycopg = psycopg
        self.url = url
        try:
            self.con = psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True)  # transaction() blocks give explicit BEGIN/COMMIT
            with self.con.transaction(), self.con.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
                cur.execute("SELECT to_regclass(%s) IS NOT NULL", (TABLE,))
                self.missing_at_open = self._missing(cur) if cur.fetchone()[0] else []
                for stmt in SCHEMA:  # restores a dropped trigger; verify still reports it
                    cur.execute(stmt)
        except psycopg.Error as e:
            raise LedgerUnavailable(f"无法连接或初始化账本数据库 {shown_url(url)}：{_first_line(e)}") from e

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[_PgTx]:
        try:
            with self.con.transaction(), self.con.cursor() as cur:
                cur.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
                yield _PgTx(cur)
        except self._psycopg.Error as e:
            raise LedgerUnavailable(f"账本数据库 {shown_url(self.url)} 写入失败：{_first_line(e)}") from e

    def entries(self, company: str | None = None, period: str | None = None) -> list[Entry]:
        sql, args, conds = f"SELECT {COLUMNS} FROM {TABLE}", [], []
        if company is not None:
            conds.append("company = %s")
            args.append(company)
        if period is not None:
            conds.append("period = %s")
            args.append(period)
        if conds:
            sql += " WHERE " + " AND ".join(conds)
        try:
            with self.con.transaction(), self.con.cursor() as cur:
                cur.execute(sql + " ORDER BY seq", args)
                return [_row_to_entry(*r) for r in cur.fetchall()]
        except self._psycopg.Error as e:
            raise LedgerUnavailable(f"无法读取账本数据库 {shown_url(self.url)}：{_first_line(e)}") from e

    def index(self, company: str) -> list[tuple[int, str, str]]:
        try:
            with self.con.transaction(), self.con.cursor() as cur:
                cur.execute(f"SELECT seq, period, kind FROM {TABLE} WHERE company = %s ORDER BY seq", (company,))
                return [(int(a), b, c) for a, b, c in cur.fetchall()]
        except self._psycopg.Error as e:
            raise LedgerUnavailable(f"无法读取账本数据库 {shown_url(self.url)}：{_first_line(e)}") from e

    @staticmethod
    def _missing(cur) -> list[str]:
        cur.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", (TABLE,))
        have = {r[0] for r in cur.fetchall()}
        return [t for t in TRIGGERS if t not in have]

    def guard_problems(self) -> list[str]:
        with self.con.transaction(), self.con.cursor() as cur:
            gone = sorted(set(self.missing_at_open) | set(self._missing(cur)))
        return [f"账本数据库缺少防改写触发器 {t}：有人删除了它，账本可能被直接改动过" for t in gone]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.con.close()


def _first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]
