"""Append imported rows to a big workbook by patching its xlsx package.

Import adds a few dozen rows to a master that may hold 200,000 deals; loading
and saving it with openpyxl costs over a minute and 1.5 GB. So, as Calculate
does (``book_patch``), the package is copied part by part: the input sheets
that receive rows get their new ``<row>`` elements just before
``</sheetData>``, their Excel Tables and ``<dimension>`` grow, styles.xml may
gain a date style (``style_patch``), and the Imports sheet gets its rows (or is created); every
other part keeps its bytes. Shared strings are never touched: text is written
as inline strings, as openpyxl writes it.

The rows come out as the openpyxl path (``importer.append_rows`` and
``import_log.append_log``) writes them: below the last row holding data in the
sheet's own columns (merged into formatted rows already there, as LibreOffice
leaves a thousand under each table), each cell styled like the cell above it
(or its column), numbers in openpyxl's spelling, dates as serial numbers with a
date format, Tables that start at the header row stretched to the new last
row, and data validations and conditional formats ending at the old last data
row grown.

Whatever this does not handle raises ``Unpatchable`` saying why, and the
importer falls back to the openpyxl rewrite, which handles it:

- a formula in the last data row: openpyxl carries formula columns down,
  translating references (shared and array formulas too); patching would have
  to re-implement that;
- a Table with a totals row (openpyxl would write below it);
- merged cells in the sheet; a ``<row>`` or ``<c>`` without its ``r``
  reference; a prefixed or non-UTF-8 sheet;
- an Imports sheet that lost one of its columns (openpyxl adds it);
- a value of a type the importer never produces.
"""
from __future__ import annotations

import datetime as dt
import html
import math
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator
from xml.sax.saxutils import quoteattr

from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, to_excel

from .book_patch import REL_ID, REL_NS, SHEET_ID, WS_CT, WS_TYPE, package_names
from .import_log import COLUMNS, TITLE, WIDTHS, header as log_header, is_log_sheet
from .schema import header_aliases, norm_header
from .sheet_marks import sheet_parts
from .status_patch import Unpatchable
from .style_patch import Styles, attr, check_root
from .zip_copy import copy_raw, stored_bytes

HEADER_SEARCH_ROWS = 10
LOG_PROTECTION = ('<sheetProtection sheet="1" objects="0" scenarios="0" formatCells="1" formatColumns="1" formatRows="1" '
                  'insertColumns="1" insertRows="1" insertHyperlinks="1" deleteColumns="1" deleteRows="1" '
                  'selectLockedCells="0" selectUnlockedCells="0" sort="1" autoFilter="1" pivotTables="1"/>')
TABLE_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"

_SHEET_DATA = re.compile(rb"<sheetData\b[^>]*?(/?)>")
_ROW_OPEN = re.compile(rb"<row\b([^>]*?)(/?)>")
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ROW_R = re.compile(rb'\br="(\d+)"')
_CELL_R = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_CELL_S = re.compile(rb'\bs="(\d+)"')
_CELL_T = re.compile(rb'\bt="(\w+)"')
_FORMULA = re.compile(rb"<f[\s/>]")
_FORMULA_TEXT = re.compile(rb"<f\b[^>]*>([^<]*)</f>")
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_INLINE = re.compile(rb"<is>(.*?)</is>", re.S)
_PHONETIC = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_TEXT = re.compile(rb"<t(?:\s[^>]*)?>([^<]*)</t>")
_DIMENSION = re.compile(rb'(<dimension\b[^>]*?\bref=")([^"]*)(")')
_COL = re.compile(rb"<col\b[^>]*>")
_MERGE = re.compile(rb"<mergeCell\b")
_SQREF = re.compile(rb'(<(?:dataValidation|conditionalFormatting)\b[^>]*?\bsqref=")([^"]*)(")|(<xm:sqref>)([^<]*)(</xm:sqref>)')
_DATE1904 = re.compile(rb'<workbookPr\b[^>]*\bdate1904="(?:1|true)"')
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")


def _unescape(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8"))


def _escape(text: str) -> str:
    """Text content as lxml (openpyxl's writer) escapes it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


# ------------------------------------------------------------------ reading
class SharedStrings:
    """The shared-string table, parsed only as far as a cell asks."""

    _ITEM = re.compile(rb"<si\b[^>]*/>|<si\b[^>]*>(.*?)</si>", re.S)

    def __init__(self, zf: zipfile.ZipFile, names: set[str]):
        self._zf, self._names = zf, names
        self._items: list[str] | None = None
        self._iter = None

    def __getitem__(self, i: int) -> str:
        if self._items is None:
            self._items = []
            part = "xl/sharedStrings.xml"
            data = self._zf.read(part) if part in self._names else b""
            self._iter = self._ITEM.finditer(data)
        while len(self._items) <= i:
            m = next(self._iter, None)
            if m is None:
                raise Unpatchable(f"shared string {i} missing")
            body = _PHONETIC.sub(b"", m.group(1) or b"")
            self._items.append("".join(_unescape(t) for t in _TEXT.findall(body)))
        return self._items[i]


@dataclass
class Cell:
    col: int
    style: int | None  # the ``s`` index; None when the cell has none
    attrs: bytes
    body: bytes
    raw: bytes = b""  # the element as found

    def value(self, sst: SharedStrings) -> Any:
        """What openpyxl reads as the cell's value (formulas as their "=..." text)."""
        body = self.body
        if not body:
            return None
        if _FORMULA.search(body):
            f = _FORMULA_TEXT.search(body)
            return "=" + (_unescape(f.group(1)) if f else "")
        t = _CELL_T.search(self.attrs)
        kind = t.group(1) if t else b"n"
        if kind == b"inlineStr":
            m = _INLINE.search(body)
            return None if m is None else "".join(_unescape(x) for x in _TEXT.findall(_PHONETIC.sub(b"", m.group(1))))
        v = _VALUE.search(body)
        if v is None or (kind == b"n" and not v.group(1).strip()):
            return None
        if kind == b"s":
            return sst[int(v.group(1))]
        if kind == b"b":
            return v.group(1).strip() in (b"1", b"true")
        return _unescape(v.group(1))  # numbers, errors, formula strings: only ever tested for blankness or matched as text


def _cells(body: bytes, row: int) -> dict[int, Cell]:
    out = {}
    for m in _CELL.finditer(body):
        attrs = m.group(1)
        ref = _CELL_R.search(attrs)
        if ref is None or int(ref.group(2)) != row:
            raise Unpatchable(f"a cell in row {row} without its reference")
        col = 0
        for ch in ref.group(1):
            col = col * 26 + ch - 64
        s = _CELL_S.search(attrs)
        out[col] = Cell(col, int(s.group(1)) if s else None, attrs, m.group(2) or b"", m.group(0))
    return out


@dataclass
class SheetXml:
    """One worksheet part, located: where its rows start and end."""

    xml: bytes
    start: int  # first byte inside <sheetData>
    end: int  # where new rows go (the ``</sheetData>`` offset)
    empty: bool  # written as <sheetData/>

    @classmethod
    def of(cls, xml: bytes, what: str) -> "SheetXml":
        check_root(xml, what)
        m = _SHEET_DATA.search(xml)
        if m is None:
            raise Unpatchable(f"{what}: no sheetData")
        if m.group(1):
            return cls(xml, m.end(), m.end(), True)
        end = xml.find(b"</sheetData>", m.end())
        if end < 0:
            raise Unpatchable(f"{what}: sheetData not closed")
        return cls(xml, m.end(), end, False)

    def _row_at(self, m: re.Match) -> tuple[int, bytes]:
        r = _ROW_R.search(m.group(1))
        if r is None:
            raise Unpatchable("a row without its reference")
        if m.group(2):
            return int(r.group(1)), b""
        close = self.xml.find(b"</row>", m.end(), self.end)
        if close < 0:
            raise Unpatchable("a row not closed")
        return int(r.group(1)), self.xml[m.end():close]

    def head(self, rows: int) -> dict[int, dict[int, Cell]]:
        """Cells of the first ``rows`` rows, by row and column."""
        out = {}
        for m in _ROW_OPEN.finditer(self.xml, self.start, self.end):
            r, body = self._row_at(m)
            if r > rows:
                break
            out[r] = _cells(body, r)
        return out

    def rows_back(self) -> Iterator[Row]:
        """Row elements from the last one up."""
        pos = self.end
        while True:
            pos = self.xml.rfind(b"<row", self.start, pos)
            if pos < 0:
                return
            m = _ROW_OPEN.match(self.xml, pos)
            if m is None:
                continue
            r, body = self._row_at(m)
            end = m.end() if m.group(2) else m.end() + len(body) + len(b"</row>")
            yield Row(r, m.group(0), _cells(body, r), body, pos, end)

    def split(self, is_data: Callable[[Row], bool], floor: int) -> tuple[Row | None, list[Row]]:
        """The last row below ``floor`` holding data, and the rows after it (formatting, notes), in order."""
        after: list[Row] = []
        for row in self.rows_back():
            if row.r <= floor:
                break
            if is_data(row):
                return row, after[::-1]
            after.append(row)
        return None, after[::-1]

    def splice(self, at: int, rows: bytes, dimension: tuple[int, int, int]) -> tuple[bytes, bytes]:
        """(the part up to and including the rebuilt rows from offset ``at``, the part after ``</sheetData>``)."""
        if self.empty:  # <sheetData/> -> <sheetData>rows</sheetData>
            head, tail = self.xml[:self.start - 2] + b">", b"</sheetData>" + self.xml[self.start:]
        else:
            head, tail = self.xml[:at], self.xml[self.end:]
        return _grow_dimension(head, *dimension) + rows, tail


@dataclass
class Row:
    r: int
    tag: bytes  # the opening tag
    cells: dict[int, Cell]
    body: bytes
    start: int  # the element's span in the sheet XML
    end: int


def _merge(sheet: SheetXml, last: int, after: list[Row], new: list[dict[int, Any]],
           style: Callable[[int, int, Cell | None], int | None], epoch) -> tuple[bytes, int]:
    """Rows ``last+1``... with the new values, merged into the row elements already there.

    openpyxl writes a value into an existing (styled, empty) cell and keeps the
    row's height and its other cells; so does this. ``style(n, j, existing)``
    gives the style of the cell written at row ``n``, column ``j``. Returns the
    rebuilt rows (up to the untouched rest) and the new last row.
    """
    existing = {row.r: row for row in after}
    out = []
    n = last
    for values in new:
        n += 1
        old = existing.get(n)
        cells: dict[int, str | bytes] = {j: c.raw for j, c in old.cells.items()} if old else {}
        for j in sorted(values):
            if values[j] is not None:
                cells[j] = cell_xml(f"{get_column_letter(j)}{n}", values[j], style(n, j, old.cells.get(j) if old else None), epoch)
        if not cells:
            continue
        tag = re.sub(rb'\sspans="[^"]*"', b"", old.tag).decode("utf-8") if old else f'<row r="{n}">'
        if tag.endswith("/>"):
            tag = tag[:-2].rstrip() + ">"
        out.append(tag + "".join(c if isinstance(c, str) else c.decode("utf-8") for _, c in sorted(cells.items())) + "</row>")
    rest = next((row.start for row in after if row.r > n), sheet.end)
    return "".join(out).encode("utf-8") + sheet.xml[rest:sheet.end], n


def _grow_dimension(head: bytes, c1: int, c2: int, r2: int) -> bytes:
    m = _DIMENSION.search(head)
    if m is None:
        return head  # optional element: readers compute the extent themselves
    try:
        a, b, c, d = range_boundaries(m.group(2).decode())
    except (ValueError, TypeError):
        raise Unpatchable("unreadable dimension") from None
    if None in (a, b, c, d):
        return head
    ref = f"{get_column_letter(min(a, c1))}{b}:{get_column_letter(max(c, c2))}{max(d, r2)}".encode()
    return head[:m.start(2)] + ref + head[m.end(2):]


# ------------------------------------------------------------- cell writing
def cell_xml(ref: str, value: Any, style: int | None, epoch) -> str:
    """One cell as openpyxl writes it (``cell/_writer.py``): inline strings, ``%.16g`` numbers, dates as serials."""
    s = f' s="{style}"' if style is not None else ""
    if isinstance(value, str):
        if _ILLEGAL.search(value):
            raise Unpatchable("control character in text")
        if value == "":
            return f'<c r="{ref}"{s} t="inlineStr"/>'
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'
    if isinstance(value, bool):
        raise Unpatchable("a bool value")  # the importer writes Y/N text
    if isinstance(value, dt.date):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            raise Unpatchable("a datetime with a time zone")
        value = to_excel(value, epoch)
    elif not isinstance(value, (int, float)):
        raise Unpatchable(f"a {type(value).__name__} value")
    if isinstance(value, float) and not math.isfinite(value):
        raise Unpatchable("a non-finite number")
    return f'<c r="{ref}"{s} t="n"><v>{safe_string(value)}</v></c>'


def grow_sqref(sqref: str, header: int, last: int, n: int, used: set[int]) -> str:
    """Ranges of a validation or conditional format that end at the old last data row, stretched to row ``n``.

    Excel grows them this way when a Table gains rows; ranges reaching further
    (a template's ``A2:A20000``) or elsewhere are left as they are.
    """
    if n <= last or last <= header:
        return sqref
    out = []
    for part in sqref.split():
        try:
            c1, r1, c2, r2 = range_boundaries(part)
        except (ValueError, TypeError):
            out.append(part)
            continue
        if None not in (c1, r1, c2, r2) and r2 == last and r1 <= last and any(c1 <= j <= c2 for j in used):
            part = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{n}"
        out.append(part)
    return " ".join(out)


def _grow_ranges(tail: bytes, header: int, last: int, n: int, used: set[int]) -> bytes:
    def sub(m: re.Match) -> bytes:
        i = 1 if m.group(1) is not None else 4
        old = m.group(i + 1).decode()
        return m.group(i) + grow_sqref(old, header, last, n, used).encode() + m.group(i + 2)
    return _SQREF.sub(sub, tail)


# ------------------------------------------------------------- input sheets
@dataclass
class SheetRows:
    """Rows for one input sheet: values by 1-based column, as ``importer.excel_value`` makes them."""

    title: str
    aliases: dict[int, set[str]]  # 1-based column -> header spellings (finds the header row)
    rows: list[dict[int, Any]] = field(default_factory=list)


@dataclass
class Appended:
    xml: bytes
    header: int
    last: int
    n: int  # the new last row
    used: set[int]


def _header_row(head: dict[int, dict[int, Cell]], aliases: dict[int, set[str]], sst: SharedStrings) -> int:
    """As ``importer._header_row``: the first of rows 1-10 matching the most headers (row 1 when none does)."""
    best, hits = 1, -1
    for r in range(1, HEADER_SEARCH_ROWS + 1):
        cells = head.get(r, {})
        n = sum(1 for j, a in aliases.items() if (c := cells.get(j)) is not None and norm_header(c.value(sst)) in a)
        if n > hits:
            best, hits = r, n
    return best


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _column_styles(xml: bytes, end: int) -> list[tuple[int, int, int]]:
    """(min, max, style) of each ``<col>`` carrying a style."""
    out = []
    cols_at = xml.find(b"<cols", 0, end)
    if cols_at < 0:
        return out
    for tag in _COL.findall(xml, cols_at, xml.find(b"</cols>", cols_at)):
        lo, hi, s = attr(tag, b"min"), attr(tag, b"max"), attr(tag, b"style")
        if lo and hi and s:
            out.append((int(lo), int(hi), int(s)))
    return out


def append_to_sheet(xml: bytes, rows: SheetRows, styles: Styles, sst: SharedStrings, epoch) -> Appended:
    sheet = SheetXml.of(xml, rows.title)
    if _MERGE.search(xml, sheet.end):
        raise Unpatchable(f"{rows.title}: merged cells")
    used = set(rows.aliases)
    header = _header_row(sheet.head(HEADER_SEARCH_ROWS), rows.aliases, sst)
    found, after = sheet.split(lambda row: any(not _blank(c.value(sst)) for j, c in row.cells.items() if j in used), header)
    last = header
    if found is not None:
        if _FORMULA.search(found.body):
            raise Unpatchable(f"{rows.title}: formulas in the last data row {found.r}")
        last = found.r
    col_styles = _column_styles(xml, sheet.start)
    # the style of each cell as it stands after writing, row by row: what openpyxl's ``_style_like`` copies
    now: dict[int, dict[int, int | None]] = {r.r: {j: 0 if c.style is None else c.style for j, c in r.cells.items()} for r in after}
    if found is not None:
        now[last] = {j: 0 if c.style is None else c.style for j, c in found.cells.items()}  # no ``s``: xf 0

    def style(n: int, j: int, old: Cell | None) -> int | None:
        src = now.get(n - 1, {}).get(j, -1) if n - 1 > header else -1  # -1: no cell above
        if src != -1 and styles.has_style(src):
            s = src
        else:
            cs = next((s for lo, hi, s in col_styles if lo <= j <= hi), None)
            s = cs if styles.has_style(cs) else (old.style if old is not None else None)
        v = rows.rows[n - last - 1][j]
        if isinstance(v, dt.date) and styles.number_format(s) in ("@", "General"):
            s = styles.dated(s)
        now.setdefault(n, {})[j] = s
        return s

    at = after[0].start if after else sheet.end
    merged, n = _merge(sheet, last, after, rows.rows, style, epoch)
    head, tail = sheet.splice(at, merged, (min(used), max(used), n))
    tail = _grow_ranges(tail, header, last, n, used)
    return Appended(head + tail, header, last, n, used)


def grow_table(xml: bytes, app: Appended) -> bytes | None:
    """As ``importer._grow``: a Table starting at the header row and covering a written column reaches row ``n``."""
    check_root(xml, "table")
    root = re.search(rb"<table\b[^>]*>", xml)
    ref = attr(root.group(0), b"ref")
    if ref is None:
        raise Unpatchable("a table without ref")
    if int(attr(root.group(0), b"totalsRowCount") or b"0"):
        raise Unpatchable("a table with a totals row")
    c1, r1, c2, r2 = range_boundaries(ref.decode())
    if r1 != app.header or not (app.used & set(range(c1, c2 + 1))) or app.n <= app.last or r2 >= app.n:
        return None
    new = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{app.n}".encode()
    tag = re.sub(rb'(\sref=")[^"]*(")', lambda m: m.group(1) + new + m.group(2), root.group(0), count=1)
    xml = xml[:root.start()] + tag + xml[root.end():]
    af = re.search(rb'(<autoFilter\b[^>]*?\bref=")([^"]*)(")', xml)
    if af:
        xml = xml[:af.start(2)] + new + xml[af.end(2):]
    return xml


def _table_parts(zf: zipfile.ZipFile, part: str, names: set[str]) -> list[str]:
    folder, name = posixpath.split(part)
    rels = f"{folder}/_rels/{name}.rels"
    if rels not in names:
        return []
    out = []
    for tag in re.findall(rb"<Relationship\b[^>]*>", zf.read(rels)):
        if attr(tag, b"Type") == TABLE_TYPE.encode() and attr(tag, b"TargetMode") != b"External":
            target = html.unescape(attr(tag, b"Target").decode())
            out.append(target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target)))
    missing = [p for p in out if p not in names]
    if missing:
        raise Unpatchable(f"table part missing: {missing}")
    return out


# ---------------------------------------------------------------- Imports log
def _log_columns(cells: dict[int, Cell], sst: SharedStrings) -> dict[str, int]:
    cols: dict[str, int] = {}
    for j in sorted(cells):
        v = cells[j].value(sst)
        for key, label in COLUMNS:
            if v is not None and norm_header(v) in header_aliases(key, label):
                cols.setdefault(key, j)
    return cols


def append_log(xml: bytes, records: list[list], sst: SharedStrings, epoch) -> bytes:
    """The Imports sheet with one row per record, as ``import_log.append_log`` adds them."""
    sheet = SheetXml.of(xml, TITLE)
    cols = _log_columns(sheet.head(1).get(1, {}), sst)
    missing = [key for key, _ in COLUMNS if key not in cols]
    if missing:
        raise Unpatchable(f"Imports sheet lacks columns {missing}")
    found, after = sheet.split(lambda row: any(c.value(sst) not in (None, "") for c in row.cells.values()), 0)
    last = found.r if found is not None else 1
    new = [{cols[key]: v for (key, _), v in zip(COLUMNS, rec)} for rec in records]
    at = after[0].start if after else sheet.end
    merged, n = _merge(sheet, last, after, new, lambda n, j, old: old.style if old is not None else None, epoch)
    head, tail = sheet.splice(at, merged, (min(cols.values()), max(cols.values()), n))
    return head + tail


def new_log_sheet(records: list[list], header_style: int, epoch) -> bytes:
    """A new protected Imports sheet, as ``import_log.append_log`` creates it."""
    width = len(COLUMNS)
    rows = ['<row r="1">' + "".join(cell_xml(f"{get_column_letter(j)}1", log_header(key), header_style, epoch)
                                    for j, (key, _) in enumerate(COLUMNS, start=1)) + "</row>"]
    for r, rec in enumerate(records, start=2):
        rows.append(f'<row r="{r}">' + "".join(cell_xml(f"{get_column_letter(j)}{r}", v, None, epoch)
                                              for j, v in enumerate(rec, start=1) if v is not None) + "</row>")
    cols = "".join(f'<col min="{j}" max="{j}" width="{WIDTHS.get(key, 14)}" customWidth="1"/>' for j, (key, _) in enumerate(COLUMNS, start=1))
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return (f'<worksheet xmlns="{main}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1"/><pageSetUpPr/></sheetPr>'
            f'<dimension ref="A1:{get_column_letter(width)}{len(records) + 1}"/>'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/></sheetView></sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
            f'<cols>{cols}</cols><sheetData>{"".join(rows)}</sheetData>{LOG_PROTECTION}'
            '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>').encode("utf-8")


def _register(workbook: bytes, rels: bytes, types: bytes, title: str, part: str) -> tuple[bytes, bytes, bytes]:
    """A new sheet at the end of the workbook (as openpyxl's ``create_sheet``), its relationship and content type."""
    for data, end in ((workbook, b"</sheets>"), (rels, b"</Relationships>"), (types, b"</Types>")):
        if end not in data:
            raise Unpatchable(f"no {end.decode()} to register a sheet")
    sheet_id = max((int(i) for i in SHEET_ID.findall(workbook)), default=0) + 1
    taken = set(REL_ID.findall(rels))
    rid = next(f"rIdBB{k}" for k in range(1, 10_000) if f"rIdBB{k}".encode() not in taken)
    workbook = workbook.replace(b"</sheets>", f'<sheet xmlns:r="{REL_NS}" name={quoteattr(title[:31])} sheetId="{sheet_id}" r:id="{rid}"/></sheets>'.encode("utf-8"), 1)
    rels = rels.replace(b"</Relationships>", f'<Relationship Id="{rid}" Type="{WS_TYPE}" Target="/{part}"/></Relationships>'.encode(), 1)
    types = types.replace(b"</Types>", f'<Override PartName="/{part}" ContentType="{WS_CT}"/></Types>'.encode(), 1)
    return workbook, rels, types


# ------------------------------------------------------------------ package
def raw_member(fh, info: zipfile.ZipInfo) -> bytes:
    """A member's compressed bytes as stored, read from the open file ``fh`` (the read-back compares them)."""
    try:
        return stored_bytes(fh, info)
    except ValueError as e:
        raise Unpatchable(f"{info.filename}: {e}") from e


@dataclass
class Patched:
    """What the patch wrote, for the read-back: parts copied as they were, and the rest."""

    copied: dict[str, tuple[int, int]] = field(default_factory=dict)  # part -> (CRC-32, size) in the source
    raw: set[str] = field(default_factory=set)  # copied parts whose compressed bytes were copied too
    written: dict[str, int] = field(default_factory=dict)  # part -> CRC-32 of the new bytes
    xml_parts: list[str] = field(default_factory=list)  # small rewritten parts that must parse as XML


def patch_import(src: Path, dst: Path, sheets: list[SheetRows], log_records: list[list]) -> Patched:
    """Write ``src`` to ``dst`` with the rows appended and the Imports sheet updated; everything else copied."""
    with zipfile.ZipFile(src) as zin:
        names = package_names(zin)
        workbook = zin.read("xl/workbook.xml")
        epoch = MAC_EPOCH if _DATE1904.search(workbook) else WINDOWS_EPOCH
        parts = sheet_parts(zin)
        styles = Styles(zin.read("xl/styles.xml"))
        sst = SharedStrings(zin, names)
        replaced: dict[str, bytes] = {}
        small: list[str] = []
        for rows in sheets:
            part = parts.get(rows.title)
            if part is None or part not in names or part in replaced:
                raise Unpatchable(f"sheet part of {rows.title}")
            app = append_to_sheet(zin.read(part), rows, styles, sst, epoch)
            replaced[part] = app.xml
            for table in _table_parts(zin, part, names):
                grown = grow_table(zin.read(table), app)
                if grown is not None:
                    replaced[table] = grown
                    small.append(table)
        added: list[tuple[str, bytes]] = []
        log_title = next((t for t in parts if is_log_sheet(t)), None)
        if log_title is not None:
            part = parts[log_title]
            if part not in names or part in replaced:
                raise Unpatchable("Imports sheet part")
            replaced[part] = append_log(zin.read(part), log_records, sst, epoch)
            small.append(part)
        else:
            n = 1
            while f"xl/worksheets/bonusbook_imports{n}.xml" in names:
                n += 1
            part = f"xl/worksheets/bonusbook_imports{n}.xml"
            rels, types = zin.read("xl/_rels/workbook.xml.rels"), zin.read("[Content_Types].xml")
            workbook, rels, types = _register(workbook, rels, types, TITLE, part)
            replaced.update({"xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types})
            added.append((part, new_log_sheet(log_records, styles.header(), epoch)))
            small += ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", part]
        if styles.changed:
            styles.check()
            replaced["xl/styles.xml"] = styles.xml
        out = Patched(xml_parts=small)
        with zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
            for info in zin.infolist():
                data = replaced.get(info.filename)
                if data is not None:
                    zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
                    out.written[info.filename] = zlib.crc32(data)
                    continue
                out.copied[info.filename] = (info.CRC, info.file_size)
                try:
                    copy_raw(zin, info, zout)  # the stored bytes: no inflating and deflating 100 MB of deals
                    out.raw.add(info.filename)
                except ValueError:
                    zout.writestr(info, zin.read(info.filename), compress_type=info.compress_type)
            for part, data in added:
                zout.writestr(part, data)
                out.written[part] = zlib.crc32(data)
    return out
