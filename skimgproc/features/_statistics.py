"""Per-cell statistics of image batches: any map as a feature vector.

Each image is cut into a grid of cells the way :func:`numpy.array_split`
cuts each spatial axis (the first ``size % parts`` cells one pixel larger),
and each cell of each channel gives its mean, standard deviation, minimum,
maximum, median, sum or percentiles. A gradient magnitude, a denoised image
or a label map so becomes one row of numbers per image
(``SobelGradient -> ImageStatistics(grid=(4, 4))``).

There is no loop over images. The batch is cut into cache-sized chunks of
images, on threads (:func:`skimgproc._executor.run_ranges`; NumPy's
reductions and sorts release the GIL), and each chunk is copied once, in
float64, with the images last in memory when a chunk holds more of them
than a cell's row has pixels (many small images: the reductions' inner
loops then run along the images), first otherwise (large images: along the
rows). A grid's cells come in at most two sizes along each axis, so at most
four blocks of equal cells (one for an even grid); each block is a view
``(rows, height, columns, width, images)`` of the copy, and every statistic
is one NumPy reduction of it, for all its cells and images at once;
percentiles sort (or partition) each cell's pixels copied to a row. The
results are given back in the batch's dtype: float32 stays float32.
"""

import re

import numpy as np

from .._base import FeatureTableMixin, ImageTransformer
from .._batch import as_batch
from .._executor import chunk_scratch, run_ranges
from .._progress import VERBOSE, progress
from .._validation import Constraints, Int, NJobs, Rule, fail

__all__ = ["ImageStatistics", "image_statistics", "statistics_feature_names"]

#: The named statistics; percentiles are written ``"p<q>"``, ``0 <= q <= 100``.
STATISTICS = ("mean", "std", "min", "max", "median", "sum")

#: The default statistics of :func:`image_statistics` and :class:`ImageStatistics`.
DEFAULT_STATISTICS = ("mean", "std", "min", "max")

_PERCENTILE = re.compile(r"p(\d+(?:\.\d+)?)")

# The axes of a block (rows, height, columns, width, images) that hold the
# pixels of one cell.
_CELL_AXES = (1, 3)

#: Cells of at most this many pixels are sorted for their percentiles; larger
#: ones are partitioned around the order statistics needed (np.partition on
#: short rows costs ten times a sort).
MAX_SORTED_CELL = 4096

_REDUCTIONS = {
    "sum": lambda block: block.sum(axis=_CELL_AXES),
    "mean": lambda block: block.sum(axis=_CELL_AXES) / (block.shape[1]
                                                         * block.shape[3]),
    "min": lambda block: block.min(axis=_CELL_AXES),
    "max": lambda block: block.max(axis=_CELL_AXES),
}


# -- parameters ------------------------------------------------------------------------


def _percentile(name):
    """The percentile a statistic's name stands for (``"median"`` is 50),
    or None for the other statistics and for names that are no statistic."""
    if name == "median":
        return 50.0
    match = _PERCENTILE.fullmatch(name)
    if match is None or float(match.group(1)) > 100:
        return None
    return float(match.group(1))


def _statistic_key(name):
    """What a name computes, so that "median" and "p50.0" repeat "p50"; None
    for a name that is no statistic."""
    if name in STATISTICS and name != "median":
        return name
    q = _percentile(name)
    return None if q is None else ("percentile", q)


def _statistics_problem(names):
    """What is wrong with a tuple of statistics' names, or None."""
    if not names:
        return "no statistic is named"
    seen = {}
    for name in names:
        if not isinstance(name, str):
            return f"{name!r} is not a statistic's name"
        key = _statistic_key(name)
        if key is None and name.startswith("p"):
            return (f"{name!r} is not a percentile (write 'p' and a number from 0 "
                    "to 100, such as 'p10' or 'p2.5')")
        if key is None:
            return f"{name!r} is not a statistic"
        if key in seen and seen[key] == name:
            return f"{name!r} is named twice"
        if key in seen:
            return f"{name!r} computes the same as {seen[key]!r}"
        seen[key] = name
    return None


def check_statistics(value, name, owner, batch=None):
    """A statistic's name, or a non-empty tuple of distinct ones; normalised
    to a tuple."""
    names = (value,) if isinstance(value, str) else value
    try:
        names = tuple(names)
    except TypeError:
        names = None
    why = _statistics_problem(names)
    if why is not None:
        fail(name, owner,
             "a non-empty tuple of distinct statistics among "
             f"{', '.join(repr(s) for s in STATISTICS)} and percentiles 'p0' "
             "to 'p100'", value, why)
    return names


_CELLS = Int(1)


def _grid_cells(value, n_spatial):
    """The grid as a tuple of one count per spatial axis, or None. A 1-D
    signal is an image one pixel high: ``(1, k)`` is its ``(k,)``."""
    if _CELLS.accepts(value, None):
        return (int(value),) * n_spatial
    try:
        cells = tuple(value)
    except TypeError:
        return None
    if (n_spatial == 1 and len(cells) == 2 and _CELLS.accepts(cells[0], None)
            and cells[0] == 1):
        cells = cells[1:]
    if len(cells) != n_spatial or not all(_CELLS.accepts(c, None) for c in cells):
        return None
    return tuple(int(c) for c in cells)


def check_grid(value, name, owner, batch=None):
    """An int, or one int per spatial axis: the cells along each axis, at
    least 1 and at most the images' size along it; normalised to a tuple of
    one int per spatial axis."""
    n_spatial = 2 if batch is None else batch.n_spatial
    cells = _grid_cells(value, n_spatial)
    if cells is None:
        axes = ("a tuple (rows, columns) of such ints" if n_spatial == 2 else
                "a tuple (k,) or (1, k) for 1-D signals")
        fail(name, owner, f"an int >= 1 (cells along each spatial axis) or {axes}",
             value)
    if batch is not None:
        shape = tuple(batch.spatial_shape)
        for count, size in zip(cells, shape, strict=True):
            if count > size:
                fail(name, owner,
                     f"at most the images' size {shape} along each spatial axis",
                     value, f"{count} cells along an axis of {size} pixels would "
                     "leave some empty")
    return cells


#: The parameters of :func:`image_statistics` and :class:`ImageStatistics`.
STATISTICS_CONSTRAINTS = Constraints(
    statistics=Rule(check_statistics),
    grid=Rule(check_grid),
    n_jobs=NJobs(),
    verbose=VERBOSE,
)


# -- the engine ------------------------------------------------------------------------


def _axis_runs(size, parts):
    """np.array_split's cells along one axis as runs of equal cells:
    ``(first cell, number of cells, first pixel, cell size)``, at most two."""
    small, n_big = divmod(size, parts)
    runs = [(0, n_big, 0, small + 1),
            (n_big, parts - n_big, n_big * (small + 1), small)]
    return [run for run in runs if run[1] > 0]


def _scratch(shape, slot, planes_first):
    """A float64 temporary of ``shape`` (``(..., images)``), laid out in
    memory with the images last or first, as the pixels are."""
    if not planes_first:
        return chunk_scratch(shape, np.float64, slot=("statistics", slot))
    buffer = chunk_scratch(shape[-1:] + shape[:-1], np.float64,
                           slot=("statistics", slot))
    return np.moveaxis(buffer, 0, -1)


def _std(block, planes_first):
    """Standard deviation of each cell (``ddof=0``), from the deviations to
    its first pixel: Samuelson's inequality, ``(x - mean)**2 <= (N - 1) *
    var`` for any pixel ``x``, bounds the cancellation of ``E[d**2] -
    E[d]**2`` to ``N`` roundings, and a constant cell gives exactly 0."""
    dev = _scratch(block.shape, "dev", planes_first)
    np.subtract(block, block[:, :1, :, :1], out=dev)
    n_pixels = block.shape[1] * block.shape[3]
    mean = dev.sum(axis=_CELL_AXES) / n_pixels
    np.multiply(dev, dev, out=dev)
    var = dev.sum(axis=_CELL_AXES) / n_pixels - mean * mean
    return np.sqrt(np.maximum(var, 0.0, out=var), out=var)


def _percentiles(block, percentiles, planes_first):
    """``np.percentile(cell, percentiles)`` (linear) of each cell:
    ``(len(percentiles), rows, columns, images)``."""
    n_rows, cell_h, n_cols, cell_w, m = block.shape
    n_pixels = cell_h * cell_w
    # Each cell's pixels in one contiguous row, to sort.
    cells = _scratch((n_rows, n_cols, cell_h, cell_w, m), "cells", planes_first)
    cells = np.moveaxis(cells, -1, 2)
    np.copyto(cells, block.transpose(0, 2, 4, 1, 3))
    cells = cells.reshape(n_rows, n_cols, m, n_pixels)
    # NumPy's linear method: its virtual indices and its lerp.
    position = np.true_divide(percentiles, 100) * (n_pixels - 1)
    low = np.floor(position).astype(np.intp)
    high = np.minimum(low + 1, n_pixels - 1)
    if n_pixels <= MAX_SORTED_CELL:
        cells.sort(axis=-1)
    else:
        cells.partition(np.unique(np.concatenate([low, high])), axis=-1)
    below, above = cells[..., low], cells[..., high]
    gamma = position - low
    diff = above - below
    values = below + diff * gamma
    np.subtract(above, diff * (1 - gamma), out=values, where=gamma >= 0.5)
    return np.moveaxis(values, -1, 0)


def _block_statistics(block, statistics, planes_first):
    """The statistics of every cell of a block ``(rows, height, columns,
    width, images)``: ``(statistics, rows, columns, images)``, float64."""
    n_rows, _, n_cols, _, m = block.shape
    values = np.empty((len(statistics), n_rows, n_cols, m))
    percentiles = {}
    for k, name in enumerate(statistics):
        if name == "std":
            values[k] = _std(block, planes_first)
        elif name in _REDUCTIONS:
            values[k] = _REDUCTIONS[name](block)
        else:
            percentiles[k] = _percentile(name)
    if percentiles:
        values[list(percentiles)] = _percentiles(
            block, list(percentiles.values()), planes_first)
    return values


def _cell_statistics(images, statistics, grid, out):
    """The statistics of every cell of images ``(n, height, width,
    channels)`` into ``out``, ``(n, *grid, channels, statistics)``: a
    block of equal cells at a time, every image at once.

    The pixels are copied in float64 to ``(height, width, n * channels)``
    (the axes every block is a view of), laid out with the images last in
    memory when there are more of them than pixels in a cell's row: the
    reductions' inner loops then run along all the images and channels at
    once, where a small cell's rows would be loops of a few pixels. Large
    images keep their planes first, and the loops run along the rows.
    """
    n, height, width, n_channels = images.shape
    planes_first = n * n_channels <= -(-width // grid[1])
    if planes_first:
        pixels = chunk_scratch((n, n_channels, height, width), np.float64,
                               slot=("statistics", "pixels"))
        np.copyto(pixels, images.transpose(0, 3, 1, 2))
        pixels = pixels.reshape(n * n_channels, height, width).transpose(1, 2, 0)
    else:
        pixels = chunk_scratch((height, width, n, n_channels), np.float64,
                               slot=("statistics", "pixels"))
        np.copyto(pixels, images.transpose(1, 2, 0, 3))
        pixels = pixels.reshape(height, width, n * n_channels)
    for row, n_rows, top, cell_h in _axis_runs(height, grid[0]):
        for col, n_cols, left, cell_w in _axis_runs(width, grid[1]):
            block = pixels[top : top + n_rows * cell_h,
                           left : left + n_cols * cell_w]
            block = block.reshape(n_rows, cell_h, n_cols, cell_w, -1)
            values = _block_statistics(block, statistics, planes_first).reshape(
                len(statistics), n_rows, n_cols, n, n_channels)
            out[:, row : row + n_rows, col : col + n_cols] = values.transpose(
                3, 1, 2, 4, 0)


def _statistics(batch, statistics, grid, n_jobs):
    """The ``(n_images, n_features)`` table, in the batch's dtype."""
    images = batch.as_2d(batch.images)  # a signal is an image one pixel high
    if not batch.has_channels:
        images = images[..., np.newaxis]
    grid = (1,) * (2 - len(grid)) + tuple(grid)
    n = batch.n_samples
    out = np.empty((n, *grid, images.shape[-1], len(statistics)),
                   batch.images.dtype)

    def work(start, stop):
        _cell_statistics(images[start:stop], statistics, grid, out[start:stop])

    run_ranges(work, n, images[:1].nbytes, n_jobs)
    return out.reshape(n, -1)


def statistics_feature_names(statistics, grid, *, n_channels=None):
    """The names of the columns of :func:`image_statistics`.

    ``cell_<row>_<col>_`` (one index per spatial axis) leads each name when
    the grid has more than one cell, then ``channel_<c>_`` when the images
    have channels (``n_channels`` is not None), then the statistic: ``mean``,
    ``cell_0_1_p90``, ``cell_1_0_channel_2_max``. Cell by cell (in row-major
    order), channel by channel, statistic by statistic, as the columns are.
    """
    cells = ([""] if all(count == 1 for count in grid) else
             ["cell_" + "_".join(map(str, index)) + "_"
              for index in np.ndindex(*grid)])
    channels = [""] if n_channels is None else [f"channel_{c}_"
                                                for c in range(n_channels)]
    return np.asarray([cell + channel + statistic for cell in cells
                       for channel in channels for statistic in statistics],
                      dtype=object)


# -- public function -------------------------------------------------------------------


def image_statistics(images, statistics=DEFAULT_STATISTICS, *, grid=(1, 1),
                     channel_axis=-1, image_shape=None, n_jobs=None, verbose=0):
    """Statistics of each image of a batch, per channel and per grid cell.

    Each image is cut into ``grid`` cells as :func:`numpy.array_split` cuts
    each spatial axis, and each channel of each cell gives the statistics,
    as NumPy computes them on that cell alone (``np.mean``, ``np.std`` with
    ``ddof=0``, ``np.percentile`` with linear interpolation): one row of
    features per image, without a Python loop over the images.

    Parameters
    ----------
    images : array-like
        Batch of images: ``(n, height, width)``, ``(n, height, width,
        channels)`` (see ``channel_axis``), or ``(n, n_features)`` rows
        (flattened images with ``image_shape``, 1-D signals without).
    statistics : str or tuple of str, default=("mean", "std", "min", "max")
        Distinct statistics among ``"mean"``, ``"std"``, ``"min"``,
        ``"max"``, ``"median"``, ``"sum"`` and percentiles written ``"p"``
        and a number from 0 to 100 (``"p10"``, ``"p2.5"``).
    grid : int or tuple of int, default=(1, 1)
        Cells along each spatial axis (rows, columns), at most the images'
        size; an int for every axis. A 1-D signal is an image one pixel
        high: ``(1, k)`` or ``(k,)`` cuts it in ``k`` pieces.
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input.
    image_shape : tuple of int, optional
        ``(height, width)`` or ``(height, width, channels)`` when ``images``
        holds flattened images as rows.
    n_jobs : int, optional
        Threads to use for large batches; None uses every available core.
    verbose : int, default=0
        Progress reports: 0 is silent; 1 reports the images done and the
        time left at most every 2 seconds (see :func:`~skimgproc.rof_denoise`),
        2 every chunk of images.

    Returns
    -------
    table : ndarray of shape (n_images, n_cells * n_channels * n_statistics)
        Cell by cell (row-major), channel by channel, statistic by
        statistic (see :func:`statistics_feature_names`); float32 stays
        float32, other input becomes float64.

    See Also
    --------
    ImageStatistics : The same as a scikit-learn feature extractor.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import image_statistics
    >>> images = np.arange(2 * 4 * 6, dtype=float).reshape(2, 4, 6)
    >>> image_statistics(images, ("min", "max"))
    array([[ 0., 23.],
           [24., 47.]])
    >>> image_statistics(images, "mean", grid=(2, 3))[0]
    array([ 3.5,  5.5,  7.5, 15.5, 17.5, 19.5])
    """
    batch = as_batch(images, image_shape=image_shape, channel_axis=channel_axis,
                     caller="image_statistics")
    params = STATISTICS_CONSTRAINTS.validate(
        dict(statistics=statistics, grid=grid, n_jobs=n_jobs, verbose=verbose),
        "image_statistics", batch)
    with progress(params.pop("verbose"), batch.n_samples, "image_statistics"):
        return _statistics(batch, **params)


# -- estimator -------------------------------------------------------------------------


class ImageStatistics(FeatureTableMixin, ImageTransformer):
    """Statistics of each image per channel and grid cell, as features.

    A thin estimator over :func:`image_statistics`: ``transform`` gives one
    row per image, the chosen statistics of every channel of every cell of
    a grid cut like :func:`numpy.array_split`. Put it after any map to make
    a feature vector of it, for example ``make_pipeline(SobelGradient(),
    ImageStatistics(grid=(4, 4)), LogisticRegression())``. The columns are
    named by cell, channel and statistic: ``mean`` for one cell of gray
    images, ``cell_0_1_mean`` for the first row's second cell,
    ``channel_2_mean`` or ``cell_0_1_channel_2_mean`` with channels (see
    :func:`statistics_feature_names`).

    Parameters
    ----------
    statistics : str or tuple of str, default=("mean", "std", "min", "max")
        Distinct statistics among ``"mean"``, ``"std"``, ``"min"``,
        ``"max"``, ``"median"``, ``"sum"`` and percentiles such as
        ``"p10"`` and ``"p90"``.
    grid : int or tuple of int, default=(1, 1)
        Cells along each spatial axis (rows, columns), at most the images'
        size; for 1-D signals ``(1, k)`` or ``(k,)``.
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input.
    image_shape : tuple of int, default=None
        Shape of one image when ``X`` holds flattened images as rows (for
        example ``(8, 8)`` for ``load_digits().data``). With None, 2-D input
        is a batch of 1-D signals.
    n_jobs : int, default=None
        Threads to use for large batches; None uses every available core.
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
    image_statistics : The function behind this estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import ImageStatistics
    >>> X = np.arange(2 * 4 * 6, dtype=float).reshape(2, 4, 6)
    >>> stats = ImageStatistics(("mean", "p90"), grid=(1, 2))
    >>> stats.fit_transform(X)
    array([[10. , 18.9, 13. , 21.9],
           [34. , 42.9, 37. , 45.9]])
    >>> stats.get_feature_names_out().tolist()
    ['cell_0_0_mean', 'cell_0_0_p90', 'cell_0_1_mean', 'cell_0_1_p90']
    """

    _function = staticmethod(image_statistics)
    _parameter_constraints = STATISTICS_CONSTRAINTS

    def __init__(self, statistics=DEFAULT_STATISTICS, *, grid=(1, 1),
                 channel_axis=-1, image_shape=None, n_jobs=None, verbose=0):
        self.statistics = statistics
        self.grid = grid
        self.channel_axis = channel_axis
        self.image_shape = image_shape
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _feature_names(self):
        form = self._fitted_form
        params = self._check_params(form)
        return statistics_feature_names(
            params["statistics"], params["grid"],
            n_channels=form.n_channels if form.has_channels else None)
