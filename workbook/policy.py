"""Policy: the scalar parameters and tier tables a run uses, loaded and checked once.

The defaults live in ``policy_defaults``; a workbook's Policy (政策参数) and Tiers
(档位表) sheets override them. Every table is checked for gaps, overlaps, order
and explicit inclusivity before any rule runs, so a rule can trust a lookup.
A parameter or table the book leaves out falls back to the default with a
warning, never silently.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from . import problems as P
from .cells import CellError, is_blank, parser_for
from .policy_defaults import PARAMS, PARAMS_BY_KEY, TIER_DEFAULTS, TIERS_BY_NAME
from .tiers import Band, TierTable, check_bands, make_table


@dataclass(frozen=True)
class Policy:
    params: dict[str, Any] = field(default_factory=dict)
    tiers: dict[str, TierTable] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def tier(self, name: str) -> TierTable:
        return self.tiers[name]

    def canonical(self) -> dict:
        """A JSON-ready, order-stable form, for hashing at lock time."""
        return {
            "params": {k: _canon(v) for k, v in sorted(self.params.items())},
            "tiers": {
                n: [[_canon(b.lower), b.lower_inclusive, _canon(b.upper), b.upper_inclusive, _canon(b.value)] for b in t.bands]
                for n, t in sorted(self.tiers.items())
            },
        }


def _canon(v: Any) -> Any:
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def _parse_param(key: str, raw: Any) -> Any:
    spec = PARAMS_BY_KEY[key]
    if is_blank(raw):
        return None
    return parser_for(spec.kind)(raw)


def default_policy() -> Policy:
    params = {p.key: _parse_param(p.key, p.default) for p in PARAMS}
    tiers = {t.table: make_table(t.table, t.rows, t.percent) for t in TIER_DEFAULTS}
    return Policy(params, tiers)


def load_policy(policy_rows: Iterable | None, tier_rows: Iterable | None,
                policy_title: str = "Policy", tiers_title: str = "Tiers") -> tuple[Policy, list[P.Problem]]:
    """Policy from sheet rows (typed rows of the Policy and Tiers sheets)."""
    base = default_policy()
    probs: list[P.Problem] = []
    params = dict(base.params)
    if policy_rows is not None:
        seen = set()
        for r in policy_rows:
            key = r.key.strip()
            if key not in PARAMS_BY_KEY:
                probs.append(P.warning(policy_title, f"A{r.row}", "key", f"未知参数 {key}，已忽略", found=key))
                continue
            seen.add(key)
            try:
                params[key] = _parse_param(key, r.value)
            except CellError as e:
                probs.append(P.error(policy_title, f"B{r.row}", "value", f"参数 {key}：{e.message}", e.expected, e.found))
        for p in PARAMS:
            if p.key not in seen:
                probs.append(P.warning(policy_title, "", "key", f"缺少参数 {p.key}，已使用默认值 {p.default or '(空)'}", expected=p.key))
    tiers = dict(base.tiers)
    if tier_rows is not None:
        grouped: dict[str, list] = {}
        for r in tier_rows:
            grouped.setdefault(r.table.strip(), []).append(r)
        for name, rows in grouped.items():
            bands, bprobs = _bands(name, rows, tiers_title)
            probs.extend(bprobs)
            if name not in TIERS_BY_NAME:
                probs.append(P.warning(tiers_title, f"A{rows[0].row}", "table", f"未知档位表 {name}，已忽略", found=name))
                continue
            if not bprobs:
                probs.extend(check_bands(name, bands, tiers_title))
            tiers[name] = TierTable(name, tuple(bands), TIERS_BY_NAME[name].percent)
        for t in TIER_DEFAULTS:
            if t.table not in grouped:
                probs.append(P.warning(tiers_title, "", "table", f"档位表 {t.table} 缺失，已使用默认档位", expected=t.table))
    table_param = params.get("nc_table")
    if table_param and table_param not in tiers:
        probs.append(P.error(policy_title, "", "value", f"参数 nc_table 指向不存在的档位表 {table_param}", found=table_param))
    return Policy(params, tiers), probs


def _bands(name: str, rows: list, sheet: str) -> tuple[list[Band], list[P.Problem]]:
    out, probs = [], []
    for r in rows:
        for bound, flag, col in ((r.lower, r.lower_inclusive, "C"), (r.upper, r.upper_inclusive, "E")):
            if bound is not None and flag is None:
                probs.append(P.error(sheet, f"{col}{r.row}", "inclusive", f"档位表 {name}：填写了边界就必须注明是否包含（Y/N）", expected="Y 或 N", found="(空)"))
        out.append(Band(r.lower, bool(r.lower_inclusive), r.upper, bool(r.upper_inclusive), r.value, r.row))
    return out, probs
