"""Compiled per-label sums (numba): the pass of :mod:`._properties`.

Loaded by :func:`skimgproc._config.optional_module`, the one loader. One
pass over a tile's label image, in a call that does not hold the GIL, fills
the arrays that :func:`._properties.accumulate_numpy` fills with a dozen
whole-array NumPy passes.
"""

import numba

__all__ = ["accumulate"]

_jit = numba.njit(cache=True, nogil=True)

# The columns of ._properties (kept equal by tests/test_measure_objects.py).
AREA, ROW0, COL0, SR, SC, SRR, SCC, SRC, MAXR, MINC, MAXC = range(11)
PERIMETER, INTENSITY = range(2)


@_jit
def _on_border(flat, p, cols):
    return (flat[p - 1] == 0 or flat[p + 1] == 0 or flat[p - cols] == 0
            or flat[p + cols] == 0)


@_jit
def _border_code(flat, p, cols, label):
    """scikit-image's perimeter code of the border pixel ``p``."""
    code = 1
    for step in (-1, 1, -cols, cols):
        q = p + step
        if flat[q] != 0 and _on_border(flat, q, cols):
            code += 2
    for step in (-cols - 1, -cols + 1, cols - 1, cols + 1):
        q = p + step
        if flat[q] == label and _on_border(flat, q, cols):
            code += 10
    return code


@_jit
def accumulate(flat, source, gap_rows, pitch, cols, height, width, perimeter,
               intensity, weights, ints, floats):
    """Per-label sums of a tile's flat label image ``flat`` (gaps 0) and its
    gray images ``source`` ``(n, height, width)``, into ``ints`` (zeros, one
    row per label) and ``floats`` (zeros): see :mod:`._properties`."""
    n = source.shape[0]
    for k in range(n):
        for r in range(height):
            base = (gap_rows + k * pitch + r) * cols
            for c in range(width):
                label = flat[base + c]
                if label == 0:
                    continue
                row = ints[label]
                if row[AREA] == 0:
                    row[ROW0] = r
                    row[COL0] = c
                    row[MINC] = c
                    row[MAXC] = c
                dr = r - row[ROW0]
                dc = c - row[COL0]
                row[AREA] += 1
                row[SR] += dr
                row[SC] += dc
                row[SRR] += dr * dr
                row[SCC] += dc * dc
                row[SRC] += dr * dc
                row[MAXR] = r  # raster order: the last row seen
                if c < row[MINC]:
                    row[MINC] = c
                if c > row[MAXC]:
                    row[MAXC] = c
                if intensity:
                    floats[label, INTENSITY] += source[k, r, c]
                if perimeter and _on_border(flat, base + c, cols):
                    code = _border_code(flat, base + c, cols, label)
                    floats[label, PERIMETER] += weights[code]
