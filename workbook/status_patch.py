"""Lock, reopen and publish change two things in a workbook: write them, touch nothing else.

Those steps only replace the small Status sheet and flip the input sheets'
protection, yet a round trip through openpyxl parses and re-serialises every
cell of a 200,000-row book (minutes, and a chance to drop what openpyxl does
not model). So the package is copied part by part, and only the Status
sheet's XML and each input sheet's ``<sheetProtection>`` element are rewritten;
VBA, formulas, styles and every other part keep their bytes. Anything
unexpected (no Status sheet yet, a prefixed namespace) raises ``Unpatchable``
and the caller falls back to openpyxl. The result is read back and checked
before it replaces the book.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from .reader import is_output_sheet, match_sheet
from .sheet_marks import sheet_parts
from .zip_copy import copy_entry

PROTECT = b'<sheetProtection sheet="1" objects="1" scenarios="1"/>'
_PROTECTION = re.compile(rb"<sheetProtection\b[^>]*/>")
_CALC_PR = re.compile(rb"<sheetCalcPr\b[^>]*/>")
_HEADER_STYLE = re.compile(rb'<c r="A1" s="(\d+)"')
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


class Unpatchable(Exception):
    """The package is not laid out as this module expects: use the full rewrite."""


def _cell(ref: str, text: str, style: str = "") -> str:
    text = _ILLEGAL.sub("", text)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def status_xml(header: tuple, rows: list[tuple], header_style: str = "") -> bytes:
    """A protected key/value sheet with inline strings (no shared-string table to touch)."""
    cols = "ABC"
    body = ['<row r="1">' + "".join(_cell(f"{c}1", h, header_style) for c, h in zip(cols, header)) + "</row>"]
    for n, row in enumerate(rows, start=2):
        body.append(f'<row r="{n}">' + "".join(_cell(f"{c}{n}", str(v)) for c, v in zip(cols, row)) + "</row>")
    return (f'<worksheet xmlns="{_MAIN}"><dimension ref="A1:C{len(rows) + 1}"/>'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            '<cols><col min="1" max="1" width="22" customWidth="1"/><col min="2" max="2" width="70" customWidth="1"/>'
            '<col min="3" max="3" width="28" customWidth="1"/></cols>'
            f'<sheetData>{"".join(body)}</sheetData>{PROTECT.decode()}</worksheet>').encode("utf-8")


def set_protection(xml: bytes, protect: bool) -> bytes:
    """The sheet XML with its sheet protection on or off; nothing else changes."""
    found = _PROTECTION.search(xml)
    if found:
        return xml[:found.start()] + (PROTECT if protect else b"") + xml[found.end():]
    if not protect:
        return xml
    end = xml.find(b"</sheetData>")
    if end >= 0:
        end += len(b"</sheetData>")
    else:
        end = xml.find(b"<sheetData/>")
        if end < 0:
            raise Unpatchable("no sheetData element (prefixed namespace?)")
        end += len(b"<sheetData/>")
    calc = _CALC_PR.match(xml, end)
    if calc:
        end = calc.end()
    return xml[:end] + PROTECT + xml[end:]


def patch(src: Path, dst: Path, header: tuple, rows: list[tuple], protect_inputs: bool) -> None:
    """Write ``src`` to ``dst`` with a new Status sheet and the input sheets' protection set."""
    with zipfile.ZipFile(src) as zin:
        parts = sheet_parts(zin)
        status = [p for t, p in parts.items() if is_output_sheet(t, "Status")]
        if len(status) != 1:
            raise Unpatchable("no Status sheet to replace")
        inputs = {p for t, p in parts.items() if match_sheet(t) is not None}
        with zipfile.ZipFile(dst, "w") as zout:
            for info in zin.infolist():
                if info.filename != status[0] and info.filename not in inputs:
                    copy_entry(zin, info, zout)  # kept parts keep their stored bytes
                    continue
                data = zin.read(info.filename)
                if info.filename == status[0]:
                    style = _HEADER_STYLE.search(data)
                    data = status_xml(header, rows, style.group(1).decode() if style else "")
                else:
                    data = set_protection(data, protect_inputs)
                zout.writestr(info, data, compress_type=info.compress_type)
