"""Check one returned department file completely, before any of it reaches the master.

Every check runs and every finding is kept, so the manager gets one list of
everything to fix (``Sheet!Cell``, in Chinese) instead of one problem per
round trip. The file is refused when any finding is an error; the caller then
imports nothing from it. What is checked, in order:

1. the hostile-file screen (encrypted, zip bombs, macros, external links...);
2. the same bytes were not imported before (SHA-256, from the Imports sheet);
3. the hidden manifest: present, unaltered, this template version, this
   quarter, a department the master knows;
4. exactly the template's sheets, the protected reference sheets unchanged,
   the headers intact and nothing typed outside the input columns;
5. values only: no formula and no error cell anywhere in the file;
6. every cell through the one cell parser (``tables.parse_table``);
7. every row: an employee of that department, a client the master knows, this
   quarter's period, month or year, and no key (claim, incident, KPI line...)
   already in the master or in a file accepted earlier in the same batch.

Only cells that exist are visited (``Worksheet._cells``): a returned file may
claim a huge used range, and walking ``iter_rows`` over it would create every
empty cell in memory.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from . import problems as P
from .hostile import HostileFile, screen
from .manager_template import (CLIENT_COLUMNS, CLIENTS_TITLE, ROSTER_COLUMNS, ROSTER_TITLE, Department, UnknownDepartment,
                               department, norm_department, reference_rows)
from .model import Book
from .reader import RawTable
from .schema import CLIENTS, EMPLOYEES, INPUT_BY_KEY, Sheet, norm_header
from .tables import field_name, parse_table
from .template import sheet_title
from .template_manifest import KIND, MANIFEST_TITLE, TEMPLATE_VERSION, is_sealed, read_manifest, reference_sha256

INSTRUCTIONS_TITLE = "填写说明"
MAX_REFERENCE_CELLS = 200_000  # a reference sheet bigger than this was not written by the template


@dataclass
class MasterView:
    """What checking needs from the master; ``keys`` and ``imported`` grow as a batch is accepted."""

    book: Book
    imported: dict[str, str]  # file SHA-256 -> when and as what it was imported
    _keys: dict[str, dict[tuple, str]] = field(default_factory=dict)  # sheet key -> unique key -> where it already is

    @classmethod
    def of(cls, book: Book, imported: dict[str, str]) -> "MasterView":
        return cls(book, dict(imported))

    def keys(self, key: str) -> dict[tuple, str]:
        """The sheet's unique keys already taken, built on first use (never for the 200k-row Deals)."""
        if key not in self._keys:
            fields = [field_name(k) for k in INPUT_BY_KEY[key].unique]
            title = self.book.title(key)
            self._keys[key] = {tuple(getattr(r, f) for f in fields): f"主工作簿 {title} 第 {r.row} 行"
                               for r in self.book.rows(key)} if fields else {}
        return self._keys[key]

    def accept(self, checked: "Checked") -> None:
        self.imported[checked.sha256] = f"本次导入的文件 {checked.name}"
        for key, rows in checked.rows.items():
            fields = [field_name(k) for k in INPUT_BY_KEY[key].unique]
            taken = self.keys(key)
            for r in rows if fields else ():
                taken[tuple(getattr(r, f) for f in fields)] = f"本次导入的文件 {checked.name} 第 {r.row} 行"


@dataclass
class Checked:
    path: Path
    sha256: str = ""
    department: str = ""
    manifest: dict[str, str] = field(default_factory=dict)
    rows: dict[str, list] = field(default_factory=dict)  # sheet key -> typed rows to import
    problems: list[P.Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def ok(self) -> bool:
        return not P.has_errors(self.problems)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_file(path: str | Path, master: MasterView) -> Checked:
    out = Checked(Path(path))
    err = out.problems.append
    try:
        screen(out.path)  # returned templates are plain .xlsx: no macros
    except HostileFile as e:
        err(P.error("", "", "", e.message, "可安全读取的 Excel 工作簿 (.xlsx)", e.found))
        return out
    out.sha256 = file_sha256(out.path)
    if out.sha256 in master.imported:
        err(P.error("", "", "", f"这个文件已经导入过（{master.imported[out.sha256]}），不能重复导入", "未导入过的文件", out.sha256[:16]))
        return out
    try:
        wb = openpyxl.load_workbook(out.path, data_only=False, keep_links=False)
    except Exception as e:  # any parser failure on a screened file: refuse, never crash the batch
        err(P.error("", "", "", f"无法读取该工作簿（{type(e).__name__}）：请在 Excel 中打开并另存为 .xlsx 后再试"))
        return out
    manifest = _manifest(wb, master.book, out)
    if manifest is None:
        return out
    _sheet_set(wb, manifest, out)
    _values_only(wb, out)
    try:
        dept = department(master.book, out.department)
    except UnknownDepartment:
        dept = None  # already reported from the manifest; every row will say so too
    dept_ids = set(dept.ids) if dept else set()
    _references(wb, manifest, dept, out)
    for key in _sheet_keys(manifest):
        title = sheet_title(INPUT_BY_KEY[key])
        if title in wb.sheetnames:
            _input_sheet(wb[title], INPUT_BY_KEY[key], master, dept_ids, out)
    return out


# ------------------------------------------------------------------ manifest
def _sheet_keys(manifest: dict[str, str]) -> list[str]:
    return [k.strip() for k in manifest.get("sheets", "").split(",") if k.strip() in INPUT_BY_KEY]


def _manifest(wb, book: Book, out: Checked) -> dict[str, str] | None:
    err = out.problems.append
    m = read_manifest(wb)
    if m is None or m.get("kind") != KIND:
        err(P.error("", "", "", "这不是用 bonusbook manager-template 生成的部门模板（找不到隐藏的模板信息），不能导入：请让经理用人力下发的部门模板填写",
                    "部门模板", "普通工作簿"))
        return None
    out.manifest, out.department = m, m.get("department", "")
    where = MANIFEST_TITLE
    if not is_sealed(m):
        err(P.error(where, "", "", "隐藏的模板信息被改动过，无法确认文件来源：请用人力下发的原始模板重新填写"))
    if m.get("template_version") != TEMPLATE_VERSION:
        err(P.error(where, "", "template_version", "模板版本与当前程序不一致：请用当前版本重新生成部门模板后再填写",
                    TEMPLATE_VERSION, m.get("template_version")))
    if m.get("period") != str(book.period):
        err(P.error(where, "", "period", f"这是 {m.get('period')} 的模板，主工作簿的期间是 {book.period}：不能导入其他期间的文件",
                    str(book.period), m.get("period")))
    company = book.settings.company
    if m.get("company") and company and norm_department(m["company"]) != norm_department(company):
        err(P.error(where, "", "company", f"这是 {m['company']} 的模板，主工作簿属于 {company}", company, m["company"]))
    known = {norm_department(e.department) for e in book.rows("Employees")}
    if norm_department(out.department) not in known:
        err(P.error(where, "", "department", f"主工作簿中没有部门“{out.department}”", "主工作簿 员工 表中的部门", out.department))
    unknown = [k for k in m.get("sheets", "").split(",") if k.strip() and k.strip() not in INPUT_BY_KEY]
    if unknown:
        err(P.error(where, "", "sheets", f"模板信息中有未知的工作表 {', '.join(unknown)}"))
    return m


def _sheet_set(wb, manifest: dict[str, str], out: Checked) -> None:
    expected = [INSTRUCTIONS_TITLE] + [sheet_title(INPUT_BY_KEY[k]) for k in _sheet_keys(manifest)] + [ROSTER_TITLE, CLIENTS_TITLE, MANIFEST_TITLE]
    for title in wb.sheetnames:
        if title not in expected:
            out.problems.append(P.error(title, "", "", f"多出的工作表“{title}”：部门模板不能增加工作表，请删除该表（需要的数据填到对应的表中）",
                                        "、".join(expected[1:-3]), title))
    for title in expected:
        if title not in wb.sheetnames:
            out.problems.append(P.error(title, "", "", f"缺少工作表“{title}”：请不要删除或重命名模板中的工作表", title, "(无)"))


# -------------------------------------------------------------- cell scans
def _cells(ws):
    """The cells the file actually holds (never creates empty ones)."""
    return ws._cells.values()


def _values_only(wb, out: Checked) -> None:
    for ws in wb.worksheets:
        for c in sorted(_cells(ws), key=lambda c: (c.row, c.column)):
            if c.data_type == "f":
                out.problems.append(P.error(ws.title, c.coordinate, "", "单元格是公式：部门模板只接受数值，请改为直接填写（复制 → 选择性粘贴 → 数值）",
                                            "数值", str(getattr(c.value, "text", c.value))))
            elif c.data_type == "e":
                out.problems.append(P.error(ws.title, c.coordinate, "", f"单元格是错误值 {c.value}：请填写正确的数值", "数值", c.value))


def _grid(ws) -> list[list[Any]] | None:
    cells = [c for c in _cells(ws) if c.value not in (None, "")]
    if not cells:
        return []
    rows, cols = max(c.row for c in cells), max(c.column for c in cells)
    if rows * cols > MAX_REFERENCE_CELLS:
        return None
    grid = [[None] * cols for _ in range(rows)]
    for c in cells:
        grid[c.row - 1][c.column - 1] = c.value
    return grid


def _references(wb, manifest: dict[str, str], dept: Department | None, out: Checked) -> None:
    for title, key, schema, cols, rows in (
        (ROSTER_TITLE, "roster_sha256", EMPLOYEES, ROSTER_COLUMNS, dept.employees if dept else None),
        (CLIENTS_TITLE, "clients_sha256", CLIENTS, CLIENT_COLUMNS, dept.clients if dept else None),
    ):
        if title not in wb.sheetnames:
            continue
        grid = _grid(wb[title])
        if grid is not None and reference_sha256(grid) == manifest.get(key):
            continue
        message = f"受保护的 {title} 表被改动过：请不要修改该表，改用人力下发的原始模板重新填写"
        diffs = [] if grid is None or rows is None else _differences(grid, reference_rows(schema, cols, rows))
        if not diffs:
            out.problems.append(P.error(title, "", "", message))
        for ref, want, got in diffs:
            out.problems.append(P.error(title, ref, "", message, want, got))


def _differences(grid: list[list[Any]], want: list[list[Any]]) -> list[tuple[str, Any, Any]]:
    """Per row, the span of cells that differ: (``A4:E4``, expected, found)."""
    out = []
    for r in range(max(len(grid), len(want))):
        a, b = (grid[r] if r < len(grid) else []), (want[r] if r < len(want) else [])
        cols = [j for j in range(max(len(a), len(b)))
                if _shown(a[j] if j < len(a) else None) != _shown(b[j] if j < len(b) else None)]
        if cols:
            ref = f"{get_column_letter(cols[0] + 1)}{r + 1}"
            if len(cols) > 1:
                ref += f":{get_column_letter(cols[-1] + 1)}{r + 1}"
            pick = lambda row: " / ".join(_shown(row[j] if j < len(row) else None) or "(空)" for j in cols)  # noqa: E731
            out.append((ref, pick(b), pick(a)))
    return out


def _shown(v: Any) -> str:
    return "" if v is None else str(v)


# ---------------------------------------------------------------- input sheets
def _input_sheet(ws, schema: Sheet, master: MasterView, dept_ids: set[str], out: Checked) -> None:
    err = out.problems.append
    width = len(schema.columns)
    heads_ok = True
    for j, col in enumerate(schema.columns, start=1):
        got = ws.cell(row=1, column=j).value if (1, j) in ws._cells else None
        if norm_header(got) != norm_header(col.header):
            heads_ok = False
            err(P.error(ws.title, f"{get_column_letter(j)}1", col.key, "列名被改动：请恢复模板中的列名（不要修改、插入或删除列）", col.header, got))
    data: dict[int, list] = {}
    for c in _cells(ws):
        if c.value is None or (isinstance(c.value, str) and not c.value.strip()):
            continue
        if c.column > width:
            err(P.error(ws.title, c.coordinate, "", "表格列以外的单元格有内容：这些数据不会被导入，请删除或填到对应的列中", "(空)", c.value))
        elif c.row > 1:
            data.setdefault(c.row, [None] * width)[c.column - 1] = c.value
    if not heads_ok:
        return
    raw = RawTable(schema, ws.title, 0, {c.key: j for j, c in enumerate(schema.columns)},
                   [(r - 1, data[r]) for r in sorted(data)])
    rows, probs = parse_table(raw)
    flagged = {(p.sheet, p.cell) for p in out.problems}  # a formula or error cell is already reported as such
    out.problems.extend(p for p in probs if (p.sheet, p.cell) not in flagged)
    period = master.book.period
    keys = master.keys(schema.key)
    for r in rows:
        _row_checks(schema, r, raw, master.book, dept_ids, out.department, err)
        if schema.unique:
            k = tuple(getattr(r, field_name(f)) for f in schema.unique)
            if k in keys:
                err(_at(raw, r, schema.unique[0], f"{'+'.join(schema.column(f).label for f in schema.unique)} 重复：{'/'.join(map(str, k))} 已在{keys[k]}，不能重复导入",
                        "新的编号", "/".join(map(str, k))))
        if schema.key == "KPI" and r.period != str(period):
            err(_at(raw, r, "period", f"期间必须是本期 {period}", str(period), r.period))
        if schema.key in ("Units", "Scorecard") and r.month not in period.months:
            err(_at(raw, r, "month", f"月份必须在本期 {period} 内", "、".join(f"{y}-{m:02d}" for y, m in period.months), f"{r.month[0]}-{r.month[1]:02d}"))
        if schema.key == "GradeReview" and r.year != period.year:
            err(_at(raw, r, "year", f"年度必须是 {period.year}", str(period.year), r.year))
    out.rows[schema.key] = rows


def _row_checks(schema: Sheet, r, raw: RawTable, book: Book, dept_ids: set[str], dept: str, err) -> None:
    emp = book.employees.get(r.employee_id)
    if emp is None:
        err(_at(raw, r, "employee_id", f"工号 {r.employee_id} 不在主工作簿的 员工 (Employees) 表中", f"{dept} 的工号", r.employee_id))
    elif r.employee_id not in dept_ids:
        err(_at(raw, r, "employee_id", f"工号 {r.employee_id}（{emp.name}）属于 {emp.department}，不是 {dept} 的员工：部门模板只能填写本部门员工",
                f"{dept} 的工号", r.employee_id))
    client = getattr(r, "client_id", None)
    if client and client not in book.clients:
        err(_at(raw, r, "client_id", f"客户 {client} 不在主工作簿的 客户 (Clients) 表中：请先请人力登记该客户", "已登记的客户编号", client))


def _at(raw: RawTable, row, column: str, message: str, expected: str = "", found: Any = "") -> P.Problem:
    return P.error(raw.title, P.cell_ref(row.row - 1, raw.cols[column]), column, message, expected, found)
