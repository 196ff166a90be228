"""Parameter checks shared by every function and estimator.

Messages follow scikit-learn's shape: "The 'sigma' parameter of GaussianBlur
must be a float in the range [0, inf). Got -1 instead." Functions pass their
own name as ``owner`` and estimators their class name, so the message names
what the user called.
"""

from numbers import Integral, Real

import numpy as np

__all__ = [
    "check_bool",
    "check_gaussian_kernel",
    "check_int",
    "check_n_jobs",
    "check_option",
    "check_real",
    "check_spatial_values",
    "fail",
]


def fail(name, owner, expected, value, why=None):
    """Raise the package's ValueError for a parameter ``name`` of ``owner``;
    ``why`` says what is wrong in ``value`` when that is not plain."""
    reason = f": {why}" if why else ""
    raise ValueError(
        f"The '{name}' parameter of {owner} must be {expected}. Got {value!r} "
        f"instead{reason}."
    )


def _range_text(low, high, closed):
    # Infinity itself is never accepted: its side of the range is open.
    left = "[" if closed in ("left", "both") and low is not None else "("
    right = "]" if closed in ("right", "both") and high is not None else ")"
    low_text = "-inf" if low is None else f"{low:g}"
    high_text = "inf" if high is None else f"{high:g}"
    return f"{left}{low_text}, {high_text}{right}"


def _in_range(value, low, high, closed):
    if low is not None:
        if value < low or (value == low and closed not in ("left", "both")):
            return False
    if high is not None:
        if value > high or (value == high and closed not in ("right", "both")):
            return False
    return True


def check_real(value, name, owner, *, low=None, high=None, closed="both"):
    """A finite real number within the bounds; returns it as a float."""
    expected = f"a float in the range {_range_text(low, high, closed)}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        fail(name, owner, expected, value)
    if not np.isfinite(value) or not _in_range(value, low, high, closed):
        fail(name, owner, expected, value)
    return float(value)


def check_int(value, name, owner, *, low=None, high=None):
    """An integer within the closed bounds; returns it as an int."""
    expected = f"an int in the range {_range_text(low, high, 'both')}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        fail(name, owner, expected, value)
    if not _in_range(value, low, high, "both"):
        fail(name, owner, expected, value)
    return int(value)


def check_bool(value, name, owner):
    if not isinstance(value, (bool, np.bool_)):
        fail(name, owner, "a bool (True or False)", value)
    return bool(value)


def check_option(value, name, owner, options):
    """One of the strings in ``options``."""
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(repr(o) for o in sorted(options))
        fail(name, owner, f"one of {{{listed}}}", value)
    return value


def check_spatial_values(
    value, name, owner, n_spatial, *, low=0.0, closed="both", what="a float"
):
    """A number, or a sequence of one number per spatial axis (e.g. ``sigma``).

    Returns a tuple with one float per spatial axis.
    """
    expected = (
        f"{what} in the range {_range_text(low, None, closed)} or a sequence of "
        f"{n_spatial} such values (one per spatial axis)"
    )
    values = np.atleast_1d(np.asarray(value, dtype=object))
    if values.ndim != 1 or len(values) not in (1, n_spatial):
        fail(name, owner, expected, value)
    checked = []
    for v in values:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, Real):
            fail(name, owner, expected, value)
        if not np.isfinite(v) or not _in_range(v, low, None, closed):
            fail(name, owner, expected, value)
        checked.append(float(v))
    if len(checked) == 1:
        checked = checked * n_spatial
    return tuple(checked)


def check_n_jobs(value, owner):
    """None, or a non-zero integer (scikit-learn's convention)."""
    if value is None:
        return None
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral)
            or value == 0):
        fail("n_jobs", owner, "None or a non-zero int", value)
    return int(value)


#: Largest Gaussian kernel radius accepted: 2 * 10**6 + 1 taps. Far beyond
#: it the kernel alone would take gigabytes (and the result is the image's
#: mean long before).
MAX_KERNEL_RADIUS = 10**6


def check_gaussian_kernel(sigma, truncate, owner):
    """Refuse ``sigma`` and ``truncate`` whose kernel could not be built.

    ``sigma`` is the checked tuple of per-axis values; scipy's kernel radius
    is ``int(truncate * sigma + 0.5)``.
    """
    radius = int(truncate * max(sigma) + 0.5)
    if radius > MAX_KERNEL_RADIUS:
        raise ValueError(
            f"The 'sigma' and 'truncate' parameters of {owner} give a Gaussian "
            f"kernel of radius int(truncate * sigma + 0.5) = {radius} pixels; at "
            f"most {MAX_KERNEL_RADIUS} is supported. Got sigma={max(sigma):g}, "
            f"truncate={truncate:g}."
        )
