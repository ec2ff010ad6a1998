"""The generated template: structure checked with openpyxl, and the committed copy
in templates/ compared with what the generator makes today (content, not bytes).

If ``test_committed_template_is_current`` fails after a schema or policy change,
regenerate the committed file:  bonusbook template templates/bonusbook-template.xlsx
"""
from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path

import openpyxl
import pytest

from workbook import instructions
from workbook.load import load_book
from workbook.policy import default_policy
from workbook.policy_defaults import PARAMS, TIER_DEFAULTS
from workbook.schema import EDUCATION, INCIDENT_KINDS, INPUT_SHEETS, LEVELS, OUTPUT_SHEETS, RATINGS, REVENUE_TYPES, SEVERITIES
from workbook.template import FIXED_TIME, build_template, fill_book, save_workbook, write_template

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "templates" / "bonusbook-template.xlsx"


@pytest.fixture(scope="module")
def template_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "t.xlsx"
    write_template(path)
    return path


@pytest.fixture(scope="module")
def wb(template_path):
    return openpyxl.load_workbook(template_path)


def content(path: Path) -> dict:
    """Everything a user sees or a formula relies on, in a comparable form."""
    wb = openpyxl.load_workbook(path)
    out = {"sheets": wb.sheetnames, "names": {n: d.attr_text for n, d in wb.defined_names.items()},
           "props": (wb.properties.title, wb.properties.creator, wb.properties.created, wb.properties.modified)}
    for ws in wb.worksheets:
        out[ws.title] = {
            "cells": {c.coordinate: (c.value, c.data_type, c.number_format, c.fill.fgColor.rgb, c.font.b)
                      for row in ws.iter_rows() for c in row if c.value is not None or c.fill.fill_type},
            "tables": {t.displayName: (t.ref, [c.name for c in t.tableColumns]) for t in ws.tables.values()},
            "validations": sorted((str(dv.sqref), dv.type, dv.formula1, dv.errorStyle, dv.promptTitle, dv.prompt)
                                  for dv in ws.data_validations.dataValidation),
            "columns": {k: (d.width, d.number_format, d.fill.fgColor.rgb) for k, d in ws.column_dimensions.items()},
            "protected": ws.protection.sheet, "freeze": ws.freeze_panes, "print_titles": ws.print_title_rows,
            "links": {c.coordinate: c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink},
        }
    return out


def test_committed_template_is_current(template_path):
    assert COMMITTED.exists(), "templates/bonusbook-template.xlsx is missing: run bonusbook template templates/bonusbook-template.xlsx"
    now, committed = content(template_path), content(COMMITTED)
    assert committed["sheets"] == now["sheets"], "regenerate: bonusbook template templates/bonusbook-template.xlsx"
    for key in now:
        assert committed[key] == now[key], f"{key} differs from the generator; regenerate: bonusbook template templates/bonusbook-template.xlsx"


def test_generation_is_deterministic(tmp_path, wb):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_template(a)
    write_template(b)
    assert a.read_bytes() == b.read_bytes()
    assert wb.properties.created == FIXED_TIME and wb.properties.modified == FIXED_TIME


def test_sheets_in_order(wb):
    inputs = [s.header for s in INPUT_SHEETS]
    outputs = [f"{OUTPUT_SHEETS[k]} ({k})" for k in ("Results", "Payout", "Validation")]
    assert wb.sheetnames == ["说明"] + inputs + outputs + ["xlwings.conf"]
    assert wb.active.title == "说明"


def test_every_input_sheet_is_a_table_with_bilingual_headers(wb):
    for schema in INPUT_SHEETS:
        ws = wb[schema.header]
        (table,) = ws.tables.values()
        assert table.displayName == f"tbl{schema.key}"
        assert table.ref.startswith("A1:")
        headers = [c.name for c in table.tableColumns]
        assert headers == [f"{c.label} ({c.key})" for c in schema.columns]
        assert [c.value for c in ws[1]][: len(headers)] == headers
        assert ws.print_title_rows == "$1:$1"
        assert not ws.protection.sheet, "input sheets are protected only at lock time"


def _list_validations(ws) -> dict[str, tuple[str, ...]]:
    """Column letter -> dropdown choices."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            for rng in str(dv.sqref).split():
                out[rng.split(":")[0].rstrip("0123456789")] = tuple(dv.formula1.strip('"').split(","))
    return out


def _letter(schema, key: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter([c.key for c in schema.columns].index(key) + 1)


@pytest.mark.parametrize("sheet,column,choices", [
    ("Incidents", "kind", INCIDENT_KINDS),
    ("Incidents", "severity", SEVERITIES),
    ("Deals", "revenue_type", REVENUE_TYPES),
    ("Deals", "in_crm", ("Y", "N")),
    ("Clients", "strategic", ("Y", "N")),
    ("GradeReview", "education", EDUCATION),
    ("GradeReview", "applied_level", LEVELS),
    ("Employees", "grade", LEVELS),
    ("Ratings", "rating", RATINGS),
    ("Tiers", "lower_inclusive", ("Y", "N")),
])
def test_dropdowns(wb, sheet, column, choices):
    schema = next(s for s in INPUT_SHEETS if s.key == sheet)
    assert _list_validations(wb[schema.header])[_letter(schema, column)] == tuple(choices)


def test_every_enum_and_bool_column_has_a_dropdown_and_every_column_a_hint(wb):
    for schema in INPUT_SHEETS:
        ws = wb[schema.header]
        lists = _list_validations(ws)
        prompted = {str(dv.sqref).split(":")[0].rstrip("0123456789") for dv in ws.data_validations.dataValidation if dv.prompt}
        for c in schema.columns:
            letter = _letter(schema, c.key)
            if c.kind == "bool" or c.kind.startswith("enum:"):
                assert letter in lists, f"{schema.key}.{c.key} has no dropdown"
            if schema.key != "Settings":
                assert letter in prompted, f"{schema.key}.{c.key} has no typing hint"
        strict = [dv for dv in ws.data_validations.dataValidation if dv.type == "list" and dv.errorStyle == "stop"]
        for dv in strict:  # a strict list must be exactly an engine enum, or valid input would be blocked
            col = next(c for c in schema.columns if _letter(schema, c.key) == str(dv.sqref).split(":")[0].rstrip("0123456789"))
            assert col.kind == "enum:" + dv.formula1.strip('"').replace(",", "|")


def test_column_formats(wb):
    deals = next(s for s in INPUT_SHEETS if s.key == "Deals")
    ws = wb[deals.header]
    assert ws.column_dimensions[_letter(deals, "signed_on")].number_format == "yyyy-mm-dd"
    assert ws.column_dimensions[_letter(deals, "deal_id")].number_format == "@"  # IDs stay text: 001 is not 1
    assert ws.column_dimensions[_letter(deals, "amount")].number_format == "#,##0.00"
    assert ws.column_dimensions[_letter(deals, "share")].number_format == "0.00%"
    assert ws.column_dimensions[_letter(deals, "amount")].fill.fgColor.rgb.endswith("FFF2CC")


def test_filled_cells_take_the_column_style():
    wb = build_template()
    fill_book(wb, {"Deals": [{"deal_id": "D1", "client_id": "C1", "employee_id": "E1", "share": 1,
                              "signed_on": dt.date(2026, 7, 1), "amount": 1000}]})
    deals = next(s for s in INPUT_SHEETS if s.key == "Deals")
    ws = wb[deals.header]
    assert ws[f"{_letter(deals, 'signed_on')}2"].number_format == "yyyy-mm-dd"
    assert ws[f"{_letter(deals, 'share')}2"].number_format == "0.00%"
    assert ws.tables["tblDeals"].ref == f"A1:{_letter(deals, 'delivered')}2"


def test_output_sheets_and_instructions_are_protected(wb):
    for key in ("Results", "Payout", "Validation"):
        assert wb[f"{OUTPUT_SHEETS[key]} ({key})"].protection.sheet
    assert wb["说明"].protection.sheet


def test_defined_names(wb):
    names = {n: d.attr_text for n, d in wb.defined_names.items()}
    assert names == {"bb_period": "'设置 (Settings)'!$B$2", "bb_policy": "tblPolicy[#Data]", "bb_tiers": "tblTiers[#Data]"}
    assert wb["设置 (Settings)"]["A2"].value == "period"


def test_xlwings_conf_points_at_the_udf_module(wb):
    ws = wb["xlwings.conf"]
    assert (ws["A1"].value, ws["B1"].value) == ("UDF Modules", "udfs")
    # xlwings reads A1 down to the first blank, and a listed key overrides the add-in even when blank
    assert ws["A2"].value is None
    import udfs  # the module named there must import (xlwings decorators are no-ops off Windows)

    assert callable(udfs.BB_TIER)


def test_no_formulas_anywhere(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula: {c.value}"


def test_policy_and_tiers_prefilled_from_defaults_examples_marked(wb):
    ws = wb["政策参数 (Policy)"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2) if r[0].value}
    assert list(rows) == [p.key for p in PARAMS]
    for p in PARAMS:
        value, note = rows[p.key][1], rows[p.key][2]
        assert note.value.startswith("【示例】") == p.example, p.key
        assert value.fill.fgColor.rgb.endswith("F8CBAD") == p.example, p.key
    tiers = wb["档位表 (Tiers)"]
    names = [r[0].value for r in tiers.iter_rows(min_row=2) if r[0].value]
    assert names == [t.table for t in TIER_DEFAULTS for _ in t.rows]
    for r in tiers.iter_rows(min_row=2):
        t = next(t for t in TIER_DEFAULTS if t.table == r[0].value)
        assert r[6].value.startswith("【示例】") == t.example


def test_template_policy_reads_back_as_the_defaults(tmp_path):
    """The prefilled sheets, read by the engine, are exactly the defaults, without warnings."""
    wb = build_template()
    fill_book(wb, {"Settings": [{"key": "period", "value": "2026Q3"}]})
    path = tmp_path / "t.xlsx"
    save_workbook(wb, path)
    book, probs = load_book(path)
    assert probs == []
    assert book.policy.canonical() == default_policy().canonical()


def test_instructions_cover_every_sheet_button_and_udf(wb):
    import macros
    import udfs

    text = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    for schema in INPUT_SHEETS:
        assert schema.header in text
    for _, _, py, _, _ in instructions.BUTTONS:
        assert callable(getattr(macros, py.split(".")[1].rstrip("()")))
    assert {u[0] for u in instructions.UDFS} == set(udfs.__all__)
    for name, args, _, example in instructions.UDFS:  # the help names every argument, in order
        assert len(args.split(", ")) == len(inspect.signature(getattr(udfs, name)).parameters), name
        assert example.startswith(f"={name}(")
    for step in ("校验", "计算", "锁定", "重新打开", "核对", "发布", "导入"):
        assert step in text
    assert set(instructions.OWNERS) == {s.key for s in INPUT_SHEETS}


def test_cli_writes_the_template(tmp_path):
    from workbook.cli import main

    out = tmp_path / "new.xlsx"
    assert main(["template", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "说明"
