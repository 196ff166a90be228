"""Compiled local binary patterns (numba): the kernels of :mod:`._lbp`.

Loaded by :func:`skimgproc._config.optional_module`, the one loader. Each
call works on one padded image plane and does not hold the GIL, so that
``n_jobs`` threads work on ``n_jobs`` images at once.

:func:`default_codes` is the same arithmetic as the NumPy reference
(:func:`skimgproc.features._lbp.default_codes_numpy`) and as scikit-image's
``_local_binary_pattern``: each neighbour's bilinear value in float64 with
the same operations in the same order (no fused multiply-add: numba does not
contract without ``fastmath``), compared with the centre as
``value - centre >= 0``. The codes are therefore identical, bit for bit.
:func:`count_cells` counts each grid cell's codes through a lookup table.
"""

import numba
import numpy as np

__all__ = ["count_cells", "default_codes"]

_jit = numba.njit(cache=True, nogil=True)


@_jit
def default_codes(padded, row_lo, row_hi, dr, col_lo, col_hi, dc, on_grid, out):
    """The ``"default"`` codes of one image into ``out``.

    Parameters
    ----------
    padded : (h + 2, w + 2) float64
        The image with a border of one zero pixel (scikit-image's constant
        mode, cval 0).
    row_lo, row_hi, dr : (P, h) intp, intp, float64
        For neighbour ``i`` seen from row ``r``: the rows of ``padded``
        above and below its position, and its fraction of a row past the
        first (``(r + rp) - floor(r + rp)``, as scikit-image computes it).
    col_lo, col_hi, dc : (P, w) intp, intp, float64
        The same along the columns.
    on_grid : (P,) bool
        Neighbours on the pixel grid (``dr = dc = 0`` everywhere), whose
        bilinear value is the pixel itself.
    out : (h, w) int32
        Bit ``i`` of a code is set when neighbour ``i`` is >= the centre.
    """
    h, w = out.shape
    n_points = row_lo.shape[0]
    for r in range(h):
        code = out[r]
        centre = padded[r + 1]
        for c in range(w):
            code[c] = 0
        for i in range(n_points):
            bit = np.int32(1) << np.int32(i)
            lo = col_lo[i]
            above = padded[row_lo[i, r]]
            if on_grid[i]:
                for c in range(w):
                    if above[lo[c]] - centre[c + 1] >= 0:
                        code[c] |= bit
                continue
            hi = col_hi[i]
            frac = dc[i]
            below = padded[row_hi[i, r]]
            y = dr[i, r]
            for c in range(w):
                x = frac[c]
                top = (1.0 - x) * above[lo[c]] + x * above[hi[c]]
                bottom = (1.0 - x) * below[lo[c]] + x * below[hi[c]]
                if (1.0 - y) * top + y * bottom - centre[c + 1] >= 0:
                    code[c] |= bit


@_jit
def count_cells(codes, table, cell_of_row, cell_of_col, counts):
    """Add each pixel's bin ``table[code]`` to its cell's histogram in
    ``counts``, ``(grid rows, grid columns, bins)`` int64."""
    h, w = codes.shape
    for r in range(h):
        cells = counts[cell_of_row[r]]
        row = codes[r]
        for c in range(w):
            cells[cell_of_col[c], table[row[c]]] += 1
