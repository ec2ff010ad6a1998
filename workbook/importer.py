"""Consolidate returned department files into the master workbook, safely.

Each file is checked in full by ``import_check`` before anything is written.
A file with any error contributes nothing; the files that pass are appended
to the master's input sheets and logged in the Imports sheet, all in one
atomic save. Before that save replaces the master, the new file is read back
with the engine's own loader and compared row by row: every sheet must hold
exactly its old rows plus the imported ones (as canonical data), and the
master on disk must still be the file we read (nobody saved it meanwhile).
Otherwise the temp file is discarded and the master stays as it was.

The master is not re-serialised when it need not be: ``sheet_append`` patches
the package, rewriting only the sheets that receive rows, their Tables,
styles.xml and the Imports sheet (seconds for a 200,000-deal master, where
openpyxl takes over a minute and 1.5 GB). Every other part keeps its bytes,
so the read-back of a patched file checks those parts by CRC and size and
reads back through the engine's own reader only the sheets that were written.
A master the patch does not handle (a formula column to carry down, merged
cells, a Table's totals row...: see ``sheet_append``) is edited with openpyxl
instead, never ``data_only``, with VBA kept for an .xlsm, so the user's
formulas, formats and macros survive; a formula column next to an input table
is carried down to the new rows. ``ImportResult.written_by`` says which path
wrote, and why the patch was not used.
"""
from __future__ import annotations

import datetime as dt
import getpass
import zipfile
import zlib
from collections import Counter
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Sequence

import openpyxl
import python_calamine as pc
from defusedxml import ElementTree as DET
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.cell_range import MultiCellRange

from . import problems as P
from .atomic import write_with
from .canonical import row_bytes
from .hostile import HostileFile, screen
from .import_check import Checked, MasterView, check_file, file_sha256
from .import_log import ImportRecord, append_log, read_log
from .load import load_book
from .model import Book
from .reader import locate  # the loader's own header search, for reading back one sheet
from .schema import INPUT_BY_KEY, Sheet, header_aliases, norm_header
from .sheet_append import Patched, SheetRows, grow_sqref, patch_import, raw_member
from .status_patch import Unpatchable
from .status_sheet import read_status, save_guard
from .tables import field_name, parse_table

LOCKED_STATES = ("LOCKED", "PUBLISHED")
HEADER_SEARCH_ROWS = 10
USE_PATCH = True  # False: always the openpyxl rewrite (tests and bench/import_big.py compare the two)
PATCH_FAILURES = (Unpatchable, zipfile.BadZipFile, KeyError, ValueError, IndexError, pc.CalamineError, DET.ParseError)


class MasterChanged(RuntimeError):
    """The master changed on disk during the import, or did not read back as written."""


class ReadBackMismatch(MasterChanged):
    """The saved temp file does not hold what was meant to be written."""


@dataclass
class ReadBack:
    """What the saved file must hold: the master's rows, the imported ones and a log entry per file."""

    added: dict[str, list]  # sheet key -> the imported rows, in order
    shas: set[str]  # SHA-256 of each imported file: the Imports sheet must list it
    patched: Patched | None = None  # set when the package was patched: the other parts were copied
    source: Path | None = None  # the master the patch copied them from

    def want(self, book: Book, key: str) -> Counter:
        rows = Counter(row_bytes(key, r) for r in book.rows(key))
        rows.update(row_bytes(key, r) for r in self.added.get(key, ()))
        return rows


@dataclass
class ImportResult:
    master: Path
    book: Book | None = None
    master_problems: list[P.Problem] = field(default_factory=list)  # the master itself could not be used
    files: list[Checked] = field(default_factory=list)
    records: list[ImportRecord] = field(default_factory=list)
    written_by: str = ""  # "patch", or "openpyxl (why the patch was not used)"

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
        res.written_by = _write(res.master, book, accepted, records, before)
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
def _write(master: Path, book: Book, accepted: list[Checked], records: list[ImportRecord], before: str) -> str:
    """Save the accepted rows and log entries into the master; returns which path wrote them."""
    added: dict[str, list] = {}
    for checked in accepted:
        for key, rows in checked.rows.items():
            added.setdefault(key, []).extend(rows)
    check = ReadBack({k: v for k, v in added.items() if v}, {r.sha256 for r in records})
    why = "disabled"
    if USE_PATCH:
        try:
            _write_patched(master, book, accepted, records, before, check)
            return "patch"
        except ReadBackMismatch as e:  # the patch wrote something else than meant: openpyxl does it the slow way
            why = str(e)
        except PATCH_FAILURES as e:
            why = f"{type(e).__name__}: {e}"
    _write_openpyxl(master, book, accepted, records, before, check)
    return f"openpyxl ({why})"


def _sheet_rows(book: Book, accepted: list[Checked]) -> list[SheetRows]:
    """Each receiving sheet's new rows, in file order, as cell values by 1-based column."""
    out: dict[str, SheetRows] = {}
    for checked in accepted:
        for key, rows in checked.rows.items():
            if not rows:
                continue
            schema, cols = INPUT_BY_KEY[key], book.columns[key]
            kinds = {c.key: c.kind for c in schema.columns}
            target = out.setdefault(key, SheetRows(book.title(key), {j + 1: header_aliases(k, schema.column(k).label) for k, j in cols.items()}))
            target.rows.extend({j + 1: excel_value(kinds[k], getattr(r, field_name(k))) for k, j in cols.items()} for r in rows)
    return list(out.values())


def _write_patched(master: Path, book: Book, accepted: list[Checked], records: list[ImportRecord], before: str, check: ReadBack) -> None:
    """Patch the package (``sheet_append``), read it back, then replace the master atomically.

    No workbook object is loaded, so nothing can be lost to ``data_only``
    (what ``save_guard`` protects against); the lock state was read before the
    checks, and a lock saved meanwhile changes the master's SHA-256.
    """
    sheets = _sheet_rows(book, accepted)

    def patch_and_check(tmp: Path) -> None:
        check.patched, check.source = patch_import(master, tmp, sheets, [r.cells() for r in records]), master
        try:
            _read_back(tmp, book, check)
        except ReadBackMismatch:
            if file_sha256(master) != before:  # a master saved meanwhile is no reason to try openpyxl
                raise MasterChanged("主工作簿在导入过程中被其他人或程序修改并保存过") from None
            raise
        if file_sha256(master) != before:
            raise MasterChanged("主工作簿在导入过程中被其他人或程序修改并保存过")

    write_with(master, patch_and_check)


def _write_openpyxl(master: Path, book: Book, accepted: list[Checked], records: list[ImportRecord], before: str, check: ReadBack) -> None:
    wb = openpyxl.load_workbook(master, keep_vba=master.suffix.lower() == ".xlsm")  # formulas kept: never data_only
    save_guard(wb)
    for checked in accepted:
        for key, rows in checked.rows.items():
            if rows:
                append_rows(wb[book.title(key)], INPUT_BY_KEY[key], book.columns[key], rows)
    append_log(wb, records)
    check.patched = check.source = None

    def save_and_check(tmp: Path) -> None:
        wb.save(tmp)
        _read_back(tmp, book, check)
        if file_sha256(master) != before:
            raise MasterChanged("主工作簿在导入过程中被其他人或程序修改并保存过")

    write_with(master, save_and_check)


def _read_back(tmp: Path, book: Book, expected: ReadBack) -> None:
    """The saved file must hold exactly the old rows plus the imported ones, and log every imported file.

    After openpyxl rewrote the whole file, every sheet is read back with the
    engine's loader. After a patch, the parts it copied must carry their old
    CRC-32 and size, and those copied compressed the very bytes of the master
    (``source``); the parts it wrote must hold the bytes it meant (CRC-checked
    on reading); the sheets that received rows are read back through the
    engine's reader: the master's rows in their places, then the imported ones.
    """
    if expected.patched is not None:
        _read_back_patched(tmp, book, expected)
    else:
        again, _ = load_book(tmp)
        if again is None:
            raise ReadBackMismatch("写入后的主工作簿无法读回")
        for key in set(book.tables) | set(again.tables):
            want = expected.want(book, key)
            got = Counter(row_bytes(key, r) for r in again.rows(key))
            if got != want:
                raise ReadBackMismatch(f"写入后核对 {book.title(key)} 不一致（应有 {sum(want.values())} 行，读回 {sum(got.values())} 行）")
    missing = expected.shas - set(read_log(tmp))
    if missing:
        raise ReadBackMismatch(f"写入后核对 导入记录 不一致（缺少 {len(missing)} 个文件的记录）")


def _read_back_patched(tmp: Path, book: Book, expected: ReadBack) -> None:
    patched, master = expected.patched, expected.source
    try:
        screen(tmp, allow_vba=tmp.suffix.lower() == ".xlsm")
        with zipfile.ZipFile(tmp) as zf, open(tmp, "rb") as fh:
            infos = {i.filename: i for i in zf.infolist()}
            if set(infos) != set(patched.copied) | set(patched.written):
                raise ReadBackMismatch("写入后的主工作簿文件不完整")
            for name, (crc, size) in patched.copied.items():
                if (infos[name].CRC, infos[name].file_size) != (crc, size):
                    raise ReadBackMismatch(f"写入后核对 {name} 与原文件不一致")
            if patched.raw:
                if master is None:
                    raise ReadBackMismatch("写入后核对缺少原文件")
                with zipfile.ZipFile(master) as zm, open(master, "rb") as mh:
                    old = {i.filename: i for i in zm.infolist()}
                    for name in patched.raw:
                        if raw_member(fh, infos[name]) != raw_member(mh, old[name]):
                            raise ReadBackMismatch(f"写入后核对 {name} 与原文件不一致")
            for name in set(patched.copied) - patched.raw:
                zf.read(name)  # inflated and CRC-checked
            for name, crc in patched.written.items():
                data = zf.read(name)
                if zlib.crc32(data) != crc:
                    raise ReadBackMismatch(f"写入后核对 {name} 不一致")
                if name in patched.xml_parts:
                    DET.fromstring(data)
        wb = pc.CalamineWorkbook.from_path(str(tmp))
        for key, new in expected.added.items():
            title, old = book.title(key), book.rows(key)
            table, _ = locate(INPUT_BY_KEY[key], title, wb.get_sheet_by_name(title).to_python(skip_empty_area=False), 0, 0)
            got, _ = parse_table(table) if table is not None else ([], [])
            if (len(got) != len(old) + len(new) or got[:len(old)] != old
                    or Counter(row_bytes(key, r) for r in got[len(old):]) != Counter(row_bytes(key, r) for r in new)):
                raise ReadBackMismatch(f"写入后核对 {title} 不一致（应有 {len(old) + len(new)} 行，读回 {len(got)} 行）")
    except (HostileFile, Unpatchable, zipfile.BadZipFile, KeyError, ValueError, pc.CalamineError, DET.ParseError) as e:
        raise ReadBackMismatch(f"写入后的主工作簿无法读回（{type(e).__name__}）") from e


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
        dim = _column(ws, cell.column)
        if dim is not None and dim.has_style:
            cell._style = copy(dim._style)


def _column(ws, j: int):
    """The column's ``<col>`` settings; openpyxl files a ``<col min max>`` group under its first column only."""
    dim = ws.column_dimensions.get(get_column_letter(j))
    if dim is not None:
        return dim
    return next((d for d in ws.column_dimensions.values() if d.min and d.max and d.min <= j <= d.max), None)


def _grow(ws, header: int, last: int, n: int, used: set[int]) -> None:
    """Stretch tables that start at the header row, validations and conditional formats
    that end at the last data row (``sheet_append.grow_sqref``), and copy formula columns down."""
    if n <= last:
        return
    for dv in ws.data_validations.dataValidation:
        grown = grow_sqref(str(dv.sqref), header, last, n, used)
        if grown != str(dv.sqref):
            dv.sqref = MultiCellRange(grown)
    formats = ConditionalFormattingList()
    for cf in ws.conditional_formatting:
        grown = grow_sqref(str(cf.sqref), header, last, n, used)
        if grown != str(cf.sqref):
            cf.sqref = MultiCellRange(grown)
        formats._cf_rules.setdefault(cf, []).extend(cf.rules)
    formats.max_priority = ws.conditional_formatting.max_priority
    ws.conditional_formatting = formats
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
