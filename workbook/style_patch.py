"""styles.xml, read and appended to without re-serialising it (for ``sheet_append``).

An appended cell copies the style index of the cell above it, so nothing
here rewrites a style: it answers what openpyxl would answer about a style
(does a cell with it count as styled, which number format it shows) and
appends the few styles an import needs (a date format on a copied style, the
Imports header). Existing entries keep their index and bytes, which ``check``
verifies before the result is used.
"""
from __future__ import annotations

import html
import re

from defusedxml import ElementTree as DET
from openpyxl.styles.alignment import Alignment
from openpyxl.styles.cell_style import CellStyle
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_REVERSE
from openpyxl.styles.protection import Protection

from .status_patch import Unpatchable

DATE_FORMAT = "yyyy-mm-dd"
LOG_FILL = b'<fill><patternFill patternType="solid"><fgColor rgb="00DDEBF7"/></patternFill></fill>'
LOG_FONT = b'<font><b val="1"/></font>'
_ROOT = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml([^>]*)\?>\s*)?<(worksheet|styleSheet|table)\b")
_NUMFMT = re.compile(rb"<numFmt\b[^>]*>")


def attr(tag: bytes, name: bytes) -> bytes | None:
    m = re.search(rb"\b" + name + rb'="([^"]*)"', tag)
    return m.group(1) if m else None


def check_root(xml: bytes, what: str) -> None:
    m = _ROOT.match(xml)
    if not m:
        raise Unpatchable(f"{what}: unexpected root (prefixed namespace?)")
    enc = attr(m.group(1) or b"", b"encoding")
    if enc and enc.lower() not in (b"utf-8", b"utf8"):
        raise Unpatchable(f"{what}: encoding {enc.decode(errors='replace')}")


class Styles:
    """styles.xml, read enough to copy a cell's style and to add a date or header style."""

    def __init__(self, xml: bytes):
        check_root(xml, "styles.xml")
        self.original = xml
        self.xml = xml
        self.custom = {int(attr(t, b"numFmtId") or -1): html.unescape((attr(t, b"formatCode") or b"").decode("utf-8"))
                       for t in _NUMFMT.findall(self._block(b"numFmts", required=False)[1])}
        self.xfs = self._items(b"cellXfs", b"xf")
        self._facts: dict[int, tuple[bool, str]] = {}  # built on demand: a bloated book has tens of thousands of styles
        self._dated: dict[int, int] = {}
        self._header: int | None = None

    # counted lists: <fonts count="n"><font/>...</fonts> and the like
    def _block(self, name: bytes, required: bool = True) -> tuple[re.Match | None, bytes]:
        m = re.search(rb"<" + name + rb"\b[^>]*?(?:/>|>(.*?)</" + name + rb">)", self.xml, re.S)
        if m is None:
            if required:
                raise Unpatchable(f"styles.xml has no {name.decode()}")
            return None, b""
        return m, m.group(1) or b""

    def _items(self, block: bytes, item: bytes) -> list[bytes]:
        _, body = self._block(block)
        return [m.group(0) for m in re.finditer(rb"<" + item + rb"\b(?:[^>]*/>|.*?</" + item + rb">)", body, re.S)]

    def _append(self, block: bytes, item: bytes, new: bytes) -> int:
        """Index of ``new`` in the list, appending it (and raising the count) if absent."""
        items = self._items(block, item)
        if new in items:
            return items.index(new)
        m, body = self._block(block)
        open_tag = re.match(rb"<" + block + rb"\b[^>]*?(/?)>", m.group(0))
        tag = open_tag.group(0)
        if open_tag.group(1):
            tag = tag[:-2] + b">"
        tag = re.sub(rb'\scount="\d+"', b"", tag)[:-1] + b' count="%d">' % (len(items) + 1)
        self.xml = self.xml[:m.start()] + tag + body + new + b"</" + block + b">" + self.xml[m.end():]
        return len(items)

    def _fact(self, s: int) -> tuple[bool, str]:
        """(openpyxl's ``has_style`` for a cell with style ``s``, its number format)."""
        if s not in self._facts:
            if s >= len(self.xfs):
                raise Unpatchable(f"style {s} not in styles.xml")
            self._facts[s] = self._xf_facts(self.xfs[s])
        return self._facts[s]

    def _xf_facts(self, xf: bytes) -> tuple[bool, str]:
        plain = re.sub(rb'\s[\w.-]+:[\w.-]+="[^"]*"', b"", re.sub(rb"<extLst\b.*?</extLst>", b"", xf, flags=re.DOTALL))  # no prefixes to bind
        el = CellStyle.from_tree(DET.fromstring(plain))
        fmt_id = el.numFmtId or 0
        fmt = self.custom[fmt_id] if fmt_id in self.custom else BUILTIN_FORMATS.get(fmt_id, "General") if fmt_id < 164 else "General"
        norm_id = BUILTIN_FORMATS_REVERSE.get(fmt, 164) if fmt_id in self.custom else fmt_id
        styled = any((el.fontId, el.fillId, el.borderId, norm_id, el.xfId, el.pivotButton, el.quotePrefix,
                      el.alignment is not None and el.alignment != Alignment(),
                      el.protection is not None and el.protection != Protection()))
        return styled, fmt

    def has_style(self, s: int | None) -> bool:
        return s is not None and self._fact(s)[0]

    def number_format(self, s: int | None) -> str:
        return "General" if s is None else self._fact(s)[1]

    def dated(self, s: int | None) -> int:
        """A copy of style ``s`` showing yyyy-mm-dd (openpyxl: ``cell.number_format = ...``)."""
        base = s or 0
        if base not in self._dated:
            fmt_id = self._date_format_id()
            xf = self.xfs[base]
            tag = re.match(rb"<xf\b[^>]*?(/?)>", xf).group(0)
            new_tag = re.sub(rb'\s(?:numFmtId|applyNumberFormat)="[^"]*"', b"", tag)
            new_tag = new_tag.replace(b"<xf", b'<xf numFmtId="%d" applyNumberFormat="1"' % fmt_id, 1)
            new = new_tag + xf[len(tag):]
            idx = self._append(b"cellXfs", b"xf", new)
            self._refresh()
            self._dated[base] = idx
        return self._dated[base]

    def _date_format_id(self) -> int:
        for i, code in self.custom.items():
            if code == DATE_FORMAT:
                return i
        i = max([163, *self.custom]) + 1
        item = b'<numFmt numFmtId="%d" formatCode="%s"/>' % (i, DATE_FORMAT.encode())
        if self._block(b"numFmts", required=False)[0] is None:
            root = re.search(rb"<styleSheet\b[^>]*>", self.xml)
            self.xml = self.xml[:root.end()] + b'<numFmts count="0"/>' + self.xml[root.end():]
        self._append(b"numFmts", b"numFmt", item)
        self.custom[i] = DATE_FORMAT
        return i

    def header(self) -> int:
        """The Imports header style: bold on a light blue fill, as ``import_log`` makes it."""
        if self._header is None:
            font = self._append(b"fonts", b"font", LOG_FONT)
            fill = self._append(b"fills", b"fill", LOG_FILL)
            xf = b'<xf numFmtId="0" fontId="%d" fillId="%d" borderId="0" xfId="0" applyFont="1" applyFill="1"/>' % (font, fill)
            self._header = self._append(b"cellXfs", b"xf", xf)
            self._refresh()
        return self._header

    def _refresh(self) -> None:
        self.xfs = self._items(b"cellXfs", b"xf")  # only ever appended to: the facts already known stay true

    @property
    def changed(self) -> bool:
        return self.xml != self.original

    def check(self) -> None:
        """Only appended to: every style a cell already uses keeps its index and meaning."""
        old = Styles(self.original)
        if self.xfs[:len(old.xfs)] != old.xfs or any(self.custom.get(k) != v for k, v in old.custom.items()):
            raise Unpatchable("styles.xml changed beyond appending")
        for block, item in ((b"fonts", b"font"), (b"fills", b"fill")):
            if self._items(block, item)[:len(old._items(block, item))] != old._items(block, item):
                raise Unpatchable(f"styles.xml {block.decode()} changed beyond appending")
        DET.fromstring(self.xml)
