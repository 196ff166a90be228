"""Image derivatives: Sobel, Prewitt and Gaussian-derivative gradients.

The three differ only in how they take the derivative along one axis; one
engine computes the x and y derivatives, the gradient magnitude and angle
from that for every image and channel of a batch. Every 1-D filter runs
along the spatial axes only, never across images or channels (as
``scipy.ndimage.sobel`` on a stacked batch would).
"""

import numpy as np
from scipy import ndimage as ndi

from ._accel import (
    gaussian_weights,
    guard_overflow,
    plan_correlate,
    plan_polar,
    plan_stencil,
    scratch,
)
from ._base import ImageTransformer
from ._batch import as_batch, run_chunked
from ._validation import (
    check_bool,
    check_gaussian_kernel,
    check_n_jobs,
    check_option,
    check_real,
    check_spatial_values,
)
from .filters import MODES

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


def _finite_difference(smooth, scale):
    """Derivative along ``axis``: central difference along it, ``smooth``
    across the other spatial axes, in scipy.ndimage.sobel's order."""

    def derivative(src, axis, spatial_axes, dst, mode, cval, normalize, **_):
        # The normalisation is folded into the last pass's weights, so that
        # no unnormalised value (8x larger) is ever stored in float32.
        for k, (ax, w) in enumerate(steps(axis, spatial_axes, normalize)):
            ndi.correlate1d(src if k == 0 else dst, w, ax + 1, dst, mode, cval)

    def steps(axis, spatial_axes, normalize, **_):
        # The same passes, as (spatial index, weights), for the fast paths.
        factor = 1.0 / scale if normalize else 1.0
        passes = [(axis, CENTRAL_DIFFERENCE)]
        passes += [(other, smooth) for other in spatial_axes if other != axis]
        passes[-1] = (passes[-1][0], passes[-1][1] * factor)
        return [(ax - 1, w) for ax, w in passes]

    derivative.steps = steps
    derivative.stencil = (smooth, scale)
    return derivative


def _gaussian_derivative(src, axis, spatial_axes, dst, mode, cval, sigma,
                         truncate, **_):
    # scipy's Gaussian derivative filters are true derivatives already, so
    # ``normalize`` has nothing to do.
    ndim = src.ndim
    sigmas, orders = [0.0] * ndim, [0] * ndim
    for ax, s in zip(spatial_axes, sigma, strict=True):
        sigmas[ax] = s
    orders[axis] = 1
    ndi.gaussian_filter(src, sigmas, orders, dst, mode, cval, truncate)


def _gaussian_steps(axis, spatial_axes, sigma, truncate, **_):
    # gaussian_filter's passes, axis by axis in order, for the fast paths.
    return [
        (ax - 1, gaussian_weights(s, int(ax == axis), truncate))
        for ax, s in zip(spatial_axes, sigma, strict=True)
    ]


_gaussian_derivative.steps = _gaussian_steps


def _gradient(batch, derivative, output, n_jobs, **options):
    """The shared engine: ``output`` of the gradient of every image."""
    spatial = batch.spatial_axes
    x_axis, y_axis = spatial[-1], (spatial[0] if len(spatial) > 1 else None)

    def make_work(fast, combine):
        def along(src, axis, dst):
            if axis is None:  # a 1-D signal has no second axis to vary along
                dst[...] = 0
            elif fast.get(axis) is not None:
                fast[axis](src, dst)
            else:
                derivative(src, axis, spatial, dst, **options)
            return dst

        def work(src, dst):
            if output == "x":
                along(src, x_axis, dst)
            elif output == "y":
                along(src, y_axis, dst)
            else:
                # One chunk-sized temporary: the y derivative is made in dst.
                gx = along(src, x_axis, scratch(dst.shape, dst.dtype))
                along(src, y_axis, dst)
                combine(gx, dst, dst)

        return work

    # Fast paths (numba, BLAS, OpenCV), planned in this thread; where none
    # applies, scipy runs. The reference also redoes any chunk a fast path
    # overflowed on (see guard_overflow).
    reference = make_work({}, np.hypot if output == "magnitude" else
                          lambda gx, gy, out: np.arctan2(gy, gx, out=out))
    stencil = getattr(derivative, "stencil", None)
    if stencil is not None:  # Sobel, Prewitt: one compiled pass per chunk
        smooth, scale = stencil
        factor = 1.0 / scale if options["normalize"] else 1.0
        fused = plan_stencil(batch, smooth, factor, output, options["mode"],
                             options["cval"], fallback=reference)
        if fused is not None:
            # Checked for overflow inside, on the rare blocks that can.
            return run_chunked(fused, batch.images, np.empty_like(batch.images),
                               n_jobs)
    fast = {
        axis: plan_correlate(
            batch, derivative.steps(axis, spatial, **options), options["mode"],
            options["cval"],
        )
        for axis in (x_axis, y_axis)
        if axis is not None
    }
    work = make_work(fast, plan_polar(output))
    if any(f is not None for f in fast.values()):
        work = guard_overflow(work, reference)
    return run_chunked(work, batch.images, np.empty_like(batch.images), n_jobs)


def _check_common(output, normalize, mode, cval, n_jobs, owner):
    return dict(
        output=check_option(output, "output", owner, OUTPUTS),
        normalize=check_bool(normalize, "normalize", owner),
        mode=check_option(mode, "mode", owner, MODES),
        cval=check_real(cval, "cval", owner),
        n_jobs=check_n_jobs(n_jobs, owner),
    )


def _check_gaussian(batch, sigma, truncate, owner):
    params = dict(
        sigma=check_spatial_values(
            sigma, "sigma", owner, batch.n_spatial, low=0.0, closed="neither"
        ),
        truncate=check_real(truncate, "truncate", owner, low=0, closed="neither"),
    )
    check_gaussian_kernel(params["sigma"], params["truncate"], owner)
    return params


_SOBEL = _finite_difference(SOBEL_SMOOTH, SOBEL_SCALE)
_PREWITT = _finite_difference(PREWITT_SMOOTH, PREWITT_SCALE)

_OUTPUT_DOC = """output : {"magnitude", "angle", "x", "y"}, default="magnitude"
        ``"x"``: derivative along the columns (the last spatial axis);
        ``"y"``: along the rows; ``"magnitude"``: ``sqrt(x**2 + y**2)``;
        ``"angle"``: ``arctan2(y, x)``, in radians in [-pi, pi]."""

_LAYOUT_DOC = """channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input; colour images are differentiated
        channel by channel.
    image_shape : tuple of int, default=None
        Shape of one image when the input holds flattened images as rows;
        with None, 2-D input is a batch of 1-D signals (whose y derivative
        is 0).
    n_jobs : int, default=None
        Threads to use; None uses every available core."""


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
    {output}
    normalize : bool, default=False
        Divide scipy's kernels by 8 so that they measure the true derivative
        (a ramp ``a * x`` gives ``a``).
    mode : str, default="reflect"
        Border handling, as in :func:`scipy.ndimage.correlate1d`.
    cval : float, default=0.0
        Value outside the image when ``mode="constant"``.
    {layout}

    Returns
    -------
    gradient : ndarray
        Same shape as ``images``; float32 stays float32.

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
    """
    batch = as_batch(images, image_shape=image_shape, channel_axis=channel_axis,
                     caller="sobel_gradient")
    params = _check_common(output, normalize, mode, cval, n_jobs, "sobel_gradient")
    return batch.restore(_gradient(batch, _SOBEL, **params))


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
    {output}
    normalize : bool, default=False
        Divide scipy's kernels by 6 so that they measure the true derivative.
    mode : str, default="reflect"
        Border handling, as in :func:`scipy.ndimage.correlate1d`.
    cval : float, default=0.0
        Value outside the image when ``mode="constant"``.
    {layout}

    Returns
    -------
    gradient : ndarray
        Same shape as ``images``; float32 stays float32.

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
    """
    batch = as_batch(images, image_shape=image_shape, channel_axis=channel_axis,
                     caller="prewitt_gradient")
    params = _check_common(output, normalize, mode, cval, n_jobs, "prewitt_gradient")
    return batch.restore(_gradient(batch, _PREWITT, **params))


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
    {output}
    mode : str, default="reflect"
        Border handling, as in :func:`scipy.ndimage.gaussian_filter`.
    cval : float, default=0.0
        Value outside the image when ``mode="constant"``.
    truncate : float, default=4.0
        The kernel is cut off at this many standard deviations.
    {layout}

    Returns
    -------
    gradient : ndarray
        Same shape as ``images``; float32 stays float32.

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
    """
    batch = as_batch(images, image_shape=image_shape, channel_axis=channel_axis,
                     caller="gaussian_gradient")
    params = _check_common(output, False, mode, cval, n_jobs, "gaussian_gradient")
    params.update(_check_gaussian(batch, sigma, truncate, "gaussian_gradient"))
    return batch.restore(_gradient(batch, _gaussian_derivative, **params))


for _function in (sobel_gradient, prewitt_gradient, gaussian_gradient):
    _function.__doc__ = _function.__doc__.format(
        output=_OUTPUT_DOC, layout=_LAYOUT_DOC
    )


class _Gradient(ImageTransformer):
    """Shared parameter handling of the gradient estimators."""

    _derivative = None

    def _check_params(self, batch):
        return _check_common(
            self.output, getattr(self, "normalize", False), self.mode, self.cval,
            self.n_jobs, type(self).__name__,
        )

    def _transform(self, batch, params):
        return batch.restore(_gradient(batch, type(self)._derivative, **params))


_ESTIMATOR_DOC = """{summary}

    A thin estimator over :func:`{function}`: every image and channel of the
    batch is differentiated on its own.

    Parameters
    ----------
    {params}
    mode : str, default="reflect"
        Border handling, as in scipy.ndimage.
    cval : float, default=0.0
        Value outside the image when ``mode="constant"``.
    {layout}

    Attributes
    ----------
    n_features_in_ : int
        Number of values per sample seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, when ``X`` was a data frame.

    See Also
    --------
    {function} : The function behind this estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import {name}
    >>> images = np.random.default_rng(0).random((3, 16, 16))
    >>> {name}(output="angle").fit_transform(images).shape
    (3, 16, 16)
    """


class SobelGradient(_Gradient):
    _derivative = staticmethod(_SOBEL)

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
    _derivative = staticmethod(_PREWITT)

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
    _derivative = staticmethod(_gaussian_derivative)

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

    def _check_params(self, batch):
        params = super()._check_params(batch)
        params.update(
            _check_gaussian(batch, self.sigma, self.truncate, type(self).__name__)
        )
        return params


_NORMALIZE_DOC = """normalize : bool, default=False
        Divide scipy's unnormalised kernel by {scale:g} so that it measures the
        true derivative."""
_OUTPUT_PARAM = _OUTPUT_DOC
for _cls, _summary, _params in (
    (SobelGradient, "Sobel gradient of every image of a batch.",
     _OUTPUT_PARAM + "\n    " + _NORMALIZE_DOC.format(scale=SOBEL_SCALE)),
    (PrewittGradient, "Prewitt gradient of every image of a batch.",
     _OUTPUT_PARAM + "\n    " + _NORMALIZE_DOC.format(scale=PREWITT_SCALE)),
    (GaussianGradient,
     "Gaussian-derivative gradient of every image of a batch, at scale sigma.",
     "sigma : float or tuple of float, default=1.0\n        Scale of the "
     "Gaussian in pixels, > 0.\n    " + _OUTPUT_PARAM
     + "\n    truncate : float, default=4.0\n        The kernel is cut off at "
     "this many standard deviations."),
):
    _function_name = {
        SobelGradient: "sobel_gradient",
        PrewittGradient: "prewitt_gradient",
        GaussianGradient: "gaussian_gradient",
    }[_cls]
    _cls.__doc__ = _ESTIMATOR_DOC.format(
        summary=_summary, function=_function_name, params=_params,
        layout=_LAYOUT_DOC, name=_cls.__name__,
    )
