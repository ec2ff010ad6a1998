"""Read a workbook's input sheets into raw tables, found by header text.

python-calamine does the bulk read (fast, values only). It shows error cells
(#N/A) and formulas Excel never calculated as empty strings, so ``sheet_marks``
scans the sheet XML for those and the reader reports them instead of letting an
error become a blank and then a silent zero. Nothing here interprets values;
``tables`` does that.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterator, Sequence

import python_calamine as pc

from . import problems as P
from .schema import INPUT_SHEETS, OUTPUT_SHEETS, Sheet, header_aliases, norm_header
from .sheet_marks import SheetMarks, scan_marks

HEADER_SEARCH_ROWS = 10


class NumberedRows(Sequence):
    """Data rows with their 0-based sheet row numbers, kept as two lists: ``(row, cells)`` pairs to a reader.

    Pairing 200,000 rows with their numbers and parsing taking them apart
    again are a pass each; ``tables.parse_table`` takes ``numbers`` and
    ``grid`` as they are. Every row of ``grid`` has at least ``width`` cells.
    """

    __slots__ = ("numbers", "grid", "width")

    def __init__(self, numbers: Sequence[int], grid: list, width: int) -> None:
        self.numbers, self.grid, self.width = numbers, grid, width

    def __len__(self) -> int:
        return len(self.grid)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return list(zip(self.numbers[i], self.grid[i]))
        return self.numbers[i], self.grid[i]

    def __iter__(self) -> Iterator[tuple[int, list]]:
        return zip(self.numbers, self.grid)

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, (NumberedRows, list)) else NotImplemented

    __hash__ = None  # type: ignore[assignment]  # like a list


@dataclass
class RawTable:
    """One input sheet as found: where its header is and its data rows."""

    schema: Sheet
    title: str  # the tab name in this workbook
    header_row: int  # 0-based
    cols: dict[str, int]  # column key -> 0-based column index
    rows: Sequence[tuple[int, list]] = field(default_factory=list)  # (0-based sheet row, cells); ``NumberedRows`` from ``locate``


def match_sheet(title: str) -> Sheet | None:
    n = norm_header(title)
    for s in INPUT_SHEETS:
        if n in header_aliases(s.key, s.label):
            return s
    return None


def is_output_sheet(title: str, key: str | None = None) -> bool:
    """Whether ``title`` names an output sheet (the one with ``key``, when given)."""
    n = norm_header(title)
    return any(n in header_aliases(k, v) for k, v in OUTPUT_SHEETS.items() if key is None or k == key)


def still_loading(future) -> bool:
    """Whether the Deals read is still running (tests replace this to force either path)."""
    return not future.done()


def iter_tables(path: str | Path, probs: list[P.Problem], progress: Callable[[str], None] | None = None,
                waiting: Callable[[Callable[[], bool]], None] | None = None) -> Iterator[RawTable]:
    """Yield each input sheet as soon as it is read; problems go to ``probs``.

    python-calamine releases the GIL while it loads a sheet, so on two cores the
    big Deals sheet is loaded in a thread of its own from the start, the small
    sheets in a second thread, and the caller parses each small sheet while
    Deals is still loading. The XML scan for error cells runs alongside; its
    findings are put in their sheet's place after the last sheet, so no sheet
    waits for it.
    ``waiting`` is called once, when every other sheet has been handed over and
    Deals is still loading: the caller may start work that needs no deals. It
    is given a function that tells whether Deals is still loading.
    """
    path = str(path)
    book = pc.CalamineWorkbook.from_path(path)
    wanted = [(t, match_sheet(t)) for t in book.sheet_names]
    wanted = [(t, s) for t, s in wanted if s is not None]
    wanted.sort(key=lambda ts: ts[1].key == "Deals")
    seen: dict[str, str] = {}
    found: list[tuple[int, RawTable]] = []  # where each sheet's error-cell problems belong in ``probs``

    def read(title: str, source: pc.CalamineWorkbook | None):
        if source is None:  # a workbook object serves one thread at a time: Deals opens its own, in its thread
            source = pc.CalamineWorkbook.from_path(path)
        sheet = source.get_sheet_by_name(title)
        return sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges or []

    with ThreadPoolExecutor(1) as marks_pool, ThreadPoolExecutor(1) as big_pool, ThreadPoolExecutor(1) as small_pool:
        started = {title: big_pool.submit(read, title, None) for title, schema in wanted if schema.key == "Deals"}  # the long one first
        started.update({title: small_pool.submit(read, title, book) for title, schema in wanted if title not in started})
        futures = [(title, schema, started[title]) for title, schema in wanted]
        marks_future = marks_pool.submit(scan_marks, path, {title for title, _ in wanted})
        for title, schema, fut in futures:
            if progress:
                progress(f"读取 {title}")
            if waiting is not None and schema.key == "Deals" and still_loading(fut):
                waiting(_asking(fut))
            try:
                grid, merged = fut.result()
            except pc.CalamineError as e:  # its own message is often empty: name the sheet
                raise ValueError(f"工作表「{title}」的内容已损坏，无法读取（{type(e).__name__}{'：' + str(e) if str(e) else ''}）："
                                 "请在 Excel 中打开该工作簿，检查这张表后另存为 .xlsx 再试") from e
            if schema.key in seen:
                probs.append(P.error(title, "", "", f"工作表 {schema.header} 出现了两次（另一张是 {seen[schema.key]}）：请删除或合并其中一张"))
                continue
            seen[schema.key] = title
            table, tprobs = locate(schema, title, grid, 0, 0)  # the full grid starts at A1
            del grid
            probs.extend(tprobs)
            if table is None:
                continue
            probs.extend(_merged_in_data(table, merged))
            found.append((len(probs), table))
            yield table
        marks = marks_future.result()
    for at, table in reversed(found):  # each sheet's error cells before its parse errors, as they are found
        probs[at:at] = _marked_cells(table, marks.get(table.title))


def _asking(fut) -> Callable[[], bool]:
    """Whether the Deals read is still running, asked later without keeping its result alive.

    Holding the future would hold the whole sheet as python-calamine returned
    it (100 MB at 200,000 rows) until the end of the run; once the reader has
    let the future go, Deals is not loading any more.
    """
    ref = weakref.ref(fut)
    return lambda: (f := ref()) is not None and still_loading(f)


def read_book(path: str | Path, progress: Callable[[str], None] | None = None) -> tuple[dict[str, RawTable], list[P.Problem]]:
    """All input sheets present in the book, keyed by sheet key, plus problems."""
    probs: list[P.Problem] = []
    tables = {t.schema.key: t for t in iter_tables(path, probs, progress)}
    return tables, probs


def locate(schema: Sheet, title: str, grid: list[list], r0: int, c0: int) -> tuple[RawTable | None, list[P.Problem]]:
    probs: list[P.Problem] = []
    aliases = {c.key: header_aliases(c.key, c.label) for c in schema.columns}
    best = None
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        hits = sum(1 for v in row if any(norm_header(v) in a for a in aliases.values()))
        if hits and (best is None or hits > best[1]):
            best = (i, hits)
    if best is None:
        probs.append(P.error(title, "A1", "", f"工作表 {title} 找不到表头：第一行应是列名，如 {schema.columns[0].header}"))
        return None, probs
    hi = best[0]
    cols: dict[str, int] = {}
    for j, v in enumerate(grid[hi]):
        if v is None or norm_header(v) == "":
            continue
        ref = P.cell_ref(r0 + hi, c0 + j)
        key = next((k for k, a in aliases.items() if norm_header(v) in a), None)
        if key is None:
            probs.append(P.warning(title, ref, "", f"未知列“{v}”，已忽略", found=v))
        elif key in cols:
            probs.append(P.error(title, ref, key, f"列 {key} 重复出现：请删除重复的列", found=v))
        else:
            cols[key] = j
    for c in schema.columns:
        if c.required and c.key not in cols:
            probs.append(P.error(title, P.cell_ref(r0 + hi, c0), c.key, f"缺少必需的列 {c.header}", expected=c.header, found="(无)"))
    table = RawTable(schema, title, r0 + hi, cols)
    wanted = sorted(cols.values())
    if wanted:
        width = wanted[-1] + 1
        body = grid[hi + 1:]
        if body and len(min(body, key=len)) < width:
            body = [row if len(row) >= width else list(row) + [None] * (width - len(row)) for row in body]
        blank = _blank_rows(body, wanted)
        first = r0 + hi + 1
        if blank:
            kept = [i for i in range(len(body)) if i not in blank]
            table.rows = NumberedRows([first + i for i in kept], [body[i] for i in kept], width)
        else:
            table.rows = NumberedRows(range(first, first + len(body)), body, width)
    return table, probs


def _blank_rows(body: list[list], wanted: list[int]) -> set[int]:
    """Indices of rows whose wanted cells are all blank (None, '' or spaces).

    Done column by column: a row is a candidate only while every column seen so
    far was blank there, so a 200,000-row sheet with no blank rows costs one
    pass over its first column.
    """
    candidates = range(len(body))
    for j in wanted:
        candidates = [i for i in candidates if (v := body[i][j]) is None or (v.__class__ is str and not v.strip())]
        if not candidates:
            break
    return set(candidates)


def _merged_in_data(table: RawTable, ranges: list) -> list[P.Problem]:
    out = []
    for (ra, ca), (rb, cb) in ranges:
        if rb > table.header_row or ra >= table.header_row:
            out.append(P.error(table.title, f"{P.cell_ref(ra, ca)}:{P.cell_ref(rb, cb)}", "", "数据区有合并单元格：请取消合并并在每一格填写数值"))
    return out


def _marked_cells(table: RawTable, marks: SheetMarks | None) -> list[P.Problem]:
    if not marks:
        return []
    out = []
    used = {j: k for k, j in table.cols.items()}
    for (r, c), code in marks.errors.items():
        if r > table.header_row and c in used:
            out.append(P.error(table.title, P.cell_ref(r, c), used[c], f"单元格是错误值 {code}：请改正公式或填写数值", expected="数值", found=code))
    for r, c in marks.uncached_formulas:
        if r > table.header_row and c in used:
            out.append(P.error(table.title, P.cell_ref(r, c), used[c], "公式没有计算结果（文件未经 Excel 保存计算）：请在 Excel 中打开并保存，或改填数值", expected="数值", found="未计算的公式"))
    return out
