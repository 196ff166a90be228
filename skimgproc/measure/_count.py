"""Counting the objects of image batches: the chapter's recipe.

Threshold a gray image into a binary one (``1 * (im < 128)``), separate
objects joined by thin bridges with a binary opening, optionally fill their
holes and drop the objects smaller than ``min_area`` pixels, then count them.

Every result equals scipy.ndimage run on each image alone. The images are
thresholded and opened tile by tile in the mosaic of :mod:`.._mosaic`, holes
filled with :func:`scipy.ndimage.binary_fill_holes` on the whole tile (each
image's background reaches the mosaic's border through the gaps, so a hole of
the tile is a hole of its image), and each tile is then counted in one call.
Counting needs no label image: with numba installed (the ``fast`` extra) a
compiled run counter (:mod:`._count_numba`) finds each image's number of
objects and their areas from the runs of foreground pixels of its rows;
otherwise the tile is labelled by the family's one labeller
(:func:`._label.label_tile`). :mod:`._objects` measures the same objects.
"""

import numpy as np
from scipy import ndimage as ndi

from .._base import FeatureTableMixin, ImageTransformer
from .._config import optional_module
from .._executor import chunk_scratch
from .._mosaic import plan_tiles, run_tiles, tile_batch
from .._progress import VERBOSE, progress
from .._validation import Bool, Constraints, Int, NJobs, Options, Rule, fail
from ..morphology import MORPHOLOGY_CONSTRAINTS, OPERATIONS, TileMorphology
from ..thresholding import (
    THRESHOLD_CONSTRAINTS,
    Binarization,
    LearnedThresholdMixin,
    learn_threshold,
)
from ._label import CONNECTIVITY, fast_labeller, label_tile

__all__ = ["BinaryOpeningCounter", "count_objects"]

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


#: The parameters of :func:`count_objects`; :class:`BinaryOpeningCounter`
#: takes the same but a table of features always.
COUNT_CONSTRAINTS = Constraints(
    threshold=THRESHOLD_CONSTRAINTS["threshold"],
    foreground=THRESHOLD_CONSTRAINTS["foreground"],
    structure=MORPHOLOGY_CONSTRAINTS["structure"],
    iterations=MORPHOLOGY_CONSTRAINTS["iterations"],
    operation=Options(OPERATIONS),
    connectivity=CONNECTIVITY,
    min_area=Int(1, None),
    fill_holes=Bool(),
    features=Rule(_check_features_or_counts),
    n_jobs=NJobs(),
    verbose=VERBOSE,
)


# -- finishing steps: what a tile's binary images give ---------------------------------


class FillHoles:
    """Fills the holes of a tile's binary images, then hands them on to the
    finishing step ``finish``. The gaps are cleared first: background that
    reaches an image's top, right or bottom border reaches a gap of the
    mosaic, and its left border is the mosaic's. :func:`scipy.ndimage.
    binary_fill_holes` on the tile (the reference path) grows the outside
    from the mosaic's border in passes. With OpenCV, a 4-connected flood
    fill of the background, with a column of background put before the
    mosaic's first (joining the left borders to the gaps), reaches the
    outside in one sweep and the rest are holes: 10x faster. The compiled
    run kernel (``_count_numba.fill_holes``: the background's runs in a
    union-find, each component knowing whether it touches the tile's
    border) is as fast as OpenCV or faster (CPU time of ``count_objects(...,
    fill_holes=True)`` on one thread: 10.4 against 10.6 ms on the counting
    benchmark's 16 x 512 x 512 pages, 34 against 41 ms on its 10,000 x 28 x
    28), so it comes first."""

    def __init__(self, finish, cv2, kernels=None):
        self.finish, self.cv2, self.kernels = finish, cv2, kernels

    def __call__(self, tile, result, out):
        tile.clear_gaps(result)
        if self.kernels is not None:
            rows, cols = result.shape
            capacity = rows * (cols // 2 + 1)  # background runs, at most
            work = [chunk_scratch((size,), np.int32, slot=("fill", name))
                    for name, size in (("starts", capacity), ("ends", capacity),
                                       ("parent", capacity), ("outside", capacity),
                                       ("first", rows + 1), ("edges", cols + 2))]
            self.kernels.fill_holes(result.view(np.uint8), *work)
        elif self.cv2 is None:
            ndi.binary_fill_holes(result, output=result)  # the mask is taken first
        else:
            rows, cols = result.shape
            background = chunk_scratch((rows, cols + 1), np.uint8,
                                       slot=("fill", "background"))
            background[:, 0] = 1
            np.logical_not(result, out=background[:, 1:].view(bool))
            self.cv2.floodFill(background, None, (0, 0), 2, flags=4)
            np.logical_or(result, background[:, 1:] == 1, out=result)
        self.finish(tile, result, out)


def with_holes_filled(finish, fill_holes):
    """``finish``, after hole filling when ``fill_holes`` (the choice of
    OpenCV made in the calling thread, which holds the configuration)."""
    if not fill_holes:
        return finish
    return FillHoles(finish, optional_module("cv2"),
                     optional_module(".measure._count_numba"))


class CountRuns:
    """``(count, total area, largest area)`` of each image into the rows of
    ``stats``, by the compiled run counter (no label image; the gaps are not
    read), objects under ``min_area`` pixels left out. Its run indices and
    areas are int32."""

    def __init__(self, run_stats, connectivity, want_max, min_area=1):
        self.run_stats = run_stats
        self.diagonal = connectivity - 1
        self.want_max = want_max
        self.min_area = min_area

    def __call__(self, tile, result, stats):
        h, w = tile.shape
        capacity = h * ((w + 1) // 2)  # runs of one image, at most
        work = [chunk_scratch((size,), np.int32, slot=("runs", name))
                for name, size in (("starts", capacity), ("ends", capacity),
                                   ("parent", capacity), ("edges", w + 2))]
        self.run_stats(tile.images(result).view(np.uint8), self.diagonal,
                       self.want_max, self.min_area, *work, stats)


class CountLabels:
    """What :class:`CountRuns` writes, from a label image (OpenCV's, or
    scipy's)."""

    def __init__(self, connectivity, cv2, want_max, min_area=1):
        self.connectivity, self.cv2, self.want_max = connectivity, cv2, want_max
        self.min_area = min_area

    def __call__(self, tile, result, stats):
        labels, maxima, offsets = label_tile(tile, result, self.connectivity,
                                             self.cv2, raster_order=False)
        if self.min_area == 1 and not self.want_max:
            np.subtract(maxima, offsets, out=stats[:, 0])
            # The gaps are background now: count whole blocks.
            stats[:, 1] = np.count_nonzero(
                tile.blocks(result).reshape(tile.n, -1), axis=1)
            stats[:, 2] = 0
            return
        # Image i holds labels offsets[i] + 1 .. maxima[i]: sums over its
        # range are differences of cumulative sums.
        areas = np.bincount(labels.reshape(-1), minlength=int(maxima[-1]) + 1)
        areas[0] = 0
        areas[areas < self.min_area] = 0
        for column, values in ((0, areas > 0), (1, areas)):
            cumulative = np.cumsum(values)
            np.subtract(cumulative[maxima], cumulative[offsets],
                        out=stats[:, column])
        stats[:, 2] = 0
        some = maxima > offsets
        if self.want_max and some.any():
            # The label ranges of the images with labels tile 1..total.
            stats[some, 2] = np.maximum.reduceat(areas[1:], offsets[some])


# -- the engine ------------------------------------------------------------------------


def objects_plan(batch, params):
    """The tile plan of the family's parameters: the threshold (learned from
    this batch for ``"mean"`` and ``"otsu"``), then the morphology."""
    t = params["threshold"]
    if isinstance(t, str):
        batch.check_finite()  # learned from the values
        t = learn_threshold(batch.images, t, params["foreground"])
    return plan_tiles(
        Binarization(t, params["foreground"]),
        TileMorphology(params["operation"], params["structure"], params["iterations"]),
    )


def _object_stats(batch, plan, params, want_max):
    """The ``(n_images, 3)`` int64 objects, total area and largest area
    (0 unless ``want_max``) of every image after ``plan``."""
    # The run counter is serial and 2.7x as fast as OpenCV's labelling
    # (which writes a label image, on OpenCV's own threads): n_jobs threads
    # then count n_jobs tiles at once.
    runs = optional_module(".measure._count_numba")  # in the calling thread
    connectivity, min_area = params["connectivity"], params["min_area"]
    if runs is not None and batch.images[0].size < 2**31:
        count = CountRuns(runs.run_stats, connectivity, want_max, min_area)
    else:
        count = CountLabels(connectivity, fast_labeller(), want_max, min_area)
    stats = np.empty((batch.n_samples, 3), np.int64)
    return run_tiles(batch, plan, with_holes_filled(count, params["fill_holes"]),
                     stats, params["n_jobs"])


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


def count_objects(images, threshold=128.0, *, foreground="below",
                  structure=(9, 5), iterations=2, operation="opening",
                  connectivity=1, min_area=1, fill_holes=False, features=None,
                  image_shape=None, n_jobs=None, verbose=0):
    """Count the objects of each gray image: threshold, open, label, count.

    The chapter's recipe in one call: per image,
    ``scipy.ndimage.label(binary_opening(1 * (im < threshold),
    ones(structure), iterations))[1]``, without a Python loop over images;
    optionally with the holes filled (:func:`scipy.ndimage.binary_fill_holes`)
    before labelling and the objects under ``min_area`` pixels left out.

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
    min_area : int, default=1
        Objects of fewer pixels are dropped: not counted, and left out of
        the areas.
    fill_holes : bool, default=False
        Fill the holes of each binary image (background not connected to
        its border, with scipy's default 4-connected background) before
        labelling, as :func:`scipy.ndimage.binary_fill_holes`.
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
    verbose : int, default=0
        Progress reports: 0 is silent; 1 reports the images done and the
        time left at most every 2 seconds (see :func:`~skimgproc.rof_denoise`),
        2 every chunk of images.

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
             min_area=min_area, fill_holes=fill_holes, features=features,
             n_jobs=n_jobs, verbose=verbose),
        "count_objects", batch)
    features = params["features"]
    with progress(params["verbose"], batch.n_samples, "count_objects"):
        stats = _object_stats(batch, objects_plan(batch, params), params,
                              features is not None and "max_area" in features)
    if features is None:
        # Exact: float32 holds integers only up to 2**24.
        return stats[:, 0].copy()
    return _feature_table(stats, features, batch.images.dtype)


# -- estimators ------------------------------------------------------------------------


class BinaryOpeningCounter(LearnedThresholdMixin, FeatureTableMixin, ImageTransformer):
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
    min_area : int, default=1
        Objects of fewer pixels are dropped (not counted, not in the areas).
    fill_holes : bool, default=False
        Fill the holes of each binary image before labelling (see
        :func:`count_objects`).
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
    verbose : int, default=0
        Progress reports of ``transform``: 0 is silent; 1 reports the images
        done and the time left at most every 2 seconds, 2 every chunk.

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
                 iterations=2, operation="opening", connectivity=1, min_area=1,
                 fill_holes=False, features=("n_objects",), image_shape=None,
                 n_jobs=None, verbose=0):
        self.threshold = threshold
        self.foreground = foreground
        self.structure = structure
        self.iterations = iterations
        self.operation = operation
        self.connectivity = connectivity
        self.min_area = min_area
        self.fill_holes = fill_holes
        self.features = features
        self.image_shape = image_shape
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _feature_names(self):
        return check_features(self.features, "features", type(self).__name__)
