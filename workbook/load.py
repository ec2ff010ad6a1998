"""Stage one of a run: file -> screened -> read -> typed -> ``Book`` + problems.

Nothing here raises for bad input: a hostile or unreadable file, a missing
column or a cell that does not parse all come back as problems, and the caller
decides whether to go on.
"""
from __future__ import annotations

import contextlib
import dataclasses
import gc
from pathlib import Path
from typing import Callable, Iterator

import python_calamine as pc

from . import problems as P
from .cells import CellError, is_blank, parse_date, parse_period, parse_text
from .hostile import HostileFile, screen
from .model import Book, Settings
from .periods import Quarter
from .policy import default_policy, load_policy
from .reader import iter_tables, match_sheet
from .schema import COMPONENTS
from .tables import parse_table


MISNAMED = (".xls", ".xla", ".xlsb", ".ods")  # other formats' names on a package that passed the .xlsx screen


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects.

    Loading a 200,000-row quarter creates millions of tuples and Decimals and no
    reference cycles; the collector's repeated full scans cost ~20% of the run.

    On the way out, what the run left alive goes straight to the oldest
    generation (``freeze`` then ``unfreeze``) instead of the youngest: switched
    back on, the collector would otherwise first scan every object made while it
    was off (0.3 s after a 200,000-row quarter) before the caller gets its
    result. The objects are still collected, at the next full collection.
    (``unfreeze`` releases anything frozen before too; nothing here freezes
    objects for good, and a host application that did would see them unfrozen.)
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def load_book(path: str | Path, progress: Callable[[str], None] | None = None,
              meanwhile: Callable[[Book, Callable[[], bool]], Book] | None = None) -> tuple[Book | None, list[P.Problem]]:
    """The typed book and every problem found on the way.

    ``meanwhile(book, loading)``, when given, is called once if the Deals sheet
    is still loading after every other sheet is parsed, with a book whose Deals
    is pending (see ``early``) and a function telling whether Deals is still
    loading; the book it returns, settled, is the one returned.
    """
    path = Path(path)
    try:
        screen(path, allow_vba=path.suffix.lower() == ".xlsm")
    except HostileFile as e:
        return None, [P.error(path.name, "", "", e.message)]
    if path.suffix.lower() in MISNAMED:  # the reader picks its format by the name: it would call the package corrupt
        return None, [P.error(path.name, "", "", f"文件「{path.name}」的内容是 Excel 工作簿 (.xlsx)，扩展名却是 {path.suffix}："
                              "请把扩展名改为 .xlsx（含宏的工作簿改为 .xlsm）后再试", expected=".xlsx", found=path.suffix)]
    tables: dict[str, list] = {}
    titles: dict[str, str] = {}
    columns: dict[str, dict[str, int]] = {}
    probs: list[P.Problem] = []
    started: list[Book] = []

    def waiting(loading: Callable[[], bool]) -> None:
        try:
            settings, _ = _settings(tables.get("Settings"), titles.get("Settings", "Settings"))
            if settings is None:
                return
            policy, _ = load_policy(tables.get("Policy"), tables.get("Tiers"), titles.get("Policy", "Policy"), titles.get("Tiers", "Tiers"))
            started.append(meanwhile(Book(settings, policy, tables, titles, columns, pending=frozenset({"Deals"})), loading))
        except Exception:  # noqa: BLE001 - an early start is only ever a head start: without it, the run goes on as usual
            started.clear()

    try:
        with gc_paused():
            for table in iter_tables(path, probs, progress, waiting if meanwhile is not None else None):  # parse each sheet while the next one is read
                key = table.schema.key
                if progress:
                    progress(f"解析 {table.title}（{len(table.rows)} 行）")
                rows, tprobs = parse_table(table)
                tables[key] = rows
                titles[key] = table.title
                columns[key] = dict(table.cols)
                probs.extend(tprobs)
    except (pc.CalamineError, OSError, ValueError) as e:
        return None, [P.error(path.name, "", "", f"无法读取工作簿：{e}")]
    settings, sprobs = _settings(tables.get("Settings"), titles.get("Settings", "Settings"))
    if "Settings" not in tables and any(p.sheet and getattr(match_sheet(p.sheet), "key", "") == "Settings" for p in probs):
        sprobs = []  # the sheet is there but unreadable (no header): that error is already listed
    probs.extend(sprobs)
    policy, pprobs = load_policy(tables.get("Policy"), tables.get("Tiers"), titles.get("Policy", "Policy"), titles.get("Tiers", "Tiers"))
    probs.extend(pprobs)
    if settings is None:
        return None, probs
    if started:  # same sheets, so the same settings and policy; keeps what was worked out meanwhile
        return dataclasses.replace(started[0], pending=frozenset()), probs
    return Book(settings, policy, tables, titles, columns), probs


def _settings(rows: list | None, title: str) -> tuple[Settings | None, list[P.Problem]]:
    if rows is None:
        return None, [P.error("Settings", "", "", "缺少工作表 设置 (Settings)：请从模板复制该表并填写 period 等项目")]
    values = {r.key.strip().lower(): r for r in rows}
    probs: list[P.Problem] = []
    prow = values.get("period")
    if prow is None or is_blank(prow.value):
        where = f"B{prow.row}" if prow else ""
        return None, [P.error(title, where, "period", "没有填写计算期间 period", expected="如 2026Q3", found="(空)")]
    try:
        period = Quarter.parse(parse_period(prow.value))
    except CellError as e:
        return None, [P.error(title, f"B{prow.row}", "period", e.message, e.expected, e.found)]

    def text(key: str) -> str:
        r = values.get(key)
        return "" if r is None or is_blank(r.value) else parse_text(r.value)

    comps: tuple[str, ...] = ()
    crow = values.get("components")
    if crow is not None and not is_blank(crow.value):
        names = [c.strip().upper() for c in str(crow.value).replace("，", ",").replace("、", ",").split(",") if c.strip()]
        bad = [c for c in names if c not in COMPONENTS]
        if bad:
            probs.append(P.error(title, f"B{crow.row}", "components", f"未知的组件代码 {', '.join(bad)}", expected=", ".join(COMPONENTS), found=crow.value))
        comps = tuple(c for c in names if c in COMPONENTS)
    as_of = None
    arow = values.get("as_of")
    if arow is not None and not is_blank(arow.value):
        try:
            as_of = parse_date(arow.value)
        except CellError as e:
            probs.append(P.error(title, f"B{arow.row}", "as_of", e.message, e.expected, e.found))
    return Settings(period, text("company"), text("prepared_by"), text("data_home"), comps, text("ledger"), as_of), probs


__all__ = ["load_book", "default_policy"]
