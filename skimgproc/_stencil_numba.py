"""Compiled 3 x 3 derivative kernels (numba): the fast path of Sobel and
Prewitt gradients in :mod:`skimgproc.gradients`.

Imported only when :func:`skimgproc._config.optional_module` returns numba.
One pass over each image computes both derivatives in registers and writes
the requested output, so the magnitude costs one read of the (padded) image
and one write, where two scipy passes per derivative and ``np.hypot`` cost
ten. The arithmetic is done in the type of ``zero``: float32 runs twice as
fast as float64 and is exact within a few float32 roundings; the caller
picks float64 where float32 squares could overflow or underflow.

The caller pads each image by one pixel as the border mode extends it. For
every mode but ``constant`` with a nonzero ``cval``, the 3 x 3 stencil on
the padded image equals scipy's two 1-D passes (each of which extends its
own input), which is why that one case is left to the other paths.
"""

import numba
import numpy as np

__all__ = ["stencil_chunk", "stencil_flat"]

_jit = numba.njit(cache=True, nogil=True)

#: Outputs of :func:`stencil_chunk`.
X, Y, MAGNITUDE, BOTH = 0, 1, 2, 3


@_jit
def stencil_chunk(pad, out, aux, step, a, b, factor, what, zero):
    """Sobel-type derivatives of every image of a chunk.

    Parameters
    ----------
    pad : ndarray, shape (n, height + 2, (width + 2) * step)
        The images padded by one pixel, channels (``step`` of them)
        interleaved along the rows.
    out, aux : ndarray, shape (n, height, width * step)
        ``out`` gets x, y or the magnitude (``what`` 0, 1, 2); with
        ``what`` 3, ``aux`` gets x and ``out`` gets y.
    a, b, factor : float
        Smoothing weights across the derivative (a, b, a), and the factor
        of the derivatives (``normalize``), of the type of ``zero``.
    zero : float32 or float64
        0 in the type of the arithmetic.
    """
    n, height, full = out.shape
    s2 = 2 * step
    for k in range(n):
        for i in range(height):
            # Shifted views with non-negative indices, so that the loops
            # vectorise (a negative-index check per load prevents it).
            up, mid, down = pad[k, i], pad[k, i + 1], pad[k, i + 2]
            ul, ml, dl = up[:full], mid[:full], down[:full]
            uc, dc = up[step:step + full], down[step:step + full]
            ur, mr, dr = up[s2:s2 + full], mid[s2:s2 + full], down[s2:s2 + full]
            o = out[k, i]
            # One loop per output, so that each one vectorises.
            if what == 2:
                for j in range(full):
                    gx = (a * ((zero + ur[j]) - ul[j]) + b * ((zero + mr[j]) - ml[j])
                          + a * ((zero + dr[j]) - dl[j]))
                    gy = (a * ((zero + dl[j]) - ul[j]) + b * ((zero + dc[j]) - uc[j])
                          + a * ((zero + dr[j]) - ur[j]))
                    o[j] = np.sqrt(gx * gx + gy * gy) * factor
            elif what == 0:
                for j in range(full):
                    gx = (a * ((zero + ur[j]) - ul[j]) + b * ((zero + mr[j]) - ml[j])
                          + a * ((zero + dr[j]) - dl[j]))
                    o[j] = gx * factor
            elif what == 1:
                for j in range(full):
                    gy = (a * ((zero + dl[j]) - ul[j]) + b * ((zero + dc[j]) - uc[j])
                          + a * ((zero + dr[j]) - ur[j]))
                    o[j] = gy * factor
            else:
                o2 = aux[k, i]
                for j in range(full):
                    gx = (a * ((zero + ur[j]) - ul[j]) + b * ((zero + mr[j]) - ml[j])
                          + a * ((zero + dr[j]) - dl[j]))
                    gy = (a * ((zero + dl[j]) - ul[j]) + b * ((zero + dc[j]) - uc[j])
                          + a * ((zero + dr[j]) - ur[j]))
                    o2[j] = gx * factor
                    o[j] = gy * factor


@_jit
def stencil_flat(pad, out, aux, step, a, b, factor, what, zero):
    """:func:`stencil_chunk` for small images, where rows are too short for
    a vector loop each: one loop runs over the whole padded chunk as a flat
    array, writing ``out`` and ``aux`` of the padded shape (the values at
    the padding are meaningless; the caller keeps the interior)."""
    n, rows, width = pad.shape
    flat, flat_out, flat_aux = pad.reshape(-1), out.reshape(-1), aux.reshape(-1)
    size = flat.size - 2 * width - 2 * step
    s2, w2 = 2 * step, 2 * width
    ul, uc, ur = flat[:size], flat[step:step + size], flat[s2:s2 + size]
    ml, mr = flat[width:width + size], flat[width + s2:width + s2 + size]
    dl, dc = flat[w2:w2 + size], flat[w2 + step:w2 + step + size]
    dr = flat[w2 + s2:w2 + s2 + size]
    o = flat_out[width + step:width + step + size]
    if what == 2:
        for j in range(size):
            gx = (a * ((zero + ur[j]) - ul[j]) + b * ((zero + mr[j]) - ml[j])
                  + a * ((zero + dr[j]) - dl[j]))
            gy = (a * ((zero + dl[j]) - ul[j]) + b * ((zero + dc[j]) - uc[j])
                  + a * ((zero + dr[j]) - ur[j]))
            o[j] = np.sqrt(gx * gx + gy * gy) * factor
    elif what == 0:
        for j in range(size):
            gx = (a * ((zero + ur[j]) - ul[j]) + b * ((zero + mr[j]) - ml[j])
                  + a * ((zero + dr[j]) - dl[j]))
            o[j] = gx * factor
    elif what == 1:
        for j in range(size):
            gy = (a * ((zero + dl[j]) - ul[j]) + b * ((zero + dc[j]) - uc[j])
                  + a * ((zero + dr[j]) - ur[j]))
            o[j] = gy * factor
    else:
        o2 = flat_aux[width + step:width + step + size]
        for j in range(size):
            gx = (a * ((zero + ur[j]) - ul[j]) + b * ((zero + mr[j]) - ml[j])
                  + a * ((zero + dr[j]) - dl[j]))
            gy = (a * ((zero + dl[j]) - ul[j]) + b * ((zero + dc[j]) - uc[j])
                  + a * ((zero + dr[j]) - ur[j]))
            o2[j] = gx * factor
            o[j] = gy * factor
