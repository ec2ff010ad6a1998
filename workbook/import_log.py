"""The Imports (导入记录) sheet: one row per returned file consolidated into the master.

It answers HR's questions about a number months later (which file brought this
claim in, who imported it, when) and it is how a second import of the same
file is refused: every row carries the file's SHA-256. The sheet is neither an
input nor an output sheet, so calculate and lock leave it alone; it is
protected like the output sheets (a guard against slips, not security).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as pc
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .schema import header_aliases, norm_header

KEY, LABEL = "Imports", "导入记录"
TITLE = f"{LABEL} ({KEY})"
COLUMNS = (
    ("imported_at", "导入时间"),
    ("imported_by", "导入人"),
    ("file", "文件名"),
    ("sha256", "文件 SHA-256"),
    ("department", "部门"),
    ("period", "期间"),
    ("rows_added", "新增行数（按工作表）"),
    ("rows_total", "新增行数合计"),
    ("template_master_sha256", "模板生成时主工作簿的输入数据哈希"),
)
WIDTHS = {"imported_at": 22, "file": 30, "sha256": 66, "rows_added": 50, "template_master_sha256": 66}
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class ImportRecord:
    imported_at: str
    imported_by: str
    file: str
    sha256: str
    department: str
    period: str
    rows: dict[str, int] = field(default_factory=dict)  # sheet title -> rows added
    template_master_sha256: str = ""

    def cells(self) -> list:
        added = "；".join(f"{title} {n} 行" for title, n in self.rows.items()) or "无（文件中没有数据行）"
        return [self.imported_at, self.imported_by, self.file, self.sha256, self.department, self.period,
                added, sum(self.rows.values()), self.template_master_sha256]


def is_log_sheet(title: str) -> bool:
    return norm_header(title) in header_aliases(KEY, LABEL)


def header(key: str) -> str:
    return f"{dict(COLUMNS)[key]} ({key})"


def read_log(path: str | Path) -> dict[str, str]:
    """SHA-256 of every file imported before -> a Chinese line saying when and by whom."""
    book = pc.CalamineWorkbook.from_path(str(path))
    title = next((t for t in book.sheet_names if is_log_sheet(t)), None)
    if title is None:
        return {}
    grid = book.get_sheet_by_name(title).to_python()
    if not grid:
        return {}
    cols = {}
    for j, v in enumerate(grid[0]):
        for key, label in COLUMNS:
            if norm_header(v) in header_aliases(key, label):
                cols[key] = j
    if "sha256" not in cols:
        return {}

    def get(row: list, key: str) -> str:
        j = cols.get(key)
        return "" if j is None or j >= len(row) or row[j] is None else str(row[j]).strip()

    out = {}
    for row in grid[1:]:
        sha = get(row, "sha256").lower()
        if sha:
            out[sha] = f"{get(row, 'imported_at')} 由 {get(row, 'imported_by') or '(未知)'} 导入，文件 {get(row, 'file')}"
    return out


def append_log(wb, records: list[ImportRecord]) -> None:
    """Add rows to the workbook's Imports sheet, creating it (protected) when absent.

    Columns are found by header, so HR may reorder them; a missing one is added on the right.
    """
    ws = next((w for w in wb.worksheets if is_log_sheet(w.title)), None)
    if ws is None:
        ws = wb.create_sheet(TITLE)
        ws.freeze_panes = "A2"
        ws.protection.sheet = True
    cols: dict[str, int] = {}
    for c in ws[1]:
        for key, label in COLUMNS:
            if c.value is not None and norm_header(c.value) in header_aliases(key, label):
                cols.setdefault(key, c.column)
    for key, _ in COLUMNS:
        if key not in cols:
            j = max([c.column for c in ws[1] if c.value not in (None, "")], default=0) + 1
            head = ws.cell(row=1, column=j, value=header(key))
            head.font, head.fill = Font(bold=True), HEAD_FILL
            ws.column_dimensions[get_column_letter(j)].width = WIDTHS.get(key, 14)
            cols[key] = j
    r = max((row for (row, _col), c in ws._cells.items() if c.value not in (None, "")), default=1) + 1
    for rec in records:
        for (key, _), value in zip(COLUMNS, rec.cells()):
            c = ws.cell(row=r, column=cols[key], value=value)
            if isinstance(value, str):
                c.data_type = "s"  # a file name like "=x.xlsx" stays text
        r += 1
