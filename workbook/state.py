"""The one state machine of a quarter: DRAFT → CALCULATED → LOCKED → PUBLISHED.

Every state change in the product asks this module first, and every refusal is
one Chinese line that states the rule, so HR learns the rule from the message.

Where the state lives: the ledger is authoritative for LOCKED and PUBLISHED
(and for a reopen); DRAFT and CALCULATED are the workbook's own business and
are read from its Status sheet, where calculate records the hash of the inputs
it used. A calculated book whose inputs changed since is DRAFT again (stale).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

DRAFT, CALCULATED, LOCKED, PUBLISHED = "DRAFT", "CALCULATED", "LOCKED", "PUBLISHED"
STATE_ZH = {DRAFT: "草稿", CALCULATED: "已计算", LOCKED: "已锁定", PUBLISHED: "已发布"}
CALCULATE, LOCK, REOPEN, PUBLISH = "calculate", "lock", "reopen", "publish"

# action -> states it may start from
ALLOWED = {
    CALCULATE: (DRAFT, CALCULATED),
    LOCK: (CALCULATED,),
    REOPEN: (LOCKED,),
    PUBLISH: (LOCKED, PUBLISHED),  # PUBLISHED: re-publishing the same content is a no-op
}


@dataclass(frozen=True)
class Where:
    """What the refusal lines need to know about the period."""

    period: str
    state: str
    locked_by: str = ""
    locked_at: str = ""


def effective_state(ledger_state: str | None, status_state: str, status_inputs: str, current_inputs: str) -> str:
    """The period's state from the ledger's word and the Status sheet's."""
    if ledger_state in (LOCKED, PUBLISHED):
        return ledger_state
    if status_state in (CALCULATED, LOCKED, PUBLISHED) and status_inputs and status_inputs == current_inputs:
        return CALCULATED  # LOCKED/PUBLISHED in the sheet but not in the ledger: callers report that separately
    return DRAFT


def refusal(action: str, w: Where) -> str | None:
    """None when ``action`` may start from ``w.state``; otherwise the rule, in one line."""
    if w.state in ALLOWED[action]:
        return None
    p = w.period
    by = f"已由 {w.locked_by} 于 {w.locked_at} 锁定" if w.locked_by else "已锁定"
    lines = {
        (CALCULATE, LOCKED): f"{p} {by}：锁定后不能重新计算；如需修改，须由锁定人以外的人 reopen 并写明理由",
        (CALCULATE, PUBLISHED): f"{p} 已发布：已发布的期间永不更改；更正请在以后期间的 调整 (Adjustments) 表中录入",
        (LOCK, DRAFT): f"{p} 的计算结果不存在或已过期：锁定前须先计算，且计算后不能再改动输入",
        (LOCK, LOCKED): f"{p} {by}：同一期间不能重复锁定",
        (LOCK, PUBLISHED): f"{p} 已发布：已发布的期间不能再锁定",
        (REOPEN, DRAFT): f"{p} 未锁定：只有已锁定且未发布的期间才能 reopen",
        (REOPEN, CALCULATED): f"{p} 未锁定：只有已锁定且未发布的期间才能 reopen",
        (REOPEN, PUBLISHED): f"{p} 已发布：已发布的期间不能 reopen；更正请在以后期间的 调整 (Adjustments) 表中录入",
        (PUBLISH, DRAFT): f"{p} 未锁定：发布前须先计算，并由制表人以外的审批人锁定",
        (PUBLISH, CALCULATED): f"{p} 未锁定：发布前须由制表人以外的审批人锁定（lock）",
    }
    return lines[(action, w.state)]


def same_person(a: str, b: str) -> bool:
    """Names compared as people type them: width, case and spaces do not matter."""
    def norm(s: str) -> str:
        return "".join(unicodedata.normalize("NFKC", s or "").casefold().split())

    return bool(norm(a)) and norm(a) == norm(b)


def maker_checker(by: str, prepared_by: str) -> str | None:
    if not (by or "").strip():
        return "锁定须写明审批人姓名（--by 姓名）"
    if same_person(by, prepared_by):
        return f"审批人不能是制表人（prepared_by = {prepared_by}）：锁定须由另一人审批（制表与审批分离）"
    return None


def reopen_guard(by: str, reason: str, locked_by: str) -> str | None:
    if not (by or "").strip():
        return "reopen 须写明执行人姓名（--by 姓名）"
    if not (reason or "").strip():
        return "reopen 必须写明理由（--reason 理由）"
    if same_person(by, locked_by):
        return f"reopen 须由锁定人（{locked_by}）以外的人执行"
    return None
