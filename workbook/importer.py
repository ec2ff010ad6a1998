"""Consolidate returned department files into the master workbook, safely.

Each file is checked in full by ``import_check`` before anything is written.
A file with any error contributes nothing; the files that pass are appended
to the master's input sheets and logged in the Imports sheet, all in one
atomic save. Before that save replaces the master, the new file is read back
with the engine's own loader and compared row by row: every sheet must hold
exactly its old rows plus the imported ones (as canonical data), and the
master on disk must still be the file we read (nobody saved it meanwhile).
Otherwise the temp file is discarded and the master stays as it was.

The master is edited with openpyxl, never ``data_only``, with VBA kept for an
.xlsm, so the user's formulas, formats and macros survive; a formula column
next to an input table is carried down to the new rows.
"""
from __future__ import annotations

import datetime as dt
import getpass
from collections import Counter
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Sequence

import openpyxl
from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter, range_boundaries

from . import problems as P
from .atomic import write_with
from .canonical import row_bytes
from .import_check import Checked, MasterView, check_file, file_sha256
from .import_log import ImportRecord, append_log, read_log
from .load import load_book
from .model import Book
from .schema import INPUT_BY_KEY, Sheet, header_aliases, norm_header
from .status_sheet import read_status, save_guard
from .tables import field_name

LOCKED_STATES = ("LOCKED", "PUBLISHED")
HEADER_SEARCH_ROWS = 10


class MasterChanged(RuntimeError):
    """The master changed on disk during the import, or did not read back as written."""


@dataclass
class ImportResult:
    master: Path
    book: Book | None = None
    master_problems: list[P.Problem] = field(default_factory=list)  # the master itself could not be used
    files: list[Checked] = field(default_factory=list)
    records: list[ImportRecord] = field(default_factory=list)

    @property
    def imported(self) -> list[Checked]:
        return [c for c in self.files if c.ok]  # a failed save turns every accepted file into a refused one

    @property
    def refused(self) -> list[Checked]:
        return [c for c in self.files if not c.ok]

    @property
    def ok(self) -> bool:
        return not self.master_problems and all(c.ok for c in self.files)


def import_files(master: str | Path, files: Sequence[str | Path], by: str | None = None,
                 now: dt.datetime | None = None, progress: Callable[[str], None] | None = None) -> ImportResult:
    res = ImportResult(Path(master))
    if progress:
        progress(f"读取主工作簿 {res.master.name}")
    before = file_sha256(res.master) if res.master.is_file() else ""
    book, probs = load_book(res.master)
    res.book = book
    if book is None:
        res.master_problems = [p for p in probs if p.severity == P.ERROR] or probs
        return res
    state = read_status(res.master).get("state", "").upper()
    if state in LOCKED_STATES:
        res.master_problems = [P.error("", "", "", f"本期 {book.period} 已{'锁定' if state == 'LOCKED' else '发布'}，不能再导入数据："
                                                    "锁定后如需补充，请先按“重新打开”（发布后请在以后期间的 调整 表中更正）")]
        return res
    view = MasterView.of(book, read_log(res.master))
    for f in files:
        if progress:
            progress(f"检查 {Path(f).name}")
        checked = check_file(f, view)
        if checked.ok:
            view.accept(checked)
        res.files.append(checked)
    accepted = [c for c in res.files if c.ok]
    if not accepted:
        return res
    at = (now or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
    who = by or _user()
    records = [ImportRecord(at, who, c.name, c.sha256, c.department, c.manifest.get("period", ""),
                            {book.title(k): len(rows) for k, rows in c.rows.items() if rows},
                            c.manifest.get("master_sha256", "")) for c in accepted]
    if progress:
        progress(f"写入主工作簿（{len(accepted)} 个文件）")
    try:
        _write(res.master, book, accepted, records, before)
    except MasterChanged as e:
        for c in accepted:
            c.problems.append(P.error("", "", "", f"{e}：本次没有导入任何文件，请重新导入"))
        return res
    res.records = records
    return res


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (service accounts, some containers)
        return "(未知)"


# ------------------------------------------------------------------- writing
def _write(master: Path, book: Book, accepted: list[Checked], records: list[ImportRecord], before: str) -> None:
    wb = openpyxl.load_workbook(master, keep_vba=master.suffix.lower() == ".xlsm")  # formulas kept: never data_only
    save_guard(wb)
    expected: dict[str, Counter] = {}
    for checked in accepted:
        for key, rows in checked.rows.items():
            if not rows:
                continue
            schema = INPUT_BY_KEY[key]
            append_rows(wb[book.title(key)], schema, book.columns[key], rows)
            expected.setdefault(key, Counter(row_bytes(key, r) for r in book.rows(key))).update(row_bytes(key, r) for r in rows)
    append_log(wb, records)

    def save_and_check(tmp: Path) -> None:
        wb.save(tmp)
        _read_back(tmp, book, expected)
        if file_sha256(master) != before:
            raise MasterChanged("主工作簿在导入过程中被其他人或程序修改并保存过")

    write_with(master, save_and_check)


def _read_back(tmp: Path, book: Book, expected: dict[str, Counter]) -> None:
    """The saved file must hold exactly the old rows plus the imported ones."""
    again, _ = load_book(tmp)
    if again is None:
        raise MasterChanged("写入后的主工作簿无法读回")
    for key in set(book.tables) | set(again.tables):
        want = expected.get(key) or Counter(row_bytes(key, r) for r in book.rows(key))
        got = Counter(row_bytes(key, r) for r in again.rows(key))
        if got != want:
            raise MasterChanged(f"写入后核对 {book.title(key)} 不一致（应有 {sum(want.values())} 行，读回 {sum(got.values())} 行）")


def append_rows(ws, schema: Sheet, cols: dict[str, int], rows: list) -> None:
    """Append typed rows below the last row holding data in the sheet's own columns.

    ``cols`` maps column keys to 0-based positions as the reader found them by
    header. New cells take the style of the cell above (or of the column),
    text stays text, and the sheet's Excel Table and formula columns grow.
    """
    header = _header_row(ws, schema, cols)
    used = {j + 1 for j in cols.values()}
    last = max((r for (r, c), cell in ws._cells.items() if c in used and r > header and not _blank(cell.value)), default=header)
    kinds = {c.key: c.kind for c in schema.columns}
    n = last
    for row in rows:
        n += 1
        for key, j in cols.items():
            value = excel_value(kinds[key], getattr(row, field_name(key)))
            if value is None:
                continue
            cell = ws.cell(row=n, column=j + 1, value=value)
            _style_like(ws, cell, n - 1 if n - 1 > header else None)
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, dt.date) and cell.number_format in ("@", "General"):
                cell.number_format = "yyyy-mm-dd"
    _grow(ws, header, last, n, used)


def _header_row(ws, schema: Sheet, cols: dict[str, int]) -> int:
    aliases = {k: header_aliases(k, schema.column(k).label) for k in cols}
    best, hits = 1, -1
    for r in range(1, HEADER_SEARCH_ROWS + 1):
        n = sum(1 for k, j in cols.items() if (c := ws._cells.get((r, j + 1))) is not None and norm_header(c.value) in aliases[k])
        if n > hits:
            best, hits = r, n
    return best


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _style_like(ws, cell, above: int | None) -> None:
    src = ws._cells.get((above, cell.column)) if above else None
    if src is not None and src.has_style:
        cell._style = copy(src._style)
    else:
        dim = ws.column_dimensions.get(get_column_letter(cell.column))
        if dim is not None and dim.has_style:
            cell._style = copy(dim._style)


def _grow(ws, header: int, last: int, n: int, used: set[int]) -> None:
    """Stretch tables that start at the header row, and copy formula columns down."""
    if n <= last:
        return
    for table in ws.tables.values():
        c1, r1, c2, r2 = range_boundaries(table.ref)
        if r1 != header or not (used & set(range(c1, c2 + 1))):
            continue
        if r2 < n:
            table.ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{n}"
            if table.autoFilter is not None:
                table.autoFilter.ref = table.ref
        for j in range(c1, c2 + 1):
            if j in used:
                continue
            src = ws._cells.get((last, j)) if last > header else None
            if src is None or src.data_type != "f" or not isinstance(src.value, str):
                continue
            for r in range(last + 1, n + 1):
                cell = ws.cell(row=r, column=j, value=Translator(src.value, origin=src.coordinate).translate_formula(f"{get_column_letter(j)}{r}"))
                cell._style = copy(src._style)


def excel_value(kind: str, v: Any) -> Any:
    """A typed value as a plain Excel cell that parses back to the same value."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "Y" if v else "N"
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if kind == "month" and isinstance(v, tuple):
        return f"{v[0]:04d}-{v[1]:02d}"
    return v


# ------------------------------------------------------------------- report
def report_lines(res: ImportResult) -> list[str]:
    """The per-file report: what was imported, and for each refused file every problem with its Sheet!Cell."""
    out = [p.render() for p in res.master_problems]
    if res.master_problems:
        out.append(f"主工作簿 {res.master.name} 无法导入，没有导入任何文件")
        return out
    records = {r.sha256: r for r in res.records}
    for c in res.files:
        if c.ok:
            rec = records.get(c.sha256)
            rows = "，".join(f"{t} {n} 行" for t, n in rec.rows.items()) if rec and rec.rows else "没有数据行"
            out.append(f"已导入 {c.name}（{c.department} {c.manifest.get('period', '')}）：{rows}")
        else:
            errors = [p for p in c.problems if p.severity == P.ERROR]
            out.append(f"未导入 {c.name}{f'（{c.department}）' if c.department else ''}：{len(errors)} 个问题，本文件的任何内容都没有导入。请改正后重新发送：")
            out.extend("  " + p.render() for p in c.problems)
    n_ok = len(res.imported)
    out.append(f"合计 {len(res.files)} 个文件：{n_ok} 个已导入，{len(res.files) - n_ok} 个未导入"
               + (f"；已写入 {res.master.name}（记录见 导入记录 (Imports) 表）" if res.records else "；主工作簿没有改动"))
    return out


def qualified(res: ImportResult) -> list[P.Problem]:
    """Every problem with its file: ``[file.xlsx]Sheet!Cell``, as Excel writes external references."""
    out = list(res.master_problems)
    for c in res.files:
        for p in c.problems:
            sheet = f"[{c.name}]{p.sheet}" if p.sheet else f"[{c.name}]"
            out.append(P.Problem(p.severity, sheet, p.cell, p.column, p.message, p.expected, p.found))
    return out
