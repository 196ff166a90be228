"""numba's ``njit`` for the package's compiled kernels: cached on disk where
numba can write a cache, compiled in memory where it cannot.

Imported only by the kernel modules (``*_numba.py``), which
:func:`skimgproc._config.optional_module` loads on first use: ``import
skimgproc`` imports no compiler. With ``cache=True`` numba keeps each
compiled kernel next to its source (``__pycache__``), else in the user's
cache directory (or ``NUMBA_CACHE_DIR``), and loads it in later processes:
a kernel compiles once after install. In a read-only install with no
writable cache directory either, numba refuses ``cache=True`` when the
kernel is defined; the kernel is then compiled in memory, once per process,
rather than the module failing to load and the slow reference path running
instead. No numba setting is changed (they are the process's).
"""

import numba

__all__ = ["njit"]


def njit(**options):
    """A decorator: ``numba.njit(cache=True, **options)``, or without the
    cache where numba finds nowhere to write it."""

    def decorate(func):
        try:
            return numba.njit(cache=True, **options)(func)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return numba.njit(**options)(func)

    return decorate
