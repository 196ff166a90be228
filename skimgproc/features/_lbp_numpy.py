"""Local binary patterns in NumPy: the reference of :mod:`._lbp`'s engine.

Where the neighbours of each pixel are (:func:`sampling`), their values
(:func:`neighbours`: scikit-image's bilinear interpolation, operation by
operation, in float64), and the kernels with the interface of the compiled
ones in :mod:`._lbp_numba` (:func:`default_codes`, :func:`count_cells`),
which run when numba is missing or ``config_context(accelerate=False)``.
:func:`method_codes` turns ``"default"`` codes into any method's, from
their bits, as scikit-image's ``_local_binary_pattern`` reads them.
"""

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Sampling",
    "count_cells",
    "default_codes",
    "method_codes",
    "neighbours",
    "sampling",
    "variance",
]


@dataclass(frozen=True)
class Sampling:
    """The neighbours of every pixel of an ``(h, w)`` image, as scikit-image
    samples them, in the image padded by ``margin`` zero pixels.

    Neighbour ``i`` of pixel ``(r, c)`` lies between rows ``r + k_row[i]``
    and ``r + k_row[i] + 1``, ``dr[i, r]`` of a row past the first (``(r +
    rp) - floor(r + rp)`` in float64, as scikit-image computes it: it varies
    with ``r`` by rounding), and between columns ``c + k_col[i]`` and ``c +
    k_col[i] + 1``, ``dc[i, c]`` past the first. ``floor(r + rp) - r`` is
    the same for every row of any image smaller than ``2**30`` pixels a side
    (``rp`` has 5 decimals). Neighbours ``on_grid`` (``dr = dc = 0``) are
    the pixel itself. Offsets far outside the image are clamped: every
    value read there is 0 either way.
    """

    margin: int
    k_row: np.ndarray
    k_col: np.ndarray
    dr: np.ndarray
    dc: np.ndarray
    on_grid: np.ndarray

    @property
    def n_points(self):
        return len(self.on_grid)

    def padded_shape(self):
        m = self.margin
        return (self.dr.shape[1] + 2 * m, self.dc.shape[1] + 2 * m)

    def arrays(self):
        """The kernels' arguments after ``padded``."""
        return (self.margin, self.k_row, self.k_col, self.dr, self.dc,
                self.on_grid)


def _axis_sampling(offsets, size):
    # scikit-image: r + rp[i] in double, floor, and the fraction past it.
    positions = np.arange(size, dtype=np.float64) + offsets[:, None]
    low = np.floor(positions)
    fraction = positions - low
    steps = low - np.arange(size)
    if not (steps == steps[:, :1]).all():  # pragma: no cover - see Sampling
        raise ValueError(f"images of {size} pixels a side are too large for LBP")
    steps = np.clip(steps[:, 0], -(size + 1), size).astype(np.intp)
    return steps, fraction


def sampling(P, R, shape):
    """The :class:`Sampling` of ``P`` neighbours at radius ``R`` in images
    of ``shape`` ``(h, w)``."""
    # scikit-image's kernel takes R as a C float.
    radius = float(np.float32(R))
    angles = 2 * np.pi * np.arange(P, dtype=np.double) / P
    rp = np.round(-radius * np.sin(angles), 5)
    cp = np.round(radius * np.cos(angles), 5)
    k_row, dr = _axis_sampling(rp, shape[0])
    k_col, dc = _axis_sampling(cp, shape[1])
    margin = int(max(1, -k_row.min(), -k_col.min(), k_row.max() + 1,
                     k_col.max() + 1))
    on_grid = (rp == np.round(rp)) & (cp == np.round(cp))
    return Sampling(margin, k_row, k_col, dr, dc, on_grid)


def neighbours(padded, table):
    """Each neighbour's value at every pixel of the padded image, in turn:
    scikit-image's bilinear interpolation, operation by operation."""
    m = table.margin
    h, w = table.dr.shape[1], table.dc.shape[1]
    for i in range(table.n_points):
        top, left = m + table.k_row[i], m + table.k_col[i]
        a0 = padded[top : top + h, left : left + w]
        if table.on_grid[i]:
            yield a0
            continue
        a1 = padded[top : top + h, left + 1 : left + 1 + w]
        b0 = padded[top + 1 : top + 1 + h, left : left + w]
        b1 = padded[top + 1 : top + 1 + h, left + 1 : left + 1 + w]
        x, y = table.dc[i], table.dr[i][:, None]
        upper = (1.0 - x) * a0 + x * a1
        lower = (1.0 - x) * b0 + x * b1
        yield (1.0 - y) * upper + y * lower


def default_codes(padded, margin, k_row, k_col, dr, dc, on_grid, out):
    """The ``"default"`` codes of one image into ``out``: the reference of
    :func:`._lbp_numba.default_codes`, whose parameters it takes."""
    table = Sampling(margin, k_row, k_col, dr, dc, on_grid)
    h, w = out.shape
    centre = padded[margin : margin + h, margin : margin + w]
    out[...] = 0
    for i, values in enumerate(neighbours(padded, table)):
        out |= ((values - centre) >= 0).astype(out.dtype) << i


def count_cells(codes, table, cell_of_row, cell_of_col, counts):
    """The reference of :func:`._lbp_numba.count_cells`: each cell's
    histogram of ``table[codes]`` added to ``counts``."""
    bins = np.take(table, codes, mode="clip")
    n_bins = counts.shape[-1]
    row_starts = np.flatnonzero(np.diff(cell_of_row)) + 1
    col_starts = np.flatnonzero(np.diff(cell_of_col)) + 1
    for i, band in enumerate(np.split(bins, row_starts, axis=0)):
        for j, cell in enumerate(np.split(band, col_starts, axis=1)):
            counts[i, j] += np.bincount(cell.ravel(), minlength=n_bins)


def variance(padded, table):
    """The ``"var"`` method: the variance (ddof 0) of each pixel's
    neighbours, summed as scikit-image sums them; NaN where it is 0."""
    total = squares = 0.0
    for values in neighbours(padded, table):
        total = total + values
        squares = squares + values * values
    n = table.n_points
    var = (squares - (total * total) / n) / n
    return np.where(var != 0, var, np.nan)


# -- codes: from the default code to the method's --------------------------------------


def method_codes(codes, P, method):
    """The ``method``'s codes of ``"default"`` codes (int64 arrays), from
    their bits as scikit-image reads them (bit ``i``: neighbour ``i``)."""
    codes = np.asarray(codes, dtype=np.int64)
    if method == "default":
        return codes
    if method == "ror":  # the smallest of the P right rotations
        best, rotated = codes.copy(), codes
        for _ in range(P - 1):
            rotated = (rotated >> 1) | ((rotated & 1) << (P - 1))
            np.minimum(best, rotated, out=best)
        return best
    ones = np.bitwise_count(codes).astype(np.int64)
    # Changes between neighbours i and i + 1 (not around the circle, as in
    # scikit-image; for at most 2 changes that is the same).
    changes = np.bitwise_count((codes ^ (codes >> 1)) & ((1 << (P - 1)) - 1))
    uniform = changes <= 2
    if method == "uniform":
        return np.where(uniform, ones, P + 1)
    first_one = np.bitwise_count((codes & -codes) - 1).astype(np.int64)
    zeros = ~codes & ((1 << P) - 1)
    first_zero = np.bitwise_count((zeros & -zeros) - 1).astype(np.int64)
    rotation = np.where(first_one == 0, ones - first_zero, P - first_one)
    code = np.where(ones == 0, 0, np.where(ones == P, P * (P - 1) + 1,
                                           1 + (ones - 1) * P + rotation))
    return np.where(uniform, code, P * (P - 1) + 2)
