"""The package stays legible: short modules, no function too complex to follow.

A bound on each module's length and on radon's cyclomatic complexity of
each function (rank D and worse, over 20, is refused), so that a newcomer
can read any operation's data path top-down.
"""

from pathlib import Path

import pytest

radon_complexity = pytest.importorskip("radon.complexity")

PACKAGE = Path(__file__).resolve().parent.parent / "skimgproc"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_LINES = 620
MAX_COMPLEXITY = 20


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_short(path):
    n_lines = len(path.read_text().splitlines())
    assert n_lines <= MAX_LINES, f"{path.name} has {n_lines} lines"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_function_is_too_complex(path):
    blocks = radon_complexity.cc_visit(path.read_text())
    complex_ = [(b.name, b.complexity) for b in blocks
                if b.complexity > MAX_COMPLEXITY]
    assert not complex_, f"{path.name}: {complex_}"


def _private_imports(path):
    """``(module, name)`` of each underscored name a module of the package
    imports from another of its modules (private modules themselves are the
    package's own and may be imported)."""
    import ast

    package_dir = path.parent
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = package_dir
        for _ in range(node.level - 1):
            base = base.parent
        parts = node.module.split(".") if node.module else []
        for alias in node.names:
            target = base.joinpath(*parts, alias.name)
            is_module = target.with_suffix(".py").exists() or target.is_dir()
            private = alias.name.startswith("_") and not alias.name.endswith("__")
            if private and not is_module:
                found.append((node.module or ".", alias.name))
    return found


# Private names still imported across modules by code that other work in
# progress is changing; the list may only shrink.
KNOWN_PRIVATE_IMPORTS = {
    "_cli_features.py": {("cli", n) for n in (
        "_FileProgress", "_add_files", "_add_params", "_given_params", "_inputs",
        "_refuse_csv_over_input", "_warnings_as_lines")},
    "_progress.py": {("_validation", "_Constraint"), ("_validation", "_is_int")},
    "demo.py": {("plotting", "_matplotlib")},
}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_another_modules_private_names(path):
    allowed = KNOWN_PRIVATE_IMPORTS.get(str(path.relative_to(PACKAGE)), set())
    extra = set(_private_imports(path)) - allowed
    assert not extra, (f"{path.name} imports private names {sorted(extra)}: "
                       "give the module a public, documented name for them")
