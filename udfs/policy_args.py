"""The policy a UDF uses: the defaults, unless the formula passes the book's own ranges.

A cell function cannot see the workbook's Policy and Tiers sheets on its own (a
UDF only gets its arguments), so the rule is explicit: without a policy range
it uses the policy defaults that ship with the engine (the same numbers the
template is prefilled with); with ``tblTiers[#Data]`` / ``tblPolicy[#Data]`` (or
the names ``bb_tiers`` / ``bb_policy``) it reads them exactly as Calculate reads
the sheets: the same cell parsers, the same checks for gaps and overlaps. A header row, if the
range includes one, is skipped.
"""
from __future__ import annotations

from typing import Any

from workbook import problems as P
from workbook.cells import CellError, is_blank, parser_for
from workbook.policy import Policy, default_policy, load_policy
from workbook.schema import INPUT_BY_KEY, header_aliases, norm_header
from workbook.tables import make_row

from .shape import UdfError

_DEFAULT: Policy | None = None


def policy_from(policy_range: Any = None, tiers_range: Any = None) -> Policy:
    """The policy for one UDF call; ``UdfError`` (Chinese) when a given range is wrong."""
    global _DEFAULT
    if _empty(policy_range) and _empty(tiers_range):
        if _DEFAULT is None:
            _DEFAULT = default_policy()
        return _DEFAULT
    policy_rows = None if _empty(policy_range) else _rows("Policy", policy_range)
    tier_rows = None if _empty(tiers_range) else _rows("Tiers", tiers_range)
    policy, probs = load_policy(policy_rows, tier_rows)
    errors = [p for p in probs if p.severity == P.ERROR]
    if errors:
        first = errors[0]
        where = f"区域第 {int(first.cell[1:]) - 1} 行：" if first.cell[1:].isdigit() else ""
        raise UdfError(f"政策区域有误（{where}{first.message}）" + (f"，另有 {len(errors) - 1} 处" if len(errors) > 1 else ""))
    return policy


def _empty(rng: Any) -> bool:
    if rng is None:
        return True
    if isinstance(rng, (list, tuple)):
        return all(_empty(v) for v in rng)
    return is_blank(rng)


def _rows(sheet_key: str, rng: Any) -> list:
    """Typed rows of the Policy or Tiers sheet from a 2-D range, columns in sheet order."""
    schema = INPUT_BY_KEY[sheet_key]
    if not isinstance(rng, (list, tuple)) or not rng or not isinstance(rng[0], (list, tuple)):
        raise UdfError(f"{schema.label}区域应为多行多列的区域，如 tbl{sheet_key}[#Data]")
    cols = schema.columns
    need = sum(1 for c in cols if c.required and c.key != "note")
    first = rng[0]
    if first and norm_header(first[0]) in header_aliases(cols[0].key, cols[0].label):
        rng = rng[1:]  # the range includes the header row
    rows = []
    for i, raw in enumerate(rng, start=2):
        raw = list(raw)
        if len(raw) < need:
            raise UdfError(f"{schema.label}区域至少要有 {need} 列（{'、'.join(c.label for c in cols[:need])}），实际只有 {len(raw)} 列")
        if all(is_blank(v) for v in raw):
            continue
        values = {}
        for c, v in zip(cols, raw):
            if is_blank(v):
                if not c.optional_value:
                    raise UdfError(f"{schema.label}区域第 {i - 1} 行 {c.label} 不能为空")
                values[c.key] = None
                continue
            try:
                values[c.key] = parser_for(c.kind)(v)
            except CellError as e:
                raise UdfError(f"{schema.label}区域第 {i - 1} 行 {c.label}：{e.message}") from None
        rows.append(make_row(sheet_key, row=i, **values))
    return rows
