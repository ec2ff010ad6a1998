"""Write output sheets: into the user's workbook, or into a separate results file.

Into the book: openpyxl loads it with formulas intact (never ``data_only``) and
VBA kept for ``.xlsm``, replaces only the output sheets, and saves atomically,
so the user's inputs, formulas and macros survive. A separate results workbook
is streamed by ``xlsx_stream``, which is much faster for large quarters.
Text is always written as text, so a value like ``=HYPERLINK(...)`` stays inert.
"""
from __future__ import annotations

import dataclasses
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterator, Sequence

import python_calamine as pc
from defusedxml import ElementTree as DET

from .atomic import write_with
from .book_patch import output_sheet, patch_outputs
from .outputs import as_cell
from .reader import is_output_sheet
from .schema import OUTPUT_SHEETS
from .sheet_marks import sheet_parts
from .status_patch import Unpatchable
from .xlsx_stream import SharedStrings, SheetData, sheet_xml, write_xlsx

Table = tuple[Sequence[str], list[tuple]]
HEAD_FILL_RGB = "DDEBF7"  # openpyxl is imported only on its (fallback) path: it costs 0.15 s to import
MONEY_COLUMNS = {"amount"}


class ForeignSheet(Exception):
    """A sheet bears an output sheet's title but holds someone's own data: never overwritten."""

    def __init__(self, titles: list[str]):
        super().__init__(titles)
        self.titles = titles
        self.message = (f"工作表 {'、'.join(titles)} 与计算的输出表同名，但不是本程序写出的（未保护且有内容）："
                        "计算会整表重写输出表，为免覆盖您的数据，未写入任何内容。请把这些工作表改名后再计算")


_PROTECTED = re.compile(rb'<sheetProtection\b[^>]*\bsheet="(?:1|true)"')
_VALUE = re.compile(rb"<v>|<is>|<v\s")


def foreign_output_sheets(path: Path) -> list[str]:
    """Output-titled sheets that the engine did not write: unprotected and holding a value.

    The template's output sheets and every sheet Calculate writes are protected,
    so an unprotected one with content is a user's sheet under a reserved name.
    """
    out = []
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        for title, part in sheet_parts(zf).items():
            if not is_output_sheet(title) or part not in names:
                continue
            xml = zf.read(part)
            if not _PROTECTED.search(xml) and _VALUE.search(xml):
                out.append(title)
    return out


def sheet_title(key: str) -> str:
    return f"{OUTPUT_SHEETS[key]} ({key})"


def write_into_book(path: str | Path, tables: dict[str, Table], out: str | Path | None = None) -> None:
    """Replace the output sheets of the book at ``path``; save to ``out`` or in place.

    The fast path patches the package (``book_patch``), keeping every other part
    byte for byte; a book laid out unexpectedly is rewritten through openpyxl.
    """
    path = Path(path)
    try:
        foreign = foreign_output_sheets(path)
    except (zipfile.BadZipFile, KeyError, DET.ParseError):
        foreign = []  # laid out unexpectedly: the openpyxl path below checks the protection itself
    if foreign:
        raise ForeignSheet(foreign)
    sheets = {key: _sheet_data(key, header, rows) for key, (header, rows) in tables.items()}

    def patch(tmp: Path) -> None:
        patch_outputs(path, tmp, sheets)
        _check_written(tmp, [s.title for s in sheets.values()])

    try:
        write_with(out or path, patch)
        return
    except (Unpatchable, zipfile.BadZipFile, KeyError, ValueError, pc.CalamineError, DET.ParseError):
        pass
    _write_with_openpyxl(path, tables, out)


def _sheet_data(key: str, header: Sequence[str], rows: list[tuple]) -> SheetData:
    money = frozenset(i for i, h in enumerate(header) if h in MONEY_COLUMNS)
    widths = [min(60, max(8, max(_shown_width(v) for v in [h] + [r[i] for r in rows[:200] if i < len(r)]) + 2)) for i, h in enumerate(header)]
    links = None
    if key == "Validation" and "sheet" in header and "cell" in header:
        sheet_col, cell_col = header.index("sheet"), header.index("cell")
        links = {(n, cell_col): f"'{r[sheet_col]}'!{str(r[cell_col]).split(':')[0]}" for n, r in enumerate(rows, start=1) if r[sheet_col] and r[cell_col]}
    return output_sheet(key, header, rows, money, widths, links)


def _check_written(tmp: Path, titles: list[str]) -> None:
    """Read the patched package back before it may replace the user's book."""
    with zipfile.ZipFile(tmp) as zf:  # the parts the patch edited must still be well-formed XML
        for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"):
            DET.fromstring(zf.read(part))
    names = set(pc.CalamineWorkbook.from_path(str(tmp)).sheet_names)
    missing = [t for t in titles if t[:31] not in names]
    if missing:
        raise Unpatchable(f"sheets missing after patch: {missing}")


def _write_with_openpyxl(path: Path, tables: dict[str, Table], out: str | Path | None) -> None:
    keep_vba = path.suffix.lower() == ".xlsm"
    import openpyxl

    wb = openpyxl.load_workbook(path, keep_vba=keep_vba)
    foreign = [ws.title for ws in wb.worksheets if is_output_sheet(ws.title) and not ws.protection.sheet
               and any(v not in (None, "") for row in ws.iter_rows(values_only=True) for v in row)]
    if foreign:
        raise ForeignSheet(foreign)
    for ws in list(wb.worksheets):
        keep = is_output_sheet(ws.title, "Status") and "Status" not in tables  # state and lock record stay
        if is_output_sheet(ws.title) and not keep:
            wb.remove(ws)
    for key, (header, rows) in tables.items():
        ws = wb.create_sheet(sheet_title(key))
        _fill_openpyxl(ws, header, rows, key)
    write_with(out or path, lambda tmp: wb.save(tmp))


def _fill_openpyxl(ws, header: Sequence[str], rows: list[tuple], key: str) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.append(list(header))
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor=HEAD_FILL_RGB)
    money_idx = [i for i, h in enumerate(header) if h in MONEY_COLUMNS]
    for row, r in enumerate(rows, start=2):  # never ws.max_row in a loop: it rescans every cell
        ws.append([as_cell(v) for v in r])
        for i, v in enumerate(r):
            if isinstance(v, str) and v:
                cell = ws.cell(row=row, column=i + 1)
                cell.value = v
                cell.data_type = "s"  # never a formula, whatever the text starts with
        for i in money_idx:
            ws.cell(row=row, column=i + 1).number_format = "0.00"
    if key == "Validation":
        sheet_col, cell_col = header.index("sheet"), header.index("cell")
        for n, r in enumerate(rows, start=2):
            if r[sheet_col] and r[cell_col]:
                target = str(r[cell_col]).split(":")[0]
                ws.cell(row=n, column=cell_col + 1).hyperlink = f"#'{r[sheet_col]}'!{target}"
    for i, h in enumerate(header):  # readable columns: as wide as the header or the first rows, at most 60
        sample = [h] + [r[i] for r in rows[:200] if i < len(r)]
        width = max(_shown_width(v) for v in sample)
        ws.column_dimensions[get_column_letter(i + 1)].width = min(60, max(8, width + 2))
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"  # printed: the header on every page
    ws.page_setup.orientation = "landscape"
    ws.protection.sheet = True  # output sheets are written by Calculate only


def _shown_width(v) -> int:
    """Roughly the Excel column width a value needs (CJK characters count double)."""
    if v is None:
        return 0
    text = f"{v:,.2f}" if isinstance(v, (Decimal, float)) else str(v)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# The output sheets that need no deal, in the order their texts are numbered. Calculate
# renders them while Deals is still loading (``prerender``), so a results book's
# shared strings always number these sheets' texts first, rendered ahead or not.
DEAL_FREE_SHEETS = ("Grades", "GradeDetail", "Coefficients")


@dataclass
class Prerendered:
    """Deal-free sheets' XML, as much as was made ahead, and the shared strings it numbered.

    Each sheet is the chunks rendered so far (UTF-8) and the rest of its
    rendering, suspended where it stopped; ``finish`` renders the rest in the
    same order, so the texts are numbered as if it had never stopped.
    """

    tables: dict[str, Table]  # the very tables it renders
    strings: SharedStrings
    done: dict[str, list[bytes]]  # sheet key -> the worksheet XML made so far
    rest: dict[str, Iterator[str]]  # sheet key -> the rest of it (``xlsx_stream.sheet_xml``, going on)

    def finish(self) -> dict[str, list[bytes]]:
        """Every sheet's whole XML, the rest rendered now, in ``DEAL_FREE_SHEETS`` order."""
        for key, chunks in self.rest.items():
            self.done[key].extend(text.encode("utf-8") for text in chunks)
        return self.done

    def made_from(self, tables: dict[str, Table]) -> bool:
        """Whether these are the deal-free sheets of ``tables``: the same tables, none missing."""
        return self.tables.keys() == {k for k in DEAL_FREE_SHEETS if k in tables} and all(tables[k] is t for k, t in self.tables.items())


def prerender(tables: dict[str, Table], ahead: Callable[[], bool] = lambda: False) -> Prerendered:
    """The deal-free sheets among ``tables``, in ``DEAL_FREE_SHEETS`` order, rendered chunk by
    chunk (5,000 rows) for as long as ``ahead()`` says there is time: while Deals is still loading,
    the main thread would otherwise wait. The remainder is rendered when the book is written."""
    strings = SharedStrings()
    chosen = {key: tables[key] for key in DEAL_FREE_SHEETS if key in tables}
    rest = {key: sheet_xml(_results_sheet(key, *table), strings=strings) for key, table in chosen.items()}
    done: dict[str, list[bytes]] = {key: [] for key in rest}
    for key, chunks in rest.items():
        while ahead():
            text = next(chunks, None)
            if text is None:
                break
            done[key].append(text.encode("utf-8"))
        else:
            break
    return Prerendered(chosen, strings, done, rest)


def write_results_book(out: str | Path, tables: dict[str, Table], ready: Prerendered | None = None) -> None:
    """A separate workbook holding only the output sheets, streamed (see xlsx_stream).

    ``ready``: the deal-free sheets as ``prerender`` began them from these same
    tables; without it they are rendered here, first, so their texts are
    numbered first either way and the file is the same.
    """
    first = next(iter(tables), None)
    if ready is None or not ready.made_from(tables) or first in ready.tables:
        ready = prerender({k: t for k, t in tables.items() if k != first})
    xml = ready.finish()
    sheets = [dataclasses.replace(_results_sheet(key, header, rows), xml=_handed_over(xml[key]) if key in xml else None)
              for key, (header, rows) in tables.items()]
    write_with(out, lambda tmp: write_xlsx(tmp, sheets, ready.strings))


def _handed_over(chunks: list[bytes]) -> Iterator[bytes]:
    """The chunks in order, each let go once it is handed over (42 MB of XML at a year end)."""
    chunks.reverse()
    while chunks:
        yield chunks.pop()


def _results_sheet(key: str, header: Sequence[str], rows: list[tuple]) -> SheetData:
    return SheetData(sheet_title(key), list(header), rows, frozenset(i for i, h in enumerate(header) if h in MONEY_COLUMNS))
