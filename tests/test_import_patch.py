"""Import by package patch (``sheet_append``) against the openpyxl rewrite it replaces.

The same returned department files go into two copies of the same master,
once through each path; every sheet must then read the same (python-calamine
and openpyxl read-only), the Tables, validations and conditional formats must
cover the same ranges, and each appended cell must look like the openpyxl
path's (number format, font, fill, border, alignment, protection). Layouts the
patch leaves to openpyxl are listed one by one: the patch refuses them with
``Unpatchable`` and the import still succeeds, through openpyxl.
"""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import zipfile
from copy import copy
from pathlib import Path

import openpyxl
import pytest

from conftest import as_xlsm
import python_calamine as pc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from test_manager_import import CLAIMS, INCIDENTS, KPI, fill, generate, make_master
from workbook import importer
from workbook.import_log import TITLE as IMPORTS_TITLE
from workbook.load import load_book
from workbook.sheet_append import (SharedStrings, SheetRows, Styles, Unpatchable, append_to_sheet, cell_xml, grow_sqref,
                                   patch_import)
from workbook.sheet_marks import sheet_parts

NOW = dt.datetime(2026, 7, 10, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def run(master: Path, files: list[Path], patch: bool, monkeypatch) -> importer.ImportResult:
    monkeypatch.setattr(importer, "USE_PATCH", patch)
    return importer.import_files(master, files, by="张人力", now=NOW)


def both(master: Path, files: list[Path], tmp_path: Path, monkeypatch, expect_patch: bool = True) -> tuple[Path, Path]:
    """The master after importing ``files`` by patch and by openpyxl (each into its own copy)."""
    out = []
    for how in ("patch", "openpyxl"):
        copy = tmp_path / how / master.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copy(master, copy)
        res = run(copy, files, how == "patch", monkeypatch)
        assert res.ok, res.master_problems or [p.render() for c in res.files for p in c.problems]
        if how == "patch":
            assert res.written_by == "patch" if expect_patch else res.written_by.startswith("openpyxl ("), res.written_by
        out.append(copy)
    return out[0], out[1]


def calamine_sheets(path: Path) -> dict[str, list[list]]:
    wb = pc.CalamineWorkbook.from_path(str(path))
    return {t: wb.get_sheet_by_name(t).to_python() for t in wb.sheet_names}


def openpyxl_sheets(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)] for ws in wb.worksheets}
    finally:
        wb.close()


def ranges(path: Path) -> dict[str, tuple]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: (sorted((t.name, t.ref, t.autoFilter.ref if t.autoFilter else None) for t in ws.tables.values()),
                       sorted(str(dv.sqref) for dv in ws.data_validations.dataValidation),
                       sorted(str(cf.sqref) for cf in ws.conditional_formatting))
            for ws in wb.worksheets}


def looks(path: Path, title: str, rows: range) -> list[tuple]:
    ws = openpyxl.load_workbook(path)[title]
    return [(c.coordinate, c.value, c.data_type, c.number_format) + tuple(copy(getattr(c, a)) for a in ("font", "fill", "border", "alignment", "protection"))
            for r in rows for c in ws[r] if c.value is not None]


def assert_same(a: Path, b: Path) -> None:
    sa, sb = calamine_sheets(a), calamine_sheets(b)
    assert list(sa) == list(sb)
    for title in sa:
        assert sa[title] == sb[title], title
    assert openpyxl_sheets(a) == openpyxl_sheets(b)
    assert ranges(a) == ranges(b)
    for title in (CLAIMS, INCIDENTS, KPI, IMPORTS_TITLE):
        if title in sa:
            assert looks(a, title, range(1, len(sa[title]) + 1)) == looks(b, title, range(1, len(sb[title]) + 1)), title


@pytest.fixture
def master(tmp_path) -> Path:
    return make_master(tmp_path / "主工作簿.xlsx")


@pytest.fixture
def returns(master, tmp_path) -> list[Path]:
    """Two departments' returns: 大客户部 (claims, incidents, KPI) and 市场部 (one claim)."""
    ka = fill(generate(master, "大客户部", tmp_path / "ka.xlsx"), tmp_path / "回收-大客户部.xlsx")
    mk = fill(generate(master, "市场部", tmp_path / "mk.xlsx"), tmp_path / "回收-市场部.xlsx",
              {CLAIMS: [["Q7", "E003", "C003", dt.date(2026, 7, 2), "孙经理", None, None, None, 1200.5, " 加急 & <重要> "]]})
    return [ka, mk]


# ------------------------------------------------------------- same result
def test_two_departments_into_a_fresh_master(master, returns, tmp_path, monkeypatch):
    patched, rewritten = both(master, returns, tmp_path, monkeypatch)
    assert_same(patched, rewritten)
    book, _ = load_book(patched)
    assert [c.claim_id for c in book.rows("Claims")] == ["Q9", "Q1", "Q2", "Q7"]
    assert book.rows("Claims")[3].uplift_reason == "加急 & <重要>"
    claims = openpyxl.load_workbook(patched)[CLAIMS]
    assert claims.tables["tblClaims"].ref == "A1:J5"
    assert claims["D3"].is_date and claims["D3"].number_format == claims["D2"].number_format  # a date, formatted like the row above
    assert claims["I5"].data_type == "n" and claims["I5"].value == 1200.5
    log = openpyxl.load_workbook(patched)[IMPORTS_TITLE]
    assert log.protection.sheet and log.freeze_panes == "A2" and log["A1"].font.b
    assert [c.value for c in log["C"]][1:] == ["回收-大客户部.xlsx", "回收-市场部.xlsx"]


def test_second_import_appends_to_the_imports_sheet(master, returns, tmp_path, monkeypatch):
    first = tmp_path / "first.xlsx"
    shutil.copy(master, first)
    assert run(first, returns[:1], False, monkeypatch).ok  # the Imports sheet as openpyxl made it
    patched, rewritten = both(first, returns[1:], tmp_path, monkeypatch)
    assert_same(patched, rewritten)
    assert [r[2] for r in calamine_sheets(patched)[IMPORTS_TITLE][1:]] == ["回收-大客户部.xlsx", "回收-市场部.xlsx"]


def test_validations_and_formats_ending_at_the_data_grow(master, returns, tmp_path, monkeypatch):
    wb = openpyxl.load_workbook(master)
    ws = wb[CLAIMS]
    dv = DataValidation(type="list", formula1='"赵经理,孙经理"', sqref="E2:E2 G2")
    ws.add_data_validation(dv)
    ws.conditional_formatting.add("I2:I2", CellIsRule(operator="greaterThan", formula=["1000"], fill=PatternFill("solid", fgColor="FFC7CE")))
    ws.conditional_formatting.add("A1:B1", CellIsRule(operator="equal", formula=['"x"'], fill=PatternFill("solid", fgColor="FFC7CE")))
    wb.save(master)
    patched, rewritten = both(master, returns, tmp_path, monkeypatch)
    assert_same(patched, rewritten)
    _, validations, formats = ranges(patched)[CLAIMS]
    assert "E2:E5 G2:G5" in validations and "B2:B20000" in validations  # the template's own reach further: kept
    assert formats == ["A1:B1", "I2:I5"]


def test_column_style_for_a_cell_with_none_above(master, tmp_path, monkeypatch):
    """An optional column left blank in the last row: the new cell takes the column's style, as in openpyxl."""
    template = generate(master, "大客户部", tmp_path / "ka.xlsx")
    rows = [["Q1", "E001", "C001", dt.date(2026, 7, 3), None, None, None, None, 300, "理由"],
            ["Q2", "E002", "C002", dt.date(2026, 7, 2), "赵经理", dt.date(2026, 7, 6), None, None, 100, None]]
    patched, rewritten = both(master, [fill(template, tmp_path / "r.xlsx", {CLAIMS: rows})], tmp_path, monkeypatch)
    assert_same(patched, rewritten)


def test_formatted_rows_and_notes_below_the_data(master, returns, tmp_path, monkeypatch):
    """New cells go into the formatted rows below the data, as openpyxl puts them: height, notes and other cells stay."""
    wb = openpyxl.load_workbook(master)
    ws = wb[CLAIMS]
    for r in range(3, 9):
        for j in (1, 4, 5, 9):
            ws.cell(row=r, column=j).fill = PatternFill("solid", fgColor="FFFF00")
    ws.cell(row=3, column=6).value = "  "  # blank text in a data column: not data, overwritten
    ws["M4"] = "备注：待核"  # a note right of the table
    ws.row_dimensions[4].height = 30
    ws["B30"].fill = PatternFill("solid", fgColor="00FF00")
    wb.save(master)
    patched, rewritten = both(master, returns, tmp_path, monkeypatch)
    assert_same(patched, rewritten)
    ws = openpyxl.load_workbook(patched)[CLAIMS]
    assert [ws.cell(row=r, column=1).value for r in range(3, 6)] == ["Q1", "Q2", "Q7"]
    assert ws["M4"].value == "备注：待核" and ws.row_dimensions[4].height == 30 and ws["A8"].fill.fgColor.rgb == "00FFFF00"


def test_master_saved_by_libreoffice(master, returns, tmp_path, monkeypatch):
    """LibreOffice writes shared strings, its own styles and a thousand formatted empty rows under each table."""
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice not installed")
    from tools.libreoffice import Soffice

    lo = Soffice(tmp_path / "lo-profile")
    assert run(master, returns[:1], True, monkeypatch).written_by == "patch"
    lo.convert(master, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")  # the Imports sheet too, as LibreOffice writes it
    resaved = tmp_path / "lo" / master.name
    with zipfile.ZipFile(resaved) as zf:
        assert "xl/sharedStrings.xml" in zf.namelist()
        claims = zf.read(sheet_parts(zf)[CLAIMS])
    assert b'<row r="500"' in claims  # formatted rows far below the data
    patched, rewritten = both(resaved, returns[1:], tmp_path, monkeypatch)
    assert_same(patched, rewritten)
    csv_patched = lo.sheets_as_csv(patched, tmp_path / "csv-patch")
    assert csv_patched == lo.sheets_as_csv(rewritten, tmp_path / "csv-openpyxl")
    assert [r[2] for r in csv_patched[IMPORTS_TITLE][1:3]] == ["回收-大客户部.xlsx", "回收-市场部.xlsx"]
    assert [r[0] for r in csv_patched[CLAIMS][1:5]] == ["Q9", "Q1", "Q2", "Q7"]


def test_a_date_into_a_general_column_gets_a_date_format(master, returns, tmp_path, monkeypatch):
    wb = openpyxl.load_workbook(master)
    ws = wb[CLAIMS]
    for r in (1, 2):  # a user who reset column D and its cells to General
        ws.cell(row=r, column=4).number_format = "General"
    ws.column_dimensions["D"].number_format = "General"
    wb.save(master)
    patched, rewritten = both(master, returns, tmp_path, monkeypatch)
    assert_same(patched, rewritten)
    ws = openpyxl.load_workbook(patched)[CLAIMS]
    assert ws["D3"].number_format == "yyyy-mm-dd" and ws["D3"].is_date and ws["D2"].number_format == "General"


def test_a_1904_workbook_gets_1904_serials(master, returns, tmp_path, monkeypatch):
    wb = openpyxl.load_workbook(master)
    wb.epoch = openpyxl.utils.datetime.MAC_EPOCH
    wb.save(master)
    patched, rewritten = both(master, returns, tmp_path, monkeypatch)
    assert_same(patched, rewritten)
    assert calamine_sheets(patched)[CLAIMS][2][3] == dt.date(2026, 7, 3)


def test_xlsm_keeps_vba_and_every_untouched_part(master, returns, tmp_path, monkeypatch):
    xlsm = tmp_path / "主工作簿.xlsm"
    as_xlsm(master, xlsm)
    before = {i.filename: zipfile.ZipFile(xlsm).read(i) for i in zipfile.ZipFile(xlsm).infolist()}
    res = run(xlsm, returns, True, monkeypatch)
    assert res.ok and res.written_by == "patch"
    with zipfile.ZipFile(xlsm) as zf:
        after = {n: zf.read(n) for n in zf.namelist()}
    changed = {n for n in before if after[n] != before[n]}
    assert after["xl/vbaProject.bin"] == b"VBA" * 100
    with zipfile.ZipFile(xlsm) as zf:
        parts = sheet_parts(zf)
    receiving = {parts[t] for t in (CLAIMS, INCIDENTS, KPI)}
    assert {n for n in changed if n.startswith("xl/worksheets/")} == receiving
    assert changed - receiving <= {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"} | {
        n for n in changed if n.startswith("xl/tables/")}, changed
    assert set(after) - set(before) == {"xl/worksheets/bonusbook_imports1.xml"}


incident = st.tuples(
    st.sampled_from(["E001", "E002"]),
    st.dates(dt.date(2025, 7, 1), dt.date(2026, 6, 30)),
    st.sampled_from([("complaint", "minor"), ("complaint", "serious"), ("client_lost", "general"), ("violation", None)]),
    st.one_of(st.none(), st.text(st.sampled_from(list("ab 中文&<>\"'.;-+1\t")), max_size=12).filter(lambda t: not t.startswith("="))),
)


@pytest.fixture(scope="module")
def prop_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("prop")
    m = make_master(d / "master.xlsx")
    return m, generate(m, "大客户部", d / "ka.xlsx")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(incident, min_size=1, max_size=10), st.integers(0, 3))
def test_random_incidents_same_either_way(prop_files, monkeypatch, rows, kpi_lines):
    master, template = prop_files
    with tempfile.TemporaryDirectory() as d:
        typed = [[f"X{i:03d}", e, day, kind, sev, "C001" if kind == "client_lost" else None, note] for i, (e, day, (kind, sev), note) in enumerate(rows)]
        kpi = [["E002", "2026Q2", f"指标{i}", 0.25, "qualitative", None, None, 60 + i * 7.5] for i in range(kpi_lines)]
        returned = fill(template, Path(d) / "r.xlsx", {INCIDENTS: typed, KPI: kpi})
        patched, rewritten = both(master, [returned], Path(d), monkeypatch)
        assert_same(patched, rewritten)


# -------------------------------------------------- left to openpyxl, on purpose
def fallback(master: Path, files: list[Path], tmp_path: Path, monkeypatch, why: str) -> Path:
    """The patch refuses this master (saying ``why``); the import succeeds through openpyxl."""
    copy = tmp_path / "fallback" / master.name
    copy.parent.mkdir(exist_ok=True)
    shutil.copy(master, copy)
    res = run(copy, files, True, monkeypatch)
    assert res.ok and res.written_by.startswith("openpyxl (Unpatchable") and why in res.written_by, res.written_by
    return copy


def test_formula_in_the_last_row_is_carried_down_by_openpyxl(master, returns, tmp_path, monkeypatch):
    wb = openpyxl.load_workbook(master)
    ws = wb[CLAIMS]
    ws["L1"], ws["L2"] = "审批天数", "=F2-D2"
    ws.tables["tblClaims"].ref = "A1:L2"
    wb.save(master)
    done = fallback(master, returns[:1], tmp_path, monkeypatch, "formulas in the last data row")
    assert openpyxl.load_workbook(done)[CLAIMS]["L4"].value == "=F4-D4"


def test_merged_cells(master, returns, tmp_path, monkeypatch):
    wb = openpyxl.load_workbook(master)
    wb[CLAIMS].merge_cells("L1:M1")
    wb.save(master)
    fallback(master, returns[:1], tmp_path, monkeypatch, "merged cells")


def test_table_with_a_totals_row(master, returns, tmp_path, monkeypatch):
    wb = openpyxl.load_workbook(master)
    wb[INCIDENTS].tables["tblIncidents"].totalsRowCount = 1
    wb.save(master)
    fallback(master, returns[:1], tmp_path, monkeypatch, "totals row")


def test_imports_sheet_missing_a_column(master, returns, tmp_path, monkeypatch):
    assert run(master, returns[:1], True, monkeypatch).ok
    wb = openpyxl.load_workbook(master)
    wb[IMPORTS_TITLE].delete_cols(9)
    wb.save(master)
    done = fallback(master, returns[1:], tmp_path, monkeypatch, "Imports sheet lacks columns")
    assert calamine_sheets(done)[IMPORTS_TITLE][0][8] == "模板生成时主工作簿的输入数据哈希 (template_master_sha256)"  # openpyxl added it back


def test_patch_that_reads_back_wrong_falls_back(master, returns, tmp_path, monkeypatch):
    """Should the patch ever write something else than meant, the read-back refuses it and openpyxl writes."""
    real = importer.patch_import

    def drops_a_row(src, dst, sheets, log):
        sheets[0].rows.pop()
        return real(src, dst, sheets, log)

    monkeypatch.setattr(importer, "patch_import", drops_a_row)
    res = run(master, returns[:1], True, monkeypatch)
    assert res.ok and res.written_by.startswith("openpyxl (写入后核对 奖励申请 (Claims) 不一致"), res.written_by
    assert [c.claim_id for c in load_book(master)[0].rows("Claims")] == ["Q9", "Q1", "Q2"]


# ------------------------------------------------------------------ pieces
def test_grow_sqref():
    assert grow_sqref("B2:B20000", 1, 40, 45, {2}) == "B2:B20000"  # reaches further: kept
    assert grow_sqref("B2:B40 D5:E40 A40", 1, 40, 45, {1, 2, 4}) == "B2:B45 D5:E45 A40:A45"
    assert grow_sqref("K2:K40", 1, 40, 45, {1, 2}) == "K2:K40"  # not a column written to
    assert grow_sqref("B1:B1", 1, 1, 3, {2}) == "B1:B1"  # an empty sheet: nothing ends at its data
    assert grow_sqref("B:B", 1, 40, 45, {2}) == "B:B"


def test_cells_spelled_as_openpyxl_writes_them(tmp_path):
    assert cell_xml("A2", "=SUM(A1)", 3, openpyxl.utils.datetime.WINDOWS_EPOCH) == '<c r="A2" s="3" t="inlineStr"><is><t>=SUM(A1)</t></is></c>'
    assert cell_xml("B2", " a\r&b ", None, openpyxl.utils.datetime.WINDOWS_EPOCH) == \
        '<c r="B2" t="inlineStr"><is><t xml:space="preserve"> a&#13;&amp;b </t></is></c>'
    assert cell_xml("C2", 0.1 + 0.2, None, openpyxl.utils.datetime.WINDOWS_EPOCH) == '<c r="C2" t="n"><v>0.3</v></c>'
    assert cell_xml("D2", dt.date(2026, 7, 3), 5, openpyxl.utils.datetime.WINDOWS_EPOCH) == '<c r="D2" s="5" t="n"><v>46206</v></c>'
    for bad in (True, dt.time(1, 2), float("nan"), "a\x01b"):
        with pytest.raises(Unpatchable):
            cell_xml("E2", bad, None, openpyxl.utils.datetime.WINDOWS_EPOCH)
    wb = openpyxl.Workbook()
    for ref, v in (("A2", "=SUM(A1)"), ("B2", " a\r&b "), ("C2", 0.1 + 0.2), ("D2", dt.date(2026, 7, 3))):
        wb.active[ref] = v
        wb.active[ref].data_type = "s" if isinstance(v, str) else wb.active[ref].data_type
    wb.save(tmp_path / "o.xlsx")
    xml = zipfile.ZipFile(tmp_path / "o.xlsx").read("xl/worksheets/sheet1.xml").decode()
    assert '<is><t xml:space="preserve"> a&#13;&amp;b </t></is>' in xml and "<v>0.3</v>" in xml and "<v>46206</v>" in xml


def test_sheet_with_shared_strings_and_styled_columns():
    """An Excel-style sheet: shared-string header, ``<col>`` groups, a styled empty cell, spans on rows."""
    sheet = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             b'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"><dimension ref="A1:C2"/>'
             b'<cols><col min="1" max="3" width="12" style="1" customWidth="1"/></cols><sheetData>'
             b'<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
             b'<row r="2" spans="1:3" x14ac:dyDescent="0.25"><c r="A2" s="2" t="s"><v>3</v></c><c r="B2" s="1"/><c r="C2" s="2"><v>5</v></c></row>'
             b'</sheetData><dataValidations count="1"><dataValidation type="whole" sqref="C2"><formula1>0</formula1></dataValidation></dataValidations>'
             b'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
    sst = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>a</t></si><si><r><t>b</t></r></si><si><t>c</t></si><si><t>x</t></si></sst>'
    styles = Styles(b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font/></fonts>'
                    b'<fills count="2"><fill/><fill/></fills><borders count="1"><border/></borders>'
                    b'<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
                    b'<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
                    b'<xf numFmtId="0" fontId="0" fillId="1" borderId="0" xfId="0"/></cellXfs></styleSheet>')

    class Zip:
        def read(self, name):
            return sst

    rows = SheetRows("t", {1: {"a"}, 2: {"b"}, 3: {"c"}}, [{1: "y", 2: dt.date(2026, 1, 2), 3: 7}, {1: "z", 2: None, 3: 8}])
    app = append_to_sheet(sheet, rows, styles, SharedStrings(Zip(), {"xl/sharedStrings.xml"}), openpyxl.utils.datetime.WINDOWS_EPOCH)
    assert (app.header, app.last, app.n) == (1, 2, 4)
    new = app.xml.decode()
    dated = styles.xfs[3].decode()  # B2's style (text, "@") copied and shown as a date
    assert 'numFmtId="164"' in dated and 'fillId="0"' in dated
    assert ('<row r="3"><c r="A3" s="2" t="inlineStr"><is><t>y</t></is></c><c r="B3" s="3" t="n"><v>46024</v></c>'
            '<c r="C3" s="2" t="n"><v>7</v></c></row><row r="4"><c r="A4" s="2" t="inlineStr"><is><t>z</t></is></c>'
            '<c r="C4" s="2" t="n"><v>8</v></c></row></sheetData>') in new
    assert '<dimension ref="A1:C4"/>' in new and 'sqref="C2:C4"' in new
    styles.check()


def test_refusals_name_their_reason():
    base = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>%s</sheetData>%s</worksheet>')
    styles = Styles(b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font/></fonts>'
                    b'<fills count="1"><fill/></fills><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>')
    rows = SheetRows("t", {1: {"a"}}, [{1: "x"}])
    cases = {
        b'<row r="2"><c r="A2"><f>1+1</f><v>2</v></c></row>': "formulas in the last data row",
        b'<row><c r="A2" t="inlineStr"><is><t>v</t></is></c></row>': "without its reference",
        b'<row r="2"><c t="inlineStr"><is><t>v</t></is></c></row>': "without its reference",
    }
    for rows_xml, why in cases.items():
        with pytest.raises(Unpatchable, match=why):
            append_to_sheet(base % (rows_xml, b""), rows, styles, None, openpyxl.utils.datetime.WINDOWS_EPOCH)
    with pytest.raises(Unpatchable, match="merged cells"):
        append_to_sheet(base % (b"", b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>'), rows, styles, None, None)
    with pytest.raises(Unpatchable, match="prefixed"):
        append_to_sheet(b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData/></x:worksheet>',
                        rows, styles, None, None)


def test_unreadable_master_part_is_refused_before_writing(master, tmp_path):
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(master) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            if info.filename != "xl/styles.xml":
                dst.writestr(info, src.read(info))
    with pytest.raises(Unpatchable, match="styles.xml"):
        patch_import(broken, tmp_path / "out.xlsx", [], [])
