"""The package's layout: no import cycles, each room imports only what its layer may.

Read from the source with `ast`, imports inside functions and under TYPE_CHECKING included:
a cycle hidden in a function is a cycle all the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "flashgen"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path
    for path in sorted(PACKAGE.rglob("*.py"))
    if "__pycache__" not in path.parts
}


def _imports(name: str) -> set[str]:
    """Every module (of any package) that the module's code names in an import."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.add(module)
            # `from flashgen.parse import tree` names the module flashgen.parse.tree.
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _own_imports(name: str) -> set[str]:
    return {m for m in _imports(name) if m in MODULES and m != name}


GRAPH = {name: _own_imports(name) for name in MODULES}


def _cycles() -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(GRAPH[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_back_through_others():
    assert _cycles() == []


def _users_of(prefixes: tuple[str, ...]) -> set[str]:
    return {
        name
        for name in MODULES
        if any(
            imported == prefix or imported.startswith(f"{prefix}.")
            for imported in _imports(name)
            for prefix in prefixes
        )
    }


def _within(names: set[str], room: str) -> set[str]:
    return {n for n in names if n != room and not n.startswith(f"{room}.")}


@pytest.mark.parametrize(
    ("library", "room"),
    [
        # The Markdown parser's events live only in parse/.
        (("pyromark",), "flashgen.parse"),
        # genanki and Anki's own tables only in anki/.
        (("genanki", "anki"), "flashgen.anki"),
        # The command line is the only click user.
        (("click",), "flashgen.cli"),
    ],
)
def test_a_library_is_used_in_one_room_only(library, room):
    assert _within(_users_of(library), room) == set()


def test_only_anki_knows_ankis_tables():
    outside = {
        name
        for name, path in MODULES.items()
        if not name.startswith("flashgen.anki")
        and any(
            table in path.read_text(encoding="utf-8")
            for table in ("INSERT INTO notes", "INSERT INTO cards", "FROM notes")
        )
    }
    assert outside == set()


STAGES = ("flashgen.parse", "flashgen.extract", "flashgen.render")
MACHINERY = (
    "flashgen.builder",
    "flashgen.note",
    "flashgen.pipeline",
    "flashgen.cache",
    "flashgen.store",
    "flashgen.state",
    "flashgen.reconcile",
    "flashgen.anki",
    "flashgen.cli",
)


def test_the_stages_never_import_the_build_machinery():
    for name in MODULES:
        if name.startswith(STAGES):
            reached = {
                m for m in GRAPH[name] if m.startswith(MACHINERY) or m == "flashgen"
            }
            assert reached == set(), name


def test_no_module_is_longer_than_a_room_should_be():
    lengths = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in MODULES.items()
    }
    assert {name: n for name, n in lengths.items() if n > 450} == {}
    assert lengths["flashgen.pipeline"] < 250


def test_every_module_says_what_comes_in_and_what_goes_out():
    for name, path in MODULES.items():
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert docstring, name
