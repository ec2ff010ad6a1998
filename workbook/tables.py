"""Typed rows from raw tables: every cell through the one parser for its kind.

Each sheet becomes a list of immutable rows (named tuples generated from the
schema, plus ``row``: the 1-based sheet row, so any rule can cite its inputs as
``Deals!R12``). A cell that does not parse becomes a problem naming the cell, and
its row is dropped so no rule ever sees a guessed value. Uniqueness of each
sheet's key columns is checked here too.
"""
from __future__ import annotations

import datetime as dt
import itertools
import keyword
import math
from collections import namedtuple
from decimal import Decimal
from functools import lru_cache, partial
from typing import Any, NamedTuple

import numpy as np

from . import problems as P
from .cells import CellError, cleaning_keeps, is_blank, parse_id, parse_number, parse_percent, parse_text, parser_for
from .reader import NumberedRows, RawTable
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


def parse_column(values, parse, issues: list | None = None, blanks: bool = True, exact: list | None = None) -> list:
    """Parse one column: each value -> typed value, None (blank) or a CellError.

    Columns repeat themselves (IDs, dates, shares, flags), so results are
    memoised per distinct value; the key carries the type because ``1 == 1.0 ==
    True`` would otherwise share an entry. ``issues``, when given, receives the
    index of every blank (unless ``blanks`` is False: an optional column) or
    bad cell, so callers never rescan the column. ``exact``, when given,
    receives the column's ``ExactForm`` when it has one (see there).
    """
    fast = _single_type_column(values, parse, issues, blanks, exact)
    if fast is not None:
        return fast
    out = []
    append = out.append
    note = issues.append if issues is not None else (lambda i: None)
    cache: dict = {}
    for i, v in enumerate(values):
        if v is None or v == "":
            append(None)
            if blanks:
                note(i)
            continue
        key = (v.__class__, v) if v or v.__class__ is not float else (float, repr(v))  # 0.0 == -0.0
        try:
            r = cache[key]
        except KeyError:
            try:
                r = parse(v)
            except CellError as e:
                r = None if is_blank(v) else e
            cache[key] = r
        append(r)
        if (r is None and blanks) or r.__class__ is CellError:
            note(i)
    return out


_SELF_PARSING = (parse_id, parse_text)
# Types whose equal values are interchangeable (a date never equals a datetime).
_HASHED_TYPES = frozenset({str, float, int, bool, dt.date, dt.datetime, dt.time})
_NUMBER_PARSERS = (parse_number, parse_percent)


def _signed_zero_matters(parse) -> bool:
    """Whether ``parse`` answers 0.0 and -0.0 differently (only in a rejection's wording)."""
    def answer(v):
        try:
            r = parse(v)
            return r.__class__, repr(r)
        except CellError as e:
            return CellError, e.message, e.found
    return answer(0.0) != answer(-0.0)


def _all_self_parsing(distinct: set, nfkc: bool) -> bool:
    """Whether every string parses to itself as text (or, with ``nfkc``, as an id).

    That is: not empty, no surrounding whitespace (``strip`` returns the very
    same object then), not an Excel error literal (all start with '#'), and, for
    other than ASCII text, no zero-width character to drop and (ids) already in
    NFKC form, so the one-cell parser's cleaning would change nothing.
    """
    if "" in distinct:
        return False
    ordered = list(distinct)
    joined = "\x00".join(ordered)
    if joined.count("\x00") != len(ordered) - 1 or joined.startswith("#") or "\x00#" in joined:
        return False
    return cleaning_keeps(joined, nfkc) and list(map(str.strip, ordered)) == ordered


def _floats_to_decimal(distinct, parse) -> dict:
    """``parse_number`` of many finite floats at once, as a value -> Decimal table.

    Same rule as the one-cell parser: a whole number below 1e15 is its integer;
    anything else is its 15-significant-digit text (Excel's precision). An
    infinite or exponent-form value goes through ``parse`` itself, which
    explains or normalises it.
    """
    table: dict = {}
    for v in distinct:
        if -1e15 < v < 1e15 and v.is_integer():
            table[v] = Decimal(int(v))
        elif not math.isfinite(v):
            try:
                table[v] = parse(v)
            except CellError as e:
                table[v] = e
        else:
            text = format(v, ".15g")
            table[v] = Decimal(text) if "e" not in text else parse(v)
    return table


def _single_type_column(values, parse, issues: list | None, blanks: bool, exact: list | None = None) -> list | None:
    """The same answers as the per-cell loop, in C-speed passes, for a column of one type.

    A 200,000-row Deals sheet has columns of only str or only float. With one
    type no two distinct cells can share a cache key, so the distinct values are
    a set, each is parsed once, and the column is mapped through the results.
    Empty cells (None) may be mixed in: None equals no other value. Returns None
    (use the general loop) for mixed types, lists or NaN.
    """
    distinct = set(values) if values and values[0].__class__ is str else None
    if distinct is not None and 2 * len(distinct) < len(values):
        # Repeating text: the types of its distinct values, a pass over far fewer. Exact
        # whenever they are text (and None) alone, as a text equals only a text; with any
        # other type among them the column is mixed, and goes the general way, either way.
        kinds = set(map(type, distinct))
    else:
        kinds = set(map(type, values))
    gaps = type(None) in kinds
    kinds.discard(type(None))
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    if kind not in _HASHED_TYPES:
        return None
    if kind is float and not gaps and parse in _NUMBER_PARSERS and len(set(values[:512])) > 64:
        return _float_column(values, parse, issues, exact)  # many distinct values: sorting beats hashing
    if distinct is None:
        distinct = set(values)
    distinct.discard(None)
    if kind is float and (any(v != v for v in distinct) or (0.0 in distinct and _signed_zero_matters(parse))):
        return None  # NaN never finds itself in a dict by value; 0.0 and -0.0 share one
    if not gaps and kind is str and parse in _SELF_PARSING and _all_self_parsing(distinct, nfkc=parse is parse_id):
        return list(values)
    if kind is float and parse in _NUMBER_PARSERS:
        table = _floats_to_decimal(distinct, parse)
    else:
        table = {}
        for v in distinct:
            if v == "":
                table[v] = None
                continue
            try:
                table[v] = parse(v)
            except CellError as e:
                table[v] = None if is_blank(v) else e
    if gaps:
        table[None] = None
    out = list(map(table.__getitem__, values))
    if exact is not None and kind is float and parse in _NUMBER_PARSERS and not gaps:
        keys = sorted(table)
        form = _exact_answers([table[k] for k in keys])
        if form is not None:
            exact.append(form.picked(np.searchsorted(np.array(keys, float), np.array(values, float))))
    if issues is not None:
        bad = {v for v, r in table.items() if (r is None and blanks) or r.__class__ is CellError}
        if bad:
            issues.extend(i for i, v in enumerate(values) if v in bad)
    return out


class ExactForm(NamedTuple):
    """A column of non-negative Decimals as integers: each value is ``coefficient × 10**exponent``.

    Kept from parsing for the columns that sums are made of (amounts, shares),
    so ``rules.deal_columns`` can add up products in whole-number arithmetic
    instead of one Decimal multiplication per row. Only made when every value
    is a finite, non-negative Decimal of at most 18 digits.
    """

    coefficient: np.ndarray  # int64
    exponent: np.ndarray  # int8

    def picked(self, where: np.ndarray) -> "ExactForm":
        """Per row, from per distinct value (``where`` indexes the distinct values)."""
        return ExactForm(self.coefficient[where], self.exponent[where])

    def against_one(self) -> np.ndarray:
        """Per value: -1, 0 or 1 as it is below, equal to or above 1 (as ``Decimal`` compares).

        A negative exponent compares the coefficient with 10^-e (past 10^18, which
        no 18-digit coefficient reaches, it is below); a positive one makes any
        coefficient but 0 at least 10.
        """
        c, e = self.coefficient, self.exponent.astype(np.int64)
        unit = 10 ** np.clip(-e, 0, 18)  # 1 where the exponent is not negative
        c = np.where(e > 0, np.where(c > 0, 2, 0), c)
        return np.sign(c - unit)


def _exact_answers(answers: list, limit: int = 64) -> ExactForm | None:
    """``answers`` (a few distinct Decimals) as an ``ExactForm``, or None if one cannot be held."""
    if len(answers) > limit:
        return None  # each takes a Decimal-level look: a few dozen, not tens of thousands
    coefficients, exponents = [], []
    for d in answers:
        if d.__class__ is not Decimal or not d.is_finite():
            return None
        sign, digits, exponent = d.as_tuple()
        if sign or len(digits) > 18 or not -100 < exponent < 100:
            return None
        coefficients.append(int("".join(map(str, digits))))
        exponents.append(exponent)
    return ExactForm(np.array(coefficients, np.int64), np.array(exponents, np.int8))


def _float_column(values, parse, issues: list | None, exact: list | None = None) -> list | None:
    """A column of floats only (amounts, shares): its distinct values found by a NumPy sort.

    ``np.unique`` gives each cell the index of its value among the distinct
    ones without hashing 200,000 Python floats twice (into a set and back out
    of a dict); the distinct values are converted as in ``_floats_to_decimal``.
    NaN, or a zero whose sign changes the answer, goes the general way (None).
    """
    column = np.array(values, float)
    if np.isnan(column).any():
        return None
    distinct, where = np.unique(column, return_inverse=True)
    keys = distinct.tolist()
    if 0.0 in keys and _signed_zero_matters(parse):
        return None
    whole = (np.abs(distinct) < 1e15) & (distinct == np.trunc(distinct))
    if whole.all():  # whole yuan, the usual money column: each its integer, in one C-level pass; none can fail
        integers = distinct.astype(np.int64)
        answers = list(map(Decimal, integers.tolist()))
        fails = False
        if exact is not None and integers[0] >= 0:  # Decimal(n): coefficient n, exponent 0 (sorted: the first is the least)
            exact.append(ExactForm(integers, np.zeros(len(integers), np.int8)).picked(where))
    else:
        table = _floats_to_decimal(keys, parse)
        answers = list(map(table.__getitem__, keys))
        fails = True  # (and no whole-number form: too many distinct values to look at one by one)
    picked = np.empty(len(answers), object)
    picked[:] = answers
    out = picked[where].tolist()  # each cell's answer by one NumPy gather, not a Python-level lookup per cell
    if issues is not None and fails:
        bad = [i for i, r in enumerate(answers) if r.__class__ is CellError]
        if bad:
            issues.extend(np.flatnonzero(np.isin(where, bad)).tolist())
    return out


def parse_table(raw: RawTable) -> tuple[list, list[P.Problem]]:
    """Typed rows of one sheet, column by column; bad cells become problems."""
    schema: Sheet = raw.schema
    t = row_type(schema.key)
    probs: list[P.Problem] = []
    n = len(raw.rows)
    if isinstance(raw.rows, NumberedRows):  # as ``locate`` leaves them: the numbers and cells apart, every row wide enough
        rownums, grid, width = raw.rows.numbers, raw.rows.grid, raw.rows.width
    else:
        rownums, grid = zip(*raw.rows) if n else ((), ())
        width = max(map(len, grid), default=0)
        if n and min(map(len, grid)) < width:
            grid = [cells if len(cells) == width else list(cells) + [None] * (width - len(cells)) for cells in grid]
    if not n:
        width = 0
    bad = bytearray(n)
    columns = []
    exact: dict[str, ExactForm] = {}
    transposed = list(zip(*grid)) if grid else []  # one C-level pass instead of a loop per column (as wide as the narrowest row)
    for c in schema.columns:
        j = raw.cols.get(c.key)
        if j is None or j >= width:
            columns.append([None] * n)
            continue
        vals = transposed[j]
        issues: list[int] = []
        form: list[ExactForm] = []
        col = parse_column(vals, parser_for(c.kind), issues, blanks=not c.optional_value, exact=form)
        if form:
            exact[field_name(c.key)] = form[0]
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
    encoded: dict[str, tuple[list, np.ndarray, np.ndarray]] = {}
    probs.extend(_unique(raw, schema, columns, rownums, bad, encoded))
    columns.append(list(map((1).__add__, rownums)))
    make = partial(tuple.__new__, t)  # what ``t._make`` does, without its Python-level frame per row
    if 1 in bad:
        return Rows(make(vals) for i, vals in enumerate(zip(*columns)) if not bad[i]), probs
    out = Rows(map(make, zip(*columns)))
    out.columns = dict(zip(t._fields, columns))
    out.codes = {field_name(k): v for k, v in encoded.items()}
    out.exact = exact
    return out, probs


class Rows(list):
    """A sheet's typed rows; with every row kept, also the parsed columns they were made from.

    ``columns`` maps each field to its column (None when a bad row was dropped,
    so the columns would not line up with the rows). Rules that work on whole
    columns (``rules.deal_columns``) take a column from here instead of pulling
    it back out of 200,000 rows, a pass per column. A copy or a filtered list is
    a plain list, without columns; the rows of a loaded book never change.
    """

    __slots__ = ("columns", "codes", "exact")

    def __init__(self, rows=()) -> None:
        super().__init__(rows)
        self.columns: dict[str, list] | None = None
        self.codes: dict[str, tuple[list, np.ndarray, np.ndarray]] = {}  # key column -> ``encode`` of it
        self.exact: dict[str, ExactForm] = {}  # number column -> its whole-number form, when it has one


def columns_of(rows: list) -> dict[str, list] | None:
    """The parsed columns behind ``rows`` (see ``Rows``), or None: then read the rows."""
    cols = getattr(rows, "columns", None)
    return cols if cols is not None and len(cols["row"]) == len(rows) else None


def codes_of(rows: list) -> dict[str, tuple[list, np.ndarray, np.ndarray]]:
    """The key columns behind ``rows`` as ``encode`` gives them (see ``Rows``); empty when there are none."""
    return rows.codes if columns_of(rows) is not None else {}


def exact_of(rows: list) -> dict[str, ExactForm]:
    """The number columns behind ``rows`` in whole-number form (see ``ExactForm``); empty when there are none."""
    return rows.exact if columns_of(rows) is not None else {}


def encode(values: list) -> tuple[list, np.ndarray, np.ndarray]:
    """(distinct values in order of first appearance, each value's index among them, each one's first row).

    One C-level pass: ``setdefault`` gives every row the row number where its
    value first appeared; the rows that name themselves are the first
    appearances, in order, and ranking them makes the codes. Values are equal
    as dict keys are, so a code stands for exactly the cells a dict would merge.
    """
    n = len(values)
    first = np.fromiter(map({}.setdefault, values, itertools.count()), np.int64, n)
    firsts = np.flatnonzero(first == np.arange(n))
    rank = np.empty(n, np.int32)
    rank[firsts] = np.arange(len(firsts), dtype=np.int32)
    return list(map(values.__getitem__, firsts.tolist())), rank[first], firsts


def _unique(raw: RawTable, schema: Sheet, columns: list[list], rownums: list[int], bad: bytearray,
            encoded: dict | None = None) -> list[P.Problem]:
    """Repeated key combinations (e.g. deal_id + employee_id), found on the parsed columns.

    With no bad cell, each key column is encoded (``encode``) and repeats are
    looked for among the codes; the encodings go to ``encoded``, for rules
    that work on whole columns (``rules.deal_columns``). Only when there is a
    repeat does the row loop below run, to name each one.
    """
    keys = schema.unique
    if not keys:
        return []
    index = {c.key: i for i, c in enumerate(schema.columns)}
    key_cols = [columns[index[k]] for k in keys]
    if 1 not in bad:
        codes = [encode(c) for c in key_cols]
        if encoded is not None:
            encoded.update(zip(keys, codes))
        if not _repeats([(len(d), c) for d, c, _ in codes]):
            return []
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


def _repeats(codes: list[tuple[int, np.ndarray]]) -> bool:
    """Whether two rows share every key, given each key column as (number of distinct values, codes).

    Only rows whose first key repeats can repeat the whole key, so the other
    keys are combined for those rows alone; the combined code is renumbered
    after each key, so it never outgrows the rows.
    """
    size, first = codes[0]
    if len(codes) == 1:
        return size < len(first)
    shared = np.bincount(first, minlength=size)[first] > 1
    if not shared.any():
        return False
    combined = first[shared].astype(np.int64)
    for size, more in codes[1:]:
        combined = np.unique(combined * size + more[shared], return_inverse=True)[1].astype(np.int64)
    return len(np.unique(combined)) < len(combined)
