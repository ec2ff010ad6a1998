"""The ledger: an append-only, hash-chained record of every lock, reopen and publish.

Why a ledger and not just the workbook: a workbook can be copied, edited or
lost; the ledger is the one place that says which quarter was approved by whom,
with which data, and what finance was given. Each entry carries the hash of the
entry before it (one chain across all periods and companies), so an edited,
inserted or reordered entry breaks the chain and ``verify`` names it.

Appending is the only write, and it is conditional: inside one exclusive
transaction the backend reads the period's current state, lets the caller's
rule refuse, and only then inserts. Two desks locking or publishing the same
period at the same moment therefore cannot both win.

The location is a URL: ``sqlite:///path/ledger.sqlite3`` (default, in
data_home) or ``postgresql://user@host/db`` for one database shared by several
HR desks. The backends live in ``ledger_sqlite`` and ``ledger_pg``; this module
holds what they share: the entry, its hash, and the period state machine's view
of the history.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

from .canonical import dumps, sha256

GENESIS = "0" * 64
LOCK, REOPEN, PUBLISH = "lock", "reopen", "publish"
KINDS = (LOCK, REOPEN, PUBLISH)
LEDGER_ENV = "BONUSBOOK_LEDGER"


class LedgerUnavailable(Exception):
    """The ledger cannot be opened or written (a file or server problem, exit 2)."""


class Refused(Exception):
    """A transition refused by its rule; ``args[0]`` is one Chinese line stating it."""

    @property
    def reason(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Entry:
    seq: int
    company: str
    period: str
    kind: str
    actor: str
    at: str  # UTC, ISO 8601 to the second
    payload: dict
    prev_hash: str
    entry_hash: str


def entry_hash(seq: int, company: str, period: str, kind: str, actor: str, at: str, payload: dict, prev_hash: str) -> str:
    return sha256(dumps({"seq": seq, "company": company, "period": period, "kind": kind, "actor": actor,
                         "at": at, "payload": payload, "prev_hash": prev_hash}))


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class PeriodHistory:
    """One period's entries, oldest first, and the state they leave it in."""

    entries: tuple[Entry, ...]

    @property
    def state(self) -> str | None:
        """LOCKED / PUBLISHED / REOPENED, or None when the ledger never saw the period."""
        return state_after(e.kind for e in self.entries)

    def last(self, kind: str) -> Entry | None:
        return next((e for e in reversed(self.entries) if e.kind == kind), None)


def state_after(kinds: Iterable[str]) -> str | None:
    """The state a period's entry kinds (oldest first) leave it in."""
    last = None
    for k in kinds:
        if k in KINDS:
            last = k
    return {LOCK: "LOCKED", PUBLISH: "PUBLISHED", REOPEN: "REOPENED"}[last] if last else None


Rule = Callable[[PeriodHistory], "str | None"]  # returns a refusal line, or None to go ahead


class Tx(Protocol):
    def head(self) -> tuple[int, str] | None: ...
    def period_rows(self, company: str, period: str) -> list[Entry]: ...
    def insert(self, e: Entry) -> None: ...


class Ledger(ABC):
    url: str

    @abstractmethod
    def _exclusive(self) -> contextlib.AbstractContextManager[Tx]:
        """A transaction that holds the ledger's write lock until it commits."""

    @abstractmethod
    def entries(self, company: str | None = None, period: str | None = None) -> list[Entry]:
        """Entries in chain order, optionally for one company/period."""

    @abstractmethod
    def index(self, company: str) -> list[tuple[int, str, str]]:
        """(seq, period, kind) of a company's entries in chain order, without payloads (cheap)."""

    @abstractmethod
    def guard_problems(self) -> list[str]:
        """What is missing from the append-only guard (e.g. a dropped trigger)."""

    def close(self) -> None:
        pass

    def history(self, company: str, period: str) -> PeriodHistory:
        return PeriodHistory(tuple(self.entries(company, period)))

    def append(self, company: str, period: str, kind: str, actor: str, payload: dict, rule: Rule, at: str | None = None) -> Entry:
        """Append one entry if ``rule`` does not refuse, atomically with the check."""
        if kind not in KINDS:
            raise ValueError(kind)
        payload = json.loads(dumps(payload))  # exactly what will be stored and re-read
        with self._exclusive() as tx:
            reason = rule(PeriodHistory(tuple(tx.period_rows(company, period))))
            if reason:
                raise Refused(reason)
            head = tx.head()
            seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
            at = at or utc_now()
            e = Entry(seq, company, period, kind, actor, at, payload, prev, entry_hash(seq, company, period, kind, actor, at, payload, prev))
            tx.insert(e)
        return e

    def check_chain(self, entries: list[Entry] | None = None) -> list[str]:
        """Every break in the chain (of ``entries``, default all), as Chinese lines; empty when intact."""
        out = list(self.guard_problems())
        prev, expect_seq = GENESIS, 1
        for e in self.entries() if entries is None else entries:
            where = f"账本第 {e.seq} 条（{e.company} {e.period} {e.kind}，{e.at}）"
            if e.seq != expect_seq:
                out.append(f"{where}：序号不连续，应为 {expect_seq}（有条目被删除或插入）")
            if e.prev_hash != prev:
                out.append(f"{where}：前一条哈希不符，链条断裂（有条目被删除、插入或改写）")
            if entry_hash(e.seq, e.company, e.period, e.kind, e.actor, e.at, e.payload, e.prev_hash) != e.entry_hash:
                out.append(f"{where}：内容与其哈希不符，该条目在写入后被改动")
            prev, expect_seq = e.entry_hash, e.seq + 1
        return out


def _row_to_entry(seq, company, period, kind, actor, at, payload, prev_hash, ehash) -> Entry:
    try:
        data = json.loads(payload)
    except (TypeError, ValueError):
        data = {"$unreadable": str(payload)}
    return Entry(int(seq), company, period, kind, actor, at, data, prev_hash, ehash)


def default_url(data_home: Path) -> str:
    return f"sqlite:///{(Path(data_home) / 'ledger.sqlite3').resolve().as_posix().lstrip('/')}"


def is_server(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def sqlite_path(url: str) -> Path:
    """The file of an SQLite ledger URL (``sqlite:///abs/path``, ``sqlite:rel``, or a bare path)."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if len(path) > 1 and path[1] == ":":  # sqlite:///C:/... on Windows
            return Path(path)
        return Path("/" + path.lstrip("/"))
    if url.startswith("sqlite:"):
        return Path(url[len("sqlite:"):])
    if "://" in url:
        raise LedgerUnavailable(f"不支持的账本地址：{shown_url(url)}（应为 sqlite:///路径 或 postgresql://…）")
    return Path(url)


def exists(url: str) -> bool:
    """False only for an SQLite ledger whose file was never created (nothing locked yet)."""
    return is_server(url) or sqlite_path(url).exists()


def open_ledger(url: str) -> Ledger:
    """The backend for a ledger URL; a bare path means an SQLite file."""
    if is_server(url):
        from .ledger_pg import PgLedger

        return PgLedger(url)
    from .ledger_sqlite import SqliteLedger

    return SqliteLedger(sqlite_path(url))


@contextlib.contextmanager
def opened(url: str) -> Iterator[Ledger]:
    led = open_ledger(url)
    try:
        yield led
    finally:
        led.close()


def shown_url(url: str) -> str:
    """The URL with any password masked, for messages and the Status sheet."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    cred, host = rest.rsplit("@", 1)
    user = cred.split(":", 1)[0]
    return f"{scheme}://{user}{':***' if ':' in cred else ''}@{host}"


def payload_get(e: Entry | None, key: str, default: Any = "") -> Any:
    return e.payload.get(key, default) if e is not None else default
