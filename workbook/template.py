"""The blank workbook template, generated from the schema and the policy defaults.

Never edited by hand: ``bonusbook template OUT`` rebuilds it, and ``templates/``
holds the committed copy (a test checks it still matches the generator). What HR
gets:

* 说明: the instruction sheet (words in ``instructions``), protected;
* every input sheet as an Excel Table named ``tbl<Key>`` with bilingual headers
  (``标签 (key)``), yellow input columns carrying the right number or date
  format, a typing hint on every column and dropdowns wherever the engine only
  accepts a fixed list (incident kinds and severities, Y/N, education, levels,
  revenue types, ratings...);
* Policy and Tiers prefilled from ``policy_defaults``, Example values in orange
  with a 【示例】 note;
* the output sheets (Results, Payout, Validation) with their headers, protected;
* an ``xlwings.conf`` sheet so desktop Excel finds the UDF module;
* defined names ``bb_period``, ``bb_policy``, ``bb_tiers`` for UDF arguments.

Generation is deterministic (fixed document timestamps, fixed zip entry times),
so regenerating an unchanged template gives the same bytes.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from copy import copy
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.writer.excel import ExcelWriter

from . import __version__
from .atomic import write_with
from .cells import parser_for
from .lines import ITEM_NAMES
from .outputs import RESULTS_HEADER, VALIDATION_HEADER
from .calculate import PAYOUT_COLUMNS
from .policy_defaults import PARAMS, TIER_DEFAULTS
from .schema import INPUT_BY_KEY, INPUT_SHEETS, LEVELS, OUTPUT_SHEETS, Column, Sheet
from .instructions import instruction_sheet, text_width, wrapped_lines

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
EXAMPLE_FILL = PatternFill("solid", fgColor="F8CBAD")
INPUT_HEAD_FILL = PatternFill("solid", fgColor="C6E0B4")
OUTPUT_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
HEAD_FONT = Font(bold=True)
FIXED_TIME = dt.datetime(2026, 1, 1)  # document timestamps: the same bytes on every run
DV_ROWS = 20000
NOTE_WIDTH = 56  # dropdowns and hints cover this many rows below the header

FORMATS = {
    "date": "yyyy-mm-dd", "money": "#,##0.00", "percent": "0.00%", "int": "0", "number": "General",
    "id": "@", "text": "@", "period": "@", "month": "@", "year": "0", "bool": "@",
}
HINTS = {
    "id": "编号，按文本输入，如 E001、C0001",
    "text": "文字",
    "number": "数字，如 12.5",
    "money": "金额（元），如 12000、12,000 或 1.2万",
    "percent": "比例，如 15% 或 0.15",
    "int": "整数，如 3",
    "date": "日期，如 2026-07-01 或 2026/7/1",
    "month": "月份，如 2026-07",
    "period": "季度，如 2026Q3",
    "year": "四位年份，如 2026",
    "bool": "Y 或 N（也可填 是/否）",
}
# Text columns that still take a short known list: a dropdown that warns but allows other text.
SOFT_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("Employees", "grade"): LEVELS,
    ("GradeReview", "exam_level"): LEVELS,
    ("Clients", "class"): ("金牌", "钻石", "铂金", "白金", "银", "A", "B", "C"),
    ("Adjustments", "item_code"): tuple(ITEM_NAMES),
}
COLUMN_NOTES: dict[tuple[str, str], str] = {
    ("Deals", "share"): "同一成交编号各人的分成比例合计必须为 100%",
    ("Deals", "amount"): "多人合作时每一行都填整笔成交金额",
    ("Incidents", "severity"): "客户流失填 important/general，投诉填 minor/serious，违规留空",
    ("KPI", "weight"): "同一员工同一期间的权重合计必须为 100%",
    ("KPI", "score"): "定性指标填评分 0–120；定量指标留空，按实际/目标计算",
    ("Claims", "uplift"): "仅战略客户，须填写上浮理由",
    ("Calendar", "date"): "每天一行，按国务院办公厅节假日安排通知填写",
    ("Calendar", "kind"): "holiday=放假，workday=调休上班（周末上班）",
}
SETTINGS_ROWS = (
    ("period", "计算期间（季度），如 2026Q3"),
    ("company", "公司名称"),
    ("prepared_by", "制表人姓名（锁定人不能是制表人）"),
    ("data_home", "台账和发布文件所在文件夹；空=工作簿旁边的 bonusbook-data 文件夹"),
    ("components", "启用的组件代码，用逗号分隔，如 NC,MT,SA；空=有数据的组件都计算"),
    ("as_of", "评审基准日（判断等级评审公示期是否结束）；空=计算当天。填写后重复计算结果不随日期变化"),
)


def build_template() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    instruction_sheet(wb.active)
    for schema in INPUT_SHEETS:
        _input_sheet(wb, schema, _prefill(schema.key))
    for key, header in (("Results", RESULTS_HEADER), ("Payout", PAYOUT_COLUMNS), ("Validation", VALIDATION_HEADER)):
        _output_sheet(wb, key, header)
    _xlwings_conf(wb)
    _defined_names(wb)
    wb.active = 0
    props = wb.properties
    props.creator, props.lastModifiedBy, props.title = "bonusbook", "bonusbook", f"Bonusbook 模板 {__version__}"
    props.created = props.modified = FIXED_TIME
    return wb


def sheet_title(schema: Sheet) -> str:
    return schema.header[:31]


# ---------------------------------------------------------------- input sheets
def _prefill(key: str) -> list[dict[str, Any]]:
    if key == "Settings":
        return [{"key": k, "value": None} for k, _ in SETTINGS_ROWS]
    if key == "Policy":
        return [{"key": p.key, "value": _typed(p.kind, p.default), "note": ("【示例】" if p.example else "") + p.note} for p in PARAMS]
    if key == "Tiers":
        rows = []
        for t in TIER_DEFAULTS:
            for lo, li, up, ui, val in t.rows:
                rows.append({"table": t.table, "lower": _num(lo), "lower_inclusive": "Y" if li else "N" if lo is not None else None,
                             "upper": _num(up), "upper_inclusive": "Y" if ui else "N" if up is not None else None,
                             "value": _num(val), "note": ("【示例】" if t.example else "") + t.note})
        return rows
    return []


def _typed(kind: str, text: str) -> Any:
    """A policy default as Excel should hold it: a number, a date, Y/N or text."""
    if text == "":
        return None
    value = parser_for(kind)(text)
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, Decimal):
        return _num(value)
    return value


def _num(v: Any) -> Any:
    if v is None:
        return None
    d = Decimal(str(v))
    return int(d) if d == d.to_integral_value() else float(d)


def _input_sheet(wb: openpyxl.Workbook, schema: Sheet, rows: list[dict[str, Any]]) -> None:
    ws = wb.create_sheet(sheet_title(schema))
    for j, col in enumerate(schema.columns, start=1):
        letter = get_column_letter(j)
        dim = ws.column_dimensions[letter]
        dim.width = max(12, min(40, text_width(col.header) + 3))
        dim.number_format = FORMATS.get(col.kind, "General")
        dim.fill = INPUT_FILL
        dim.alignment = Alignment(vertical="top", horizontal="center" if col.kind == "bool" else None)
        c = ws.cell(row=1, column=j, value=col.header)
        c.font, c.fill = HEAD_FONT, INPUT_HEAD_FILL
        c.alignment = Alignment(wrap_text=True, vertical="center")
        c.number_format = "General"
    ws.row_dimensions[1].height = 32
    fill(ws, schema, rows)
    table = Table(displayName=f"tbl{schema.key}", ref=_table_ref(ws, schema))
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=False)
    ws.add_table(table)
    ws.freeze_panes = "B2" if schema.key not in ("Settings", "Policy") else "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _validations(ws, schema)
    if schema.key == "Settings":
        _settings_hints(ws)
    if schema.key in ("Policy", "Tiers"):
        _dress_policy(ws, schema)


build_input_sheet = _input_sheet  # the department templates (manager_template) lay sheets out the same way


def _table_ref(ws, schema: Sheet) -> str:
    return f"A1:{get_column_letter(len(schema.columns))}{max(2, last_row(ws))}"


def _hint(schema: Sheet, col: Column) -> str:
    if col.kind.startswith("enum:"):
        text = "从下拉列表选择：" + " / ".join(col.kind[5:].split("|"))
    else:
        text = HINTS.get(col.kind, "")
    note = COLUMN_NOTES.get((schema.key, col.key))
    if note:
        text += "。" + note
    text += "。" + ("可留空" if col.optional_value else "必填")
    return text[:250]


def _validations(ws, schema: Sheet) -> None:
    for j, col in enumerate(schema.columns, start=1):
        letter = get_column_letter(j)
        rng = f"{letter}2:{letter}{DV_ROWS}"
        strict = None
        if col.kind == "bool":
            choices, strict = ("Y", "N"), False
        elif col.kind.startswith("enum:"):
            choices, strict = tuple(col.kind[5:].split("|")), True
        elif (schema.key, col.key) in SOFT_CHOICES:
            choices, strict = SOFT_CHOICES[(schema.key, col.key)], False
        if schema.key == "Settings" and col.key == "value":
            continue  # per-row hints instead
        if strict is None:
            dv = DataValidation(showInputMessage=True, allow_blank=True)
        else:
            listed = ",".join(choices)
            dv = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True, showErrorMessage=True,
                                showInputMessage=True, errorStyle="stop" if strict else "warning",
                                errorTitle="不是可选值", error=f"请从下拉列表选择：{listed}"[:250])
        dv.promptTitle = col.label[:32]
        dv.prompt = _hint(schema, col)
        dv.add(rng)
        ws.add_data_validation(dv)


def _settings_hints(ws) -> None:
    for r in range(2, last_row(ws) + 1):
        key = ws.cell(row=r, column=1).value
        hint = dict(SETTINGS_ROWS).get(key)
        if hint:
            dv = DataValidation(showInputMessage=True, allow_blank=True, promptTitle=str(key)[:32], prompt=hint)
            dv.add(f"B{r}")
            ws.add_data_validation(dv)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 40


def _dress_policy(ws, schema: Sheet) -> None:
    """Per-row formats (a percent shows as 50%, a date as a date), widths from the content,
    and Example rows in orange: the value and note of a parameter, the whole row of a tier."""
    keys = [c.key for c in schema.columns]
    note_col, value_col = keys.index("note") + 1, keys.index("value") + 1
    kinds = {p.key: p.kind for p in PARAMS}
    percent_tables = {t.table for t in TIER_DEFAULTS if t.percent}
    for r in range(2, last_row(ws) + 1):
        first = ws.cell(row=r, column=1).value
        if schema.key == "Policy":
            cell = ws.cell(row=r, column=value_col)
            cell.number_format = _value_format(kinds.get(first, "text"), cell.value)
        elif first in percent_tables:
            for key in ("lower", "upper"):
                cell = ws.cell(row=r, column=keys.index(key) + 1)
                cell.number_format = _value_format("percent", cell.value)
        if str(ws.cell(row=r, column=note_col).value or "").startswith("【示例】"):
            for j in range(1, len(keys) + 1) if schema.key == "Tiers" else (value_col, note_col):
                ws.cell(row=r, column=j).fill = EXAMPLE_FILL
    for j in range(1, len(keys) + 1):
        content = max((text_width(_shown(ws.cell(row=r, column=j).value)) for r in range(1, last_row(ws) + 1)), default=0)
        ws.column_dimensions[get_column_letter(j)].width = max(10, min(NOTE_WIDTH if j == note_col else 40, content + 2))
    for r in range(2, last_row(ws) + 1):  # long notes wrap inside their column; the row grows to show them
        cell = ws.cell(row=r, column=note_col)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        lines = wrapped_lines(str(cell.value or ""), NOTE_WIDTH)
        if lines > 1:
            ws.row_dimensions[r].height = 15 * lines + 2


def _value_format(kind: str, value: Any) -> str:
    if kind == "percent":
        whole = isinstance(value, (int, float)) and float(Decimal(str(value)) * 100).is_integer()
        return "0%" if whole else "0.00%"
    if kind == "money":
        return "#,##0" if isinstance(value, int) else "#,##0.00"
    return FORMATS.get(kind, "General")


def _shown(value: Any) -> str:
    """Roughly what a cell shows, for sizing columns."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


# ------------------------------------------------------- filling input sheets
def fill(ws, schema: Sheet, rows: Iterable[Mapping[str, Any]]) -> None:
    """Append rows (dicts by column key) under the header of an input sheet.

    Each written cell takes its column's style (format, fill), as a cell typed
    in Excel would; strings stay strings even when they look like formulas.
    """
    header = {str(c.value): c.column for c in ws[1] if c.value}
    cols = {col.key: header.get(col.header) for col in schema.columns}
    styles = {j: ws.column_dimensions[get_column_letter(j)]._style for j in header.values()}
    r = last_row(ws) + 1
    for row in rows:
        for key, value in row.items():
            j = cols.get(key)
            if j is None:
                raise KeyError(f"{schema.key} has no column {key}")
            cell = ws.cell(row=r, column=j, value=_plain(value))
            cell._style = copy(styles[j])
            if isinstance(value, (dt.date, dt.datetime)) and cell.number_format in ("@", "General"):
                cell.number_format = "yyyy-mm-dd"
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
        ws = wb[sheet_title(schema)]
        if key == "Settings":
            _set_settings(ws, rows)
        else:
            fill(ws, schema, rows)
        for t in ws.tables.values():
            t.ref = _table_ref(ws, schema)


def _set_settings(ws, rows) -> None:
    values = {r["key"]: r["value"] for r in rows}
    style = ws.column_dimensions["B"]._style
    for r in range(2, ws.max_row + 1):
        k = ws.cell(row=r, column=1).value
        if k in values:
            _put(ws, r, 2, values.pop(k), style)
    for k, v in values.items():
        r = last_row(ws) + 1
        _put(ws, r, 1, k, ws.column_dimensions["A"]._style)
        _put(ws, r, 2, v, style)


def _put(ws, r: int, j: int, value: Any, style) -> None:
    cell = ws.cell(row=r, column=j, value=_plain(value))
    cell._style = copy(style)
    if isinstance(value, str):
        cell.data_type = "s"


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


# ------------------------------------------------------ output and conf sheets
def _output_sheet(wb: openpyxl.Workbook, key: str, header: Iterable[str]) -> None:
    ws = wb.create_sheet(f"{OUTPUT_SHEETS[key]} ({key})")
    for j, name in enumerate(header, start=1):
        c = ws.cell(row=1, column=j, value=name)
        c.font, c.fill = HEAD_FONT, OUTPUT_HEAD_FILL
        ws.column_dimensions[get_column_letter(j)].width = 60 if name in ("basis", "message") else 14
    ws.cell(row=2, column=1, value="（由“计算”按钮或 bonusbook calculate 生成，请勿手工修改）").font = Font(italic=True, color="808080")
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.protection.sheet = True


def _xlwings_conf(wb: openpyxl.Workbook) -> None:
    """xlwings reads column A/B from A1 down to the first blank: only real settings there."""
    ws = wb.create_sheet("xlwings.conf")
    ws["A1"], ws["B1"] = "UDF Modules", "udfs"
    notes = (
        "xlwings 设置（A、B 两列从第 1 行起连续填写，不要表头）",
        "UDF Modules = udfs：单元格函数 BB_* 所在的 Python 模块（Import Functions 时使用）",
        "宏所在的模块：macros（VBA 中 RunPython \"import macros; macros.calculate()\"，见 bonusbook.bas）",
        "需要为本工作簿指定 Python 时，在 A2/B2 填写 Interpreter_Win（或 Interpreter_Mac）和 python.exe 的完整路径",
        "找不到模块（ModuleNotFoundError）时，在下一行填写 PYTHONPATH 和项目文件夹",
        "注意：A 列中写了的设置即使 B 列为空也会覆盖加载项里的设置，不用的项请整行删除",
    )
    for i, text in enumerate(notes, start=1):
        ws.cell(row=i, column=4, value=text)
    ws["D1"].font = HEAD_FONT
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 30


def _defined_names(wb: openpyxl.Workbook) -> None:
    settings = sheet_title(INPUT_BY_KEY["Settings"])
    names = {
        "bb_period": f"'{settings}'!$B$2",
        "bb_policy": "tblPolicy[#Data]",
        "bb_tiers": "tblTiers[#Data]",
    }
    for name, ref in names.items():
        wb.defined_names[name] = DefinedName(name, attr_text=ref)


# ---------------------------------------------------------------------- saving
def save_workbook(wb: openpyxl.Workbook, target: str | Path) -> None:
    """Save atomically with fixed timestamps, so the same workbook gives the same bytes."""
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)).save()  # save_workbook would stamp "now"
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info))
    write_with(target, lambda tmp: tmp.write_bytes(out.getvalue()))


def write_template(path: str | Path) -> None:
    save_workbook(build_template(), path)
