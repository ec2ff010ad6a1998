"""The ``bonusbook`` command line: the same flows the Excel macros call.

Exit codes: 0 done; 1 refused or invalid input (reasons printed); 2 usage or
file error. A problem never prints a traceback: it says what is wrong, where,
what was expected and what was found. Progress goes to stderr.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import __version__
from . import problems as P
from .flows import Outcome, calculate_flow, validate_flow


class _Progress:
    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.t0 = time.perf_counter()

    def __call__(self, msg: str) -> None:
        if not self.quiet:
            print(f"[{time.perf_counter() - self.t0:6.1f}s] {msg}", file=sys.stderr, flush=True)


def _report(res: Outcome, limit: int = 200) -> int:
    shown = sorted(res.problems, key=lambda p: p.severity != P.ERROR)
    for p in shown[:limit]:
        print(p.render())
    if len(shown) > limit:
        print(f"……另有 {len(shown) - limit} 条问题未显示（完整列表见 校验结果 (Validation) 表）")
    for s in res.summary:
        print(s)
    return 0 if res.ok else 1


def _need_file(path: str) -> Path:
    p = Path(path)
    if p.is_dir():
        raise FileNotFoundError(f"{path} 是文件夹，不是工作簿文件：请给出 .xlsx 文件的路径")
    if not p.is_file():
        raise FileNotFoundError(f"找不到工作簿文件：{path}")
    return p


def cmd_validate(a) -> int:
    return _report(validate_flow(_need_file(a.book), write=a.write, progress=_Progress(a.quiet)))


def cmd_calculate(a) -> int:
    return _report(calculate_flow(_need_file(a.book), out=a.out, progress=_Progress(a.quiet)))


def cmd_template(a) -> int:
    from .template import write_template

    write_template(a.out)
    print(f"已生成空白模板：{a.out}")
    return 0


def _ledger_guarded(run) -> int:
    """A ledger that cannot be reached is a file/server error (exit 2), said in one line."""
    from .ledger import LedgerUnavailable

    try:
        return run()
    except LedgerUnavailable as e:
        print(f"账本错误：{e}", file=sys.stderr)
        return 2


def cmd_lock(a) -> int:
    from .flows import lock_flow

    return _ledger_guarded(lambda: _report(lock_flow(_need_file(a.book), a.by, a.ledger)))


def cmd_reopen(a) -> int:
    from .flows import reopen_flow

    return _ledger_guarded(lambda: _report(reopen_flow(_need_file(a.book), a.by, a.reason, a.ledger)))


def cmd_verify(a) -> int:
    from .flows import verify_flow

    return _ledger_guarded(lambda: _report(verify_flow(_need_file(a.book), a.ledger)))


def cmd_publish(a) -> int:
    from .flows import publish_flow

    return _ledger_guarded(lambda: _report(publish_flow(_need_file(a.book), a.by or "", a.ledger)))


def cmd_manager_template(a) -> int:
    from .flows import manager_template_flow

    sheets = [k.strip() for k in a.sheets.split(",") if k.strip()] if a.sheets else None
    return _report(manager_template_flow(_need_file(a.book), a.department, a.out, sheets))


def cmd_import(a) -> int:
    from .flows import import_flow

    book = _need_file(a.book)
    for f in a.files:  # a mistyped path is a usage error: nothing is imported
        if not Path(f).is_file():
            raise FileNotFoundError(f"找不到要导入的文件：{f}（没有导入任何文件）")
    res = import_flow(book, a.files, by=a.by, progress=_Progress(a.quiet))
    for line in res.summary:  # the per-file report, every problem with its Sheet!Cell
        print(line)
    if res.book is None:
        return 2
    return 0 if res.ok else 1


def cmd_demo(a) -> int:
    from .demo import run_demo

    return run_demo(Path(a.dir), progress=_Progress(a.quiet))


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="bonusbook", description="Bonusbook：销售奖金工作簿引擎")
    ap.add_argument("--version", action="version", version=f"bonusbook {__version__}")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("template", help="生成空白模板")
    p.add_argument("out")
    p.set_defaults(fn=cmd_template)
    p = sub.add_parser("validate", help="校验工作簿，有错误时退出码为 1")
    p.add_argument("book")
    p.add_argument("--write", action="store_true", help="把校验结果写入工作簿的 校验结果 (Validation) 表")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(fn=cmd_validate)
    p = sub.add_parser("calculate", help="计算并写出 计算明细/发放表/校验结果")
    p.add_argument("book")
    p.add_argument("--out", help="写到单独的结果工作簿，而不是写回原工作簿")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(fn=cmd_calculate)
    ledger_help = "账本地址（sqlite:///路径 或 postgresql://…）；默认取环境变量 BONUSBOOK_LEDGER、设置表的 ledger，否则为 data_home 中的 SQLite"
    p = sub.add_parser("lock", help="审批并锁定本期（审批人不能是制表人）")
    p.add_argument("book")
    p.add_argument("--by", required=True, help="审批人姓名")
    p.add_argument("--ledger", help=ledger_help)
    p.set_defaults(fn=cmd_lock)
    p = sub.add_parser("reopen", help="解锁已锁定、未发布的期间（须由锁定人以外的人执行并写明理由）")
    p.add_argument("book")
    p.add_argument("--by", required=True, help="执行人姓名")
    p.add_argument("--reason", required=True, help="理由")
    p.add_argument("--ledger", help=ledger_help)
    p.set_defaults(fn=cmd_reopen)
    p = sub.add_parser("verify", help="核对锁定后是否有改动，并检查账本链")
    p.add_argument("book")
    p.add_argument("--ledger", help=ledger_help)
    p.set_defaults(fn=cmd_verify)
    p = sub.add_parser("publish", help="写出财务发放文件并记入账本（同内容重复发布不做任何改动）")
    p.add_argument("book")
    p.add_argument("--by", help="发布人姓名（默认：当前登录用户）")
    p.add_argument("--ledger", help=ledger_help)
    p.set_defaults(fn=cmd_publish)
    p = sub.add_parser("manager-template", help="从主工作簿生成某个部门的填写模板")
    p.add_argument("book")
    p.add_argument("department", help="部门名称，与 员工 表的 部门 列一致")
    p.add_argument("out")
    p.add_argument("--sheets", help="只包含这些输入表（key，逗号分隔），默认按部门选择")
    p.set_defaults(fn=cmd_manager_template)
    p = sub.add_parser("import", help="检查并导入收回的部门模板；有问题的文件整份不导入")
    p.add_argument("book")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--by", help="导入人姓名（默认：当前登录用户）")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(fn=cmd_import)
    p = sub.add_parser("demo", help="用内置样例数据演示一个完整季度")
    p.add_argument("dir", nargs="?", default="bonusbook-demo")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(fn=cmd_demo)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    try:
        a = ap.parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0) and 2
    try:
        return a.fn(a)
    except FileNotFoundError as e:
        print(f"文件错误：{e.args[0] if e.args else e}", file=sys.stderr)
        return 2
    except PermissionError as e:
        print(f"文件错误：没有权限读写 {e.filename}（文件或所在文件夹是否只读，或正在 Excel 中打开？）原文件未被改动", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"文件错误：{e.strerror or e}（{getattr(e, 'filename', '')}）", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断，原文件未被改动", file=sys.stderr)
        return 2
    except Exception as e:  # a bug: one clean line, never a traceback for HR
        print(f"内部错误（请把此信息发给维护人员）：{type(e).__name__}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
