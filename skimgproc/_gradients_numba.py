"""Compiled 3 x 3 derivative kernels (numba): the fast path of Sobel and
Prewitt gradients in :mod:`skimgproc.gradients`.

Loaded by :func:`skimgproc._config.optional_module`, the one loader.
One pass over each image computes both derivatives in registers and writes
the requested output (or the magnitude and the angle together), so the
magnitude or the angle costs one read of the (padded) image and one write,
where two scipy passes per derivative and ``np.hypot`` or ``np.arctan2``
cost ten. The arithmetic is done in the type of ``zero``: float32 runs twice
as fast as float64 and is exact within a few float32 roundings; the caller
picks float64 where float32 squares could overflow or underflow.

The caller pads each image by one pixel as the border mode extends it. For
every mode but ``constant`` with a nonzero ``cval``, the 3 x 3 stencil on
the padded image equals scipy's two 1-D passes (each of which extends its
own input), which is why that one case is left to the other paths.
"""

import math

import numpy as np

from ._compile import njit

__all__ = ["atan2_f32", "pad_bits", "stencil_chunk", "stencil_flat"]

# error_model="numpy": no ZeroDivisionError check on float division, which
# would keep the loops from vectorising.
_jit = njit(nogil=True, error_model="numpy")
_inline = njit(nogil=True, error_model="numpy", inline="always")

#: Outputs of the kernels. ANGLE is computed in the kernel (float32 only);
#: BOTH writes y and x (for the caller's ``np.arctan2``, or both asked for);
#: POLAR writes the magnitude and the angle (float32 only), each with the
#: very operations of MAGNITUDE and ANGLE, so bit for bit the same values.
X, Y, MAGNITUDE, BOTH, ANGLE, POLAR = 0, 1, 2, 3, 4, 5

_F = np.float32
_SQRT3, _TAN_PI_12 = _F(math.sqrt(3.0)), _F(2.0 - math.sqrt(3.0))
_PI, _PI_2, _PI_6 = _F(math.pi), _F(math.pi / 2), _F(math.pi / 6)
_C3, _C5, _C7, _C9, _C11 = (_F(c) for c in (-1 / 3, 1 / 5, -1 / 7, 1 / 9, -1 / 11))


@_inline
def atan2_f32(y, x):
    """``arctan2(y, x)`` of float32 values in float32 arithmetic, within 2
    ulp of the correctly rounded result (NumPy's own float32 arctan2 is
    within 3), written without branches so that loops of it vectorise.

    The smaller of |x|, |y| over the larger is brought into [0, tan(pi/12)]
    (atan(t) = pi/6 + atan((t sqrt(3) - 1) / (t + sqrt(3))) above it), where
    the Taylor series to degree 11 is exact to 1e-8; then the octant and
    quadrant are put back. Signed zeros follow ``np.arctan2``.
    """
    ax, ay = abs(x), abs(y)
    hi, lo = max(ax, ay), min(ax, ay)
    big = lo > _TAN_PI_12 * hi
    num = lo * _SQRT3 - hi if big else lo
    den = lo + hi * _SQRT3 if big else hi
    u = num / (den if den > 0 else _F(1.0))
    z = u * u
    r = u + u * (z * (_C3 + z * (_C5 + z * (_C7 + z * (_C9 + z * _C11)))))
    r = r + _PI_6 if big else r
    r = _PI_2 - r if ay > ax else r
    r = _PI - r if x < 0 else r
    return math.copysign(r, y)


@_inline
def _gx(ul, ml, dl, ur, mr, dr, j, a, b, zero):
    return (a * ((zero + ur[j]) - ul[j]) + b * ((zero + mr[j]) - ml[j])
            + a * ((zero + dr[j]) - dl[j]))


@_inline
def _gy(ul, uc, ur, dl, dc, dr, j, a, b, zero):
    return (a * ((zero + dl[j]) - ul[j]) + b * ((zero + dc[j]) - uc[j])
            + a * ((zero + dr[j]) - ur[j]))


@_inline
def _line(ul, uc, ur, ml, mr, dl, dc, dr, o, o2, size, a, b, factor, what, zero):
    """One run of ``size`` outputs; one loop per output kind, so that each
    loop vectorises."""
    if what == 0:
        for j in range(size):
            o[j] = _gx(ul, ml, dl, ur, mr, dr, j, a, b, zero) * factor
    elif what == 1:
        for j in range(size):
            o[j] = _gy(ul, uc, ur, dl, dc, dr, j, a, b, zero) * factor
    elif what == 2:
        for j in range(size):
            gx = _gx(ul, ml, dl, ur, mr, dr, j, a, b, zero)
            gy = _gy(ul, uc, ur, dl, dc, dr, j, a, b, zero)
            o[j] = np.sqrt(gx * gx + gy * gy) * factor
    elif what == 3:
        for j in range(size):
            o2[j] = _gx(ul, ml, dl, ur, mr, dr, j, a, b, zero) * factor
            o[j] = _gy(ul, uc, ur, dl, dc, dr, j, a, b, zero) * factor
    elif what == 4:
        # The angle does not depend on the (positive) factor.
        for j in range(size):
            o[j] = atan2_f32(_gy(ul, uc, ur, dl, dc, dr, j, a, b, zero),
                             _gx(ul, ml, dl, ur, mr, dr, j, a, b, zero))
    else:
        # Both from one read of the neighbourhood: 4.1 ms where the two
        # kinds apart took 2.0 + 3.7 ms (16 x 512 x 512, one thread).
        for j in range(size):
            gx = _gx(ul, ml, dl, ur, mr, dr, j, a, b, zero)
            gy = _gy(ul, uc, ur, dl, dc, dr, j, a, b, zero)
            o[j] = np.sqrt(gx * gx + gy * gy) * factor
            o2[j] = atan2_f32(gy, gx)


@_jit
def stencil_chunk(pad, out, aux, step, a, b, factor, what, zero):
    """Sobel-type derivatives of every image of a chunk, row by row.

    Parameters
    ----------
    pad : ndarray, shape (n, height + 2, (width + 2) * step)
        The images padded by one pixel, channels (``step`` of them)
        interleaved along the rows.
    out, aux : ndarray, shape (n, height, width * step)
        ``out`` gets x, y, the magnitude or the angle (``what`` 0, 1, 2,
        4); with ``what`` 3, ``aux`` gets x and ``out`` gets y; with 5,
        ``out`` gets the magnitude and ``aux`` the angle.
    a, b, factor : float
        Smoothing weights across the derivative (a, b, a), and the factor
        of the derivatives (``normalize``), of the type of ``zero``.
    zero : float32 or float64
        0 in the type of the arithmetic (float32 for ``what`` 4 and 5).
    """
    n, height, full = out.shape
    s2 = 2 * step
    for k in range(n):
        for i in range(height):
            # Shifted views with non-negative indices, so that the loops
            # vectorise (a negative-index check per load prevents it).
            up, mid, down = pad[k, i], pad[k, i + 1], pad[k, i + 2]
            _line(up[:full], up[step:step + full], up[s2:s2 + full],
                  mid[:full], mid[s2:s2 + full],
                  down[:full], down[step:step + full], down[s2:s2 + full],
                  out[k, i], aux[k, i], full, a, b, factor, what, zero)


@_jit
def stencil_flat(pad, out, aux, step, a, b, factor, what, zero):
    """:func:`stencil_chunk` for small images, whose rows are too short for
    a vector loop each: one loop runs over the whole padded chunk as a flat
    array, writing ``out`` and ``aux`` of the padded shape (the values at
    the padding are meaningless; the caller keeps the interior)."""
    width = pad.shape[2]
    flat, flat_out, flat_aux = pad.reshape(-1), out.reshape(-1), aux.reshape(-1)
    size = flat.size - 2 * width - 2 * step
    s2, w2, first = 2 * step, 2 * width, width + step
    _line(flat[:size], flat[step:step + size], flat[s2:s2 + size],
          flat[width:width + size], flat[width + s2:width + s2 + size],
          flat[w2:w2 + size], flat[w2 + step:w2 + step + size],
          flat[w2 + s2:w2 + s2 + size],
          flat_out[first:first + size], flat_aux[first:first + size], size,
          a, b, factor, what, zero)


@_jit
def pad_bits(src, pad, step, rows, cols, mask):
    """Copy a block of images into ``pad``, extended by one pixel on each
    side as the border mode extends it, and return the largest ``|value|``:
    the one pass over the block before the stencil.

    Parameters
    ----------
    src : ndarray, shape (n, height, width * step)
        The images' bits, as unsigned integers of the values' width (uint32
        for float32): copying bits copies the values, and ``bits & mask``
        (the sign bit cleared) orders as ``|value|`` does for finite values,
        so that the largest is an integer maximum, which vectorises (a float
        one does not, for NaN's sake).
    pad : ndarray, shape (n, height + 2, (width + 2) * step)
        Same dtype as ``src``; written whole.
    rows, cols : ndarray of int64, shape (2,)
        The row (column) scipy reads for index -1 and for index ``height``
        (``width``), from ``_gradients_stencil._edge_indices``; -1 for zeros (the
        ``constant`` mode with ``cval`` 0).
    mask : unsigned integer
        All bits but the sign bit.

    Returns
    -------
    largest : unsigned integer
        The bits of the largest ``|value|``.
    """
    n, height, full = src.shape
    # 0 of the bits' type: a plain 0 would make ``x if c else 0`` a float,
    # which rounds 64-bit integers.
    zero = mask ^ mask
    largest = zero
    first, last = cols[0] * step, cols[1] * step
    for k in range(n):
        for i in range(height):
            line, out = src[k, i], pad[k, i + 1]
            inner = out[step:step + full]
            for j in range(full):
                inner[j] = line[j]
                largest = max(largest, line[j] & mask)
            for c in range(step):
                out[c] = line[first + c] if first >= 0 else zero
                out[step + full + c] = line[last + c] if last >= 0 else zero
        # Whole padded rows: the corners as the columns extend those rows.
        if rows[0] >= 0:
            pad[k, 0] = pad[k, rows[0] + 1]
        else:
            pad[k, 0] = zero
        if rows[1] >= 0:
            pad[k, height + 1] = pad[k, rows[1] + 1]
        else:
            pad[k, height + 1] = zero
    return largest
