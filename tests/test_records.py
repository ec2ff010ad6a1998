"""``quick_init`` changes how fast a frozen dataclass is built, never what it holds.

Each decorated class is compared with the ``__init__`` that ``dataclass`` itself
generates for the same fields: same parameters and defaults, and the same
instance for the same arguments, given by position or by name.
"""
from __future__ import annotations

import dataclasses
import inspect
from decimal import Decimal

import pytest

from workbook.calculate import PayoutRow
from workbook.lines import Line
from workbook.problems import Problem
from workbook.records import quick_init
from workbook.rules.ka_state import QuarterInput
from workbook.rules.key_account import Settlement
from workbook.rules.kpi import IndicatorScore, KpiResult

DECORATED = [Line, PayoutRow, Problem, Settlement, QuarterInput, IndicatorScore, KpiResult]


def reference(cls: type) -> type:
    """The same fields under dataclass's own generated ``__init__`` (and the class's ``__post_init__``)."""
    ns = {"__post_init__": cls.__post_init__} if hasattr(cls, "__post_init__") else {}
    return dataclasses.make_dataclass(cls.__name__, [(f.name, f.type, dataclasses.field(default=f.default)) for f in dataclasses.fields(cls)],
                                      frozen=True, namespace=ns)


@pytest.mark.parametrize("cls", DECORATED, ids=lambda c: c.__name__)
def test_the_quick_init_takes_the_same_parameters_as_the_generated_one(cls):
    got = inspect.signature(cls.__init__).parameters
    want = inspect.signature(reference(cls).__init__).parameters
    assert [(p.name, p.kind, p.default) for p in got.values()] == [(p.name, p.kind, p.default) for p in want.values()]


@pytest.mark.parametrize("cls", DECORATED, ids=lambda c: c.__name__)
def test_the_quick_init_builds_the_same_instance(cls):
    ref = reference(cls)
    fields = dataclasses.fields(cls)
    values = [Decimal("1.005") if f.type in ("Decimal", Decimal) else f"v{i}" for i, f in enumerate(fields)]
    required = [v for f, v in zip(fields, values) if f.default is dataclasses.MISSING]
    for args, kwargs in [(values, {}), ((), {f.name: v for f, v in zip(fields, values)}), (required, {})]:
        a, b = cls(*args, **kwargs), ref(*args, **kwargs)
        assert vars(a) == vars(b)
        assert list(vars(a)) == [f.name for f in fields]  # the same order: repr, asdict and the ledger read it
        assert a == cls(*args, **kwargs) and hash(a) == hash(cls(*args, **kwargs))
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(a, fields[0].name, "x")
    with pytest.raises(TypeError):
        cls(*required[:-1])
    with pytest.raises(TypeError):
        cls(*required, unknown=1)


def test_a_line_still_rounds_its_amount_half_up_and_replace_goes_through_it():
    line = Line("E1", "KA", "KA", Decimal("10.005"), "basis")
    assert line.amount == Decimal("10.01") and str(line.amount) == "10.01"
    assert dataclasses.replace(line, amount=Decimal("2.345")).amount == Decimal("2.35")


def test_classes_it_cannot_take_are_refused():
    with pytest.raises(TypeError):
        @quick_init
        @dataclasses.dataclass
        class NotFrozen:
            a: int

    with pytest.raises(TypeError):
        @quick_init
        @dataclasses.dataclass(frozen=True)
        class Factory:
            a: list = dataclasses.field(default_factory=list)

    with pytest.raises(TypeError):
        @quick_init
        @dataclasses.dataclass(frozen=True)
        class WithInitVar:
            a: int
            b: dataclasses.InitVar[int] = 0
