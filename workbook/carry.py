"""Carry-forward: a locked quarter's closing state becomes the next one's opening.

Why: the next quarter must start from what was approved, not from what someone
retyped. At lock, the closing state of the carried components goes into the
ledger entry:

- KA: open shortfalls and the excess (``rules.key_account.closing_states``);
- GR: consecutive failing years (``rules.grades.closing_states``);
- PN: the violations of the trailing window, for the 12-month repeat rule.

A component that did not run this quarter (GR outside Q4, KA without data)
passes its opening state through unchanged, so an annual state survives three
quarters in between. Before calculate, ``opening`` reads the previous quarter's
lock entry and the rules see it in ``Book.carried``. The first quarter on the
system (no earlier history in the ledger) uses the opening sheets instead.

States are stored as tagged JSON so that Decimals, dates, tuples and the rules'
own records come back exactly as they went in.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import problems as P
from .ledger import LOCK, Ledger, state_after
from .model import Book
from .periods import Quarter, months_back
from .tables import row_type

# component code -> module under workbook.rules that knows its closing state
MODULE_STATES = (("KA", "key_account"), ("GR", "grades"))
ROW_SHEETS = ("Incidents",)


# ---- tagged JSON ----------------------------------------------------------
def encode(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, Decimal):
        return {"$d": str(v)}
    if isinstance(v, float):
        return {"$f": repr(v)}
    if isinstance(v, dt.datetime):
        return {"$dt": v.isoformat()}
    if isinstance(v, dt.date):
        return {"$date": v.isoformat()}
    if isinstance(v, (set, frozenset)):
        items = [encode(x) for x in v]
        return {"$set": sorted(items, key=lambda x: json.dumps(x, sort_keys=True, ensure_ascii=False))}
    for key in ROW_SHEETS:
        if type(v) is row_type(key):
            return {"$row": key, "v": {f: encode(x) for f, x in v._asdict().items()}}
    if isinstance(v, tuple) and hasattr(v, "_asdict"):
        return {"$nt": _qualified(v), "v": {f: encode(x) for f, x in v._asdict().items()}}
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {"$dc": _qualified(v), "v": {f.name: encode(getattr(v, f.name)) for f in dataclasses.fields(v)}}
    if isinstance(v, tuple):
        return {"$t": [encode(x) for x in v]}
    if isinstance(v, list):
        return [encode(x) for x in v]
    if isinstance(v, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in v):
            return {k: encode(x) for k, x in v.items()}
        return {"$map": [[encode(k), encode(x)] for k, x in v.items()]}
    raise TypeError(f"cannot store {type(v).__name__} in the ledger")


def decode(v: Any) -> Any:
    if isinstance(v, list):
        return [decode(x) for x in v]
    if not isinstance(v, dict):
        return v
    if "$d" in v:
        return Decimal(v["$d"])
    if "$f" in v:
        return float(v["$f"])
    if "$dt" in v:
        return dt.datetime.fromisoformat(v["$dt"])
    if "$date" in v:
        return dt.date.fromisoformat(v["$date"])
    if "$set" in v:
        return frozenset(decode(x) for x in v["$set"])
    if "$t" in v:
        return tuple(decode(x) for x in v["$t"])
    if "$map" in v:
        return {_hashable(decode(k)): decode(x) for k, x in v["$map"]}
    if "$row" in v:
        return row_type(v["$row"])(**{f: decode(x) for f, x in v["v"].items()})
    if "$nt" in v or "$dc" in v:
        fields = {f: decode(x) for f, x in v["v"].items()}
        try:
            cls = _resolve(v.get("$nt") or v["$dc"])
        except (ImportError, AttributeError):  # the record's class was renamed since: its fields, as a dict
            return fields
        return cls(**fields)
    return {k: decode(x) for k, x in v.items()}


def _hashable(k: Any) -> Any:
    return tuple(k) if isinstance(k, list) else k


def _qualified(v: Any) -> str:
    t = type(v)
    if not t.__module__.startswith("workbook."):
        raise TypeError(f"only the engine's own records can be stored in the ledger, not {t.__module__}.{t.__qualname__}")
    return f"{t.__module__}:{t.__qualname__}"


def _resolve(name: str) -> type:
    module, _, qual = name.partition(":")
    if not module.startswith("workbook."):
        raise ValueError(f"refusing to load {name} from the ledger")
    obj: Any = importlib.import_module(module)
    for part in qual.split("."):
        obj = getattr(obj, part)
    return obj


# ---- closing state ------------------------------------------------------------
def _module_fn(module: str):
    try:
        mod = importlib.import_module(f"workbook.rules.{module}")
    except ModuleNotFoundError as e:
        if e.name == f"workbook.rules.{module}":
            return None  # that component is not in this engine (yet): pass its state through
        raise
    return getattr(mod, "closing_states", None)


def closing_state(book: Book) -> dict[str, Any]:
    """The state the next quarter starts from, by component code."""
    from .rules import active_rules

    active = {r.code for r in active_rules(book)}
    out: dict[str, Any] = {}
    for code, module in MODULE_STATES:
        state = book.carried.get(code)
        fn = _module_fn(module)
        if fn is not None and code in active:
            new = fn(book)
            if new is not None:
                state = new
        if state is not None:
            out[code] = state
    pn = pn_window(book)
    if pn:
        out["PN"] = pn
    return out


def pn_history(book: Book) -> list:
    """Every known violation: this book's Incidents plus those carried in."""
    own = [r for r in book.rows("Incidents") if r.kind == "violation"]
    seen = {(r.employee_id, r.incident_id, r.date) for r in own}
    carried = [r for r in book.carried.get("PN", ()) if (r.employee_id, r.incident_id, r.date) not in seen]
    return sorted(own + carried, key=lambda r: (r.date, r.employee_id, r.incident_id))


def pn_window(book: Book) -> list:
    """Violations a later quarter can still count as 'earlier within the window'."""
    window = int(book.policy["pn_violation_window_months"])
    first_next = book.period.end + dt.timedelta(days=1)
    since = months_back(first_next, window)
    keep = [r for r in pn_history(book) if since <= r.date <= book.period.end]
    return [r._replace(row=0, note=r.note or f"结转自 {book.period}") for r in keep]


# ---- opening state --------------------------------------------------------
@dataclass
class Opening:
    carried: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # where the opening state came from, for the Status sheet
    from_entry: str = ""  # the previous quarter's lock entry hash, when carried
    refusal: str | None = None
    problems: list[P.Problem] = field(default_factory=list)


def opening(ledger: Ledger, company: str, period: Quarter, book: Book) -> Opening:
    index = ledger.index(company)  # no payloads: a big quarter's lock entry is megabytes
    if not any(Quarter.parse(p) < period for _, p, _ in index):
        return Opening(source="系统中的第一个季度：期初状态取自 期初余额 表和各表的期初列")
    prev = str(period.previous())
    state = state_after(k for _, p, k in index if p == prev)
    if state in ("LOCKED", "PUBLISHED"):
        lock = ledger.history(company, prev).last(LOCK)
        return Opening(decode(lock.payload.get("closing", {})), f"上一季度 {prev} 锁定时的期末状态（账本条目 {lock.entry_hash[:12]}）", lock.entry_hash)
    if book.rows("OpeningBalances"):
        note = f"上一季度 {prev} 未在账本中锁定：按 期初余额 (OpeningBalances) 表明确给出的期初余额计算"
        return Opening(source=note, problems=[P.warning(book.title("OpeningBalances"), "", "", note)])
    why = "尚未在账本中锁定" if state is None else "已被 reopen、目前未锁定"
    return Opening(refusal=f"上一季度 {prev} {why}：上一季度锁定后其期末状态才能结转到 {period}；"
                           f"或在 期初余额 (OpeningBalances) 表中明确填写期初余额")
