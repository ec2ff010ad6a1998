"""What values-only readers hide: error cells and formulas without a cached value.

python-calamine returns ``''`` for ``#N/A`` and for a formula that Excel never
calculated. Treating either as blank would turn a broken cell into a silent
zero. This module scans the raw sheet XML (already screened by ``hostile``) with
byte-level regular expressions, which costs a fraction of a parse.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection

from defusedxml import ElementTree as DET

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")


@dataclass
class SheetMarks:
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row0, col0) -> '#N/A'
    uncached_formulas: list[tuple[int, int]] = field(default_factory=list)


def _col0(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> zip part name, from workbook.xml and its relationships."""
    wb = DET.fromstring(zf.read("xl/workbook.xml"))
    try:
        rels = DET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return {}
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{_NS_PKG}Relationship")}
    out = {}
    for s in wb.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(s.get(f"{_NS_REL}id"))
        if not target:
            continue
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        out[s.get("name")] = part
    return out


_ERROR_CELL = re.compile(rb't="e"')
_FORMULA = re.compile(rb"<f[ >/]")  # <f>, <f ...> and <f/>
_CACHED = re.compile(rb"<v>[^<]+</v>")


def _find_all(data: bytes, pattern: re.Pattern):
    """Offsets of every match; a literal-prefix pattern scans faster than ``bytes.find`` here."""
    for m in pattern.finditer(data):
        yield m.start()


def _cells_around(data: bytes, *patterns: re.Pattern) -> dict[int, tuple[bytes, bytes]]:
    """For each hit of any pattern, the enclosing cell, in sheet order: start offset -> (open tag, body).

    Only the few cells that hold a formula or an error are looked at, so a
    200,000-row sheet costs a regular-expression pass per pattern rather than a
    parse. (One pattern with an alternation would be ten times slower: without
    a literal prefix the engine tries every position.)
    """
    out = {}
    for pos in sorted(set().union(*(_find_all(data, p) for p in patterns))):
        start = data.rfind(b"<c ", 0, pos + 1)
        if start < 0 or start in out:
            continue
        open_end = data.find(b">", start)
        if data[open_end - 1:open_end] == b"/":
            out[start] = (data[start:open_end + 1], b"")
            continue
        close = data.find(b"</c>", open_end)
        out[start] = (data[start:open_end + 1], data[open_end + 1:close])
    return out


def formula_cells(data: bytes) -> list[tuple[int, int, bytes]]:
    """(row0, col0, cell body) of every formula cell in one sheet's XML."""
    out = []
    for tag, body in _cells_around(data, _FORMULA).values():
        ref = _REF.search(tag)
        if ref:
            out.append((int(ref.group(2)) - 1, _col0(ref.group(1)), body))
    return out


def sheet_marks(data: bytes) -> SheetMarks:
    """The error cells and uncached formulas of one sheet's XML, each cell looked at once."""
    m = SheetMarks()
    for tag, body in _cells_around(data, _ERROR_CELL, _FORMULA).values():
        ref = _REF.search(tag)
        if not ref:
            continue
        where = (int(ref.group(2)) - 1, _col0(ref.group(1)))
        if _ERROR_TYPE.search(tag):
            value = _VALUE.search(body)
            m.errors[where] = value.group(1).decode("utf-8", "replace") if value else "#错误"
        if _FORMULA.search(body) and not _CACHED.search(body) and b"<is>" not in body:
            m.uncached_formulas.append(where)
    return m


def scan_marks(path: str | Path, titles: Collection[str] | None = None) -> dict[str, SheetMarks]:
    """Each sheet's marks, by title; only the sheets in ``titles`` when given (the reader's input sheets:
    output sheets from an earlier run can be larger than all the inputs together)."""
    out: dict[str, SheetMarks] = {}
    with zipfile.ZipFile(path) as zf:
        for title, part in sheet_parts(zf).items():
            if titles is not None and title not in titles:
                continue
            try:
                data = zf.read(part)
            except KeyError:
                continue
            m = sheet_marks(data)
            if m.errors or m.uncached_formulas:
                out[title] = m
    return out
