"""Image quality against reference images, and scorers to tune estimators.

:func:`psnr` compares each image of a batch with its reference;
:func:`make_psnr_scorer` makes a scorer for supervised denoising searches:
with noisy images as ``X`` and the clean images as ``y``,
``GridSearchCV(estimator, grid, scoring=make_psnr_scorer(data_range=255))``
keeps the parameters whose ``transform(X)`` is closest to ``y``.
"""

import numpy as np

from ._batch import as_batch, is_dask_array
from ._validation import check_real

__all__ = ["make_psnr_scorer", "psnr"]

#: Value range of integer image types whose range is conventional.
DTYPE_RANGES = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0,
                np.dtype(np.bool_): 1.0}


def _check_data_range(data_range, owner):
    if data_range is None:
        return None
    return check_real(data_range, "data_range", owner, low=0, closed="neither")


def _infer_data_range(dtype, images, owner):
    if dtype in DTYPE_RANGES:
        return DTYPE_RANGES[dtype]
    data_range = float(images.max()) - float(images.min())
    if not data_range > 0:
        raise ValueError(
            f"{owner} cannot infer data_range from image_true: its images are "
            f"constant (all {float(images.max())!r}). Pass data_range, e.g. 255 "
            "for 0..255 images."
        )
    return data_range


def psnr(image_true, image_test, *, data_range=None):
    """Peak signal-to-noise ratio of each image of a batch, in decibels.

    ``10 * log10(data_range**2 / mse)``, with ``mse`` the mean squared
    difference over the pixels (and channels) of each image; identical
    images give ``inf``.

    Parameters
    ----------
    image_true : array-like
        Reference images, a batch in any layout of the package (the first
        axis is the sample axis; the rest of each sample is compared
        element by element, so layouts need not be spelled out).
    image_test : array-like
        Images to assess, of the same shape.
    data_range : float, optional
        The peak: the value range of the images (255 for 0..255 images,
        1 for images in [0, 1]). By default 255 for uint8, 65535 for
        uint16 and 1 for bool ``image_true``, otherwise its range
        ``max - min`` over the whole batch; pass it explicitly so that
        scores of different batches compare.

    Returns
    -------
    psnr : ndarray of shape (n_samples,)
        Float64 values in dB.

    See Also
    --------
    make_psnr_scorer : The mean PSNR as a scorer for parameter searches.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc.metrics import psnr
    >>> clean = np.zeros((2, 4, 4))
    >>> noisy = clean.copy()
    >>> noisy[0, 0, 0] = 16.0  # mse 16 on the first image
    >>> psnr(clean, noisy, data_range=255).round(2)
    array([36.09,   inf])
    """
    owner = "psnr"
    data_range = _check_data_range(data_range, owner)
    # The default range comes from the data type of the values, whatever
    # holds them (array, data frame, nested lists).
    image_true = np.asarray(image_true)
    true_dtype = image_true.dtype
    true = as_batch(image_true, name="image_true", caller=owner).images
    test = as_batch(image_test, name="image_test", caller=owner).images
    if true.shape != test.shape:
        raise ValueError(
            f"image_true and image_test must have the same shape; got "
            f"{np.shape(image_true)} and {np.shape(image_test)}."
        )
    if data_range is None:
        dtype = np.dtype(true_dtype) if true_dtype is not None else true.dtype
        data_range = _infer_data_range(dtype, true, owner)
    n = true.shape[0]
    diff = np.subtract(true, test, dtype=np.float64).reshape(n, -1)
    mse = np.mean(diff * diff, axis=1)
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(data_range * data_range / mse)


class _PSNRScorer:
    """Mean PSNR of ``estimator.transform(X)`` against ``y``."""

    def __init__(self, data_range):
        self.data_range = data_range

    def __call__(self, estimator, X, y, sample_weight=None):
        if y is None:
            raise ValueError(
                "The PSNR scorer compares estimator.transform(X) with the clean "
                "images y, but y is None. Pass the clean images as y, e.g. "
                "GridSearchCV(...).fit(noisy, clean)."
            )
        predicted = estimator.transform(X)
        # A lazy (dask) fold is computed: PSNR needs its images. The
        # prediction of a fold is held, as it is for NumPy input.
        if is_dask_array(predicted):
            predicted = predicted.compute()
        if is_dask_array(y):
            y = y.compute()
        scores = psnr(y, predicted, data_range=self.data_range)
        return float(np.average(scores, weights=sample_weight))

    def __repr__(self):
        return f"make_psnr_scorer(data_range={self.data_range!r})"


def make_psnr_scorer(*, data_range=None):
    """A scorer: the mean PSNR of ``estimator.transform(X)`` against ``y``.

    For supervised denoising searches: with noisy images as ``X`` and the
    clean images as ``y``, :class:`~sklearn.model_selection.GridSearchCV`
    (or any ``scoring=`` argument of scikit-learn) keeps the parameters
    giving the highest mean PSNR per image. Works with every transformer
    whose output has the shape of its input, such as
    :class:`~skimgproc.ROFDenoiser` and :class:`~skimgproc.GaussianBlur`.

    Parameters
    ----------
    data_range : float, optional
        The peak of :func:`psnr`. Pass it (255 for 0..255 images): when
        inferred, it is inferred on each validation fold's ``y``.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)`` returns a float, higher is better.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skimgproc import GaussianBlur
    >>> from skimgproc.metrics import make_psnr_scorer
    >>> rng = np.random.default_rng(0)
    >>> clean = np.zeros((6, 16, 16))
    >>> clean[:, 4:12, 4:12] = 100.0
    >>> noisy = clean + rng.normal(scale=20.0, size=clean.shape)
    >>> search = GridSearchCV(GaussianBlur(), {"sigma": [0.0, 1.0]}, cv=2,
    ...                       scoring=make_psnr_scorer(data_range=100))
    >>> search.fit(noisy, clean).best_params_
    {'sigma': 1.0}
    """
    return _PSNRScorer(_check_data_range(data_range, "make_psnr_scorer"))
