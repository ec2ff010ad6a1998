"""Cell function for the grade review: is a manager eligible for a level, and if not, why.

The GradeReview sheet has many columns, so this function takes the table with
its header row (``tblGradeReview[#All]``) and finds the columns by header text,
as the engine does. Each data row answers 符合 or 不符合 followed by the failing
criteria, from ``grade_criteria.eligibility``, the function the GR rule uses.
"""
from __future__ import annotations

import xlwings as xw

from workbook.cells import CellError
from workbook.rules.grade_criteria import CRITERION_ZH, eligibility
from workbook.rules.grade_inputs import GradeInputError
from workbook.schema import GRADE_REVIEW, header_aliases, norm_header

from .policy_args import policy_from
from .shape import UdfError, blank, column, err, excel_safe

CATEGORY = "Bonusbook"
EXTRA = {"current_grade": "现等级"}  # not on GradeReview (it comes from Employees), accepted as an extra column


def _columns(header: list) -> dict[str, int]:
    aliases = {c.key: header_aliases(c.key, c.label) for c in GRADE_REVIEW.columns}
    aliases.update({k: header_aliases(k, v) for k, v in EXTRA.items()})
    found = {}
    for j, h in enumerate(header):
        key = next((k for k, a in aliases.items() if norm_header(h) in a), None)
        if key is not None and key not in found:
            found[key] = j
    return found


@xw.func(category=CATEGORY)
@xw.arg("level", ndim=2, doc="要评定的等级（初级/中级/高级）：一个单元格或与材料同样多行的一列；留空则用材料中的申请等级列")
@xw.arg("materials", ndim=2, doc="评审材料区域，含表头行，如 tblGradeReview[#All]；可另加“现等级 (current_grade)”列")
@xw.arg("policy", ndim=2, doc="可选：政策参数区域 tblPolicy[#Data]（各项门槛）")
@excel_safe
def BB_GRADE_CHECK(level, materials, policy=None):
    """等级评审：每名客户经理是否符合所评等级的全部条件；不符合时列出未达到的条件。只做判断，不改变等级。"""
    if not isinstance(materials, (list, tuple)) or len(materials) < 2 or not isinstance(materials[0], (list, tuple)):
        raise UdfError("评审材料应为带表头的区域（至少一行表头和一行数据），如 tblGradeReview[#All]")
    cols = _columns(list(materials[0]))
    if not cols:
        raise UdfError("评审材料的第一行应是 等级评审 表的表头（如 学历 (education)）：请选择 tblGradeReview[#All]")
    data = materials[1:]
    levels = column(level, "level")
    if len(levels) == 1:
        levels = levels * len(data)
    if len(levels) != len(data):
        raise UdfError(f"等级列有 {len(levels)} 行，评审材料有 {len(data)} 行数据：请选择同样多行")
    params = policy_from(policy, None)
    out = []
    for lvl, row in zip(levels, data):
        values = {key: (row[j] if j < len(row) else None) for key, j in cols.items()}
        if all(blank(v) for v in values.values()):
            out.append([""])
            continue
        if blank(lvl):
            lvl = values.get("applied_level")
        if blank(lvl):
            out.append([err("没有要评定的等级：请填写等级参数或申请等级列")])
            continue
        try:
            ok, results = eligibility(values, lvl, params)
        except GradeInputError as e:
            out.append([err(e.message)])
            continue
        except CellError as e:
            out.append([err(e.message)])
            continue
        failed = [CRITERION_ZH.get(r.key, r.key) for r in results if not r.passed]
        out.append(["符合" if ok else "不符合：" + "、".join(failed)])
    return out or [[""]]
