"""Work that needs no deal, started while the big Deals sheet is still loading.

python-calamine loads the Deals sheet (most of the read time) in a thread that
does not hold the GIL, and the small sheets are parsed well before it is done.
Rather than wait, calculate starts the pieces that read no Deals row: the
ledger gate, the checks and computations of components such as KP, SA, KC, SC
and PP, the grade review and its tables, and the KPI coefficients.

The book these run on has Deals *pending*: a piece that asks for Deals rows
raises ``SheetPending`` and is simply done later, in the usual order, as is any
piece that fails on inputs not yet validated. A piece runs early only when the
checks it depends on found no error. So this changes when a result is worked
out, never what it is; ``tests/test_early.py`` compares whole runs with and
without it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from . import problems as P
from .model import Book, SheetPending


@dataclass
class Early:
    """Results worked out before Deals arrived, for the flow to use in their place.

    ``gate`` is the ledger gate's (book, refusal, problems); ``checks`` and
    ``computed`` hold a rule's check problems and (lines, problems) by rule
    code; ``parts`` holds named results such as the grade review.
    """

    gate: tuple[Book, str | None, list[P.Problem]] | None = None
    checks: dict[str, list[P.Problem]] = field(default_factory=dict)
    computed: dict[str, tuple[list, list[P.Problem]]] = field(default_factory=dict)
    parts: dict[str, Any] = field(default_factory=dict)
    loading: Callable[[], bool] = field(default=lambda: False, repr=False)  # whether Deals is still loading

    def check(self, book: Book, rule) -> list[P.Problem]:
        if rule.code in self.checks:
            return self.checks[rule.code]
        return rule.check(book)

    def compute(self, book: Book, rule) -> tuple[list, list[P.Problem]]:
        if rule.code in self.computed:
            return self.computed[rule.code]
        return rule.compute(book)

    def part(self, name: str, build: Callable[[], Any]) -> Any:
        if name in self.parts:
            return self.parts[name]
        return build()


def attempt(build: Callable[[], Any]) -> tuple[bool, Any]:
    """(True, result), or (False, None) when the piece needs Deals or fails on unchecked input.

    Failing here is never reported: the same piece runs again in the usual
    order, after validation, where an error is reported as always.
    """
    try:
        return True, build()
    except SheetPending:
        return False, None
    except Exception:  # noqa: BLE001 - unvalidated input; the piece is redone in order
        return False, None


def start(book: Book, gate: Callable | None, extra: Callable[[Book, Early], None] | None = None,
          loading: Callable[[], bool] = lambda: False) -> tuple[Book, Early]:
    """Run every piece that needs no deal on ``book`` (Deals pending).

    Returns the book the flow goes on with (the gate's, carrying last quarter's
    state) and what was done. The order mirrors ``check_book`` and ``compute``.
    """
    from .rules import RULES, rule_is_active
    from .validate import check_params

    early = Early(loading=loading)
    if gate is not None:
        ok, result = attempt(lambda: gate(book))
        if not ok:
            return book, early
        early.gate = result
        book, refusal, _ = result
        if refusal:
            return book, early
    ok, bad_params = attempt(lambda: check_params(book))
    if not ok or bad_params:
        return book, early  # the rules' checks would be skipped: leave it all to the usual order
    for rule in RULES:
        ok, active = attempt(lambda: rule_is_active(book, rule))
        if not ok or not active:
            continue
        if rule.check is not None:
            ok, found = attempt(lambda: rule.check(book))
            if not ok:
                continue
            early.checks[rule.code] = found
            if P.has_errors(found):
                continue
        ok, result = attempt(lambda: rule.compute(book))
        if ok:
            early.computed[rule.code] = result
    if extra is not None and not any(P.has_errors(c) for c in early.checks.values()):
        extra(book, early)
    return book, early

