"""Calculate writes its sheets into the user's book by patching the package.

What must hold: every part Calculate has no business with keeps its bytes
(inputs, VBA, user formulas); the book opens in openpyxl and calamine with the
right values; a second run does not pile up styles; a book the patch cannot
handle still gets its results through the openpyxl rewrite.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import python_calamine as pc

from test_end_to_end import DATA, EXPECTED, payout
from workbook.flows import calculate_flow
from workbook.template import build_template, fill_book

EDITED = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}


def book(tmp_path: Path, name: str = "q.xlsx") -> Path:
    wb = build_template()
    fill_book(wb, DATA)
    ws = wb[next(t for t in wb.sheetnames if "(Deals)" in t)]
    ws["L1"] = "备注公式"
    ws["L2"] = "=F2*2"  # a user's own formula beside the table
    path = tmp_path / name
    wb.save(path)
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_other_parts_keep_their_bytes_and_results_are_right(tmp_path):
    path = book(tmp_path)
    before = parts(path)
    res = calculate_flow(path)
    assert res.ok, [p.render() for p in res.problems]
    after = parts(path)
    output_parts = {n for n in after if n not in before or after[n] != before[n]} - EDITED
    # only output sheets changed or appeared; every input sheet is byte-identical
    for name, data in before.items():
        if name not in EDITED and name not in output_parts:
            assert after[name] == data, name
    titles = pc.CalamineWorkbook.from_path(str(path)).sheet_names
    assert any("(Results)" in t for t in titles) and any("(Status)" in t for t in titles)
    assert payout(path) == EXPECTED
    wb = openpyxl.load_workbook(path)  # well-formed for a strict reader too
    deals = wb[next(t for t in wb.sheetnames if "(Deals)" in t)]
    assert deals["L2"].value == "=F2*2"
    pay = wb[next(t for t in wb.sheetnames if "(Payout)" in t)]
    assert pay.protection.sheet and pay["H2"].number_format == "0.00"
    assert pay["A1"].font.b


def test_second_run_adds_no_styles(tmp_path):
    path = book(tmp_path)
    calculate_flow(path)
    styles1 = parts(path)["xl/styles.xml"]
    calculate_flow(path)
    styles2 = parts(path)["xl/styles.xml"]
    count = lambda s: re.search(rb'<cellXfs[^>]*count="(\d+)"', s).group(1)  # noqa: E731
    assert count(styles1) == count(styles2)
    assert payout(path) == EXPECTED


def test_vba_project_survives(tmp_path):
    path = book(tmp_path, "q.xlsm")
    blob = b"\xd0\xcf\x11\xe0fake-vba-project"
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/vbaProject.bin", blob)
    res = calculate_flow(path)
    assert res.ok
    assert parts(path)["xl/vbaProject.bin"] == blob


def test_validation_links_point_at_cells(tmp_path):
    path = book(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[next(t for t in wb.sheetnames if "(Deals)" in t)]
    ws["Z1"] = "未知列"  # an unknown column: a warning with a cell
    wb.save(path)
    assert calculate_flow(path).ok
    wb = openpyxl.load_workbook(path)
    val = wb[next(t for t in wb.sheetnames if "(Validation)" in t)]
    links = [c.hyperlink.location for row in val.iter_rows(min_row=2) for c in row if c.hyperlink]
    assert any(link and link.endswith("!Z1") for link in links)


def test_unpatchable_book_falls_back_to_openpyxl(tmp_path, monkeypatch):
    from workbook import book_patch

    def refuse(*a, **k):
        raise book_patch.Unpatchable("styles.xml laid out unexpectedly")

    monkeypatch.setattr(book_patch, "add_styles", refuse)
    path = book(tmp_path)
    before = parts(path)
    assert calculate_flow(path).ok
    assert parts(path)["xl/styles.xml"] != before["xl/styles.xml"]  # rewritten by openpyxl, not patched
    assert payout(path) == EXPECTED
