"""The package's shape, read from its source with `ast`: who may import whom, and how
long a function may grow.

1. No module under `feeds/render/` imports `feeds.state`, `feeds.output` or
   `feeds.config` (or anything under them): renderers turn data into bytes.
2. `feeds.state` (a module or a package) imports nothing from `feeds.plan`: the state
   applies what the plan decided, in types that belong to neither.
3. No import runs from a layer of `LAYERS` to a higher one. Every import counts, those
   inside functions and under `TYPE_CHECKING` included; a module in no layer fails until
   it is placed.
4. No function or method is longer than `MAX_FUNCTION_LINES` (from its `def` to its last
   line, decorators left out).

Every violation is listed, each with its file, line and rule, in one failure.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "feeds"
# Lowest first; a module imports from its own layer or a lower one, since data flows one
# way: scan → parse → plan → state → render → output → deploy. An entry names a module
# and every module under it, but `feeds`, which names the package's __init__ alone.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("feeds", "feeds.errors", "feeds.text", "feeds.dates", "feeds.model",
              "feeds.records", "feeds.intents", "feeds.site", "feeds.content_types")),
    ("scan", ("feeds.inputs",)),
    ("parse", ("feeds.parse",)),
    ("settings", ("feeds.config", "feeds.partners")),
    ("read", ("feeds.reading",)),
    ("plan", ("feeds.plan",)),
    ("state", ("feeds.state",)),
    ("render", ("feeds.render",)),
    ("output", ("feeds.output",)),
    ("workers", ("feeds.workers",)),
    ("probe", ("feeds.probe",)),
    ("publish", ("feeds.publish",)),
    ("deploy", ("feeds.deploy",)),
    ("stats", ("feeds.stats",)),
    ("serve", ("feeds.server", "feeds.websub")),
    ("run", ("feeds.daemon", "feeds.cli", "feeds.__main__")),
]
RENDER_MUST_NOT_IMPORT = ("feeds.state", "feeds.output", "feeds.config")
MAX_FUNCTION_LINES = 50


class Import(NamedTuple):
    line: int
    target: str  # the module imported from, a submodule when one is named


def test_the_package_keeps_its_architecture() -> None:
    modules = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
    violations: list[str] = []
    for module, path in modules.items():
        where = path.relative_to(PACKAGE.parent).as_posix()
        tree = ast.parse(path.read_bytes(), filename=str(path))
        layer = layer_of(module)
        if layer is None:
            violations.append(f"{where}:1: rule 3 (layers): {module} is in no layer; "
                              f"place it in LAYERS in tests/test_architecture.py")
        # One line importing several names of a module is one import of it.
        found_imports = dict.fromkeys(imports(tree, module, path.name == "__init__.py",
                                              set(modules)))
        for found in found_imports:
            violations += [f"{where}:{found.line}: {problem}"
                           for problem in import_problems(module, layer, found.target)]
        violations += [f"{where}:{line}: rule 4 (functions of at most {MAX_FUNCTION_LINES} "
                       f"lines): {name} has {length}"
                       for line, name, length in long_functions(tree)]
    if violations:
        pytest.fail(f"{len(violations)} violations of the architecture:\n"
                    + "\n".join(violations), pytrace=False)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def within(module: str, name: str) -> bool:
    """Whether `module` is `name` or a module under it."""
    return module == name or module.startswith(name + ".")


def layer_of(module: str) -> int | None:
    """The index in LAYERS of the entry that names `module` most closely."""
    best: tuple[int, int] | None = None  # (length of the entry, layer)
    for index, (_, names) in enumerate(LAYERS):
        for name in names:
            matches = module == name if name == "feeds" else within(module, name)
            if matches and (best is None or len(name) > best[0]):
                best = (len(name), index)
    return None if best is None else best[1]


def imports(tree: ast.Module, module: str, is_package: bool,
            known: set[str]) -> Iterator[Import]:
    """Every import of a module of feeds, wherever it stands in the file."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if within(alias.name, "feeds"):
                    yield Import(node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = resolve(node, package)
            if not within(base, "feeds"):
                continue
            for alias in node.names:  # `from feeds import state` imports a module
                submodule = f"{base}.{alias.name}"
                yield Import(node.lineno, submodule if submodule in known else base)


def resolve(node: ast.ImportFrom, package: str) -> str:
    """The absolute name of the module a `from … import` reads from."""
    if node.level == 0:
        return node.module or ""
    parts = package.split(".")
    anchor = ".".join(parts[: len(parts) - (node.level - 1)])
    return f"{anchor}.{node.module}" if node.module else anchor


def import_problems(module: str, layer: int | None, target: str) -> Iterator[str]:
    if within(module, "feeds.render"):
        for forbidden in RENDER_MUST_NOT_IMPORT:
            if within(target, forbidden):
                yield (f"rule 1 (render imports no state, output or config): {module} "
                       f"imports {target}")
    if within(module, "feeds.state") and within(target, "feeds.plan"):
        yield f"rule 2 (state imports nothing from plan): {module} imports {target}"
    target_layer = layer_of(target)
    if layer is not None and target_layer is not None and target_layer > layer:
        yield (f"rule 3 (layers): {module} ({LAYERS[layer][0]}) imports {target} "
               f"({LAYERS[target_layer][0]}), a higher layer")


def long_functions(tree: ast.Module) -> Iterator[tuple[int, str, int]]:
    """(line, qualified name, length) of every function longer than allowed."""

    def visit(node: ast.AST, prefix: str) -> Iterator[tuple[int, str, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                # `lineno` is the `def` line: the decorators stand above it.
                length = (child.end_lineno or child.lineno) - child.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    yield child.lineno, f"{name}()", length
                yield from visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                yield from visit(child, f"{prefix}{child.name}.")
            else:
                yield from visit(child, prefix)

    return visit(tree, "")


def test_the_check_sees_imports_anywhere_and_counts_from_the_def() -> None:
    source = '''
from typing import TYPE_CHECKING
from . import body
from ..output import Output
if TYPE_CHECKING:
    from feeds.state import State
@decorated
@twice
def late():
    import feeds.config
''' + "\n" * (MAX_FUNCTION_LINES - 2) + "    return None\n"
    tree = ast.parse(source)
    found = {found.target for found in imports(tree, "feeds.render.x", False,
                                                {"feeds.render.body"})}
    assert found == {"feeds.render.body", "feeds.output", "feeds.state", "feeds.config"}
    assert list(long_functions(tree)) == [(9, "late()", MAX_FUNCTION_LINES + 1)]
    assert [layer_of(name) for name in ("feeds", "feeds.parse.html", "feeds.errors.x")] == [
        0, 2, 0]
    assert layer_of("feeds.unplaced") is None
