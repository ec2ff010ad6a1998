"""The command line starts reading Deals before it imports the engine; that read is used only when it is safe.

``prefetch_deals`` screens the file first, and ``iter_tables`` takes the read
only for the same, unchanged file: a file replaced in between is read afresh,
a hostile file is never handed to the reader early, and a read that failed is
reported as any failed read is.
"""
from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import Future
from decimal import Decimal
from pathlib import Path

import python_calamine as pc
import pytest

from bench.synth import make_quarter
from workbook import reader
from workbook.cli import main
from workbook.load import load_book

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    return make_quarter(tmp_path_factory.mktemp("prefetch") / "q.xlsx", 300)


def deals(path: Path) -> list:
    book, probs = load_book(path)
    assert book is not None, probs
    return book.rows("Deals")


def test_the_prefetched_read_is_the_one_loaded(small):
    """Proved by altering the prefetched grid: the loaded book shows the alteration."""
    reader.prefetch_deals(small)
    assert len(reader._PREFETCHED) == 1
    (key, (title, fut)), = reader._PREFETCHED.items()
    grid, merged = fut.result()
    header = [str(v) for v in grid[0]]
    col = next(j for j, h in enumerate(header) if "amount" in h)
    altered = [list(r) for r in grid]
    altered[1][col] = 12345.67
    swapped: Future = Future()
    swapped.set_result((altered, merged))
    reader._PREFETCHED[key] = (title, swapped)
    rows = deals(small)
    assert not reader._PREFETCHED, "a prefetched read is taken once"
    assert rows[0].amount == Decimal("12345.67")
    assert deals(small)[0].amount != Decimal("12345.67"), "the next load reads the file itself"


def test_a_prefetched_load_equals_a_plain_one(small):
    plain = deals(small)
    reader.prefetch_deals(small)
    assert deals(small) == plain


def test_a_file_replaced_after_the_prefetch_is_read_afresh(small, tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(small.read_bytes())
    reader.prefetch_deals(path)
    other = make_quarter(tmp_path / "other.xlsx", 120)
    expected = deals(other)
    assert len(expected) != len(deals(small))
    os.replace(other, path)
    assert deals(path) == expected


def test_nothing_is_prefetched_from_a_hostile_or_misnamed_file(small, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    reader.prefetch_deals(junk)
    assert not reader._PREFETCHED
    misnamed = tmp_path / "book.xls"
    misnamed.write_bytes(small.read_bytes())
    reader.prefetch_deals(misnamed)
    assert not reader._PREFETCHED
    reader.prefetch_deals(tmp_path / "missing.xlsx")
    assert not reader._PREFETCHED
    book, probs = load_book(junk)
    assert book is None and probs, "load_book still screens and reports it"


def test_a_failed_prefetched_read_is_reported_like_any_failed_read(small):
    reader.prefetch_deals(small)
    (key, (title, fut)), = reader._PREFETCHED.items()
    fut.result()
    failed: Future = Future()
    failed.set_exception(pc.CalamineError("boom"))
    reader._PREFETCHED[key] = (title, failed)
    book, probs = load_book(small)
    assert book is None
    assert any(title in p.message and "损坏" in p.message for p in probs)


def test_the_command_line_imports_the_engine_after_starting_the_read():
    code = "import sys, workbook.cli; assert 'workbook.flows' not in sys.modules and 'numpy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_calculate_from_the_command_line_uses_and_clears_the_prefetch(small, tmp_path, capsys):
    out = tmp_path / "results.xlsx"
    assert main(["calculate", str(small), "--out", str(out), "--quiet"]) in (0, 1)
    assert out.is_file()
    assert not reader._PREFETCHED
