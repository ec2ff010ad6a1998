"""Render what HR sees into docs/screenshots/: the template's main sheets and a calculated quarter.

Usage:  .venv/bin/python -m tools.screenshots [OUT_DIR]
Needs LibreOffice (soffice) and pdftoppm (poppler-utils), plus a Chinese font
(fonts-wqy-microhei), exactly as .ci/run installs them. Each sheet is copied
into a one-sheet workbook, printed to PDF by LibreOffice and its first page
rendered to PNG, so a reader can see the sheet without opening Excel.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tools.libreoffice import Soffice, only_sheet, png_pages

ROOT = Path(__file__).resolve().parents[1]
# (sheet, file name, columns kept, longest text shown): previews cut long explanations to stay legible
TEMPLATE_SHEETS = (("说明", "template-instructions", None, None), ("政策参数 (Policy)", "template-policy", None, None),
                   ("档位表 (Tiers)", "template-tiers", None, None))
DEMO_SHEETS = (("成交 (Deals)", "demo-deals", None, None), ("发放表 (Payout)", "demo-payout", 9, None),
               ("计算明细 (Results)", "demo-results", 10, 70))


def render(out: Path, dpi: int = 60) -> list[Path]:
    from workbook.demo import build_demo_book
    from workbook.flows import calculate_flow
    from workbook.template import write_template

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        lo = Soffice(tmp / "profile")
        template = tmp / "template.xlsx"
        write_template(template)
        demo = build_demo_book(tmp / "demo" / "demo.xlsx")
        res = calculate_flow(demo)
        if not res.ok:
            raise SystemExit("the demo quarter did not calculate: " + "; ".join(res.summary))
        for book, sheets in ((template, TEMPLATE_SHEETS), (demo, DEMO_SHEETS)):
            for title, name, columns, text_max in sheets:
                one = only_sheet(book, title, tmp / f"{name}.xlsx", columns, text_max)
                pdf = lo.pdf(one, tmp / "pdf")
                (page,) = png_pages(pdf, tmp / "png" / name, dpi=dpi)
                target = out / f"{name}.png"
                page.replace(target)
                written.append(target)
    return written


if __name__ == "__main__":
    for p in render(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"):
        print(p, p.stat().st_size)
