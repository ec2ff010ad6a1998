"""Shared test builders: a Book from inline rows, and a filled template on disk.

``book_from`` sends every value through the same cell parsers a real file goes
through, so tests can write rows the way HR types them ("12,000", "15%", "Y").
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from workbook.cells import is_blank, parser_for  # noqa: E402
from workbook.model import Book, Settings  # noqa: E402
from workbook.periods import Quarter  # noqa: E402
from workbook.policy import default_policy  # noqa: E402
from workbook.schema import INPUT_BY_KEY  # noqa: E402
from workbook.tables import make_row  # noqa: E402


def typed_rows(sheet_key: str, rows: list[dict[str, Any]]) -> list:
    schema = INPUT_BY_KEY[sheet_key]
    kinds = {c.key: c.kind for c in schema.columns}
    out = []
    for i, r in enumerate(rows, start=2):
        vals = {k: (None if is_blank(v) else parser_for(kinds[k])(v)) for k, v in r.items()}
        out.append(make_row(sheet_key, row=i, **vals))
    return out


def book_from(period: str = "2026Q3", policy=None, params: dict | None = None, components: tuple = (),
              carried: dict | None = None, **sheets: list[dict[str, Any]]) -> Book:
    """A Book built in memory; ``params`` overrides policy parameters (typed values)."""
    pol = policy or default_policy()
    if params:
        pol = type(pol)({**pol.params, **params}, pol.tiers)
    tables = {k: typed_rows(k, v) for k, v in sheets.items()}
    columns = {k: {c.key: j for j, c in enumerate(INPUT_BY_KEY[k].columns)} for k in sheets}
    settings = Settings(Quarter.parse(period), "测试公司", "制表人", "", components)
    return Book(settings, pol, tables, {k: k for k in sheets}, columns, carried or {})


def emp(eid: str, **kw) -> dict[str, Any]:
    base = {"employee_id": eid, "name": f"员工{eid}", "department": "销售部", "team": "T1", "performance_bonus": "5000"}
    base.update(kw)
    return base


def client(cid: str, **kw) -> dict[str, Any]:
    base = {"client_id": cid, "name": f"客户{cid}", "important": "N", "strategic": "N"}
    base.update(kw)
    return base


def deal(did: str, cid: str, eid: str, signed_on: str, amount: str, share: str = "100%", **kw) -> dict[str, Any]:
    base = {"deal_id": did, "client_id": cid, "employee_id": eid, "share": share, "signed_on": signed_on, "amount": amount}
    base.update(kw)
    return base


def claim(qid: str, eid: str, cid: str, submitted: str = "2026-10-09", dept_on: str = "2026-10-10",
          hr_on: str = "2026-10-12", **kw) -> dict[str, Any]:
    base = {"claim_id": qid, "employee_id": eid, "client_id": cid, "submitted_on": submitted,
            "dept_approver": "部门经理", "dept_approved_on": dept_on, "hr_approver": "人力专员", "hr_approved_on": hr_on}
    base.update(kw)
    return base


def as_xlsm(xlsx, path, vba: bytes = b"VBA" * 100):
    """A macro-enabled copy of a workbook: the content type switched and a (dummy) VBA project added."""
    import zipfile

    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            dst.writestr(info, data)
        dst.writestr("xl/vbaProject.bin", vba)
    return path
