"""A real spreadsheet application opens every file we produce and shows the engine's values.

Headless LibreOffice converts the template, a calculated workbook (our small
quarter and the bundled demo) and the published payout workbook to CSV and
PDF; the values it reads back must equal what the engine computed. One sheet is
rendered to PNG with pdftoppm, the way docs/screenshots/ are made.

LibreOffice is part of the test set-up (.ci/run installs it). Without it these
tests fail under CI and skip, saying why, only on a developer machine without
the CI variable.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from decimal import Decimal as D
from pathlib import Path

import pytest

from test_macros import EXPECTED, QUARTER
from tools.libreoffice import Soffice, only_sheet, png_pages
from workbook.cells import is_blank, parser_for
from workbook.policy import default_policy, load_policy
from workbook.schema import INPUT_BY_KEY, INPUT_SHEETS
from workbook.tables import make_row
from workbook.template import build_template, fill_book, save_workbook, write_template

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture(scope="session")
def lo(tmp_path_factory) -> Soffice:
    missing = [exe for exe in ("soffice", "pdftoppm") if shutil.which(exe) is None]
    if missing:
        why = f"{' and '.join(missing)} not installed (apt-get install libreoffice-calc-nogui poppler-utils fonts-wqy-microhei)"
        if os.environ.get("CI"):
            pytest.fail("real-client tests need " + why)
        pytest.skip(why + "; CI installs them, so these tests run there")
    return Soffice(tmp_path_factory.mktemp("lo-profile"))


def money(text: str) -> D:
    return D(text).quantize(D("0.01"))


def table(rows: list[list[str]]) -> list[dict[str, str]]:
    head = rows[0]
    return [dict(zip(head, r)) for r in rows[1:] if any(r)]


def quarter_book(folder: Path) -> Path:
    wb = build_template()
    fill_book(wb, QUARTER)
    path = folder / "q.xlsx"
    save_workbook(wb, path)
    return path


def typed(sheet_key: str, rows: list[list[str]]) -> list:
    """CSV text rows read back through the engine's own cell parsers."""
    schema = INPUT_BY_KEY[sheet_key]
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if not any(r):
            continue
        values = {c.key: (None if is_blank(v) else v if c.key in ("value", "note") else parser_for(c.kind)(v))
                  for c, v in zip(schema.columns, r)}
        out.append(make_row(sheet_key, row=i, **values))
    return out


def test_template_opens_with_every_sheet_and_the_policy_defaults(lo, tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(path)
    sheets = lo.sheets_as_csv(path, tmp_path / "csv")
    for schema in INPUT_SHEETS:
        assert sheets[schema.header][0][: len(schema.columns)] == [c.header for c in schema.columns]
    assert {"说明", "xlwings.conf", "发放表 (Payout)"} <= set(sheets)
    assert sheets["xlwings.conf"][0][:2] == ["UDF Modules", "udfs"]
    # what LibreOffice shows in Policy and Tiers is exactly the engine's default policy
    policy, probs = load_policy(typed("Policy", sheets["政策参数 (Policy)"]), typed("Tiers", sheets["档位表 (Tiers)"]))
    assert [p for p in probs if p.severity == "error"] == []
    assert policy.canonical() == default_policy().canonical()
    pdf = lo.pdf(path, tmp_path / "pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", "-l", "2", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
    assert "使用说明" in text and "一个季度的流程" in text


def test_calculated_quarter_shows_the_engines_payout(lo, tmp_path):
    from workbook.flows import calculate_flow

    path = quarter_book(tmp_path)
    res = calculate_flow(path)
    assert res.ok, res.summary
    sheets = lo.sheets_as_csv(path, tmp_path / "csv")
    shown = {(r["employee_id"], r["item_code"], r["pay_month"]): money(r["amount"]) for r in table(sheets["发放表 (Payout)"])}
    assert shown == EXPECTED  # worked by hand in test_macros
    results = table(sheets["计算明细 (Results)"])
    assert sorted(money(r["amount"]) for r in results) == sorted(l.amount for l in res.lines)
    assert lo.pdf(path, tmp_path / "pdf").stat().st_size > 1000


def test_demo_workbook_matches_the_engine(lo, tmp_path):
    from workbook.demo import build_demo_book
    from workbook.flows import calculate_flow

    path = build_demo_book(tmp_path / "demo.xlsx")
    res = calculate_flow(path)
    assert res.ok, res.summary
    shown = table(lo.sheets_as_csv(path, tmp_path / "csv")["发放表 (Payout)"])
    assert [(r["employee_id"], r["item_code"], r["pay_month"], money(r["amount"])) for r in shown] == \
           [(p.employee_id, p.item_code, p.pay_month, p.amount) for p in res.payout]


def test_published_payout_workbook_matches_the_finance_csv(lo, tmp_path):
    from workbook.flows import calculate_flow, lock_flow, publish_flow

    path = quarter_book(tmp_path)
    for step in (lambda: calculate_flow(path), lambda: lock_flow(path, "李审批"), lambda: publish_flow(path, "王发布")):
        res = step()
        assert res.ok, res.summary
    folder = tmp_path / "bonusbook-data" / "published" / "2026Q3"
    import csv

    with open(folder / "payout-2026Q3.csv", encoding="utf-8-sig", newline="") as fh:
        finance = list(csv.DictReader(fh))
    xlsx = folder / "payout-2026Q3.xlsx"
    sheets = lo.sheets_as_csv(xlsx, tmp_path / "csv")
    assert {"Payout", "Summary", "Manifest"} <= set(sheets)
    shown = table(sheets["Payout"])
    assert len(shown) == len(finance) == len(EXPECTED)
    for s, f in zip(shown, finance):
        assert {k: s[k] for k in f if k != "amount"} == {k: v for k, v in f.items() if k != "amount"}
        assert money(s["amount"]) == money(f["amount"])
    assert lo.pdf(xlsx, tmp_path / "pdf").stat().st_size > 1000


def test_a_sheet_renders_to_png_and_the_screenshots_are_committed(lo, tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(path)
    one = only_sheet(path, "说明", tmp_path / "one.xlsx")
    (png,) = png_pages(lo.pdf(one, tmp_path / "pdf"), tmp_path / "png" / "page", dpi=40)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    committed = sorted(p.name for p in SCREENSHOTS.glob("*.png"))
    assert {"template-instructions.png", "template-policy.png", "demo-payout.png"} <= set(committed)


def test_a_results_workbook_with_shared_strings_reads_the_same_in_libreoffice(lo, tmp_path):
    """A separate results workbook keeps repeating texts in a shared-strings table (more than 64 rows a column)."""
    import zipfile

    import python_calamine as pc

    from bench.synth import make_quarter
    from workbook.flows import calculate_flow

    book = make_quarter(tmp_path / "q.xlsx", 400)
    out = tmp_path / "results.xlsx"
    res = calculate_flow(book, out=out)
    assert res.ok, res.summary
    with zipfile.ZipFile(out) as zf:
        assert zf.read("xl/sharedStrings.xml").count(b"<si>") > 10
    shown = lo.sheets_as_csv(out, tmp_path / "csv")
    wb = pc.CalamineWorkbook.from_path(str(out))
    for title in ("计算明细 (Results)", "发放表 (Payout)", "等级评审明细 (GradeDetail)"):
        ours = [["" if v is None else v for v in row] for row in wb.get_sheet_by_name(title).to_python()]
        theirs = shown[title]
        assert len(theirs) == len(ours) > 65
        for a, b in zip(ours, theirs):  # every text cell as LibreOffice shows it; the amounts are compared below
            assert [x for x in a if isinstance(x, str)] == [y for x, y in zip(a, b) if isinstance(x, str)]
    results = table(shown["计算明细 (Results)"])
    assert sorted(money(r["amount"]) for r in results) == sorted(l.amount for l in res.lines)
