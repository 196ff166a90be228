"""Compiled histograms of oriented gradients (numba): the fast path of
:func:`skimgproc.features.hog`.

Loaded by :func:`skimgproc._config.optional_module`, the one loader. One call
computes the features of a chunk of images without holding the GIL, row by
row: the gradient of the channel with the largest magnitude, its
orientation bin, and the cell histograms, then the block normalisation. It
does scikit-image's arithmetic (``skimage/feature/_hog.py`` and
``_hoghistogram.pyx``): gradients in the image's float type, magnitude in
float64 (``sqrt(gr**2 + gc**2)``, within an ulp of its ``hypot``), each
cell's histogram summed in float32 in raster order and divided by the
cell's area in float32, and the block norms in float64. The bins come from
cross products with the edges' directions (vectorised passes, no
arctangent); within 1e-9 rad of an edge, where rounding decides, from the
orientation computed as scikit-image computes it. The numpy reference path in
:mod:`._hog` does the same over whole chunks.
"""

import math

import numpy as np

from .._compile import njit

__all__ = ["hog_features"]

_jit = njit(nogil=True, error_model="numpy")
_inline = njit(nogil=True, error_model="numpy", inline="always")

#: The block norms, in the order of :data:`skimgproc.features._hog.BLOCK_NORMS`.
L1, L1_SQRT, L2, L2_HYS = 0, 1, 2, 3
EPS = 1e-5
DEGREES = 180 / np.pi


@_inline
def _value(image, r, c, ch, sqrt):
    v = image[r, c, ch]
    return np.sqrt(v) if sqrt else v


@_inline
def _row_gradient(image, r, ch, sqrt, g_row, g_col):
    """``g_row, g_col`` of row ``r`` of channel ``ch``, in the image's float
    type: central differences, 0 on the border rows (columns). As many
    columns as ``g_row`` holds."""
    height, width = image.shape[0], image.shape[1]
    n_cols = g_row.shape[0]
    inner = 0 < r < height - 1
    for c in range(n_cols):
        if inner:
            g_row[c] = _value(image, r + 1, c, ch, sqrt) - _value(image, r - 1, c, ch,
                                                                   sqrt)
        else:
            g_row[c] = 0
    g_col[:] = 0
    for c in range(1, min(n_cols, width - 1)):
        g_col[c] = _value(image, r, c + 1, ch, sqrt) - _value(image, r, c - 1, ch, sqrt)


@_inline
def _strongest_gradient(image, r, sqrt, g_row, g_col, work):
    """:func:`_row_gradient` of the channel of largest magnitude at each pixel
    (in the image's type, the first of equals, as np.argmax)."""
    _row_gradient(image, r, 0, sqrt, g_row, g_col)
    best, gr, gc, magnitude = work[0], work[1], work[2], work[3]
    for c in range(g_row.shape[0]):
        best[c] = np.hypot(g_row[c], g_col[c])
    for ch in range(1, image.shape[2]):
        _row_gradient(image, r, ch, sqrt, gr, gc)
        for c in range(g_row.shape[0]):
            magnitude[c] = np.hypot(gr[c], gc[c])
            if magnitude[c] > best[c]:
                best[c], g_row[c], g_col[c] = magnitude[c], gr[c], gc[c]


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


#: Where the sign of a cross product is trusted: 1e-9 rad from an edge, far
#: beyond the rounding of ``np.rad2deg(np.arctan2(...)) % 180`` (1e-15).
NEAR = 1e-9


@_inline
def _row_bins(g_row, g_col, edges, cosines, sines, folded, magnitude, bins, near):
    """Each pixel's magnitude and bin (:func:`_bin` of its orientation)
    without an arctangent, in passes over the row that the compiler
    vectorises: the gradient, turned into the upper half plane, is past edge
    ``e`` when its cross product with the edge's direction is positive.
    ``near`` marks the pixels near an edge (or the horizontal), where
    rounding decides and :func:`_bin` must say. The magnitude is
    ``sqrt(g_row**2 + g_col**2)``, within an ulp of NumPy's ``hypot``."""
    n_cols = g_row.shape[0]
    f_row, f_col = folded[0], folded[1]
    for c in range(n_cols):
        gr, gc = np.float64(g_row[c]), np.float64(g_col[c])
        if gr < 0.0:
            gr, gc = -gr, -gc
        f_row[c], f_col[c] = gr, gc
        magnitude[c] = math.sqrt(gr * gr + gc * gc)
        bins[c] = 0
        near[c] = gr <= NEAR * magnitude[c]
    for e in range(1, edges.shape[0] - 1):
        cos_e, sin_e = cosines[e], sines[e]
        for c in range(n_cols):
            cross = f_row[c] * cos_e - f_col[c] * sin_e
            bins[c] += cross > 0.0
            near[c] |= abs(cross) <= NEAR * magnitude[c]


@_jit
def _histograms(image, cell_r, cell_c, edges, cosines, sines, sqrt, hist, work):
    """Each cell's histogram into ``hist`` (n_cells_r, n_cells_c, bins), in
    float32 as scikit-image's ``cell_hog``: the magnitudes of each bin summed
    in raster order, then divided by the cell's area. ``work`` holds row
    buffers."""
    n_cr, n_cc, n_bins = hist.shape
    g_row, g_col, folded, magnitude, bins, near, spare = work
    hist[:] = 0
    for r in range(n_cr * cell_r):
        i = r // cell_r
        if image.shape[2] > 1:
            _strongest_gradient(image, r, sqrt, g_row, g_col, spare)
        else:
            _row_gradient(image, r, 0, sqrt, g_row, g_col)
        _row_bins(g_row, g_col, edges, cosines, sines, folded, magnitude, bins, near)
        for c in range(g_row.shape[0]):
            k = bins[c]
            if near[c]:
                k = _bin(_orientation(np.float64(g_row[c]), np.float64(g_col[c])),
                         edges)
            if k < n_bins:
                j = c // cell_c
                hist[i, j, k] = np.float32(np.float64(hist[i, j, k]) + magnitude[c])
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
def hog_features(images, cell_r, cell_c, block_r, block_c, edges, cosines, sines,
                 norm, sqrt, hist, block, out):
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
    cosines, sines : ndarray of float64, shape (bins + 1,)
        Their directions.
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
    n_cols = hist.shape[1] * cell_c
    dtype = images.dtype
    work = (np.empty(n_cols, dtype), np.empty(n_cols, dtype),
            np.empty((2, n_cols)), np.empty(n_cols), np.empty(n_cols, np.int64),
            np.empty(n_cols, np.bool_), np.empty((4, n_cols), dtype))
    for k in range(images.shape[0]):
        _histograms(images[k], cell_r, cell_c, edges, cosines, sines, sqrt, hist,
                    work)
        _normalize(hist, block_r, block_c, norm, block, out[k])
