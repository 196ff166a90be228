"""Image derivatives: Sobel, Prewitt and Gaussian-derivative gradients.

The three differ only in how they take the derivative along one axis (a
frozen dataclass per kind, below); one engine computes the x and y
derivatives, the gradient magnitude and angle from that for every image and
channel of a batch. Every 1-D filter runs along the spatial axes only, never
across images or channels (as ``scipy.ndimage.sobel`` on a stacked batch
would). Sobel and Prewitt have a compiled route (:mod:`._gradients_stencil`);
every kind has the separable fast paths (:mod:`._separable`) and the scipy
reference.
"""

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from ._base import ImageTransformer
from ._batch import all_finite, as_batch
from ._executor import chunk_scratch, run_ranges
from ._gradients_stencil import plan_magnitude, plan_stencil
from ._separable import gaussian_weights, plan_correlate
from ._validation import (
    Bool,
    Constraints,
    NJobs,
    Options,
    PerAxis,
    RealNumber,
    Rule,
    fail,
)
from .filters import MODES, check_kernel_size

__all__ = [
    "GaussianGradient",
    "PrewittGradient",
    "SobelGradient",
    "gaussian_gradient",
    "prewitt_gradient",
    "sobel_gradient",
]

#: Central difference, the derivative part of the Sobel and Prewitt kernels.
CENTRAL_DIFFERENCE = np.array([-1.0, 0.0, 1.0])
#: Smoothing across the derivative: Sobel weighs the centre twice.
SOBEL_SMOOTH = np.array([1.0, 2.0, 1.0])
PREWITT_SMOOTH = np.array([1.0, 1.0, 1.0])
#: scipy's kernels are unnormalised: a unit ramp gives 8 (Sobel) or 6
#: (Prewitt); dividing by these makes them true derivatives.
SOBEL_SCALE = 8.0
PREWITT_SCALE = 6.0

OUTPUTS = frozenset({"magnitude", "angle", "x", "y"})


# -- the kinds of derivative ----------------------------------------------------


@dataclass(frozen=True)
class FiniteDifference:
    """Sobel or Prewitt: the central difference along the axis, ``smooth``
    across the other spatial axes, in scipy.ndimage.sobel's order."""

    smooth: np.ndarray
    scale: float
    normalize: bool
    mode: str
    cval: float

    @property
    def factor(self):
        return 1.0 / self.scale if self.normalize else 1.0

    def steps(self, axis, spatial_axes):
        """The 1-D passes along ``axis`` of the images, as (spatial index,
        weights), for the fast paths."""
        # The normalisation is folded into the last pass's weights, so that
        # no unnormalised value (8x larger) is ever stored in float32.
        passes = [(axis, CENTRAL_DIFFERENCE)]
        passes += [(other, self.smooth) for other in spatial_axes if other != axis]
        passes[-1] = (passes[-1][0], passes[-1][1] * self.factor)
        return [(ax - 1, w) for ax, w in passes]

    def apply(self, src, axis, spatial_axes, dst):
        """The scipy reference: the derivative along array axis ``axis``."""
        for k, (ax, w) in enumerate(self.steps(axis, spatial_axes)):
            ndi.correlate1d(src if k == 0 else dst, w, ax + 1, dst, self.mode,
                            self.cval)

    def plan_stencil(self, batch, outputs, fallback):
        return plan_stencil(batch, self.smooth, self.factor, outputs, self.mode,
                            self.cval, fallback=fallback)


@dataclass(frozen=True)
class GaussianDerivative:
    """Smoothing at scale ``sigma`` and differentiation in one filter.
    scipy's Gaussian derivative filters are true derivatives already."""

    sigma: tuple
    truncate: float
    mode: str
    cval: float

    def steps(self, axis, spatial_axes):
        # gaussian_filter's passes, axis by axis in order, for the fast paths.
        return [
            (ax - 1, gaussian_weights(s, int(ax == axis), self.truncate))
            for ax, s in zip(spatial_axes, self.sigma, strict=True)
        ]

    def apply(self, src, axis, spatial_axes, dst):
        sigmas, orders = [0.0] * src.ndim, [0] * src.ndim
        for ax, s in zip(spatial_axes, self.sigma, strict=True):
            sigmas[ax] = s
        orders[axis] = 1
        ndi.gaussian_filter(src, sigmas, orders, dst, self.mode, self.cval,
                            self.truncate)

    def plan_stencil(self, batch, outputs, fallback):
        return None  # no compiled stencil: the separable paths


# -- the engine -------------------------------------------------------------------


def _gradient(batch, derivative, outputs, n_jobs):
    """The shared engine: a tuple of arrays, the ``outputs`` (a tuple of
    names) of the gradient of every image, from one pass over the batch.
    It runs the finite check that ``batch`` may have left to it."""
    spatial = batch.spatial_axes
    x_axis, y_axis = spatial[-1], (spatial[0] if len(spatial) > 1 else None)
    # The angle before the magnitude: the fast magnitude may overwrite x.
    derived = [name for name in ("angle", "magnitude") if name in outputs]

    def make_work(fast, magnitude):
        def along(src, axis, dst):
            if axis is None:  # a 1-D signal has no second axis to vary along
                dst[...] = 0
            elif fast.get(axis) is not None:
                fast[axis](src, dst)
                # The fast paths accumulate float32 in float32, scipy in
                # float64: near the float32 limit a fast sum can overflow
                # where scipy's does not. Checked on the derivative, so that
                # no output (the angle of an inf is finite) hides it.
                if not all_finite(dst):
                    derivative.apply(src, axis, spatial, dst)
            else:
                derivative.apply(src, axis, spatial, dst)
            return dst

        def work(src, dsts):
            out = dict(zip(outputs, dsts, strict=True))
            # At most one chunk-sized temporary: y is made in the output
            # computed last when y itself is not asked for.
            if "x" in out or derived:
                gx = along(src, x_axis, out["x"] if "x" in out
                           else chunk_scratch(src.shape, src.dtype))
            if "y" in out or derived:
                gy = along(src, y_axis, out["y"] if "y" in out
                           else out[derived[-1]])
            for name in derived:
                if name == "angle":
                    # NumPy's float32 arctan2 is vectorised already (and
                    # OpenCV's phase is only accurate to 1e-4 rad).
                    np.arctan2(gy, gx, out=out["angle"])
                else:
                    magnitude(gx, gy, out["magnitude"])

        return work

    # The scipy reference; it also redoes any block a fast path overflowed on.
    reference = make_work({}, np.hypot)
    # Sobel, Prewitt: one compiled pass per chunk, checked for overflow
    # inside, on the rare blocks that can.
    work = derivative.plan_stencil(batch, outputs, fallback=reference)
    compiled = work is not None  # it, and its scipy fallback, call no BLAS
    if work is None:
        # Fast 1-D passes (BLAS, OpenCV), planned in this thread; where none
        # applies, scipy runs. Neither checks that values are finite.
        batch.check_finite()
        fast = {
            axis: plan_correlate(batch, derivative.steps(axis, spatial),
                                 derivative.mode, derivative.cval)
            for axis in (x_axis, y_axis)
            if axis is not None
        }
        # The fast magnitude squares x in place: not when x is an output.
        magnitude = np.hypot if "x" in outputs else plan_magnitude()
        work = make_work(fast, magnitude)
    images = batch.images
    dsts = tuple(np.empty_like(images) for _ in outputs)
    run_ranges(lambda a, b: work(images[a:b], [d[a:b] for d in dsts]),
               images.shape[0], images[:1].nbytes, n_jobs,
               blas=not compiled)
    return dsts


# -- parameters -------------------------------------------------------------------

_LISTED_OUTPUTS = "{" + ", ".join(repr(o) for o in sorted(OUTPUTS)) + "}"


def _check_outputs(output, name, owner, batch):
    """The functions' ``output``: one name, or a non-empty tuple (or list) of
    distinct names; normalised to a tuple of names."""
    if isinstance(output, str):
        return (Options(OUTPUTS).check(output, name, owner),)
    expected = (f"one of {_LISTED_OUTPUTS} or a non-empty tuple of distinct names "
                "among them")
    if not isinstance(output, (tuple, list)) or not output:
        fail(name, owner, expected, output)
    names = tuple(output)
    unknown = [n for n in names if not isinstance(n, str) or n not in OUTPUTS]
    repeated = sorted(n for n in OUTPUTS if names.count(n) > 1)
    if unknown or repeated:
        why = (f"{unknown[0]!r} is not an output" if unknown
               else f"{repeated[0]!r} is asked for twice")
        fail(name, owner, expected, output, why)
    return names


def _check_one_output(output, name, owner, batch):
    """The estimators' ``output``: one name (a transformer gives one array)."""
    if isinstance(output, (tuple, list)):
        fail(name, owner,
             f"one of {_LISTED_OUTPUTS} (a transformer gives one array; the "
             "functions take a tuple of outputs)", output)
    return (Options(OUTPUTS).check(output, name, owner),)


#: The parameters of :func:`sobel_gradient` and :func:`prewitt_gradient`.
FINITE_DIFFERENCE_CONSTRAINTS = Constraints(
    output=Rule(_check_outputs),
    normalize=Bool(),
    mode=Options(MODES),
    cval=RealNumber(),
    n_jobs=NJobs(),
)
#: The parameters of :func:`gaussian_gradient`.
GAUSSIAN_GRADIENT_CONSTRAINTS = FINITE_DIFFERENCE_CONSTRAINTS.but(
    normalize=None,
    sigma=PerAxis(0.0, closed="neither"),
    truncate=RealNumber(0, None, closed="neither"),
    joint=check_kernel_size,
)


def _differentiate(images, make_derivative, constraints, values, owner, *,
                   channel_axis, image_shape):
    """The public functions' path: the contract, the parameters, the
    derivative of their kind, the engine, the user's layout."""
    # The engine checks for NaN and inf (or its compiled pass does).
    batch = as_batch(images, image_shape=image_shape, channel_axis=channel_axis,
                     caller=owner, check_finite=False)
    params = constraints.validate(values, owner, batch)
    results = _gradient(batch, make_derivative(params), params["output"],
                        params["n_jobs"])
    if isinstance(values["output"], str):
        return batch.restore(results[0])
    return tuple(batch.restore(r) for r in results)


def _sobel(params):
    return FiniteDifference(SOBEL_SMOOTH, SOBEL_SCALE, params["normalize"],
                            params["mode"], params["cval"])


def _prewitt(params):
    return FiniteDifference(PREWITT_SMOOTH, PREWITT_SCALE, params["normalize"],
                            params["mode"], params["cval"])


def _gaussian(params):
    return GaussianDerivative(params["sigma"], params["truncate"], params["mode"],
                              params["cval"])


# -- public functions -------------------------------------------------------------


def sobel_gradient(
    images,
    *,
    output="magnitude",
    normalize=False,
    mode="reflect",
    cval=0.0,
    channel_axis=-1,
    image_shape=None,
    n_jobs=None,
):
    """Sobel derivatives of each image of a batch.

    Per image and channel, ``output="x"`` equals
    ``scipy.ndimage.sobel(image, axis=-1)`` and ``"y"`` equals
    ``scipy.ndimage.sobel(image, axis=0)`` [1]_.

    Parameters
    ----------
    images : array-like
        Batch of images (see :func:`skimgproc.gaussian_blur` for layouts).
    output : {"magnitude", "angle", "x", "y"} or tuple of them, \
default="magnitude"
        ``"x"``: derivative along the columns (the last spatial axis);
        ``"y"``: along the rows; ``"magnitude"``: ``sqrt(x**2 + y**2)``;
        ``"angle"``: ``arctan2(y, x)``, in radians in [-pi, pi].
        A tuple (or list) of distinct names, such as
        ``("magnitude", "angle")``, returns a tuple of arrays in that order,
        computed in one pass: the derivatives are taken once, so it costs
        about one call where separate calls cost one each. Each array is
        the one a call for that output alone returns (the fast paths may
        differ from it within float rounding).
    normalize : bool, default=False
        Divide scipy's kernels by 8 so that they measure the true derivative
        (a ramp ``a * x`` gives ``a``).
    mode : str, default="reflect"
        Border handling, as in :func:`scipy.ndimage.correlate1d`.
    cval : float, default=0.0
        Value outside the image when ``mode="constant"``.
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input; colour images are differentiated
        channel by channel.
    image_shape : tuple of int, default=None
        Shape of one image when the input holds flattened images as rows;
        with None, 2-D input is a batch of 1-D signals (whose y derivative
        is 0).
    n_jobs : int, default=None
        Threads to use; None uses every available core.

    Returns
    -------
    gradient : ndarray or tuple of ndarray
        Same shape as ``images``; float32 stays float32. A tuple, one array
        per name, when ``output`` is a tuple or list.

    See Also
    --------
    SobelGradient, prewitt_gradient, gaussian_gradient

    References
    ----------
    .. [1] I. Sobel and G. Feldman, "A 3x3 isotropic gradient operator for
       image processing", Stanford Artificial Intelligence Project, 1968.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import sobel_gradient
    >>> ramp = np.tile(np.arange(6.0), (1, 6, 1))  # brightness grows along x
    >>> sobel_gradient(ramp, output="x", normalize=True)[0, 2, 1:-1]
    array([1., 1., 1., 1.])

    Several outputs from one pass over the batch:

    >>> magnitude, angle = sobel_gradient(ramp, output=("magnitude", "angle"),
    ...                                   normalize=True)
    >>> magnitude[0, 2, 1:-1], angle[0, 2, 1:-1]
    (array([1., 1., 1., 1.]), array([0., 0., 0., 0.]))
    """
    values = dict(output=output, normalize=normalize, mode=mode, cval=cval,
                  n_jobs=n_jobs)
    return _differentiate(images, _sobel, FINITE_DIFFERENCE_CONSTRAINTS, values,
                          "sobel_gradient", channel_axis=channel_axis,
                          image_shape=image_shape)


def prewitt_gradient(
    images,
    *,
    output="magnitude",
    normalize=False,
    mode="reflect",
    cval=0.0,
    channel_axis=-1,
    image_shape=None,
    n_jobs=None,
):
    """Prewitt derivatives of each image of a batch.

    Per image and channel, ``output="x"`` equals
    ``scipy.ndimage.prewitt(image, axis=-1)`` and ``"y"`` equals
    ``scipy.ndimage.prewitt(image, axis=0)`` [1]_.

    Parameters
    ----------
    images : array-like
        Batch of images (see :func:`skimgproc.gaussian_blur` for layouts).
    output : {"magnitude", "angle", "x", "y"} or tuple of them, \
default="magnitude"
        ``"x"``: derivative along the columns (the last spatial axis);
        ``"y"``: along the rows; ``"magnitude"``: ``sqrt(x**2 + y**2)``;
        ``"angle"``: ``arctan2(y, x)``, in radians in [-pi, pi].
        A tuple (or list) of distinct names returns a tuple of arrays in
        that order, computed in one pass (see :func:`sobel_gradient`).
    normalize : bool, default=False
        Divide scipy's kernels by 6 so that they measure the true derivative.
    mode : str, default="reflect"
        Border handling, as in :func:`scipy.ndimage.correlate1d`.
    cval : float, default=0.0
        Value outside the image when ``mode="constant"``.
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input; colour images are differentiated
        channel by channel.
    image_shape : tuple of int, default=None
        Shape of one image when the input holds flattened images as rows;
        with None, 2-D input is a batch of 1-D signals (whose y derivative
        is 0).
    n_jobs : int, default=None
        Threads to use; None uses every available core.

    Returns
    -------
    gradient : ndarray or tuple of ndarray
        Same shape as ``images``; float32 stays float32. A tuple, one array
        per name, when ``output`` is a tuple or list.

    See Also
    --------
    PrewittGradient, sobel_gradient, gaussian_gradient

    References
    ----------
    .. [1] J. M. S. Prewitt, "Object enhancement and extraction", in Picture
       Processing and Psychopictorics, Academic Press, 1970.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import prewitt_gradient
    >>> ramp = np.tile(np.arange(6.0), (1, 6, 1)).transpose(0, 2, 1)  # along y
    >>> prewitt_gradient(ramp, output="angle")[0, 2, 2]  # pointing down the rows
    np.float64(1.5707963267948966)
    >>> x, y = prewitt_gradient(ramp, output=["x", "y"], normalize=True)
    >>> float(x[0, 2, 2]), float(y[0, 2, 2])
    (0.0, 1.0)
    """
    values = dict(output=output, normalize=normalize, mode=mode, cval=cval,
                  n_jobs=n_jobs)
    return _differentiate(images, _prewitt, FINITE_DIFFERENCE_CONSTRAINTS, values,
                          "prewitt_gradient", channel_axis=channel_axis,
                          image_shape=image_shape)


def gaussian_gradient(
    images,
    sigma=1.0,
    *,
    output="magnitude",
    mode="reflect",
    cval=0.0,
    truncate=4.0,
    channel_axis=-1,
    image_shape=None,
    n_jobs=None,
):
    """Gaussian-derivative gradient of each image of a batch, at scale ``sigma``.

    Per image and channel, ``output="x"`` equals
    ``scipy.ndimage.gaussian_filter(image, sigma, order=(0, 1))`` and
    ``"y"`` equals ``gaussian_filter(image, sigma, order=(1, 0))``: smoothing
    at scale ``sigma`` and differentiation in one filter. These are true
    derivatives (a ramp ``a * x`` gives ``a`` away from the border).

    Parameters
    ----------
    images : array-like
        Batch of images (see :func:`skimgproc.gaussian_blur` for layouts).
    sigma : float or sequence of float, default=1.0
        Scale of the Gaussian in pixels, > 0, for every spatial axis or one
        per spatial axis.
    output : {"magnitude", "angle", "x", "y"} or tuple of them, \
default="magnitude"
        ``"x"``: derivative along the columns (the last spatial axis);
        ``"y"``: along the rows; ``"magnitude"``: ``sqrt(x**2 + y**2)``;
        ``"angle"``: ``arctan2(y, x)``, in radians in [-pi, pi].
        A tuple (or list) of distinct names returns a tuple of arrays in
        that order, computed in one pass (see :func:`sobel_gradient`).
    mode : str, default="reflect"
        Border handling, as in :func:`scipy.ndimage.gaussian_filter`.
    cval : float, default=0.0
        Value outside the image when ``mode="constant"``.
    truncate : float, default=4.0
        The kernel is cut off at this many standard deviations.
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input; colour images are differentiated
        channel by channel.
    image_shape : tuple of int, default=None
        Shape of one image when the input holds flattened images as rows;
        with None, 2-D input is a batch of 1-D signals (whose y derivative
        is 0).
    n_jobs : int, default=None
        Threads to use; None uses every available core.

    Returns
    -------
    gradient : ndarray or tuple of ndarray
        Same shape as ``images``; float32 stays float32. A tuple, one array
        per name, when ``output`` is a tuple or list.

    See Also
    --------
    GaussianGradient, sobel_gradient, gaussian_blur

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import gaussian_gradient
    >>> ramp = 3.0 * np.tile(np.arange(20.0), (1, 20, 1))
    >>> round(float(gaussian_gradient(ramp, sigma=2.0)[0, 10, 10]), 2)
    3.0
    >>> x, magnitude = gaussian_gradient(ramp, sigma=2.0, output=("x", "magnitude"))
    >>> x.shape == magnitude.shape == ramp.shape
    True
    """
    values = dict(sigma=sigma, output=output, mode=mode, cval=cval,
                  truncate=truncate, n_jobs=n_jobs)
    return _differentiate(images, _gaussian, GAUSSIAN_GRADIENT_CONSTRAINTS, values,
                          "gaussian_gradient", channel_axis=channel_axis,
                          image_shape=image_shape)


# -- estimators -------------------------------------------------------------------


class _Gradient(ImageTransformer):
    """What the gradient estimators share: one output each, the engine's
    finite check."""

    _engine_checks_finite = True  # _gradient checks, or its compiled pass


class SobelGradient(_Gradient):
    """Sobel gradient of every image of a batch.

    A thin estimator over :func:`sobel_gradient`: every image and channel of
    the batch is differentiated on its own.

    Parameters
    ----------
    output : {"magnitude", "angle", "x", "y"}, default="magnitude"
        ``"x"``: derivative along the columns (the last spatial axis);
        ``"y"``: along the rows; ``"magnitude"``: ``sqrt(x**2 + y**2)``;
        ``"angle"``: ``arctan2(y, x)``, in radians in [-pi, pi].
    normalize : bool, default=False
        Divide scipy's unnormalised kernel by 8 so that it measures the
        true derivative.
    mode : str, default="reflect"
        Border handling, as in scipy.ndimage.
    cval : float, default=0.0
        Value outside the image when ``mode="constant"``.
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input; colour images are differentiated
        channel by channel.
    image_shape : tuple of int, default=None
        Shape of one image when the input holds flattened images as rows;
        with None, 2-D input is a batch of 1-D signals (whose y derivative
        is 0).
    n_jobs : int, default=None
        Threads to use; None uses every available core.

    Attributes
    ----------
    n_features_in_ : int
        Number of values per sample seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, when ``X`` was a data frame.

    See Also
    --------
    sobel_gradient : The function behind this estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import SobelGradient
    >>> images = np.random.default_rng(0).random((3, 16, 16))
    >>> SobelGradient(output="angle").fit_transform(images).shape
    (3, 16, 16)
    """

    _function = staticmethod(sobel_gradient)
    _parameter_constraints = FINITE_DIFFERENCE_CONSTRAINTS.but(
        output=Rule(_check_one_output))

    def __init__(self, *, output="magnitude", normalize=False, mode="reflect",
                 cval=0.0, channel_axis=-1, image_shape=None, n_jobs=None):
        self.output = output
        self.normalize = normalize
        self.mode = mode
        self.cval = cval
        self.channel_axis = channel_axis
        self.image_shape = image_shape
        self.n_jobs = n_jobs


class PrewittGradient(_Gradient):
    """Prewitt gradient of every image of a batch.

    A thin estimator over :func:`prewitt_gradient`: every image and channel
    of the batch is differentiated on its own.

    Parameters
    ----------
    output : {"magnitude", "angle", "x", "y"}, default="magnitude"
        ``"x"``: derivative along the columns (the last spatial axis);
        ``"y"``: along the rows; ``"magnitude"``: ``sqrt(x**2 + y**2)``;
        ``"angle"``: ``arctan2(y, x)``, in radians in [-pi, pi].
    normalize : bool, default=False
        Divide scipy's unnormalised kernel by 6 so that it measures the
        true derivative.
    mode : str, default="reflect"
        Border handling, as in scipy.ndimage.
    cval : float, default=0.0
        Value outside the image when ``mode="constant"``.
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input; colour images are differentiated
        channel by channel.
    image_shape : tuple of int, default=None
        Shape of one image when the input holds flattened images as rows;
        with None, 2-D input is a batch of 1-D signals (whose y derivative
        is 0).
    n_jobs : int, default=None
        Threads to use; None uses every available core.

    Attributes
    ----------
    n_features_in_ : int
        Number of values per sample seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, when ``X`` was a data frame.

    See Also
    --------
    prewitt_gradient : The function behind this estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import PrewittGradient
    >>> images = np.random.default_rng(0).random((3, 16, 16))
    >>> PrewittGradient(output="angle").fit_transform(images).shape
    (3, 16, 16)
    """

    _function = staticmethod(prewitt_gradient)
    _parameter_constraints = SobelGradient._parameter_constraints

    def __init__(self, *, output="magnitude", normalize=False, mode="reflect",
                 cval=0.0, channel_axis=-1, image_shape=None, n_jobs=None):
        self.output = output
        self.normalize = normalize
        self.mode = mode
        self.cval = cval
        self.channel_axis = channel_axis
        self.image_shape = image_shape
        self.n_jobs = n_jobs


class GaussianGradient(_Gradient):
    """Gaussian-derivative gradient of every image of a batch, at scale sigma.

    A thin estimator over :func:`gaussian_gradient`: every image and channel
    of the batch is differentiated on its own.

    Parameters
    ----------
    sigma : float or tuple of float, default=1.0
        Scale of the Gaussian in pixels, > 0.
    output : {"magnitude", "angle", "x", "y"}, default="magnitude"
        ``"x"``: derivative along the columns (the last spatial axis);
        ``"y"``: along the rows; ``"magnitude"``: ``sqrt(x**2 + y**2)``;
        ``"angle"``: ``arctan2(y, x)``, in radians in [-pi, pi].
    mode : str, default="reflect"
        Border handling, as in scipy.ndimage.
    cval : float, default=0.0
        Value outside the image when ``mode="constant"``.
    truncate : float, default=4.0
        The kernel is cut off at this many standard deviations.
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input; colour images are differentiated
        channel by channel.
    image_shape : tuple of int, default=None
        Shape of one image when the input holds flattened images as rows;
        with None, 2-D input is a batch of 1-D signals (whose y derivative
        is 0).
    n_jobs : int, default=None
        Threads to use; None uses every available core.

    Attributes
    ----------
    n_features_in_ : int
        Number of values per sample seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, when ``X`` was a data frame.

    See Also
    --------
    gaussian_gradient : The function behind this estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import GaussianGradient
    >>> images = np.random.default_rng(0).random((3, 16, 16))
    >>> GaussianGradient(output="angle").fit_transform(images).shape
    (3, 16, 16)
    """

    _function = staticmethod(gaussian_gradient)
    _parameter_constraints = GAUSSIAN_GRADIENT_CONSTRAINTS.but(
        output=Rule(_check_one_output))

    def __init__(self, sigma=1.0, *, output="magnitude", mode="reflect", cval=0.0,
                 truncate=4.0, channel_axis=-1, image_shape=None, n_jobs=None):
        self.sigma = sigma
        self.output = output
        self.mode = mode
        self.cval = cval
        self.truncate = truncate
        self.channel_axis = channel_axis
        self.image_shape = image_shape
        self.n_jobs = n_jobs
