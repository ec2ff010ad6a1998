"""Apply a ``MacroReport`` to the workbook file with openpyxl: what Excel does on save.

On a desktop the open workbook receives the report through xlwings and Excel
saves it. Without Excel (Linux, CI, the tests) this module plays that part, so
a whole quarter can be driven macro by macro (validate, calculate, lock,
verify, publish) and end in the same file a desktop user would have.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from workbook.atomic import write_with

from .run import MacroReport


def apply_to_file(path: str | Path, report: MacroReport) -> None:
    path = Path(path)
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")  # formulas kept, never data_only
    for sheet in report.sheets:
        if sheet.edits is not None and sheet.title in wb.sheetnames:  # an input sheet: only the changed cells
            ws = wb[sheet.title]
            for row, col, block in sheet.edits:
                for i, values in enumerate(block):
                    for j, v in enumerate(values):
                        cell = ws.cell(row=row + i, column=col + j, value=v)
                        if isinstance(v, str):
                            cell.data_type = "s"
            if sheet.table_ref:
                for table in ws.tables.values():
                    table.ref = sheet.table_ref
            ws.protection.sheet = sheet.protected
            continue
        if sheet.title in wb.sheetnames:
            ws = wb[sheet.title]
            ws.delete_rows(1, ws.max_row)
        else:
            ws = wb.create_sheet(sheet.title)
        for r, row in enumerate(sheet.rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is None:
                    continue
                cell = ws.cell(row=r, column=c, value=v)
                if isinstance(v, str):
                    cell.data_type = "s"  # text stays text, as the apostrophe does in Excel
                if r == 1:
                    cell.font = Font(bold=True)
        for address, target in sheet.links.items():
            ws[address].hyperlink = "#" + target
        if sheet.table_ref:
            for table in ws.tables.values():
                table.ref = sheet.table_ref
        ws.protection.sheet = sheet.protected
    for title, protected in report.protection.items():
        if title in wb.sheetnames:
            wb[title].protection.sheet = protected
    write_with(path, lambda tmp: wb.save(tmp))
