"""Write Calculate's output sheets into the user's workbook without re-serialising it.

openpyxl loads and re-writes every cell of a book to change a few sheets: over a
minute for a 100,000-deal quarter, and whatever openpyxl does not model (some
charts, images, extension lists) is at risk. Here the package is copied part
by part: the output sheets' XML is streamed in (``xlsx_stream``), new output
sheets are registered in workbook.xml, its relationships and the content types,
two styles (bold header, ``0.00`` money) are added to styles.xml once, and every
other part keeps its bytes: inputs, formulas, VBA, tables, validations.

Anything laid out unexpectedly raises ``Unpatchable`` and the caller falls back
to the openpyxl rewrite. Output sheets this run does not produce are emptied
(kept, so sheet indexes and defined names never shift).
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Sequence
from xml.sax.saxutils import quoteattr

from .reader import is_output_sheet
from .schema import OUTPUT_SHEETS
from .sheet_marks import sheet_parts
from .status_patch import Unpatchable
from .xlsx_stream import SheetData, Styles, deflate_alongside, sheet_xml
from .zip_copy import copy_entry

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOLD_FONT = b'<font><b/><sz val="11"/></font>'
_FONTS = re.compile(rb'<fonts\b[^>]*?count="(\d+)"[^>]*>(.*?)</fonts>', re.S)
_XFS = re.compile(rb'<cellXfs\b[^>]*?count="(\d+)"[^>]*>(.*?)</cellXfs>', re.S)
_ITEM = re.compile(rb"<(font|xf)\b(?:[^>]*/>|.*?</\1>)", re.S)
SHEET_ID = re.compile(rb'<sheet\b[^>]*\bsheetId="(\d+)"')
REL_ID = re.compile(rb'\bId="([^"]+)"')


def _index_or_append(block: re.Match, item: bytes) -> tuple[int, bytes]:
    """The index of ``item`` in a counted list (fonts, cellXfs), appending it if absent."""
    items = [m.group(0) for m in _ITEM.finditer(block.group(2))]
    if item in items:
        return items.index(item), block.group(0)
    count = len(items)
    head = block.group(0)[: block.start(2) - block.start(0)].replace(b'count="%s"' % block.group(1), b'count="%d"' % (count + 1), 1)
    return count, head + block.group(2) + item + block.group(0)[block.end(2) - block.start(0):]


def add_styles(styles: bytes) -> tuple[bytes, Styles]:
    fonts = _FONTS.search(styles)
    if not fonts:
        raise Unpatchable("styles.xml has no fonts list")
    font_id, new_fonts = _index_or_append(fonts, BOLD_FONT)
    styles = styles[: fonts.start()] + new_fonts + styles[fonts.end():]
    xfs = _XFS.search(styles)
    if not xfs:
        raise Unpatchable("styles.xml has no cellXfs list")
    head_xf = b'<xf numFmtId="0" fontId="%d" fillId="0" borderId="0" xfId="0" applyFont="1"/>' % font_id
    head_id, new_xfs = _index_or_append(xfs, head_xf)
    styles = styles[: xfs.start()] + new_xfs + styles[xfs.end():]
    xfs = _XFS.search(styles)
    money_xf = b'<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    money_id, new_xfs = _index_or_append(xfs, money_xf)
    styles = styles[: xfs.start()] + new_xfs + styles[xfs.end():]
    return styles, Styles(str(head_id), str(money_id))


def package_names(zin: zipfile.ZipFile) -> set[str]:
    """The package's part names; Unpatchable unless it has the parts every patch edits."""
    names = set(zin.namelist())
    for needed in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"):
        if needed not in names:
            raise Unpatchable(f"missing {needed}")
    return names


def patch_outputs(src: Path, dst: Path, sheets: dict[str, SheetData]) -> None:
    """Write ``src`` to ``dst`` with the given output sheets (by key) replaced or added."""
    with zipfile.ZipFile(src) as zin:
        names = package_names(zin)
        workbook = zin.read("xl/workbook.xml")
        if b"</sheets>" not in workbook:
            raise Unpatchable("workbook.xml laid out unexpectedly")
        rels = zin.read("xl/_rels/workbook.xml.rels")
        types = zin.read("[Content_Types].xml")
        styles, style_ids = add_styles(zin.read("xl/styles.xml"))
        parts = sheet_parts(zin)
        existing = {key: part for title, part in parts.items() for key in OUTPUT_SHEETS if is_output_sheet(title, key)}
        if any(p not in names for p in existing.values()):
            raise Unpatchable("a sheet part is missing")
        if "xl/calcChain.xml" in names and existing:
            chain = zin.read("xl/calcChain.xml")
            ids = _sheet_ids_of(workbook, rels, existing.values())
            if any(b' i="%d"' % i in chain for i in ids):
                raise Unpatchable("calcChain refers to an output sheet")
        replaced: dict[str, SheetData] = {}
        for key, part in existing.items():
            if key in sheets:
                replaced[part] = sheets[key]
            elif key != "Status":  # stale output of an earlier run: emptied, never left misleading
                replaced[part] = SheetData(sheets_title(key), ["本次计算未生成此表"], [])
        added: list[tuple[str, SheetData]] = []
        next_sheet = max((int(i) for i in SHEET_ID.findall(workbook)), default=0) + 1
        rel_ids = set(REL_ID.findall(rels))
        for key, sheet in sheets.items():
            if key in existing:
                continue
            n = 1
            while f"xl/worksheets/bonusbook_{key.lower()}{n}.xml" in names:
                n += 1
            part = f"xl/worksheets/bonusbook_{key.lower()}{n}.xml"
            rid = next(f"rIdBB{k}" for k in range(1, 10_000) if f"rIdBB{k}".encode() not in rel_ids)
            rel_ids.add(rid.encode())
            workbook = workbook.replace(b"</sheets>", f"<sheet xmlns:r=\"{REL_NS}\" name={quoteattr(sheet.title[:31])} sheetId=\"{next_sheet}\" r:id=\"{rid}\"/></sheets>".encode("utf-8"), 1)
            next_sheet += 1
            rels = rels.replace(b"</Relationships>", f'<Relationship Id="{rid}" Type="{WS_TYPE}" Target="/{part}"/></Relationships>'.encode(), 1)
            types = types.replace(b"</Types>", f'<Override PartName="/{part}" ContentType="{WS_CT}"/></Types>'.encode(), 1)
            added.append((part, sheet))
        with zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
            for info in zin.infolist():
                name = info.filename
                if name == "xl/workbook.xml":
                    data = workbook
                elif name == "xl/_rels/workbook.xml.rels":
                    data = rels
                elif name == "[Content_Types].xml":
                    data = types
                elif name == "xl/styles.xml":
                    data = styles
                elif name in replaced:
                    continue  # written below, with the added sheets
                else:
                    copy_entry(zin, info, zout)  # kept parts keep their stored bytes
                    continue
                zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
            # The output sheets last, built as they are written and compressed in a second thread.
            deflate_alongside(zout, [(part, sheet_xml(sheet, style_ids)) for part, sheet in [*replaced.items(), *added]])


def sheets_title(key: str) -> str:
    return f"{OUTPUT_SHEETS[key]} ({key})"


def _sheet_ids_of(workbook: bytes, rels: bytes, parts) -> list[int]:
    """sheetId values of the given parts (calcChain refers to sheets by sheetId)."""
    targets = {}
    for m in re.finditer(rb"<Relationship\b[^>]*>", rels):
        rid, target = re.search(rb'Id="([^"]+)"', m.group(0)), re.search(rb'Target="([^"]+)"', m.group(0))
        if rid and target:
            t = target.group(1).decode().lstrip("/")
            targets[rid.group(1)] = t if t.startswith("xl/") else "xl/" + t
    wanted = set(parts)
    ids = []
    for m in re.finditer(rb"<sheet\b[^>]*/>", workbook):
        rid, sid = re.search(rb'r:id="([^"]+)"', m.group(0)), re.search(rb'sheetId="(\d+)"', m.group(0))
        if rid and sid and targets.get(rid.group(1)) in wanted:
            ids.append(int(sid.group(1)))
    return ids


def output_sheet(key: str, header: Sequence[str], rows: list, money_columns: frozenset[int], widths: Sequence[float] = (),
                 links: dict | None = None) -> SheetData:
    return SheetData(sheets_title(key), list(header), rows, money_columns, True, tuple(widths), links)
