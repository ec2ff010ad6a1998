"""Exact money: one way in, one way to round, one way to split a pool.

Money is ``Decimal`` yuan everywhere in the rules. A payout line is rounded once,
half up to the fen, by :func:`round_fen`; nothing else in the engine rounds money.
Python's built-in ``round`` rounds half to even and must never touch money.
Vectorised paths may carry integer fen; :func:`to_fen` / :func:`from_fen` convert.
"""
from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Sequence

FEN = Decimal("0.01")
ZERO = Decimal("0")


def round_fen(amount: Decimal) -> Decimal:
    """Round a computed amount half up to the fen. The only money rounding."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be Decimal, got {type(amount).__name__}")
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def to_fen(amount: Decimal) -> int:
    """A rounded amount as integer fen (for vectorised sums and hashing)."""
    return int(round_fen(amount) * 100)


def from_fen(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(FEN)


def scaled(value: Decimal) -> tuple[int, int]:
    """``value`` as (n, places) with value == n / 10**places exactly, places >= 0: how the
    integer-fen paths carry a rate or a ratio from the policy."""
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {value}")
    sign, digits, exp = value.as_tuple()
    n = int("".join(map(str, digits)) or "0")
    if exp >= 0:
        return (-1 if sign else 1) * n * 10**exp, 0
    return (-1 if sign else 1) * n, -exp


def fen_half_up(n: int, places: int) -> int:
    """``n / 10**places`` yuan rounded half up to whole fen: :func:`round_fen` on integers,
    for the integer-fen paths. A negative amount that rounds to 0 comes back as 0; its
    sign is the caller's (see :func:`excel_fen`)."""
    if places <= 2:
        return n * 10 ** (2 - places)
    unit = 10 ** (places - 2)
    q, r = divmod(-n if n < 0 else n, unit)
    if 2 * r >= unit:
        q += 1
    return -q if n < 0 else q


def excel_fen(fen: int, negative: bool = False) -> float:
    """Whole fen as the double :func:`excel_number` gives for the same amount.

    ``negative`` marks an amount that was negative or a negative zero before rounding:
    Decimal keeps ``-0.00`` and ``float`` of it is ``-0.0``, so the two paths give the
    very same double. ``fen / 100`` is correctly rounded, like ``float(Decimal)``.
    """
    x = (-fen if fen < 0 else fen) / 100
    return -x if negative or fen < 0 else x


def fmt_money(amount: Decimal) -> str:
    """Two decimals, dot separator, no thousands separator: the finance format."""
    return f"{round_fen(amount):.2f}"


def fmt_plain(value: Decimal) -> str:
    """A readable number for explanations: thousands separators, no trailing zeros.

    Explanations repeat the same few figures (rates, bands, targets) hundreds of
    thousands of times, so non-zero values are remembered, in a plain dict (a
    third of the cost of ``lru_cache`` per call), up to ``_PLAIN_LIMIT`` of
    them; the text depends only on the value (1.50 and 1.5 read the same).
    Zero is never remembered: -0 and 0 are equal but print differently.
    """
    try:
        text = _PLAIN.get(value)
    except TypeError:  # an unhashable (signalling NaN) value
        return _fmt_plain(value)
    if text is None:
        text = _fmt_plain(value)
        if value and len(_PLAIN) < _PLAIN_LIMIT:
            _PLAIN[value] = text
    return text


def _fmt_plain(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    text = f"{value.normalize():,f}"
    return text


_PLAIN: dict[Decimal, str] = {}
_PLAIN_LIMIT = 65536


def excel_number(amount: Decimal) -> float:
    """A fen amount as the IEEE double Excel stores in a numeric cell.

    The one place money leaves Decimal, and only for display in a spreadsheet:
    every amount below 10^13 yuan survives the round trip to two decimals, and
    the exact text is what the CSV and the explanations carry.
    """
    return float(round_fen(amount))


def split_largest_remainder(pool: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``pool`` (already a fen amount) in proportion to ``weights``.

    Each part is floored to the fen, then the leftover fen go one each to the
    largest remainders (ties to the earlier position), so the parts add up to
    the pool exactly. Zero weight gets zero. All weights zero is an error the
    caller must handle (there is nobody to pay).
    """
    pool = round_fen(pool)
    total_w = sum(weights, ZERO)
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    if total_w == 0:
        raise ValueError("all weights are zero")
    sign = -1 if pool < 0 else 1
    pool_fen = abs(to_fen(pool))
    raw = [Decimal(pool_fen) * w / total_w for w in weights]
    floors = [int(r.to_integral_value(rounding=ROUND_FLOOR)) for r in raw]
    left = pool_fen - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [from_fen(sign * f) for f in floors]
