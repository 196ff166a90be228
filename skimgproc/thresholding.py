"""Thresholding gray images into binary ones, with a fixed or a learned level.

The chapter's first step of counting: ``1 * (im < 128)``. The threshold is a
number, or learned from the data: the mean of the pixels, or Otsu's
threshold, exact over the batch's distinct values. :class:`Threshold` (and
:class:`~skimgproc.BinaryOpeningCounter`, which shares its learning) learns
it in ``fit`` and cuts new images at the same level.

:class:`Binarization` says which pixels are foreground; its NumPy route is
here, its compiled one (which writes straight into a tile of the mosaic) in
:mod:`._morphology_numba`.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ._base import ImageTransformer
from ._batch import as_batch, is_dask_array
from ._validation import Constraints, Either, Options, RealNumber

__all__ = ["Threshold", "threshold"]

FOREGROUNDS = frozenset({"below", "above"})
LEARNED_THRESHOLDS = frozenset({"mean", "otsu"})

#: The parameters of :func:`threshold` and :class:`Threshold`.
THRESHOLD_CONSTRAINTS = Constraints(
    threshold=Either(Options(LEARNED_THRESHOLDS), RealNumber(),
                     expected="a finite float or one of {'mean', 'otsu'}"),
    foreground=Options(FOREGROUNDS),
)


# -- the threshold from the data -------------------------------------------------------


def learn_threshold(images, method, foreground):
    """The threshold ``method`` ("mean" or "otsu") of a batch's images, a
    NumPy or a dask array (reduced chunk by chunk, never gathered)."""
    if method == "mean":
        return float(images.mean(dtype=np.float64))
    if is_dask_array(images):
        from ._dask import unique_counts

        values, counts = unique_counts(images)
    else:
        values, counts = np.unique(images, return_counts=True)
    return otsu_threshold(values, counts, foreground)


def otsu_threshold(values, counts, foreground):
    """Otsu's threshold, exact over the distinct ``values`` of the batch
    (sorted, each seen ``counts`` times).

    The split of the sorted distinct values that maximises the between-class
    variance ``w0 * w1 * (mu0 - mu1) ** 2`` (Otsu, 1979); for integer images
    this is Otsu's histogram method with one bin per gray level. Returns a
    value strictly between the two classes (midway), so that ``"below"`` and
    ``"above"`` split the data the same way.
    """
    values = values.astype(np.float64)
    if values.size == 1:
        return float(values[0])
    counts = counts.astype(np.float64)
    total = counts.sum()
    # With values centred on the mean, class 1 holds minus the centred sum of
    # class 0, and w0 * w1 * (mu0 - mu1) ** 2 = total**2 * s0**2 / (w0 * w1).
    centred = (values - (values @ counts) / total) * counts
    w0 = np.cumsum(counts)[:-1]
    s0 = np.cumsum(centred)[:-1]
    i = int(np.argmax(s0 * s0 / (w0 * (total - w0))))
    low, high = values[i], values[i + 1]
    middle = low / 2 + high / 2
    # Adjacent floats have no value between them: keep the split exact for
    # the side that is foreground.
    if foreground == "below":
        return float(middle if middle > low else high)
    return float(middle if middle < high else low)


def _in_dtype(t, dtype, foreground):
    """The threshold in the data's dtype that splits its values exactly as the
    float64 ``t`` does (float32 rounding must not move a value across)."""
    if dtype == np.float64:
        return np.float64(t)
    with np.errstate(over="ignore"):
        cast = dtype.type(t)
    if foreground == "below" and float(cast) < t:  # x < t  <=>  x < cast
        cast = np.nextafter(cast, dtype.type(np.inf))
    elif foreground == "above" and float(cast) > t:  # x > t  <=>  x > cast
        cast = np.nextafter(cast, dtype.type(-np.inf))
    return cast


# -- which pixels are foreground -------------------------------------------------------


@dataclass(frozen=True)
class Binarization:
    """Which pixels are foreground: those below or above ``threshold`` (a
    number, already learned), or with ``threshold=None`` the nonzero ones
    (binary input, as in scipy.ndimage)."""

    threshold: float | None = None
    foreground: str = "below"

    def write(self, src, out):
        """The NumPy binarizer: the foreground mask of ``src`` into ``out``."""
        if self.threshold is None:
            np.not_equal(src, 0, out=out)
        else:
            compare = np.less if self.foreground == "below" else np.greater
            compare(src, self.in_dtype(src.dtype), out=out)

    def in_dtype(self, dtype):
        """The threshold as a scalar of ``dtype`` that splits exactly."""
        if self.threshold is None:
            return dtype.type(0)
        return _in_dtype(self.threshold, dtype, self.foreground)


#: Binary input: nonzero pixels are foreground.
NONZERO = Binarization()


# -- public function -------------------------------------------------------------------


def threshold(images, threshold=128.0, *, foreground="below", image_shape=None):
    """Threshold gray images into binary (0/1) images.

    ``foreground="below"`` gives ``1 * (image < threshold)``, the chapter's
    ``1 * (im < 128)`` (dark objects on a light background);
    ``foreground="above"`` gives ``1 * (image > threshold)``.

    Parameters
    ----------
    images : array-like
        Batch of gray images ``(n, height, width)``, or rows (flattened
        images with ``image_shape``, 1-D signals without). Colour images are
        refused: convert them with :func:`skimgproc.rgb_to_gray` first.
    threshold : float or {"mean", "otsu"}, default=128.0
        The threshold, or how to compute it from this batch (one value for
        the whole batch): the mean of all pixels, or Otsu's threshold [1]_.
        :class:`Threshold` learns it in ``fit`` instead.
    foreground : {"below", "above"}, default="below"
        Which side of the threshold is foreground (1).
    image_shape : tuple of int, optional
        ``(height, width)`` when ``images`` holds flattened images as rows.

    Returns
    -------
    binary : ndarray
        0/1 values, same shape as ``images``; float32 stays float32, other
        input becomes float64.

    See Also
    --------
    Threshold : The same as a scikit-learn transformer, learning the
        threshold in ``fit``.

    References
    ----------
    .. [1] N. Otsu, "A threshold selection method from gray-level
       histograms", IEEE Trans. Systems, Man, and Cybernetics 9(1), 1979.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import threshold
    >>> threshold(np.array([[[0.0, 100.0, 200.0]]]))
    array([[[1., 1., 0.]]])
    >>> threshold(np.array([[[0.0, 10.0, 200.0, 210.0]]]), "otsu")
    array([[[1., 1., 0., 0.]]])
    """
    batch = as_batch(images, image_shape=image_shape, allow_channels=False,
                     caller="threshold")
    params = THRESHOLD_CONSTRAINTS.validate(
        dict(threshold=threshold, foreground=foreground), "threshold", batch)
    t = params["threshold"]
    if isinstance(t, str):
        t = learn_threshold(batch.images, t, params["foreground"])
    out = np.empty_like(batch.images)
    Binarization(t, params["foreground"]).write(batch.images, out)
    return batch.restore(out)


# -- estimators ------------------------------------------------------------------------


class LearnedThresholdMixin:
    """``threshold`` may be a number or learned in ``fit`` ("mean", "otsu"):
    the function is then called with the learned ``threshold_``."""

    def fit(self, X, y=None):
        """Check the parameters and learn the threshold when it is
        ``"mean"`` or ``"otsu"``.

        Parameters
        ----------
        X : array-like
            Batch of gray images.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._fit(X)
        return self

    def _fit(self, X):
        # fit validates X with the finite check: the values are learned from.
        batch, params = super()._fit(X)
        t = params["threshold"]
        if isinstance(t, str):
            t = learn_threshold(self._threshold_images(batch), t,
                                params["foreground"])
        self.threshold_ = t
        self._learned_with = self.threshold
        return batch, params

    def _threshold_images(self, batch):
        """The gray values a threshold is learned from (colour images are
        converted by the estimators that accept them)."""
        return batch.images

    def _function_params(self):
        params = super()._function_params()
        params["threshold"] = self._resolve_threshold(params["threshold"])
        return params

    def _resolve_threshold(self, t):
        if not isinstance(t, str):
            return t  # a number works without fit
        check_is_fitted(self, "threshold_")
        if getattr(self, "_learned_with", None) != t:
            # Fitted with another threshold setting: threshold_ is stale.
            raise NotFittedError(
                f"This {type(self).__name__} was fitted with threshold="
                f"{self._learned_with!r}; call 'fit' again to learn the "
                f"threshold={t!r}."
            )
        return self.threshold_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = isinstance(self.threshold, str)
        return tags


class Threshold(LearnedThresholdMixin, ImageTransformer):
    """Threshold gray images into binary (0/1) images.

    A thin estimator over :func:`threshold`. With a numeric threshold it is
    stateless (``transform`` works without ``fit``); with ``"mean"`` or
    ``"otsu"`` the threshold is learned from the training batch in ``fit``
    and stored as ``threshold_``, so that new images are cut at the same
    gray level.

    Parameters
    ----------
    threshold : float or {"mean", "otsu"}, default=128.0
        The gray level, or how to learn it: the mean of all training pixels,
        or Otsu's threshold over them (exact over their distinct values).
    foreground : {"below", "above"}, default="below"
        ``"below"``: ``1 * (X < threshold)`` (dark objects, the chapter's
        ``im < 128``); ``"above"``: ``1 * (X > threshold)``.
    image_shape : tuple of int, default=None
        ``(height, width)`` when ``X`` holds flattened images as rows.

    Attributes
    ----------
    threshold_ : float
        The threshold used by ``transform``.
    n_features_in_ : int
        Number of values per sample seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, when ``X`` was a data frame.

    See Also
    --------
    threshold : The function behind this estimator.
    BinaryOpeningCounter : Threshold, open and count objects.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import Threshold
    >>> X = np.array([[[10.0, 20.0, 200.0, 220.0]]])
    >>> Threshold().fit_transform(X)
    array([[[1., 1., 0., 0.]]])
    >>> otsu = Threshold("otsu", foreground="above").fit(X)
    >>> otsu.threshold_
    110.0
    """

    _function = staticmethod(threshold)
    _parameter_constraints = THRESHOLD_CONSTRAINTS
    _allow_channels = False

    def __init__(self, threshold=128.0, *, foreground="below", image_shape=None):
        self.threshold = threshold
        self.foreground = foreground
        self.image_shape = image_shape
