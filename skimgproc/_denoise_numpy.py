"""The numpy ROF solvers, the reference of :mod:`skimgproc.denoise`.

The discretisation (forward-difference gradient, its exact negative adjoint
``div``) and the two solvers on the dual field ``p``: FISTA stopping on the
duality gap, and the chapter's projected (Chambolle) iteration. They run
when numba is missing or acceleration is off; the compiled kernels of
:mod:`._denoise_numba` do the same arithmetic in the same order.

:func:`kernel` gives a solver with the compiled kernels' interface: the
planes of a chunk ``F (n, channels, H, W)``, the output ``U`` and the
per-plane information ``info (n, channels, 3)`` (iterations, relative gap,
converged), then the solver's arguments.
"""

import numpy as np

__all__ = ["divergence", "gradient", "kernel"]


# -- discretisation -----------------------------------------------------------


def gradient(u, periodic):
    """Forward differences of ``u`` (..., H, W): ``g[..., 0, :, :]`` along x
    (columns), ``g[..., 1, :, :]`` along y (rows); 0 at the far border
    (Neumann) or wrapping around (periodic, the chapter's ``np.roll``)."""
    g = np.empty(u.shape[:-2] + (2,) + u.shape[-2:], dtype=u.dtype)
    _forward_difference(u, g[..., 0, :, :], periodic)
    _forward_difference(
        u.swapaxes(-1, -2), g[..., 1, :, :].swapaxes(-1, -2), periodic
    )
    return g


def _forward_difference(u, out, periodic):
    np.subtract(u[..., 1:], u[..., :-1], out=out[..., :-1])
    if periodic:
        np.subtract(u[..., 0], u[..., -1], out=out[..., -1])
    else:
        out[..., -1] = 0


def _backward_difference(p, periodic):
    """Negative adjoint of :func:`_forward_difference` along the last axis."""
    out = np.empty_like(p)
    if periodic:
        np.subtract(p[..., 1:], p[..., :-1], out=out[..., 1:])
        np.subtract(p[..., 0], p[..., -1], out=out[..., 0])
    elif p.shape[-1] == 1:
        out[...] = 0
    else:
        # The forward difference is 0 in the last column, whatever p is there.
        out[..., 0] = p[..., 0]
        np.subtract(p[..., 1:-1], p[..., :-2], out=out[..., 1:-1])
        np.negative(p[..., -2], out=out[..., -1])
    return out


def divergence(p, periodic):
    """``div(p)`` for ``p`` laid out as :func:`gradient` returns it; exactly
    ``-grad^T`` for both boundaries. Summed as the chapter does: ``dx + dy``."""
    d = _backward_difference(p[..., 0, :, :], periodic)
    d += _backward_difference(p[..., 1, :, :].swapaxes(-1, -2), periodic).swapaxes(
        -1, -2
    )
    return d


def _primal(f, p, lam, periodic):
    """``u = f + lam * div(p)``."""
    u = divergence(p, periodic)
    u *= lam
    u += f
    return u


def _project(q):
    """``q / max(1, |q|)`` at every pixel, in place."""
    norm = np.sqrt(q[:, 0] * q[:, 0] + q[:, 1] * q[:, 1])
    np.maximum(norm, 1, out=norm)
    q /= norm[:, np.newaxis]
    return q


def _gap_and_energy(f, p, lam, periodic):
    """Per image: duality gap and energy of ``u = f + lam * div(p)``, and u.

    ``E(u) - D(p) = lam * sum(|grad u| - <grad u, p>)`` (summed in float64).
    """
    u = _primal(f, p, lam, periodic)
    g = gradient(u, periodic)
    norm = np.sqrt(g[:, 0] * g[:, 0] + g[:, 1] * g[:, 1])
    inner = g[:, 0] * p[:, 0] + g[:, 1] * p[:, 1]
    axes = (1, 2)
    lam64 = float(lam)
    gap = lam64 * np.sum(norm - inner, axis=axes, dtype=np.float64)
    diff = u - f
    fidelity = np.sum(diff * diff, axis=axes, dtype=np.float64)
    energy = 0.5 * fidelity + lam64 * np.sum(norm, axis=axes, dtype=np.float64)
    return gap, energy, u


def _relative(gap, energy):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(energy > 0, gap / energy, 0.0)


# -- solvers on a stack of planes ---------------------------------------------


class _Planes:
    """The planes of one chunk still iterating; finished ones are written out
    and dropped, so that each plane stops on its own criterion."""

    def __init__(self, f, out, info):
        self.live = np.arange(f.shape[0])
        self.f, self.out, self.info = f, out, info

    def finish(self, done, u, k, relative_gap, converged, *states):
        index = self.live[done]
        self.out[index] = u[done]
        self.info[index, 0] = k
        self.info[index, 1] = relative_gap[done]
        self.info[index, 2] = converged[done]
        keep = ~done
        self.live, self.f = self.live[keep], self.f[keep]
        return [state[keep] for state in states]


def _fista(f, out, info, lam, step, tol, max_iter, periodic, check_every):
    planes = _Planes(f, out, info)
    p = np.zeros(f.shape[:1] + (2,) + f.shape[1:], dtype=f.dtype)
    r = np.zeros_like(p)
    momentum = _fista_momentum(f.dtype.type)
    for k in range(1, max_iter + 1):
        q = p - r  # the extrapolated point p + beta * (p - r)
        q *= next(momentum)
        q += p
        g = gradient(_primal(planes.f, q, lam, periodic), periodic)
        g *= step
        q += g
        p, r = _project(q), p
        if k % check_every == 0 or k == max_iter:
            gap, energy, u = _gap_and_energy(planes.f, p, lam, periodic)
            converged = gap <= tol * energy
            done = converged | (k == max_iter)
            if done.any():
                relative_gap = _relative(gap, energy)
                p, r = planes.finish(done, u, k, relative_gap, converged, p, r)
                if not planes.live.size:
                    return


def _chambolle(f, out, info, lam, step, tol, max_iter, periodic):
    planes = _Planes(f, out, info)
    p = np.zeros(f.shape[:1] + (2,) + f.shape[1:], dtype=f.dtype)
    u = f
    root_n = np.sqrt(f.shape[1] * f.shape[2])
    for k in range(1, max_iter + 1):
        g = gradient(u, periodic)
        g *= step
        g += p
        p = _project(g)
        u_new = _primal(planes.f, p, lam, periodic)
        diff = u_new - u
        change = np.sqrt(np.sum(diff * diff, axis=(1, 2), dtype=np.float64))
        u = u_new
        converged = change / root_n <= tol
        done = converged | (k == max_iter)
        if done.any():
            gap, energy, _ = _gap_and_energy(planes.f[done], p[done], lam, periodic)
            relative_gap = np.zeros(len(done))
            relative_gap[done] = _relative(gap, energy)
            p, u = planes.finish(done, u, k, relative_gap, converged, p, u)
            if not planes.live.size:
                return


def _fista_momentum(dtype):
    """FISTA's momentum ``(t_{k-1} - 1) / t_k`` for k = 1, 2, ... (0 first),
    with ``t_1 = 1``, ``t_k = (1 + sqrt(1 + 4 t_{k-1}^2)) / 2``."""
    t = 1.0
    yield dtype(0.0)
    while True:
        t_next = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
        yield dtype((t - 1.0) / t_next)
        t = t_next


# -- the compiled kernels' interface --------------------------------------------


def _solve_planes(solver, F, U, info, *args):
    """``solver`` on the planes of ``F`` as one stack ``(n * channels, H, W)``,
    the results written into ``U`` and ``info``."""
    f = F.reshape((-1,) + F.shape[2:])
    u = np.empty(f.shape, dtype=f.dtype)
    flat_info = np.empty((f.shape[0], 3))
    # Overflow (of absurdly large values) is reported once, after the run.
    with np.errstate(over="ignore", invalid="ignore"):
        solver(f, u, flat_info, *args)
    U[...] = u.reshape(U.shape)
    info[...] = flat_info.reshape(info.shape)


def fista(F, U, info, lam, step, tol, max_iter, periodic, check_every):
    """FISTA on the dual for every plane ``F[s, c]``, checking the duality
    gap every ``check_every`` iterations."""
    _solve_planes(_fista, F, U, info, lam, step, tol, max_iter, periodic,
                  check_every)


def chambolle(F, U, info, lam, step, tol, max_iter, periodic):
    """The chapter's Chambolle iteration for every plane ``F[s, c]``, until
    ``||u - u_old|| / sqrt(n_pixels) <= tol``."""
    _solve_planes(_chambolle, F, U, info, lam, step, tol, max_iter, periodic)


_SOLVERS = {"fista": fista, "chambolle": chambolle}


def kernel(method, dtype):
    """The numpy solver of ``method``, called as the compiled kernel of
    :func:`skimgproc._denoise_numba.kernel` is (one solver serves every
    float type)."""
    return _SOLVERS[method]
