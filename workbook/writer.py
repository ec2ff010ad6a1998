"""Write output sheets: into the user's workbook, or into a separate results file.

Into the book: openpyxl loads it with formulas intact (never ``data_only``) and
VBA kept for ``.xlsm``, replaces only the output sheets, and saves atomically,
so the user's inputs, formulas and macros survive. A separate results workbook
is streamed by ``xlsx_stream``, which is much faster for large quarters.
Text is always written as text, so a value like ``=HYPERLINK(...)`` stays inert.
"""
from __future__ import annotations

import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Sequence

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .atomic import write_with
from .outputs import as_cell
from .reader import is_output_sheet
from .schema import OUTPUT_SHEETS
from .xlsx_stream import SheetData, write_xlsx

Table = tuple[Sequence[str], list[tuple]]
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
MONEY_COLUMNS = {"amount"}


def sheet_title(key: str) -> str:
    return f"{OUTPUT_SHEETS[key]} ({key})"


def write_into_book(path: str | Path, tables: dict[str, Table], out: str | Path | None = None) -> None:
    """Replace the output sheets of the book at ``path``; save to ``out`` or in place."""
    path = Path(path)
    keep_vba = path.suffix.lower() == ".xlsm"
    wb = openpyxl.load_workbook(path, keep_vba=keep_vba)
    for ws in list(wb.worksheets):
        keep = is_output_sheet(ws.title, "Status") and "Status" not in tables  # state and lock record stay
        if is_output_sheet(ws.title) and not keep:
            wb.remove(ws)
    for key, (header, rows) in tables.items():
        ws = wb.create_sheet(sheet_title(key))
        _fill_openpyxl(ws, header, rows, key)
    write_with(out or path, lambda tmp: wb.save(tmp))


def _fill_openpyxl(ws, header: Sequence[str], rows: list[tuple], key: str) -> None:
    ws.append(list(header))
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = HEAD_FILL
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


def write_results_book(out: str | Path, tables: dict[str, Table]) -> None:
    """A separate workbook holding only the output sheets, streamed (see xlsx_stream)."""
    sheets = [SheetData(sheet_title(key), list(header), rows, frozenset(i for i, h in enumerate(header) if h in MONEY_COLUMNS))
              for key, (header, rows) in tables.items()]
    write_with(out, lambda tmp: write_xlsx(tmp, sheets))
