"""A department's template: the few sheets one manager fills, for their people only.

Managers should not see other departments' staff, salaries or deals, and every
cell they can type in is a cell HR must later trust. So the template carries:

* only the input sheets the department owns (claims, incidents, KPI scores,
  grade applications, and the monthly Scorecard or Units sheet where the
  department runs one), laid out by the same builder as the master template;
* the department's employees (no pay data) and clients as protected reference
  sheets, which feed the 工号 and 客户编号 dropdowns;
* dropdowns for the quarter (期间, 月份, 年度), so a manager cannot type last
  quarter's period;
* input columns unlocked, headers and everything else protected, the sheet
  list locked (no sheet can be added, renamed or removed from Excel);
* Chinese instructions, and the hidden manifest (``template_manifest``) that
  lets ``importer`` match a returned file to its department and quarter.

Excel Tables cannot grow on a protected sheet, so the input sheets here are
plain ranges with the same formats, hints and dropdowns.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import openpyxl
from openpyxl.styles import Alignment, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection

from . import __version__
from .canonical import fingerprint
from .manager_instructions import manager_instruction_sheet
from .model import Book
from .schema import CLIENTS, EMPLOYEES, INPUT_BY_KEY, INPUT_SHEETS, Sheet
from .tables import field_name
from .template import DV_ROWS, HEAD_FONT, INPUT_HEAD_FILL, build_input_sheet, save_workbook, sheet_title
from .template_manifest import KIND, TEMPLATE_VERSION, reference_sha256, write_manifest

ROSTER_TITLE = "本部门员工"
CLIENTS_TITLE = "客户清单"
ROSTER_COLUMNS = ("employee_id", "name", "team", "role", "grade")  # never pay data
CLIENT_COLUMNS = ("client_id", "name")
BASE_SHEETS = ("Claims", "Incidents", "KPI", "GradeReview")  # every department
MONTHLY_SHEETS = {"大客户部": ("Scorecard",), "关键客户部": ("Units",)}  # POLICY §8 (KC) and §10 (SC)


class UnknownDepartment(ValueError):
    """The department named is not on the master's Employees sheet."""

    def __init__(self, name: str, known: Sequence[str]):
        self.message = f"主工作簿的 员工 (Employees) 表中没有部门“{name}”。现有部门：{'、'.join(known) or '（无）'}"
        super().__init__(self.message)


@dataclass(frozen=True)
class Department:
    name: str  # as the master spells it
    employees: tuple  # typed Employees rows, in sheet order
    clients: tuple  # typed Clients rows the department deals with
    sheets: tuple[str, ...]  # input sheet keys, in schema order

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(e.employee_id for e in self.employees)


def norm_department(name: Any) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(name or "")).split())


def departments(book: Book) -> list[str]:
    seen: dict[str, str] = {}
    for e in book.rows("Employees"):
        seen.setdefault(norm_department(e.department), e.department.strip())
    return list(seen.values())


def department(book: Book, name: str, sheets: Sequence[str] | None = None) -> Department:
    """The department as the master holds it; ``sheets`` overrides the sheet choice."""
    want = norm_department(name)
    emps = tuple(e for e in book.rows("Employees") if norm_department(e.department) == want)
    if not want or not emps:
        raise UnknownDepartment(name, departments(book))
    ids = {e.employee_id for e in emps}
    return Department(emps[0].department.strip(), emps, _clients(book, ids), _sheets(book, want, ids, sheets))


def _sheets(book: Book, dept: str, ids: set[str], chosen: Sequence[str] | None) -> tuple[str, ...]:
    if chosen:
        unknown = [k for k in chosen if k not in INPUT_BY_KEY]
        if unknown:
            raise ValueError(f"未知的工作表：{', '.join(unknown)}")
        wanted = set(chosen)
    else:
        wanted = set(BASE_SHEETS) | set(MONTHLY_SHEETS.get(dept, ()))
        wanted |= {k for k in ("Units", "Scorecard") if any(r.employee_id in ids for r in book.rows(k))}
    return tuple(s.key for s in INPUT_SHEETS if s.key in wanted)


def _clients(book: Book, ids: set[str]) -> tuple:
    """Clients the department's people dealt with or reported on; all clients if none."""
    used = {r.client_id for key in ("Deals", "Claims", "Incidents") for r in book.rows(key)
            if r.employee_id in ids and r.client_id}
    picked = tuple(c for c in book.rows("Clients") if c.client_id in used)
    return picked or tuple(book.rows("Clients"))


# ----------------------------------------------------------------- the workbook
def build_manager_template(book: Book, dept: Department) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    manager_instruction_sheet(wb.active, dept.name, str(book.period), book.settings.company, dept.sheets, ROSTER_TITLE, CLIENTS_TITLE)
    for key in dept.sheets:
        schema = INPUT_BY_KEY[key]
        build_input_sheet(wb, schema, [])
        _lock_down(wb[sheet_title(schema)], schema, book, len(dept.employees), len(dept.clients))
    roster = _reference_sheet(wb, ROSTER_TITLE, EMPLOYEES, ROSTER_COLUMNS, dept.employees)
    clients = _reference_sheet(wb, CLIENTS_TITLE, CLIENTS, CLIENT_COLUMNS, dept.clients)
    write_manifest(wb, {
        "kind": KIND, "template_version": TEMPLATE_VERSION, "bonusbook_version": __version__,
        "department": dept.name, "period": str(book.period), "company": book.settings.company,
        "sheets": ",".join(dept.sheets), "master_sha256": fingerprint(book).input_sha256,
        "roster_sha256": roster, "clients_sha256": clients,
    })
    wb.security = WorkbookProtection(lockStructure=True)  # no sheet added, renamed, removed or unhidden
    wb.active = 0
    props = wb.properties
    props.creator = props.lastModifiedBy = "bonusbook"
    props.title = f"{dept.name} 部门模板 {book.period}"
    return wb


def write_manager_template(book: Book, dept: Department, out: str | Path) -> None:
    save_workbook(build_manager_template(book, dept), out)


def reference_rows(schema: Sheet, keys: Sequence[str], rows: Sequence) -> list[list[Any]]:
    """A reference sheet's cells, header first: what the manifest hashes."""
    head = [schema.column(k).header for k in keys]
    return [head] + [[_cell(getattr(r, field_name(k))) for k in keys] for r in rows]


def _cell(v: Any) -> Any:
    return None if v in (None, "") else v


def _reference_sheet(wb, title: str, schema: Sheet, keys: Sequence[str], rows: Sequence) -> str:
    ws = wb.create_sheet(title)
    cells = reference_rows(schema, keys, rows)
    for values in cells:
        ws.append(values)
        for c in ws[ws.max_row]:
            c.data_type = "s" if isinstance(c.value, str) else c.data_type
    for j in range(1, len(keys) + 1):
        head = ws.cell(row=1, column=j)
        head.font, head.fill = HEAD_FONT, INPUT_HEAD_FILL
        head.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(j)].width = 16 if j > 1 else 14
    ws.freeze_panes = "A2"
    ws.protection.sheet = True
    return reference_sha256(cells)


def _lock_down(ws, schema: Sheet, book: Book, n_employees: int, n_clients: int) -> None:
    """No Excel Table (it cannot grow when protected), input columns unlocked,
    headers locked, and the quarter's dropdowns in place of free typing."""
    for name in list(ws.tables):
        del ws.tables[name]
    for j in range(1, len(schema.columns) + 1):
        ws.column_dimensions[get_column_letter(j)].protection = Protection(locked=False)
        ws.cell(row=1, column=j).protection = Protection(locked=True)
    period = book.period
    lists = {
        "employee_id": (f"'{ROSTER_TITLE}'!$A$2:$A${n_employees + 1}", "stop", f"只能选择 {ROSTER_TITLE} 表中的工号"),
        "client_id": (f"'{CLIENTS_TITLE}'!$A$2:$A${max(2, n_clients + 1)}", "warning", f"不在 {CLIENTS_TITLE} 表中：请确认客户编号，人力导入时会核对"),
        "period": (f'"{period}"', "stop", f"只能填写本期 {period}"),
        "month": ('"' + ",".join(f"{y:04d}-{m:02d}" for y, m in period.months) + '"', "stop", f"只能填写 {period} 的月份"),
        "year": (f'"{period.year}"', "stop", f"只能填写 {period.year}"),
    }
    ranges = {f"{get_column_letter(j)}2:{get_column_letter(j)}{DV_ROWS}": c.key for j, c in enumerate(schema.columns, start=1)}
    for dv in ws.data_validations.dataValidation:
        key = ranges.get(str(dv.sqref))
        if key not in lists:
            continue
        formula, style, message = lists[key]
        dv.type, dv.formula1, dv.allow_blank = "list", formula, True
        dv.showErrorMessage, dv.errorStyle, dv.errorTitle, dv.error = True, style, "不是可选值", message[:250]
    ws.protection.sheet = True
    ws.protection.formatColumns = ws.protection.formatRows = False  # widths may be adjusted
    ws.protection.autoFilter = ws.protection.sort = False
