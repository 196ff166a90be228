"""Binary morphology and object counting: threshold, open or close, label, count.

The chapter's "object count" recipe over image batches: threshold a gray
image into a binary one (``1 * (im < 128)``), label its connected components
and count them; then separate objects joined by thin bridges with a binary
opening (``binary_opening(im, ones((9, 5)), iterations=2)``) and count again.

Every result equals scipy.ndimage run on each image alone, with scipy's
structuring-element origin and border handling. Images of a batch never mix:
they are laid out one under the other in a *mosaic*, separated by rows and
columns of background at least as wide as the structuring element reaches,
so that one call serves many images (a cache-sized tile of the batch).

Two engines share that layout. Erosion and dilation by a rectangle of ones
are separable into 1-D windows, and ``iterations=k`` equals one pass with a
rectangle ``k * (size - 1) + 1`` long; each 1-D window is an AND (erosion) or
OR (dilation) of shifted copies, done in ``log2(size)`` whole-array steps [1]_.
Any other structuring element goes through scipy.ndimage itself. Labelling
uses :func:`scipy.ndimage.label`, or OpenCV's ``connectedComponents`` when it
is installed (it numbers components in the same raster order). With numba
installed (the ``fast`` extra) the windows, the threshold and the counting
are compiled (:mod:`._morphology_numba`): counting then needs no label
image, only the runs of foreground pixels of each row.

References
----------
.. [1] R. van den Boomgaard and R. van Balen, "Methods for fast
   morphological image transforms using bitmapped binary images", CVGIP:
   Graphical Models and Image Processing 54(3), 1992.
"""

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from scipy import ndimage as ndi
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ._base import ImageTransformer
from ._batch import as_batch, is_dask_array
from ._config import optional_module
from ._executor import chunk_scratch, run_chunked
from ._validation import check_bool, check_int, check_n_jobs, check_option, fail

__all__ = [
    "BinaryClosing",
    "BinaryOpening",
    "BinaryOpeningCounter",
    "ConnectedComponents",
    "Threshold",
    "binary_closing",
    "binary_opening",
    "count_objects",
    "label",
    "threshold",
]

FOREGROUNDS = frozenset({"below", "above"})
LEARNED_THRESHOLDS = frozenset({"mean", "otsu"})
OPERATIONS = frozenset({"opening", "closing", "none"})
#: Per-image features of :class:`BinaryOpeningCounter`, in pixels.
FEATURES = ("n_objects", "mean_area", "max_area", "total_area")


# -- parameter checks ----------------------------------------------------------


def _check_threshold(value, owner):
    """A finite number, or the name of a threshold learned from data."""
    if isinstance(value, str) and value in LEARNED_THRESHOLDS:
        return value
    if (
        isinstance(value, (bool, np.bool_, str))
        or not isinstance(value, Real)
        or not np.isfinite(value)
    ):
        fail("threshold", owner, "a finite float or one of {'mean', 'otsu'}", value)
    return float(value)


def _check_iterations(value, owner):
    if isinstance(value, Integral) and not isinstance(value, (bool, np.bool_)) \
            and value < 1:
        raise ValueError(
            f"The 'iterations' parameter of {owner} must be an int in the range "
            f"[1, inf). Got {value!r} instead. (scipy.ndimage reads iterations < 1 "
            "as 'repeat until nothing changes', which erases objects; it is not "
            "supported.)"
        )
    return check_int(value, "iterations", owner, low=1)


@dataclass(frozen=True)
class _Structure:
    """A checked 2-D structuring element: ``array`` is None for a rectangle of
    ones of the given ``shape``."""

    shape: tuple
    array: np.ndarray | None = None


def _check_structure(value, n_spatial, owner):
    """A shape tuple (rectangle of ones) or an explicit array of 0s and 1s with
    one dimension per spatial axis. A 1-D signal is an image one pixel high, so
    a 2-D structure applies to it as to a row image."""
    ranks = "1 (or 2, a signal being an image one pixel high)" if n_spatial == 1 \
        else str(n_spatial)
    expected = (
        "a tuple of positive ints (the shape of a rectangle of ones) or an array "
        f"of 0s and 1s, with {ranks} dimensions"
    )
    if isinstance(value, tuple) and all(
        isinstance(v, Integral) and not isinstance(v, (bool, np.bool_)) for v in value
    ):
        if not value or min(value) < 1:
            fail("structure", owner, expected, value)
        shape, array = tuple(int(v) for v in value), None
    else:
        try:
            array = np.asarray(value)
            numeric = array.dtype.kind in "biuf"
        except (TypeError, ValueError):
            numeric = False
        if not numeric or array.ndim == 0:
            fail("structure", owner, expected, value)
        values = array.astype(np.float64)
        if not np.all((values == 0) | (values == 1)):
            fail("structure", owner, expected + " (other values found)", value)
        if array.size == 0 or not values.any():
            raise ValueError(
                f"The 'structure' parameter of {owner} is empty (shape "
                f"{array.shape}, no 1s): a structuring element needs at least "
                "one 1."
            )
        array = array.astype(bool)
        shape = array.shape
    if len(shape) != n_spatial and not (n_spatial == 1 and len(shape) == 2):
        raise ValueError(
            f"The 'structure' parameter of {owner} has {len(shape)} dimensions "
            f"(shape {shape}), but the images have {n_spatial} spatial "
            f"dimensions: expected a structuring element with {ranks} dimensions."
        )
    if len(shape) == 1:  # a 1-D signal: a row image and a one-row structure
        shape = (1,) + shape
        array = None if array is None else array.reshape(shape)
    if array is not None and array.all():
        array = None  # a rectangle of ones, given as an array
    return _Structure(shape, array)


def _check_features(value, owner):
    expected = f"a non-empty tuple of distinct names among {set(FEATURES)}"
    names = (value,) if isinstance(value, str) else value
    try:
        names = tuple(names)
    except TypeError:
        fail("features", owner, expected, value)
    if not names or len(set(names)) != len(names) or any(
        not isinstance(n, str) or n not in FEATURES for n in names
    ):
        fail("features", owner, expected, value)
    return names


def _check_morph_params(batch, structure, iterations, n_jobs, owner):
    return dict(
        structure=_check_structure(structure, batch.n_spatial, owner),
        iterations=_check_iterations(iterations, owner),
        n_jobs=check_n_jobs(n_jobs, owner),
    )


def _batch(images, image_shape, caller, check_finite=True):
    # Binary images and labels are single-channel: colour input is refused
    # with a message that suggests Grayscale. check_finite=False: the
    # engine of _run_tiles checks (see _binarize_tiles).
    return as_batch(images, image_shape=image_shape, allow_channels=False,
                    caller=caller, check_finite=check_finite)


# -- thresholds ----------------------------------------------------------------


def _learn_threshold(images, method, foreground):
    # Dask batches are reduced chunk by chunk, never gathered.
    if method == "mean":
        return float(images.mean(dtype=np.float64))
    if is_dask_array(images):
        from ._dask import unique_counts

        values, counts = unique_counts(images)
    else:
        values, counts = np.unique(images, return_counts=True)
    return _otsu_threshold(values, counts, foreground)


def _otsu_threshold(values, counts, foreground):
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


def _binarizer(t, foreground):
    """``binarize(src, out)``: writes the foreground mask of ``src`` into ``out``."""
    if t is None:  # already binary: nonzero is foreground, as in scipy

        def binarize(src, out):
            np.not_equal(src, 0, out=out)

        return binarize
    compare = np.less if foreground == "below" else np.greater

    def binarize(src, out):
        compare(src, _in_dtype(t, src.dtype, foreground), out=out)

    return binarize


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
    batch = _batch(images, image_shape, "threshold")
    t = _check_threshold(threshold, "threshold")
    foreground = check_option(foreground, "foreground", "threshold", FOREGROUNDS)
    if isinstance(t, str):
        t = _learn_threshold(batch.images, t, foreground)
    return batch.restore(_threshold(batch, t, foreground))


def _threshold(batch, t, foreground):
    out = np.empty_like(batch.images)
    _binarizer(t, foreground)(batch.images, out)
    return out


# -- the mosaic and the morphology engines -------------------------------------

#: Pixels of one tile of the mosaic: the images processed together stay in
#: the CPU cache through every pass of the morphology and the labelling.
TILE_PIXELS = 1 << 18


class _Mosaic:
    """``n`` images of shape ``(h, w)`` in one 2-D boolean buffer.

    Each image is followed by ``gap_rows`` rows of background, each row by
    ``gap_cols`` columns of background, and the buffer starts with
    ``gap_rows`` rows of background. A window reaching at most that far past
    an image's edge then only sees background, both in the 2-D buffer and in
    its flat (raveled) form, where a shift of one row is a shift of
    ``cols`` elements.

    The work arrays (the buffer, a spare one, scratch space, labels) are
    shared with the mosaics made by :meth:`view`, so that the tiles of a
    batch reuse the same memory.
    """

    def __init__(self, n, shape, gaps, workspace=None):
        self.n, self.shape, self.gaps = n, shape, gaps
        self.pitch = shape[0] + gaps[0]
        self.cols = shape[1] + gaps[1]
        self.size = (gaps[0] + n * self.pitch) * self.cols
        self._workspace = {"capacity": self.size} if workspace is None else workspace
        self.buffer = self.work("buffer")

    def view(self, n):
        """A mosaic of the first ``n`` images, on the same memory."""
        return _Mosaic(n, self.shape, self.gaps, self._workspace)

    def work(self, name, dtype=bool):
        """The 2-D work array ``name`` (made on first use) for this mosaic."""
        array = self._workspace.get(name)
        if array is None:
            # The thread's scratch, kept for its next chunks: fresh memory
            # for every chunk cost page faults, which threads take in turn.
            array = self._workspace[name] = chunk_scratch(
                (self._workspace["capacity"],), dtype, slot=("mosaic", name))
        return array[: self.size].reshape(-1, self.cols)

    def blocks(self, buffer):
        """``(n, pitch, cols)`` view: each image with its gap below."""
        return buffer[self.gaps[0]:].reshape(self.n, self.pitch, self.cols)

    def images(self, buffer):
        """``(n, h, w)`` view of the images in ``buffer``."""
        h, w = self.shape
        return self.blocks(buffer)[:, :h, :w]

    def clear_gaps(self, buffer):
        h, w = self.shape
        buffer[: self.gaps[0]] = False
        blocks = self.blocks(buffer)
        blocks[:, h:] = False
        blocks[:, :h, w:] = False


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


def _compiled():
    """:mod:`._morphology_numba`, or None (numba missing or acceleration
    off): call it in the calling thread, which holds the configuration."""
    if optional_module("numba") is None:
        return None
    try:
        from . import _morphology_numba
    except Exception:  # pragma: no cover - numba present but unusable
        return None
    return _morphology_numba


class _Morphology:
    """Opening, closing or nothing, by a checked structure, on mosaics."""

    def __init__(self, operation, structure, iterations):
        self.operation = operation
        self.structure = structure
        self.iterations = iterations
        self.compiled = _compiled()

    def gaps(self, shape):
        if self.operation == "none" or self.structure.array is not None:
            # scipy's generic path works on the image stack, not the mosaic:
            # one background row and column keep the images apart for labels.
            return (1, 1)
        # Erosion and dilation reach as far, mirrored.
        return tuple(max(1, *self._windows(axis, shape)[0]) for axis in range(2))

    def _windows(self, axis, shape):
        return _rect_windows(self.structure.shape[axis], self.iterations, shape[axis])

    def apply(self, mosaic):
        """Run the operation on ``mosaic.buffer`` (gaps cleared); return the
        work array holding the result (its gaps may hold garbage)."""
        if self.operation == "none":
            return mosaic.buffer
        if self.structure.array is not None:
            return self._apply_generic(mosaic)
        first, second = ("erode", "dilate") if self.operation == "opening" else (
            "dilate", "erode")
        buffers = (mosaic.buffer, mosaic.work("spare"))
        scratch = (mosaic.work("scratch0").reshape(-1),
                   mosaic.work("scratch1").reshape(-1))
        if self.compiled is not None:
            # Every pass in one call, with no GIL: as NumPy calls, the ~20
            # steps of a tile took and released the GIL in turn.
            flat = [a.reshape(-1).view(np.uint8) for a in buffers + scratch]
            which = self.compiled.rect(*flat, self._plan(mosaic, (first, second)),
                                       mosaic.cols, mosaic.gaps[0], mosaic.pitch,
                                       *mosaic.shape)
            return buffers[which]
        for kind in (first, second):
            if kind == "erode" and self.operation == "closing":
                # The dilation spread into the gaps, which must read as
                # background (border_value=0) for the erosion.
                mosaic.clear_gaps(buffers[0])
            buffers = self._rect(mosaic, buffers, kind, scratch)
        return buffers[0]

    def _plan(self, mosaic, kinds):
        """The passes of :meth:`_rect` for ``_morphology_numba.rect``."""
        plan = []
        for kind in kinds:
            clear = kind == "erode" and self.operation == "closing"
            pick = 0 if kind == "erode" else 1
            for axis, step in ((0, mosaic.cols), (1, 1)):
                before, after = self._windows(axis, mosaic.shape)[pick]
                if before + after:
                    plan.append((before, after, step, kind == "erode", clear))
                    clear = False
        return np.array(plan, np.int64).reshape(-1, 5)

    def _rect(self, mosaic, buffers, kind, scratch):
        """Erode or dilate ``buffers[0]``; returns the buffers, the result
        first (the two are swapped after each 1-D pass)."""
        op = np.logical_and if kind == "erode" else np.logical_or
        pick = 0 if kind == "erode" else 1
        for axis, step in ((0, mosaic.cols), (1, 1)):
            before, after = self._windows(axis, mosaic.shape)[pick]
            if before + after == 0:
                continue
            src, dst = buffers
            _window(src.reshape(-1), dst.reshape(-1), before, after, step, op,
                    scratch)
            buffers = (dst, src)
        return buffers

    def _apply_generic(self, mosaic):
        # scipy on the (n, h, w) stack with a structure one image deep, so
        # that images never mix. Always iterations=1 in a loop: scipy's own
        # iterations > 1 overruns its buffers when the structure is larger
        # than the image (scipy/scipy#11400). The loop stops early once the
        # image no longer changes, which later passes would not change either.
        structure = self.structure.array[np.newaxis]
        steps = (ndi.binary_erosion, ndi.binary_dilation)
        if self.operation == "closing":
            steps = steps[::-1]
        images = mosaic.images(mosaic.buffer)
        current = np.ascontiguousarray(images)
        for function in steps:
            for _ in range(self.iterations):
                following = function(current, structure)
                if np.array_equal(following, current):
                    break
                current = following
        images[...] = current
        return mosaic.buffer


def _label_tile(mosaic, buffer, connectivity, cv2, *, raster_order):
    """Label a tile in one call: ``(labels, maxima, offsets)``, where image
    ``i`` holds labels ``offsets[i] + 1 .. maxima[i]``. scipy and OpenCV's
    SAUF number components in raster order of their first pixel, so the
    labels of each image are one consecutive range after those of the images
    above it."""
    mosaic.clear_gaps(buffer)
    if cv2 is not None and mosaic.size < 2**31:
        # Any of OpenCV's algorithms keeps images in separate ranges (a
        # background row parts them); SAUF (CCL_WU) also numbers within an
        # image in raster order, like scipy, which label images need. For
        # counts, the fastest measured: SAUF for 4-, Spaghetti for 8-connectivity.
        fast_8 = connectivity == 2 and not raster_order
        algorithm = cv2.CCL_DEFAULT if fast_8 else cv2.CCL_WU
        n_labels, labels = cv2.connectedComponentsWithAlgorithm(
            buffer.view(np.uint8), 4 if connectivity == 1 else 8, cv2.CV_32S,
            algorithm, labels=mosaic.work("labels", np.int32),
        )
    else:
        dtype = np.int32 if mosaic.size < 2**31 else np.int64
        labels = mosaic.work("labels", dtype)
        n_labels = 1 + ndi.label(
            buffer, ndi.generate_binary_structure(2, connectivity), output=labels
        )
    if mosaic.n == 1:
        return labels, np.array([n_labels - 1]), np.zeros(1, int)
    maxima = mosaic.blocks(labels).reshape(mosaic.n, -1).max(axis=1)
    offsets = np.zeros_like(maxima)
    np.maximum.accumulate(maxima[:-1], out=offsets[1:])
    return labels, np.maximum(maxima, offsets), offsets


def _binarize_tiles(batch, morphology, t, foreground):
    """``binarize(src, tile)`` writing the foreground mask of the images
    ``src`` by ``t`` and ``foreground`` (None: nonzero) into the tile's
    buffer, gaps cleared. The compiled one takes the contract's finite check
    over (see :func:`skimgproc._batch.as_batch`); without it the batch is
    checked now, if it was not yet."""
    compiled = morphology.compiled
    if compiled is None:
        batch.check_finite()
        compare = _binarizer(t, foreground)

        def binarize(src, tile):
            tile.clear_gaps(tile.buffer)
            compare(src, tile.images(tile.buffer))

        return binarize
    dtype = batch.images.dtype
    if t is None:
        mode, t = compiled.NONZERO, dtype.type(0)
    else:
        mode = compiled.BELOW if foreground == "below" else compiled.ABOVE
        t = _in_dtype(t, dtype, foreground)

    def binarize(src, tile):
        if not compiled.binarize(src, tile.buffer.reshape(-1).view(np.uint8),
                                 tile.cols, tile.gaps[0], tile.pitch, t, mode):
            batch.not_finite()

    return binarize


def _run_tiles(batch, morphology, rule, finish, out, n_jobs):
    """Binarize by ``rule`` (the ``(threshold, foreground)`` of
    :func:`_binarizer`), apply the morphology and ``finish(tile, result,
    out_rows)`` each tile of images, on threads over chunks."""
    shape = batch.as_2d(batch.images).shape[1:]
    gaps = morphology.gaps(shape)
    per_tile = max(1, TILE_PIXELS // ((shape[0] + gaps[0]) * (shape[1] + gaps[1])))
    binarize = _binarize_tiles(batch, morphology, *rule)

    def work(src, dst):
        src = batch.as_2d(src)
        mosaic = _Mosaic(min(per_tile, len(src)), shape, gaps)
        for start in range(0, len(src), mosaic.n):
            stop = min(start + mosaic.n, len(src))
            tile = mosaic if stop - start == mosaic.n else mosaic.view(stop - start)
            binarize(src[start:stop], tile)
            finish(tile, morphology.apply(tile), dst[start:stop])

    # A tile per chunk: threads share out the work in finer parts than
    # run_chunked's default (16 x 512 x 512 on two threads: 3.4 against
    # 3.9 ms). BLAS only runs in the Otsu threshold, before.
    return run_chunked(work, batch.images, out, n_jobs, blas=False,
                       chunk_bytes=per_tile * batch.images[:1].nbytes)


def _label(batch, morphology, rule, connectivity, n_jobs):
    """Label images (per-image labels 1..k) after the morphology."""
    cv2 = optional_module("cv2")  # in the calling thread

    def finish(tile, result, out):
        labels, _, offsets = _label_tile(tile, result, connectivity, cv2,
                                         raster_order=True)
        out = batch.as_2d(out)
        np.subtract(tile.images(labels), offsets[:, None, None], out=out,
                    casting="unsafe")
        np.maximum(out, 0, out=out)  # background: 0 - offset

    shape = batch.images.shape
    dtype = np.int32 if np.prod(shape[1:]) < 2**31 else np.int64
    return _run_tiles(batch, morphology, rule, finish, np.empty(shape, dtype),
                      n_jobs)


def _count_runs(run_stats, tile, result, connectivity, want_max, stats):
    """Write ``(count, total area, largest area)`` of each of a tile's
    images into the rows of ``stats``, from their runs (the gaps are not
    read)."""
    h, w = tile.shape
    capacity = h * ((w + 1) // 2)  # runs of one image, at most
    work = [chunk_scratch((size,), np.int32, slot=("runs", name)) for name, size in (
        ("starts", capacity), ("ends", capacity), ("parent", capacity),
        ("edges", w + 2))]
    run_stats(tile.images(result).view(np.uint8), connectivity - 1, want_max,
              *work, stats)


def _label_stats(tile, result, connectivity, cv2, want_max, stats):
    """:func:`_count_runs` from a label image (scipy's, or OpenCV's)."""
    labels, maxima, offsets = _label_tile(tile, result, connectivity, cv2,
                                          raster_order=False)
    counts = stats[:, 0]
    np.subtract(maxima, offsets, out=counts)
    # The gaps are background now: count whole blocks.
    stats[:, 1] = np.count_nonzero(tile.blocks(result).reshape(tile.n, -1), axis=1)
    stats[:, 2] = 0
    if want_max:
        areas = np.bincount(labels.reshape(-1))[1:]
        some = counts > 0
        if some.any():
            # The label ranges of the images with objects tile 1..total.
            stats[some, 2] = np.maximum.reduceat(areas, offsets[some])


def _count(batch, morphology, rule, connectivity, features, n_jobs):
    """The ``(n_images, len(features))`` table of per-image features, in
    the images' float dtype; with ``features=None``, the int64 counts."""
    # The run counter is serial and 2.7x as fast as OpenCV's labelling
    # (which writes a label image, on OpenCV's own threads): n_jobs threads
    # then count n_jobs tiles at once. Its run indices and areas are int32.
    runs = morphology.compiled if batch.images[0].size < 2**31 else None
    cv2 = optional_module("cv2")  # in the calling thread
    want_max = features is not None and "max_area" in features

    def finish(tile, result, stats):
        if runs is not None:
            _count_runs(runs.run_stats, tile, result, connectivity, want_max, stats)
        else:
            _label_stats(tile, result, connectivity, cv2, want_max, stats)

    # Per image: objects, total area, largest area; the features from them
    # once, for the whole batch (no per-tile NumPy calls).
    stats = np.empty((batch.n_samples, 3), np.int64)
    counts, total, largest = _run_tiles(batch, morphology, rule, finish, stats,
                                        n_jobs).T
    if features is None:
        return counts.copy()  # exact (float32 holds integers up to 2**24)
    columns = {
        "n_objects": counts,
        "total_area": total,
        "max_area": largest,
        "mean_area": np.divide(total, counts, out=np.zeros(len(counts)),
                               where=counts > 0),
    }
    return np.stack([columns[name] for name in features], axis=1).astype(
        batch.images.dtype)


def _binary_op(batch, operation, structure, iterations, n_jobs):
    def finish(tile, result, out):
        batch.as_2d(out)[...] = tile.images(result)

    return _run_tiles(batch, _Morphology(operation, structure, iterations),
                      (None, None), finish, np.empty_like(batch.images),
                      n_jobs)


# -- public functions ----------------------------------------------------------

_BINARY_INPUT_DOC = """images : array-like
        Batch of binary images ``(n, height, width)``, or rows (flattened
        images with ``image_shape``, 1-D signals without, each an image one
        pixel high). Nonzero pixels are foreground, as in scipy.ndimage."""

_STRUCTURE_DOC = """structure : tuple of int or array of {{0, 1}}, default={default}
        Structuring element: the shape ``(height, width)`` of a rectangle of
        ones (hashable, so it can be tuned in a parameter grid), or an
        explicit array of 0s and 1s with one dimension per spatial axis.
        Centred on index ``size // 2`` along each axis, as in scipy."""

_ITERATIONS_DOC = """iterations : int, default={default}
        How many erosions (and as many dilations), >= 1. scipy's
        ``iterations < 1`` ("until nothing changes") is refused."""

_JOBS_DOC = """image_shape : tuple of int, optional
        ``(height, width)`` when the input holds flattened images as rows.
    n_jobs : int, optional
        Threads to use; None uses every available core. Where OpenCV
        labels the images (label images; counts without numba), it may also
        use its own thread pool (``cv2.setNumThreads`` sets its size)."""


def binary_opening(images, structure=(9, 5), iterations=1, *, image_shape=None,
                   n_jobs=None):
    """Binary opening of each image of a batch: erosions, then dilations.

    Per image, equal to ``scipy.ndimage.binary_opening(image, structure,
    iterations)`` with scipy's default border handling (``border_value=0``).
    Opening removes foreground too thin for the structuring element, such as
    the bridges between objects, and never adds foreground.

    Parameters
    ----------
    {images}
    {structure}
    {iterations}
    {jobs}

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
    batch = _batch(images, image_shape, "binary_opening", check_finite=False)
    params = _check_morph_params(batch, structure, iterations, n_jobs,
                                 "binary_opening")
    return batch.restore(_binary_op(batch, "opening", **params))


def binary_closing(images, structure=(9, 5), iterations=1, *, image_shape=None,
                   n_jobs=None):
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
    {images}
    {structure}
    {iterations}
    {jobs}

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
    batch = _batch(images, image_shape, "binary_closing", check_finite=False)
    params = _check_morph_params(batch, structure, iterations, n_jobs,
                                 "binary_closing")
    return batch.restore(_binary_op(batch, "closing", **params))


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
    {images}
    connectivity : {{1, 2}}, default=1
        1: pixels touching by an edge are connected (4-connectivity in 2-D);
        2: also by a corner (8-connectivity), as in scikit-image.
    return_counts : bool, default=False
        Also return the number of objects of each image.
    {jobs}

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
    batch = _batch(images, image_shape, "label", check_finite=False)
    connectivity = check_int(connectivity, "connectivity", "label", low=1, high=2)
    n_jobs = check_n_jobs(n_jobs, "label")
    return_counts = check_bool(return_counts, "return_counts", "label")
    labels = _label(batch, _Morphology("none", None, 1), (None, None),
                    connectivity, n_jobs)
    if not return_counts:
        return batch.restore(labels)
    counts = labels.reshape(len(labels), -1).max(axis=1).astype(np.int64)
    return batch.restore(labels), counts


def _check_count_params(batch, threshold, foreground, structure, iterations,
                        operation, connectivity, features, n_jobs, owner):
    return dict(
        threshold=_check_threshold(threshold, owner),
        foreground=check_option(foreground, "foreground", owner, FOREGROUNDS),
        structure=_check_structure(structure, batch.n_spatial, owner),
        iterations=_check_iterations(iterations, owner),
        operation=check_option(operation, "operation", owner, OPERATIONS),
        connectivity=check_int(connectivity, "connectivity", owner, low=1, high=2),
        features=_check_features(features, owner),
        n_jobs=check_n_jobs(n_jobs, owner),
    )


def _count_objects(batch, threshold, foreground, structure, iterations,
                   operation, connectivity, features, n_jobs):
    return _count(
        batch,
        _Morphology(operation, structure, iterations),
        (threshold, foreground),
        connectivity,
        features,
        n_jobs,
    )


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
    threshold : float or {{"mean", "otsu"}}, default=128.0
        Gray level separating objects from background, or how to compute it
        from this batch (see :func:`threshold`).
    foreground : {{"below", "above"}}, default="below"
        Objects are darker (``"below"``) or brighter than the threshold.
    {structure}
    {iterations}
    operation : {{"opening", "closing", "none"}}, default="opening"
        Morphology between thresholding and labelling.
    connectivity : {{1, 2}}, default=1
        4- (1) or 8-connectivity (2) of the objects, as in :func:`label`.
    features : tuple of str, optional
        None returns the counts. Otherwise a table of per-image features
        among ``"n_objects"``, ``"mean_area"``, ``"max_area"`` and
        ``"total_area"`` (areas in pixels, 0 for images without objects).
    {jobs}

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
    batch = _batch(images, image_shape, "count_objects", check_finite=False)
    params = _check_count_params(
        batch, threshold, foreground, structure, iterations, operation,
        connectivity, ("n_objects",) if features is None else features, n_jobs,
        "count_objects",
    )
    if isinstance(params["threshold"], str):
        batch.check_finite()  # learned from the values
        params["threshold"] = _learn_threshold(
            batch.images, params["threshold"], params["foreground"]
        )
    if features is None:
        params["features"] = None  # the counts alone, as int64
    return _count_objects(batch, **params)


for _function, _defaults in (
    (binary_opening, ("(9, 5)", "1")),
    (binary_closing, ("(9, 5)", "1")),
    (label, None),
    (count_objects, ("(9, 5)", "2")),
):
    _function.__doc__ = _function.__doc__.format(
        images=_BINARY_INPUT_DOC,
        structure=_STRUCTURE_DOC.format(default=_defaults[0]) if _defaults else "",
        iterations=_ITERATIONS_DOC.format(default=_defaults[1]) if _defaults else "",
        jobs=_JOBS_DOC,
    )


# -- estimators ----------------------------------------------------------------


class _LearnedThresholdMixin:
    """``threshold`` may be a number or learned in ``fit`` ("mean", "otsu")."""

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
        batch, params = self._fit_batch(X)
        t = params["threshold"]
        if isinstance(t, str):
            t = _learn_threshold(batch.images, t, params["foreground"])
        self.threshold_ = t
        self._learned_with = self.threshold
        return self

    def _resolve_threshold(self, params):
        t = params["threshold"]
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


class Threshold(_LearnedThresholdMixin, ImageTransformer):
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

    _allow_channels = False

    def __init__(self, threshold=128.0, *, foreground="below", image_shape=None):
        self.threshold = threshold
        self.foreground = foreground
        self.image_shape = image_shape

    def _check_params(self, batch):
        owner = type(self).__name__
        return dict(
            threshold=_check_threshold(self.threshold, owner),
            foreground=check_option(self.foreground, "foreground", owner,
                                    FOREGROUNDS),
        )

    def _transform(self, batch, params):
        t = self._resolve_threshold(params)
        return batch.restore(_threshold(batch, t, params["foreground"]))


class _BinaryMorphology(ImageTransformer):
    _operation = None
    _allow_channels = False
    _engine_checks_finite = True  # see _binarize_tiles

    def __init__(self, structure=(9, 5), iterations=1, *, image_shape=None,
                 n_jobs=None):
        self.structure = structure
        self.iterations = iterations
        self.image_shape = image_shape
        self.n_jobs = n_jobs

    def _check_params(self, batch):
        return _check_morph_params(batch, self.structure, self.iterations,
                                   self.n_jobs, type(self).__name__)

    def _transform(self, batch, params):
        return batch.restore(_binary_op(batch, self._operation, **params))


_MORPH_ESTIMATOR_DOC = """{summary}

    A thin estimator over :func:`{function}`: per image, the same result as
    ``scipy.ndimage.{function}(image, structure, iterations)`` with scipy's
    default border handling. Nonzero input pixels are foreground; the
    output is 0/1 in the input's float dtype.

    {note}

    Parameters
    ----------
    {structure}
    {iterations}
    image_shape : tuple of int, default=None
        ``(height, width)`` when ``X`` holds flattened images as rows (the
        output is flattened too); with None, 2-D input is a batch of 1-D
        signals, each an image one pixel high.
    n_jobs : int, default=None
        Threads to use; None uses every available core. Where OpenCV
        labels the images (label images; counts without numba), it may also
        use its own thread pool (``cv2.setNumThreads`` sets its size).

    Attributes
    ----------
    n_features_in_ : int
        Number of values per sample seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, when ``X`` was a data frame.

    See Also
    --------
    {function} : The function behind this estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import {name}
    >>> X = np.zeros((2, 12, 12))
    >>> X[:, 2:10, 2:10] = 1
    >>> {name}(structure=(3, 3), iterations=2).fit_transform(X).shape
    (2, 12, 12)
    """


class BinaryOpening(_BinaryMorphology):
    _operation = "opening"


class BinaryClosing(_BinaryMorphology):
    _operation = "closing"


for _cls, _function, _summary, _note in (
    (BinaryOpening, "binary_opening",
     "Binary opening of every image of a batch: erosions, then dilations.",
     "Opening removes foreground too thin for the structuring element (such\n"
     "    as bridges between objects) and never adds any."),
    (BinaryClosing, "binary_closing",
     "Binary closing of every image of a batch: dilations, then erosions.",
     "Closing fills gaps and holes smaller than the structuring element.\n"
     "    Away from the border it never removes foreground; near it, scipy's\n"
     "    erosion reads background outside the image and can remove some (pad\n"
     "    the images with background first if that matters)."),
):
    _cls.__doc__ = _MORPH_ESTIMATOR_DOC.format(
        summary=_summary, function=_function, note=_note, name=_cls.__name__,
        structure=_STRUCTURE_DOC.format(default="(9, 5)"),
        iterations=_ITERATIONS_DOC.format(default="1"),
    )


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
        labels the images (label images; counts without numba), it may also
        use its own thread pool (``cv2.setNumThreads`` sets its size).

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

    _allow_channels = False
    _engine_checks_finite = True  # see _binarize_tiles

    def __init__(self, connectivity=1, *, image_shape=None, n_jobs=None):
        self.connectivity = connectivity
        self.image_shape = image_shape
        self.n_jobs = n_jobs

    def _check_params(self, batch):
        owner = type(self).__name__
        return dict(
            connectivity=check_int(self.connectivity, "connectivity", owner,
                                   low=1, high=2),
            n_jobs=check_n_jobs(self.n_jobs, owner),
        )

    def _transform(self, batch, params):
        labels = _label(batch, _Morphology("none", None, 1), (None, None),
                        **params)
        return batch.restore(labels)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []  # labels are integers
        return tags


class BinaryOpeningCounter(_LearnedThresholdMixin, ImageTransformer):
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
        labels the images (label images; counts without numba), it may also
        use its own thread pool (``cv2.setNumThreads`` sets its size).

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

    _allow_channels = False
    _engine_checks_finite = True  # see _binarize_tiles

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

    def _check_params(self, batch):
        return _check_count_params(
            batch, self.threshold, self.foreground, self.structure,
            self.iterations, self.operation, self.connectivity, self.features,
            self.n_jobs, type(self).__name__,
        )

    def _transform(self, batch, params):
        params["threshold"] = self._resolve_threshold(params)
        return _count_objects(batch, **params)

    def _output_sample_shape(self):
        return (len(_check_features(self.features, type(self).__name__)),)

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
        names = _check_features(self.features, type(self).__name__)
        return np.asarray(names, dtype=object)
