"""NC, worked by hand from POLICY §1 (period 2026Q3: 2026-07-01 .. 2026-09-30).

Claim deadline: 7 PRC working days after 2026-09-30. National Day 2026 is
10-01..10-07 off, and Saturday 10-10 is a working day, so the working days are
10-08 (1), 10-09 (2), 10-10 Sat (3), 10-12 (4), 10-13 (5), 10-14 (6), 10-15 (7):
the deadline is 2026-10-15. Counting weekdays only would give 10-09 (holidays
ignored) and skipping the adjusted Saturday would give 10-16.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from conftest import book_from, claim, client, deal, emp
from workbook import problems as P
from workbook.lines import PAID, PENDING, REJECTED
from workbook.rules import new_client


def run(book):
    probs = new_client.check(book)
    lines, more = new_client.compute(book)
    return lines, probs + more


def one_client_book(amount: str, *, claims=None, extra_deals=(), **kw):
    return book_from(
        Employees=[emp("E1"), emp("E2")],
        Clients=[client("C1", **kw.pop("client_kw", {}))],
        Deals=[deal("D1", "C1", "E1", "2026-07-05", amount), *extra_deals],
        Claims=claims if claims is not None else [claim("Q1", "E1", "C1")],
        **kw,
    )


@pytest.mark.parametrize("amount, award", [
    ("100,000", "500"),        # ≤ 100,000 → 500 (boundary belongs to the lower tier)
    ("100000.01", "1000"),     # > 100,000 → 1,000
    ("500,000", "1000"),       # ≤ 500,000 → 1,000
    ("500000.01", "2000"),     # > 500,000 → 2,000
    ("1", "500"),
    ("50万", "1000"),          # 50万 = 500,000 → 1,000
])
def test_tier_boundaries(amount, award):
    lines, probs = run(one_client_book(amount))
    assert not P.has_errors(probs)
    paid = [l for l in lines if l.status == PAID]
    assert [(l.item_code, l.amount) for l in paid] == [("NC", D(award))]


def test_same_day_first_deals_are_summed_and_later_deals_are_not():
    # first day 07-05: 60,000 + 50,000 = 110,000 → tier (100,000, 500,000] → 1,000; the 07-20 deal is not the first deal
    book = one_client_book("60000", extra_deals=[deal("D2", "C1", "E1", "2026-07-05", "50000"), deal("D3", "C1", "E1", "2026-07-20", "2000000")])
    lines, _ = run(book)
    assert [l.amount for l in lines if l.status == PAID] == [D("1000")]
    assert "110,000" in lines[0].basis


def test_client_with_earlier_deal_or_history_is_not_new():
    book = one_client_book("80000", extra_deals=[deal("D0", "C1", "E1", "2026-06-30", "1000")])
    lines, _ = run(book)
    assert [l.status for l in lines] == [REJECTED]
    assert "不是本期新客户" in lines[0].basis
    book = one_client_book("80000", client_kw={"first_deal_date": "2025/3/1"})
    lines, _ = run(book)
    assert [l.status for l in lines] == [REJECTED]


@pytest.mark.parametrize("submitted, status", [
    ("2026-09-20", PAID),   # during the quarter is fine
    ("2026-10-15", PAID),   # the 7th working day
    ("2026-10-16", REJECTED),  # one day late: the adjusted Saturday 10-10 counted as a working day
])
def test_claim_deadline_across_national_day(submitted, status):
    book = one_client_book("80000", claims=[claim("Q1", "E1", "C1", submitted=submitted, dept_on="2026-10-16", hr_on="2026-10-19")])
    lines, probs = run(book)
    assert not P.has_errors(probs)
    assert [l.status for l in lines] == [status]
    if status == REJECTED:
        assert "逾期" in lines[0].basis and "2026-10-15" in lines[0].basis


def test_deadline_helper_counts_prc_working_days():
    assert new_client.deadline(book_from("2026Q3")) == dt.date(2026, 10, 15)
    # 2025Q4: 2026-01-01..03 off, Sunday 01-04 worked: 01-04, 05, 06, 07, 08, 09, 12
    assert new_client.deadline(book_from("2025Q4")) == dt.date(2026, 1, 12)


def test_split_deal_each_share_on_own_claim():
    # 300,000 → 1,000; E1 60% → 600, E2 40% → 400; E2 has not claimed, so only E1 is paid
    book = book_from(
        Employees=[emp("E1"), emp("E2")], Clients=[client("C1")],
        Deals=[deal("D1", "C1", "E1", "2026-07-05", "300000", "60%"), deal("D1", "C1", "E2", "2026-07-05", "300000", "40%")],
        Claims=[claim("Q1", "E1", "C1")],
    )
    lines, _ = run(book)
    assert [(l.employee_id, l.amount) for l in lines] == [("E1", D("600.00"))]


def test_three_way_split_adds_up_exactly():
    # 100,000 → 500 split 33.33/33.33/33.34 %: 166.65 + 166.65 + 166.70 = 500.00
    rows = [deal("D1", "C1", e, "2026-08-01", "100000", s) for e, s in (("E1", "33.33%"), ("E2", "33.33%"), ("E3", "33.34%"))]
    book = book_from(Employees=[emp("E1"), emp("E2"), emp("E3")], Clients=[client("C1")], Deals=rows,
                     Claims=[claim(f"Q{i}", e, "C1") for i, e in enumerate(("E1", "E2", "E3"))])
    lines, _ = run(book)
    assert [l.amount for l in lines] == [D("166.65"), D("166.65"), D("166.70")]
    assert sum(l.amount for l in lines) == D("500")


@pytest.mark.parametrize("kw, status, reason", [
    ({"dept_approved_on": None, "dept_approver": ""}, PENDING, "待部门经理审批"),
    ({"hr_approved_on": None}, PENDING, "待人力资源部终审"),
    ({"dept_approver": "员工E1"}, REJECTED, "审批人不得为申请人本人"),
    ({"hr_approver": "E1"}, REJECTED, "审批人不得为申请人本人"),
    ({"dept_approved_on": "2026-10-13", "hr_approved_on": "2026-10-12"}, REJECTED, "早于部门审批"),
    ({"submitted": "2026-10-11", "dept_approved_on": "2026-10-10"}, REJECTED, "早于提交日期"),
])
def test_approval_flow(kw, status, reason):
    c = claim("Q1", "E1", "C1", submitted=kw.pop("submitted", "2026-10-09"))
    c.update(kw)
    lines, _ = run(one_client_book("80000", claims=[c]))
    assert [l.status for l in lines] == [status]
    assert reason in lines[0].basis
    assert lines[0].amount == 0


@pytest.mark.parametrize("hr_on, pay_month", [("2026-10-12", "2026-11"), ("2026-09-28", "2026-10")])
def test_pay_month_is_month_after_later_of_period_end_and_hr_approval(hr_on, pay_month):
    lines, _ = run(one_client_book("80000", claims=[claim("Q1", "E1", "C1", submitted="2026-09-26", dept_on="2026-09-27", hr_on=hr_on)]))
    assert lines[0].pay_month == pay_month


def test_duplicate_claim_and_claim_by_someone_not_on_the_deal_are_rejected():
    lines, _ = run(one_client_book("80000", claims=[claim("Q1", "E1", "C1"), claim("Q2", "E1", "C1"), claim("Q3", "E2", "C1")]))
    assert [l.status for l in lines] == [PAID, REJECTED, REJECTED]
    assert "重复申请" in lines[1].basis and "不在该客户首单" in lines[2].basis


def test_strategic_uplift_within_cap_is_paid_as_nc_up():
    # award 1,000 (300,000); cap 100% of it → uplift 1,000 allowed
    c = claim("Q1", "E1", "C1", uplift="1,000", uplift_reason="行业龙头")
    lines, probs = run(one_client_book("300000", claims=[c], client_kw={"strategic": "是"}))
    assert not probs
    assert [(l.item_code, l.amount) for l in lines] == [("NC", D("1000")), ("NC_UP", D("1000"))]


@pytest.mark.parametrize("uplift, reason, strategic, needle", [
    ("1000.01", "行业龙头", "Y", "上限"),
    ("500", "行业龙头", "N", "未标记为战略客户"),
    ("500", "", "Y", "必须填写理由"),
])
def test_uplift_conditions_are_validation_errors(uplift, reason, strategic, needle):
    c = claim("Q1", "E1", "C1", uplift=uplift, uplift_reason=reason)
    probs = new_client.check(one_client_book("300000", claims=[c], client_kw={"strategic": strategic}))
    errs = [p for p in probs if p.severity == P.ERROR]
    assert len(errs) == 1 and needle in errs[0].message
    assert errs[0].sheet == "Claims" and errs[0].column in ("uplift", "uplift_reason")


def test_additional_award_when_enabled():
    # first deal 60,000 → main 500; additional: initial (50,000, 100,000] → 200,
    # period total 60,000 + 500,000 = 560,000 in [500,000, 1,000,000] → 500; NC = 500 + 700
    book = one_client_book("60000", extra_deals=[deal("D2", "C1", "E1", "2026-08-01", "500000")],
                          params={"nc_additional_enabled": True})
    lines, _ = run(book)
    assert [l.amount for l in lines] == [D("500"), D("700")]


def test_delivered_condition_when_enabled():
    book = one_client_book("60000", params={"nc_require_delivered": True})
    lines, _ = run(book)  # delivered left blank: not delivered
    assert lines[0].status == REJECTED and "交付" in lines[0].basis


def test_unknown_calendar_year_is_an_error_not_a_guess():
    # 2027's holidays are not published in the calendar data: the Q4 2026 deadline cannot be computed
    book = book_from("2026Q4", Employees=[emp("E1")], Clients=[client("C1")],
                     Deals=[deal("D1", "C1", "E1", "2026-11-05", "1000")], Claims=[claim("Q1", "E1", "C1", "2027-01-05", "2027-01-06", "2027-01-07")])
    lines, probs = new_client.compute(book)
    assert lines == [] and P.has_errors(probs)
    assert "2027" in probs[0].message
