"""Headless LibreOffice as a real spreadsheet client: convert to CSV, PDF and PNG.

Each caller passes its own profile folder (``-env:UserInstallation``), so a test
session never shares or corrupts the user's LibreOffice settings, and two
sessions can run side by side. Every conversion has a timeout: a hung soffice
fails the test instead of hanging CI.
"""
from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

TIMEOUT_S = 240
# CSV export filter: comma, double quote, UTF-8 (76), from line 1, raw values (not as shown), every sheet (-1)
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


class Soffice:
    def __init__(self, profile: Path):
        exe = shutil.which("soffice") or shutil.which("libreoffice")
        if exe is None:
            raise FileNotFoundError("soffice")
        self.exe, self.profile = exe, Path(profile)

    def convert(self, src: Path, fmt: str, outdir: Path) -> subprocess.CompletedProcess:
        outdir.mkdir(parents=True, exist_ok=True)
        cmd = [self.exe, f"-env:UserInstallation={self.profile.resolve().as_uri()}", "--headless", "--norestore",
               "--convert-to", fmt, "--outdir", str(outdir), str(src)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
        if done.returncode != 0:
            raise RuntimeError(f"soffice failed ({done.returncode}): {done.stderr[-500:]}")
        return done

    def sheets_as_csv(self, src: Path, outdir: Path) -> dict[str, list[list[str]]]:
        """Every sheet of ``src`` as rows of text, by sheet title, as LibreOffice reads it."""
        self.convert(src, CSV_ALL_SHEETS, outdir)
        out = {}
        prefix = src.stem + "-"
        for f in outdir.glob(f"{src.stem}-*.csv"):
            with open(f, encoding="utf-8", newline="") as fh:
                out[f.stem[len(prefix):]] = list(csv.reader(fh))
        return out

    def pdf(self, src: Path, outdir: Path) -> Path:
        self.convert(src, "pdf", outdir)
        return outdir / f"{src.stem}.pdf"


def png_pages(pdf: Path, out_prefix: Path, dpi: int = 70, first: int = 1, last: int = 1) -> list[Path]:
    """Render pages of a PDF to PNG with pdftoppm; returns the files written."""
    out_prefix.parent.mkdir(parents=True, exist_ok=True)
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise FileNotFoundError("pdftoppm")
    subprocess.run([exe, "-r", str(dpi), "-png", "-f", str(first), "-l", str(last), str(pdf), str(out_prefix)],
                   check=True, timeout=TIMEOUT_S, capture_output=True)
    return sorted(out_prefix.parent.glob(out_prefix.name + "*.png"))


def only_sheet(src: Path, title: str, dest: Path, columns: int | None = None, text_max: int | None = None) -> Path:
    """A copy of ``src`` holding one sheet, so a PDF of it shows just that sheet.

    For a preview, ``columns`` keeps only the first columns and ``text_max`` cuts
    long text (an explanation overflowing its cell would widen the printed page),
    and the page is fitted to one width.
    """
    import openpyxl

    wb = openpyxl.load_workbook(src)
    for ws in list(wb.worksheets):
        if ws.title != title:
            wb.remove(ws)
    ws = wb[title]
    if columns is not None:
        ws.protection.sheet = False
        if ws.max_column > columns:
            ws.delete_cols(columns + 1, ws.max_column - columns)
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    if text_max is not None:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and len(c.value) > text_max:
                    c.value = c.value[: text_max - 1] + "…"
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    wb.active = 0
    wb.save(dest)
    return dest
