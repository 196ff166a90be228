"""Labelling and counting the objects of image batches.

The chapter's "object count" recipe over image batches: threshold a gray
image into a binary one (``1 * (im < 128)``), label its connected components
and count them; then separate objects joined by thin bridges with a binary
opening and count again.

Every result equals scipy.ndimage run on each image alone. The images are
thresholded and opened tile by tile in the mosaic of :mod:`._mosaic`, and
each tile is then labelled or counted in one call. Labelling uses
:func:`scipy.ndimage.label`, or OpenCV's ``connectedComponents`` when it is
installed (it numbers components in the same raster order). Counting needs
no label image: with numba installed (the ``fast`` extra) a compiled run
counter (:mod:`._measure_numba`) finds each image's number of objects and
their areas from the runs of foreground pixels of its rows.
"""

import numpy as np
from scipy import ndimage as ndi
from sklearn.utils.validation import check_is_fitted

from ._base import ImageTransformer
from ._config import optional_module
from ._executor import chunk_scratch
from ._mosaic import plan_tiles, run_tiles, tile_batch, tile_rows
from ._validation import Bool, Constraints, Int, NJobs, Options, Rule, fail
from .morphology import (
    MORPHOLOGY_CONSTRAINTS,
    NO_MORPHOLOGY,
    OPERATIONS,
    TileMorphology,
)
from .thresholding import (
    NONZERO,
    THRESHOLD_CONSTRAINTS,
    Binarization,
    LearnedThresholdMixin,
    learn_threshold,
)

__all__ = ["BinaryOpeningCounter", "ConnectedComponents", "count_objects", "label"]

#: Per-image features of :class:`BinaryOpeningCounter`, in pixels.
FEATURES = ("n_objects", "mean_area", "max_area", "total_area")


# -- parameters ------------------------------------------------------------------------


def check_features(value, name, owner, batch=None):
    """A feature name, or a non-empty tuple of distinct names; normalised
    to a tuple."""
    names = (value,) if isinstance(value, str) else value
    try:
        names = tuple(names)
    except TypeError:
        names = ()
    if not names or len(set(names)) != len(names) or any(
        not isinstance(n, str) or n not in FEATURES for n in names
    ):
        fail(name, owner,
             f"a non-empty tuple of distinct names among {set(FEATURES)}", value)
    return names


def _check_features_or_counts(value, name, owner, batch):
    # The function's None: the counts alone, exact int64.
    return None if value is None else check_features(value, name, owner, batch)


CONNECTIVITY = Int(1, 2)

#: The parameters of :func:`label`.
LABEL_CONSTRAINTS = Constraints(
    connectivity=CONNECTIVITY,
    n_jobs=NJobs(),
    return_counts=Bool(),
)

#: The parameters of :func:`count_objects`; :class:`BinaryOpeningCounter`
#: takes the same but a table of features always.
COUNT_CONSTRAINTS = Constraints(
    threshold=THRESHOLD_CONSTRAINTS["threshold"],
    foreground=THRESHOLD_CONSTRAINTS["foreground"],
    structure=MORPHOLOGY_CONSTRAINTS["structure"],
    iterations=MORPHOLOGY_CONSTRAINTS["iterations"],
    operation=Options(OPERATIONS),
    connectivity=CONNECTIVITY,
    features=Rule(_check_features_or_counts),
    n_jobs=NJobs(),
)


# -- labelling a tile ------------------------------------------------------------------


def _label_tile(tile, buffer, connectivity, cv2, *, raster_order):
    """Label a tile in one call: ``(labels, maxima, offsets)``, where image
    ``i`` holds labels ``offsets[i] + 1 .. maxima[i]``. scipy and OpenCV's
    SAUF number components in raster order of their first pixel, so the
    labels of each image are one consecutive range after those of the images
    above it."""
    tile.clear_gaps(buffer)
    if cv2 is not None and tile.size < 2**31:
        # Any of OpenCV's algorithms keeps images in separate ranges (a
        # background row parts them); SAUF (CCL_WU) also numbers within an
        # image in raster order, like scipy, which label images need. For
        # counts, the fastest measured: SAUF for 4-, Spaghetti for 8-connectivity.
        fast_8 = connectivity == 2 and not raster_order
        algorithm = cv2.CCL_DEFAULT if fast_8 else cv2.CCL_WU
        n_labels, labels = cv2.connectedComponentsWithAlgorithm(
            buffer.view(np.uint8), 4 if connectivity == 1 else 8, cv2.CV_32S,
            algorithm, labels=tile.work("labels", np.int32),
        )
    else:
        dtype = np.int32 if tile.size < 2**31 else np.int64
        labels = tile.work("labels", dtype)
        n_labels = 1 + ndi.label(
            buffer, ndi.generate_binary_structure(2, connectivity), output=labels
        )
    if tile.n == 1:
        return labels, np.array([n_labels - 1]), np.zeros(1, int)
    maxima = tile.blocks(labels).reshape(tile.n, -1).max(axis=1)
    offsets = np.zeros_like(maxima)
    np.maximum.accumulate(maxima[:-1], out=offsets[1:])
    return labels, np.maximum(maxima, offsets), offsets


# -- finishing steps: what a tile's binary images give ---------------------------------


class WriteLabels:
    """Each image's labels ``1..k`` (0 for background) into the output rows."""

    def __init__(self, connectivity, cv2):
        self.connectivity, self.cv2 = connectivity, cv2

    def __call__(self, tile, result, out):
        labels, _, offsets = _label_tile(tile, result, self.connectivity, self.cv2,
                                         raster_order=True)
        out = tile_rows(out, tile)
        np.subtract(tile.images(labels), offsets[:, None, None], out=out,
                    casting="unsafe")
        np.maximum(out, 0, out=out)  # background: 0 - offset


class CountRuns:
    """``(count, total area, largest area)`` of each image into the rows of
    ``stats``, by the compiled run counter (no label image; the gaps are not
    read). Its run indices and areas are int32."""

    def __init__(self, run_stats, connectivity, want_max):
        self.run_stats = run_stats
        self.diagonal = connectivity - 1
        self.want_max = want_max

    def __call__(self, tile, result, stats):
        h, w = tile.shape
        capacity = h * ((w + 1) // 2)  # runs of one image, at most
        work = [chunk_scratch((size,), np.int32, slot=("runs", name))
                for name, size in (("starts", capacity), ("ends", capacity),
                                   ("parent", capacity), ("edges", w + 2))]
        self.run_stats(tile.images(result).view(np.uint8), self.diagonal,
                       self.want_max, *work, stats)


class CountLabels:
    """What :class:`CountRuns` writes, from a label image (OpenCV's, or
    scipy's)."""

    def __init__(self, connectivity, cv2, want_max):
        self.connectivity, self.cv2, self.want_max = connectivity, cv2, want_max

    def __call__(self, tile, result, stats):
        labels, maxima, offsets = _label_tile(tile, result, self.connectivity,
                                              self.cv2, raster_order=False)
        counts = stats[:, 0]
        np.subtract(maxima, offsets, out=counts)
        # The gaps are background now: count whole blocks.
        stats[:, 1] = np.count_nonzero(tile.blocks(result).reshape(tile.n, -1),
                                       axis=1)
        stats[:, 2] = 0
        if self.want_max:
            areas = np.bincount(labels.reshape(-1))[1:]
            some = counts > 0
            if some.any():
                # The label ranges of the images with objects tile 1..total.
                stats[some, 2] = np.maximum.reduceat(areas, offsets[some])


# -- the engine ------------------------------------------------------------------------


def _label(batch, connectivity, n_jobs):
    """Per-image labels 1..k of binary images."""
    shape = batch.images.shape
    dtype = np.int32 if np.prod(shape[1:]) < 2**31 else np.int64
    write = WriteLabels(connectivity, optional_module("cv2"))
    return run_tiles(batch, plan_tiles(NONZERO, NO_MORPHOLOGY), write,
                     np.empty(shape, dtype), n_jobs)


def _object_stats(batch, plan, connectivity, want_max, n_jobs):
    """The ``(n_images, 3)`` int64 objects, total area and largest area
    (0 unless ``want_max``) of every image after ``plan``."""
    # The run counter is serial and 2.7x as fast as OpenCV's labelling
    # (which writes a label image, on OpenCV's own threads): n_jobs threads
    # then count n_jobs tiles at once.
    runs = optional_module("._measure_numba")  # in the calling thread
    if runs is not None and batch.images[0].size < 2**31:
        count = CountRuns(runs.run_stats, connectivity, want_max)
    else:
        count = CountLabels(connectivity, optional_module("cv2"), want_max)
    stats = np.empty((batch.n_samples, 3), np.int64)
    return run_tiles(batch, plan, count, stats, n_jobs)


def _feature_table(stats, features, dtype):
    """The features, computed from the per-image stats once for the whole
    batch (no per-tile NumPy calls), as columns in ``dtype``."""
    counts, total, largest = stats.T
    columns = {
        "n_objects": counts,
        "total_area": total,
        "max_area": largest,
        "mean_area": np.divide(total, counts, out=np.zeros(len(counts)),
                               where=counts > 0),
    }
    return np.stack([columns[name] for name in features], axis=1).astype(dtype)


# -- public functions ------------------------------------------------------------------


def label(images, *, connectivity=1, return_counts=False, image_shape=None,
          n_jobs=None):
    """Label the connected components of each binary image of a batch.

    Per image, the labels equal ``scipy.ndimage.label(image, structure)[0]``
    with ``structure = generate_binary_structure(2, connectivity)``:
    ``1..k`` in raster order of each object's first pixel, 0 for background.
    Images never connect to each other (labelling a 3-D stack with scipy's
    default structure would join objects of neighbouring images).

    Parameters
    ----------
    images : array-like
        Batch of binary images ``(n, height, width)``, or rows (flattened
        images with ``image_shape``, 1-D signals without, each an image one
        pixel high). Nonzero pixels are foreground, as in scipy.ndimage.
    connectivity : {1, 2}, default=1
        1: pixels touching by an edge are connected (4-connectivity in 2-D);
        2: also by a corner (8-connectivity), as in scikit-image.
    return_counts : bool, default=False
        Also return the number of objects of each image.
    image_shape : tuple of int, optional
        ``(height, width)`` when the input holds flattened images as rows.
    n_jobs : int, optional
        Threads to use; None uses every available core. Where OpenCV
        labels the images, it may also use its own thread pool
        (``cv2.setNumThreads`` sets its size).

    Returns
    -------
    labels : ndarray of int32
        Same shape as ``images``.
    counts : ndarray of int64 of shape (n_images,)
        Only with ``return_counts=True``: ``labels.max()`` per image.

    See Also
    --------
    ConnectedComponents : The same as a scikit-learn transformer.
    count_objects : Threshold, open and count in one call.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import label
    >>> images = np.array([[[1, 0, 1], [0, 1, 0]], [[1, 1, 0], [0, 0, 0]]])
    >>> labels, counts = label(images, return_counts=True)
    >>> labels[0]
    array([[1, 0, 2],
           [0, 3, 0]], dtype=int32)
    >>> counts, label(images, connectivity=2).max(axis=(1, 2))
    (array([3, 1]), array([1, 1], dtype=int32))
    """
    batch = tile_batch(images, image_shape, "label")
    params = LABEL_CONSTRAINTS.validate(
        dict(connectivity=connectivity, n_jobs=n_jobs, return_counts=return_counts),
        "label", batch)
    labels = _label(batch, params["connectivity"], params["n_jobs"])
    if not params["return_counts"]:
        return batch.restore(labels)
    counts = labels.reshape(len(labels), -1).max(axis=1).astype(np.int64)
    return batch.restore(labels), counts


def count_objects(images, threshold=128.0, *, foreground="below",
                  structure=(9, 5), iterations=2, operation="opening",
                  connectivity=1, features=None, image_shape=None, n_jobs=None):
    """Count the objects of each gray image: threshold, open, label, count.

    The chapter's recipe in one call: per image,
    ``scipy.ndimage.label(binary_opening(1 * (im < threshold),
    ones(structure), iterations))[1]``, without a Python loop over images.

    Parameters
    ----------
    images : array-like
        Batch of gray images ``(n, height, width)``, or rows (flattened
        images with ``image_shape``, 1-D signals without). Colour images are
        refused: convert them with :func:`skimgproc.rgb_to_gray` first.
    threshold : float or {"mean", "otsu"}, default=128.0
        Gray level separating objects from background, or how to compute it
        from this batch (see :func:`threshold`).
    foreground : {"below", "above"}, default="below"
        Objects are darker (``"below"``) or brighter than the threshold.
    structure : tuple of int or array of {0, 1}, default=(9, 5)
        Structuring element: the shape ``(height, width)`` of a rectangle of
        ones (hashable, so it can be tuned in a parameter grid), or an
        explicit array of 0s and 1s with one dimension per spatial axis.
        Centred on index ``size // 2`` along each axis, as in scipy.
    iterations : int, default=2
        How many erosions (and as many dilations), >= 1. scipy's
        ``iterations < 1`` ("until nothing changes") is refused.
    operation : {"opening", "closing", "none"}, default="opening"
        Morphology between thresholding and labelling.
    connectivity : {1, 2}, default=1
        4- (1) or 8-connectivity (2) of the objects, as in :func:`label`.
    features : tuple of str, optional
        None returns the counts. Otherwise a table of per-image features
        among ``"n_objects"``, ``"mean_area"``, ``"max_area"`` and
        ``"total_area"`` (areas in pixels, 0 for images without objects).
    image_shape : tuple of int, optional
        ``(height, width)`` when the input holds flattened images as rows.
    n_jobs : int, optional
        Threads to use; None uses every available core. Where OpenCV
        labels the images (counts without numba), it may also use its own
        thread pool (``cv2.setNumThreads`` sets its size).

    Returns
    -------
    counts : ndarray of int64 of shape (n_images,)
        With ``features=None``.
    table : ndarray of shape (n_images, len(features))
        Otherwise, in the float dtype of the input (float32 stays float32).

    See Also
    --------
    BinaryOpeningCounter : The same as a scikit-learn feature extractor.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import count_objects
    >>> images = np.full((2, 40, 60), 200.0)
    >>> images[:, 10:30, 5:25] = images[:, 10:30, 35:55] = 50.0  # two houses
    >>> images[0, 18:21, 25:35] = 50.0  # a thin bridge in the first image
    >>> count_objects(images, operation="none")
    array([1, 2])
    >>> count_objects(images, structure=(9, 5), iterations=2)
    array([2, 2])
    >>> count_objects(images, features=("n_objects", "max_area"))
    array([[  2., 400.],
           [  2., 400.]])
    """
    batch = tile_batch(images, image_shape, "count_objects")
    params = COUNT_CONSTRAINTS.validate(
        dict(threshold=threshold, foreground=foreground, structure=structure,
             iterations=iterations, operation=operation, connectivity=connectivity,
             features=features, n_jobs=n_jobs),
        "count_objects", batch)
    t = params["threshold"]
    if isinstance(t, str):
        batch.check_finite()  # learned from the values
        t = learn_threshold(batch.images, t, params["foreground"])
    plan = plan_tiles(
        Binarization(t, params["foreground"]),
        TileMorphology(params["operation"], params["structure"], params["iterations"]),
    )
    features = params["features"]
    stats = _object_stats(batch, plan, params["connectivity"],
                          features is not None and "max_area" in features,
                          params["n_jobs"])
    if features is None:
        # Exact: float32 holds integers only up to 2**24.
        return stats[:, 0].copy()
    return _feature_table(stats, features, batch.images.dtype)


# -- estimators ------------------------------------------------------------------------


class ConnectedComponents(ImageTransformer):
    """Label the connected components of every binary image of a batch.

    A thin estimator over :func:`label`: each image gets its own labels
    ``1..k`` (raster order, as :func:`scipy.ndimage.label` run on that image
    alone) and 0 for background; objects of different images never join.
    Nonzero input pixels are foreground.

    Parameters
    ----------
    connectivity : {1, 2}, default=1
        4- (1) or 8-connectivity (2) in 2-D, as in scikit-image.
    image_shape : tuple of int, default=None
        ``(height, width)`` when ``X`` holds flattened images as rows.
    n_jobs : int, default=None
        Threads to use; None uses every available core. Where OpenCV
        labels the images, it may also use its own thread pool
        (``cv2.setNumThreads`` sets its size).

    Attributes
    ----------
    n_features_in_ : int
        Number of values per sample seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, when ``X`` was a data frame.

    See Also
    --------
    label : The function behind this estimator.
    BinaryOpeningCounter : Counts objects after thresholding and opening.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import ConnectedComponents
    >>> X = np.array([[[1, 1, 0, 1]], [[0, 1, 0, 1]]])
    >>> ConnectedComponents().fit_transform(X)
    array([[[1, 1, 0, 2]],
    <BLANKLINE>
           [[0, 1, 0, 2]]], dtype=int32)
    """

    _function = staticmethod(label)
    _parameter_constraints = LABEL_CONSTRAINTS.but(return_counts=None)
    _allow_channels = False
    _engine_checks_finite = True  # the tile engine checks (see _mosaic)

    def __init__(self, connectivity=1, *, image_shape=None, n_jobs=None):
        self.connectivity = connectivity
        self.image_shape = image_shape
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []  # labels are integers
        return tags


class BinaryOpeningCounter(LearnedThresholdMixin, ImageTransformer):
    """Count the objects of each gray image: the chapter's recipe as features.

    Threshold (``1 * (X < threshold)``), open (or close) with a structuring
    element, label the connected components and count them, per image;
    ``transform`` returns one row of features per image. A thin estimator
    over :func:`count_objects`, usable as a feature step (for example in a
    :class:`~sklearn.pipeline.FeatureUnion`) and tunable with
    :class:`~sklearn.model_selection.GridSearchCV`.

    Parameters
    ----------
    threshold : float or {"mean", "otsu"}, default=128.0
        Gray level separating objects from background, or how to learn it
        from the training batch in ``fit`` (see :class:`Threshold`).
    foreground : {"below", "above"}, default="below"
        Objects are darker (``"below"``) or brighter than the threshold.
    structure : tuple of int or array of {0, 1}, default=(9, 5)
        Structuring element: the shape of a rectangle of ones, or an explicit
        array of 0s and 1s (see :func:`binary_opening`).
    iterations : int, default=2
        Erosions and dilations of the opening (or closing), >= 1.
    operation : {"opening", "closing", "none"}, default="opening"
        Morphology between thresholding and labelling.
    connectivity : {1, 2}, default=1
        4- (1) or 8-connectivity (2) of the objects.
    features : tuple of str, default=("n_objects",)
        Columns of the output, among ``"n_objects"``, ``"mean_area"``,
        ``"max_area"`` and ``"total_area"`` (areas in pixels, 0 for images
        without objects).
    image_shape : tuple of int, default=None
        ``(height, width)`` when ``X`` holds flattened images as rows (such
        as ``load_digits().data``).
    n_jobs : int, default=None
        Threads to use; None uses every available core. Where OpenCV
        labels the images (counts without numba), it may also use its own
        thread pool (``cv2.setNumThreads`` sets its size).

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
    count_objects : The function behind this estimator.
    Threshold, BinaryOpening, ConnectedComponents : The steps one by one.

    Notes
    -----
    Colour images are refused; put :class:`~skimgproc.Grayscale` first.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import BinaryOpeningCounter
    >>> X = np.full((1, 40, 60), 200.0)
    >>> X[0, 10:30, 5:25] = X[0, 10:30, 35:55] = 50.0  # two dark houses
    >>> X[0, 18:21, 25:35] = 50.0  # joined by a thin bridge
    >>> counter = BinaryOpeningCounter(features=("n_objects", "mean_area"))
    >>> counter.fit_transform(X)
    array([[  2., 400.]])
    >>> counter.get_feature_names_out().tolist()
    ['n_objects', 'mean_area']
    >>> BinaryOpeningCounter(operation="none").fit_transform(X)
    array([[1.]])
    """

    _function = staticmethod(count_objects)
    # A table always: features=None (the function's exact counts) is refused.
    _parameter_constraints = COUNT_CONSTRAINTS.but(features=Rule(check_features))
    _allow_channels = False
    _engine_checks_finite = True  # the tile engine checks (see _mosaic)

    def __init__(self, threshold=128.0, *, foreground="below", structure=(9, 5),
                 iterations=2, operation="opening", connectivity=1,
                 features=("n_objects",), image_shape=None, n_jobs=None):
        self.threshold = threshold
        self.foreground = foreground
        self.structure = structure
        self.iterations = iterations
        self.operation = operation
        self.connectivity = connectivity
        self.features = features
        self.image_shape = image_shape
        self.n_jobs = n_jobs

    def _feature_names(self):
        return check_features(self.features, "features", type(self).__name__)

    def _output_sample_shape(self):
        return (len(self._feature_names()),)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: the requested features.

        Parameters
        ----------
        input_features : array-like of str, optional
            Ignored (the features do not depend on the input columns).

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self, "n_features_in_")
        return np.asarray(self._feature_names(), dtype=object)
