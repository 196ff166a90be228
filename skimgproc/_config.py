"""Package configuration: whether optional accelerators may be used, and
the size of the transform cache.

The numpy/scipy code is complete and is the reference. The compiled numba
kernels (numba is a dependency) and, where installed, OpenCV (``pip install
".[opencv]"``, used only where it is faster) run the operations
faster, with results equal within float32 rounding.
``config_context(accelerate=False)`` forces the reference path, which the
test suite uses to check every path.

``cache_size`` bounds the transform cache (:mod:`._cache`), off by default.
It is one setting of the process, not of a thread, so that the worker
threads of a parameter search share the cache (see :mod:`._cache`).
"""

import importlib
import threading
from contextlib import contextmanager

from . import _cache

__all__ = [
    "accelerated",
    "config_context",
    "get_config",
    "optional_module",
    "set_config",
    "without",
]

# Per thread, as scikit-learn's configuration is, so that threads using
# config_context do not see or undo each other's settings. Operations read
# it in the calling thread, before handing chunks to worker threads.
_DEFAULTS = {"accelerate": True}
_local = threading.local()


def _state():
    if not hasattr(_local, "config"):
        _local.config = dict(_DEFAULTS)
    return _local.config


def get_config():
    """The current configuration, as a new dict.

    Returns
    -------
    config : dict
        ``{"accelerate": bool, "cache_size": int}``: ``accelerate`` of this
        thread, ``cache_size`` (bytes) of the process.

    Examples
    --------
    >>> import skimgproc
    >>> skimgproc.get_config()["accelerate"]
    True
    """
    return dict(_state(), cache_size=_cache.limit())


def set_config(*, accelerate=None, cache_size=None):
    """Set the package configuration.

    Parameters
    ----------
    accelerate : bool, optional
        Whether installed optional accelerators (OpenCV, numba) may be used,
        in the current thread. False runs the numpy/scipy reference code.
        None leaves it unchanged.
    cache_size : int or str, optional
        Bytes of transform results to keep, for the whole process: an int
        or a string such as ``"2GB"`` or ``"512MiB"``. With a size, every
        skimgproc transformer computes its result once per (parameters,
        data) and gives copies of it to later calls with equal parameters
        and equal data (the folds and candidates of a search, ``fit`` and
        ``predict``). 0, the default, turns the cache off and empties it.
        The default is read from the ``SKIMGPROC_CACHE_SIZE`` environment
        variable, for worker processes. None leaves it unchanged.

    Examples
    --------
    >>> import skimgproc
    >>> skimgproc.set_config(cache_size="1GB")
    >>> skimgproc.get_config()["cache_size"]
    1000000000
    >>> skimgproc.set_config(cache_size=0)
    """
    if accelerate is not None:
        if not isinstance(accelerate, bool):
            raise ValueError(
                f"The 'accelerate' setting must be a bool. Got {accelerate!r} instead."
            )
    if cache_size is not None:
        cache_size = _cache.parse_size(cache_size)
    if accelerate is not None:
        _state()["accelerate"] = accelerate
    if cache_size is not None:
        _cache.set_limit(cache_size)


@contextmanager
def config_context(*, accelerate=None, cache_size=None):
    """Temporarily change the configuration, as :func:`set_config` does.

    The previous settings come back on leaving, ``cache_size`` for the
    whole process (and the results kept meanwhile are dropped if it was 0).

    Examples
    --------
    >>> import skimgproc
    >>> with skimgproc.config_context(accelerate=False):
    ...     skimgproc.get_config()["accelerate"]
    False
    >>> with skimgproc.config_context(cache_size="64MB"):
    ...     skimgproc.get_config()["cache_size"]
    64000000
    """
    old = get_config()
    set_config(accelerate=accelerate, cache_size=cache_size)
    try:
        yield
    finally:
        set_config(**old)


def accelerated():
    """Whether fast paths may run: the one switch, read in the calling thread
    (the configuration is per thread), before work goes to other threads."""
    return _state()["accelerate"]


_modules = {}


@contextmanager
def without(*names):
    """Treat the optional modules ``names`` as not installed, in this thread
    (the configuration is per thread): the tests and the benchmark run the
    base install's paths (numba without OpenCV: ``without("cv2")``) where
    more is installed. Private, as the switch a user needs is
    ``config_context(accelerate=False)``."""
    old = getattr(_local, "without", frozenset())
    _local.without = old | frozenset(names)
    try:
        yield
    finally:
        _local.without = old


def optional_module(name):
    """The optional module ``name``, or None when it cannot be imported or
    acceleration is switched off: the one loader of accelerators.

    ``name`` is an accelerator package ("cv2", "numba") or, relative to the
    package, one of its families' compiled kernel modules
    ("._morphology_numba"), which import numba themselves. A kernel module
    that fails to build (numba present but unusable) counts as missing: the
    reference path runs instead.
    """
    if not accelerated() or name in getattr(_local, "without", ()):
        return None
    if name not in _modules:
        try:
            _modules[name] = importlib.import_module(name, package=__package__)
        except Exception:  # ImportError, or numba failing on this platform
            _modules[name] = None
    return _modules[name]
