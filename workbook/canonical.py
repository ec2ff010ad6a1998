"""Canonical hashes of a book's data: what lock records and verify recomputes.

A workbook's bytes change on every save (timestamps, zip order, styles), so lock
hashes the *data*: every input row as typed by the one cell parser, written as
UTF-8 JSON with sorted keys, exact decimal strings (``12,000``, ``1.2万`` and
``12000.00`` are the same value, so they hash the same), ISO dates, and the
rows of a sheet sorted, so re-sorting a sheet changes nothing.

Besides one SHA-256 per sheet, each row gets a short digest so that verify can
name the exact rows changed since the lock, even when rows were inserted above
them (rows are matched by content, not by position).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Iterable

from .model import Book
from .schema import INPUT_BY_KEY
from .tables import field_name

POLICY_SHEETS = ("Policy", "Tiers")  # covered by policy_sha256, not input_sha256
ROW_DIGEST_CHARS = 16  # per-row digests only name rows; the sheet hash is the full SHA-256


_PLAIN = (str, int, bool, type(None))


def canon(v: Any) -> Any:
    """One cell value in its canonical JSON form."""
    if type(v) in _PLAIN:
        return v
    if isinstance(v, (bool, str, int)):
        return v
    if isinstance(v, Decimal):
        if v == 0:
            return "0"
        return format(v.normalize(), "f")
    if isinstance(v, float):  # never expected from the parsers; exact via its shortest repr
        return canon(Decimal(repr(v)))
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, (tuple, list)):
        return [canon(x) for x in v]
    if isinstance(v, dict):
        return {str(k): canon(x) for k, x in v.items()}
    raise TypeError(f"no canonical form for {type(v).__name__}")


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # rows are built in key order already


def dumps(obj: Any) -> bytes:
    """Canonical JSON bytes: sorted keys, no spaces, UTF-8 (never ASCII escapes)."""
    return _ENCODER.encode(obj).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=None)
def _row_fields(sheet_key: str) -> tuple[tuple[str, int], ...]:
    """(column key, tuple index) of a sheet's typed row, in sorted key order."""
    from .tables import row_type

    index = {f: i for i, f in enumerate(row_type(sheet_key)._fields)}
    return tuple((c.key, index[field_name(c.key)]) for c in sorted(INPUT_BY_KEY[sheet_key].columns, key=lambda c: c.key))


def row_bytes(sheet_key: str, row: Any) -> bytes:
    """A typed row without its sheet row number, as canonical JSON (the same bytes as ``dumps``)."""
    return _ROW_ENCODER.encode({k: canon(row[i]) for k, i in _row_fields(sheet_key)}).encode("utf-8")


def sheet_row_bytes(sheet_key: str, rows: list) -> list[bytes]:
    """``row_bytes`` of every row of a sheet, worked out column by column.

    Lock, verify, publish and an in-place calculate hash every input row; a
    200,000-row sheet is millions of cells, but a column repeats itself (dates,
    shares, flags, IDs of the same people). Each distinct value of a one-type
    column is made canonical JSON once; a row is then the join of its columns'
    pieces. A column of mixed types (where 1, 1.0 and True would share a key)
    or unhashable values goes cell by cell. The bytes are those of ``row_bytes``.
    """
    if not rows:
        return []
    columns = list(zip(*rows))
    pieces = []
    for n, (key, i) in enumerate(_row_fields(sheet_key)):
        head = ("{" if n == 0 else ",") + _ROW_ENCODER.encode(key) + ":"
        pieces.append(_column_pieces(head, columns[i]))
    return [("".join(parts) + "}").encode("utf-8") for parts in zip(*pieces)]


_JSON_ESCAPED = re.compile(r'[\x00-\x1f\\"]')  # what the JSON encoder escapes when ensure_ascii is off


def _column_pieces(head: str, column: tuple) -> list[str]:
    encode = _ROW_ENCODER.encode
    kinds = set(map(type, column))
    if kinds == {str} and not _JSON_ESCAPED.search("".join(column)):
        return [f'{head}"{v}"' for v in column]  # IDs and names: JSON text is the string in quotes
    if len(kinds - {type(None)}) <= 1:
        quoted = kinds <= {Decimal, dt.date, type(None)}  # canonical text of these is digits, '-', '.': never escaped
        try:
            if quoted:
                table = {v: f'{head}"{canon(v)}"' if v is not None else head + "null" for v in set(column)}
            else:
                table = {v: head + encode(canon(v)) for v in set(column)}
        except TypeError:  # unhashable values (lists)
            pass
        else:
            return list(map(table.__getitem__, column))
    return [head + encode(canon(v)) for v in column]


def _sorted_hash(items: Iterable[bytes]) -> str:
    return sha256(b"[" + b",".join(sorted(items)) + b"]")


@dataclass(frozen=True)
class SheetPrint:
    sha256: str
    rows: dict[str, str]  # sheet row number (as text, JSON-friendly) -> short digest

    def as_json(self) -> dict:
        return {"sha256": self.sha256, "rows": self.rows}

    @classmethod
    def from_json(cls, d: dict) -> "SheetPrint":
        return cls(d["sha256"], dict(d["rows"]))


@dataclass(frozen=True)
class Fingerprint:
    """Everything lock records about the data, and verify recomputes."""

    input_sha256: str
    policy_sha256: str
    carried_sha256: str
    sheets: dict[str, SheetPrint] = field(default_factory=dict)

    def sheets_json(self) -> dict:
        return {k: s.as_json() for k, s in sorted(self.sheets.items())}


def fingerprint(book: Book) -> Fingerprint:
    sheets: dict[str, SheetPrint] = {}
    for key, rows in book.tables.items():
        if key not in INPUT_BY_KEY or not rows:
            continue
        raw = sheet_row_bytes(key, rows)
        digests = {str(r.row): sha256(b)[:ROW_DIGEST_CHARS] for r, b in zip(rows, raw)}
        sheets[key] = SheetPrint(_sorted_hash(raw), digests)
    carried = carried_sha256(book.carried)
    inputs = {"sheets": {k: s.sha256 for k, s in sorted(sheets.items()) if k not in POLICY_SHEETS}, "carried": carried}
    return Fingerprint(sha256(dumps(inputs)), sha256(dumps(book.policy.canonical())), carried, sheets)


def carried_sha256(carried: dict) -> str:
    from .carry import encode  # carried state holds Decimals, dates and rule records

    return sha256(dumps(encode(carried)))


def results_sha256(payout_rows: Iterable[Any]) -> str:
    """The payout as finance will get it (no row references, no timestamps)."""
    from .calculate import PAYOUT_COLUMNS

    items = [dumps([canon(getattr(r, c)) for c in PAYOUT_COLUMNS]) for r in payout_rows]
    return _sorted_hash(items)


@dataclass(frozen=True)
class SheetChange:
    sheet_key: str
    modified: tuple[int, ...] = ()  # the same row number holds different data
    added: tuple[int, ...] = ()  # rows now present whose data was not there at lock
    removed: tuple[int, ...] = ()  # rows (numbered as at lock) whose data is gone

    @property
    def empty(self) -> bool:
        return not (self.modified or self.added or self.removed)


def diff(locked: dict[str, SheetPrint], current: dict[str, SheetPrint]) -> list[SheetChange]:
    """Per sheet, the rows whose data differs, matched by content as a multiset."""
    out = []
    for key in sorted(set(locked) | set(current)):
        a = locked.get(key)
        b = current.get(key)
        if a is not None and b is not None and a.sha256 == b.sha256:
            continue
        old = a.rows if a else {}
        new = b.rows if b else {}
        pool = Counter(old.values())
        added = []
        for n, d in sorted(new.items(), key=lambda kv: int(kv[0])):
            if pool[d] > 0:
                pool[d] -= 1
            else:
                added.append(int(n))
        pool = Counter(new.values())
        removed = []
        for n, d in sorted(old.items(), key=lambda kv: int(kv[0])):
            if pool[d] > 0:
                pool[d] -= 1
            else:
                removed.append(int(n))
        both = set(added) & set(removed)
        ch = SheetChange(key, tuple(sorted(both)), tuple(n for n in added if n not in both), tuple(n for n in removed if n not in both))
        if ch.empty:  # same rows, different sheet hash: cannot happen unless digests collide; still report it
            ch = SheetChange(key, modified=tuple(sorted(int(n) for n in new)) or (0,))
        out.append(ch)
    return out


def ranges(numbers: Iterable[int]) -> str:
    """``2、5–7、10``: row numbers compressed into runs, for messages."""
    nums = sorted(set(numbers))
    parts, i = [], 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        parts.append(str(nums[i]) if i == j else f"{nums[i]}–{nums[j]}")
        i = j + 1
    return "、".join(parts)
