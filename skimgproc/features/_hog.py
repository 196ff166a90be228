"""Histograms of oriented gradients (Dalal and Triggs) of image batches.

Per image, :func:`hog` gives what ``skimage.feature.hog(image, ...,
feature_vector=True)`` gives, by the same arithmetic (its
``skimage/feature/_hog.py`` and ``_hoghistogram.pyx``), without a Python loop
over images or blocks:

1. optionally the square root of every pixel (``transform_sqrt``);
2. central differences along rows and columns (0 on the border), and for
   colour images, at each pixel, the gradient of the channel with the
   largest magnitude;
3. per cell of ``pixels_per_cell`` pixels, a histogram of the orientations
   (unsigned, in [0, 180) degrees, ``orientations`` bins of equal width)
   weighted by the magnitudes, divided by the cell's area; as scikit-image's
   ``cell_hog``, summed in float32 (the pixels that do not fill a whole cell
   at the bottom and right are left out);
4. the histograms of every block of ``cells_per_block`` cells (blocks
   overlap, one cell apart), normalised (``block_norm``), one after the
   other.

The compiled kernel (:mod:`._hog_numba`, numba) computes it pixel by pixel;
the numpy path below, the reference, over whole chunks of images.
"""

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._base import FeatureTableMixin, ImageTransformer
from .._batch import as_batch
from .._config import optional_module
from .._executor import chunk_scratch, run_ranges
from .._progress import VERBOSE, progress
from .._validation import Bool, Constraints, Int, NJobs, Options, Rule, fail

__all__ = ["HOGDescriptor", "hog"]

#: The block normalisations, as scikit-image names them.
BLOCK_NORMS = ("L1", "L1-sqrt", "L2", "L2-Hys")
#: scikit-image's ``eps`` of the block norms.
EPS = 1e-5


def _check_cells(value, name, owner, batch=None):
    """An int >= 1, or one per spatial axis; a tuple of one per axis."""
    n_spatial = 2 if batch is None else batch.n_spatial
    values = np.atleast_1d(np.asarray(value, dtype=object))
    ok = values.ndim == 1 and len(values) in (1, n_spatial) and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
        and v >= 1 for v in values)
    if not ok:
        fail(name, owner, f"an int >= 1 or a sequence of {n_spatial} such ints "
                          "(one per spatial axis)", value)
    values = tuple(int(v) for v in values)
    return values * n_spatial if len(values) == 1 else values


#: The parameters of :func:`hog` and :class:`HOGDescriptor`.
HOG_CONSTRAINTS = Constraints(
    orientations=Int(1, None),
    pixels_per_cell=Rule(_check_cells),
    cells_per_block=Rule(_check_cells),
    block_norm=Options(BLOCK_NORMS),
    transform_sqrt=Bool(),
    n_jobs=NJobs(),
    verbose=VERBOSE,
)


# -- the plan: cells and blocks of one image -------------------------------------------


@dataclass(frozen=True, eq=False)
class HOGPlan:
    """The geometry of the features of one image (rows, columns).

    A 1-D signal is an image one pixel high whose cells are one pixel high.
    """

    cell: tuple
    n_cells: tuple
    block: tuple
    n_blocks: tuple
    edges: np.ndarray  # the bins' edges, degrees (float32 values)
    block_norm: str
    transform_sqrt: bool
    signals: bool

    @property
    def orientations(self):
        return len(self.edges) - 1

    @property
    def grid(self):
        """Shape of one image's features before flattening."""
        return self.n_blocks + self.block + (self.orientations,)

    @property
    def n_features(self):
        return int(np.prod(self.grid))

    def feature_names(self):
        """``block_<r>_<c>_cell_<i>_<j>_bin_<o>`` (signals: ``block_<c>_cell_<j>
        _bin_<o>``), in the order of the features."""
        index = np.indices(self.grid).reshape(5, -1).T
        if self.signals:
            return np.asarray([f"block_{c}_cell_{j}_bin_{o}"
                               for _, c, _, j, o in index], dtype=object)
        return np.asarray([f"block_{r}_{c}_cell_{i}_{j}_bin_{o}"
                           for r, c, i, j, o in index], dtype=object)


def bin_edges(orientations):
    """scikit-image's bin edges, in degrees: ``(180 / orientations) * k``
    (the last may be an ulp above 180)."""
    per_bin = 180.0 / orientations
    return np.array([per_bin * k for k in range(orientations + 1)], np.float64)


def plan_hog(batch, params, owner):
    """The :class:`HOGPlan` of a batch, or a ValueError if its images are
    smaller than one block."""
    signals = batch.n_spatial == 1
    if signals:
        shape = (1,) + batch.spatial_shape
        cell = (1,) + params["pixels_per_cell"]
        block = (1,) + params["cells_per_block"]
    else:
        shape = batch.spatial_shape
        cell, block = params["pixels_per_cell"], params["cells_per_block"]
    n_cells = tuple(s // c for s, c in zip(shape, cell, strict=True))
    n_blocks = tuple(n - b + 1 for n, b in zip(n_cells, block, strict=True))
    if min(n_blocks) < 1:
        _too_small(shape, cell, block, signals, batch.name, owner)
    return HOGPlan(cell, n_cells, block, n_blocks,
                   bin_edges(params["orientations"]), params["block_norm"],
                   params["transform_sqrt"], signals)


def _too_small(shape, cell, block, signals, name, owner):
    need = tuple(c * b for c, b in zip(cell, block, strict=True))
    if signals:
        raise ValueError(
            f"The rows of {name} are 1-D signals of {shape[1]} feature(s), fewer "
            f"than one block of {owner} needs: pixels_per_cell={cell[1]} times "
            f"cells_per_block={block[1]} = {need[1]} samples."
        )
    raise ValueError(
        f"The images of {name}, of {shape[0]} x {shape[1]} pixels, are smaller "
        f"than one block of {owner}: with pixels_per_cell={cell} and "
        f"cells_per_block={block} a block needs at least {need[0]} rows and "
        f"{need[1]} columns."
    )


def _check_non_negative(batch, owner):
    low = float(batch.images.min())
    if low < 0:
        raise ValueError(
            f"The 'transform_sqrt' parameter of {owner} takes the square root of "
            f"every pixel, but {batch.name} has negative values (down to "
            f"{low:g}). Use transform_sqrt=False, or shift the images first."
        )


# -- the numpy reference path ----------------------------------------------------------


def _gradients(images, sqrt):
    """scikit-image's ``g_row, g_col`` of ``(n, H, W, C)`` images: central
    differences in the images' type, and the channel of largest magnitude."""
    if sqrt:
        images = np.sqrt(images)
    g_row = np.zeros_like(images)
    g_row[:, 1:-1] = images[:, 2:] - images[:, :-2]
    g_col = np.zeros_like(images)
    g_col[:, :, 1:-1] = images[:, :, 2:] - images[:, :, :-2]
    if images.shape[-1] > 1:
        best = np.hypot(g_row, g_col).argmax(axis=-1)[..., np.newaxis]
        g_row = np.take_along_axis(g_row, best, axis=-1)
        g_col = np.take_along_axis(g_col, best, axis=-1)
    return g_row[..., 0].astype(np.float64), g_col[..., 0].astype(np.float64)


def _cell_histograms(g_row, g_col, plan):
    """``(n, n_cells_r, n_cells_c, bins)`` float32 histograms, summed pixel by
    pixel in each cell's raster order and divided by the cell's area, as
    scikit-image's ``cell_hog``."""
    magnitude = np.hypot(g_col, g_row)
    orientation = np.rad2deg(np.arctan2(g_row, g_col)) % 180
    bins = np.searchsorted(plan.edges, orientation, side="right") - 1
    outside = bins >= plan.orientations  # at 180 degrees: in no bin
    magnitude[outside], bins[outside] = 0.0, 0
    (c_r, c_c), (n_r, n_c) = plan.cell, plan.n_cells
    n = len(g_row)

    def cells(a):
        return a[:, : n_r * c_r, : n_c * c_c].reshape(n, n_r, c_r, n_c, c_c)

    magnitude, bins = cells(magnitude), cells(bins)
    hist = np.zeros((n, n_r, n_c, plan.orientations), np.float32)
    for dy in range(c_r):
        for dx in range(c_c):
            k = bins[:, :, dy, :, dx, np.newaxis]
            total = np.take_along_axis(hist, k, axis=-1) + magnitude[:, :, dy, :, dx,
                                                                     np.newaxis]
            np.put_along_axis(hist, k, total.astype(np.float32), axis=-1)
    return hist / np.float32(c_r * c_c)


def _normalized_blocks(hist, plan):
    """``(n, n_features)``: every block's histograms normalised, float64."""
    blocks = sliding_window_view(hist.astype(np.float64), plan.block, axis=(1, 2))
    # (n, blocks_r, blocks_c, cells_r, cells_c, bins)
    blocks = np.moveaxis(blocks, 3, -1)
    axes = (-3, -2, -1)

    def l2(b):
        return b / np.sqrt(np.sum(b**2, axis=axes, keepdims=True) + EPS**2)

    if plan.block_norm in ("L1", "L1-sqrt"):
        out = blocks / (np.sum(np.abs(blocks), axis=axes, keepdims=True) + EPS)
        if plan.block_norm == "L1-sqrt":
            out = np.sqrt(out)
    elif plan.block_norm == "L2":
        out = l2(blocks)
    else:
        out = l2(np.minimum(l2(blocks), 0.2))
    return out.reshape(len(hist), -1)


def _numpy_chunk(plan, images, out):
    g_row, g_col = _gradients(images, plan.transform_sqrt)
    out[...] = _normalized_blocks(_cell_histograms(g_row, g_col, plan), plan)


def _compiled_chunk(kernels, plan, images, out):
    hist = chunk_scratch(plan.n_cells + (plan.orientations,), np.float32,
                         slot=("hog", "hist"))
    block = chunk_scratch((int(np.prod(plan.block)) * plan.orientations,),
                          np.float64, slot=("hog", "block"))
    radians = np.deg2rad(plan.edges)
    kernels.hog_features(images, *plan.cell, *plan.block, plan.edges,
                         np.cos(radians), np.sin(radians),
                         BLOCK_NORMS.index(plan.block_norm), plan.transform_sqrt,
                         hist, block, out)


def _hog(batch, plan, n_jobs):
    """The features of every image, over chunks of the batch on threads."""
    images = batch.images
    out = np.empty((batch.n_samples, plan.n_features), images.dtype)
    kernels = optional_module(".features._hog_numba")  # in the calling thread
    if kernels is None:
        def work(chunk, dst):
            _numpy_chunk(plan, chunk, dst)
    else:
        def work(chunk, dst):
            _compiled_chunk(kernels, plan, chunk, dst)

    def run(a, b):
        chunk = batch.as_2d(images[a:b])  # a signal: an image one pixel high
        work(chunk if batch.has_channels else chunk[..., np.newaxis], out[a:b])

    run_ranges(run, batch.n_samples, images[:1].nbytes, n_jobs)
    return out


# -- the function and the estimator ----------------------------------------------------


def hog(images, *, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(3, 3),
        block_norm="L2-Hys", transform_sqrt=False, channel_axis=-1, image_shape=None,
        n_jobs=None, verbose=0):
    """Histograms of oriented gradients (HOG) of each image of a batch.

    Per image, the result equals ``skimage.feature.hog(image, orientations,
    pixels_per_cell, cells_per_block, block_norm, transform_sqrt=...,
    feature_vector=True)`` (with ``channel_axis=-1`` for colour images),
    after Dalal and Triggs [1]_: gradient orientations voted into the
    histograms of cells, normalised over overlapping blocks of cells.

    Parameters
    ----------
    images : array-like
        Batch of images: ``(n, height, width)``, ``(n, height, width,
        channels)`` (see ``channel_axis``), or ``(n, n_features)`` rows
        (flattened images with ``image_shape``, 1-D signals without: each an
        image one pixel high, whose cells are one pixel high; its gradients
        all lie in the first bin).
    orientations : int, default=9
        Number of orientation bins over [0, 180) degrees.
    pixels_per_cell : int or tuple of int, default=(8, 8)
        Size of a cell in pixels, for every spatial axis or one per spatial
        axis (rows, columns). Pixels beyond the last whole cell are left
        out, as in scikit-image.
    cells_per_block : int or tuple of int, default=(3, 3)
        Size of a block in cells, for every spatial axis or one per axis.
    block_norm : {"L1", "L1-sqrt", "L2", "L2-Hys"}, default="L2-Hys"
        Normalisation of each block ``v``, with ``eps = 1e-5``: ``v / (|v|_1
        + eps)``; its square root; ``v / sqrt(|v|_2^2 + eps^2)``; or that,
        clipped at 0.2 and normalised again (Lowe's hysteresis).
    transform_sqrt : bool, default=False
        Take the square root of every pixel first (power law compression);
        images with negative values are refused.
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input. At each pixel the channel with the
        largest gradient magnitude gives the gradient.
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
    features : ndarray of shape (n_images, n_features)
        Per image, the blocks in raster order, each ``(cells_r, cells_c,
        orientations)`` raveled. float32 stays float32, other input becomes
        float64.

    Raises
    ------
    ValueError
        If the images are smaller than one block (``pixels_per_cell *
        cells_per_block`` pixels along each axis).

    See Also
    --------
    HOGDescriptor : The same as a scikit-learn transformer.

    References
    ----------
    .. [1] N. Dalal and B. Triggs, "Histograms of oriented gradients for
       human detection", CVPR 2005, :doi:`10.1109/CVPR.2005.177`.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import hog
    >>> images = np.zeros((2, 16, 16))
    >>> images[0, :, 8:] = 1.0  # a vertical edge: horizontal gradients
    >>> features = hog(images, pixels_per_cell=(8, 8), cells_per_block=(1, 1))
    >>> features.shape  # 2 x 2 blocks of one cell, 9 bins each
    (2, 36)
    >>> features[0, :9].round(3)  # the cell left of the edge: all at 0 degrees
    array([1., 0., 0., 0., 0., 0., 0., 0., 0.])
    >>> float(features[1].max())  # a constant image
    0.0
    """
    batch = as_batch(images, image_shape=image_shape, channel_axis=channel_axis,
                     caller="hog")
    params = HOG_CONSTRAINTS.validate(
        dict(orientations=orientations, pixels_per_cell=pixels_per_cell,
             cells_per_block=cells_per_block, block_norm=block_norm,
             transform_sqrt=transform_sqrt, n_jobs=n_jobs, verbose=verbose),
        "hog", batch)
    plan = plan_hog(batch, params, "hog")
    if plan.transform_sqrt:
        _check_non_negative(batch, "hog")
    with progress(params["verbose"], batch.n_samples, "hog"):
        return _hog(batch, plan, params["n_jobs"])


class HOGDescriptor(FeatureTableMixin, ImageTransformer):
    """Histograms of oriented gradients of every image: a row of features each.

    A thin estimator over :func:`hog` (scikit-image's ``hog`` per image,
    after Dalal and Triggs), for a classifier's pipeline and parameter
    searches; ``transform`` gives a ``(n_images, n_features)`` table. The
    columns are named ``block_<r>_<c>_cell_<i>_<j>_bin_<o>``: block ``(r,
    c)`` of the image, cell ``(i, j)`` of the block, orientation bin ``o``
    (``block_<c>_cell_<j>_bin_<o>`` for 1-D signals).

    Parameters
    ----------
    orientations : int, default=9
        Number of orientation bins over [0, 180) degrees.
    pixels_per_cell : int or tuple of int, default=(8, 8)
        Size of a cell in pixels, for every spatial axis or one per axis.
    cells_per_block : int or tuple of int, default=(3, 3)
        Size of a block in cells, for every spatial axis or one per axis.
    block_norm : {"L1", "L1-sqrt", "L2", "L2-Hys"}, default="L2-Hys"
        Normalisation of each block (see :func:`hog`).
    transform_sqrt : bool, default=False
        Take the square root of every pixel first (non-negative images).
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input.
    image_shape : tuple of int, default=None
        Shape of one image when ``X`` holds flattened images as rows (for
        example ``(8, 8)`` for ``load_digits().data``). With None, 2-D input
        is a batch of 1-D signals (see :func:`hog`).
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
    hog : The function behind this estimator.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skimgproc import HOGDescriptor
    >>> X = load_digits().data[:5]
    >>> descriptor = HOGDescriptor(orientations=4, pixels_per_cell=(4, 4),
    ...                            cells_per_block=(2, 2), image_shape=(8, 8))
    >>> descriptor.fit_transform(X).shape
    (5, 16)
    >>> descriptor.get_feature_names_out()[:2].tolist()
    ['block_0_0_cell_0_0_bin_0', 'block_0_0_cell_0_0_bin_1']
    """

    _function = staticmethod(hog)
    _parameter_constraints = HOG_CONSTRAINTS

    def __init__(self, *, orientations=9, pixels_per_cell=(8, 8),
                 cells_per_block=(3, 3), block_norm="L2-Hys", transform_sqrt=False,
                 channel_axis=-1, image_shape=None, n_jobs=None, verbose=0):
        self.orientations = orientations
        self.pixels_per_cell = pixels_per_cell
        self.cells_per_block = cells_per_block
        self.block_norm = block_norm
        self.transform_sqrt = transform_sqrt
        self.channel_axis = channel_axis
        self.image_shape = image_shape
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _check_params(self, batch):
        # Images smaller than a block are refused in fit already.
        params = super()._check_params(batch)
        plan_hog(batch, params, type(self).__name__)
        return params

    def _feature_names(self):
        form = self._fitted_form
        return plan_hog(form, self._check_params(form), type(self).__name__
                        ).feature_names()
