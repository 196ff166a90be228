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

import numpy as np

from .._compile import njit

__all__ = ["count_cells", "default_codes"]

_jit = njit(nogil=True)


@_jit
def default_codes(padded, margin, k_row, k_col, dr, dc, on_grid, out):
    """The ``"default"`` codes of one image into ``out``.

    Parameters
    ----------
    padded : (h + 2 * margin, w + 2 * margin) float64
        The image with a border of ``margin`` zero pixels (scikit-image's
        constant mode, cval 0).
    margin : int
        The border's width.
    k_row, k_col : (P,) intp
        Neighbour ``i`` of pixel ``(r, c)`` lies between rows ``r +
        k_row[i]`` and the next, and columns ``c + k_col[i]`` and the next.
    dr, dc : (P, h) and (P, w) float64
        Its fraction of a row (column) past the first, as scikit-image
        computes it.
    on_grid : (P,) bool
        Neighbours on the pixel grid (``dr = dc = 0``), whose bilinear value
        is the pixel itself.
    out : (h, w) int32
        Bit ``i`` of a code is set when neighbour ``i`` is >= the centre.
    """
    h, w = out.shape
    for r in range(h):
        code = out[r]
        centre = padded[r + margin, margin : margin + w]
        code[:] = 0
        for i in range(len(on_grid)):
            bit = np.int32(1) << np.int32(i)
            top = padded[r + margin + k_row[i]]
            left = margin + k_col[i]
            a0 = top[left : left + w]
            if on_grid[i]:
                for c in range(w):
                    if a0[c] - centre[c] >= 0:
                        code[c] |= bit
                continue
            a1 = top[left + 1 : left + 1 + w]
            bottom = padded[r + margin + k_row[i] + 1]
            b0 = bottom[left : left + w]
            b1 = bottom[left + 1 : left + 1 + w]
            x = dc[i]
            y = dr[i, r]
            for c in range(w):
                upper = (1.0 - x[c]) * a0[c] + x[c] * a1[c]
                lower = (1.0 - x[c]) * b0[c] + x[c] * b1[c]
                if (1.0 - y) * upper + y * lower - centre[c] >= 0:
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
