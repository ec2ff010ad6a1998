"""``bonusbook demo``: a realistic sample quarter, end to end, on bundled data.

The sample is generated from a fixed seed, so every run shows the same quarter:
2025Q4 (a year-end quarter, so the annual MT and TM components run too), with
three departments, split deals, a claim past the 7-working-day deadline, a
pending claim, a strategic uplift and penalties of every kind.
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any, Callable

from .demo_grades import grade_review_rows
from .demo_schemes import COMPONENTS, KA_CLIENT, ka_rows, scheme_rows, set_policy
from .demo_schemes import POLICY as SCHEME_POLICY
from .template import build_template, fill_book

PERIOD = "2025Q4"
DEPARTMENTS = (("大客户部", ("KA1", "KA2")), ("市场部", ("MK1", "MK2")), ("直营部", ("DS1", "DS2")))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
IMPORTED_DEPARTMENTS = ("大客户部", "市场部")  # their managers return filled department templates
GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "军", "涛", "明", "超", "霞", "平", "刚", "丽")


def sample_data(seed: int = 20251231) -> dict[str, list[dict[str, Any]]]:
    rnd = random.Random(seed)
    employees = []
    n = 0
    for dept, teams in DEPARTMENTS:
        for team in teams:
            for _ in range(6):
                n += 1
                employees.append({
                    "employee_id": f"E{n:03d}", "name": SURNAMES[n % len(SURNAMES)] + rnd.choice(GIVEN) + rnd.choice(("", "华", "强", "文")),
                    "department": dept, "team": team, "role": "客户经理", "grade": rnd.choice(("初级", "中级", "高级")),
                    "hire_date": dt.date(2018 + n % 6, 1 + n % 12, 1), "base_salary": 6000 + 500 * (n % 8),
                    "commission_rate": "5%", "performance_bonus": 3000 + 500 * (n % 5), "floating_wage": 6000,
                })
    ids = [e["employee_id"] for e in employees]
    clients = []
    for c in range(1, 141):
        clients.append({"client_id": f"C{c:04d}", "name": f"客户{c:04d}有限公司", "class": rnd.choice(("金牌", "银", "A", "B", "C")),
                        "important": "Y" if c % 9 == 0 else "N", "strategic": "是" if c % 23 == 0 else "否"})
    deals = []
    d = 0

    def deal(client: str, day: dt.date, amount: int, people: list[tuple[str, str]]) -> None:
        nonlocal d
        d += 1
        for emp, share in people:
            deals.append({"deal_id": f"D{d:05d}", "client_id": client, "employee_id": emp, "share": share, "signed_on": day,
                          "amount": amount, "revenue_type": "software", "gross_margin": amount // 3, "in_crm": "Y", "delivered": "Y"})

    owner = {c["client_id"]: ids[i % len(ids)] for i, c in enumerate(clients)}
    # history: C0001-C0080 since 2023, C0081-C0100 new in 2024 (the team award compares new-client years)
    for c in range(1, 101):
        cid = f"C{c:04d}"
        for year in ((2023, 2024, 2025) if c <= 80 else (2024, 2025)):
            for _ in range(rnd.randint(1, 3)):
                day = dt.date(year, rnd.randint(1, 12 if year == 2024 else 12), rnd.randint(1, 28))
                grow = 1 + (year == 2025) * (c % 5) / 20  # 2025 grows 0–20% for most clients
                deal(cid, day, int(rnd.randrange(20_000, 200_000, 1_000) * grow), [(owner[cid], "100%")])
    # team new-client history: clients first dealt in 2024 are C0071-C0100 (already above)
    # new clients in 2025Q4: C0101-C0140, some split between two people
    new = [f"C{c:04d}" for c in range(101, 141)]
    for i, cid in enumerate(new):
        day = dt.date(2025, 10 + i % 3, 1 + (i * 3) % 28)
        amount = (50_000, 100_000, 100_001, 250_000, 500_000, 500_001, 1_200_000)[i % 7]
        if i % 5 == 0:
            partner = ids[(ids.index(owner[cid]) + 1) % len(ids)]
            deal(cid, day, amount, [(owner[cid], "60%"), (partner, "40%")])
        else:
            deal(cid, day, amount, [(owner[cid], "100%")])
        if i % 3 == 0:
            deal(cid, day + dt.timedelta(days=10), rnd.randrange(10_000, 90_000, 1_000), [(owner[cid], "100%")])
    claims = []
    k = 0
    for i, cid in enumerate(new):
        people = sorted({r["employee_id"] for r in deals if r["client_id"] == cid})
        for emp in people:
            k += 1
            late = k == 7
            pending = k == 11
            uplift = cid == "C0115" and emp == owner[cid]
            submitted = dt.date(2026, 1, 13) if late else dt.date(2026, 1, 5)
            claims.append({
                "claim_id": f"Q{k:04d}", "employee_id": emp, "client_id": cid, "submitted_on": submitted,
                "dept_approver": "部门经理" + emp, "dept_approved_on": dt.date(2026, 1, 7),
                "hr_approver": "" if pending else "人力审批", "hr_approved_on": None if pending else dt.date(2026, 1, 9 if i % 4 else 20),
                "uplift": 500 if uplift else None, "uplift_reason": "行业龙头，战略合作" if uplift else "",
            })
    incidents = [
        {"incident_id": "I001", "employee_id": "E003", "date": dt.date(2025, 10, 15), "kind": "client_lost", "severity": "important", "client_id": "C0009"},
        {"incident_id": "I002", "employee_id": "E005", "date": dt.date(2025, 11, 3), "kind": "client_lost", "severity": "general", "client_id": "C0010"},
        {"incident_id": "I003", "employee_id": "E005", "date": dt.date(2025, 11, 20), "kind": "complaint", "severity": "serious"},
        {"incident_id": "I004", "employee_id": "E008", "date": dt.date(2025, 12, 2), "kind": "complaint", "severity": "minor"},
        {"incident_id": "I005", "employee_id": "E011", "date": dt.date(2025, 3, 10), "kind": "violation"},
        {"incident_id": "I006", "employee_id": "E011", "date": dt.date(2025, 12, 12), "kind": "violation"},
        {"incident_id": "I007", "employee_id": "E012", "date": dt.date(2025, 10, 20), "kind": "violation"},
        {"incident_id": "I008", "employee_id": "E018", "date": dt.date(2025, 12, 5), "kind": "client_lost", "severity": "important", "client_id": "C0018"},
        {"incident_id": "I009", "employee_id": "E018", "date": dt.date(2025, 12, 9), "kind": "client_lost", "severity": "important", "client_id": "C0027"},
        {"incident_id": "I010", "employee_id": "E018", "date": dt.date(2025, 12, 20), "kind": "complaint", "severity": "serious"},
    ]
    satisfaction = [{"employee_id": e, "period": PERIOD, "satisfaction": rnd.choice(("96%", "95%", "92.5%", "90%", "89.9%", "0.97"))} for e in ids]
    ka = ka_rows(employees, deals)  # KA, KP, KC, SC, PP: see demo_schemes
    return {
        "Settings": [{"key": "period", "value": PERIOD}, {"key": "company", "value": "示例科技有限公司"}, {"key": "prepared_by", "value": "张人力"},
                     {"key": "components", "value": COMPONENTS}],
        "Employees": employees, "Clients": clients + [KA_CLIENT], "Deals": deals + ka.pop("Deals"), "Claims": claims, **ka, **scheme_rows(employees),
        "Incidents": incidents, "Satisfaction": satisfaction, "GradeReview": grade_review_rows(employees),
    }


def build_demo_book(path: Path, data: dict[str, list[dict[str, Any]]] | None = None) -> Path:
    wb = build_template()
    fill_book(wb, sample_data() if data is None else data)
    set_policy(wb, SCHEME_POLICY)  # the AC campaign window and the PP budget of the sample year
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def run_demo(folder: Path, progress: Callable[[str], None] | None = None) -> int:
    from . import problems as P
    from .flows import calculate_flow

    from .demo_import import department_round, hold_back

    from .demo_life import clear_data_home, run_life

    clear_data_home(folder)  # a rerun starts from an empty ledger
    master_rows, returned = hold_back(sample_data(), IMPORTED_DEPARTMENTS)  # these arrive as department templates
    book = build_demo_book(folder / f"demo-{PERIOD}.xlsx", master_rows)
    print(f"样例工作簿：{book}")
    imported = department_round(book, returned, folder, by="张人力", progress=progress)
    for s in imported.summary:
        print(s)
    if not imported.ok:
        return 1
    res = calculate_flow(book, progress=progress)
    warnings = [p for p in res.problems if p.severity == P.WARNING]
    for p in res.errors[:50]:
        print(p.render())
    print(f"校验：{len(res.errors)} 个错误，{len(warnings)} 个警告")
    for s in res.summary:
        print(s)
    if not res.ok:
        return 1
    from .lines import PAID
    shown = [l for l in res.lines if l.status != PAID][:6] + [l for l in res.lines if l.status == PAID and l.item_code in ("NC_UP", "PN", "TM")][:6]
    for code in ("KA", "KA_FW", "KA_DED", "KC", "AC", "AC_PEN", "SC", "PP"):  # one explained line of each other item
        shown += [l for l in res.lines if l.status == PAID and l.item_code == code][:1]
    print("示例明细：")
    for l in shown:
        print(f"  {l.employee_id} {l.item_code:6s} {l.amount:>10,.2f}  [{l.status}] {l.basis[:110]}")
    print(f"结果已写入 {book} 的 计算明细 / 发放表 / 等级评审结果 / 校验结果 表")
    return run_life(folder, book, sample_data(), progress)  # approve, lock, publish; then 2026Q1 from the ledger
