"""The Status (状态) sheet: the period's state and its lock record, inside the book.

HR sees where the quarter stands without a terminal; calculate records there
the hashes of the inputs it used, which is how lock knows the results are
stale. The ledger stays authoritative: this sheet is a protected copy, and
``verify`` reports when the two disagree.

Writing it (at lock, reopen and publish) replaces only this sheet, leaves the
other output sheets alone, and write-protects the input sheets while the
period is locked: a guard against slips, not security (no password).
"""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import python_calamine as pc

from . import status_patch
from .atomic import write_with
from .reader import is_output_sheet, match_sheet
from .state import STATE_ZH
from .writer import _fill_openpyxl, sheet_title  # the same cell rules as every output sheet

HEADER = ("item", "value", "说明")
FIELDS = (
    ("state", "状态"),
    ("period", "期间"),
    ("company", "公司"),
    ("prepared_by", "制表人"),
    ("calculated_at", "计算时间（UTC）"),
    ("input_sha256", "输入数据哈希（计算时）"),
    ("policy_sha256", "政策参数哈希（计算时）"),
    ("results_sha256", "发放结果哈希（计算时）"),
    ("opening", "期初状态来源"),
    ("locked_by", "审批（锁定）人"),
    ("locked_at", "锁定时间（UTC）"),
    ("lock_entry_hash", "锁定的账本条目"),
    ("reopened_by", "最近一次 reopen 人"),
    ("reopened_at", "reopen 时间（UTC）"),
    ("reopen_reason", "reopen 理由"),
    ("published_at", "发布时间（UTC）"),
    ("publish_entry_hash", "发布的账本条目"),
    ("ledger", "账本位置"),
)

if TYPE_CHECKING:
    import openpyxl


def status_table(record: dict[str, str]) -> tuple[tuple[str, ...], list[tuple]]:
    rows = []
    for key, label in FIELDS:
        value = record.get(key, "")
        if key == "state" and value:
            label = f"{label}：{STATE_ZH.get(value, value)}"
        rows.append((key, str(value or ""), label))
    return HEADER, rows


def _is_status(title: str) -> bool:
    return is_output_sheet(title, "Status")


def read_status(path: str | Path) -> dict[str, str]:
    """The Status sheet as item -> value; empty when the book has none."""
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except (pc.CalamineError, OSError, ValueError):
        return {}
    title = next((t for t in wb.sheet_names if _is_status(t)), None)
    if title is None:
        return {}
    out = {}
    for row in wb.get_sheet_by_name(title).to_python()[1:]:
        if row and isinstance(row[0], str) and row[0]:
            out[row[0].strip()] = "" if len(row) < 2 or row[1] is None else str(row[1]).strip()
    return out


def write_status(path: str | Path, record: dict[str, str], protect_inputs: bool) -> None:
    """Replace the Status sheet and set the input sheets' protection; atomic save.

    The package is patched in place when it can be (``status_patch``: seconds on a
    big book, every other part byte for byte); otherwise openpyxl rewrites it.
    """
    path = Path(path)
    header, rows = status_table(record)

    def patched(tmp: Path) -> None:
        status_patch.patch(path, tmp, header, rows, protect_inputs)
        if read_status(tmp).get("state") != record.get("state"):  # read back before it replaces the book
            raise status_patch.Unpatchable("the patched Status sheet does not read back")

    try:
        write_with(path, patched)
        return
    except (status_patch.Unpatchable, zipfile.BadZipFile, KeyError):
        pass
    _write_with_openpyxl(path, record, protect_inputs)


def _write_with_openpyxl(path: Path, record: dict[str, str], protect_inputs: bool) -> None:
    import openpyxl  # only on this fallback path: importing it costs 0.15 s

    wb = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")  # formulas kept: never data_only
    save_guard(wb)
    for ws in list(wb.worksheets):
        if _is_status(ws.title):
            wb.remove(ws)
    header, rows = status_table(record)
    ws = wb.create_sheet(sheet_title("Status"))
    _fill_openpyxl(ws, header, rows, "Status")
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].width = 28
    for sheet in input_sheets(wb.worksheets):
        sheet.protection.sheet = protect_inputs
    write_with(path, lambda tmp: wb.save(tmp))


def input_sheets(worksheets: Iterable) -> list:
    return [ws for ws in worksheets if match_sheet(ws.title) is not None]


def save_guard(wb: openpyxl.Workbook) -> None:
    """A workbook read with data_only has lost its formulas: saving it would destroy them."""
    if getattr(wb, "_data_only", False):
        raise ValueError("refusing to save a workbook loaded with data_only=True: its formulas would be lost")
