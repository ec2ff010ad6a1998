"""Excel macros (Validate, Calculate, Lock, Reopen, Verify, Publish, Import): thin xlwings entry points.

Each one gets the calling workbook (``xw.Book.caller()``), saves it, runs the
same ``workbook.flows`` function as the CLI on a copy of the saved file
(``run.run_macro``), writes what the flow changed back into the open workbook
(``excel.apply_report``) and shows a message box. No business logic here.

Called from VBA (see ``bonusbook.bas``)::

    RunPython "import macros; macros.calculate()"

Names and reasons typed into VBA InputBoxes arrive hex-encoded (UTF-16), so a
Chinese name survives any command line and any code page.
"""
from __future__ import annotations

from .run import MacroError, MacroReport, run_macro

__all__ = ["validate", "calculate", "lock", "reopen", "verify", "publish", "import_files", "run_macro", "MacroReport"]


def _text(hex_text: str) -> str:
    """A string from VBA's UTF-16 hex (``PyHex`` in bonusbook.bas); "" if it is not that."""
    try:
        return bytes.fromhex(hex_text).decode("utf-16-be")
    except ValueError:
        return ""


def _run(name: str, **kw) -> None:
    import xlwings as xw

    from .excel import alert, apply_report

    book = xw.Book.caller()
    book.save()  # the flow reads the file: it must hold what is on screen
    try:
        report = run_macro(name, book.fullname, **kw)
    except MacroError as e:
        alert(book, str(e), ok=False)
        return
    except Exception as e:  # a bug: one readable line, as the CLI prints, never a traceback dialog
        alert(book, f"内部错误（请把此信息发给维护人员）：{type(e).__name__}: {e}", ok=False)
        return
    apply_report(book, report)
    alert(book, report.message, ok=report.ok)


def validate() -> None:
    """校验：问题写入 校验结果 表。"""
    _run("validate")


def calculate() -> None:
    """计算：写出 计算明细、发放表、校验结果、状态。"""
    _run("calculate")


def lock(by_hex: str = "") -> None:
    """锁定：by_hex 为审批人姓名（VBA 的 PyHex 编码）。"""
    _run("lock", by=_text(by_hex))


def reopen(by_hex: str = "", reason_hex: str = "") -> None:
    """重新打开：姓名和原因（PyHex 编码）。"""
    _run("reopen", by=_text(by_hex), reason=_text(reason_hex))


def verify() -> None:
    """核对：锁定后输入是否被改动。"""
    _run("verify")


def publish(by_hex: str = "") -> None:
    """发布：生成财务文件并记入台账。"""
    _run("publish", by=_text(by_hex))


def import_files(files_hex: str = "", by_hex: str = "") -> None:
    """导入部门模板：files_hex 为用 | 分隔的文件路径（PyHex 编码）；为空时导入工作簿旁 部门回收 文件夹中的 .xlsx。"""
    files = [f for f in _text(files_hex).split("|") if f]
    _run("import", files=files, by=_text(by_hex))
