"""The demo's life of a quarter, after its first calculate: approve, lock, verify, publish,
then a second quarter (2026Q1) that starts from the first one's locked closing state.

What it shows, in order: the preparer cannot approve (maker ≠ checker); a
pending claim blocks the lock until HR approves it and the book is recalculated;
the checker locks; verify passes; publish writes the finance files and a second
publish changes nothing. In 2026Q1 nobody retypes anything: KA's open shortfalls
and carried excess, the PN violation history (E011 and E012 violate again, and
only the ledger knows their earlier violations) and GR's failing years come
from the ledger; an Adjustments row corrects 2025Q4 as an ADJ line.
"""
from __future__ import annotations

import copy
import datetime as dt
import shutil
from pathlib import Path
from typing import Any, Callable

import openpyxl

from . import problems as P
from .flows import Outcome, calculate_flow, lock_flow, publish_flow, verify_flow
from .lines import PAID
from .schema import INPUT_BY_KEY, header_aliases, norm_header
from .status_sheet import read_status

CHECKER = "李审批"
PUBLISHER = "财务王会计"
NEXT = "2026Q1"
NEXT_COMPONENTS = "NC,SA,PN,KA,KP"


def clear_data_home(folder: Path) -> None:
    """A rerun of the demo starts from an empty ledger (only the demo's own files are removed)."""
    home = folder / "bonusbook-data"
    if home.is_dir() and {p.name for p in home.iterdir()} <= {"ledger.sqlite3", "ledger.sqlite3-journal", "published"}:
        shutil.rmtree(home)


def _show(step: str, res: Outcome, limit: int = 3) -> None:
    print(f"\n▶ {step}")
    for p in [p for p in res.problems if p.severity == P.ERROR][:limit]:
        print("  " + p.render())
    for s in res.summary:
        print(f"  {s}")


def _approve_pending(book: Path, on: dt.date) -> int:
    """HR gives final approval to every claim still waiting for it (as typed in Excel)."""
    wb = openpyxl.load_workbook(book)
    ws = next(w for w in wb.worksheets if norm_header(w.title) in header_aliases("Claims", INPUT_BY_KEY["Claims"].label))
    col = {}
    for c in ws[1]:
        for key in ("hr_approver", "hr_approved_on", "claim_id"):
            spec = INPUT_BY_KEY["Claims"].column(key)
            if norm_header(c.value) in header_aliases(spec.key, spec.label):
                col[key] = c.column
    n = 0
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col["claim_id"]).value and not ws.cell(r, col["hr_approver"]).value:
            ws.cell(r, col["hr_approver"]).value = "人力审批"
            ws.cell(r, col["hr_approved_on"]).value = on
            n += 1
    wb.save(book)
    return n


def first_quarter(book: Path, progress: Callable[[str], None] | None) -> bool:
    _show("制表人自己审批（lock --by 张人力）", lock_flow(book, "张人力"))
    _show(f"审批人锁定（lock --by {CHECKER}）", lock_flow(book, CHECKER))
    n = _approve_pending(book, dt.date(2026, 1, 9))
    print(f"\n▶ 人力资源部完成 {n} 条待审批申请的终审，重新计算")
    res = calculate_flow(book, progress=progress)
    print("  " + res.summary[0])
    steps = [(f"审批人锁定（lock --by {CHECKER}）", lambda: lock_flow(book, CHECKER)),
             ("核对（verify）", lambda: verify_flow(book)),
             (f"发布（publish --by {PUBLISHER}）", lambda: publish_flow(book, PUBLISHER)),
             ("再次发布（内容相同）", lambda: publish_flow(book, PUBLISHER))]
    for title, step in steps:
        out = step()
        _show(title, out)
        if not out.ok:
            return False
    return True


def next_quarter_data(first: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """2026Q1 from the 2025Q4 sample: same people and targets, new quarter's rows, no opening balances."""
    d = copy.deepcopy(first)
    d["Settings"] = [dict(r, value=NEXT) if r["key"] == "period" else dict(r, value=NEXT_COMPONENTS) if r["key"] == "components" else r
                     for r in d["Settings"]]
    for key in ("Targets", "KPI", "Satisfaction"):
        d[key] = [dict(r, period=NEXT) for r in d.get(key, []) if r["period"] == "2025Q4"]
    targets = {r["employee_id"]: int(r["target"]) for r in d.get("Targets", [])}
    ka_client = next((c["client_id"] for c in d["Clients"] if c.get("class") == "金牌" and c.get("first_deal_date")), d["Clients"][0]["client_id"])
    new = [{"client_id": f"C{c:04d}", "name": f"新客户{c:04d}有限公司", "class": "B", "important": "N", "strategic": "否"} for c in range(151, 155)]
    d["Clients"] = d["Clients"] + new
    sellers = ("E013", "E014", "E015", "E016")
    deals = [{"deal_id": f"N26{i:02d}", "client_id": c["client_id"], "employee_id": e, "share": "100%", "signed_on": dt.date(2026, 1 + i, 12),
              "amount": (80_000, 260_000, 640_000, 120_000)[i], "revenue_type": "software", "gross_margin": 30_000, "in_crm": "Y", "delivered": "Y"}
             for i, (c, e) in enumerate(zip(new, sellers)) if i < 3]
    if "E001" in targets:  # E001 was below base in 2025Q4: a strong quarter makes the shortfall up (back-pay)
        deals.append({"deal_id": "K2601", "client_id": ka_client, "employee_id": "E001", "share": "100%", "signed_on": dt.date(2026, 2, 18),
                      "amount": targets["E001"], "revenue_type": "software", "gross_margin": targets["E001"] // 3, "in_crm": "Y", "delivered": "Y"})
    d["Deals"] = d["Deals"] + deals
    d["Claims"] = [{"claim_id": f"Q26{i:02d}", "employee_id": r["employee_id"], "client_id": r["client_id"], "submitted_on": dt.date(2026, 4, 2),
                    "dept_approver": "部门经理", "dept_approved_on": dt.date(2026, 4, 3), "hr_approver": "人力审批",
                    "hr_approved_on": dt.date(2026, 4, 7)} for i, r in enumerate(deals) if r["deal_id"].startswith("N26")]
    d["Incidents"] = [  # the earlier violations are not on this sheet: they come from the ledger
        {"incident_id": "I101", "employee_id": "E011", "date": dt.date(2026, 1, 15), "kind": "violation"},
        {"incident_id": "I102", "employee_id": "E012", "date": dt.date(2026, 2, 10), "kind": "violation"},
        {"incident_id": "I103", "employee_id": "E020", "date": dt.date(2026, 3, 5), "kind": "violation"},
    ]
    d["Adjustments"] = [{"employee_id": "E005", "item_code": "NC", "amount": 500, "refers_to_period": "2025Q4",
                         "reason": "2025Q4 新客户 C0113 的奖励漏算，经部门与人力复核补发"}]
    for key in ("OpeningBalances", "GradeReview", "Scorecard", "Units", "Ratings"):
        d.pop(key, None)
    return d


def second_quarter(folder: Path, first: dict[str, list[dict[str, Any]]], progress: Callable[[str], None] | None) -> bool:
    from .demo import build_demo_book

    book = build_demo_book(folder / f"demo-{NEXT}.xlsx", next_quarter_data(first))
    print(f"\n=== 第二个季度：{book}（没有 期初余额 表：期初状态取自账本）")
    res = calculate_flow(book, progress=progress)
    _show(f"计算 {NEXT}", res)
    if not res.ok:
        return False
    print(f"  期初状态：{read_status(book).get('opening', '')}；结转的组件：{', '.join(sorted(res.book.carried))}")
    picks = [ln for ln in res.lines if ln.status == PAID and (ln.item_code in ("PN", "ADJ") or (ln.item_code == "KA" and ln.employee_id == "E001"))]
    for ln in picks[:6]:
        basis = ln.basis if ln.item_code == "KA" else ln.basis[:120]  # KA's make-up of the carried shortfall is the point
        print(f"  {ln.employee_id} {ln.item_code:6s} {ln.amount:>10,.2f}  {basis}")
    for title, step in ((f"审批人锁定 {NEXT}", lambda: lock_flow(book, CHECKER)), (f"发布 {NEXT}", lambda: publish_flow(book, PUBLISHER))):
        out = step()
        _show(title, out)
        if not out.ok:
            return False
    return True


def run_life(folder: Path, book: Path, first: dict[str, list[dict[str, Any]]], progress: Callable[[str], None] | None = None) -> int:
    print("\n=== 一个季度的完整流程：审批、锁定、核对、发布")
    if not first_quarter(book, progress):
        return 1
    return 0 if second_quarter(folder, first, progress) else 1
