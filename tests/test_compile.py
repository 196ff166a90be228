"""Start-up and the compiled kernels' cache (skimgproc/_compile.py).

``import skimgproc`` imports no compiler; a kernel compiles on first use and
is cached on disk; a read-only install, where numba finds nowhere to write
its cache, still loads every kernel module (compiled in memory), with no
error and no warning.
"""

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from skimgproc import _compile

numba = pytest.importorskip("numba")

PACKAGE = Path(__file__).resolve().parent.parent / "skimgproc"
COMPILE = PACKAGE / "_compile.py"
KERNEL_MODULES = sorted(
    "." + str(p.relative_to(PACKAGE).with_suffix("")).replace(os.sep, ".")
    for p in PACKAGE.rglob("*_numba.py"))
# Still on numba.njit(cache=True) (another change in flight moves it to
# _compile.njit): in a read-only install it falls back to the numpy solvers.
NOT_YET = {"._denoise_numba"}

# numba's cache locators, emptied: what numba finds in a read-only install
# with no writable cache directory (whatever the user's privileges: root
# writes in a read-only directory).
NO_LOCATORS = """
import numba.core.caching as caching
impl = getattr(caching, "CacheImpl", None) or getattr(caching, "_CacheImpl")
impl._locator_classes = []
"""


def run(code, env=None, cwd=None):
    return subprocess.run([sys.executable, "-W", "error", "-c", code],
                          capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=120)


def test_kernels_are_cached_on_disk(tmp_path):
    # _compile alone, not the package (whose import takes seconds).
    (tmp_path / "kernel.py").write_text(
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('c', {str(COMPILE)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "njit = module.njit\n\n\n"
        "@njit(nogil=True)\n"
        "def twice(x):\n"
        "    return 2 * x\n"
    )
    code = ("import kernel\n"
            "print(kernel.twice(21), sum(kernel.twice.stats.cache_misses.values()),"
            " sum(kernel.twice.stats.cache_hits.values()))\n")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONPATH=str(tmp_path))
    first, second = run(code, env), run(code, env)
    assert first.returncode == 0 and second.returncode == 0, first.stderr
    # Compiled (a miss) the first time, loaded from the cache the second.
    assert first.stdout.split() == ["42", "1", "0"]
    assert second.stdout.split() == ["42", "0", "1"]
    assert list((tmp_path / "cache").rglob("*.nbi"))


def test_njit_without_a_cache_location_compiles_in_memory(monkeypatch):
    caching = numba.core.caching
    impl = getattr(caching, "CacheImpl", None) or caching._CacheImpl
    monkeypatch.setattr(impl, "_locator_classes", [])
    with pytest.raises(RuntimeError, match="no locator available"):
        numba.njit(cache=True)(lambda x: x)  # what the kernels would meet

    def add(a, b):
        return a + b

    fast = _compile.njit(nogil=True)(add)
    assert fast(2, 3) == 5


def test_no_compiler_at_import_and_a_read_only_install_loads_every_kernel(
        tmp_path):
    copy = tmp_path / "site" / "skimgproc"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    home = tmp_path / "home"
    home.mkdir()
    for path in [home, *copy.parent.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env.update(PYTHONPATH=str(copy.parent), HOME=str(home),
               XDG_CACHE_HOME=str(home / ".cache"))
    code = (
        "import sys, skimgproc\n"
        "loaded = [m for m in ('numba', 'llvmlite', 'cv2') if m in sys.modules]\n"
        "assert loaded == [], loaded\n"
    ) + NO_LOCATORS + (
        "from skimgproc._config import optional_module\n"
        f"missing = [m for m in {sorted(set(KERNEL_MODULES) - NOT_YET)!r}\n"
        "           if optional_module(m) is None]\n"
        "print(skimgproc.__file__, missing)\n"
    )
    try:
        result = run(code, env, cwd=tmp_path)
    finally:
        for path in [home, *copy.parent.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    where, missing = result.stdout.split(" ", 1)
    assert where.startswith(str(copy))
    assert missing.strip() == "[]"
    assert len(KERNEL_MODULES) >= 8
