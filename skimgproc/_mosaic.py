"""The tile engine of binary morphology and measurement: images in a mosaic.

Images of a batch never mix: a cache-sized tile of them is laid out one
under the other in a *mosaic*, separated by rows and columns of background
at least as wide as the structuring element reaches, so that one call (a
1-D window, a labelling) serves every image of the tile.

:func:`run_tiles` runs a :class:`TilePlan` (how gray images become binary,
and which morphology follows) over the tiles of a batch on the thread
executor, and hands each result to a finishing step of the family (write
the binary image, write labels, count), which writes the tile's rows of the
output.

The layout is described once, by :func:`mosaic_views`: plain Python, which
the Python engine runs and :mod:`._morphology_numba` compiles, and
:attr:`MosaicLayout.geometry`, the numbers both take.
"""

from dataclasses import dataclass

import numpy as np

from ._batch import as_batch
from ._config import optional_module
from ._executor import chunk_scratch, run_chunked
from .thresholding import Binarization

__all__ = ["Mosaic", "MosaicLayout", "TilePlan", "mosaic_views", "plan_tiles",
           "run_tiles", "tile_batch", "tile_rows"]

#: Pixels of one tile of the mosaic: the images processed together stay in
#: the CPU cache through every pass of the morphology and the labelling.
TILE_PIXELS = 1 << 18


def mosaic_views(flat, gap_rows, pitch, cols, height, width):
    """The layout of a mosaic, on its flat buffer ``flat``.

    Returns ``(head, blocks, below, right)``: the ``gap_rows`` rows of
    background the buffer starts with; one ``(pitch, cols)`` block per
    image, the image in its top-left ``(height, width)`` corner; and the
    background of the blocks, the rows below each image and the columns
    right of each of its rows. A window reaching at most the gaps' width
    past an image's edge only sees background, in the 2-D buffer and in its
    flat form, where a shift of one row is a shift of ``cols`` elements.

    numba compiles this same function for the kernels
    (:mod:`._morphology_numba`): keep it to slicing and reshaping. numba's
    cache of the kernels watches their own file only: after changing this
    one, delete ``skimgproc/__pycache__/_morphology_numba.*`` (a stale
    cache fails ``tests/test_mosaic.py``'s layout tests).
    """
    top = gap_rows * cols
    blocks = flat[top:].reshape((-1, pitch, cols))
    return flat[:top], blocks, blocks[:, height:], blocks[:, :height, width:]


class MosaicLayout:
    """The shape of the images, ``(height, width)``, and the background
    ``gaps`` (rows, columns) after each; how many images make a tile."""

    def __init__(self, shape, gaps):
        self.shape, self.gaps = tuple(shape), tuple(gaps)
        self.pitch = self.shape[0] + self.gaps[0]
        self.cols = self.shape[1] + self.gaps[1]
        self.tile_images = max(1, TILE_PIXELS // (self.pitch * self.cols))
        #: The arguments of :func:`mosaic_views` after the buffer, as the
        #: kernels take them.
        self.geometry = (self.gaps[0], self.pitch, self.cols) + self.shape

    def size(self, n):
        """Elements of the buffer of a mosaic of ``n`` images."""
        return (self.gaps[0] + n * self.pitch) * self.cols


class Mosaic:
    """``n`` images of ``layout`` in one 2-D boolean buffer (see
    :func:`mosaic_views`).

    The work arrays (the buffer, a spare one, scratch space, labels) are
    shared with the mosaics made by :meth:`view`, so that the tiles of a
    batch reuse the same memory.
    """

    def __init__(self, n, layout, workspace=None):
        self.n, self.layout = n, layout
        self.shape, self.gaps = layout.shape, layout.gaps
        self.pitch, self.cols = layout.pitch, layout.cols
        #: ``(gap_rows, pitch, cols, height, width)``, for the kernels.
        self.geometry = layout.geometry
        self.size = layout.size(n)
        self._workspace = {"capacity": self.size} if workspace is None else workspace
        self.buffer = self.work("buffer")

    def view(self, n):
        """A mosaic of the first ``n`` images, on the same memory."""
        return Mosaic(n, self.layout, self._workspace)

    def work(self, name, dtype=bool):
        """The 2-D work array ``name`` (made on first use) for this mosaic."""
        array = self._workspace.get(name)
        if array is None:
            # The thread's scratch, kept for its next chunks: fresh memory
            # for every chunk cost page faults, which threads take in turn.
            array = self._workspace[name] = chunk_scratch(
                (self._workspace["capacity"],), dtype, slot=("mosaic", name))
        return array[: self.size].reshape(-1, self.cols)

    @staticmethod
    def flat(buffer):
        """``buffer`` (a work array) as the kernels take it: flat uint8."""
        return buffer.reshape(-1).view(np.uint8)

    def blocks(self, buffer):
        """``(n, pitch, cols)`` view: each image with its gap below."""
        return mosaic_views(buffer.reshape(-1), *self.geometry)[1]

    def images(self, buffer):
        """``(n, h, w)`` view of the images in ``buffer``."""
        h, w = self.shape
        return self.blocks(buffer)[:, :h, :w]

    def clear_gaps(self, buffer):
        head, _, below, right = mosaic_views(buffer.reshape(-1), *self.geometry)
        for gap in (head, below, right):
            gap[...] = False


def tile_rows(out, tile):
    """The rows of an image-shaped output for a tile, as its ``(n, h, w)``
    images (a 1-D signal is an image one pixel high); never a copy."""
    rows = out.view()
    rows.shape = (tile.n,) + tuple(tile.shape)  # raises rather than copy
    return rows


# -- the plan and the engine -----------------------------------------------------------


def tile_batch(images, image_shape, caller):
    """The batch contract for the tile engine's functions. Binary images and
    labels are single-channel: colour input is refused with a message that
    suggests Grayscale. The finite check is the engine's (see
    :class:`_TileBinarizer`)."""
    return as_batch(images, image_shape=image_shape, allow_channels=False,
                    caller=caller, check_finite=False)


@dataclass(frozen=True)
class TilePlan:
    """What runs on each tile: the ``binarization`` of the gray images into
    it, then the ``morphology`` (an object with ``gaps(shape)`` and
    ``apply(tile, kernels)``, see :class:`skimgproc.morphology.TileMorphology`);
    ``kernels`` is :mod:`._morphology_numba`, or None for NumPy and scipy."""

    binarization: Binarization
    morphology: object
    kernels: object = None


def plan_tiles(binarization, morphology):
    """The plan, with the compiled kernels when they may run; in the calling
    thread, which holds the configuration."""
    return TilePlan(binarization, morphology, optional_module("._morphology_numba"))


class _TileBinarizer:
    """Writes the foreground of gray images into a tile's buffer, gaps
    cleared. The compiled kernel takes the contract's finite check over (see
    :func:`skimgproc._batch.as_batch`); without it the batch is checked on
    construction, if it was not yet."""

    def __init__(self, batch, binarization, kernels):
        self.batch, self.binarization, self.kernels = batch, binarization, kernels
        if kernels is None:
            batch.check_finite()
            return
        dtype = batch.images.dtype
        self.threshold = binarization.in_dtype(dtype)
        if binarization.threshold is None:
            self.mode = kernels.NONZERO
        else:
            self.mode = kernels.BELOW if binarization.foreground == "below" \
                else kernels.ABOVE

    def __call__(self, src, tile):
        if self.kernels is None:
            tile.clear_gaps(tile.buffer)
            self.binarization.write(src, tile.images(tile.buffer))
        elif not self.kernels.binarize(src, tile.flat(tile.buffer), *tile.geometry,
                                       self.threshold, self.mode):
            self.batch.not_finite()


class _TileWork:
    """``run_chunked``'s function: a chunk of images, tile by tile."""

    def __init__(self, batch, plan, finish, layout):
        self.batch, self.plan, self.finish, self.layout = batch, plan, finish, layout
        self.binarize = _TileBinarizer(batch, plan.binarization, plan.kernels)

    def __call__(self, src, dst):
        src = self.batch.as_2d(src)
        mosaic = Mosaic(min(self.layout.tile_images, len(src)), self.layout)
        for start in range(0, len(src), mosaic.n):
            stop = min(start + mosaic.n, len(src))
            tile = mosaic if stop - start == mosaic.n else mosaic.view(stop - start)
            self.binarize(src[start:stop], tile)
            tile.source = src[start:stop]  # the gray images, for measuring steps
            result = self.plan.morphology.apply(tile, self.plan.kernels)
            self.finish(tile, result, dst[start:stop])


def run_tiles(batch, plan, finish, out, n_jobs):
    """Run ``plan`` on every tile of images of ``batch``, on threads over
    chunks, and ``finish(tile, result, out_rows)``: ``result`` is the work
    array of the tile holding the binary images (its gaps may hold garbage),
    ``out_rows`` the tile's rows of ``out``; ``tile.source`` holds the tile's
    gray images ``(n, h, w)``. Returns ``out``."""
    shape = batch.as_2d(batch.images).shape[1:]
    layout = MosaicLayout(shape, plan.morphology.gaps(shape))
    work = _TileWork(batch, plan, finish, layout)
    # A tile per chunk: threads share out the work in finer parts than
    # run_chunked's default (16 x 512 x 512 on two threads: 3.4 against
    # 3.9 ms).
    return run_chunked(work, batch.images, out, n_jobs,
                       chunk_bytes=layout.tile_images * batch.images[:1].nbytes)
