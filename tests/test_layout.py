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
