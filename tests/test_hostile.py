"""Hostile workbooks are refused fast, with a message that names the problem.

Every file is built here in tmp_path; no binary fixtures are checked in.
"""
from __future__ import annotations

import io
import os
import struct
import time
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook.hostile import HostileFile, Limits, screen, screen_problems
from workbook.problems import ERROR

CT = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
WB = '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
SHEET = ('<?xml version="1.0" encoding="UTF-8"?>'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         '<dimension ref="{ref}"/><sheetData/></worksheet>')
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
          + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1 if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
          + ']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')


def minimal(path, extra=(), *, skip=()):
    """A bare-bones workbook zip plus ``extra`` (name, bytes-or-str) parts."""
    parts = [("[Content_Types].xml", CT), ("xl/workbook.xml", WB),
             ("xl/worksheets/sheet1.xml", SHEET.format(ref="A1:C3")), *extra]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts:
            if name not in skip:
                zf.writestr(name, data)
    return path


def refused(path, *words, **kw) -> HostileFile:
    start = time.perf_counter()
    with pytest.raises(HostileFile) as info:
        screen(path, **kw)
    assert time.perf_counter() - start < 1.0
    exc = info.value
    assert str(exc) == exc.message
    assert os.path.basename(str(path)) in exc.message
    for word in words:
        assert word in exc.message, exc.message
    return exc


def passes(path, **kw) -> None:
    start = time.perf_counter()
    screen(path, **kw)
    assert time.perf_counter() - start < 1.0


@pytest.fixture
def real_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Deals"
    ws.append(["工号", "金额"])
    for i in range(200):
        ws.append([f"E{i:04d}", i * 10.5])
    wb.create_sheet("Staff")["A1"] = "姓名"
    path = tmp_path / "奖金.xlsx"
    wb.save(path)
    return path


def test_normal_openpyxl_workbook_passes(real_xlsx):
    passes(real_xlsx)
    assert screen_problems(real_xlsx) == []


def test_minimal_zip_workbook_passes(tmp_path):
    passes(minimal(tmp_path / "ok.xlsx"))


def test_missing_file_and_directory(tmp_path):
    refused(tmp_path / "nope.xlsx", "找不到文件")
    refused(tmp_path, "找不到文件")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    refused(path, "空文件")


def test_random_bytes_not_a_zip(tmp_path):
    path = tmp_path / "random.xlsx"
    path.write_bytes(os.urandom(4096))
    refused(path, "不是 Excel 工作簿")


def test_csv_renamed_xlsx(tmp_path):
    path = tmp_path / "deals.xlsx"
    path.write_text("工号,金额\nE0001,100\n", encoding="utf-8")
    refused(path, "不是 Excel 工作簿", "另存为")


def test_ole2_encrypted_or_xls(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le"))
    exc = refused(path, "已加密", "密码", ".xls", ".xlsx")
    assert exc.found == "OLE2"


def test_oversized_file(tmp_path):
    path = minimal(tmp_path / "big.xlsx")
    refused(path, "过大", limits=Limits(max_file_bytes=100))


def test_zip_without_workbook_xml(tmp_path):
    refused(minimal(tmp_path / "noworkbook.xlsx", skip={"xl/workbook.xml"}), "不是 Excel 工作簿")
    refused(minimal(tmp_path / "nocontent.xlsx", skip={"[Content_Types].xml"}), "不是 Excel 工作簿")


def test_plain_zip_of_other_things(tmp_path):
    path = tmp_path / "docs.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    refused(path, "不是 Excel 工作簿")


def test_zip_bomb_with_default_limits(tmp_path):
    path = minimal(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as f:
            chunk = b"\0" * (4 << 20)
            for _ in range(75):  # 300 MiB of zeros, ~300 KiB on disk
                f.write(chunk)
    assert path.stat().st_size < 2 << 20
    exc = refused(path, "压缩炸弹")
    assert "sheet2.xml" in exc.found


def test_small_bomb_with_lower_limits(tmp_path):
    path = minimal(tmp_path / "smallbomb.xlsx", [("xl/sharedStrings.xml", b"\0" * (11 << 20))])
    refused(path, "压缩炸弹", limits=Limits(max_total_uncompressed=5 << 20))
    refused(path, "压缩炸弹")  # 11 MiB at ~1000:1 trips the ratio check too


def test_sparse_but_small_part_is_fine(tmp_path):
    # a highly compressible part under 10 MiB is normal (empty rows, styles)
    passes(minimal(tmp_path / "sparse.xlsx", [("xl/styles.xml", "<styleSheet/>" + " " * (5 << 20))]))


def _patch_declared_size(path, name: bytes, size: int) -> None:
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_len] == name:
            struct.pack_into("<I", data, at + 24, size)  # uncompressed size in the central directory
            break
        at = data.find(b"PK\x01\x02", at + 4)
    else:
        raise AssertionError("entry not found")
    path.write_bytes(bytes(data))


def test_default_limits_reject_huge_declared_size(tmp_path):
    path = minimal(tmp_path / "declared.xlsx", [("xl/sharedStrings.xml", "<sst/>")])
    _patch_declared_size(path, b"xl/sharedStrings.xml", 0xF000_0000)  # claims 3.75 GiB
    assert zipfile.ZipFile(path).getinfo("xl/sharedStrings.xml").file_size == 0xF000_0000
    exc = refused(path, "压缩炸弹")
    assert "MiB" in exc.found


def test_too_many_entries(tmp_path):
    extra = [(f"xl/media/image{i}.png", b"x") for i in range(20)]
    refused(minimal(tmp_path / "many.xlsx", extra), "过多", limits=Limits(max_entries=10))


@pytest.mark.parametrize("name", ["../evil.xml", "xl/../../evil.xml", "/etc/evil.xml"])
def test_path_traversal_entry(tmp_path, name):
    path = minimal(tmp_path / "traversal.xlsx")
    with zipfile.ZipFile(path, "a") as zf:
        info = zipfile.ZipInfo("placeholder")
        info.filename = name  # ZipInfo() would strip a leading "/"; set it raw
        zf.writestr(info, "<x/>")
    assert name in zipfile.ZipFile(path).namelist()
    refused(path, "非法路径", name)


def test_vba_refused_by_default_allowed_on_request(tmp_path):
    path = minimal(tmp_path / "macro.xlsm", [("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 100)])
    refused(path, "宏", "xl/vbaProject.bin")
    passes(path, allow_vba=True)


def test_excel4_macro_sheet_refused(tmp_path):
    path = minimal(tmp_path / "xlm.xlsm", [("xl/macrosheets/sheet1.xml", "<xm:macrosheet/>")])
    refused(path, "宏", "xl/macrosheets/sheet1.xml")


@pytest.mark.parametrize("part, word", [
    ("xl/externalLinks/externalLink1.xml", "外部链接"),
    ("xl/embeddings/oleObject1.bin", "嵌入对象"),
    ("xl/embeddings/Microsoft_Word_Document.docx", "嵌入对象"),
    ("xl/activeX/activeX1.xml", "ActiveX"),
    ("xl/oleObjects/oleObject1.bin", "OLE"),
    ("customUI/customUI14.xml", "customUI"),
])
def test_forbidden_parts(tmp_path, part, word):
    exc = refused(minimal(tmp_path / "parts.xlsx", [(part, "<x/>")]), word, part)
    assert exc.found == part


def test_billion_laughs_sheet(tmp_path):
    path = minimal(tmp_path / "laughs.xlsx", [("xl/worksheets/sheet2.xml", LAUGHS)])
    refused(path, "DOCTYPE", "XML 炸弹", "sheet2.xml")


def test_entity_in_rels_and_utf16(tmp_path):
    rels = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]><Relationships/>'
    refused(minimal(tmp_path / "rels.xlsx", [("_rels/.rels", rels)]), "DOCTYPE")
    utf16 = "\ufeff" + LAUGHS.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    refused(minimal(tmp_path / "u16.xlsx", [("xl/styles.xml", utf16.encode("utf-16-le"))]), "DOCTYPE")


def test_doctype_hidden_behind_long_comment(tmp_path):
    # a DTD pushed past the first 4 KiB by a comment is still found ...
    xml = '<?xml version="1.0"?><!--' + "x" * 10_000 + '--><!DOCTYPE a [<!ENTITY b "c">]><a/>'
    refused(minimal(tmp_path / "comment.xlsx", [("xl/styles.xml", xml)]), "DOCTYPE")
    # ... and a prolog longer than we read is refused outright
    xml = '<?xml version="1.0"?><!--' + "x" * 100_000 + '--><!DOCTYPE a [<!ENTITY b "c">]><a/>'
    refused(minimal(tmp_path / "longcomment.xlsx", [("xl/styles.xml", xml)]), "无法识别")


def test_doctype_word_in_cell_text_is_fine(tmp_path):
    # escaped text in the body is not a declaration
    sheet = SHEET.format(ref="A1").replace("<sheetData/>", "<sheetData><row><c><is><t>&lt;!DOCTYPE</t></is></c></row></sheetData>")
    passes(minimal(tmp_path / "text.xlsx", [("xl/worksheets/sheet2.xml", sheet)]))


@pytest.mark.parametrize("ref", ["A1:XFD1048576", "A1:B2000000", "A1:XFE1", "$A$1:$ZZ$200000"])
def test_huge_dimension(tmp_path, ref):
    path = minimal(tmp_path / "huge.xlsx", [("xl/worksheets/sheet2.xml", SHEET.format(ref=ref))])
    exc = refused(path, "sheet2.xml", ref, "空行空列")
    assert exc.found == ref


@pytest.mark.parametrize("ref", ["A1", "A1:Z50000", "B2:XFD3", "A1048576"])
def test_reasonable_dimension(tmp_path, ref):
    passes(minimal(tmp_path / "fine.xlsx", [("xl/worksheets/sheet2.xml", SHEET.format(ref=ref))]))


def test_sheet_without_dimension_is_fine(tmp_path):
    sheet = SHEET.format(ref="A1").replace('<dimension ref="A1"/>', "")
    passes(minimal(tmp_path / "nodim.xlsx", [("xl/worksheets/sheet2.xml", sheet)]))


def test_dimension_limits_are_configurable(tmp_path):
    path = minimal(tmp_path / "cells.xlsx", [("xl/worksheets/sheet2.xml", SHEET.format(ref="A1:J100"))])
    refused(path, "10 列", limits=Limits(max_cells=999))
    refused(path, "100 行", limits=Limits(max_rows=99))
    passes(path, limits=Limits(max_cells=1000))


def test_scan_budget_bounds_many_large_parts(tmp_path):
    # 1100 sheets whose <sheetData> is past the first 4 KiB: each costs a 64 KiB read
    body = '<worksheet>' + "<sheetPr/>" * 7000 + "<sheetData/></worksheet>"
    path = minimal(tmp_path / "manyparts.xlsx", [(f"xl/worksheets/s{i}.xml", body) for i in range(1100)])
    refused(path, "过多或过大的 XML 部件")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
def test_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    refused(fifo, "不是普通文件")  # opening a FIFO for reading would block forever


def test_encrypted_zip_entry_is_refused_not_crashing(tmp_path):
    path = minimal(tmp_path / "zipcrypto.xlsx")
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:  # set the "encrypted" flag on every entry in the central directory
        data[at + 8] |= 1
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    refused(path, "损坏")


def test_screen_problems_returns_one_error(tmp_path):
    path = minimal(tmp_path / "macro.xlsm", [("xl/vbaProject.bin", b"\0")])
    [problem] = screen_problems(path, sheet_label="上传文件")
    assert problem.severity == ERROR
    assert problem.sheet == "上传文件"
    assert "宏" in problem.message and problem.found == "xl/vbaProject.bin"
    assert "macro.xlsm" in problem.render()
    assert screen_problems(path, allow_vba=True) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_workbooks_never_crash(tmp_path, data):
    """Flipping bytes of a valid workbook yields HostileFile or a pass, never anything else."""
    buf = io.BytesIO()
    minimal(buf, [("xl/sharedStrings.xml", "<sst>" + "<si><t>x</t></si>" * 50 + "</sst>")])
    raw = bytearray(buf.getvalue())
    for _ in range(data.draw(st.integers(1, 8))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(raw) // 2, len(raw)))
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(bytes(raw[:cut]))
    start = time.perf_counter()
    try:
        screen(path)
    except HostileFile as exc:
        assert "fuzz.xlsx" in exc.message
    assert time.perf_counter() - start < 1.0
