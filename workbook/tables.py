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


def parse_table(raw: RawTable) -> tuple[list, list[P.Problem]]:
    schema: Sheet = raw.schema
    t = row_type(schema.key)
    probs: list[P.Problem] = []
    plan = []
    for c in schema.columns:
        j = raw.cols.get(c.key)
        plan.append((c, j, parser_for(c.kind), c.optional_value or not c.required))
    out = []
    for r0, cells in raw.rows:
        vals = []
        ok = True
        for c, j, parse, _ in plan:
            v = cells[j] if j is not None and j < len(cells) else None
            if j is None or is_blank(v):
                if j is not None and not c.optional_value:
                    probs.append(P.error(raw.title, P.cell_ref(r0, j), c.key, f"{c.label} 不能为空", expected=c.kind, found=v))
                    ok = False
                vals.append(None)
                continue
            try:
                vals.append(parse(v))
            except CellError as e:
                probs.append(P.error(raw.title, P.cell_ref(r0, j), c.key, e.message, e.expected, e.found))
                ok = False
                vals.append(None)
        if ok:
            vals.append(r0 + 1)
            out.append(t(*vals))
    probs.extend(_unique(raw, out))
    return out, probs


def _unique(raw: RawTable, rows: list) -> list[P.Problem]:
    keys = raw.schema.unique
    if not keys:
        return []
    fields = [field_name(k) for k in keys]
    seen: dict[tuple, int] = {}
    out = []
    col = raw.cols.get(keys[0], 0)
    for r in rows:
        k = tuple(getattr(r, f) for f in fields)
        if k in seen:
            out.append(P.error(raw.title, P.cell_ref(r.row - 1, col), keys[0],
                               f"重复的 {'+'.join(keys)}：与第 {seen[k]} 行相同，请删除或更正", found="/".join(map(str, k))))
        else:
            seen[k] = r.row
    return out
