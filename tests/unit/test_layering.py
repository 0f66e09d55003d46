"""The layers hold, read from the source with ``ast`` (nothing is imported): services and what
they stand on (the database, the buttons, ...) know no ``telegram``, handlers hold no SQL, a
service package imports only the packages beneath it, no modules of ``bot/`` and ``handlers/``
import each other in a circle, and no test module imports another."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = "bot.services"
# The service packages from the bottom up; a package may import those on a lower floor only
# (duty and swaps share a floor and know nothing of each other, and so do rostering and
# oversight; oversight stands on duty).
FLOORS = {
    "platform": 1,
    "people": 2,
    "schedule": 3,
    "duty": 4,
    "swaps": 4,
    "rostering": 5,
    "oversight": 5,
    "reports": 6,
}
# What every service stands on, beneath all of them.
FOUNDATION = (
    "bot.db",
    "bot.errors",
    "bot.settings",
    "bot.i18n",
    "bot.geo",
    "bot.clock",
    "bot.buttons",
)
# The turn carries its transaction's session to every handler; the type is no SQL.
SESSION_HANDLE = {("handlers.turn", "sqlalchemy.ext.asyncio.AsyncSession")}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the module (or package) imported, as written
    line: int
    in_function: bool
    type_only: bool  # under ``if TYPE_CHECKING:``: read by the type checker, never run


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sources(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


# Each test reads the same files; parsed once per run, every test after the first reads the
# parse (each file is read by up to five tests).
@functools.cache
def imports_of(path: Path) -> tuple[Import, ...]:
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool, type_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(module, alias.name, child.lineno, in_function, type_only))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    # `from bot.services.swaps import offers` imports the module offers.
                    found.append(
                        Import(module, f"{base}.{alias.name}", child.lineno, in_function, type_only)
                    )
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for statement in child.body:
                    visit(ast.Module(body=[statement], type_ignores=[]), in_function, True)
                for statement in child.orelse:
                    visit(ast.Module(body=[statement], type_ignores=[]), in_function, type_only)
            else:
                inside = in_function or isinstance(
                    child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
                )
                visit(child, inside, type_only)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), False, False)
    return tuple(found)


def _under(name: str, *prefixes: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def foundation_sources() -> Iterator[Path]:
    """The files of the foundation: a package's every module, or the one module."""
    for name in FOUNDATION:
        path = ROOT / name.replace(".", "/")
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]


def test_services_and_what_they_stand_on_know_no_telegram() -> None:
    """The database, the buttons (a package of a module per domain, any of which could slip)
    and the rest of the foundation too: a service that imports them must not pull in Telegram."""
    offending = [
        f"{i.module}:{i.line} imports {i.target}"
        for path in (*sources("bot/services"), *foundation_sources())
        for i in imports_of(path)
        if _under(i.target, "telegram")
    ]
    assert not offending, offending


def test_handlers_hold_no_sql() -> None:
    offending = [
        f"{i.module}:{i.line} imports {i.target}"
        for path in sources("handlers")
        for i in imports_of(path)
        if _under(i.target, "sqlalchemy")
        and not i.type_only
        and (i.module, i.target) not in SESSION_HANDLE
    ]
    assert not offending, offending


def test_the_database_and_the_rest_of_the_foundation_know_no_service_and_no_handler() -> None:
    offending = [
        f"{i.module}:{i.line} imports {i.target}"
        for path in foundation_sources()
        for i in imports_of(path)
        if _under(i.target, "bot", "handlers") and not _under(i.target, "bot.db", *FOUNDATION)
    ]
    assert not offending, offending


def _floor_of(name: str) -> tuple[str, int] | None:
    parts = name.split(".")
    if len(parts) < 3 or parts[:2] != ["bot", "services"] or parts[2] not in FLOORS:
        return None
    return parts[2], FLOORS[parts[2]]


def test_every_service_module_sits_in_a_known_package() -> None:
    loose = [
        module_name(path)
        for path in sources("bot/services")
        if module_name(path) != SERVICES and _floor_of(module_name(path)) is None
    ]
    assert not loose, loose


def test_a_service_package_imports_only_the_packages_beneath_it() -> None:
    offending: list[str] = []
    for path in sources("bot/services"):
        for i in imports_of(path):
            if not _under(i.target, "bot", "handlers"):
                continue  # the standard library and third parties
            where = f"{i.module}:{i.line} imports {i.target}"
            if not _under(i.target, SERVICES, *FOUNDATION):
                offending.append(where)  # handlers, the app, the sender: all above services
                continue
            own = _floor_of(i.module)
            theirs = _floor_of(i.target)
            if own is None or theirs is None or own[0] == theirs[0]:
                continue
            if theirs[1] >= own[1]:
                offending.append(where)
    assert not offending, offending


def _graph(*, with_functions: bool) -> dict[str, set[str]]:
    modules = {module_name(path): path for path in sources("bot", "handlers")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for i in imports_of(path):
            if i.type_only or (i.in_function and not with_functions):
                continue
            # `from package import name` names a module when there is one, else the package.
            target = i.target if i.target in modules else i.target.rpartition(".")[0]
            if target in modules and target != name:
                graph[name].add(target)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for following in sorted(graph[node]):
            if following not in index:
                connect(following)
                low[node] = min(low[node], low[following])
            elif following in on_stack:
                low[node] = min(low[node], index[following])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert not circles(_graph(with_functions=False))


def test_not_even_through_an_import_inside_a_function() -> None:
    assert not circles(_graph(with_functions=True))


def test_no_test_module_imports_another() -> None:
    """A step two test files share lives in a fixtures module (``*_fixtures.py``), so that a test
    file can be split, renamed or deleted without breaking another."""
    borrowed = [
        f"{found.module}:{found.line} imports {found.target}"
        for path in sources("tests")
        for found in imports_of(path)
        if _under(found.target, "tests")
        and any(part.startswith("test_") for part in found.target.split(".")[:-1])
    ]
    assert borrowed == []
