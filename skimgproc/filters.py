"""Gaussian smoothing of image batches."""

import numpy as np

from ._base import ImageTransformer
from ._batch import as_batch
from ._executor import run_chunked
from ._progress import VERBOSE, progress
from ._separable import (
    correlate_steps,
    gaussian_weights,
    guard_overflow,
    plan_correlate,
)
from ._validation import Constraints, NJobs, Options, PerAxis, RealNumber

__all__ = ["GaussianBlur", "gaussian_blur"]

#: Border modes of scipy.ndimage filters.
MODES = frozenset(
    {"reflect", "constant", "nearest", "mirror", "wrap", "grid-constant",
     "grid-mirror", "grid-wrap"}
)

#: Largest Gaussian kernel radius accepted: 2 * 10**6 + 1 taps. Far beyond
#: it the kernel alone would take gigabytes (and the result has converged
#: long before: kernels longer than the image are folded to its length).
MAX_KERNEL_RADIUS = 10**6


def check_kernel_size(params, owner, *, derivative=False):
    """Refuse ``sigma`` and ``truncate`` whose kernel could not be built
    (scipy's kernel radius is ``int(truncate * sigma + 0.5)``), and for a
    ``derivative`` a kernel of one tap: scipy's is then 0, and its filter
    skips an axis of ``sigma <= 1e-15``, returning the image itself."""
    sigma, truncate = params["sigma"], params["truncate"]
    if derivative and int(truncate * min(sigma) + 0.5) < 1:
        raise ValueError(
            f"The 'sigma' parameter of {owner} must be at least 0.5 / truncate "
            f"= {0.5 / truncate:g} (truncate={truncate:g}) along every axis. Got "
            f"sigma={min(sigma):g}, whose derivative kernel int(truncate * sigma "
            "+ 0.5) = 0 pixels wide is no derivative (all zeros). For "
            "derivatives at the scale of one pixel use sobel_gradient."
        )
    radius = int(truncate * max(sigma) + 0.5)
    if radius > MAX_KERNEL_RADIUS:
        raise ValueError(
            f"The 'sigma' and 'truncate' parameters of {owner} give a Gaussian "
            f"kernel of radius int(truncate * sigma + 0.5) = {radius} pixels; at "
            f"most {MAX_KERNEL_RADIUS} is supported. Got sigma={max(sigma):g}, "
            f"truncate={truncate:g}."
        )


#: The parameters of :func:`gaussian_blur` and :class:`GaussianBlur`.
BLUR_CONSTRAINTS = Constraints(
    sigma=PerAxis(0.0),
    mode=Options(MODES),
    cval=RealNumber(),
    truncate=RealNumber(0, None, closed="neither"),
    n_jobs=NJobs(),
    verbose=VERBOSE,
    joint=check_kernel_size,
)


def gaussian_blur(
    images,
    sigma=1.0,
    *,
    mode="reflect",
    cval=0.0,
    truncate=4.0,
    channel_axis=-1,
    image_shape=None,
    n_jobs=None,
    verbose=0,
):
    """Smooth each image of a batch with a Gaussian filter.

    Each channel of each image is filtered on its own, exactly as
    :func:`scipy.ndimage.gaussian_filter` filters that image alone: the batch
    and channel axes are never smoothed across.

    Parameters
    ----------
    images : array-like
        Batch of images: ``(n, height, width)``, ``(n, height, width,
        channels)`` (see ``channel_axis``), or ``(n, n_features)`` rows
        (flattened images with ``image_shape``, 1-D signals without).
    sigma : float or sequence of float, default=1.0
        Standard deviation of the Gaussian, in pixels, for every spatial
        axis or one per spatial axis (rows, columns). 0 leaves an axis as
        it is.
    mode : {"reflect", "constant", "nearest", "mirror", "wrap"}, default="reflect"
        How the image is extended beyond its border (see
        :func:`scipy.ndimage.gaussian_filter`; the ``grid-`` variants are
        accepted too).
    cval : float, default=0.0
        Value outside the image when ``mode="constant"``.
    truncate : float, default=4.0
        The kernel is cut off at this many standard deviations.
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input.
    image_shape : tuple of int, optional
        ``(height, width)`` or ``(height, width, channels)`` when ``images``
        holds flattened images as rows.
    n_jobs : int, optional
        Threads to use. None: the cores this process may use, within the thread
        limits of its environment (see the README, "Threads").
    verbose : int, default=0
        Progress reports: 0 is silent; 1 reports the images done and the
        time left at most every 2 seconds (see :func:`rof_denoise`), 2
        every chunk of images.

    Returns
    -------
    blurred : ndarray
        Same shape as ``images``; float32 stays float32, other input becomes
        float64 (integers keep their values, they are not rescaled).

    See Also
    --------
    GaussianBlur : The same as a scikit-learn transformer.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import gaussian_blur
    >>> images = np.zeros((2, 5, 5))
    >>> images[0, 2, 2] = 1.0
    >>> blurred = gaussian_blur(images, sigma=1.0)
    >>> blurred.shape
    (2, 5, 5)
    >>> round(float(blurred[0].sum()), 6), float(blurred[1].max())
    (1.0, 0.0)
    """
    batch = as_batch(
        images, image_shape=image_shape, channel_axis=channel_axis,
        caller="gaussian_blur",
    )
    params = BLUR_CONSTRAINTS.validate(
        dict(sigma=sigma, mode=mode, cval=cval, truncate=truncate, n_jobs=n_jobs,
             verbose=verbose),
        "gaussian_blur", batch,
    )
    with progress(params.pop("verbose"), batch.n_samples, "gaussian_blur"):
        return batch.restore(_blur(batch, **params))


def _blur(batch, sigma, mode, cval, truncate, n_jobs):
    # scipy's 1-D passes (gaussian_filter's), a kernel longer than its axis
    # folded to the same filter on that axis's length: huge sigmas cost no
    # more than sigma = the image's size.
    steps = [(k, gaussian_weights(s, 0, truncate, size, mode))
             for k, (s, size) in enumerate(zip(sigma, batch.spatial_shape,
                                               strict=True))]

    def blur(src, dst):
        correlate_steps(src, [(k + 1, w) for k, w in steps], mode, cval, dst)

    # The same 1-D passes, run by BLAS or OpenCV when installed.
    fast = plan_correlate(batch, steps, mode, cval)
    func = guard_overflow(fast, blur) or blur
    return run_chunked(func, batch.images, np.empty_like(batch.images), n_jobs)


class GaussianBlur(ImageTransformer):
    """Gaussian smoothing of every image of a batch.

    A thin estimator over :func:`gaussian_blur`, for pipelines and parameter
    searches. Colour images are smoothed channel by channel; images never
    mix.

    Parameters
    ----------
    sigma : float or tuple of float, default=1.0
        Standard deviation of the Gaussian in pixels, for every spatial axis
        or one per spatial axis. 0 is the identity.
    mode : {"reflect", "constant", "nearest", "mirror", "wrap"}, default="reflect"
        Border handling, as in :func:`scipy.ndimage.gaussian_filter`.
    cval : float, default=0.0
        Value outside the image when ``mode="constant"``.
    truncate : float, default=4.0
        The kernel is cut off at this many standard deviations.
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input.
    image_shape : tuple of int, default=None
        Shape of one image when ``X`` holds flattened images as rows (for
        example ``(8, 8)`` for ``load_digits().data``); the output is then
        flattened too. With None, 2-D input is a batch of 1-D signals.
    n_jobs : int, default=None
        Threads to use. None: the cores this process may use, within the thread
        limits of its environment (see the README, "Threads").
    verbose : int, default=0
        Progress reports of ``transform``: 0 is silent; 1 reports the images
        done and the time left at most every 2 seconds, 2 every chunk.

    Attributes
    ----------
    n_features_in_ : int
        Number of values per sample seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, when ``X`` was a data frame.

    See Also
    --------
    gaussian_blur : The function this estimator calls.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skimgproc import GaussianBlur
    >>> X = load_digits().data[:10]
    >>> GaussianBlur(sigma=1.0, image_shape=(8, 8)).fit_transform(X).shape
    (10, 64)
    """

    _function = staticmethod(gaussian_blur)
    _parameter_constraints = BLUR_CONSTRAINTS

    def __init__(
        self,
        sigma=1.0,
        *,
        mode="reflect",
        cval=0.0,
        truncate=4.0,
        channel_axis=-1,
        image_shape=None,
        n_jobs=None,
        verbose=0,
    ):
        self.sigma = sigma
        self.mode = mode
        self.cval = cval
        self.truncate = truncate
        self.channel_axis = channel_axis
        self.image_shape = image_shape
        self.n_jobs = n_jobs
        self.verbose = verbose

