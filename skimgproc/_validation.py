"""Parameter constraints, declared once for a function and its estimator.

Each operation declares its parameters in a :class:`Constraints` mapping,
``name -> constraint``, as scikit-learn's ``_parameter_constraints`` do. The
function validates its arguments with it; the estimator carries the same
mapping as ``_parameter_constraints`` and validates its parameters with it in
``fit`` and ``transform``, so that the two cannot drift apart. Validation
returns the values normalised (``sigma=2`` becomes ``(2.0, 2.0)``).

Messages follow scikit-learn's shape: "The 'sigma' parameter of GaussianBlur
must be a float in the range [0, inf). Got -1 instead." The owner is the
function's or the class's name, so the message names what the user called.

The ``check_*`` functions are the same checks for code that validates one
value at a time (readers, data sets).
"""

from numbers import Integral, Real

import numpy as np

__all__ = [
    "Bool",
    "Constraints",
    "Either",
    "Int",
    "NJobs",
    "Options",
    "PerAxis",
    "RealNumber",
    "Rule",
    "check_bool",
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


def _is_real(value):
    return not isinstance(value, (bool, np.bool_)) and isinstance(value, Real)


def _is_int(value):
    return not isinstance(value, (bool, np.bool_)) and isinstance(value, Integral)


# -- constraint objects ---------------------------------------------------------


class _Constraint:
    """A rule for one parameter: :meth:`accepts` a value, :meth:`normalize`
    it, and :attr:`expected` says in words what it accepts."""

    expected = ""

    def accepts(self, value, batch):  # pragma: no cover - abstract
        raise NotImplementedError

    def normalize(self, value, batch):
        return value

    def check(self, value, name, owner, batch=None):
        """The normalised ``value``, or the package's ValueError."""
        if not self.accepts(value, batch):
            fail(name, owner, self.describe(batch), value)
        return self.normalize(value, batch)

    def describe(self, batch):
        return self.expected


class RealNumber(_Constraint):
    """A finite real number in a range; normalised to a float."""

    def __init__(self, low=None, high=None, *, closed="both"):
        self.low, self.high, self.closed = low, high, closed
        self.expected = f"a float in the range {_range_text(low, high, closed)}"

    def accepts(self, value, batch):
        return (_is_real(value) and bool(np.isfinite(value))
                and _in_range(value, self.low, self.high, self.closed))

    def normalize(self, value, batch):
        return float(value)


class Int(_Constraint):
    """An integer in a closed range; normalised to an int."""

    def __init__(self, low=None, high=None):
        self.low, self.high = low, high
        self.expected = f"an int in the range {_range_text(low, high, 'both')}"

    def accepts(self, value, batch):
        return _is_int(value) and _in_range(value, self.low, self.high, "both")

    def normalize(self, value, batch):
        return int(value)


class Bool(_Constraint):
    expected = "a bool (True or False)"

    def accepts(self, value, batch):
        return isinstance(value, (bool, np.bool_))

    def normalize(self, value, batch):
        return bool(value)


class Options(_Constraint):
    """One of a set of strings."""

    def __init__(self, options):
        self.options = frozenset(options)
        listed = ", ".join(repr(o) for o in sorted(self.options))
        self.expected = f"one of {{{listed}}}"

    def accepts(self, value, batch):
        return isinstance(value, str) and value in self.options


class NJobs(_Constraint):
    """None, or a non-zero integer (scikit-learn's convention)."""

    expected = "None or a non-zero int"

    def accepts(self, value, batch):
        return value is None or (_is_int(value) and value != 0)

    def normalize(self, value, batch):
        return None if value is None else int(value)


class PerAxis(_Constraint):
    """A number, or one number per spatial axis of the batch (``sigma``);
    normalised to a tuple of one float per spatial axis."""

    def __init__(self, low=0.0, *, closed="both", what="a float"):
        self.number = RealNumber(low, None, closed=closed)
        self.what = what

    def describe(self, batch):
        n_spatial = 2 if batch is None else batch.n_spatial
        low, closed = self.number.low, self.number.closed
        return (f"{self.what} in the range {_range_text(low, None, closed)} or a "
                f"sequence of {n_spatial} such values (one per spatial axis)")

    def _values(self, value):
        values = np.atleast_1d(np.asarray(value, dtype=object))
        return values if values.ndim == 1 else None

    def accepts(self, value, batch):
        values = self._values(value)
        n_spatial = 2 if batch is None else batch.n_spatial
        return (values is not None and len(values) in (1, n_spatial)
                and all(self.number.accepts(v, batch) for v in values))

    def normalize(self, value, batch):
        values = tuple(float(v) for v in self._values(value))
        return values * batch.n_spatial if len(values) == 1 else values


class Either(_Constraint):
    """The first of several constraints that accepts the value."""

    def __init__(self, *constraints, expected=None):
        self.constraints = constraints
        self.expected = expected

    def describe(self, batch):
        return self.expected or " or ".join(c.describe(batch) for c in self.constraints)

    def accepts(self, value, batch):
        return self._accepting(value, batch) is not None

    def _accepting(self, value, batch):
        return next((c for c in self.constraints if c.accepts(value, batch)), None)

    def check(self, value, name, owner, batch=None):
        constraint = self._accepting(value, batch)
        if constraint is None:
            fail(name, owner, self.describe(batch), value)
        return constraint.normalize(value, batch)


class Rule(_Constraint):
    """A check of its own: ``check(value, name, owner, batch)`` returns the
    normalised value or raises (for values whose errors say more than what is
    expected, such as a structuring element's shape)."""

    def __init__(self, check):
        self._check = check

    def check(self, value, name, owner, batch=None):
        return self._check(value, name, owner, batch)


class Constraints(dict):
    """``name -> constraint`` for the parameters of an operation.

    ``joint(params, owner)`` checks what depends on several parameters
    together (a kernel's size from ``sigma`` and ``truncate``) and may fill
    in defaults that depend on others; it receives the normalised values.
    """

    def __init__(self, constraints=(), *, joint=None, **named):
        super().__init__(constraints, **named)
        self.joint = joint

    def validate(self, values, owner, batch=None):
        """The normalised values of the declared parameters in ``values``
        (a mapping that may hold more, such as the layout parameters, which
        the batch contract checks)."""
        params = {name: constraint.check(values[name], name, owner, batch)
                  for name, constraint in self.items()}
        if self.joint is not None:
            self.joint(params, owner)
        return params

    def but(self, *, joint=None, **changes):
        """A copy with some constraints replaced, added, or removed (None),
        and ``joint`` if given."""
        merged = {**self, **changes}
        return Constraints({k: v for k, v in merged.items() if v is not None},
                           joint=self.joint if joint is None else joint)


# -- one value at a time ---------------------------------------------------------


def check_real(value, name, owner, *, low=None, high=None, closed="both"):
    """A finite real number within the bounds; returns it as a float."""
    return RealNumber(low, high, closed=closed).check(value, name, owner)


def check_int(value, name, owner, *, low=None, high=None):
    """An integer within the closed bounds; returns it as an int."""
    return Int(low, high).check(value, name, owner)


def check_bool(value, name, owner):
    return Bool().check(value, name, owner)


def check_option(value, name, owner, options):
    """One of the strings in ``options``."""
    return Options(options).check(value, name, owner)


def check_n_jobs(value, owner):
    """None, or a non-zero integer (scikit-learn's convention)."""
    return NJobs().check(value, "n_jobs", owner)


class _SpatialCount:
    """Stands for a batch where only the number of spatial axes is known."""

    def __init__(self, n_spatial):
        self.n_spatial = n_spatial


def check_spatial_values(value, name, owner, n_spatial, *, low=0.0, closed="both",
                         what="a float"):
    """A number, or a sequence of one number per spatial axis (e.g. ``sigma``).

    Returns a tuple with one float per spatial axis.
    """
    constraint = PerAxis(low, closed=closed, what=what)
    return constraint.check(value, name, owner, _SpatialCount(n_spatial))
