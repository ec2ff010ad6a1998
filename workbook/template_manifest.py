"""The hidden manifest of a department template, and the hashes it carries.

A returned department file must be matched to where it came from before a
single row of it reaches the master: which department, which quarter, which
version of the template, and the master's data at the time it was generated.
The manifest is a very hidden, protected key/value sheet (Excel cannot unhide
it from the menu), plus a SHA-256 over its own fields, so a casual edit of the
manifest shows up. That checksum is not a signature: anyone with a script can
recompute it. The import's real protection is checking every row against the
master (employees of the department, known clients, no duplicates).

``reference_sha256`` hashes the protected reference sheets (the department's
employees and clients) as the cells hold them, so an edited or unprotected
reference sheet is caught on import.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from .canonical import canon, dumps, sha256

MANIFEST_TITLE = "bonusbook-manifest"
KIND = "bonusbook-manager-template"
TEMPLATE_VERSION = "1"  # bump when the sheets or columns a manager gets change
FIELDS = (
    ("kind", "文件类型"),
    ("template_version", "模板版本"),
    ("bonusbook_version", "生成程序版本"),
    ("department", "部门"),
    ("period", "期间"),
    ("company", "公司"),
    ("sheets", "包含的输入表（key，逗号分隔）"),
    ("master_sha256", "生成时主工作簿的输入数据哈希"),
    ("roster_sha256", "本部门员工表哈希"),
    ("clients_sha256", "客户清单表哈希"),
    ("manifest_sha256", "以上各项的校验和"),
)
CHECKED = tuple(k for k, _ in FIELDS if k != "manifest_sha256")


def seal(fields: Mapping[str, str]) -> dict[str, str]:
    """The fields plus their checksum, in FIELDS order."""
    out = {k: str(fields.get(k, "")) for k in CHECKED}
    out["manifest_sha256"] = sha256(dumps(out))
    return out


def is_sealed(fields: Mapping[str, str]) -> bool:
    return seal(fields)["manifest_sha256"] == fields.get("manifest_sha256")


def write_manifest(wb, fields: Mapping[str, str]) -> None:
    """Add the manifest sheet (very hidden, protected) to an openpyxl workbook."""
    ws = wb.create_sheet(MANIFEST_TITLE)
    ws.append(["key", "value", "说明"])
    labels = dict(FIELDS)
    for key, value in seal(fields).items():
        ws.append([key, value, labels[key]])
        for c in ws[ws.max_row]:
            c.data_type = "s"
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 70
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def read_manifest(wb) -> dict[str, str] | None:
    """The manifest's key/value pairs, or None when the workbook has none."""
    if MANIFEST_TITLE not in wb.sheetnames:
        return None
    out: dict[str, str] = {}
    for row in wb[MANIFEST_TITLE].iter_rows(min_row=2, max_col=2, values_only=True):
        if row and isinstance(row[0], str) and row[0].strip():
            out[row[0].strip()] = "" if row[1] is None else str(row[1]).strip()
    return out


def reference_sha256(rows: Iterable[Iterable[Any]]) -> str:
    """A reference sheet's cells (header included), each as its canonical form."""
    return sha256(dumps([[canon(_plain(v)) for v in row] for row in rows]))


def _plain(v: Any) -> Any:
    """Cell values as openpyxl may hand them back: 1.0 and 1 are the same number."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v
