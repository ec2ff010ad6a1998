"""The blank workbook template, generated from the schema and the policy defaults.

Never edited by hand: ``bonusbook template OUT`` rebuilds it, and ``templates/``
holds the committed copy. Each input sheet is an Excel Table with bilingual
headers (``标签 (key)``); Policy and Tiers are prefilled from
``policy_defaults`` with Example values visibly marked.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from .atomic import write_with
from .policy_defaults import PARAMS, TIER_DEFAULTS
from .schema import INPUT_BY_KEY, INPUT_SHEETS, Sheet

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
EXAMPLE_FILL = PatternFill("solid", fgColor="FCE4D6")
HEAD_FONT = Font(bold=True)
FORMATS = {"date": "yyyy-mm-dd", "money": "#,##0.00", "percent": "0.00%", "int": "0", "number": "General"}

INSTRUCTIONS = (
    "Bonusbook 销售奖金工作簿 使用说明",
    "",
    "谁填什么：人力资源部维护 设置、员工、客户、成交、政策参数、档位表；各部门经理通过部门模板提交 奖励申请、奖惩事件、KPI 等，由人力导入。",
    "列名写作“中文 (key)”，可调整列顺序，不能改列名。金额可填 12000、12,000 或 1.2万；比例可填 15% 或 0.15；日期可填 2026-07-01 或 2026/7/1。",
    "",
    "一个季度的流程：",
    "1. 在 设置 表填写 period（如 2026Q3）、company、prepared_by（制表人）。",
    "2. 填写或导入各输入表。",
    "3. 校验（Validate）：错误和警告列在 校验结果 表，点击单元格地址可跳转；有错误时不能计算。",
    "4. 计算（Calculate）：生成 计算明细（每一行都有依据说明）和 发放表。",
    "5. 锁定（Lock）：审批人（不能是制表人）确认后锁定，输入表被保护。",
    "6. 发布（Publish）：生成财务导入文件，发布后不可更改；更正在以后期间的 调整 表处理。",
    "",
    "政策参数 和 档位表 预填了制度默认值；标为“示例”的数值来源制度未给出，请按公司实际修改。",
    "档位表每一档写明下限、上限和是否包含边界；有空档、重叠或边界重复时校验会报错，绝不会静默按 0 计算。",
)


def build_template() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "说明"
    for i, line in enumerate(INSTRUCTIONS, start=1):
        ws.cell(row=i, column=1, value=line).alignment = Alignment(wrap_text=False)
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 120
    for schema in INPUT_SHEETS:
        _input_sheet(wb, schema, _prefill(schema.key))
    return wb


def _prefill(key: str) -> list[dict[str, Any]]:
    if key == "Settings":
        return [{"key": k, "value": ""} for k in ("period", "company", "prepared_by", "data_home", "components")]
    if key == "Policy":
        return [{"key": p.key, "value": p.default, "note": ("【示例】" if p.example else "") + p.note} for p in PARAMS]
    if key == "Tiers":
        rows = []
        for t in TIER_DEFAULTS:
            for lo, li, up, ui, val in t.rows:
                rows.append({"table": t.table, "lower": _num(lo), "lower_inclusive": "Y" if li else "N" if lo is not None else "",
                             "upper": _num(up), "upper_inclusive": "Y" if ui else "N" if up is not None else "",
                             "value": _num(val), "note": ("【示例】" if t.example else "") + t.note})
        return rows
    return []


def _num(v: Any) -> Any:
    if v is None:
        return None
    d = Decimal(str(v))
    return int(d) if d == d.to_integral_value() else float(d)


def _input_sheet(wb: openpyxl.Workbook, schema: Sheet, rows: list[dict[str, Any]]) -> None:
    ws = wb.create_sheet(schema.header[:31])
    for j, col in enumerate(schema.columns, start=1):
        c = ws.cell(row=1, column=j, value=col.header)
        c.font = HEAD_FONT
        ws.column_dimensions[get_column_letter(j)].width = max(12, len(col.header) * 1.6)
    fill(ws, schema, rows)
    last = max(2, ws.max_row)
    ref = f"A1:{get_column_letter(len(schema.columns))}{last}"
    table = Table(displayName=f"tbl{schema.key}", ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"
    _validations(ws, schema)


def _validations(ws, schema: Sheet) -> None:
    for j, col in enumerate(schema.columns, start=1):
        letter = get_column_letter(j)
        if col.kind == "bool":
            choices = "Y,N"
        elif col.kind.startswith("enum:"):
            choices = col.kind[5:].replace("|", ",")
        else:
            fmt = FORMATS.get(col.kind)
            if fmt:  # a column style: no empty cells are created, the sheet stays small
                ws.column_dimensions[letter].number_format = fmt
            continue
        dv = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=True,
                            errorTitle="无效取值", error=f"请从下拉列表选择：{choices}")
        dv.add(f"{letter}2:{letter}5000")
        ws.add_data_validation(dv)


def fill(ws, schema: Sheet, rows: Iterable[Mapping[str, Any]]) -> None:
    """Append rows (dicts by column key) under the header of an input sheet."""
    header = {str(c.value): c.column for c in ws[1] if c.value}
    cols = {col.key: header.get(col.header) for col in schema.columns}
    r = last_row(ws) + 1
    for row in rows:
        for key, value in row.items():
            j = cols.get(key)
            if j is None:
                raise KeyError(f"{schema.key} has no column {key}")
            cell = ws.cell(row=r, column=j, value=_plain(value))
            if isinstance(value, str):
                cell.data_type = "s"
        r += 1


def last_row(ws) -> int:
    """The last row holding any value (formatting alone does not count)."""
    for r in range(ws.max_row, 1, -1):
        if any(c.value not in (None, "") for c in ws[r]):
            return r
    return 1


def fill_book(wb: openpyxl.Workbook, data: Mapping[str, Iterable[Mapping[str, Any]]]) -> None:
    """Fill several sheets by key and stretch each Excel Table over its rows."""
    for key, rows in data.items():
        schema = INPUT_BY_KEY[key]
        ws = wb[schema.header[:31]]
        if key in ("Settings",):
            _set_settings(ws, rows)
            continue
        fill(ws, schema, rows)
        for t in ws.tables.values():
            t.ref = f"A1:{get_column_letter(len(schema.columns))}{max(2, last_row(ws))}"


def _set_settings(ws, rows) -> None:
    values = {r["key"]: r["value"] for r in rows}
    for r in range(2, ws.max_row + 1):
        k = ws.cell(row=r, column=1).value
        if k in values:
            ws.cell(row=r, column=2, value=values.pop(k))
    for k, v in values.items():
        ws.cell(row=last_row(ws) + 1, column=1, value=k)
        ws.cell(row=last_row(ws), column=2, value=v)


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def write_template(path: str | Path) -> None:
    wb = build_template()
    write_with(path, lambda tmp: wb.save(tmp))
