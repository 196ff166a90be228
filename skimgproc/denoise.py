"""Rudin-Osher-Fatemi (total variation) denoising of image batches.

For each image ``f`` (each channel of a colour image, each row of 2-D input
read as a 1-D signal) the denoised image ``u`` minimises

    E(u) = 0.5 * ||u - f||^2 + tv_weight * TV(u),

with the isotropic total variation of forward differences,
``TV(u) = sum(sqrt(dx(u)**2 + dy(u)**2))``. Its dual: ``u = f + tv_weight *
div(p)`` with ``|p| <= 1`` at every pixel, ``div`` the exact negative adjoint
of the forward-difference gradient. Both solvers work on ``p``, so every
iterate keeps the mean of ``f`` and ``|u - f| <= (2 + sqrt(2)) * tv_weight``.

Two solvers share one function: the chapter's projected (Chambolle)
iteration, faithful to the textbook [4]_, and the default, FISTA on the dual
[3]_, which stops on the duality gap, a certificate of the distance from the
true minimiser. Here are the function, its estimator and the engine, which
runs the solver over the batch: the compiled kernels of
:mod:`._denoise_numba` when numba is usable, else the numpy reference of
:mod:`._denoise_numpy`, the same arithmetic.
"""

import sys
import warnings
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from . import _denoise_numpy
from ._base import ImageTransformer
from ._batch import all_finite, as_batch
from ._config import optional_module
from ._executor import run_ranges
from ._progress import VERBOSE, progress
from ._validation import Bool, Constraints, Int, NJobs, Options, RealNumber, Rule

__all__ = ["ROFDenoiser", "rof_denoise"]

METHODS = frozenset({"fista", "chambolle"})
BOUNDARIES = frozenset({"neumann", "periodic"})
OUTPUTS = frozenset({"denoised", "texture"})
#: fista: relative duality gap; chambolle: the chapter's absolute change of
#: u per iteration, in data units.
DEFAULT_TOLERANCE = {"fista": 1e-3, "chambolle": 0.1}
#: The default reaches a 1e-3 gap in about 500 iterations at the chapter's
#: setting and about 3000 when smoothing 10 times more.
DEFAULT_MAX_NUM_ITER = 5000
#: The projected iteration converges for tau < 1/4 (||grad||^2 <= 8); at
#: 1/4 a checkerboard oscillation never dies out.
TAU_MAX = 0.25
#: FISTA's step on the dual: 1 / (8 * tv_weight), the inverse Lipschitz
#: constant of the dual objective's gradient, in units of tau.
FISTA_TAU = 0.125
#: The duality gap costs about one iteration; FISTA checks it this often.
GAP_CHECK_EVERY = 10


# -- parameters -----------------------------------------------------------------

_POSITIVE = RealNumber(0, None, closed="neither")


def _check_tolerance(tolerance, name, owner, batch):
    """None (the method's default, filled in by :func:`_default_tolerance`)
    or a positive float."""
    return None if tolerance is None else _POSITIVE.check(tolerance, name, owner)


def _default_tolerance(params, owner):
    if params["tolerance"] is None:
        params["tolerance"] = DEFAULT_TOLERANCE[params["method"]]


#: The solver's parameters, those of :func:`rof_denoise` and
#: :class:`ROFDenoiser` alike, in the order they are checked. The range of
#: ``tv_weight`` that the images' float type can carry is the engine's check.
ROF_CONSTRAINTS = Constraints(
    method=Options(METHODS),
    tv_weight=_POSITIVE,
    tolerance=Rule(_check_tolerance),
    max_num_iter=Int(1),
    tau=RealNumber(0, TAU_MAX, closed="neither"),
    boundary=Options(BOUNDARIES),
    n_jobs=NJobs(),
    verbose=VERBOSE,
    joint=_default_tolerance,
)
#: :func:`rof_denoise`'s, with what it returns.
FUNCTION_CONSTRAINTS = ROF_CONSTRAINTS.but(return_info=Bool())
#: :class:`ROFDenoiser`'s, with which result ``transform`` gives.
ESTIMATOR_CONSTRAINTS = ROF_CONSTRAINTS.but(output=Options(OUTPUTS))

# The name the solver's own messages (the float type's range of tv_weight,
# overflow, convergence) give their owner: rof_denoise's, or that of the
# estimator calling it, whose signature the function cannot grow.
_owner = ContextVar("rof_owner", default="rof_denoise")


@contextmanager
def _owned_by(owner):
    token = _owner.set(owner)
    try:
        yield
    finally:
        _owner.reset(token)


# -- public API -----------------------------------------------------------------


def rof_denoise(
    images,
    tv_weight=100.0,
    *,
    method="fista",
    tolerance=None,
    max_num_iter=DEFAULT_MAX_NUM_ITER,
    tau=0.125,
    boundary="neumann",
    return_info=False,
    channel_axis=-1,
    image_shape=None,
    n_jobs=None,
    verbose=0,
):
    r"""Rudin-Osher-Fatemi total variation denoising of each image of a batch.

    Finds, for each image ``f``, the ``u`` minimising

    .. math:: E(u) = \tfrac12 \|u - f\|^2 + \lambda\, \mathrm{TV}(u),

    with :math:`\lambda` = ``tv_weight`` and the isotropic total variation of
    forward differences, :math:`\mathrm{TV}(u) = \sum_{ij}
    \sqrt{(u_{i,j+1} - u_{ij})^2 + (u_{i+1,j} - u_{ij})^2}` [1]_. The
    solution is ``u = f + tv_weight * div(p)`` for a dual field ``p`` with
    ``|p| <= 1`` at every pixel. Returns ``u`` and the texture ``f - u``, as
    the chapter's ``denoise`` returns ``U, T`` [4]_.

    Each image, each channel of a colour image and each row of 2-D input
    (a 1-D signal, whose TV is ``sum(|u[j+1] - u[j]|)``) is solved on its own
    and stops on its own criterion: its result does not depend on the rest of
    the batch.

    Parameters
    ----------
    images : array-like
        Batch of images: ``(n, height, width)``, ``(n, height, width,
        channels)`` (see ``channel_axis``), or ``(n, n_features)`` rows
        (flattened images with ``image_shape``, 1-D signals without).
    tv_weight : float, default=100.0
        :math:`\lambda`, in the units of the data: 100 suits 0..255 images
        with noise of standard deviation 30; the same images scaled to
        [0, 1] need ``100 / 255``. Larger values smooth more.
    method : {"fista", "chambolle"}, default="fista"
        ``"fista"``: the accelerated projected gradient on the dual (FISTA
        [3]_, the fast gradient projection of Beck and Teboulle), stopping on
        the duality gap. ``"chambolle"``: the chapter's iteration [2]_ [4]_,
        ``p <- P(p + (tau / tv_weight) * grad(u))``,
        ``u = f + tv_weight * div(p)``, ``p`` starting at 0, with its
        stopping rule; it stops far from the minimiser (see Notes).
    tolerance : float, default=None
        When to stop; None means 1e-3 for ``"fista"`` and 0.1 for
        ``"chambolle"``.

        * ``"fista"``: a relative duality gap. The iteration stops when
          ``gap <= tolerance * E(u)``, where the gap ``E(u) - D(p)``
          between the energy and the dual objective bounds the excess
          energy, ``E(u) - E(u*) <= gap``, and the distance from the true
          minimiser ``u*``, ``||u - u*||^2 <= 2 * gap``. It does not
          depend on the scale of the data: multiplying the images and
          ``tv_weight`` by the same factor changes nothing but the scale of
          the result. The gap is checked every 10 iterations.
        * ``"chambolle"``: the chapter's rule, absolute, in data units: stop
          when ``norm(u - u_old) / sqrt(n_pixels) <= tolerance``.
    max_num_iter : int, default=5000
        Most iterations per image; when an image reaches it before the
        tolerance, a :class:`~sklearn.exceptions.ConvergenceWarning` says so.
    tau : float, default=0.125
        Step of the ``"chambolle"`` iteration, in (0, 0.25): it converges
        for ``tau < 1/4`` and oscillates for ever from 1/4 on. ``"fista"``
        always uses its own step, ``1 / (8 * tv_weight)``.
    boundary : {"neumann", "periodic"}, default="neumann"
        ``"neumann"``: the difference across the far border is 0, nothing
        wraps around. ``"periodic"``: opposite edges are neighbours, as the
        chapter's ``np.roll`` makes them; an image whose top and bottom
        differ gets grey levels dragged across its border.
    return_info : bool, default=False
        Also return a dict of per-image information.
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input.
    image_shape : tuple of int, optional
        ``(height, width)`` or ``(height, width, channels)`` when ``images``
        holds flattened images as rows.
    n_jobs : int, optional
        Threads to use. None: the cores this process may use, within the thread
        limits of its environment (see the README, "Threads").
    verbose : int, default=0
        Progress reports: 0 is silent; 1 reports the images done and an
        estimate of the time left, at most every 2 seconds (to the
        ``"skimgproc"`` logger when logging shows INFO, else on standard
        error: an updating line on a terminal), and the total time at the
        end; 2 reports every chunk of images.

    Returns
    -------
    denoised : ndarray
        ``u``, same shape as ``images``; float32 stays float32, other input
        becomes float64 (integers keep their values).
    texture : ndarray
        ``images - denoised``.
    info : dict, only if ``return_info``
        Arrays of shape ``(n,)`` (or ``(n, channels)`` for colour images):
        ``"n_iter"`` (iterations used), ``"gap"`` (final relative duality
        gap ``gap / E(u)``, for both methods) and ``"converged"`` (whether
        the tolerance was reached).

    See Also
    --------
    ROFDenoiser : The same as a scikit-learn transformer.

    Notes
    -----
    On the chapter's synthetic image (500 x 500 zeros, a square of 128 with
    a square of 255 inside, plus noise of standard deviation 30; PSNR with a
    peak of 255 against the clean image) with ``tv_weight=100``:
    ``method="chambolle", boundary="periodic"`` reproduces the chapter,
    stopping after 35 iterations at 32.56 dB; the true minimiser has
    42.42 dB (energy 1.3194e8, Neumann boundary), and the default settings
    land within 0.1 dB of it.

    Every iterate of both solvers is dual feasible, so the mean of each
    image is kept and ``|u - f| <= (2 + sqrt(2)) * tv_weight`` even before
    convergence.

    References
    ----------
    .. [1] L. Rudin, S. Osher and E. Fatemi, "Nonlinear total variation based
       noise removal algorithms", Physica D 60, 259-268, 1992.
    .. [2] A. Chambolle, "An algorithm for total variation minimization and
       applications", J. Math. Imaging and Vision 20, 89-97, 2004.
    .. [3] A. Beck and M. Teboulle, "Fast gradient-based algorithms for
       constrained total variation image denoising and deblurring problems",
       IEEE Trans. Image Processing 18(11), 2419-2434, 2009.
    .. [4] J. E. Solem, "Programming Computer Vision with Python", O'Reilly,
       2012, section 1.5 (``rof.denoise``).

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import rof_denoise
    >>> rng = np.random.default_rng(0)
    >>> clean = np.zeros((1, 32, 32))
    >>> clean[0, 8:24, 8:24] = 100.0
    >>> noisy = clean + rng.normal(scale=10.0, size=clean.shape)
    >>> denoised, texture = rof_denoise(noisy, tv_weight=20.0)
    >>> bool(np.abs(denoised - clean).mean() < np.abs(noisy - clean).mean() / 3)
    True
    >>> np.allclose(denoised + texture, noisy)
    True
    """
    owner = _owner.get()
    batch = as_batch(
        images, image_shape=image_shape, channel_axis=channel_axis, caller=owner,
    )
    params = FUNCTION_CONSTRAINTS.validate(
        dict(tv_weight=tv_weight, method=method, tolerance=tolerance,
             max_num_iter=max_num_iter, tau=tau, boundary=boundary, n_jobs=n_jobs,
             verbose=verbose, return_info=return_info),
        owner, batch,
    )
    return_info = params.pop("return_info")
    with progress(params.pop("verbose"), batch.n_samples, owner):
        denoised, info = _rof(batch, **params, owner=owner)
    texture = np.subtract(batch.images, denoised)
    result = (batch.restore(denoised), batch.restore(texture))
    return result + (info,) if return_info else result


class ROFDenoiser(ImageTransformer):
    """Rudin-Osher-Fatemi total variation denoising of every image of a batch.

    A thin estimator over :func:`rof_denoise`, for pipelines and parameter
    searches; ``output`` picks the denoised images or their texture
    (``images - denoised``). Each image (each channel, each row of 2-D input
    as a 1-D signal) is solved on its own. To tune ``tv_weight`` against
    clean images, use :func:`skimgproc.metrics.make_psnr_scorer` with
    :class:`~sklearn.model_selection.GridSearchCV` (noisy images as ``X``,
    clean ones as ``y``).

    Parameters
    ----------
    tv_weight : float, default=100.0
        Weight of the total variation, in the units of the data (100 for
        0..255 images with noise of standard deviation 30).
    method : {"fista", "chambolle"}, default="fista"
        The solver: FISTA on the dual stopping on the duality gap, or the
        chapter's Chambolle iteration (see :func:`rof_denoise`).
    tolerance : float, default=None
        Relative duality gap for ``"fista"`` (default 1e-3), the chapter's
        absolute change per iteration for ``"chambolle"`` (default 0.1).
    max_num_iter : int, default=5000
        Most iterations per image; a
        :class:`~sklearn.exceptions.ConvergenceWarning` says when reached.
    tau : float, default=0.125
        Step of the ``"chambolle"`` iteration, in (0, 0.25).
    boundary : {"neumann", "periodic"}, default="neumann"
        Whether opposite edges of an image are neighbours (``"periodic"``).
    output : {"denoised", "texture"}, default="denoised"
        What ``transform`` returns.
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input.
    image_shape : tuple of int, default=None
        Shape of one image when ``X`` holds flattened images as rows; the
        output is flattened too. With None, 2-D input is a batch of 1-D
        signals.
    n_jobs : int, default=None
        Threads to use. None: the cores this process may use, within the thread
        limits of its environment (see the README, "Threads").
    verbose : int, default=0
        Progress reports of ``transform``: 0 is silent; 1 reports the images
        done and the time left at most every 2 seconds, 2 every chunk (see
        :func:`rof_denoise`).

    Attributes
    ----------
    n_features_in_ : int
        Number of values per sample seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, when ``X`` was a data frame.

    See Also
    --------
    rof_denoise : The function this estimator calls.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import ROFDenoiser
    >>> X = np.zeros((3, 16, 16))
    >>> X[:, 4:12, 4:12] = 50.0
    >>> noisy = X + np.random.default_rng(0).normal(scale=5.0, size=X.shape)
    >>> denoised = ROFDenoiser(tv_weight=10.0).fit_transform(noisy)
    >>> denoised.shape
    (3, 16, 16)
    >>> bool(np.abs(denoised - X).mean() < np.abs(noisy - X).mean())
    True
    """

    _function = staticmethod(rof_denoise)
    _parameter_constraints = ESTIMATOR_CONSTRAINTS

    def __init__(
        self,
        tv_weight=100.0,
        *,
        method="fista",
        tolerance=None,
        max_num_iter=DEFAULT_MAX_NUM_ITER,
        tau=0.125,
        boundary="neumann",
        output="denoised",
        channel_axis=-1,
        image_shape=None,
        n_jobs=None,
        verbose=0,
    ):
        self.tv_weight = tv_weight
        self.method = method
        self.tolerance = tolerance
        self.max_num_iter = max_num_iter
        self.tau = tau
        self.boundary = boundary
        self.output = output
        self.channel_axis = channel_axis
        self.image_shape = image_shape
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _transform(self, batch):
        # The function gives both results; output picks one.
        params = self._function_params()
        output = params.pop("output")
        with _owned_by(type(self).__name__):
            denoised, texture = rof_denoise(batch, **params)
        return texture if output == "texture" else denoised


# -- the engine over a batch ---------------------------------------------------


def _as_planes(images, batch):
    """A view ``(n, channels, H, W)`` of internal-layout images; 1-D signals
    are images of height 1."""
    images = batch.as_2d(images)
    return np.moveaxis(images, -1, 1) if batch.has_channels else images[:, np.newaxis]


def _rof(batch, tv_weight, method, tolerance, max_num_iter, tau, boundary, n_jobs,
         owner):
    """Denoised images (internal layout) and per-plane information."""
    images = batch.images
    F = _as_planes(images, batch)
    out = np.empty(images.shape, dtype=images.dtype)
    U = _as_planes(out, batch)
    info = np.zeros(F.shape[:2] + (3,))
    fista = method == "fista"
    lam, step = _weights_in(images.dtype, tv_weight, FISTA_TAU if fista else tau,
                            owner)
    # Both modules' kernels take the planes of a chunk, its output, its
    # information and the same arguments.
    kernels = optional_module("._denoise_numba") or _denoise_numpy
    solver = kernels.kernel(method, images.dtype)
    arguments = (lam, step, tolerance, max_num_iter, boundary == "periodic")
    if fista:
        arguments += (GAP_CHECK_EVERY,)

    def solve(start, stop):
        src = F[start:stop]
        if not src.flags.aligned:  # the compiled kernels' typed signature
            src = np.ascontiguousarray(src)
        solver(src, U[start:stop], info[start:stop], *arguments)

    run_ranges(solve, F.shape[0], F[:1].nbytes, n_jobs)
    _check_no_overflow(out, owner)
    info = _info(info, batch)
    _warn_unconverged(info, method, tolerance, max_num_iter, owner)
    return out, info


def _weights_in(dtype, tv_weight, tau, owner):
    """``tv_weight`` and the dual step ``tau / tv_weight`` in the data type,
    refusing weights that type cannot carry through the iteration."""
    finfo = np.finfo(dtype)
    with np.errstate(over="ignore", under="ignore"):
        lam, step = dtype.type(tv_weight), dtype.type(tau / tv_weight)
        usable = finfo.tiny <= step < finfo.max and finfo.tiny <= lam < finfo.max / 8
    if not usable:
        raise ValueError(
            f"The 'tv_weight' parameter of {owner} must be a float in the range "
            f"({1 / finfo.max:.1g}, {finfo.max / 8:.1g}) for {dtype} images, where "
            f"the solver's arithmetic stays finite. Got {tv_weight!r} instead; "
            "rescale the images (tv_weight is in their units)."
        )
    return lam, step


def _check_no_overflow(out, owner):
    if all_finite(out):
        return
    raise ValueError(
        f"{owner} overflowed: the images' values are too large for {out.dtype} "
        "arithmetic (their differences are not finite). Rescale the images and "
        "tv_weight."
    )


def _info(raw, batch):
    squeeze = (lambda a: a) if batch.has_channels else (lambda a: a[:, 0])
    return {
        "n_iter": squeeze(raw[..., 0].astype(np.int64)),
        "gap": squeeze(raw[..., 1].copy()),
        "converged": squeeze(raw[..., 2] != 0),
    }


def _warn_unconverged(info, method, tolerance, max_num_iter, owner):
    failed = ~info["converged"]
    if not failed.any():
        return
    criterion = (
        f"a relative duality gap of {tolerance:g} (largest reached: "
        f"{info['gap'][failed].max():.3g})"
        if method == "fista"
        else f"a change of u per iteration of {tolerance:g} (RMS, data units)"
    )
    warnings.warn(
        f"{owner} (method={method!r}) reached max_num_iter={max_num_iter} before "
        f"{criterion} for {int(failed.sum())} of {failed.size} images (channels "
        "counted separately). Increase max_num_iter or tolerance.",
        ConvergenceWarning,
        stacklevel=_outside_package(),
    )


# Frames a warning skips: the package's, and the wrapper scikit-learn puts
# around an estimator's transform methods (set_output's).
_INTERNAL_MODULES = (__package__ + ".", "sklearn.utils._set_output")


def _outside_package():
    """The ``stacklevel`` that makes a warning of the caller of this function
    point at the first frame outside the package: where the user called the
    function, or the estimator (as Python 3.12's ``skip_file_prefixes``)."""
    level, frame = 1, sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith(
        _INTERNAL_MODULES
    ):
        level, frame = level + 1, frame.f_back
    return level
