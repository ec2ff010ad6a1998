"""The ledger: hash chain, append-only guard, conditional appends under concurrency.

Every test runs on both backends: the embedded SQLite file and a real PostgreSQL
server (a throwaway cluster started from the Debian binaries, see pg_server).
"""
from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import sqlite3
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pg_server
from workbook.carry import decode, encode
from workbook.ledger import GENESIS, LOCK, PUBLISH, REOPEN, Refused, entry_hash, open_ledger, shown_url

COMPANY, PERIOD = "测试公司", "2026Q3"


def unlocked(h):
    """The lock rule in miniature: refuse when the period is already locked or published."""
    return f"{PERIOD} 已锁定" if h.state in ("LOCKED", "PUBLISHED") else None


# ---------------------------------------------------------------- backends
@pytest.fixture(scope="session")
def pg_cluster():
    if pg_server.bin_dir() is None:
        msg = "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    with pg_server.cluster() as url:
        yield url


_db_counter = iter(range(1, 10_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{(tmp_path / 'ledger.sqlite3').as_posix().lstrip('/')}"
    import psycopg

    base = request.getfixturevalue("pg_cluster")
    name = f"t{os.getpid()}_{next(_db_counter)}"
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    return base.rsplit("/", 1)[0] + "/" + name


def raw_exec(url: str, sql: str) -> None:
    """What an attacker with database access does, outside the engine ({T}: the table)."""
    if url.startswith("sqlite"):
        from workbook.ledger import sqlite_path

        con = sqlite3.connect(sqlite_path(url))
        con.executescript(sql.format(T="ledger", ON=""))
        con.close()
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as con:
            con.execute(sql.format(T="bonusbook_ledger", ON=" ON bonusbook_ledger"))


def drop_trigger(url: str, what: str) -> None:
    raw_exec(url, f"DROP TRIGGER {'' if url.startswith('sqlite') else 'bonusbook_'}ledger_no_{what}{{ON}}")


# ---------------------------------------------------------------- chain
def test_entries_chain_from_genesis_and_verify(ledger_url):
    led = open_ledger(ledger_url)
    a = led.append(COMPANY, PERIOD, LOCK, "李审批", {"input_sha256": "a" * 64, "n": 1}, unlocked)
    b = led.append(COMPANY, PERIOD, REOPEN, "王主管", {"reason": "补录成交"}, lambda h: None)
    c = led.append(COMPANY, "2026Q4", LOCK, "李审批", {"x": [1, "二"]}, unlocked)
    assert (a.seq, b.seq, c.seq) == (1, 2, 3)
    assert a.prev_hash == GENESIS and b.prev_hash == a.entry_hash and c.prev_hash == b.entry_hash
    assert a.entry_hash == entry_hash(1, COMPANY, PERIOD, LOCK, "李审批", a.at, {"input_sha256": "a" * 64, "n": 1}, GENESIS)
    assert [e.entry_hash for e in led.entries()] == [a.entry_hash, b.entry_hash, c.entry_hash]
    assert led.history(COMPANY, PERIOD).state == "REOPENED"
    assert led.history(COMPANY, "2026Q4").state == "LOCKED"
    assert led.check_chain() == []
    led.close()


def test_a_refused_append_writes_nothing(ledger_url):
    led = open_ledger(ledger_url)
    led.append(COMPANY, PERIOD, LOCK, "李审批", {}, unlocked)
    with pytest.raises(Refused, match="已锁定"):
        led.append(COMPANY, PERIOD, LOCK, "王审批", {}, unlocked)
    assert len(led.entries()) == 1
    led.close()


def test_update_and_delete_are_refused_by_the_database(ledger_url):
    led = open_ledger(ledger_url)
    led.append(COMPANY, PERIOD, LOCK, "李审批", {"total": "100.00"}, unlocked)
    led.close()
    for sql in ("UPDATE {T} SET actor = 'x'", "DELETE FROM {T}"):
        with pytest.raises(Exception, match="append-only"):
            raw_exec(ledger_url, sql)
    if not ledger_url.startswith("sqlite"):
        with pytest.raises(Exception, match="append-only"):
            raw_exec(ledger_url, "TRUNCATE {T}")
    led = open_ledger(ledger_url)
    assert [e.actor for e in led.entries()] == ["李审批"] and led.check_chain() == []
    led.close()


def test_an_edited_row_is_named_once_the_trigger_is_dropped(ledger_url):
    led = open_ledger(ledger_url)
    for i in range(3):
        led.append(COMPANY, f"2026Q{i + 1}", LOCK, "李审批", {"total_amount": f"{1000 + i}.00"}, unlocked)
    led.close()
    drop_trigger(ledger_url, "update")
    raw_exec(ledger_url, "UPDATE {T} SET payload = '{{\"total_amount\":\"9999.00\"}}' WHERE seq = 2")
    led = open_ledger(ledger_url)
    problems = led.check_chain()
    led.close()
    assert any("no_update" in p and "缺少防改写触发器" in p for p in problems)
    assert any(p.startswith("账本第 2 条") and "被改动" in p for p in problems)
    assert not any(p.startswith("账本第 1 条") or p.startswith("账本第 3 条") for p in problems)


def test_a_deleted_row_breaks_the_chain(ledger_url):
    led = open_ledger(ledger_url)
    for i in range(3):
        led.append(COMPANY, f"2026Q{i + 1}", LOCK, "李审批", {}, unlocked)
    led.close()
    drop_trigger(ledger_url, "delete")
    raw_exec(ledger_url, "DELETE FROM {T} WHERE seq = 2")
    led = open_ledger(ledger_url)
    problems = led.check_chain()
    led.close()
    assert any(p.startswith("账本第 3 条") and "序号不连续" in p for p in problems)
    assert any(p.startswith("账本第 3 条") and "链条断裂" in p for p in problems)


# ---------------------------------------------------------------- concurrency
def _race(url: str, name: str, barrier, results) -> None:
    led = open_ledger(url)
    barrier.wait()
    try:
        led.append(COMPANY, PERIOD, LOCK, name, {"by": name}, unlocked)
        results.put(("won", name))
    except Refused:
        results.put(("refused", name))
    finally:
        led.close()


def test_concurrent_lockers_in_separate_processes_exactly_one_wins(ledger_url):
    open_ledger(ledger_url).close()  # schema in place; the race is about the append
    ctx = mp.get_context("spawn")
    n = 6
    barrier, results = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_race, args=(ledger_url, f"审批人{i}", barrier, results)) for i in range(n)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert all(p.exitcode == 0 for p in procs)
    outcome = [results.get(timeout=5) for _ in range(n)]
    winners = [name for what, name in outcome if what == "won"]
    assert len(winners) == 1 and sum(what == "refused" for what, _ in outcome) == n - 1
    led = open_ledger(ledger_url)
    assert [e.actor for e in led.entries()] == winners and led.check_chain() == []
    led.close()


def test_concurrent_first_opens_create_the_schema_once(ledger_url):
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_open_only, args=(ledger_url,)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * 4


def _open_only(url: str) -> None:
    open_ledger(url).close()


# ---------------------------------------------------------------- stored state
def test_carried_state_round_trips_exactly():
    from workbook.rules.ka_state import KAState, Shortfall
    from workbook.tables import make_row

    state = {
        "KA": {"E1": KAState((Shortfall("2026Q1", D("100000"), D("0"), D("30000.50")),), D("0"))},
        "GR": {"E2": 2},
        "PN": [make_row("Incidents", incident_id="I7", employee_id="E3", date=dt.date(2026, 2, 3), kind="violation")],
        "other": {("E1", "2026Q1"): (D("1.10"), dt.date(2026, 3, 31))},
    }
    import json

    back = decode(json.loads(json.dumps(encode(state))))
    assert back == state
    assert back["KA"]["E1"].shortfalls[0].missing == D("30000.50")  # exact, not 30000.5 as a float


@settings(max_examples=200, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.decimals(allow_nan=False, allow_infinity=False) | st.dates(),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20))
def test_encode_decode_is_lossless(value):
    import json

    assert decode(json.loads(json.dumps(encode(value)))) == value


def test_passwords_never_shown():
    assert shown_url("postgresql://hr:s3cret@db.example/bonus") == "postgresql://hr:***@db.example/bonus"
    assert shown_url("sqlite:///tmp/l.sqlite3") == "sqlite:///tmp/l.sqlite3"


def test_unknown_scheme_is_a_ledger_error():
    from workbook.ledger import LedgerUnavailable

    with pytest.raises(LedgerUnavailable, match="不支持的账本地址"):
        open_ledger("mysql://x@y/z")


def test_unreachable_server_is_a_ledger_error():
    from workbook.ledger import LedgerUnavailable

    with pytest.raises(LedgerUnavailable, match="无法连接"):
        open_ledger("postgresql://nobody@127.0.0.1:1/none")


def test_publish_kind_is_recorded(ledger_url):
    led = open_ledger(ledger_url)
    led.append(COMPANY, PERIOD, LOCK, "李审批", {}, unlocked)
    led.append(COMPANY, PERIOD, PUBLISH, "财务", {"rows": 3}, lambda h: None if h.state == "LOCKED" else "未锁定")
    assert led.history(COMPANY, PERIOD).state == "PUBLISHED"
    with pytest.raises(Refused):
        led.append(COMPANY, PERIOD, LOCK, "王审批", {}, unlocked)
    led.close()


# ---------------------------------------------------------------- the whole flow on the shared server
def test_two_desks_share_one_postgresql_ledger(pg_cluster, tmp_path):
    """Two HR desks (two folders, no shared files) point at one database: the lock made
    on one desk is seen by the other, and publishing twice from both publishes once."""
    import subprocess
    import sys
    from pathlib import Path

    import psycopg

    from lifecycle_data import CHECKER, data, write_book
    from workbook.cli import main

    name = f"flow{os.getpid()}"
    with psycopg.connect(pg_cluster, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    url = pg_cluster.rsplit("/", 1)[0] + "/" + name
    sheets = data(Settings=data()["Settings"] + [{"key": "ledger", "value": url}])
    desk_a = write_book(tmp_path / "a" / "q3.xlsx", sheets)
    desk_b = write_book(tmp_path / "b" / "q3.xlsx", sheets)
    assert main(["calculate", str(desk_a), "--quiet"]) == 0
    assert main(["calculate", str(desk_b), "--quiet"]) == 0
    assert main(["lock", str(desk_a), "--by", CHECKER]) == 0
    assert main(["lock", str(desk_b), "--by", "另一位审批人"]) == 1  # desk A's lock is in the shared ledger
    assert main(["verify", str(desk_b)]) == 0  # same data as locked on desk A
    root = Path(__file__).resolve().parents[1]
    procs = [subprocess.Popen([sys.executable, "-m", "workbook.cli", "publish", str(b)], cwd=root, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for b in (desk_a, desk_b)]
    outs = [(p.wait(120), p.stdout.read()) for p in procs]
    assert [c for c, _ in outs] == [0, 0], outs
    led = open_ledger(url)
    assert [e.kind for e in led.entries()] == ["lock", "publish"] and led.check_chain() == []
    led.close()
    for desk in (desk_a, desk_b):  # each desk has the finance files in its own data_home, identical
        assert (desk.parent / "bonusbook-data" / "published" / "2026Q3" / "payout-2026Q3.csv").exists()
    a, b = ((d.parent / "bonusbook-data" / "published" / "2026Q3" / "manifest.json").read_bytes() for d in (desk_a, desk_b))
    assert a == b


def test_a_stored_record_whose_class_is_gone_comes_back_as_its_fields():
    stored = {"$dc": "workbook.rules.ka_state:NoLongerHere", "v": {"excess": {"$d": "5.10"}, "shortfalls": []}}
    assert decode(stored) == {"excess": D("5.10"), "shortfalls": []}
    from workbook.rules.ka_inputs import KAState

    assert KAState.from_dict(decode(stored)) == KAState((), D("5.10"))  # what KA does with a dict
