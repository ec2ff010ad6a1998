"""The words of a department template's instruction sheet (填写说明), and their layout.

A manager opens this file once a quarter, often without HR nearby. The sheet
says, in the order they need it: what the file is for, the rules a returned
file must keep (the import refuses the whole file otherwise), what each sheet
holds and by when, and what the dropdown codes mean. Per-sheet and per-column
words come from ``instructions`` and ``template``, so the master template and
the department template never explain the same column differently.
"""
from __future__ import annotations

from typing import Sequence

from openpyxl.styles import Alignment, Font, PatternFill

from .instructions import CHOICES, OWNERS, text_width
from .schema import INPUT_BY_KEY
from .template import COLUMN_NOTES

RULES: tuple[str, ...] = (
    "只在黄色单元格中填写。表名、列名和其他单元格都受保护：请不要取消保护、修改列名、增加或删除工作表。",
    "工号从下拉列表中选择，只能是本部门员工（见 {roster} 表）；客户编号参照 {clients} 表。",
    "期间、月份、年度只能填写本期（{period}），下拉列表中已列出。",
    "只填数值，不要填写公式，也不要留下 #N/A、#REF! 等错误值。从其他表格复制时请用“选择性粘贴 → 数值”。",
    "填写格式：金额 12000、12,000 或 1.2万；比例 15% 或 0.15；日期 2026-07-01 或 2026/7/1；是否填 Y/N（或 是/否）。",
    "申请编号、事件编号在全公司唯一：已经交给人力的记录不要再次填写，修改请直接联系人力资源部。",
    "保存为 Excel 工作簿 (.xlsx)：不要设置打开密码，不要另存为 .xls 或 .xlsm，不要改动隐藏的内容。",
    "人力导入时逐格检查整个文件：有任何一处问题，整份文件都不会导入，人力会把问题清单（工作表!单元格 + 原因）发回给你修改后重发。",
)

_FILLS = {k: PatternFill("solid", fgColor=c) for k, c in (("section", "D9D9D9"), ("head", "EDEDED"), ("input", "FFF2CC"))}
_WIDTHS = (24, 70, 30)


def manager_instruction_sheet(ws, department: str, period: str, company: str, sheets: Sequence[str],
                              roster_title: str, clients_title: str) -> None:
    """Lay the instructions for one department out on ``ws`` (renamed 填写说明), protected."""
    ws.title = "填写说明"
    for letter, width in zip("ABC", _WIDTHS):
        ws.column_dimensions[letter].width = width
    row = 1

    def put(*values: str, style: str = "") -> None:
        nonlocal row
        lines = 1
        for j, v in enumerate(values, start=1):
            c = ws.cell(row=row, column=j, value=v)
            c.data_type = "s"
            c.alignment = Alignment(wrap_text=True, vertical="top")
            lines = max(lines, _lines(v, _WIDTHS[j - 1]))
            if style:
                c.fill = _FILLS[style]
                c.font = Font(bold=style in ("section", "head"))
        if lines > 1:
            ws.row_dimensions[row].height = 15 * lines + 2
        row += 1

    ws.cell(row=1, column=1, value=f"{company or '本公司'} · {department} · {period} 部门填写模板").font = Font(bold=True, size=16)
    row = 2
    put("", f"本文件由人力资源部生成，只包含 {department} 的员工和本部门需要填写的表。填好后保存，把文件发回人力资源部，"
            "由人力用“导入”按钮（或命令 bonusbook import）并入本期的主工作簿。")
    row += 1
    put("一、填写规则", style="section")
    for i, rule in enumerate(RULES, start=1):
        put(f"第 {i} 条", rule.format(roster=roster_title, clients=clients_title, period=period))
    row += 1
    put("二、本文件中的表", style="section")
    put("工作表", "内容与注意事项", "何时填写", style="head")
    for key in sheets:
        schema = INPUT_BY_KEY[key]
        _who, what, when = OWNERS.get(key, ("", "", ""))
        notes = [f"{schema.column(col).label}：{text}" for (sheet, col), text in COLUMN_NOTES.items() if sheet == key]
        put(schema.header[:31], "；".join([what] + notes), when, style="input")
    put(roster_title, "本部门员工名单（只读），工号下拉列表的来源")
    put(clients_title, "本部门相关客户（只读），客户编号下拉列表的来源")
    row += 1
    put("三、下拉选项的含义", style="section")
    for code, meaning in CHOICES:
        put(code, meaning)
    ws.sheet_view.showGridLines = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True


def _lines(text: str, width: int) -> int:
    """Wrapped lines of ``text`` in a column ``width`` units wide (rows do not grow on open)."""
    return max(1, -(-text_width(text) // max(1, width - 2)))
