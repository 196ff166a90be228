"""Compiled histograms of oriented gradients (numba): the fast path of
:func:`skimgproc.features.hog`.

Loaded by :func:`skimgproc._config.optional_module`, the one loader. One call
computes the features of a chunk of images without holding the GIL, pixel
by pixel: the gradient of the channel with the largest magnitude, its
orientation bin, and the cell histograms, then the block normalisation. It
does scikit-image's arithmetic step for step (``skimage/feature/_hog.py``
and ``_hoghistogram.pyx``): gradients in the image's float type, magnitude
and orientation in float64, each cell's histogram summed in float32 in
raster order and divided by the cell's area in float32, and the block norms
in float64. The numpy reference path in
:mod:`._hog` does the same over whole chunks.
"""

import math

import numba
import numpy as np

__all__ = ["hog_features"]

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")
_inline = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")

#: The block norms, in the order of :data:`skimgproc.features._hog.BLOCK_NORMS`.
L1, L1_SQRT, L2, L2_HYS = 0, 1, 2, 3
EPS = 1e-5
DEGREES = 180 / np.pi


@_inline
def _value(image, r, c, ch, sqrt):
    v = image[r, c, ch]
    return np.sqrt(v) if sqrt else v


@_inline
def _gradient(image, r, c, ch, sqrt):
    """``(g_row, g_col)`` of one channel at ``(r, c)`` in the image's float
    type: central differences, 0 on the border rows (columns)."""
    height, width = image.shape[0], image.shape[1]
    here = _value(image, r, c, ch, sqrt)
    g_row = here - here  # a zero of the image's type
    g_col = g_row
    if 0 < r < height - 1:
        g_row = _value(image, r + 1, c, ch, sqrt) - _value(image, r - 1, c, ch, sqrt)
    if 0 < c < width - 1:
        g_col = _value(image, r, c + 1, ch, sqrt) - _value(image, r, c - 1, ch, sqrt)
    return g_row, g_col


@_inline
def _orientation(g_row, g_col):
    """``np.arctan2(g_row, g_col) * (180 / np.pi) % 180``, NumPy's remainder
    (the sign of the divisor) in float64."""
    angle = math.atan2(g_row, g_col) * DEGREES  # in [-180, 180], or an ulp beyond
    # fmod(angle, 180), exact: within a factor 2 of 180 the subtraction is.
    if angle >= 180.0:
        angle -= 180.0
    elif angle <= -180.0:
        angle += 180.0
    if angle < 0.0:
        angle += 180.0
    return angle


@_inline
def _bin(angle, edges):
    """The bin ``k`` with ``edges[k] <= angle < edges[k + 1]``, or
    ``len(edges) - 1`` when the angle is in none (at or above the last
    edge, as ``-1e-20 % 180`` is)."""
    n = edges.shape[0] - 1
    k = min(int(angle * n / 180.0), n - 1)
    while k > 0 and angle < edges[k]:
        k -= 1
    while k < n and angle >= edges[k + 1]:
        k += 1
    return k


@_jit
def _histograms(image, cell_r, cell_c, edges, sqrt, hist):
    """Each cell's histogram into ``hist`` (n_cells_r, n_cells_c, bins), in
    float32 as scikit-image's ``cell_hog``: the magnitudes of each bin summed
    in raster order, then divided by the cell's area."""
    n_cr, n_cc, n_bins = hist.shape
    n_channels = image.shape[2]
    hist[:] = 0
    for i in range(n_cr):
        for dy in range(cell_r):
            r = i * cell_r + dy
            for j in range(n_cc):
                for dx in range(cell_c):
                    c = j * cell_c + dx
                    g_row, g_col = _gradient(image, r, c, 0, sqrt)
                    if n_channels > 1:
                        # The channel of largest magnitude (in the image's
                        # type), the first of equals, as np.argmax.
                        best = np.hypot(g_row, g_col)
                        for ch in range(1, n_channels):
                            gr, gc = _gradient(image, r, c, ch, sqrt)
                            magnitude = np.hypot(gr, gc)
                            if magnitude > best:
                                best, g_row, g_col = magnitude, gr, gc
                    gr64, gc64 = np.float64(g_row), np.float64(g_col)
                    k = _bin(_orientation(gr64, gc64), edges)
                    if k < n_bins:
                        total = np.float64(hist[i, j, k]) + math.hypot(gc64, gr64)
                        hist[i, j, k] = np.float32(total)
    area = np.float32(cell_r * cell_c)
    for i in range(n_cr):
        for j in range(n_cc):
            for k in range(n_bins):
                hist[i, j, k] = hist[i, j, k] / area


@_inline
def _sum_abs(values):
    total = 0.0
    for v in values:
        total += abs(v)
    return total


@_inline
def _sum_squares(values):
    total = 0.0
    for v in values:
        total += v * v
    return total


@_jit
def _normalize(hist, block_r, block_c, norm, block, out):
    """The normalised blocks of one image's histograms into ``out``, in
    scikit-image's order (block row, block column, cell row, cell column,
    bin); ``block`` is work space of one block's values."""
    n_cr, n_cc, n_bins = hist.shape
    size = block.shape[0]
    at = 0
    for br in range(n_cr - block_r + 1):
        for bc in range(n_cc - block_c + 1):
            t = 0
            for i in range(block_r):
                for j in range(block_c):
                    for o in range(n_bins):
                        block[t] = hist[br + i, bc + j, o]
                        t += 1
            if norm == L1 or norm == L1_SQRT:
                scale = _sum_abs(block) + EPS
                for t in range(size):
                    v = block[t] / scale
                    out[at + t] = np.sqrt(v) if norm == L1_SQRT else v
            else:
                scale = np.sqrt(_sum_squares(block) + EPS**2)
                for t in range(size):
                    block[t] = block[t] / scale
                if norm == L2_HYS:
                    for t in range(size):
                        block[t] = min(block[t], 0.2)
                    scale = np.sqrt(_sum_squares(block) + EPS**2)
                    for t in range(size):
                        block[t] = block[t] / scale
                for t in range(size):
                    out[at + t] = block[t]
            at += size


@_jit
def hog_features(images, cell_r, cell_c, block_r, block_c, edges, norm, sqrt, hist,
                 block, out):
    """The HOG features of each image of a chunk.

    Parameters
    ----------
    images : ndarray of float32 or float64, shape (n, height, width, channels)
        The images (any strides), finite; non-negative when ``sqrt``.
    cell_r, cell_c : int
        Pixels per cell.
    block_r, block_c : int
        Cells per block.
    edges : ndarray of float64, shape (bins + 1,)
        The bins' edges in degrees, ``180 / bins * k``.
    norm : int
        The block norm: ``L1``, ``L1_SQRT``, ``L2`` or ``L2_HYS``.
    sqrt : bool
        Whether to take the square root of the images first.
    hist : ndarray of float32, shape (n_cells_r, n_cells_c, bins)
        Work space: one image's cell histograms.
    block : ndarray of float64, shape (block_r * block_c * bins,)
        Work space: one block.
    out : ndarray, shape (n, n_features)
        Gets the features, in its own dtype.
    """
    for k in range(images.shape[0]):
        _histograms(images[k], cell_r, cell_c, edges, sqrt, hist)
        _normalize(hist, block_r, block_c, norm, block, out[k])
