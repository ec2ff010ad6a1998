"""The few lines that talk to Excel: write a ``MacroReport`` into the open book.

Kept apart from ``run`` so the rest is testable without Excel; the tests drive
``apply_report`` with a stand-in object that has the same small surface
(``sheets``, ``range``, ``api``). Text is written with a leading apostrophe,
Excel's own "this is text" mark, so an ID like ``001`` stays ``001`` and a
name like ``=HYPERLINK(...)`` never becomes a formula.
"""
from __future__ import annotations

from typing import Any

from .run import MacroReport, Sheet

TITLE = "Bonusbook"


def excel_value(v: Any) -> Any:
    if isinstance(v, str) and v:
        return "'" + v
    return v


def apply_report(book: Any, report: MacroReport) -> None:
    """Write the report's sheets into ``book`` (an ``xw.Book``), set protection, save."""
    for sheet in report.sheets:
        _write(book, sheet)
    names = [s.name for s in book.sheets]
    for title, protected in report.protection.items():
        if title in names:
            _protect(book.sheets[title], protected)
    book.save()


def _write(book: Any, data: Sheet) -> None:
    names = [s.name for s in book.sheets]
    if data.edits is not None and data.title in names:  # an input sheet: patch cells, never clear it
        sh = book.sheets[data.title]
        _protect(sh, False)
        for row, col, block in data.edits:
            sh.range((row, col)).value = [[excel_value(v) for v in r] for r in block]
        if data.table_ref:
            _resize_table(sh, data.table_ref)
        _protect(sh, data.protected)
        return
    if data.title in names:
        sh = book.sheets[data.title]
        _protect(sh, False)
        sh.clear()
    else:
        sh = book.sheets.add(data.title, after=book.sheets[len(names) - 1])
    if data.rows:
        width = max(len(r) for r in data.rows)
        rows = [[excel_value(v) for v in r] + [None] * (width - len(r)) for r in data.rows]
        sh.range("A1").value = rows
        sh.range((1, 1), (1, width)).font.bold = True
        header = data.rows[0]
        if "amount" in header:
            col = header.index("amount") + 1
            sh.range((2, col), (max(2, len(rows)), col)).number_format = "0.00"
    if data.table_ref:
        _resize_table(sh, data.table_ref)
    for address, target in data.links.items():
        sh.range(address).add_hyperlink("#" + target, sh.range(address).value)
    _autofit(sh)
    _protect(sh, data.protected)


def _protect(sheet: Any, on: bool) -> None:
    """Protect or unprotect without a password: Windows COM, then macOS appscript spelling."""
    api = sheet.api
    try:
        (api.Protect if on else api.Unprotect)()
    except AttributeError:
        try:
            (api.protect if on else api.unprotect)()
        except Exception:  # protection is a guard against slips, not security: never fail a macro over it
            pass


def _resize_table(sheet: Any, ref: str) -> None:
    """Stretch the sheet's Excel Table over the rows written (Windows COM; elsewhere best effort)."""
    try:
        api = sheet.api
        if api.ListObjects.Count:
            api.ListObjects(1).Resize(api.Range(ref))
    except Exception:  # macOS or no table: the rows are there either way, the engine reads by header
        pass


def _autofit(sheet: Any) -> None:
    try:
        sheet.autofit("c")
    except Exception:  # cosmetic only; some Excel builds refuse autofit on protected or huge sheets
        pass


def alert(book: Any, text: str, ok: bool = True) -> None:
    """A message box; Excel limits its text, so long reports point to the Validation sheet."""
    if len(text) > 900:
        text = text[:880] + "\n……（完整内容见 校验结果 表）"
    book.app.alert(text, title=TITLE + ("" if ok else "：未完成"))
