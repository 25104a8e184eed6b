"""quick_init: the same records as a frozen dataclass's own __init__, made faster."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from flashgen.parse.nodes import Block, Inline
from flashgen.records import quick_init


@dataclass(frozen=True, slots=True)
class _Plain:
    kind: str
    line: int
    children: tuple[int, ...] = ()
    info: str | None = None
    tight: bool = False


@quick_init
@dataclass(frozen=True, slots=True)
class _Quick:
    kind: str
    line: int
    children: tuple[int, ...] = ()
    info: str | None = None
    tight: bool = False


def _fields(record: object) -> dict[str, object]:
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("a", 1), {}),
        (("a", 1, (2, 3)), {}),
        (("a", 1), {"tight": True}),
        ((), {"kind": "b", "line": 2, "info": "x", "children": (4,)}),
        (("a", 1, (), "y", True), {}),
    ],
)
def test_same_values_as_the_dataclass_init(args, kwargs):
    assert _fields(_Quick(*args, **kwargs)) == _fields(_Plain(*args, **kwargs))


def test_defaults_are_not_shared_copies():
    # A default is the dataclass's own object, as its __init__ gives it.
    assert _Quick("a", 1).children is _Plain("a", 1).children


def test_missing_and_unknown_arguments_fail_as_before():
    with pytest.raises(TypeError):
        _Quick("a")
    with pytest.raises(TypeError):
        _Quick("a", 1, colour="red")


def test_still_frozen_equal_and_hashable():
    record = _Quick("a", 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.kind = "b"  # type: ignore[misc]
    assert record == _Quick("a", 1) != _Quick("a", 2)
    assert hash(record) == hash(_Quick("a", 1))
    assert dataclasses.replace(record, line=5) == _Quick("a", 5)
    assert (
        repr(record) == "_Quick(kind='a', line=1, children=(), info=None, tight=False)"
    )


def test_the_tree_records_use_it():
    block = Block("paragraph", 1, 2, inlines=(Inline("text", "x"),), tight=True)
    assert (block.kind, block.line, block.end_line, block.tight) == (
        "paragraph",
        1,
        2,
        True,
    )
    assert (block.children, block.level, block.start, block.info) == ((), 0, None, "")
    assert Block.__init__.__qualname__ == "Block.__init__"


def test_refuses_what_it_cannot_build():
    @dataclass(slots=True)
    class Open:
        kind: str

    @dataclass(frozen=True)
    class Unslotted:
        kind: str

    @dataclass(frozen=True, slots=True)
    class Factory:
        items: list[int] = field(default_factory=list)

    @dataclass(frozen=True, slots=True)
    class Checked:
        kind: str

        def __post_init__(self) -> None:
            pass

    @dataclass(frozen=True, slots=True)
    class Hidden:
        kind: str
        seen: int = field(default=0, init=False)

    @dataclass(frozen=True, slots=True)
    class Keywords:
        kind: str = field(kw_only=True)

    for cls in (Open, Unslotted, Factory, Checked, Hidden, Keywords):
        with pytest.raises(TypeError):
            quick_init(cls)
