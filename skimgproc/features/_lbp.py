"""Local binary patterns (LBP) of image batches, and their histograms.

Each pixel is compared with ``P`` neighbours on a circle of radius ``R``
around it (Ojala et al. [1]_); the pattern of comparisons is a code, and
the normalised histogram of the codes over an image (or over each cell of a
grid on it) is a texture descriptor for a classifier.

Codes equal :func:`skimage.feature.local_binary_pattern` run on each image
alone, for every method: the neighbours are sampled where scikit-image
samples them (angles ``2 pi i / P``, offsets ``-R sin`` and ``R cos``
rounded to 5 decimals, ``R`` read as a C float), by its bilinear
interpolation with the same float64 operations in the same order, with 0
outside the image, and compared as ``value - centre >= 0``. The codes of
integer images are identical, bit for bit.

The engine works image plane by image plane on threads
(:func:`skimgproc._executor.run_ranges`): each plane is copied into a
float64 working buffer with a border of zeros, its ``"default"`` codes are
computed there (by the compiled kernels of :mod:`._lbp_numba` when numba is
installed, else by their NumPy reference, :mod:`._lbp_numpy`), then mapped
to the method's codes and written out or counted per cell. Integer images
are kept unconverted by the batch contract (``as_batch(...,
keep_integers=True)``) and converted to float64 plane by plane, into that
buffer: the same values, without a float64 copy of the batch (eight times
a ``uint8`` batch).

References
----------
.. [1] T. Ojala, M. Pietikainen and T. Maenpaa, "Multiresolution gray-scale
   and rotation invariant texture classification with local binary
   patterns", IEEE Transactions on Pattern Analysis and Machine
   Intelligence 24(7), 2002.
"""

import functools

import numpy as np

from .._base import FeatureTableMixin, ImageTransformer
from .._batch import as_batch, float_dtype
from .._config import optional_module
from .._executor import chunk_scratch, run_ranges
from .._progress import VERBOSE, progress
from .._validation import Constraints, Int, NJobs, Options, RealNumber, Rule, fail
from . import _lbp_numpy
from ._lbp_numpy import method_codes, sampling

__all__ = ["LBPHistogram", "lbp_feature_names", "lbp_histogram",
           "local_binary_pattern"]

#: The methods of :func:`local_binary_pattern`, as scikit-image names them.
METHODS = ("default", "ror", "uniform", "nri_uniform", "var")
#: Those whose codes a histogram counts ("var" is a real number).
HISTOGRAM_METHODS = ("default", "ror", "uniform", "nri_uniform")
#: Largest ``P`` whose codes are looked up in a table of ``2**P`` entries,
#: and whose ``"default"`` and ``"ror"`` codes a histogram may count.
MAX_TABLE_P = 16
#: Largest radius accepted, in pixels.
MAX_RADIUS = 1e6


# -- parameters ------------------------------------------------------------------------


def _check_histogram_method(value, name, owner, batch=None):
    if value == "var":
        fail(name, owner, f"one of {set(HISTOGRAM_METHODS)}", value,
             "'var' gives each pixel a real number (the variance of its "
             "neighbours), not a code to count; compute it with "
             "local_binary_pattern(X, method='var') and bin it as you need")
    return Options(HISTOGRAM_METHODS).check(value, name, owner, batch)


_CELLS = Int(1)


def _image_shape_2d(batch):
    """(height, width) of the images; a 1-D signal is one pixel high."""
    shape = tuple(batch.spatial_shape)
    return (1,) + shape if batch.n_spatial == 1 else shape


def check_grid(value, name, owner, batch=None):
    """An int ``k`` (``k x k`` cells) or a pair ``(rows, columns)`` of ints
    >= 1, at most the images' height and width; normalised to a pair. A 1-D
    signal is an image one pixel high: its grid is ``(1, k)`` or ``(k,)``."""
    n_spatial = 2 if batch is None else batch.n_spatial
    if _CELLS.accepts(value, None):
        cells = (int(value),) * 2
    else:
        try:
            cells = tuple(value)
        except TypeError:
            cells = ()
        if n_spatial == 1 and len(cells) == 1:
            cells = (1,) + cells
        if len(cells) != 2 or not all(_CELLS.accepts(c, None) for c in cells):
            fail(name, owner, "an int >= 1 or a pair (rows, columns) of such ints "
                 "((k,) or (1, k) for 1-D signals)", value)
        cells = tuple(int(c) for c in cells)
    if batch is not None:
        shape = _image_shape_2d(batch)
        if cells[0] > shape[0] or cells[1] > shape[1]:
            fail(name, owner, f"at most the images' (height, width) {shape}",
                 value, "every cell needs at least one pixel")
    return cells


def _check_histogram_bins(params, owner):
    if params["method"] in ("default", "ror") and params["P"] > MAX_TABLE_P:
        fail("P", owner, f"an int in the range [1, {MAX_TABLE_P}] with method="
             f"{params['method']!r}", params["P"],
             f"its histogram would have a bin for each of 2**{params['P']} codes")


#: The parameters of :func:`local_binary_pattern`.
LBP_CONSTRAINTS = Constraints(
    P=Int(1, 24),
    R=RealNumber(0, MAX_RADIUS, closed="right"),
    method=Options(METHODS),
    n_jobs=NJobs(),
    verbose=VERBOSE,
)

#: The parameters of :func:`lbp_histogram` and :class:`LBPHistogram`.
HISTOGRAM_CONSTRAINTS = LBP_CONSTRAINTS.but(
    method=Rule(_check_histogram_method), grid=Rule(check_grid),
    joint=_check_histogram_bins)


@functools.cache
def code_lookup(P, method):
    """The method's code of every ``"default"`` code, ``lookup[code]``
    (int32), for ``P <= MAX_TABLE_P``; None for larger ``P``."""
    if P > MAX_TABLE_P:
        return None
    return method_codes(np.arange(2**P), P, method).astype(np.int32)


@functools.cache
def histogram_bins(P, method):
    """``(lookup, values)``: the method's possible codes (``values``,
    sorted), one bin each, and the bin of every ``"default"`` code
    (``lookup``, None for ``P > MAX_TABLE_P``, where codes are bins)."""
    lookup = code_lookup(P, method)
    if method == "ror":  # the codes that are their smallest rotation
        values = np.unique(lookup)
        return np.searchsorted(values, lookup).astype(np.int32), values
    n_values = {"default": 2**P, "uniform": P + 2}.get(method, P * (P - 1) + 3)
    return lookup, np.arange(n_values)


def _to_method(codes, P, method):
    lookup = code_lookup(P, method)
    if lookup is None:
        return method_codes(codes, P, method)
    return np.take(lookup, codes, mode="clip")


# -- the engine ------------------------------------------------------------------------


def _cells(size, parts):
    """The cell of each index along an axis cut like numpy.array_split, and
    the first index of each cell but the first."""
    sizes = np.full(parts, size // parts)
    sizes[: size % parts] += 1
    return np.repeat(np.arange(parts), sizes).astype(np.intp), np.cumsum(sizes)[:-1]


def _run_planes(batch, P, R, finish, n_jobs):
    """Call ``finish(k, channel, plane, table, kernels)`` on every image
    plane, over chunks on threads: ``plane`` is the image padded with a
    border of zeros (float64) when ``finish.needs_values`` ("var"), else its
    default codes; ``table`` is the :class:`~._lbp_numpy.Sampling`, and
    ``kernels`` :mod:`._lbp_numba` or its reference :mod:`._lbp_numpy`."""
    images = batch.as_2d(batch.images)
    h, w = images.shape[1:3]
    table = sampling(P, R, (h, w))
    # Read in the calling thread, which holds the configuration.
    kernels = optional_module(".features._lbp_numba") or _lbp_numpy
    n_channels = batch.n_channels

    m = table.margin

    def work(start, stop):
        padded = chunk_scratch(table.padded_shape(), np.float64, slot="lbp-padded")
        padded[:m] = padded[-m:] = padded[:, :m] = padded[:, -m:] = 0.0
        codes = chunk_scratch((h, w), np.int32, slot="lbp-codes")
        for k in range(start, stop):
            for channel in range(n_channels):
                plane = images[k, ..., channel] if batch.has_channels else images[k]
                padded[m:-m, m:-m] = plane  # integers become float64 here
                if finish.needs_values:
                    finish(k, channel, padded, table, kernels)
                    continue
                kernels.default_codes(padded, *table.arrays(), codes)
                finish(k, channel, codes, table, kernels)

    run_ranges(work, batch.n_samples, h * w * n_channels * 8, n_jobs)


class WriteCodes:
    """The method's code (or variance) of every pixel into ``out``, in the
    images' internal layout seen as 2-D."""

    def __init__(self, out, P, method):
        self.out, self.P, self.method = out, P, method
        self.needs_values = method == "var"

    def __call__(self, k, channel, plane, table, kernels):
        target = self.out[k, ..., channel] if self.out.ndim == 4 else self.out[k]
        if self.needs_values:  # plane: the padded image
            target[...] = _lbp_numpy.variance(plane, table)
        else:  # plane: the default codes
            target[...] = _to_method(plane, self.P, self.method)


class CountCells:
    """Each grid cell's histogram of the method's codes into ``counts``,
    ``(n, grid rows, grid columns, channels, bins)`` int64 (zeros)."""

    needs_values = False

    def __init__(self, counts, P, method, shape, grid):
        self.counts, self.P, self.method = counts, P, method
        self.row_cell = _cells(shape[0], grid[0])[0]
        self.col_cell = _cells(shape[1], grid[1])[0]
        self.lookup, values = histogram_bins(P, method)
        self.identity = np.arange(len(values), dtype=np.int32)

    def __call__(self, k, channel, codes, table, kernels):
        lookup = self.lookup
        if lookup is None:  # large P: the method's codes are the bins
            codes, lookup = method_codes(codes, self.P, self.method), self.identity
        kernels.count_cells(codes, lookup, self.row_cell, self.col_cell,
                            self.counts[k, :, :, channel])


def _histograms(batch, P, R, method, grid, n_jobs):
    """The normalised histograms of every image, cell and channel, as rows
    in the batch's float dtype."""
    shape = _image_shape_2d(batch)
    n_bins = len(histogram_bins(P, method)[1])
    counts = np.zeros((batch.n_samples, *grid, batch.n_channels, n_bins), np.int64)
    _run_planes(batch, P, R, CountCells(counts, P, method, shape, grid), n_jobs)
    sizes = [np.diff(_cells(size, parts)[1], prepend=0, append=size)
             for size, parts in zip(shape, grid, strict=True)]
    pixels = np.multiply.outer(*sizes)[None, :, :, None, None]
    dtype = float_dtype(batch.images.dtype, batch.name)
    return (counts / pixels).astype(dtype, copy=False).reshape(batch.n_samples, -1)


def lbp_feature_names(P=8, method="uniform", grid=(1, 1), *, n_channels=None):
    """The names of the columns of :func:`lbp_histogram`.

    ``lbp_<code>`` for each possible code of the method, led by
    ``cell_<row>_<col>_`` when the grid has more than one cell and by
    ``channel_<c>_`` when the images have channels (``n_channels`` is not
    None): ``lbp_3``, ``cell_0_1_lbp_3``, ``cell_1_0_channel_2_lbp_9``. Cell
    by cell (row-major), channel by channel, code by code, as the columns
    are.

    Examples
    --------
    >>> from skimgproc.features import lbp_feature_names
    >>> lbp_feature_names(4, "uniform", (1, 2)).tolist()[:3]
    ['cell_0_0_lbp_0', 'cell_0_0_lbp_1', 'cell_0_0_lbp_2']
    """
    params = HISTOGRAM_CONSTRAINTS.validate(
        dict(P=P, R=1.0, method=method, grid=grid, n_jobs=None, verbose=0),
        "lbp_feature_names")
    P, method, grid = params["P"], params["method"], params["grid"]
    cells = ([""] if grid == (1, 1) else
             [f"cell_{i}_{j}_" for i, j in np.ndindex(*grid)])
    channels = ([""] if n_channels is None else
                [f"channel_{c}_" for c in range(n_channels)])
    codes = [f"lbp_{v}" for v in histogram_bins(P, method)[1]]
    return np.asarray([cell + channel + code for cell in cells
                       for channel in channels for code in codes], dtype=object)


# -- public functions ------------------------------------------------------------------


def local_binary_pattern(images, P=8, R=1.0, *, method="default", channel_axis=-1,
                         image_shape=None, n_jobs=None, verbose=0):
    """The local binary pattern of every pixel of every image of a batch.

    Per image, equal to :func:`skimage.feature.local_binary_pattern`
    ``(image, P, R, method)``: each pixel is compared with ``P`` neighbours
    on a circle of radius ``R`` (bilinear values, 0 outside the image), and
    the comparisons make a code. Integer images give identical codes.

    Parameters
    ----------
    images : array-like
        Batch of images: ``(n, height, width)``, ``(n, height, width,
        channels)`` (see ``channel_axis``), or ``(n, n_features)`` rows
        (flattened images with ``image_shape``, 1-D signals without, each
        an image one pixel high). Each channel of a colour image gets its
        own codes, as that channel alone would (scikit-image takes gray
        images only).
    P : int, default=8
        Number of neighbours, in [1, 24] (codes up to ``2**24`` are exact
        in float32).
    R : float, default=1.0
        Radius of the circle, in pixels, in (0, 1e6]. Read as a C float, as
        scikit-image's kernel reads it.
    method : {"default", "ror", "uniform", "nri_uniform", "var"}, default="default"
        ``"default"``: bit ``i`` is set when neighbour ``i`` is >= the
        centre (codes ``0 .. 2**P - 1``); ``"ror"``: the smallest rotation
        of that code (rotation invariant); ``"uniform"``: the number of set
        bits for patterns with at most 2 changes, ``P + 1`` for the others;
        ``"nri_uniform"``: one code per uniform pattern and rotation, ``0 ..
        P * (P - 1) + 2``; ``"var"``: the variance of the neighbours
        (contrast, not a code), NaN where it is 0, as in scikit-image.
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
        time left at most every 2 seconds (see :func:`~skimgproc.rof_denoise`),
        2 every chunk of images.

    Returns
    -------
    codes : ndarray
        Same shape as ``images``, in the float dtype of the input (float32
        stays float32, others become float64).

    See Also
    --------
    lbp_histogram : The normalised histogram of the codes, per grid cell.

    References
    ----------
    .. [1] T. Ojala, M. Pietikainen and T. Maenpaa, "Multiresolution
       gray-scale and rotation invariant texture classification with local
       binary patterns", IEEE TPAMI 24(7), 2002.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc.features import local_binary_pattern
    >>> images = np.array([[[0, 0, 0, 0],
    ...                     [0, 9, 9, 0],
    ...                     [0, 9, 0, 0]]], np.uint8)   # a bright corner
    >>> local_binary_pattern(images, 4, 1.0)[0]    # bits: right, up, left, down
    array([[15., 15., 15., 15.],
           [15.,  9.,  4., 15.],
           [15.,  2., 15., 15.]])
    >>> local_binary_pattern(images, 4, 1.0, method="uniform")[0, 1]
    array([4., 2., 1., 4.])
    """
    batch = as_batch(images, image_shape=image_shape, channel_axis=channel_axis,
                     caller="local_binary_pattern", keep_integers=True)
    params = LBP_CONSTRAINTS.validate(
        dict(P=P, R=R, method=method, n_jobs=n_jobs, verbose=verbose),
        "local_binary_pattern", batch)
    dtype = float_dtype(batch.images.dtype, batch.name)
    out = np.empty(batch.images.shape, dtype)
    write = WriteCodes(batch.as_2d(out), params["P"], params["method"])
    with progress(params["verbose"], batch.n_samples, "local_binary_pattern"):
        _run_planes(batch, params["P"], params["R"], write, params["n_jobs"])
    return batch.restore(out)


def lbp_histogram(images, P=8, R=1.0, *, method="uniform", grid=(1, 1),
                  channel_axis=-1, image_shape=None, n_jobs=None, verbose=0):
    """The normalised histogram of the local binary patterns of each image.

    Per image (and per channel, and per cell of ``grid``), the fraction of
    its pixels with each possible code of ``method`` (as
    :func:`local_binary_pattern` gives them): each histogram sums to 1. The
    codes are counted as they are computed, with no image of codes.

    Parameters
    ----------
    images : array-like
        Batch of images, in any layout of :func:`local_binary_pattern`.
        Colour images give one histogram per channel.
    P : int, default=8
        Number of neighbours, in [1, 24]; at most 16 for ``"default"`` and
        ``"ror"`` (``2**P`` codes).
    R : float, default=1.0
        Radius of the circle, in pixels.
    method : {"uniform", "nri_uniform", "ror", "default"}, default="uniform"
        The codes counted: ``P + 2`` bins for ``"uniform"``, ``P * (P - 1)
        + 3`` for ``"nri_uniform"``, ``2**P`` for ``"default"``, and for
        ``"ror"`` one bin per code that is its own smallest rotation (36
        for ``P = 8``). ``"var"`` is refused: its values are real numbers,
        not codes (compute them with :func:`local_binary_pattern` and bin
        them as needed).
    grid : int or tuple of int, default=(1, 1)
        Cells ``(rows, columns)`` cut as :func:`numpy.array_split` cuts
        each spatial axis; an int ``k`` is ``(k, k)``. At most the images'
        height and width. A 1-D signal is one pixel high: ``(1, k)``.
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input.
    image_shape : tuple of int, optional
        Shape of one image when ``images`` holds flattened images as rows.
    n_jobs : int, optional
        Threads to use. None: the cores this process may use, within the thread
        limits of its environment (see the README, "Threads").
    verbose : int, default=0
        Progress reports: 0 is silent; 1 reports the images done and the
        time left at most every 2 seconds (see :func:`~skimgproc.rof_denoise`),
        2 every chunk of images.

    Returns
    -------
    histograms : ndarray of shape (n_images, n_features)
        Cell by cell (row-major), channel by channel, code by code (see
        :func:`lbp_feature_names`), in the float dtype of the input.

    See Also
    --------
    LBPHistogram : The same as a scikit-learn feature extractor.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc.features import lbp_histogram
    >>> images = np.zeros((2, 4, 6), np.uint8)
    >>> images[1, :, ::2] = 7                 # stripes
    >>> lbp_histogram(images, 4, 1.0)     # bins: 0, 1, 2, 3, 4 bits set, other
    array([[0.  , 0.  , 0.  , 0.  , 1.  , 0.  ],
           [0.  , 0.25, 0.  , 0.  , 0.5 , 0.25]])
    >>> lbp_histogram(images, 4, 1.0, grid=(1, 2)).sum(axis=1)
    array([2., 2.])
    """
    batch = as_batch(images, image_shape=image_shape, channel_axis=channel_axis,
                     caller="lbp_histogram", keep_integers=True)
    params = HISTOGRAM_CONSTRAINTS.validate(
        dict(P=P, R=R, method=method, grid=grid, n_jobs=n_jobs, verbose=verbose),
        "lbp_histogram", batch)
    with progress(params["verbose"], batch.n_samples, "lbp_histogram"):
        return _histograms(batch, params["P"], params["R"], params["method"],
                           params["grid"], params["n_jobs"])


# -- estimator -------------------------------------------------------------------------


class LBPHistogram(FeatureTableMixin, ImageTransformer):
    """Histograms of local binary patterns, per image and grid cell, as features.

    A thin estimator over :func:`lbp_histogram`: each image (each channel of
    a colour image, each cell of ``grid``) gives the fraction of its pixels
    with each possible code of ``method``, so that each histogram sums to
    1. A texture descriptor for a classifier, tunable with
    :class:`~sklearn.model_selection.GridSearchCV`. The columns are named by
    cell, channel and code: ``lbp_3`` for one cell of gray images,
    ``cell_0_1_lbp_3`` for the first row's second cell, ``channel_2_lbp_3``
    or ``cell_0_1_channel_2_lbp_3`` with channels (see
    :func:`lbp_feature_names`).

    Parameters
    ----------
    P : int, default=8
        Number of neighbours, in [1, 24]; at most 16 for ``"default"`` and
        ``"ror"``.
    R : float, default=1.0
        Radius of the circle, in pixels.
    method : {"uniform", "nri_uniform", "ror", "default"}, default="uniform"
        The codes counted (see :func:`lbp_histogram`); ``"var"`` is
        refused.
    grid : int or tuple of int, default=(1, 1)
        Cells ``(rows, columns)``, cut like :func:`numpy.array_split`.
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input.
    image_shape : tuple of int, default=None
        Shape of one image when ``X`` holds flattened images as rows (such
        as ``(8, 8)`` for ``load_digits().data``). With None, 2-D input is
        a batch of 1-D signals, each an image one pixel high.
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
    lbp_histogram : The function behind this estimator.
    local_binary_pattern : The codes themselves.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skimgproc.features import LBPHistogram
    >>> X = load_digits().data[:5]
    >>> lbp = LBPHistogram(grid=(2, 2), image_shape=(8, 8))
    >>> lbp.fit_transform(X).shape
    (5, 40)
    >>> lbp.get_feature_names_out()[[0, -1]].tolist()
    ['cell_0_0_lbp_0', 'cell_1_1_lbp_9']
    """

    _function = staticmethod(lbp_histogram)
    _parameter_constraints = HISTOGRAM_CONSTRAINTS

    def __init__(self, P=8, R=1.0, *, method="uniform", grid=(1, 1),
                 channel_axis=-1, image_shape=None, n_jobs=None, verbose=0):
        self.P = P
        self.R = R
        self.method = method
        self.grid = grid
        self.channel_axis = channel_axis
        self.image_shape = image_shape
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _as_batch(self, X, check_finite=True):
        # Integers are converted plane by plane by the engine.
        return as_batch(X, image_shape=self.image_shape,
                        channel_axis=self.channel_axis, caller=type(self).__name__,
                        lazy=True, check_finite=check_finite, keep_integers=True)

    def _feature_names(self):
        form = self._fitted_form
        params = self._check_params(form)
        return lbp_feature_names(
            params["P"], params["method"], params["grid"],
            n_channels=form.n_channels if form.has_channels else None)
