"""Rendering the deal-free sheets ahead may stop anywhere: the results book is the same.

``writer.prerender`` renders the grade and coefficient sheets chunk by chunk only
while Deals is still loading, and writing goes on where it stopped. Whether it
stopped before the first chunk, inside a sheet or after the last one, every part
of the package (shared strings included) must be the very same.
"""
from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from workbook.writer import prerender, write_results_book


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def tables() -> dict:
    results = (("employee_id", "status", "amount"), [(f"E{i % 700}", "发放" if i % 3 else "记录", Decimal(i) / 4) for i in range(6000)])
    grades = (("employee_id", "action"), [(f"E{i}", "保持" if i % 4 else "晋升") for i in range(900)])
    detail = (("employee_id", "criterion", "passed"), [(f"E{i % 900}", f"C{i % 14}", "是" if i % 5 else "否") for i in range(12000)])
    coefficients = (("employee_id", "indicator", "weight"), [(f"E{i % 900}", f"K{i % 6}", Decimal("0.2")) for i in range(6500)])
    return {"Results": results, "Grades": grades, "GradeDetail": detail, "Coefficients": coefficients}


@pytest.mark.parametrize("order", [("Results", "Grades", "GradeDetail", "Coefficients"), ("Results", "Coefficients", "Grades", "GradeDetail")])
def test_rendering_ahead_may_stop_after_any_chunk_and_the_book_is_the_same(tmp_path, order):
    t = {key: tables()[key] for key in order}  # the sheets' order in the book does not change how their texts are numbered
    write_results_book(tmp_path / "plain.xlsx", t)
    want = parts(tmp_path / "plain.xlsx")
    for k in range(40):  # past the last chunk of all three sheets
        budget = iter([True] * k)
        ready = prerender({key: v for key, v in t.items() if key != "Results"}, ahead=lambda: next(budget, False))
        made = sum(map(len, ready.done.values()))
        assert made == min(k, made)
        write_results_book(tmp_path / f"k{k}.xlsx", t, ready)
        assert parts(tmp_path / f"k{k}.xlsx") == want, k
    assert made < k  # the last round rendered everything ahead


def test_a_prerendered_set_for_other_tables_is_not_used(tmp_path):
    """Made for a book without the grade sheets, or from other tables under the same names, it is not taken."""
    t = tables()
    write_results_book(tmp_path / "plain.xlsx", t)
    for other in (prerender({"Coefficients": t["Coefficients"]}, ahead=lambda: True),
                  prerender({k: (v[0], v[1][:10]) for k, v in t.items() if k != "Results"}, ahead=lambda: True)):
        write_results_book(tmp_path / "other.xlsx", t, other)
        assert parts(tmp_path / "other.xlsx") == parts(tmp_path / "plain.xlsx")
