"""CL: client classes (POLICY §14): the flags on Clients, and optional auto-classification.

The Clients sheet carries a class (金牌 / 钻石 / 铂金 / 白金 / 银, or A / B / C),
an important flag and a strategic flag. They feed NC (only a strategic client
may carry an uplift) and PN (losing an important client costs more).

Auto-classification is off unless ``cl_auto_classify`` is Y. Then a client also
counts as important (a "big client") when, in the run's fiscal year up to the
period end, either:

* its purchases (the whole amounts of its deals on the Deals sheet, each deal
  counted once however many people share it) exceed ``cl_big_purchases``
  (1,000,000; "超过" excludes the number itself), or
* its profit contribution (the gross margin of its deals, each deal once, over
  the gross margin of all deals in the same months) exceeds
  ``cl_big_profit_share`` (10%). Deals with a blank margin add nothing; with no
  margin on the sheet at all this test is skipped.

The data are only what the workbook holds: a client's purchases before the
first deal on the sheet are not known.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from . import problems as P
from .model import Book
from .money import ZERO, fmt_plain

CLASSES = ("金牌", "钻石", "铂金", "白金", "银", "A", "B", "C")


def year_figures(book: Book) -> tuple[dict[str, Decimal], dict[str, Decimal], Decimal]:
    """(purchases by client, margin by client, total margin) from 1 January to the period end."""
    start, end = dt.date(book.period.year, 1, 1), book.period.end
    seen: set[str] = set()
    purchases: dict[str, Decimal] = defaultdict(lambda: ZERO)
    margin: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in book.rows("Deals"):
        if r.deal_id in seen or not start <= r.signed_on <= end:
            continue
        seen.add(r.deal_id)
        purchases[r.client_id] += r.amount
        if r.gross_margin is not None:
            margin[r.client_id] += r.gross_margin
    return dict(purchases), dict(margin), sum(margin.values(), ZERO)


def big_clients(book: Book) -> dict[str, str]:
    """client_id -> why it is a big client; empty unless ``cl_auto_classify`` is on."""
    pol = book.policy
    if not pol["cl_auto_classify"]:
        return {}
    memo = book.__dict__.get("_cl_big_clients")  # a memo like Book's cached properties: one pass over Deals per run
    if memo is None:
        memo = book.__dict__["_cl_big_clients"] = _big_clients(book)
    return memo


def _big_clients(book: Book) -> dict[str, str]:
    pol = book.policy
    limit, share_limit = pol["cl_big_purchases"], pol["cl_big_profit_share"]
    purchases, margin, total = year_figures(book)
    out = {}
    for cid in sorted(set(purchases) | set(margin)):
        reasons = []
        if limit is not None and purchases.get(cid, ZERO) > limit:
            reasons.append(f"本年采购额 {fmt_plain(purchases[cid])} 超过 {fmt_plain(limit)}")
        if share_limit is not None and total > 0 and margin.get(cid, ZERO) / total > share_limit:
            reasons.append(f"本年毛利贡献 {fmt_plain((margin[cid] / total * 100).quantize(Decimal('0.01')))}% 超过 {fmt_plain(share_limit * 100)}%")
        if reasons:
            out[cid] = "；".join(reasons)
    return out


def is_important(book: Book, client, big: dict[str, str] | None = None) -> bool:
    """Flagged important or strategic, or (auto-classification on) a big client."""
    if client is None:
        return False
    if client.important or client.strategic:
        return True
    return client.client_id in (big_clients(book) if big is None else big)


def check(book: Book) -> list[P.Problem]:
    """Unknown class names, and big clients the flags do not show (auto-classification on)."""
    probs = []
    for c in book.rows("Clients"):
        if c.class_ and c.class_.strip().upper() not in CLASSES:
            probs.append(book.problem(P.WARNING, "Clients", c, "class", f"客户类别 {c.class_} 不是已知类别，未用于计算", expected=" / ".join(CLASSES), found=c.class_))
    big = big_clients(book)
    for c in book.rows("Clients"):
        if c.client_id in big and not (c.important or c.strategic):
            probs.append(book.problem(P.WARNING, "Clients", c, "important", f"客户 {c.client_id} 按自动分类为大客户（{big[c.client_id]}），计算中视为重要客户；如确认请标记 重要客户=Y", expected="Y", found="N"))
    return probs
