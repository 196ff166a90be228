"""Package configuration: whether optional accelerators may be used.

The numpy/scipy code is complete and is the reference. Where an optional
package is installed (OpenCV, numba: ``pip install skimgproc[fast]``), some
operations run faster through it, with results equal within float32
rounding. ``config_context(accelerate=False)`` forces the reference path,
which the test suite uses to check both.
"""

import importlib
import threading
from contextlib import contextmanager

__all__ = [
    "accelerated",
    "config_context",
    "get_config",
    "optional_module",
    "set_config",
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
        ``{"accelerate": bool}``.

    Examples
    --------
    >>> import skimgproc
    >>> skimgproc.get_config()["accelerate"]
    True
    """
    return dict(_state())


def set_config(*, accelerate=None):
    """Set the package configuration for the current thread.

    Parameters
    ----------
    accelerate : bool, optional
        Whether installed optional accelerators (OpenCV, numba) may be used.
        False runs the numpy/scipy reference code. None leaves it unchanged.
    """
    if accelerate is not None:
        if not isinstance(accelerate, bool):
            raise ValueError(
                f"The 'accelerate' setting must be a bool. Got {accelerate!r} instead."
            )
        _state()["accelerate"] = accelerate


@contextmanager
def config_context(*, accelerate=None):
    """Temporarily change the configuration, as :func:`set_config` does.

    Examples
    --------
    >>> import skimgproc
    >>> with skimgproc.config_context(accelerate=False):
    ...     skimgproc.get_config()["accelerate"]
    False
    """
    old = get_config()
    set_config(accelerate=accelerate)
    try:
        yield
    finally:
        set_config(**old)


def accelerated():
    """Whether fast paths may run: the one switch, read in the calling thread
    (the configuration is per thread), before work goes to other threads."""
    return _state()["accelerate"]


_modules = {}


def optional_module(name):
    """The optional module ``name``, or None when it cannot be imported or
    acceleration is switched off: the one loader of accelerators.

    ``name`` is an accelerator package ("cv2", "numba") or, relative to the
    package, one of its families' compiled kernel modules
    ("._morphology_numba"), which import numba themselves. A kernel module
    that fails to build (numba present but unusable) counts as missing: the
    reference path runs instead.
    """
    if not accelerated():
        return None
    if name not in _modules:
        try:
            _modules[name] = importlib.import_module(name, package=__package__)
        except Exception:  # ImportError, or numba failing on this platform
            _modules[name] = None
    return _modules[name]
