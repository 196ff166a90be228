"""The separable filter engine: 1-D correlations along each spatial axis.

The reference is :func:`scipy.ndimage.correlate1d` run along each spatial
axis in turn; the fast paths planned here compute the same map, equal to
scipy's within float32 rounding. Blur and the Gaussian derivatives use them,
and the Sobel and Prewitt gradients where their compiled stencil does not
apply.

* **matrix**: for small images (digits, MNIST) one 1-D correlation along an
  axis of length ``m``, border handling included, *is* an ``(m, m)`` matrix.
  It is built by running scipy's own ``correlate1d`` on the identity, so
  every border mode (``wrap`` and kernels longer than the image too) is
  exactly scipy's, and the whole batch is then filtered by BLAS matrix
  products instead of one scipy call per line of pixels: products of at
  most 64 x 64 x 64, which BLAS runs on the thread that calls it, so that
  the executor's threads never stack BLAS's own threads on theirs (and no
  BLAS limit, which is process-wide, is ever changed).
* **numba**: for larger images, the compiled kernel of
  :mod:`._separable_numba` with scipy's 1-D weights and scipy's own border
  extension (every mode, ``wrap`` included), faster than OpenCV.
* **opencv**: ``cv2.sepFilter2D`` with scipy's weights and the matching
  border (OpenCV correlates, as scipy does), where the compiled kernel is
  missing (numba unusable on the platform) and OpenCV installed.

:func:`plan_correlate` is called in the caller's thread (it reads the
configuration) and returns ``func(src, dst)`` for
:func:`skimgproc._executor.run_chunked`, or None when no fast path applies
and the caller runs the scipy reference.
"""

from functools import lru_cache

import numpy as np
from scipy import ndimage as ndi

from ._batch import all_finite
from ._config import accelerated, optional_module
from ._executor import chunk_scratch

__all__ = ["correlate_steps", "fold_weights", "gaussian_weights", "guard_overflow",
           "plan_correlate"]

#: An axis up to this long is filtered as a matrix product: BLAS does the
#: ``m`` multiply-adds per pixel faster than OpenCV does a kernel's taps plus
#: its per-call overhead on small images (measured in benchmarks/).
MATRIX_MAX = 64

#: The matrix route's products have at most this many rows (and at most
#: ``MATRIX_MAX`` columns and inner terms): BLAS runs them on the thread
#: that calls it (see :func:`_products`).
PRODUCT_ROWS = 64

#: scipy border mode -> OpenCV border type, where they are the same extension
#: (checked for every mode, kernels longer than the image included, in
#: tests/test_separable.py). OpenCV's filters do not support wrapping.
CV_BORDERS = {
    "reflect": "BORDER_REFLECT",
    "grid-mirror": "BORDER_REFLECT",
    "mirror": "BORDER_REFLECT_101",
    "nearest": "BORDER_REPLICATE",
    "constant": "BORDER_CONSTANT",
    "grid-constant": "BORDER_CONSTANT",
}


def gaussian_weights(sigma, order, truncate, size=None, mode=None):
    """scipy's correlation weights of ``gaussian_filter1d``, or None for
    ``sigma`` 0 (scipy skips such an axis).

    Taken from scipy's own kernel, so that they are scipy's weights to the
    last bit. With the ``size`` of the axis and the border ``mode``, a
    kernel longer than ``2 * size + 1`` taps is folded to that length
    (:func:`fold_weights`): the same filter, at a cost that no longer grows
    with ``sigma``.
    """
    if sigma <= 1e-15:
        return None
    if size is not None and 2 * int(truncate * sigma + 0.5) + 1 > 2 * size + 1:
        return np.array(_folded_weights(float(sigma), int(order), float(truncate),
                                        int(size), mode))
    return np.array(_gaussian_weights(float(sigma), int(order), float(truncate)))


@lru_cache(maxsize=64)
def _folded_weights(sigma, order, truncate, size, mode):
    # The full kernel (up to 2 * 10**6 + 1 taps) is not kept: only its fold.
    return tuple(fold_weights(_scipy_kernel(sigma, order, truncate), size,
                              mode).tolist())


#: Border modes whose extension of a line of ``n`` pixels is periodic, and
#: their period (``n == 1``: every mode but constant repeats the pixel).
PERIODS = {"reflect": lambda n: 2 * n, "grid-mirror": lambda n: 2 * n,
           "mirror": lambda n: 2 * n - 2, "wrap": lambda n: n,
           "grid-wrap": lambda n: n}


def fold_weights(weights, size, mode):
    """Weights of at most ``2 * size + 1`` taps that correlate a line of
    ``size`` pixels exactly as ``weights`` do (within rounding) in ``mode``.

    A kernel longer than the image reads the image's extension only: taps
    whose offsets differ by the period of a periodic extension (reflect,
    mirror, wrap) read the same pixel, so their weights are summed into one
    period; beyond ``size`` pixels every tap of "nearest" reads the border
    pixel and every tap of "constant" reads ``cval``, so the outer taps are
    summed into the outermost one. Symmetric and antisymmetric kernels stay
    so exactly, as scipy's sums exploit.
    """
    w = np.asarray(weights, dtype=np.float64)
    r = len(w) // 2
    if len(w) <= 2 * size + 1:
        return w
    symmetry = (1 if np.array_equal(w, w[::-1])
                else -1 if np.array_equal(w, -w[::-1]) else 0)
    if mode in PERIODS and size > 1:
        period = PERIODS[mode](size)
        # Tap k has offset k - r; pad so that row j, column p holds offset
        # j * period + p - (r // period + 1) * period, then sum the rows.
        lead = (-r) % period
        padded = np.concatenate([np.zeros(lead), w,
                                 np.zeros(-(lead + len(w)) % period)])
        folded = padded.reshape(-1, period).sum(axis=0)  # by offset mod period
        if symmetry:
            folded = (folded + symmetry * np.roll(folded[::-1], 1)) / 2
        half = period // 2
        out = folded[np.arange(-half, half + 1) % period]
        if period % 2 == 0:  # offsets -half and half read the same pixel
            out[0] /= 2
            out[-1] /= 2
        return out
    out = w[r - size : r + size + 1].copy()
    out[0] = np.sum(w[: r - size + 1])
    out[-1] = symmetry * out[0] if symmetry else np.sum(w[r + size :][::-1])
    return out


def correlate_steps(src, steps, mode, cval, dst):
    """The scipy reference of a separable filter: ``correlate1d`` along each
    array axis of ``steps`` ((axis, weights or None)) in turn, into ``dst``."""
    steps = [(axis, w) for axis, w in steps if w is not None]
    if not steps:
        dst[...] = src
    for k, (axis, w) in enumerate(steps):
        ndi.correlate1d(src if k == 0 else dst, w, axis, dst, mode, cval)


@lru_cache(maxsize=64)
def _gaussian_weights(sigma, order, truncate):
    return tuple(_scipy_kernel(sigma, order, truncate).tolist())


def _scipy_kernel(sigma, order, truncate):
    """The correlation weights of scipy's ``gaussian_filter1d``."""
    radius = int(truncate * sigma + 0.5)
    try:
        # scipy's own kernel, built in time linear in its length.
        from scipy.ndimage._filters import _gaussian_kernel1d
    except ImportError:  # pragma: no cover - a scipy that moved it
        impulse = np.zeros(2 * radius + 1)
        impulse[radius] = 1.0
        response = ndi.gaussian_filter1d(
            impulse, sigma, order=order, mode="constant", truncate=truncate
        )
        # correlate1d(x, w)[i] = sum_k w[k] x[i + k - r]: an impulse gives w
        # reversed.
        return response[::-1]
    # gaussian_filter1d correlates with the kernel reversed.
    return _gaussian_kernel1d(sigma, order, radius)[::-1]


@lru_cache(maxsize=64)
def _axis_matrix(size, weights, mode):
    """The ``(size, size)`` matrix of ``correlate1d(., weights, mode)`` with
    ``cval=0``: column j is the response to the j-th unit vector."""
    return ndi.correlate1d(
        np.eye(size), np.asarray(weights), axis=0, mode=mode, cval=0.0
    )


def guard_overflow(fast, reference):
    """``fast``, redone by ``reference`` on a chunk whose result is not finite.

    The fast paths accumulate float32 in float32, scipy in float64: on values
    near the float32 limit a fast sum can overflow where scipy's does not.
    The check is one pass over a cache-sized chunk.
    """
    if fast is None:
        return None

    def func(src, dst):
        fast(src, dst)
        if not all_finite(dst):
            reference(src, dst)

    return func


def _matrix(size, weights, mode, dtype):
    if weights is None:
        return None
    return _axis_matrix(size, tuple(weights), mode).astype(dtype)


def _offset(spatial_shape, steps, mode, cval, dtype):
    """What the filters add for ``mode="constant"``: the response to a zero
    image, ``cval`` spread in from outside (None for other modes).

    The filters are affine, ``F(x) = L(x) + F(0)``; the fast paths compute
    the linear part ``L``, which does not depend on the order of the axes,
    and this adds ``F(0)``, which does, so it follows the steps' order.
    """
    if cval == 0.0 or mode not in ("constant", "grid-constant"):
        return None
    out = np.zeros(spatial_shape)
    for axis, w in steps:
        ndi.correlate1d(out, w, axis, out, mode, cval)
    return out.astype(dtype)


def _weights_per_axis(steps, spatial):
    """The weights of each spatial axis (None: not filtered), or None where
    the fast paths do not apply: two passes along one axis (never needed),
    or a kernel far longer than the image (scipy is as fast, and exact)."""
    weights = [None] * len(spatial)
    for axis, w in steps:
        if weights[axis] is not None:
            return None
        weights[axis] = w
    if any(w is not None and len(w) > 4 * size + 1
           for size, w in zip(spatial, weights, strict=True)):
        return None
    return weights


def plan_correlate(batch, steps, mode, cval):
    """A fast ``func(src, dst)`` that correlates every image of ``batch``
    along its spatial axes, as ``scipy.ndimage.correlate1d`` would.

    Parameters
    ----------
    batch : ImageBatch
    steps : sequence of (int, ndarray or None)
        ``(k, weights)``: correlate along spatial axis k (0: rows) with
        these weights, in this order; None weights skip the step.
    mode, cval : as in scipy.ndimage.

    Returns None when no fast path applies (acceleration off, nothing to
    filter, or no exact equivalent installed).
    """
    steps = [(axis, w) for axis, w in steps if w is not None]
    if not accelerated() or not steps:
        return None
    spatial = batch.spatial_shape
    weights = _weights_per_axis(steps, spatial)
    if weights is None:
        return None
    channels = batch.n_channels if batch.has_channels else 1
    dtype = batch.images.dtype
    offset = _offset(spatial, steps, mode, cval, dtype)
    if offset is not None and batch.has_channels:
        offset = offset[..., np.newaxis]
    axes = list(zip(spatial, weights, strict=True))
    if channels <= MATRIX_MAX and all(w is None or size <= MATRIX_MAX
                                      for size, w in axes):
        matrices = [_matrix(size, w, mode, dtype) for size, w in axes]
        return _matrix_filter(matrices, channels, offset)
    kernels = optional_module("._separable_numba")
    if kernels is not None:  # faster than OpenCV's sepFilter2D (benchmarks/)
        return _numba_filter(kernels, weights, spatial, mode, channels, dtype, offset)
    cv2 = optional_module("cv2")
    if cv2 is None or mode not in CV_BORDERS:
        return None
    border = getattr(cv2, CV_BORDERS[mode])
    kernels = [
        np.ones(1, dtype) if w is None else np.asarray(w, dtype) for w in weights
    ]
    return _cv2_filter(cv2, kernels, border, batch.n_spatial, offset)


def _matrix_filter(matrices, channels, offset):
    """Filter with one matrix per spatial axis: (n, [h,] w[, c]) chunks, as
    products of at most ``MATRIX_MAX`` cubed multiply-adds (see
    :func:`_products`)."""
    *leading, last = matrices
    vertical = leading[0] if leading else None
    two_d = bool(leading)
    last_t = None if last is None else np.ascontiguousarray(last.T)

    def horizontal(planes, out):
        width = last.shape[0]
        if channels == 1:
            _products(planes.reshape(-1, width), last_t, out.reshape(-1, width))
        else:  # each row of pixels: (w, w) @ (w, c)
            np.matmul(last, planes.reshape(-1, width, channels),
                      out=out.reshape(-1, width, channels))

    def func(src, dst):
        n, h = src.shape[0], (src.shape[1] if two_d else 1)
        planes = src.reshape(n, h, -1)  # a copy only for a strided chunk
        out = dst if dst.flags.c_contiguous else np.empty(dst.shape, dst.dtype)
        out_planes = out.reshape(n, h, -1)
        if vertical is None:
            horizontal(planes, out_planes)
        else:
            if last is not None:
                tmp = chunk_scratch(planes.shape, planes.dtype, slot=_SCRATCH)
                horizontal(planes, tmp)
                planes = tmp
            _vertical(vertical, planes, channels, out_planes)
        if offset is not None:
            out += offset
        if out is not dst:
            dst[...] = out

    return func


# A temporary of the matrix route, apart from its callers' (slot 0).
_SCRATCH = "separable"


def _products(rows, matrix, out):
    """``out = rows @ matrix`` for ``(r, m) @ (m, k)`` with ``m, k <=
    MATRIX_MAX``, as products of at most ``PRODUCT_ROWS`` rows each.

    BLAS libraries run a product this small on the thread that calls them
    (OpenBLAS splits a product over its own threads only above 2**18 =
    64 ** 3 multiply-adds), so the executor's threads can call them side by
    side without oversubscribing the cores, and no BLAS limit needs
    changing (a limit is process-wide: another thread of the program would
    see it). One large product would run on BLAS's threads inside each of
    the executor's, and slowed the 10,000 x 28 x 28 blur 15-fold under load.
    """
    n_rows = rows.shape[0]
    full = n_rows - n_rows % PRODUCT_ROWS
    if full:
        np.matmul(rows[:full].reshape(-1, PRODUCT_ROWS, rows.shape[1]), matrix,
                  out=out[:full].reshape(-1, PRODUCT_ROWS, out.shape[1]))
    if full < n_rows:
        np.matmul(rows[full:], matrix, out=out[full:])


def _vertical(matrix, planes, channels, out):
    """``out[i] = matrix @ planes[i]``: ``(h, h) @ (h, w)`` per image, and
    per block of ``w`` columns of interleaved channels (each a strided
    matrix BLAS reads in place), so that no product exceeds ``MATRIX_MAX``
    cubed multiply-adds."""
    if channels == 1:
        np.matmul(matrix, planes, out=out)
        return
    n, h, length = planes.shape

    def blocks(a):
        return a.reshape(n, h, channels, length // channels).transpose(0, 2, 1, 3)

    np.matmul(matrix, blocks(planes), out=blocks(out))


@lru_cache(maxsize=64)
def _index_map(size, radius, mode):
    """``index[p]``: the pixel of an axis of ``size`` at padded position
    ``p - radius``, as ``mode`` extends the axis (-1: outside, zero), for
    ``size + 2 radius`` positions. Read from scipy's own correlate1d (a
    kernel that is one shifted 1 gives the axis shifted), so that every mode
    and any radius extend exactly as scipy does."""
    index = np.arange(size, dtype=np.float64)
    out = np.empty(size + 2 * radius, np.int64)
    for shift in range(-radius, size + radius, size):
        impulse = np.zeros(2 * abs(shift) + 1)
        impulse[abs(shift) + shift] = 1.0
        values = ndi.correlate1d(index, impulse, mode=mode, cval=-1.0)
        start = shift + radius
        stop = min(start + size, out.size)
        out[start:stop] = values[:stop - start]
    return out


def _symmetry(weights):
    """+1 for a symmetric kernel, -1 for an antisymmetric one, else 0."""
    if np.array_equal(weights, weights[::-1]):
        return 1
    return -1 if np.array_equal(weights, -weights[::-1]) else 0


def _numba_filter(kernels, weights, spatial, mode, channels, dtype, offset):
    """Filter with the compiled kernel (:mod:`._separable_numba`): chunks of
    ``(n, [h,] w[, c])`` images as ``(n, h, w * c)`` rows; an axis without
    weights gets the one-tap kernel [1]."""
    if len(spatial) == 1:
        spatial, weights = (1, *spatial), [None, *weights]
    axes = []
    for size, w in zip(spatial, weights, strict=True):
        w = np.ones(1, dtype) if w is None else np.asarray(w, dtype)
        axes += [w, _symmetry(w), _index_map(size, len(w) // 2, mode)]
    height, width = spatial

    def func(src, dst):
        n = src.shape[0]
        src3 = np.ascontiguousarray(src).reshape(n, height, width * channels)
        out = dst if dst.flags.c_contiguous else np.empty(dst.shape, dst.dtype)
        kernels.correlate_images(src3, out.reshape(src3.shape), *axes, channels)
        if offset is not None:
            out += offset
        if out is not dst:
            dst[...] = out

    return func


def _cv2_filter(cv2, kernels, border, n_spatial, offset):
    """Filter with ``cv2.sepFilter2D``, image by image (or all 1-D signals of
    a chunk at once: a kernel of height 1 never mixes rows)."""
    if n_spatial == 1:
        kx, ky = kernels[0], np.ones(1, kernels[0].dtype)
    else:
        ky, kx = kernels

    def one(src, dst):
        if src.ndim == 3 and src.shape[-1] > 4:  # OpenCV: up to 4 channels
            for c in range(src.shape[-1]):
                one(src[..., c], dst[..., c])
            return
        if not _cv_ready(src):
            src = np.ascontiguousarray(src)
        if _cv_ready(dst):
            cv2.sepFilter2D(src, -1, kx, ky, dst=dst, borderType=border)
        else:
            dst[...] = cv2.sepFilter2D(src, -1, kx, ky, borderType=border)

    def func(src, dst):
        if n_spatial == 1:
            one(src, dst)
        else:
            for s, d in zip(src, dst, strict=True):
                one(s, d)
        if offset is not None:
            dst += offset

    return func


def _cv_ready(a):
    """Whether OpenCV reads or writes ``a`` in place: rows may be strided,
    pixels (and channels) must be contiguous."""
    if a.ndim == 3:
        return a.strides[2] == a.itemsize and a.strides[1] == a.itemsize * a.shape[2]
    return a.strides[-1] == a.itemsize
