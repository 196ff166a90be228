"""Object features: region properties summarised per image.

The counting recipe (threshold, optional opening or closing, optional hole
filling, labelling, objects under ``min_area`` pixels dropped) on the same
tile engine as :mod:`._count`, then, per image, the number of objects and
statistics (mean, standard deviation, ...) of each region property over them
(:mod:`._properties`: the values of :func:`skimage.measure.regionprops` on
the same labels). Every object of a tile is measured at once; each tile's
images get their rows of the table.
"""

from dataclasses import replace

import numpy as np

from .._base import FeatureTableMixin, ImageTransformer
from .._batch import as_batch
from .._config import optional_module
from .._mosaic import run_tiles
from .._progress import VERBOSE, progress
from .._validation import Constraints, NJobs, Rule, fail
from ..preprocessing import gray_images
from ..thresholding import LearnedThresholdMixin
from ._count import COUNT_CONSTRAINTS, objects_plan, with_holes_filled
from ._label import fast_labeller, label_tile
from ._properties import AREA, PROPERTIES, accumulate, region_properties

__all__ = ["ObjectFeatures", "object_features"]

#: Statistics over the objects of an image (0 for an image without any).
STATISTICS = ("mean", "std", "min", "max", "sum", "median")

DEFAULT_PROPERTIES = ("area", "perimeter", "eccentricity", "mean_intensity")
DEFAULT_STATISTICS = ("mean", "std", "min", "max")


# -- parameters ------------------------------------------------------------------------


def _names_rule(allowed):
    def check(value, name, owner, batch=None):
        """A name, or a non-empty tuple of distinct names among ``allowed``."""
        names = (value,) if isinstance(value, str) else value
        try:
            names = tuple(names)
        except TypeError:
            names = ()
        if not names or len(set(names)) != len(names) or any(
                not isinstance(n, str) or n not in allowed for n in names):
            fail(name, owner, "a non-empty tuple of distinct names among "
                 f"{{{', '.join(repr(a) for a in allowed)}}}", value)
        return names

    return Rule(check)


#: The parameters of :func:`object_features` and :class:`ObjectFeatures`.
OBJECT_CONSTRAINTS = Constraints(
    {name: COUNT_CONSTRAINTS[name] for name in (
        "threshold", "foreground", "operation", "structure", "iterations",
        "connectivity", "min_area", "fill_holes")},
    properties=_names_rule(PROPERTIES),
    statistics=_names_rule(STATISTICS),
    n_jobs=NJobs(),
    verbose=VERBOSE,
)


def feature_names(properties, statistics):
    """``n_objects``, then ``<property>_<statistic>`` property by property."""
    return ["n_objects"] + [f"{p}_{s}" for p in properties for s in statistics]


def gray_batch(batch):
    """The batch's gray images: colour ones converted with the ITU-R 601-2
    luma weights of :func:`skimgproc.rgb_to_gray`."""
    if not batch.has_channels:
        return batch
    return replace(batch, images=gray_images(batch), has_channels=False)


# -- statistics over the objects of each image -----------------------------------------


def _group_extreme(reduce, values, starts, some, n):
    out = np.zeros(n)
    if some.any():
        out[some] = reduce.reduceat(values, starts[some])
    return out


def _group_median(values, image_of, counts, starts, some, n):
    out = np.zeros(n)
    ordered = values[np.lexsort((values, image_of))]
    low = starts[some] + (counts[some] - 1) // 2
    high = starts[some] + counts[some] // 2
    out[some] = (ordered[low] + ordered[high]) / 2
    return out


def summarise(values, image_of, n, statistics, out):
    """Per image, ``n_objects`` and each statistic of each property in
    ``values`` (``{name: one value per object}``, the objects grouped by
    image in order, ``image_of`` their image) into the ``n`` rows of ``out``."""
    counts = np.bincount(image_of, minlength=n)
    starts = np.cumsum(counts) - counts
    some = counts > 0
    out[:, 0] = counts
    column = 1
    for v in values.values():
        sums = np.bincount(image_of, v, minlength=n)
        mean = np.divide(sums, counts, out=np.zeros(n), where=some)
        for name in statistics:
            if name == "mean":
                out[:, column] = mean
            elif name == "sum":
                out[:, column] = sums
            elif name == "std":
                squares = np.bincount(image_of, (v - mean[image_of]) ** 2, minlength=n)
                out[:, column] = np.sqrt(np.divide(squares, counts, out=np.zeros(n),
                                                   where=some))
            elif name == "median":
                out[:, column] = _group_median(v, image_of, counts, starts, some, n)
            else:
                reduce = np.minimum if name == "min" else np.maximum
                out[:, column] = _group_extreme(reduce, v, starts, some, n)
            column += 1


# -- the finishing step ----------------------------------------------------------------


class MeasureObjects:
    """Labels a tile's binary images, measures every object at once and
    writes each image's row of features."""

    def __init__(self, params, fast, kernels):
        self.connectivity, self.min_area = params["connectivity"], params["min_area"]
        self.properties, self.statistics = params["properties"], params["statistics"]
        self.fast, self.kernels = fast, kernels

    def __call__(self, tile, result, out):
        labels, maxima, offsets = label_tile(tile, result, self.connectivity,
                                             self.fast, raster_order=False)
        ints, floats = accumulate(
            self.kernels, labels, tile.source, tile.geometry, int(maxima[-1]),
            perimeter="perimeter" in self.properties,
            intensity="mean_intensity" in self.properties)
        keep = ints[1:, AREA] >= self.min_area
        values = {name: v[1:][keep] for name, v in
                  region_properties(ints, floats, self.properties).items()}
        image_of = np.repeat(np.arange(tile.n), maxima - offsets)[keep]
        summarise(values, image_of, tile.n, self.statistics, out)


# -- the public function ---------------------------------------------------------------


def object_features(images, threshold=128.0, *, foreground="below",
                    operation="none", structure=(3, 3), iterations=1,
                    connectivity=1, min_area=1, fill_holes=False,
                    properties=DEFAULT_PROPERTIES, statistics=DEFAULT_STATISTICS,
                    channel_axis=-1, image_shape=None, n_jobs=None, verbose=0):
    """Per-image features of the objects of each gray image.

    Threshold, optionally open or close, optionally fill the holes, label
    the connected components, drop those smaller than ``min_area`` pixels;
    then, per image, the number of objects and each statistic of each
    region property over them (0 for an image without objects). Every
    property equals :func:`skimage.measure.regionprops` on the same labels;
    no Python loop runs over images or objects.

    Parameters
    ----------
    images : array-like
        Batch of gray images ``(n, height, width)``; colour images (with
        ``channel_axis``) are converted to gray with the luma weights of
        :func:`skimgproc.rgb_to_gray`; or rows (flattened images with
        ``image_shape``, 1-D signals without).
    threshold : float or {"mean", "otsu"}, default=128.0
        Gray level separating objects from background, or how to compute it
        from this batch (see :func:`skimgproc.threshold`).
    foreground : {"below", "above"}, default="below"
        Objects are darker (``"below"``) or brighter than the threshold.
    operation : {"none", "opening", "closing"}, default="none"
        Morphology between thresholding and labelling.
    structure : tuple of int or array of {0, 1}, default=(3, 3)
        Structuring element of the opening or closing (see
        :func:`skimgproc.binary_opening`).
    iterations : int, default=1
        Erosions and dilations of the opening or closing, >= 1.
    connectivity : {1, 2}, default=1
        4- (1) or 8-connectivity (2) of the objects.
    min_area : int, default=1
        Objects of fewer pixels are dropped.
    fill_holes : bool, default=False
        Fill the holes of each binary image before labelling, as
        :func:`scipy.ndimage.binary_fill_holes`.
    properties : tuple of str, default=("area", "perimeter", "eccentricity", \
"mean_intensity")
        Region properties among ``"area"``, ``"perimeter"``,
        ``"eccentricity"``, ``"extent"``, ``"equivalent_diameter_area"``,
        ``"major_axis_length"``, ``"minor_axis_length"``, ``"orientation"``
        and ``"mean_intensity"`` (of the gray input), as scikit-image
        defines them (its ``perimeter`` with 4-connected borders).
    statistics : tuple of str, default=("mean", "std", "min", "max")
        Statistics over the objects of an image, among ``"mean"``, ``"std"``
        (population), ``"min"``, ``"max"``, ``"sum"`` and ``"median"``.
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of colour input.
    image_shape : tuple of int, optional
        Shape of one image when the input holds flattened images as rows.
    n_jobs : int, optional
        Threads to use. None: the cores this process may use, within the thread
        limits of its environment (see the README, "Threads").
    verbose : int, default=0
        Progress reports: 0 is silent; 1 reports the images done and the
        time left at most every 2 seconds (see :func:`~skimgproc.rof_denoise`),
        2 every chunk of images.

    Returns
    -------
    table : ndarray of shape (n_images, 1 + len(properties) * len(statistics))
        ``n_objects``, then ``<property>_<statistic>`` for each property in
        turn, in the float dtype of the input (float32 stays float32).

    See Also
    --------
    ObjectFeatures : The same as a scikit-learn transformer.
    count_objects : The counts alone, faster.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import object_features
    >>> images = np.full((2, 20, 30), 200.0)
    >>> images[0, 2:6, 2:12] = 50.0  # a 4 x 10 bar
    >>> images[0, 10:13, 20:23] = 90.0  # a 3 x 3 square
    >>> object_features(images, properties=("area", "mean_intensity"),
    ...                 statistics=("max", "sum"))
    array([[  2.,  40.,  49.,  90., 140.],
           [  0.,   0.,   0.,   0.,   0.]])
    """
    batch = as_batch(images, image_shape=image_shape, channel_axis=channel_axis,
                     caller="object_features", check_finite=False)
    params = OBJECT_CONSTRAINTS.validate(
        dict(threshold=threshold, foreground=foreground, operation=operation,
             structure=structure, iterations=iterations, connectivity=connectivity,
             min_area=min_area, fill_holes=fill_holes, properties=properties,
             statistics=statistics, n_jobs=n_jobs, verbose=verbose),
        "object_features", batch)
    batch = gray_batch(batch)
    measure = MeasureObjects(params, fast_labeller(),
                             optional_module(".measure._properties_numba"))
    names = feature_names(params["properties"], params["statistics"])
    out = np.empty((batch.n_samples, len(names)))
    with progress(params["verbose"], batch.n_samples, "object_features"):
        run_tiles(batch, objects_plan(batch, params),
                  with_holes_filled(measure, params["fill_holes"]), out,
                  params["n_jobs"])
    return out.astype(batch.images.dtype, copy=False)


# -- the estimator ---------------------------------------------------------------------


class ObjectFeatures(LearnedThresholdMixin, FeatureTableMixin, ImageTransformer):
    """Per-image features of the objects of each image, as a transformer.

    Threshold, optionally open or close, fill holes, label, drop objects
    smaller than ``min_area`` pixels; ``transform`` returns, per image,
    ``n_objects`` and each statistic of each region property over its
    objects (as :func:`skimage.measure.regionprops` measures them), with
    readable column names (``area_mean``, ``perimeter_max``). A thin
    estimator over :func:`object_features`.

    Parameters
    ----------
    threshold : float or {"mean", "otsu"}, default=128.0
        Gray level separating objects from background, or how to learn it
        from the training batch in ``fit`` (see :class:`Threshold`).
    foreground : {"below", "above"}, default="below"
        Objects are darker (``"below"``) or brighter than the threshold.
    operation : {"none", "opening", "closing"}, default="none"
        Morphology between thresholding and labelling.
    structure : tuple of int or array of {0, 1}, default=(3, 3)
        Structuring element of the opening or closing.
    iterations : int, default=1
        Erosions and dilations of the opening or closing, >= 1.
    connectivity : {1, 2}, default=1
        4- (1) or 8-connectivity (2) of the objects.
    min_area : int, default=1
        Objects of fewer pixels are dropped.
    fill_holes : bool, default=False
        Fill the holes of each binary image before labelling.
    properties : tuple of str, default=("area", "perimeter", "eccentricity", \
"mean_intensity")
        Region properties (see :func:`object_features`).
    statistics : tuple of str, default=("mean", "std", "min", "max")
        Statistics over the objects of an image (see :func:`object_features`).
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of colour input (converted to gray).
    image_shape : tuple of int, default=None
        Shape of one image when ``X`` holds flattened images as rows.
    n_jobs : int, default=None
        Threads to use. None: the cores this process may use, within the thread
        limits of its environment (see the README, "Threads").
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
    object_features : The function behind this estimator.
    BinaryOpeningCounter : Counts and areas only, faster.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import ObjectFeatures
    >>> X = np.full((1, 20, 30), 200.0)
    >>> X[0, 2:6, 2:12] = X[0, 10:13, 20:23] = 50.0  # a bar and a square
    >>> features = ObjectFeatures(properties=("area", "extent"),
    ...                           statistics=("mean",)).fit(X)
    >>> features.transform(X)
    array([[ 2. , 24.5,  1. ]])
    >>> features.get_feature_names_out().tolist()
    ['n_objects', 'area_mean', 'extent_mean']
    """

    _function = staticmethod(object_features)
    _parameter_constraints = OBJECT_CONSTRAINTS
    _engine_checks_finite = True  # the tile engine checks (see _mosaic)

    def __init__(self, threshold=128.0, *, foreground="below", operation="none",
                 structure=(3, 3), iterations=1, connectivity=1, min_area=1,
                 fill_holes=False, properties=DEFAULT_PROPERTIES,
                 statistics=DEFAULT_STATISTICS, channel_axis=-1, image_shape=None,
                 n_jobs=None, verbose=0):
        self.threshold = threshold
        self.foreground = foreground
        self.operation = operation
        self.structure = structure
        self.iterations = iterations
        self.connectivity = connectivity
        self.min_area = min_area
        self.fill_holes = fill_holes
        self.properties = properties
        self.statistics = statistics
        self.channel_axis = channel_axis
        self.image_shape = image_shape
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _threshold_images(self, batch):
        return gray_batch(batch).images

    def _feature_names(self):
        owner = type(self).__name__
        return feature_names(
            OBJECT_CONSTRAINTS["properties"].check(self.properties, "properties",
                                                   owner),
            OBJECT_CONSTRAINTS["statistics"].check(self.statistics, "statistics",
                                                   owner))
