"""GR through the CLI: a Q4 run writes the Grades and GradeDetail sheets; other quarters do not.

2025Q4, Example defaults (see test_grades.py for the thresholds):
- E1 (初级) applies for 中级 and meets every criterion; department and committee passed; posted
  2025-12-25 … 12-31 (5 working days: 25, 26, 29, 30, 31); no objection → promote, effective the next
  working day, Sunday 2026-01-04 (make-up working day after the New Year holiday).
- E2 (中级) complaint rate 6% (needs < 5%), first failing year → warning, effective 2026-01-04.
- E3 (中级) meets 中级 with sales 2,400,000 < 150% × 2,000,000 → keep.
The demo's GradeReview sheet shows every action.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from conftest import book_from
from workbook.demo import sample_data
from workbook.rules import grade_checks, grades
from workbook.template import build_template, fill_book

ROOT = Path(__file__).resolve().parents[1]
MIDDLE_OK = {"new_clients": 8, "lower_avg_new_clients": 6, "annual_sales": "2,400,000", "prior_year_sales": "2,100,000",
             "complaint_rate": "3%", "key_clients": 3}
DATA = {
    "Settings": [{"key": "period", "value": "2025Q4"}, {"key": "prepared_by", "value": "张人力"}],
    "Employees": [
        {"employee_id": "E1", "name": "王伟", "department": "销售一部", "grade": "初级"},
        {"employee_id": "E2", "name": "李娜", "department": "销售一部", "grade": "中级"},
        {"employee_id": "E3", "name": "张敏", "department": "销售二部", "grade": "中级"},
    ],
    "GradeReview": [
        {"employee_id": "E1", "year": 2025, "applied_level": "中级", "education": "本科", "years_as_cm": 3, "years_in_grade": 2,
         "exam_level": "中级考试", "new_clients": 7, "prior_avg_new_clients": 5, "annual_sales": "2,100,000",
         "prior_year_sales": "1,800,000", "satisfaction": "90%", "complaint_rate": "2%", "key_clients": 2,
         "dept_review": "Y", "committee_review": "是", "publicity_start": dt.date(2025, 12, 25),
         "publicity_end": dt.date(2025, 12, 31), "objection": "N"},
        {"employee_id": "E2", "year": 2025, **MIDDLE_OK, "complaint_rate": "6%", "prior_failed_years": 0},
        {"employee_id": "E3", "year": 2025, **MIDDLE_OK},
    ],
}


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "workbook.cli", *args], capture_output=True, text=True, env=env, timeout=120)


def build(tmp_path: Path, period: str = "2025Q4") -> Path:
    wb = build_template()
    fill_book(wb, {**DATA, "Settings": [{"key": "period", "value": period}, {"key": "prepared_by", "value": "张人力"}]})
    path = tmp_path / f"book-{period}.xlsx"
    wb.save(path)
    return path


def sheet(path: Path, key: str) -> list[dict]:
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb[next(t for t in wb.sheetnames if t.endswith(f"({key})"))]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_q4_calculate_writes_grades_and_detail(tmp_path):
    path = build(tmp_path)
    res = cli("calculate", str(path), "--quiet")
    assert res.returncode == 0, res.stdout + res.stderr
    got = {r["employee_id"]: (r["action"], r["new_grade"], r["effective_date"]) for r in sheet(path, "Grades")}
    assert got == {"E1": ("promote", "中级", "2026-01-04"), "E2": ("warning", "中级", "2026-01-04"), "E3": ("keep", "中级", None)}
    detail = sheet(path, "GradeDetail")
    assert len(detail) == 3 * (6 + 9 + 10)  # every criterion of every level, for each manager
    e2 = next(r for r in detail if r["employee_id"] == "E2" and r["level"] == "中级" and r["criterion"] == "complaint_rate")
    assert (e2["actual"], e2["required"], e2["passed"]) == ("6%", "< 5%", "未通过")


def test_other_quarters_write_no_grades(tmp_path):
    path = build(tmp_path, "2025Q3")
    res = cli("calculate", str(path), "--quiet")
    assert res.returncode == 0, res.stdout + res.stderr
    wb = openpyxl.load_workbook(path, read_only=True)
    assert not any("(Grades)" in t or "(GradeDetail)" in t for t in wb.sheetnames)


def test_demo_review_shows_every_action():
    data = sample_data()
    book = book_from("2025Q4", Employees=data["Employees"], GradeReview=data["GradeReview"])
    assert not [p for p in grade_checks.check_grades(book) if p.severity == "error"]
    actions = {g.action for g in grades.review(book, dt.date(2026, 2, 2))}
    assert actions == set(grades.ACTIONS)


@pytest.mark.parametrize("as_of, action", [("2025-12-31", "pending"), ("2026-01-01", "promote")])
def test_settings_as_of_makes_the_review_reproducible(tmp_path, as_of, action):
    # E1's posting ends 2025-12-31: on that day it has not ended (pending); the day after it has (promote),
    # whatever the date the calculation actually runs on.
    wb = build_template()
    fill_book(wb, {**DATA, "Settings": [{"key": "period", "value": "2025Q4"}, {"key": "prepared_by", "value": "张人力"},
                                        {"key": "as_of", "value": as_of}]})
    path = tmp_path / "book.xlsx"
    wb.save(path)
    res = cli("calculate", str(path), "--quiet")
    assert res.returncode == 0, res.stdout + res.stderr
    e1 = next(r for r in sheet(path, "Grades") if r["employee_id"] == "E1")
    assert e1["action"] == action
    if action == "pending":
        assert "2025-12-31" in e1["basis"]
