"""Kept parts of a patched workbook are copied as stored, and read back the same.

``zip_copy.copy_raw`` moves an entry's compressed bytes without inflating and
deflating them again. The copy must be a valid zip whose every entry has the
original content, name, date and compression, whatever the source used
(deflated, stored, a data descriptor from a streaming writer).
"""
from __future__ import annotations

import io
import zipfile

import pytest

from workbook.zip_copy import copy_entry, copy_raw


def source(streamed: bool) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>" * 50, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("stored.bin", bytes(range(256)) * 10, compress_type=zipfile.ZIP_STORED)
        zf.writestr("中文/表.xml", "数据" * 1000, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        zf.writestr("empty.txt", b"")
    if not streamed:
        return buf.getvalue()
    out = io.BytesIO()  # a non-seekable writer leaves data descriptors behind each entry
    raw = buf.getvalue()

    class Unseekable(io.BytesIO):
        def seekable(self):
            return False

    sink = Unseekable()
    with zipfile.ZipFile(io.BytesIO(raw)) as zin, zipfile.ZipFile(sink, "w") as zw:
        for info in zin.infolist():
            with zw.open(zipfile.ZipInfo(info.filename, info.date_time), "w") as fh:
                fh.write(zin.read(info))
    out.write(sink.getvalue())
    return out.getvalue()


@pytest.mark.parametrize("streamed", [False, True])
def test_raw_copies_read_back_identical(streamed):
    src = source(streamed)
    dst = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            copy_raw(zin, info, zout)
        zout.writestr("added.xml", "<new/>")  # an ordinary write after raw copies
    with zipfile.ZipFile(io.BytesIO(src)) as a, zipfile.ZipFile(io.BytesIO(dst.getvalue())) as b:
        assert b.testzip() is None
        assert b.namelist() == a.namelist() + ["added.xml"]
        for info in a.infolist():
            got = b.getinfo(info.filename)
            assert b.read(info.filename) == a.read(info.filename)
            assert (got.compress_type, got.date_time, got.CRC) == (info.compress_type, info.date_time, info.CRC)


def test_a_bad_local_header_falls_back_to_an_ordinary_copy():
    src = bytearray(source(False))
    with zipfile.ZipFile(io.BytesIO(bytes(src))) as zin:
        first = zin.infolist()[0]
    src[first.header_offset:first.header_offset + 4] = b"XXXX"  # the central directory still lists it
    dst = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(bytes(src))) as zin, zipfile.ZipFile(dst, "w") as zout:
        with pytest.raises(ValueError):
            copy_raw(zin, first, zout)
        with pytest.raises(zipfile.BadZipFile):
            copy_entry(zin, first, zout)  # the ordinary read refuses it as well: never a silent bad part
