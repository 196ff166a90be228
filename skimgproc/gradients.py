"""Image derivatives: Sobel, Prewitt and Gaussian-derivative gradients.

The three differ only in how they take the derivative along one axis (a
frozen dataclass per kind, in :mod:`._derivatives`); one engine there computes
the x and y derivatives, the gradient magnitude and angle from that for every
image and channel of a batch. Every 1-D filter runs along the spatial axes only, never
across images or channels (as ``scipy.ndimage.sobel`` on a stacked batch
would). Sobel and Prewitt have a compiled route (:mod:`._gradients_stencil`);
every kind has the separable fast paths (:mod:`._separable`) and the scipy
reference.
"""

from functools import partial

import numpy as np

from ._base import ImageTransformer
from ._batch import as_batch
from ._derivatives import FiniteDifference, GaussianDerivative, gradient
from ._progress import VERBOSE, progress
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

#: Smoothing across the derivative: Sobel weighs the centre twice.
SOBEL_SMOOTH = np.array([1.0, 2.0, 1.0])
PREWITT_SMOOTH = np.array([1.0, 1.0, 1.0])
#: scipy's kernels are unnormalised: a unit ramp gives 8 (Sobel) or 6
#: (Prewitt); dividing by these makes them true derivatives.
SOBEL_SCALE = 8.0
PREWITT_SCALE = 6.0

OUTPUTS = frozenset({"magnitude", "angle", "x", "y"})


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
    verbose=VERBOSE,
)
#: The parameters of :func:`gaussian_gradient`.
GAUSSIAN_GRADIENT_CONSTRAINTS = FINITE_DIFFERENCE_CONSTRAINTS.but(
    normalize=None,
    sigma=PerAxis(0.0, closed="neither"),
    truncate=RealNumber(0, None, closed="neither"),
    joint=partial(check_kernel_size, derivative=True),
)


def _differentiate(images, make_derivative, constraints, values, owner, *,
                   channel_axis, image_shape):
    """The public functions' path: the contract, the parameters, the
    derivative of their kind, the engine, the user's layout."""
    # The engine checks for NaN and inf (or its compiled pass does).
    batch = as_batch(images, image_shape=image_shape, channel_axis=channel_axis,
                     caller=owner, check_finite=False)
    params = constraints.validate(values, owner, batch)
    with progress(params["verbose"], batch.n_samples, owner):
        results = gradient(batch, make_derivative(params), params["output"],
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
    verbose=0,
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
        Threads to use. None: the cores this process may use, within the thread
        limits of its environment (see the README, "Threads").
    verbose : int, default=0
        Progress reports (0: silent), as in :func:`~skimgproc.gaussian_blur`.

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
                  n_jobs=n_jobs, verbose=verbose)
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
    verbose=0,
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
        Threads to use. None: the cores this process may use, within the thread
        limits of its environment (see the README, "Threads").
    verbose : int, default=0
        Progress reports (0: silent), as in :func:`~skimgproc.gaussian_blur`.

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
                  n_jobs=n_jobs, verbose=verbose)
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
    verbose=0,
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
        Scale of the Gaussian in pixels, for every spatial axis or one per
        spatial axis: at least ``0.5 / truncate``, so that the kernel has
        more than one tap (the derivative of one tap is 0).
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
        Threads to use. None: the cores this process may use, within the thread
        limits of its environment (see the README, "Threads").
    verbose : int, default=0
        Progress reports (0: silent), as in :func:`~skimgproc.gaussian_blur`.

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
                  truncate=truncate, n_jobs=n_jobs, verbose=verbose)
    return _differentiate(images, _gaussian, GAUSSIAN_GRADIENT_CONSTRAINTS, values,
                          "gaussian_gradient", channel_axis=channel_axis,
                          image_shape=image_shape)


# -- estimators -------------------------------------------------------------------


class _Gradient(ImageTransformer):
    """What the gradient estimators share: one output each, the engine's
    finite check."""

    _engine_checks_finite = True  # gradient() checks, or its compiled pass


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
        Threads to use. None: the cores this process may use, within the thread
        limits of its environment (see the README, "Threads").
    verbose : int, default=0
        Progress reports of ``transform`` (0: silent), as in ``GaussianBlur``.

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
                 cval=0.0, channel_axis=-1, image_shape=None, n_jobs=None,
                 verbose=0):
        self.output = output
        self.normalize = normalize
        self.mode = mode
        self.cval = cval
        self.channel_axis = channel_axis
        self.image_shape = image_shape
        self.n_jobs = n_jobs
        self.verbose = verbose


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
        Threads to use. None: the cores this process may use, within the thread
        limits of its environment (see the README, "Threads").
    verbose : int, default=0
        Progress reports of ``transform`` (0: silent), as in ``GaussianBlur``.

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
                 cval=0.0, channel_axis=-1, image_shape=None, n_jobs=None,
                 verbose=0):
        self.output = output
        self.normalize = normalize
        self.mode = mode
        self.cval = cval
        self.channel_axis = channel_axis
        self.image_shape = image_shape
        self.n_jobs = n_jobs
        self.verbose = verbose


class GaussianGradient(_Gradient):
    """Gaussian-derivative gradient of every image of a batch, at scale sigma.

    A thin estimator over :func:`gaussian_gradient`: every image and channel
    of the batch is differentiated on its own.

    Parameters
    ----------
    sigma : float or tuple of float, default=1.0
        Scale of the Gaussian in pixels, at least ``0.5 / truncate``.
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
        Threads to use. None: the cores this process may use, within the thread
        limits of its environment (see the README, "Threads").
    verbose : int, default=0
        Progress reports of ``transform`` (0: silent), as in ``GaussianBlur``.

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
                 truncate=4.0, channel_axis=-1, image_shape=None, n_jobs=None,
                 verbose=0):
        self.sigma = sigma
        self.output = output
        self.mode = mode
        self.cval = cval
        self.truncate = truncate
        self.channel_axis = channel_axis
        self.image_shape = image_shape
        self.n_jobs = n_jobs
        self.verbose = verbose
