"""Typed rows from raw tables: every cell through the one parser for its kind.

Each sheet becomes a list of immutable rows (named tuples generated from the
schema, plus ``row``: the 1-based sheet row, so any rule can cite its inputs as
``Deals!R12``). A cell that does not parse becomes a problem naming the cell, and
its row is dropped so no rule ever sees a guessed value. Uniqueness of each
sheet's key columns is checked here too.
"""
from __future__ import annotations

import keyword
from collections import namedtuple
from functools import lru_cache
from typing import Any

from . import problems as P
from .cells import CellError, is_blank, parser_for
from .reader import RawTable
from .schema import INPUT_SHEETS, Sheet


def field_name(key: str) -> str:
    """A column key as a Python attribute (``class`` becomes ``class_``)."""
    return key + "_" if keyword.iskeyword(key) else key


@lru_cache(maxsize=None)
def row_type(sheet_key: str):
    schema = next(s for s in INPUT_SHEETS if s.key == sheet_key)
    return namedtuple(f"{sheet_key}Row", [field_name(c.key) for c in schema.columns] + ["row"])


def make_row(sheet_key: str, row: int = 0, **values: Any):
    """Build a typed row directly (tests, demo); absent columns are None."""
    t = row_type(sheet_key)
    vals = {f: None for f in t._fields}
    vals.update({field_name(k): v for k, v in values.items()})
    vals["row"] = row
    return t(**vals)


def parse_column(values, parse, issues: list | None = None) -> list:
    """Parse one column: each value -> typed value, None (blank) or a CellError.

    Columns repeat themselves (IDs, dates, shares, flags), so results are
    memoised per distinct value; the key carries the type because ``1 == 1.0 ==
    True`` would otherwise share an entry. ``issues``, when given, receives the
    index of every blank or bad cell, so callers never rescan the column.
    """
    out = []
    append = out.append
    note = issues.append if issues is not None else (lambda i: None)
    cache: dict = {}
    for i, v in enumerate(values):
        if v is None or v == "":
            append(None)
            note(i)
            continue
        key = (v.__class__, v)
        try:
            r = cache[key]
        except KeyError:
            try:
                r = parse(v)
            except CellError as e:
                r = None if is_blank(v) else e
            cache[key] = r
        append(r)
        if r is None or r.__class__ is CellError:
            note(i)
    return out


def parse_table(raw: RawTable) -> tuple[list, list[P.Problem]]:
    """Typed rows of one sheet, column by column; bad cells become problems."""
    schema: Sheet = raw.schema
    t = row_type(schema.key)
    probs: list[P.Problem] = []
    n = len(raw.rows)
    rownums = [r0 for r0, _ in raw.rows]
    bad = bytearray(n)
    columns = []
    width = max((len(cells) for _, cells in raw.rows), default=0)
    grid = [cells if len(cells) == width else list(cells) + [None] * (width - len(cells)) for _, cells in raw.rows]
    transposed = list(zip(*grid)) if grid else []  # one C-level pass instead of a loop per column
    for c in schema.columns:
        j = raw.cols.get(c.key)
        if j is None or j >= width:
            columns.append([None] * n)
            continue
        vals = transposed[j]
        issues: list[int] = []
        col = parse_column(vals, parser_for(c.kind), issues)
        for i in issues:
            v = col[i]
            if v is None:
                if not c.optional_value:
                    probs.append(P.error(raw.title, P.cell_ref(rownums[i], j), c.key, f"{c.label} 不能为空", expected=c.kind, found=vals[i]))
                    bad[i] = 1
            else:
                probs.append(P.error(raw.title, P.cell_ref(rownums[i], j), c.key, v.message, v.expected, v.found))
                col[i] = None
                bad[i] = 1
        columns.append(col)
    probs.extend(_unique(raw, schema, columns, rownums, bad))
    columns.append([r0 + 1 for r0 in rownums])
    make = t._make
    if any(bad):
        out = [make(vals) for i, vals in enumerate(zip(*columns)) if not bad[i]]
    else:
        out = list(map(make, zip(*columns)))
    return out, probs


def _unique(raw: RawTable, schema: Sheet, columns: list[list], rownums: list[int], bad: bytearray) -> list[P.Problem]:
    """Repeated key combinations (e.g. deal_id + employee_id), found on the parsed columns."""
    keys = schema.unique
    if not keys:
        return []
    index = {c.key: i for i, c in enumerate(schema.columns)}
    key_cols = [columns[index[k]] for k in keys]
    seen: dict = {}
    out = []
    col = raw.cols.get(keys[0], 0)
    for i, k in enumerate(zip(*key_cols) if len(key_cols) > 1 else key_cols[0]):
        if bad[i]:
            continue
        first = seen.setdefault(k, i)
        if first != i:
            shown = k if isinstance(k, tuple) else (k,)
            out.append(P.error(raw.title, P.cell_ref(rownums[i], col), keys[0],
                               f"重复的 {'+'.join(keys)}：与第 {rownums[first] + 1} 行相同，请删除或更正", found="/".join(map(str, shown))))
    return out
