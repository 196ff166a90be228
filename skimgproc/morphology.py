"""Binary morphology of image batches: opening and closing.

The chapter's bridge remover, ``binary_opening(im, ones((9, 5)),
iterations=2)``, over image batches. Every result equals scipy.ndimage run
on each image alone, with scipy's structuring-element origin and border
handling. The images of a batch are laid out in a mosaic, tile by tile
(:mod:`._mosaic`), separated by background at least as wide as the
structuring element reaches, so that images never mix.

Erosion and dilation by a rectangle of ones are separable into 1-D windows,
and ``iterations=k`` equals one pass with a rectangle ``k * (size - 1) + 1``
long; each 1-D window is an AND (erosion) or OR (dilation) of shifted
copies, done in ``log2(size)`` whole-array steps [1]_, compiled with numba
when it is installed (:mod:`._morphology_numba`). Any other structuring
element goes through scipy.ndimage itself.

References
----------
.. [1] R. van den Boomgaard and R. van Balen, "Methods for fast
   morphological image transforms using bitmapped binary images", CVGIP:
   Graphical Models and Image Processing 54(3), 1992.
"""

from dataclasses import dataclass
from numbers import Integral

import numpy as np
from scipy import ndimage as ndi

from ._base import ImageTransformer
from ._mosaic import plan_tiles, run_tiles, tile_batch, tile_rows
from ._progress import VERBOSE, progress
from ._validation import Constraints, Int, NJobs, Rule, fail
from .thresholding import NONZERO

__all__ = ["BinaryClosing", "BinaryOpening", "binary_closing", "binary_opening"]

OPERATIONS = frozenset({"opening", "closing", "none"})


# -- parameters ------------------------------------------------------------------------


def _is_int(value):
    return isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))


def check_iterations(value, name, owner, batch):
    """An int >= 1; scipy's ``iterations < 1`` is refused with its meaning."""
    if _is_int(value) and value < 1:
        raise ValueError(
            f"The '{name}' parameter of {owner} must be an int in the range "
            f"[1, inf). Got {value!r} instead. (scipy.ndimage reads iterations < 1 "
            "as 'repeat until nothing changes', which erases objects; it is not "
            "supported.)"
        )
    return Int(1, None).check(value, name, owner)


@dataclass(frozen=True)
class _Structure:
    """A checked 2-D structuring element: ``array`` is None for a rectangle of
    ones of the given ``shape``."""

    shape: tuple
    array: np.ndarray | None = None


def _ranks(n_spatial):
    # A 1-D signal is an image one pixel high: a 2-D structure applies to it.
    if n_spatial == 1:
        return "1 (or 2, a signal being an image one pixel high)"
    return str(n_spatial)


def _structure_expected(n_spatial):
    return ("a tuple of positive ints (the shape of a rectangle of ones) or an "
            f"array of 0s and 1s, with {_ranks(n_spatial)} dimensions")


def _explicit_structure(value, name, owner, n_spatial):
    """An array of 0s and 1s with at least one 1, as booleans."""
    expected = _structure_expected(n_spatial)
    try:
        array = np.asarray(value)
        numeric = array.dtype.kind in "biuf"
    except (TypeError, ValueError):
        numeric = False
    if not numeric or array.ndim == 0:
        fail(name, owner, expected, value)
    values = array.astype(np.float64)
    if not np.all((values == 0) | (values == 1)):
        fail(name, owner, expected + " (other values found)", value)
    if array.size == 0 or not values.any():
        raise ValueError(
            f"The '{name}' parameter of {owner} is empty (shape "
            f"{array.shape}, no 1s): a structuring element needs at least "
            "one 1."
        )
    return array.astype(bool)


def _structure_for(shape, array, n_spatial, name, owner):
    """The structure as a 2-D element for images of ``n_spatial`` axes."""
    if len(shape) != n_spatial and not (n_spatial == 1 and len(shape) == 2):
        raise ValueError(
            f"The '{name}' parameter of {owner} has {len(shape)} dimensions "
            f"(shape {shape}), but the images have {n_spatial} spatial "
            f"dimensions: expected a structuring element with "
            f"{_ranks(n_spatial)} dimensions."
        )
    if len(shape) == 1:  # a 1-D signal: a row image and a one-row structure
        shape = (1,) + shape
        array = None if array is None else array.reshape(shape)
    if array is not None and array.all():
        array = None  # a rectangle of ones, given as an array
    return _Structure(shape, array)


def check_structure(value, name, owner, batch):
    """A shape tuple (rectangle of ones) or an explicit array of 0s and 1s
    with one dimension per spatial axis; normalised to a :class:`_Structure`."""
    if isinstance(value, tuple) and all(_is_int(v) for v in value):
        if not value or min(value) < 1:
            fail(name, owner, _structure_expected(batch.n_spatial), value)
        shape, array = tuple(int(v) for v in value), None
    else:
        array = _explicit_structure(value, name, owner, batch.n_spatial)
        shape = array.shape
    return _structure_for(shape, array, batch.n_spatial, name, owner)


#: The parameters of :func:`binary_opening`, :func:`binary_closing` and
#: their estimators.
MORPHOLOGY_CONSTRAINTS = Constraints(
    structure=Rule(check_structure),
    iterations=Rule(check_iterations),
    n_jobs=NJobs(),
    verbose=VERBOSE,
)


# -- the operation on a tile -----------------------------------------------------------


def _window(src, dst, before, after, step, op, scratch):
    """``dst[p] = op(src[p - before*step], ..., src[p + after*step])`` on flat
    arrays, by doubling: after ``k`` steps ``cur[i]`` combines ``2**k``
    consecutive elements. AND and OR are idempotent, so a window of length
    ``n`` is two overlapping windows of the largest power of two ``<= n``.
    Positions whose window leaves the array are set to False (they lie in a
    gap of the mosaic)."""
    length = before + after + 1
    lo, hi = before * step, src.size - after * step
    cur, span, level = src, 1, 0
    while 2 * span <= length:
        m = cur.size - span * step
        nxt = scratch[level % 2][:m]
        op(cur[:m], cur[span * step: span * step + m], out=nxt)
        cur, span, level = nxt, span * 2, level + 1
    shift = (length - span) * step
    op(cur[: hi - lo], cur[shift: shift + hi - lo], out=dst[lo:hi])
    dst[:lo] = False
    dst[hi:] = False


def _rect_windows(size, iterations, length):
    """(before, after) reach of ``iterations`` erosions and dilations by a
    segment of ``size`` ones along an axis of ``length`` pixels.

    scipy centres a structure on index ``size // 2``; its dilation reflects
    the structure (and shifts even sizes by one), so the dilation window is
    the erosion window mirrored. Reaches beyond the image are clamped to its
    length: erosion then still sees background, dilation nothing more.
    """
    centre = size // 2
    before = min(iterations * centre, length)
    after = min(iterations * (size - 1 - centre), length)
    return (before, after), (after, before)


@dataclass(frozen=True)
class TileMorphology:
    """Opening, closing or nothing (``operation``), by a checked
    ``structure``, on the tiles of the mosaic."""

    operation: str
    structure: _Structure | None = None
    iterations: int = 1

    def gaps(self, shape):
        """Background rows and columns after each image of ``shape``."""
        if self.operation == "none" or self.structure.array is not None:
            # scipy's generic path works on the image stack, not the mosaic:
            # one background row and column keep the images apart for labels.
            return (1, 1)
        # Erosion and dilation reach as far, mirrored.
        return tuple(max(1, *self._windows(axis, shape)[0]) for axis in range(2))

    def _windows(self, axis, shape):
        return _rect_windows(self.structure.shape[axis], self.iterations, shape[axis])

    def apply(self, tile, kernels):
        """Run the operation on ``tile.buffer`` (gaps cleared), compiled when
        ``kernels`` (:mod:`._morphology_numba`) is given; return the work
        array holding the result (its gaps may hold garbage)."""
        if self.operation == "none":
            return tile.buffer
        if self.structure.array is not None:
            return self._apply_generic(tile)
        kinds = ("erode", "dilate") if self.operation == "opening" else (
            "dilate", "erode")
        buffers = (tile.buffer, tile.work("spare"))
        scratch = (tile.work("scratch0").reshape(-1),
                   tile.work("scratch1").reshape(-1))
        if kernels is not None:
            # Every pass in one call, with no GIL: as NumPy calls, the ~20
            # steps of a tile took and released the GIL in turn.
            flat = [tile.flat(a) for a in buffers + scratch]
            which = kernels.rect(*flat, self._passes(tile, kinds), *tile.geometry)
            return buffers[which]
        for kind in kinds:
            if kind == "erode" and self.operation == "closing":
                # The dilation spread into the gaps, which must read as
                # background (border_value=0) for the erosion.
                tile.clear_gaps(buffers[0])
            buffers = self._rect(tile, buffers, kind, scratch)
        return buffers[0]

    def _passes(self, tile, kinds):
        """The passes of :meth:`_rect` for ``_morphology_numba.rect``."""
        passes = []
        for kind in kinds:
            clear = kind == "erode" and self.operation == "closing"
            pick = 0 if kind == "erode" else 1
            for axis, step in ((0, tile.cols), (1, 1)):
                before, after = self._windows(axis, tile.shape)[pick]
                if before + after:
                    passes.append((before, after, step, kind == "erode", clear))
                    clear = False
        return np.array(passes, np.int64).reshape(-1, 5)

    def _rect(self, tile, buffers, kind, scratch):
        """Erode or dilate ``buffers[0]``; returns the buffers, the result
        first (the two are swapped after each 1-D pass)."""
        op = np.logical_and if kind == "erode" else np.logical_or
        pick = 0 if kind == "erode" else 1
        for axis, step in ((0, tile.cols), (1, 1)):
            before, after = self._windows(axis, tile.shape)[pick]
            if before + after == 0:
                continue
            src, dst = buffers
            _window(src.reshape(-1), dst.reshape(-1), before, after, step, op,
                    scratch)
            buffers = (dst, src)
        return buffers

    def _apply_generic(self, tile):
        # scipy on the (n, h, w) stack with a structure one image deep, so
        # that images never mix. Always iterations=1 in a loop: scipy's own
        # iterations > 1 overruns its buffers when the structure is larger
        # than the image (scipy/scipy#11400). The loop stops early once the
        # image no longer changes, which later passes would not change either.
        structure = self.structure.array[np.newaxis]
        steps = (ndi.binary_erosion, ndi.binary_dilation)
        if self.operation == "closing":
            steps = steps[::-1]
        images = tile.images(tile.buffer)
        current = np.ascontiguousarray(images)
        for function in steps:
            for _ in range(self.iterations):
                following = function(current, structure)
                if np.array_equal(following, current):
                    break
                current = following
        images[...] = current
        return tile.buffer


#: Binary images as they are: what labelling alone runs on its tiles.
NO_MORPHOLOGY = TileMorphology("none")


def write_binary(tile, result, out):
    """Finishing step: the tile's binary images into its rows of ``out``."""
    tile_rows(out, tile)[...] = tile.images(result)


def _binary_op(batch, operation, structure, iterations, n_jobs, verbose):
    plan = plan_tiles(NONZERO, TileMorphology(operation, structure, iterations))
    with progress(verbose, batch.n_samples, f"binary_{operation}"):
        return run_tiles(batch, plan, write_binary, np.empty_like(batch.images),
                         n_jobs)


# -- public functions ------------------------------------------------------------------


def binary_opening(images, structure=(9, 5), iterations=1, *, image_shape=None,
                   n_jobs=None, verbose=0):
    """Binary opening of each image of a batch: erosions, then dilations.

    Per image, equal to ``scipy.ndimage.binary_opening(image, structure,
    iterations)`` with scipy's default border handling (``border_value=0``).
    Opening removes foreground too thin for the structuring element, such as
    the bridges between objects, and never adds foreground.

    Parameters
    ----------
    images : array-like
        Batch of binary images ``(n, height, width)``, or rows (flattened
        images with ``image_shape``, 1-D signals without, each an image one
        pixel high). Nonzero pixels are foreground, as in scipy.ndimage.
    structure : tuple of int or array of {0, 1}, default=(9, 5)
        Structuring element: the shape ``(height, width)`` of a rectangle of
        ones (hashable, so it can be tuned in a parameter grid), or an
        explicit array of 0s and 1s with one dimension per spatial axis.
        Centred on index ``size // 2`` along each axis, as in scipy.
    iterations : int, default=1
        How many erosions (and as many dilations), >= 1. scipy's
        ``iterations < 1`` ("until nothing changes") is refused.
    image_shape : tuple of int, optional
        ``(height, width)`` when the input holds flattened images as rows.
    n_jobs : int, optional
        Threads to use. None: the cores this process may use, within the thread
        limits of its environment (see the README, "Threads").
    verbose : int, default=0
        Progress reports: 0 is silent; 1 reports the images done and the
        time left at most every 2 seconds (see :func:`~skimgproc.rof_denoise`),
        2 every chunk of images.

    Returns
    -------
    opened : ndarray
        0/1 values, same shape as ``images``; float32 stays float32, other
        input becomes float64.

    See Also
    --------
    BinaryOpening : The same as a scikit-learn transformer.
    binary_closing, count_objects

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import binary_opening
    >>> images = np.zeros((1, 7, 9))
    >>> images[0, 1:6, 1:4] = images[0, 1:6, 5:8] = 1  # two blocks
    >>> images[0, 3, 4] = 1  # joined by a one-pixel bridge
    >>> binary_opening(images, (3, 3))[0, 3].astype(int)
    array([0, 1, 1, 1, 0, 1, 1, 1, 0])
    """
    batch = tile_batch(images, image_shape, "binary_opening")
    params = MORPHOLOGY_CONSTRAINTS.validate(
        dict(structure=structure, iterations=iterations, n_jobs=n_jobs,
             verbose=verbose),
        "binary_opening", batch)
    return batch.restore(_binary_op(batch, "opening", **params))


def binary_closing(images, structure=(9, 5), iterations=1, *, image_shape=None,
                   n_jobs=None, verbose=0):
    """Binary closing of each image of a batch: dilations, then erosions.

    Per image, equal to ``scipy.ndimage.binary_closing(image, structure,
    iterations)`` with scipy's default border handling. Closing fills gaps
    and holes smaller than the structuring element. Mind scipy's border:
    the erosion reads background (``border_value=0``) outside the image, so
    foreground within reach of the border can be removed (a full image does
    not stay full); away from the border, closing never removes foreground.
    Pad the images with background first if that matters.

    Parameters
    ----------
    images : array-like
        Batch of binary images ``(n, height, width)``, or rows (flattened
        images with ``image_shape``, 1-D signals without, each an image one
        pixel high). Nonzero pixels are foreground, as in scipy.ndimage.
    structure : tuple of int or array of {0, 1}, default=(9, 5)
        Structuring element: the shape ``(height, width)`` of a rectangle of
        ones (hashable, so it can be tuned in a parameter grid), or an
        explicit array of 0s and 1s with one dimension per spatial axis.
        Centred on index ``size // 2`` along each axis, as in scipy.
    iterations : int, default=1
        How many dilations (and as many erosions), >= 1. scipy's
        ``iterations < 1`` ("until nothing changes") is refused.
    image_shape : tuple of int, optional
        ``(height, width)`` when the input holds flattened images as rows.
    n_jobs : int, optional
        Threads to use. None: the cores this process may use, within the thread
        limits of its environment (see the README, "Threads").
    verbose : int, default=0
        Progress reports: 0 is silent; 1 reports the images done and the
        time left at most every 2 seconds (see :func:`~skimgproc.rof_denoise`),
        2 every chunk of images.

    Returns
    -------
    closed : ndarray
        0/1 values, same shape as ``images``; float32 stays float32, other
        input becomes float64.

    See Also
    --------
    BinaryClosing : The same as a scikit-learn transformer.
    binary_opening

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import binary_closing
    >>> images = np.zeros((1, 1, 9))
    >>> images[0, 0, 1:4] = images[0, 0, 5:8] = 1  # a gap of one pixel
    >>> binary_closing(images, (1, 3))[0, 0].astype(int)
    array([0, 1, 1, 1, 1, 1, 1, 1, 0])
    """
    batch = tile_batch(images, image_shape, "binary_closing")
    params = MORPHOLOGY_CONSTRAINTS.validate(
        dict(structure=structure, iterations=iterations, n_jobs=n_jobs,
             verbose=verbose),
        "binary_closing", batch)
    return batch.restore(_binary_op(batch, "closing", **params))


# -- estimators ------------------------------------------------------------------------


class _BinaryMorphology(ImageTransformer):
    """What the opening and closing estimators share: their parameters,
    grayscale-only input, the engine's finite check."""

    _parameter_constraints = MORPHOLOGY_CONSTRAINTS
    _allow_channels = False
    _engine_checks_finite = True  # the tile engine checks (see _mosaic)

    def __init__(self, structure=(9, 5), iterations=1, *, image_shape=None,
                 n_jobs=None, verbose=0):
        self.structure = structure
        self.iterations = iterations
        self.image_shape = image_shape
        self.n_jobs = n_jobs
        self.verbose = verbose


class BinaryOpening(_BinaryMorphology):
    """Binary opening of every image of a batch: erosions, then dilations.

    A thin estimator over :func:`binary_opening`: per image, the same result
    as ``scipy.ndimage.binary_opening(image, structure, iterations)`` with
    scipy's default border handling. Nonzero input pixels are foreground;
    the output is 0/1 in the input's float dtype.

    Opening removes foreground too thin for the structuring element (such
    as bridges between objects) and never adds any.

    Parameters
    ----------
    structure : tuple of int or array of {0, 1}, default=(9, 5)
        Structuring element: the shape ``(height, width)`` of a rectangle of
        ones (hashable, so it can be tuned in a parameter grid), or an
        explicit array of 0s and 1s with one dimension per spatial axis.
        Centred on index ``size // 2`` along each axis, as in scipy.
    iterations : int, default=1
        How many erosions (and as many dilations), >= 1. scipy's
        ``iterations < 1`` ("until nothing changes") is refused.
    image_shape : tuple of int, default=None
        ``(height, width)`` when ``X`` holds flattened images as rows (the
        output is flattened too); with None, 2-D input is a batch of 1-D
        signals, each an image one pixel high.
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
    binary_opening : The function behind this estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import BinaryOpening
    >>> X = np.zeros((2, 12, 12))
    >>> X[:, 2:10, 2:10] = 1
    >>> BinaryOpening(structure=(3, 3), iterations=2).fit_transform(X).shape
    (2, 12, 12)
    """

    _function = staticmethod(binary_opening)


class BinaryClosing(_BinaryMorphology):
    """Binary closing of every image of a batch: dilations, then erosions.

    A thin estimator over :func:`binary_closing`: per image, the same result
    as ``scipy.ndimage.binary_closing(image, structure, iterations)`` with
    scipy's default border handling. Nonzero input pixels are foreground;
    the output is 0/1 in the input's float dtype.

    Closing fills gaps and holes smaller than the structuring element.
    Away from the border it never removes foreground; near it, scipy's
    erosion reads background outside the image and can remove some (pad
    the images with background first if that matters).

    Parameters
    ----------
    structure : tuple of int or array of {0, 1}, default=(9, 5)
        Structuring element: the shape ``(height, width)`` of a rectangle of
        ones (hashable, so it can be tuned in a parameter grid), or an
        explicit array of 0s and 1s with one dimension per spatial axis.
        Centred on index ``size // 2`` along each axis, as in scipy.
    iterations : int, default=1
        How many dilations (and as many erosions), >= 1. scipy's
        ``iterations < 1`` ("until nothing changes") is refused.
    image_shape : tuple of int, default=None
        ``(height, width)`` when ``X`` holds flattened images as rows (the
        output is flattened too); with None, 2-D input is a batch of 1-D
        signals, each an image one pixel high.
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
    binary_closing : The function behind this estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import BinaryClosing
    >>> X = np.zeros((2, 12, 12))
    >>> X[:, 2:10, 2:10] = 1
    >>> BinaryClosing(structure=(3, 3), iterations=2).fit_transform(X).shape
    (2, 12, 12)
    """

    _function = staticmethod(binary_closing)
