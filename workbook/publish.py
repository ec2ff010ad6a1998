"""The finance files of a published period, exactly as the finance contract fixes them.

``<data_home>/published/<period>/``:

- ``payout-<period>.csv``: UTF-8 with BOM, comma, CRLF; the fixed columns; amounts
  with exactly two decimals; rows sorted by employee, item (then pay month);
- ``payout-<period>.xlsx``: Payout (same cells, numeric amounts, no formulas, no
  macros), Summary (per employee and per item) and Manifest sheets;
- ``manifest.json``.

Formula injection: any text cell that starts with ``= + - @``, a tab or a CR gets
a leading apostrophe, in the CSV and in the xlsx alike (so the two files show the
same text), and xlsx text is always stored as a string cell, never a formula.

Every byte of these files is a pure function of the payout rows and the
publish ledger entry (the xlsx carries a fixed creation time), so publishing
again can check the files byte for byte, and finish a publish that was
interrupted after its ledger entry, without ever overwriting a file.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

import xlsxwriter

from . import __version__
from .atomic import clean_leftovers, write_bytes
from .calculate import PAYOUT_COLUMNS
from .canonical import sha256
from .ledger import Entry
from .lines import ITEM_NAMES
from .money import ZERO, excel_number, fmt_money

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
MANIFEST_ORDER = ("period", "published_at", "prepared_by", "locked_by", "input_sha256", "policy_sha256", "payout_csv_sha256",
                  "rows", "total_amount", "totals_by_item", "engine_version", "ledger_entry_hash", "previous_entry_hash")


def inert(text: Any) -> str:
    """Text that no spreadsheet will evaluate as a formula."""
    s = "" if text is None else str(text)
    return "'" + s if s.startswith(DANGEROUS_FIRST) else s


def sort_key(r: Any) -> tuple:
    return (r.employee_id, r.item_code, r.pay_month)


def csv_name(period: str) -> str:
    return f"payout-{period}.csv"


def xlsx_name(period: str) -> str:
    return f"payout-{period}.xlsx"


def folder(data_home: Path, period: str) -> Path:
    return Path(data_home) / "published" / period


def csv_bytes(rows: Iterable[Any]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(PAYOUT_COLUMNS)
    for r in sorted(rows, key=sort_key):
        w.writerow([fmt_money(r.amount) if c == "amount" else inert(getattr(r, c)) for c in PAYOUT_COLUMNS])
    return codecs.BOM_UTF8 + buf.getvalue().encode("utf-8")


def totals(rows: Iterable[Any]) -> tuple[Decimal, dict[str, Decimal]]:
    by_item: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        by_item[r.item_code] += r.amount
    return sum(by_item.values(), ZERO), dict(sorted(by_item.items()))


def ledger_payload(rows: list, csv_data: bytes, period: str, company: str, lock: Entry) -> dict:
    """What the publish ledger entry records (the manifest without its own hashes)."""
    total, by_item = totals(rows)
    return {
        "period": period, "company": company,
        "prepared_by": lock.payload.get("prepared_by", ""), "locked_by": lock.actor, "locked_at": lock.at,
        "lock_entry_hash": lock.entry_hash,
        "input_sha256": lock.payload["input_sha256"], "policy_sha256": lock.payload["policy_sha256"],
        "results_sha256": lock.payload["results_sha256"],
        "payout_csv_sha256": sha256(csv_data), "rows": len(rows),
        "total_amount": fmt_money(total), "totals_by_item": {k: fmt_money(v) for k, v in by_item.items()},
        "engine_version": __version__,
    }


def manifest(entry: Entry) -> dict:
    """The manifest of a publish entry: its payload, when, and the chain hashes."""
    m = dict(entry.payload)
    m.update(published_at=entry.at, ledger_entry_hash=entry.entry_hash, previous_entry_hash=entry.prev_hash)
    first = {k: m[k] for k in MANIFEST_ORDER if k in m}
    return {**first, **{k: v for k, v in m.items() if k not in first}}


@dataclass
class Files:
    data: dict[str, bytes] = field(default_factory=dict)  # file name -> bytes, in write order


def render(rows: list, entry: Entry) -> Files:
    """All three files for a publish entry; the manifest goes last on disk."""
    period = entry.period
    m = manifest(entry)
    csv_data = csv_bytes(rows)
    if sha256(csv_data) != m["payout_csv_sha256"]:
        raise ValueError("payout CSV differs from the one the ledger entry records")
    xlsx_data = xlsx_bytes(rows, m)
    m["payout_xlsx_sha256"] = sha256(xlsx_data)
    text = json.dumps(m, ensure_ascii=False, indent=2) + "\n"
    return Files({csv_name(period): csv_data, xlsx_name(period): xlsx_data, "manifest.json": text.encode("utf-8")})


@dataclass
class Written:
    written: list[str] = field(default_factory=list)
    same: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def ensure(target: Path, files: Files) -> Written:
    """Write the files that are missing; never overwrite; report any that differ."""
    target.mkdir(parents=True, exist_ok=True)
    clean_leftovers(target)
    out = Written()
    for name, data in files.data.items():
        path = target / name
        if not path.exists():
            try:
                write_bytes(path, data, overwrite=False)
                out.written.append(name)
                continue
            except FileExistsError:  # another desk wrote it a moment ago: compare below
                pass
        (out.same if path.read_bytes() == data else out.conflicts).append(name)
    return out


def check(target: Path, files: Files) -> list[str]:
    """Chinese lines for every published file that is missing or changed."""
    out = []
    for name, data in files.data.items():
        path = target / name
        if not path.exists():
            out.append(f"发布文件 {path} 缺失：请再次运行 publish 补齐（不会改动已有文件）")
        elif path.read_bytes() != data:
            out.append(f"发布文件 {path} 已被改动：内容与账本记录不符")
    return out


# ---- xlsx ------------------------------------------------------------------
def xlsx_bytes(rows: list, m: dict) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    wb.set_properties({"title": f"payout {m['period']}", "company": m.get("company", ""),
                       "created": _fixed_time(m["published_at"])})  # fixed: the same entry gives the same bytes
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7"})
    money = wb.add_format({"num_format": "0.00"})
    ordered = sorted(rows, key=sort_key)
    ws = wb.add_worksheet("Payout")
    ws.write_row(0, 0, list(PAYOUT_COLUMNS), head)
    for n, r in enumerate(ordered, start=1):
        for j, c in enumerate(PAYOUT_COLUMNS):
            if c == "amount":
                ws.write_number(n, j, excel_number(r.amount), money)  # display only: the exact text is in the CSV
            else:
                ws.write_string(n, j, inert(getattr(r, c)))
    ws.freeze_panes(1, 0)
    ws.set_column(0, 1, 10)
    ws.set_column(2, 6, 14)
    ws.set_column(9, 9, 80)
    _summary(wb.add_worksheet("Summary"), ordered, head, money)
    ms = wb.add_worksheet("Manifest")
    ms.write_row(0, 0, ["key", "value"], head)
    for n, (k, v) in enumerate(m.items(), start=1):
        ms.write_string(n, 0, k)
        ms.write_string(n, 1, inert(json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v))
    ms.set_column(0, 0, 22)
    ms.set_column(1, 1, 70)
    wb.close()
    return buf.getvalue()


def _summary(ws, rows: list, head, money) -> None:
    per_emp: dict[str, list] = {}
    for r in rows:
        e = per_emp.setdefault(r.employee_id, [r.employee_name, r.department, 0, ZERO])
        e[2] += 1
        e[3] += r.amount
    ws.write_row(0, 0, ["employee_id", "employee_name", "department", "rows", "amount"], head)
    n = 1
    for emp_id, (name, dept, count, amount) in sorted(per_emp.items()):
        for j, v in enumerate((emp_id, name, dept)):
            ws.write_string(n, j, inert(v))
        ws.write_number(n, 3, count)
        ws.write_number(n, 4, excel_number(amount), money)
        n += 1
    total, by_item = totals(rows)
    n += 1
    ws.write_row(n, 0, ["item_code", "item_name", "", "rows", "amount"], head)
    for code, amount in by_item.items():
        n += 1
        ws.write_string(n, 0, inert(code))
        ws.write_string(n, 1, inert(ITEM_NAMES.get(code, code)))
        ws.write_number(n, 3, sum(1 for r in rows if r.item_code == code))
        ws.write_number(n, 4, excel_number(amount), money)
    n += 1
    ws.write_string(n, 0, "合计 total")
    ws.write_number(n, 3, len(rows))
    ws.write_number(n, 4, excel_number(total), money)
    ws.set_column(0, 2, 14)
    ws.set_column(4, 4, 14)


def _fixed_time(iso: str) -> dt.datetime:
    t = dt.datetime.fromisoformat(iso)
    return t.astimezone(dt.timezone.utc).replace(tzinfo=None) if t.tzinfo else t
