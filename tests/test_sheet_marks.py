"""The error-cell and uncached-formula scan: each marked cell looked at once, the same findings.

``sheet_marks`` collects the cells around error types and formulas together and
looks at each once. The reference here is the earlier scan, one loop per kind,
kept word for word, run on random sheets mixing every kind of cell.
"""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from workbook.sheet_marks import SheetMarks, _cells_around, _col0, _ERROR_TYPE, _REF, _VALUE, scan_marks, sheet_marks

_ERROR_CELL = re.compile(rb't="e"')
_FORMULA = re.compile(rb"<f[ >/]")  # (the reference keeps its own patterns)


def two_passes(data: bytes) -> SheetMarks:
    m = SheetMarks()
    for tag, body in _cells_around(data, _ERROR_CELL).values():
        ref, value = _REF.search(tag), _VALUE.search(body)
        if ref and _ERROR_TYPE.search(tag):
            code = value.group(1).decode("utf-8", "replace") if value else "#错误"
            m.errors[(int(ref.group(2)) - 1, _col0(ref.group(1)))] = code
    for tag, body in _cells_around(data, _FORMULA).values():
        ref = _REF.search(tag)
        if ref and not re.search(rb"<v>[^<]+</v>", body) and b"<is>" not in body:
            m.uncached_formulas.append((int(ref.group(2)) - 1, _col0(ref.group(1))))
    return m


CELLS = [
    '<c r="{ref}"><v>1</v></c>',
    '<c r="{ref}" t="e"><v>#N/A</v></c>',
    '<c r="{ref}" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
    '<c r="{ref}" t="e"><f>X()</f></c>',
    '<c r="{ref}" t="e"/>',
    '<c r="{ref}"><f>A1+1</f><v>3</v></c>',
    '<c r="{ref}"><f>A1+1</f><v></v></c>',
    '<c r="{ref}"><f>A1+1</f></c>',
    '<c r="{ref}"><f t="shared" si="0"/></c>',
    '<c r="{ref}" t="str"><f>"a"</f><v>a</v></c>',
    '<c r="{ref}" t="inlineStr"><f>1</f><is><t>x</t></is></c>',
    '<c r="{ref}" t="inlineStr"><is><t>t=&quot;e&quot; &lt;f&gt;</t></is></c>',
    '<c r="{ref}" s="2"/>',
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(range(len(CELLS))), st.integers(0, 30)), max_size=40))
def test_one_look_per_cell_finds_what_two_loops_found(cells):
    xml = "<worksheet><sheetData><row>" + "".join(
        CELLS[k].format(ref=f"{chr(65 + col % 26)}{i + 1}") for i, (k, col) in enumerate(cells)) + "</row></sheetData></worksheet>"
    data = xml.encode()
    got, want = sheet_marks(data), two_passes(data)
    assert list(got.errors.items()) == list(want.errors.items())
    assert got.uncached_formulas == want.uncached_formulas


def test_only_the_named_sheets_are_scanned(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "成交"
    wb.active["A2"] = "=1/0"
    wb.create_sheet("计算明细 (Results)")["B3"] = "=SUM(A1:A2)"
    path = tmp_path / "b.xlsx"
    wb.save(path)
    assert set(scan_marks(path)) == {"成交", "计算明细 (Results)"}  # openpyxl writes formulas without a cached value
    assert set(scan_marks(path, {"成交"})) == {"成交"}
