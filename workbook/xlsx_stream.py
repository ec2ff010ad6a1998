"""A minimal streaming .xlsx writer for large output tables.

xlsxwriter spends ~15 µs per cell in Python; a quarter's Results sheet has
hundreds of thousands of cells. This writer emits the sheet XML directly, a
chunk of rows per joined string, with a bold header, a ``0.00`` money format,
frozen header row and sheet protection. Text is inline, except that a results
workbook keeps the texts of repeating columns in a shared-strings table
(``SharedStrings``); patched into a user's book (``book_patch``), text stays
inline so the book's own table is never touched. It writes values only: text
is always a string cell, never a formula.
"""
from __future__ import annotations

import queue
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{sheets}</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/><xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""
SHEET_HEAD = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"{tab}><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"""


@dataclass(frozen=True)
class SheetData:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    money_columns: frozenset[int] = frozenset()
    protect: bool = True
    widths: Sequence[float] = ()  # column widths in Excel units; empty: Excel's default
    links: dict[tuple[int, int], str] | None = None  # (row0, col0) -> internal target like "'Deals'!F12"
    xml: Iterable[str | bytes] | None = None  # the worksheet's XML, made ahead with the book's shared strings (``writer.prerender``)


@dataclass(frozen=True)
class Styles:
    """Style ids (``cellXfs`` indexes) of the header and money cells in the target workbook."""
    header: str = "1"
    money: str = "2"


def _t(v: str) -> str:
    """A text's ``<t>`` element: escaped, characters XML cannot hold dropped, edge spaces kept."""
    if _NEEDS_ESCAPE.search(v):
        v = escape(_BAD_XML.sub("", v))
    if v and (v[0].isspace() or v[-1].isspace()):
        return f'<t xml:space="preserve">{v}</t>'
    return f"<t>{v}</t>"


def _text(v: str) -> str:
    return f'<c t="inlineStr"><is>{_t(v)}</is></c>'


class SharedStrings:
    """The texts of repeating columns, stored once per workbook and referred to by number.

    Excel's own form for text: a results book's names, statuses and criteria
    repeat hundreds of thousands of times, and a reference is about half the
    XML of an inline string, so there is less to build, compress and open.
    Numbered in order of first use, so the same tables give the same file.
    """

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def cell(self, v: str) -> str:
        return f'<c t="s"><v>{self.numbers.setdefault(v, len(self.numbers))}</v></c>'

    def xml(self):
        yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="{len(self.numbers)}">')
        texts = list(self.numbers)
        for i in range(0, len(texts), CHUNK_ROWS):
            yield "".join(f"<si>{_t(v)}</si>" for v in texts[i:i + CHUNK_ROWS])
        yield "</sst>"


def _cell(v, money: str | None) -> str:
    if v is None or v == "":
        return "<c/>"
    cls = v.__class__
    if cls is str:
        return _text(v)
    if cls is bool:
        return f'<c t="b"><v>{int(v)}</v></c>'
    if cls is Decimal:
        return f'<c s="{money}"><v>{v:f}</v></c>' if money else f"<c><v>{v:f}</v></c>"
    if cls is int or cls is float:
        return f'<c s="{money}"><v>{v!r}</v></c>' if money else f"<c><v>{v!r}</v></c>"
    return _text(str(v))


def _col_letters(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


CHUNK_ROWS = 5000


_TEXTUAL = frozenset({str, type(None)})  # a text (or None) never equals a value of another type


def _column_cells(col: Sequence, money: str | None, strings: SharedStrings | None = None) -> list[str]:
    """The cell XML of one column (a chunk of rows), column-wise for speed.

    A column of plain text (no character to escape, no edge spaces) or of plain
    numbers, the usual case, is converted by one comprehension; a text column
    that repeats itself is converted once per distinct value and mapped back,
    into references to ``strings`` when given; anything else goes cell by cell
    through ``_cell``.
    """
    distinct = None
    if col and col[0].__class__ in _TEXTUAL:  # a text column, the usual case: its types are those of its distinct values
        distinct = dict.fromkeys(col)
        kinds = set(map(type, distinct))
        if not kinds <= _TEXTUAL:  # a key may stand for equal values of other types (1, 1.0 and True): look at every cell
            kinds = set(map(type, col))
    else:
        kinds = set(map(type, col))
    if kinds <= {str, int, type(None)} and len(col) > 64:  # (no two of these types hold equal values: bool is left out)
        if distinct is None:
            distinct = dict.fromkeys(col)
        if 2 * len(distinct) < len(col):  # names, statuses, criteria, years: each distinct cell is built once
            if strings is not None and kinds <= _TEXTUAL:
                table = {v: strings.cell(v) if v else "<c/>" for v in distinct}
            else:
                table = dict(zip(distinct, _column_cells(tuple(distinct), money)))
            return list(map(table.__getitem__, col))
    if kinds <= {str}:
        joined = "\n".join(col)
        if joined.count("\n") == len(col) - 1 and not _BAD_XML.search(joined):  # no newline or illegal character inside a value
            if "&" in joined or "<" in joined or ">" in joined:
                col = joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").split("\n")
            if list(map(str.strip, col)) == list(col):
                return [f'<c t="inlineStr"><is><t>{v}</t></is></c>' if v else "<c/>" for v in col]
            return [(f'<c t="inlineStr"><is><t xml:space="preserve">{v}</t></is></c>' if v[0].isspace() or v[-1].isspace()
                     else f'<c t="inlineStr"><is><t>{v}</t></is></c>') if v else "<c/>" for v in col]
    elif kinds <= {Decimal, type(None)}:
        if money:
            return [f'<c s="{money}"><v>{v:f}</v></c>' if v is not None else "<c/>" for v in col]
        return [f"<c><v>{v:f}</v></c>" if v is not None else "<c/>" for v in col]
    return [_cell(v, money) if v.__class__ is not str else (_text(v) if v else "<c/>") for v in col]


def sheet_xml(sheet: SheetData, styles: Styles = Styles(), first: bool = False, strings: SharedStrings | None = None):
    """The worksheet XML of one output table, in chunks of text; repeating texts go to ``strings`` when given."""
    yield SHEET_HEAD.format(tab=' tabSelected="1"' if first else "")
    if sheet.widths:
        yield "<cols>" + "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>' for i, w in enumerate(sheet.widths, start=1)) + "</cols>"
    yield "<sheetData>"
    head = "".join(f'<c s="{styles.header}" t="inlineStr"><is><t>{escape(str(h))}</t></is></c>' for h in sheet.header)
    yield f"<row>{head}</row>"
    width = len(sheet.header)
    money_cols = sheet.money_columns
    rows = iter(sheet.rows)
    while True:
        chunk = list(islice(rows, CHUNK_ROWS))
        if not chunk:
            break
        n = max(width, max(len(r) for r in chunk))
        padded = chunk if all(len(r) == n for r in chunk) else [tuple(r) + (None,) * (n - len(r)) for r in chunk]
        if not n:  # no header and empty rows: nothing to write
            continue
        # The chunk as one flat list, row after row: <row>, its cells, </row>. Each column's
        # cells go in by one slice assignment, so the chunk is one join.
        stride = n + 2
        flat = ["<row>", *([None] * n), "</row>"] * len(chunk)
        for i, values in enumerate(zip(*padded)):
            flat[i + 1::stride] = _column_cells(values, styles.money if i in money_cols else None, strings)
        yield "".join(flat)
    yield "</sheetData>"
    if sheet.protect:
        yield '<sheetProtection sheet="1" objects="1" scenarios="1"/>'
    if sheet.links:
        yield "<hyperlinks>" + "".join(
            f"<hyperlink ref=\"{_col_letters(c)}{r + 1}\" location={quoteattr(target)}/>" for (r, c), target in sorted(sheet.links.items())
        ) + "</hyperlinks>"
    yield "</worksheet>"


def write_xlsx(path: str | Path, sheets: Sequence[SheetData], strings: SharedStrings | None = None) -> None:
    """Write the sheets to ``path`` (the caller makes it atomic).

    Sheets whose XML was made ahead (``xml``) numbered their texts in
    ``strings`` first, and the others go on filling it. Their parts come first
    in the package, so the compressing thread works on them while the rest is
    built; the workbook lists the sheets in the order given either way.
    """
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                            for i in range(1, len(sheets) + 1))
        overrides += '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        zf.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheets=overrides))
        zf.writestr("_rels/.rels", ROOT_RELS)
        entries = "".join(f"<sheet name={quoteattr(s.title[:31])} sheetId=\"{i}\" r:id=\"rId{i}\"/>" for i, s in enumerate(sheets, start=1))
        zf.writestr("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                    f"<sheets>{entries}</sheets></workbook>")
        rels = "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, len(sheets) + 1))
        styles_id = len(sheets) + 1
        zf.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    f'{rels}<Relationship Id="rId{styles_id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
                    f'<Relationship Id="rId{styles_id + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        zf.writestr("xl/styles.xml", STYLES)
        strings = strings if strings is not None else SharedStrings()
        ready = [(f"xl/worksheets/sheet{i}.xml", sheet.xml) for i, sheet in enumerate(sheets, start=1) if sheet.xml is not None]
        if sheets and sheets[0].xml is not None:
            raise ValueError("the first sheet is the selected one: it is never begun ahead")
        parts = [(f"xl/worksheets/sheet{i}.xml", sheet_xml(sheet, first=i == 1, strings=strings))
                 for i, sheet in enumerate(sheets, start=1) if sheet.xml is None]
        deflate_alongside(zf, ready + parts + [("xl/sharedStrings.xml", strings.xml())])  # generators: the table is written after the sheets that fill it


BLOCK_BYTES = 8 << 20  # few, large hand-overs: each one costs a GIL switch (up to 5 ms) on a busy main thread


def deflate_alongside(zf: zipfile.ZipFile, parts: Iterable[tuple[str, Iterable[str | bytes]]]) -> None:
    """Write each part's text chunks (or UTF-8 bytes) into ``zf``, compressing in a second thread.

    zlib releases the GIL while it deflates, so on two cores the compression of
    one block overlaps building the XML of the next. The queue is bounded, so
    memory stays at a few blocks of ``BLOCK_BYTES``; an error on either side
    stops both and is raised here.
    """
    chunks: queue.Queue = queue.Queue(maxsize=4)

    def drain() -> None:
        fh = None
        while (item := chunks.get()) is not None:
            name, data = item
            if name is not None:
                if fh is not None:
                    fh.close()
                fh = zf.open(name, "w", force_zip64=True)
            else:
                fh.write(data)
        if fh is not None:
            fh.close()

    with ThreadPoolExecutor(1) as pool:
        done = pool.submit(drain)

        def put(item) -> None:
            while True:
                try:
                    chunks.put(item, timeout=0.05)
                    return
                except queue.Full:
                    if done.done():
                        done.result()  # the writer failed: raise its error here
                        raise RuntimeError("xlsx writer stopped")

        try:
            for name, texts in parts:
                put((name, None))
                block: list[bytes] = []
                size = 0
                for text in texts:
                    block.append(text if text.__class__ is bytes else text.encode("utf-8"))
                    size += len(block[-1])
                    if size >= BLOCK_BYTES:
                        put((None, b"".join(block)))
                        block, size = [], 0
                if block:
                    put((None, b"".join(block)))
        finally:
            if not done.done():
                put(None)
        done.result()
