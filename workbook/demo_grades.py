"""The demo's GradeReview sheet for 2025: one row per client manager, every action shown.

Most managers meet their grade's performance items with room to spare (keep).
The first managers of each grade get a story instead, so the demo's Grades
sheet shows a promotion, two pending applications (committee not done yet; an
objection during the posting), an application turned down on the criteria, a
warning, a demotion (middle → junior, and a junior losing the grade), a
dismissal review and an honour candidate. Values are typed the way HR types
them; the thresholds they are measured against are the Example defaults.
"""
from __future__ import annotations

from typing import Any

YEAR = 2025

# A comfortable pass of each grade's performance items (Example defaults).
PASS = {
    "初级": {"education": "大专", "years_as_cm": 2, "years_in_grade": 2, "exam_level": "初级", "new_clients": 6,
             "annual_sales": "600,000", "satisfaction": "90%"},
    "中级": {"education": "本科", "years_as_cm": 4, "years_in_grade": 2, "exam_level": "中级", "new_clients": 8,
             "prior_avg_new_clients": 7, "lower_avg_new_clients": 6, "annual_sales": "2,400,000",
             "prior_year_sales": "2,100,000", "complaint_rate": "3%", "key_clients": 3, "satisfaction": "92%"},
    "高级": {"education": "硕士", "years_as_cm": 8, "years_in_grade": 3, "exam_level": "高级", "industry_influence": "Y",
             "new_clients": 10, "lower_avg_new_clients": 7, "annual_sales": "6,000,000", "company_sales_share": "6%",
             "long_term_ratio": "70%", "major_projects": 2, "satisfaction": "95%", "prior_year_sales": "5,200,000",
             "complaint_rate": "1%", "key_clients": 4, "prior_avg_new_clients": 8},
}

APPROVED = {"dept_review": "Y", "committee_review": "Y", "publicity_start": "2026-01-05", "publicity_end": "2026-01-09", "objection": "N"}
TO_MIDDLE = {"applied_level": "中级", "education": "本科", "years_as_cm": 3, "years_in_grade": 2, "exam_level": "中级",
             "new_clients": 7, "prior_avg_new_clients": 5, "annual_sales": "2,100,000", "prior_year_sales": "1,800,000",
             "complaint_rate": "2%", "key_clients": 2}

# (grade, story, changes to the pass profile)
STORIES = (
    ("初级", "promote: eligible, both reviews passed, posted 5 working days, no objection", {**TO_MIDDLE, **APPROVED}),
    ("初级", "pending: eligible, committee has not met", {**TO_MIDDLE, "dept_review": "Y"}),
    ("初级", "pending: objection raised during the posting", {**TO_MIDDLE, **APPROVED, "objection": "Y"}),
    ("中级", "keep: applied for 高级 with only 1 year as 中级", {"applied_level": "高级", "years_in_grade": 1, "exam_level": "高级",
                                                            "industry_influence": "Y", "company_sales_share": "4%", "long_term_ratio": "65%", "major_projects": 1}),
    ("中级", "warning: first failing year (complaint rate 6%)", {"complaint_rate": "6%"}),
    ("中级", "demote: second failing year in a row (sales 1,500,000)", {"annual_sales": "1,500,000", "prior_year_sales": "1,600,000", "prior_failed_years": 1}),
    ("初级", "demote: a junior fails a second year and loses the grade", {"satisfaction": "80%", "prior_failed_years": 1}),
    ("高级", "dismissal_review: third failing year in a row", {"long_term_ratio": "50%", "major_projects": 0, "prior_failed_years": 2}),
    ("中级", "honour: sales 3,200,000 ≥ 150% of 2,000,000", {"annual_sales": "3,200,000", "prior_year_sales": "2,500,000"}),
)


def grade_review_rows(employees: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One 2025 GradeReview row per graded employee, the stories on the first of each grade."""
    stories = list(STORIES)
    rows = []
    for e in employees:
        grade = e.get("grade")
        if grade not in PASS:
            continue
        row = {"employee_id": e["employee_id"], "year": YEAR, **PASS[grade], "prior_failed_years": 0}
        story = next((s for s in stories if s[0] == grade), None)
        if story is not None:
            stories.remove(story)
            row.update(story[2])
        rows.append(row)
    if stories:
        raise ValueError(f"demo has too few managers for the stories: {[s[1] for s in stories]}")
    return rows
