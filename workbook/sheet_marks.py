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

from defusedxml import ElementTree as DET

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_ERR_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)([0-9]+)"[^>]*?\bt="e"[^>]*>(?:(?!</c>).)*?<v>([^<]*)</v>', re.S)
_ERR_CELL2 = re.compile(rb'<c\b[^>]*?\bt="e"[^>]*?\br="([A-Z]+)([0-9]+)"[^>]*>(?:(?!</c>).)*?<v>([^<]*)</v>', re.S)
_FORMULA_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)([0-9]+)"[^>]*>((?:(?!</c>).)*?<f\b(?:(?!</c>).)*?)</c>', re.S)
_CACHED = re.compile(rb"<v>[^<]+</v>")  # an empty <v/>, <v /> or <v></v> is no cached value


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


def scan_marks(path: str | Path) -> dict[str, SheetMarks]:
    out: dict[str, SheetMarks] = {}
    with zipfile.ZipFile(path) as zf:
        for title, part in sheet_parts(zf).items():
            try:
                data = zf.read(part)
            except KeyError:
                continue
            m = SheetMarks()
            if b't="e"' in data:
                for rx in (_ERR_CELL, _ERR_CELL2):
                    for col, row, code in rx.findall(data):
                        m.errors[(int(row) - 1, _col0(col))] = code.decode("utf-8", "replace")
            if b"<f" in data:
                for col, row, body in _FORMULA_CELL.findall(data):
                    if not _CACHED.search(body) and b"<is>" not in body:
                        m.uncached_formulas.append((int(row) - 1, _col0(col)))
            if m.errors or m.uncached_formulas:
                out[title] = m
    return out
