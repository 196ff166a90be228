"""Compiled separable correlation (numba): the fast path of the blur and the
Gaussian derivatives on images too large for the matrix route of
:mod:`skimgproc._separable`.

Loaded by :func:`skimgproc._config.optional_module`, the one loader.
Each output row is made in one sweep: the vertical 1-D correlation of the
source rows it needs (all in the cache: ``2 r + 1`` rows of one image) goes
into the middle of a padded row buffer, its border is filled as the mode
extends it, and the horizontal correlation of that buffer is the output
row. No image-sized temporary, so the source and the result each cross the
memory bus once.

Every inner loop runs along a row (pixels and their interleaved channels
are one contiguous run, a horizontal tap is a shift of ``step`` values),
so LLVM vectorises it; symmetric and antisymmetric kernels (every Gaussian
derivative) add or subtract the two mirrored taps before one multiply,
halving the multiplies. Each tap is a pass over a row held in the L1 cache
(a load, a multiply-add, a store per vector), which on current cores runs
near the multiply-add rate. Arithmetic is in the images' dtype: float32
sums agree with scipy's float64 ones within a few float32 roundings of the
data's scale.
"""

import numpy as np

from ._compile import njit

__all__ = ["correlate_images"]

# error_model="numpy": no ZeroDivisionError checks; fastmath "contract":
# multiply-adds fused (FMA), nothing else reordered.
_jit = njit(nogil=True, error_model="numpy", fastmath={"contract"})


@_jit
def _taps(out, src, zeros, rows, weights, symmetry, length):
    """``out[:length] = sum_k weights[k] * src[rows[k]][:length]``, a row of
    index -1 (outside, mode constant) being ``zeros``; ``symmetry`` +1 or -1:
    ``weights[2r - k] = symmetry * weights[k]``, the two taps added (or
    subtracted) before one multiply. Two pairs of taps per pass over ``out``:
    half the loads and stores of the sum."""
    n_taps = weights.shape[0]
    r = n_taps // 2
    if symmetry == 0:
        for q in range(length):
            out[q] = 0
        for k in range(n_taps):
            ra = src[rows[k]] if rows[k] >= 0 else zeros
            wk = weights[k]
            for q in range(length):
                out[q] += wk * ra[q]
        return
    rc = src[rows[r]] if rows[r] >= 0 else zeros
    wc = weights[r]
    for q in range(length):
        out[q] = wc * rc[q]
    sign = weights.dtype.type(symmetry)
    for k in range(0, r, 2):
        j = min(k + 1, r - 1)  # the last pair alone: its weight 0 below
        a0 = src[rows[k]] if rows[k] >= 0 else zeros
        b0 = src[rows[n_taps - 1 - k]] if rows[n_taps - 1 - k] >= 0 else zeros
        a1 = src[rows[j]] if rows[j] >= 0 else zeros
        b1 = src[rows[n_taps - 1 - j]] if rows[n_taps - 1 - j] >= 0 else zeros
        w0, w1 = weights[k], (weights[j] if j > k else weights.dtype.type(0))
        for q in range(length):
            out[q] += w0 * (a0[q] + sign * b0[q]) + w1 * (a1[q] + sign * b1[q])


@_jit
def _shifts(out, pad, weights, symmetry, step, length):
    """The horizontal correlation of a padded row: ``out[q] = sum_k
    weights[k] * pad[q + k * step]``, paired as :func:`_taps` does. Each
    shift is a view, indexed by the loop's counter alone: an index ``q + a``
    of unknown sign would be wrapped (negative indices), and the loop would
    not vectorise."""
    n_taps = weights.shape[0]
    r = n_taps // 2
    if symmetry == 0:
        for q in range(length):
            out[q] = 0
        for k in range(n_taps):
            wk = weights[k]
            pa = pad[k * step:]
            for q in range(length):
                out[q] += wk * pa[q]
        return
    wc = weights[r]
    pc = pad[r * step:]
    for q in range(length):
        out[q] = wc * pc[q]
    sign = weights.dtype.type(symmetry)
    for k in range(0, r, 2):
        j = min(k + 1, r - 1)
        a0, b0 = pad[k * step:], pad[(n_taps - 1 - k) * step:]
        a1, b1 = pad[j * step:], pad[(n_taps - 1 - j) * step:]
        w0, w1 = weights[k], (weights[j] if j > k else weights.dtype.type(0))
        for q in range(length):
            out[q] += w0 * (a0[q] + sign * b0[q]) + w1 * (a1[q] + sign * b1[q])


@_jit
def _fill_border(pad, middle, col_index, r, step, zero):
    """The ``r`` padded columns on each side of ``middle``, as the mode
    extends it (-1: zero)."""
    width = col_index.shape[0]
    for side in range(2):
        start = 0 if side == 0 else width - r
        for p in range(start, start + r):
            s = col_index[p]
            for c in range(step):
                pad[p * step + c] = zero if s < 0 else middle[s * step + c]


@_jit
def correlate_images(src, dst, wy, sy, row_index, wx, sx, col_index, step):
    """Correlate each image of ``src`` (n, h, w * step) into ``dst``: along
    the rows with ``wy`` (symmetry ``sy``), then along the columns with
    ``wx``.

    ``row_index[i + k]`` is the source row of tap ``k`` of output row ``i``
    (``h + 2 ry`` entries, -1 for a zero row), ``col_index[p]`` the source
    column of padded column ``p`` (``w + 2 rx`` entries). A one-tap kernel
    ``[1.0]`` leaves its axis as it is.
    """
    n, h, length = src.shape
    ny, nx = wy.shape[0], wx.shape[0]
    rx = nx // 2
    width = col_index.shape[0]
    pad = np.zeros(width * step, src.dtype)
    middle = pad[rx * step:rx * step + length]
    zeros = np.zeros(length, src.dtype)
    zero = src.dtype.type(0)
    for i in range(n):
        image = src[i]
        for y in range(h):
            _taps(middle, image, zeros, row_index[y:y + ny], wy, sy, length)
            _fill_border(pad, middle, col_index, rx, step, zero)
            _shifts(dst[i, y], pad, wx, sx, step, length)
