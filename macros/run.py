"""Everything a macro does except talking to Excel, so it runs and is tested on Linux.

A macro cannot let a flow write the workbook file while Excel has it open
(Windows locks the file; on macOS Excel would overwrite the change at its next
save). So ``run_macro``:

1. takes the path of the book Excel has just saved;
2. copies it beside itself (same folder, so the default data_home is the same);
3. runs on the copy exactly the ``workbook.flows`` function the CLI runs;
4. reads back what the flow changed: every sheet it added or whose values
   differ, and every sheet whose protection changed;
5. deletes the copy and returns a ``MacroReport``: a Chinese message for the
   message box and the sheets to write into the open workbook.

``macros.excel`` then writes those sheets through xlwings and saves, so the
file Excel saves holds what the CLI would have written. Nothing here decides a
payout: that is the flows' business.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine as pc

from workbook import problems as P
from workbook.outputs import validation_table
from workbook.reader import is_output_sheet, match_sheet
from workbook.sheet_marks import sheet_parts
from workbook.writer import sheet_title

WORK_PREFIX = ".bonusbook-macro-"
SHOWN_PROBLEMS = 12
INBOX = "部门回收"  # import without a file list: every .xlsx in this folder beside the book
MACROS = ("validate", "calculate", "lock", "reopen", "verify", "publish", "import")


@dataclass
class Sheet:
    """One sheet to write into the open workbook: values from A1, protection, links."""

    title: str
    rows: list[list[Any]]
    protected: bool = False
    links: dict[str, str] = field(default_factory=dict)  # "C5" -> "'成交 (Deals)'!F12"
    table_ref: str = ""  # an input sheet's Excel Table, stretched over its rows (e.g. after an import)
    # For an input sheet that already exists: only these blocks are written, the
    # sheet is never cleared, so the user's formulas, formats and dropdowns stay.
    # Each block is (first row, first column, values), 1-based.
    edits: list[tuple[int, int, list[list[Any]]]] | None = None


@dataclass
class MacroReport:
    ok: bool
    message: str
    sheets: list[Sheet] = field(default_factory=list)
    protection: dict[str, bool] = field(default_factory=dict)  # other sheets whose protection changed
    outcome: Any = None


class MacroError(ValueError):
    """A macro called wrongly (unknown name, missing approver): the message says what to do."""


def run_macro(name: str, path: str | Path, **kw: Any) -> MacroReport:
    """Run macro ``name`` on the saved workbook at ``path``; the file itself is not touched."""
    if name not in MACROS:
        raise MacroError(f"未知的宏 {name}，可用：{'、'.join(MACROS)}")
    path = Path(path).resolve()
    if not path.is_file():
        raise MacroError(f"找不到工作簿文件 {path}：请先保存工作簿")
    work = path.with_name(f"{WORK_PREFIX}{os.getpid()}-{path.name}")
    shutil.copy2(path, work)
    try:
        outcome = _flow(name, work, path, kw)
        sheets, protection = changes(path, work)
    finally:
        with contextlib.suppress(OSError):
            work.unlink()
    titles = {s.title for s in sheets}
    validation = sheet_title("Validation")
    if outcome.problems and validation not in titles:  # a refusal or verify's findings: still shown in the book
        header, rows = validation_table(outcome.problems)
        sheets.append(_sheet(validation, [list(header)] + [list(r) for r in rows], True))
    return MacroReport(outcome.ok, message(name, outcome, path.name, work.name), sheets, protection, outcome)


def _flow(name: str, work: Path, original: Path, kw: dict) -> Any:
    from workbook import flows  # the same entry points as the CLI; imported late so this module loads alone

    ledger = kw.get("ledger_url")
    if name == "validate":
        return flows.validate_flow(work, write=True)
    if name == "calculate":
        return flows.calculate_flow(work, ledger_url=ledger)
    if name == "verify":
        return flows.verify_flow(work, ledger_url=ledger)
    if name == "import":
        files = [Path(f) for f in kw.get("files") or []] or inbox_files(original)
        if not files:
            raise MacroError(f"没有选择要导入的文件，{original.parent / INBOX} 文件夹中也没有 .xlsx 文件")
        return flows.import_flow(work, files, by=kw.get("by") or None)
    by = (kw.get("by") or "").strip()
    if name == "publish":
        return flows.publish_flow(work, by=by, ledger_url=ledger)
    if not by:
        raise MacroError("请填写审批人姓名" if name == "lock" else "请填写重新打开人的姓名")
    if name == "lock":
        return flows.lock_flow(work, by, ledger_url=ledger)
    reason = (kw.get("reason") or "").strip()
    if not reason:
        raise MacroError("重新打开必须写明原因")
    return flows.reopen_flow(work, by, reason, ledger_url=ledger)


def inbox_files(book: Path) -> list[Path]:
    folder = book.parent / INBOX
    return sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith(("~$", "."))) if folder.is_dir() else []


def message(name: str, outcome: Any, real: str, work: str) -> str:
    """The message box text: the summary, then the first problems, errors first."""
    errors = [p for p in outcome.problems if p.severity == P.ERROR]
    warnings = [p for p in outcome.problems if p.severity != P.ERROR]
    shown = (errors or warnings)[:SHOWN_PROBLEMS]  # a refusal shows its errors; warnings only when nothing failed
    lines = list(outcome.summary) + [p.render() for p in shown]
    rest = len(outcome.problems) - len(shown)
    if rest:
        lines.append(f"……另有 {rest} 条问题（含警告），完整列表见 校验结果 (Validation) 表")
    text = "\n".join(lines) or ("完成" if outcome.ok else "未完成")
    return text.replace(work, real)


# ------------------------------------------------------------ what changed
def changes(before: Path, after: Path) -> tuple[list[Sheet], dict[str, bool]]:
    """Sheets of ``after`` that are new or whose values differ, and protection changes."""
    old, new = _values(before), _values(after)
    old_prot, new_prot = protected_sheets(before), protected_sheets(after)
    formulas = _formula_cells(before) | _formula_cells(after)
    sheets, protection = [], {}
    for title, rows in new.items():
        if title not in old or old[title] != rows:
            sheet = _sheet(title, rows, new_prot.get(title, False))
            if title in old and match_sheet(title) is not None:
                sheet.edits = cell_edits(old[title], rows, {(r, c) for t, r, c in formulas if t == title})
            sheets.append(sheet)
        elif old_prot.get(title, False) != new_prot.get(title, False):
            protection[title] = new_prot.get(title, False)
    return sheets, protection


def cell_edits(old: list[list[Any]], new: list[list[Any]], skip: set[tuple[int, int]]) -> list[tuple[int, int, list[list[Any]]]]:
    """The blocks that turn ``old`` into ``new``, leaving formula cells (``skip``, 0-based) alone.

    Changed cells of existing rows become one block per row (from the first to
    the last changed cell); rows added at the bottom (an import) become one block.
    """
    edits = []
    width = max((len(r) for r in old + new), default=0)

    def cell(rows, r, c):
        return rows[r][c] if r < len(rows) and c < len(rows[r]) else None

    for r in range(min(len(old), len(new))):
        changed = [c for c in range(width) if (r, c) not in skip and cell(old, r, c) != cell(new, r, c)]
        if changed:
            lo, hi = changed[0], changed[-1]
            if any((r, c) in skip for c in range(lo, hi + 1)):  # never overwrite a formula inside the span
                edits.extend((r + 1, c + 1, [[cell(new, r, c)]]) for c in changed)
            else:
                edits.append((r + 1, lo + 1, [[cell(new, r, c) for c in range(lo, hi + 1)]]))
    if len(new) > len(old):
        cols = [c for c in range(width) if not any((r, c) in skip for r in range(len(old), len(new)))]
        if cols:
            lo, hi = cols[0], cols[-1]
            edits.append((len(old) + 1, lo + 1, [[cell(new, r, c) if (r, c) not in skip else None for c in range(lo, hi + 1)]
                                                 for r in range(len(old), len(new))]))
    for r in range(len(new), len(old)):  # rows the flow removed (no flow does today): emptied, not deleted
        edits.append((r + 1, 1, [[None] * width]))
    return edits


def _formula_cells(path: Path) -> set[tuple[str, int, int]]:
    """(sheet title, row0, col0) of every formula cell: the macro never writes over one."""
    from workbook.sheet_marks import formula_cells

    out = set()
    with zipfile.ZipFile(path) as zf:
        for title, part in sheet_parts(zf).items():
            try:
                data = zf.read(part)
            except KeyError:
                continue
            out.update((title, r, c) for r, c, _ in formula_cells(data))
    return out


def _values(path: Path) -> dict[str, list[list[Any]]]:
    wb = pc.CalamineWorkbook.from_path(str(path))
    out = {}
    for title in wb.sheet_names:
        rows = wb.get_sheet_by_name(title).to_python(skip_empty_area=False)
        while rows and all(v in ("", None) for v in rows[-1]):
            rows.pop()
        out[title] = [[None if v == "" else v for v in r] for r in rows]
    return out


def _sheet(title: str, rows: list[list[Any]], protected: bool) -> Sheet:
    links = {}
    if rows and is_output_sheet(title) and "sheet" in rows[0] and "cell" in rows[0]:
        s, c = rows[0].index("sheet"), rows[0].index("cell")
        for i, r in enumerate(rows[1:], start=2):
            if len(r) > max(s, c) and r[s] and r[c]:
                links[f"{_letter(c)}{i}"] = f"'{r[s]}'!{str(r[c]).split(':')[0]}"
    table_ref = ""
    if rows and match_sheet(title) is not None:  # our input sheets hold one Table with its header in row 1
        width = max(len(r) for r in rows)
        table_ref = f"A1:{_letter(width - 1)}{max(2, len(rows))}"
    return Sheet(title, rows, protected, links, table_ref)


def _letter(i: int) -> str:
    return P.col_letter(i)


_PROTECT = re.compile(rb"<(?:\w+:)?sheetProtection\b([^>]*)>")


def protected_sheets(path: Path) -> dict[str, bool]:
    """Sheet title -> protected, from each sheet's ``<sheetProtection sheet="1">``."""
    out = {}
    with zipfile.ZipFile(path) as zf:
        for title, part in sheet_parts(zf).items():
            try:
                data = zf.read(part)
            except KeyError:
                continue
            m = _PROTECT.search(data)
            out[title] = bool(m) and re.search(rb'\bsheet="(1|true)"', m.group(1)) is not None
    return out
