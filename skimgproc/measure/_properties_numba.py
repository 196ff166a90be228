"""Compiled per-label sums (numba): the pass of :mod:`._properties`.

Loaded by :func:`skimgproc._config.optional_module`, the one loader. One
pass over a tile's label image, in a call that does not hold the GIL, fills
the arrays that :func:`._properties.accumulate_numpy` fills with a dozen
whole-array NumPy passes.
"""

from .._compile import njit

__all__ = ["accumulate"]

_jit = njit(nogil=True)

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
            line = flat[base:base + width]
            for c in range(width):
                label = line[c]
                if label == 0:
                    continue
                if ints[label, AREA] == 0:
                    ints[label, ROW0] = r
                    ints[label, COL0] = c
                    ints[label, MINC] = c
                    ints[label, MAXC] = c
                dr = r - ints[label, ROW0]
                dc = c - ints[label, COL0]
                ints[label, AREA] += 1
                ints[label, SR] += dr
                ints[label, SC] += dc
                ints[label, SRR] += dr * dr
                ints[label, SCC] += dc * dc
                ints[label, SRC] += dr * dc
                ints[label, MAXR] = r  # raster order: the last row seen
                ints[label, MINC] = min(ints[label, MINC], c)
                ints[label, MAXC] = max(ints[label, MAXC], c)
                if intensity:
                    floats[label, INTENSITY] += source[k, r, c]
                if perimeter and _on_border(flat, base + c, cols):
                    code = _border_code(flat, base + c, cols, label)
                    floats[label, PERIMETER] += weights[code]
