"""Compiled ROF kernels (numba), the optional fast path of :mod:`skimgproc.denoise`.

Loaded by :func:`skimgproc._config.optional_module`, the one loader
(``optional_module("._denoise_numba")``). Each kernel runs the same
arithmetic, in the same order, as the numpy reference in
:mod:`skimgproc._denoise_numpy` (results are equal to the last bit in
practice), fused into one pass over one image at a time, row by row: a
FISTA iteration reads the image and the dual fields once and writes the new
dual field, instead of the dozen array passes numpy needs. Each
image iterates until its own stopping rule holds, so batch-mates never
change each other's result. ``nogil`` lets the executor's threads
(:func:`skimgproc._executor.run_ranges`) run them in parallel; ``cache``
keeps the compilation out of later sessions.
"""

import threading

import numba
import numpy as np
from numba import types

__all__ = ["kernel"]

# error_model="numpy": no zero-division checks, which would stop the
# compiler from vectorising the loops (norms are >= 1 where we divide).
_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def _u_row(f, px, py, rx, ry, beta, lam, i, periodic, out, q):
    """Row ``i`` of ``f + lam * div(p + beta * (p - r))``.

    ``div`` is the exact negative adjoint of the forward-difference gradient;
    with Neumann boundaries the last column of ``px`` and the last row of
    ``py`` are ignored (the gradient is 0 there). Summed in the numpy
    reference's order: ``dx + dy``.
    """
    height, width = f.shape
    pxi, rxi, fi = px[i], rx[i], f[i]
    for j in range(width):
        q[j] = pxi[j] + beta * (pxi[j] - rxi[j])
    if periodic:
        out[0] = q[0] - q[width - 1]
    else:
        q[width - 1] = 0
        out[0] = q[0]
    for j in range(1, width):
        out[j] = q[j] - q[j - 1]
    down = periodic or i < height - 1
    up = periodic or i > 0
    iu = i - 1 if i > 0 else height - 1
    pyi, ryi, pyu, ryu = py[i], ry[i], py[iu], ry[iu]
    if down and up:
        for j in range(width):
            out[j] += (pyi[j] + beta * (pyi[j] - ryi[j])) - (
                pyu[j] + beta * (pyu[j] - ryu[j])
            )
    elif down:
        for j in range(width):
            out[j] += pyi[j] + beta * (pyi[j] - ryi[j])
    elif up:
        for j in range(width):
            out[j] += -(pyu[j] + beta * (pyu[j] - ryu[j]))
    for j in range(width):
        out[j] = fi[j] + lam * out[j]


@_jit
def _next_row(f, px, py, rx, ry, beta, lam, i, periodic, cur, nxt, first, q):
    """Fill ``nxt`` with the row below row ``i`` of u (wrapped, or a copy of
    row ``i`` at a Neumann border, so that the y difference is 0)."""
    height = f.shape[0]
    if i + 1 < height:
        _u_row(f, px, py, rx, ry, beta, lam, i + 1, periodic, nxt, q)
        _pad(nxt, periodic)
    elif periodic:
        nxt[:] = first
    else:
        nxt[:] = cur


@_jit
def _pad(row, periodic):
    """Row buffers hold one value past the last column: the first one
    (periodic) or the last one (Neumann), so that ``row[j + 1] - row[j]`` is
    the forward difference at every column without a branch."""
    width = row.shape[0] - 1
    row[width] = row[0] if periodic else row[width - 1]


@_jit
def _fista_sweep(f, px, py, rx, ry, beta, lam, step, periodic, cur, nxt, first, q,
                 tx, ty):
    """One FISTA step on the dual: ``r <- P(y + step * grad(u(y)))`` with
    ``y = p + beta * (p - r)``, row by row; u(y) is made two rows at a time
    and row ``i`` of ``r`` is overwritten only once no u row needs it."""
    height, width = f.shape
    one = lam / lam  # 1 in the data type (float32 stays float32)
    _u_row(f, px, py, rx, ry, beta, lam, 0, periodic, cur, q)
    _pad(cur, periodic)
    if periodic:
        first[:] = cur
    for i in range(height):
        _next_row(f, px, py, rx, ry, beta, lam, i, periodic, cur, nxt, first, q)
        # Simple loops with one output each, so that the compiler vectorises
        # them (one fused loop has too many possibly aliased arrays).
        pxi, pyi, rxi, ryi = px[i], py[i], rx[i], ry[i]
        for j in range(width):
            tx[j] = (pxi[j] + beta * (pxi[j] - rxi[j])) + step * (cur[j + 1] - cur[j])
        for j in range(width):
            ty[j] = (pyi[j] + beta * (pyi[j] - ryi[j])) + step * (nxt[j] - cur[j])
        _project_row(tx, ty, rxi, ryi, one)
        cur, nxt = nxt, cur


@_jit
def _project_row(tx, ty, outx, outy, one):
    """``t / max(1, |t|)`` along a row."""
    for j in range(outx.shape[0]):
        norm = np.sqrt(tx[j] * tx[j] + ty[j] * ty[j])
        norm = norm if norm > one else one
        outx[j] = tx[j] / norm
        outy[j] = ty[j] / norm


@numba.njit(cache=True, nogil=True, error_model="numpy", fastmath={"reassoc"})
def _row_sum(row, width):
    """Sum of ``row[:width]`` in float64; reassociation lets the compiler
    vectorise it (the order of a sum only moves its last bits)."""
    total = 0.0
    for j in range(width):
        total += row[j]
    return total


@_jit
def _gap(f, px, py, lam, periodic, cur, nxt, first, q, tx, ty):
    """Duality gap and primal energy of ``u = f + lam * div(p)``, in float64."""
    height, width = f.shape
    zero = lam - lam
    _u_row(f, px, py, px, py, zero, lam, 0, periodic, cur, q)
    _pad(cur, periodic)
    if periodic:
        first[:] = cur
    gap = 0.0
    tv = 0.0
    fidelity = 0.0
    for i in range(height):
        _next_row(f, px, py, px, py, zero, lam, i, periodic, cur, nxt, first, q)
        pxi, pyi, fi = px[i], py[i], f[i]
        for j in range(width):
            gx = cur[j + 1] - cur[j]
            gy = nxt[j] - cur[j]
            norm = np.sqrt(gx * gx + gy * gy)
            tx[j] = norm
            ty[j] = norm - (gx * pxi[j] + gy * pyi[j])
        tv += _row_sum(tx, width)
        gap += _row_sum(ty, width)
        for j in range(width):
            d = cur[j] - fi[j]
            tx[j] = d * d
        fidelity += _row_sum(tx, width)
        cur, nxt = nxt, cur
    return lam * gap, 0.5 * fidelity + lam * tv


@_jit
def _write_u(f, px, py, lam, periodic, out, row, q):
    zero = lam - lam
    width = f.shape[1]
    for i in range(f.shape[0]):
        _u_row(f, px, py, px, py, zero, lam, i, periodic, row, q)
        out[i, :] = row[:width]


def _fista_chunk(F, U, info, lam, step, tol, max_iter, periodic, check_every):
    """FISTA on the dual for every plane ``F[s, c]``; ``U[s, c]`` gets u and
    ``info[s, c]`` (iterations, relative gap, converged)."""
    n, n_channels, height, width = F.shape
    f = np.empty((height, width), F.dtype)
    px = np.empty_like(f)
    py = np.empty_like(f)
    rx = np.empty_like(f)
    ry = np.empty_like(f)
    cur = np.empty(width + 1, F.dtype)
    nxt = np.empty_like(cur)
    first = np.empty_like(cur)
    q = np.empty_like(cur)
    tx = np.empty_like(cur)
    ty = np.empty_like(cur)
    beta = np.empty(1, F.dtype)  # FISTA's momentum, rounded to the data type
    for s in range(n):
        for c in range(n_channels):
            f[:, :] = F[s, c]
            for a in (px, py, rx, ry):
                a[:, :] = 0
            k = 0
            t = 1.0
            converged = False
            gap, energy = 0.0, 0.0
            while k < max_iter:
                k += 1
                beta[0] = 0.0
                if k > 1:
                    t_next = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
                    beta[0] = (t - 1.0) / t_next
                    t = t_next
                _fista_sweep(f, px, py, rx, ry, beta[0], lam, step, periodic,
                             cur, nxt, first, q, tx, ty)
                px, rx = rx, px
                py, ry = ry, py
                if k % check_every == 0 or k == max_iter:
                    gap, energy = _gap(f, px, py, lam, periodic, cur, nxt, first, q,
                                       tx, ty)
                    if gap <= tol * energy:
                        converged = True
                        break
            _write_u(f, px, py, lam, periodic, U[s, c], cur, q)
            info[s, c, 0] = k
            info[s, c, 1] = gap / energy if energy > 0 else 0.0
            info[s, c, 2] = converged


@_jit
def _chambolle_step(f, u, px, py, lam, step, periodic, row, q, tx, ty):
    """The chapter's iteration: ``p <- P(p + step * grad(u))``, then
    ``u = f + lam * div(p)``; returns the squared change of u (float64)."""
    height, width = f.shape
    one = lam / lam  # 1 in the data type (float32 stays float32)
    for i in range(height):
        if i + 1 < height:
            below = u[i + 1]
        elif periodic:
            below = u[0]
        else:
            below = u[i]
        row[:width] = u[i]
        _pad(row, periodic)
        pxi, pyi = px[i], py[i]
        for j in range(width):
            tx[j] = pxi[j] + step * (row[j + 1] - row[j])
        for j in range(width):
            ty[j] = pyi[j] + step * (below[j] - row[j])
        _project_row(tx, ty, pxi, pyi, one)
    zero = lam - lam
    change = 0.0
    for i in range(height):
        _u_row(f, px, py, px, py, zero, lam, i, periodic, row, q)
        ui = u[i]
        for j in range(width):
            d = row[j] - ui[j]
            tx[j] = d * d
            ui[j] = row[j]
        change += _row_sum(tx, width)
    return change


def _chambolle_chunk(F, U, info, lam, step, tol, max_iter, periodic):
    """The chapter's Chambolle iteration for every plane ``F[s, c]``, until
    ``||u - u_old|| / sqrt(n_pixels) <= tol``."""
    n, n_channels, height, width = F.shape
    f = np.empty((height, width), F.dtype)
    u = np.empty_like(f)
    px = np.empty_like(f)
    py = np.empty_like(f)
    row = np.empty(width + 1, F.dtype)
    q = np.empty_like(row)
    first = np.empty_like(row)
    nxt = np.empty_like(row)
    tx = np.empty_like(row)
    ty = np.empty_like(row)
    n_pixels = height * width
    for s in range(n):
        for c in range(n_channels):
            f[:, :] = F[s, c]
            u[:, :] = f
            px[:, :] = 0
            py[:, :] = 0
            k = 0
            converged = False
            while k < max_iter:
                k += 1
                change = _chambolle_step(f, u, px, py, lam, step, periodic, row, q,
                                         tx, ty)
                if np.sqrt(change) / np.sqrt(n_pixels) <= tol:
                    converged = True
                    break
            U[s, c] = u
            gap, energy = _gap(f, px, py, lam, periodic, row, nxt, first, q, tx, ty)
            info[s, c, 0] = k
            info[s, c, 1] = gap / energy if energy > 0 else 0.0
            info[s, c, 2] = converged


#: The entry points and the types of their arguments after (images, output,
#: information); "data" is the images' float type.
_ENTRY_POINTS = {
    "fista": (_fista_chunk, ("data", "data", types.float64, types.int64,
                             types.boolean, types.int64)),
    "chambolle": (_chambolle_chunk, ("data", "data", types.float64, types.int64,
                                     types.boolean)),
}
_compiled = {}
_lock = threading.Lock()


def kernel(method, dtype):
    """The compiled solver of ``method`` for float32 or float64 images.

    Compiled on first use for that type only (or loaded from numba's cache,
    which makes later sessions start in a second). The images are typed
    read-only, which any array converts to; the output and the per-image
    information ``(n, channels, 3)`` are writable.
    """
    key = (method, np.dtype(dtype))
    with _lock:
        if key not in _compiled:
            func, rest = _ENTRY_POINTS[method]
            data = numba.from_dtype(np.dtype(dtype))
            signature = types.void(
                types.Array(data, 4, "A", readonly=True),
                types.Array(data, 4, "A"),
                types.Array(types.float64, 3, "A"),
                *[data if r == "data" else r for r in rest],
            )
            _compiled[key] = numba.njit(
                signature, cache=True, nogil=True, error_model="numpy"
            )(func)
    return _compiled[key]
