"""The demo's department round: two managers fill their templates and HR imports them.

The sample quarter's claims, incidents and grade applications of two
departments are held back from the master, written into those departments'
templates the way a manager types them (openpyxl, into the unlocked cells),
and consolidated with the same import the CLI and the Excel button run. The
master then holds exactly the sample data, so the demo's payout is the same
whichever way the rows arrived.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import openpyxl

from .flows import Outcome, import_flow, manager_template_flow
from .schema import INPUT_BY_KEY
from .template import fill, sheet_title

Rows = dict[str, list[dict[str, Any]]]
DEPARTMENT_SHEETS = ("Claims", "Incidents", "KPI", "Scorecard", "Units", "GradeReview")


def hold_back(data: Rows, departments: tuple[str, ...]) -> tuple[Rows, dict[str, Rows]]:
    """The master's rows without the departments' own sheets, and those rows by department."""
    dept_of = {e["employee_id"]: e["department"] for e in data.get("Employees", [])}
    master: Rows = {}
    returned: dict[str, Rows] = {d: {} for d in departments}
    for key, rows in data.items():
        if key not in DEPARTMENT_SHEETS:
            master[key] = rows
            continue
        master[key] = [r for r in rows if dept_of.get(r.get("employee_id")) not in departments]
        for d in departments:
            mine = [r for r in rows if dept_of.get(r.get("employee_id")) == d]
            if mine:
                returned[d][key] = mine
    return master, returned


def fill_returned(template: Path, rows: Rows, out: Path) -> Path:
    """A manager's return: rows typed into the template's input sheets, saved as .xlsx."""
    wb = openpyxl.load_workbook(template)
    for key, values in rows.items():
        fill(wb[sheet_title(INPUT_BY_KEY[key])], INPUT_BY_KEY[key], values)
    wb.save(out)
    return out


def department_round(master: Path, returned: dict[str, Rows], folder: Path, by: str,
                     progress: Callable[[str], None] | None = None) -> Outcome:
    """Generate each department's template, fill it, and import all returns in one batch."""
    files = []
    for dept, rows in returned.items():
        made = manager_template_flow(master, dept, folder / f"模板-{dept}.xlsx")
        for line in made.summary:
            print(line)
        if not made.ok:
            return made
        files.append(fill_returned(folder / f"模板-{dept}.xlsx", rows, folder / f"回收-{dept}.xlsx"))
    return import_flow(master, files, by=by, progress=progress)
