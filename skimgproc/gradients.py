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
    plan_correlate,
    plan_magnitude,
    plan_stencil,
    scratch,
)
from ._base import ImageTransformer
from ._batch import all_finite, as_batch, run_ranges
from ._validation import (
    check_bool,
    check_gaussian_kernel,
    check_n_jobs,
    check_option,
    check_real,
    check_spatial_values,
    fail,
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


def _gradient(batch, derivative, outputs, n_jobs, **options):
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
                    derivative(src, axis, spatial, dst, **options)
            else:
                derivative(src, axis, spatial, dst, **options)
            return dst

        def work(src, dsts):
            out = dict(zip(outputs, dsts))
            # At most one chunk-sized temporary: y is made in the output
            # computed last when y itself is not asked for.
            if "x" in out or derived:
                gx = along(src, x_axis, out["x"] if "x" in out
                           else scratch(src.shape, src.dtype))
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
    work = None
    stencil = getattr(derivative, "stencil", None)
    if stencil is not None:  # Sobel, Prewitt: one compiled pass per chunk
        smooth, scale = stencil
        factor = 1.0 / scale if options["normalize"] else 1.0
        # Checked for overflow inside, on the rare blocks that can.
        work = plan_stencil(batch, smooth, factor, outputs, options["mode"],
                            options["cval"], fallback=reference)
    compiled = work is not None  # it, and its scipy fallback, call no BLAS
    if work is None:
        # Fast 1-D passes (BLAS, OpenCV), planned in this thread; where none
        # applies, scipy runs. Neither checks that values are finite.
        batch.check_finite()
        fast = {
            axis: plan_correlate(
                batch, derivative.steps(axis, spatial, **options),
                options["mode"], options["cval"],
            )
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


def _check_output(output, owner, several):
    """The outputs asked for, as a tuple of names; ``several``: whether a
    tuple or list of names is accepted (the functions; an estimator gives
    one array)."""
    listed = "{" + ", ".join(repr(o) for o in sorted(OUTPUTS)) + "}"
    if isinstance(output, str) or not several:
        if isinstance(output, (tuple, list)):
            fail("output", owner,
                 f"one of {listed} (a transformer gives one array; the functions "
                 "take a tuple of outputs)", output)
        return (check_option(output, "output", owner, OUTPUTS),)
    expected = (f"one of {listed} or a non-empty tuple of distinct names "
                "among them")
    if not isinstance(output, (tuple, list)) or not output:
        fail("output", owner, expected, output)
    names = tuple(output)
    unknown = [n for n in names if not isinstance(n, str) or n not in OUTPUTS]
    repeated = sorted(n for n in OUTPUTS if names.count(n) > 1)
    if unknown or repeated:
        why = (f"{unknown[0]!r} is not an output" if unknown
               else f"{repeated[0]!r} is asked for twice")
        fail("output", owner, expected, output, why)
    return names


def _check_common(output, normalize, mode, cval, n_jobs, owner, several=False):
    return dict(
        outputs=_check_output(output, owner, several),
        normalize=check_bool(normalize, "normalize", owner),
        mode=check_option(mode, "mode", owner, MODES),
        cval=check_real(cval, "cval", owner),
        n_jobs=check_n_jobs(n_jobs, owner),
    )


def _give_back(batch, output, results):
    """One array for one output name, a tuple for a tuple (or list)."""
    if isinstance(output, str):
        return batch.restore(results[0])
    return tuple(batch.restore(r) for r in results)


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

# The functions also take several outputs at once.
_OUTPUTS_DOC = """output : {"magnitude", "angle", "x", "y"} or tuple of them, \
default="magnitude"
        ``"x"``: derivative along the columns (the last spatial axis);
        ``"y"``: along the rows; ``"magnitude"``: ``sqrt(x**2 + y**2)``;
        ``"angle"``: ``arctan2(y, x)``, in radians in [-pi, pi].
        A tuple (or list) of distinct names, such as
        ``("magnitude", "angle")``, returns a tuple of arrays in that order,
        computed in one pass: the derivatives are taken once, so it costs
        about one call where separate calls cost one each. Each array is
        the one a call for that output alone returns (the fast paths may
        differ from it within float rounding)."""

_RETURNS_DOC = """gradient : ndarray or tuple of ndarray
        Same shape as ``images``; float32 stays float32. A tuple, one array
        per name, when ``output`` is a tuple or list."""

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
    {returns}

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
    batch = as_batch(images, image_shape=image_shape, channel_axis=channel_axis,
                     caller="sobel_gradient", check_finite=False)
    params = _check_common(output, normalize, mode, cval, n_jobs, "sobel_gradient",
                           several=True)
    return _give_back(batch, output, _gradient(batch, _SOBEL, **params))


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
    {returns}

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
    batch = as_batch(images, image_shape=image_shape, channel_axis=channel_axis,
                     caller="prewitt_gradient", check_finite=False)
    params = _check_common(output, normalize, mode, cval, n_jobs, "prewitt_gradient",
                           several=True)
    return _give_back(batch, output, _gradient(batch, _PREWITT, **params))


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
    {returns}

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
    batch = as_batch(images, image_shape=image_shape, channel_axis=channel_axis,
                     caller="gaussian_gradient", check_finite=False)
    params = _check_common(output, False, mode, cval, n_jobs, "gaussian_gradient",
                           several=True)
    params.update(_check_gaussian(batch, sigma, truncate, "gaussian_gradient"))
    return _give_back(batch, output,
                      _gradient(batch, _gaussian_derivative, **params))


for _function in (sobel_gradient, prewitt_gradient, gaussian_gradient):
    _function.__doc__ = _function.__doc__.format(
        output=_OUTPUTS_DOC, layout=_LAYOUT_DOC, returns=_RETURNS_DOC
    )


class _Gradient(ImageTransformer):
    """Shared parameter handling of the gradient estimators."""

    _derivative = None
    _engine_checks_finite = True  # _gradient checks, or its compiled pass

    def _check_params(self, batch):
        return _check_common(
            self.output, getattr(self, "normalize", False), self.mode, self.cval,
            self.n_jobs, type(self).__name__,
        )

    def _transform(self, batch, params):
        (result,) = _gradient(batch, type(self)._derivative, **params)
        return batch.restore(result)


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
