"""Labelling the connected components of binary image batches.

Every result equals :func:`scipy.ndimage.label` run on each image alone.
The images are laid out tile by tile in the mosaic of :mod:`.._mosaic`, and
each tile is labelled in one call: the compiled run labeller
(``_count_numba.label_runs``, as fast as OpenCV's ``connectedComponents``
or faster), else OpenCV's where numba is unusable and OpenCV installed,
else :func:`scipy.ndimage.label` (all number components in the same raster
order). :func:`label_tile` is the one labeller of the family:
counting (without numba) and measuring label their tiles with it too.
"""

import numpy as np
from scipy import ndimage as ndi

from .._base import ImageTransformer
from .._config import optional_module
from .._executor import chunk_scratch
from .._mosaic import plan_tiles, run_tiles, tile_batch, tile_rows
from .._validation import Bool, Constraints, Int, NJobs
from ..morphology import NO_MORPHOLOGY
from ..thresholding import NONZERO

__all__ = ["CONNECTIVITY", "ConnectedComponents", "fast_labeller", "label",
           "label_tile"]

CONNECTIVITY = Int(1, 2)

#: The parameters of :func:`label`.
LABEL_CONSTRAINTS = Constraints(
    connectivity=CONNECTIVITY,
    n_jobs=NJobs(),
    return_counts=Bool(),
)


# -- labelling a tile ------------------------------------------------------------------


def fast_labeller():
    """The fast labeller of the calling thread (which holds the
    configuration), for :func:`label_tile`: the compiled kernels' module
    (CPU time on one thread, the counting benchmark's 16 x 512 x 512 pages
    as one tile: 5.1 ms against OpenCV's 5.6 ms; random noise: 15.0 against
    14.3 ms), else OpenCV, else None (scipy)."""
    return optional_module(".measure._count_numba") or optional_module("cv2")


def label_tile(tile, buffer, connectivity, fast, *, raster_order):
    """Label a tile in one call: ``(labels, maxima, offsets)``, where image
    ``i`` holds labels ``offsets[i] + 1 .. maxima[i]``. The run labeller,
    scipy and OpenCV's SAUF number components in raster order of their first
    pixel, so the labels of each image are one consecutive range after those
    of the images above it. ``fast`` is :func:`fast_labeller`'s choice."""
    tile.clear_gaps(buffer)
    if fast is not None and tile.size < 2**31 and hasattr(fast, "label_runs"):
        labels = tile.work("labels", np.int32)
        n_labels = 1 + _label_runs(fast, buffer, connectivity, labels)
    elif fast is not None and tile.size < 2**31:
        cv2 = fast
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
    return _ranges(tile, labels)


def _label_runs(kernels, buffer, connectivity, labels):
    """Label ``buffer`` into ``labels`` with the run labeller; returns the
    number of objects."""
    rows, cols = buffer.shape
    capacity = rows * ((cols + 1) // 2)  # runs, at most
    work = [chunk_scratch((size,), np.int32, slot=("label", name))
            for name, size in (("starts", capacity), ("ends", capacity),
                               ("parent", capacity), ("run_label", capacity),
                               ("first", rows + 1), ("edges", cols + 2))]
    return kernels.label_runs(buffer.view(np.uint8), connectivity - 1, labels,
                              *work)


def _ranges(tile, labels):
    """``(labels, maxima, offsets)`` of a tile of several images."""
    maxima = tile.blocks(labels).reshape(tile.n, -1).max(axis=1)
    offsets = np.zeros_like(maxima)
    np.maximum.accumulate(maxima[:-1], out=offsets[1:])
    return labels, np.maximum(maxima, offsets), offsets


# -- the finishing step and the engine -------------------------------------------------


class WriteLabels:
    """Each image's labels ``1..k`` (0 for background) into the output rows."""

    def __init__(self, connectivity, fast):
        self.connectivity, self.fast = connectivity, fast

    def __call__(self, tile, result, out):
        labels, _, offsets = label_tile(tile, result, self.connectivity, self.fast,
                                        raster_order=True)
        out = tile_rows(out, tile)
        np.subtract(tile.images(labels), offsets[:, None, None], out=out,
                    casting="unsafe")
        np.maximum(out, 0, out=out)  # background: 0 - offset


def _label(batch, connectivity, n_jobs):
    """Per-image labels 1..k of binary images."""
    shape = batch.images.shape
    dtype = np.int32 if np.prod(shape[1:]) < 2**31 else np.int64
    write = WriteLabels(connectivity, fast_labeller())
    return run_tiles(batch, plan_tiles(NONZERO, NO_MORPHOLOGY), write,
                     np.empty(shape, dtype), n_jobs)


# -- the public function and its estimator ---------------------------------------------


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
        labels the images (numba unusable), it may also use its own thread
        pool (``cv2.setNumThreads`` sets its size).

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
        labels the images (numba unusable), it may also use its own thread
        pool (``cv2.setNumThreads`` sets its size).

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
