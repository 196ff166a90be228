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
  exactly scipy's, and the whole batch is then filtered by two BLAS matrix
  products instead of one scipy call per line of pixels.
* **opencv**: for larger images, ``cv2.sepFilter2D`` with scipy's 1-D
  weights and the matching border (OpenCV correlates, as scipy does).

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

__all__ = ["gaussian_weights", "guard_overflow", "plan_correlate"]

#: An axis up to this long is filtered as a matrix product: BLAS does the
#: ``m`` multiply-adds per pixel faster than OpenCV does a kernel's taps plus
#: its per-call overhead on small images (measured in benchmarks/).
MATRIX_MAX = 64

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


def gaussian_weights(sigma, order, truncate):
    """scipy's correlation weights of ``gaussian_filter1d``, or None for
    ``sigma`` 0 (scipy skips such an axis).

    Taken from scipy's public function, as its response to a unit impulse,
    so that they are scipy's weights to the last bit.
    """
    if sigma <= 1e-15:
        return None
    return np.array(_gaussian_weights(float(sigma), int(order), float(truncate)))


@lru_cache(maxsize=64)
def _gaussian_weights(sigma, order, truncate):
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
        return tuple(response[::-1].tolist())
    # gaussian_filter1d correlates with the kernel reversed.
    return tuple(_gaussian_kernel1d(sigma, order, radius)[::-1].tolist())


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
    if all(w is None or size <= MATRIX_MAX for size, w in axes):
        matrices = [_matrix(size, w, mode, dtype) for size, w in axes]
        return _matrix_filter(matrices, channels, offset)
    cv2 = optional_module("cv2")
    if cv2 is None or mode not in CV_BORDERS:
        return None
    border = getattr(cv2, CV_BORDERS[mode])
    kernels = [
        np.ones(1, dtype) if w is None else np.asarray(w, dtype) for w in weights
    ]
    return _cv2_filter(cv2, kernels, border, batch.n_spatial, offset)


def _matrix_filter(matrices, channels, offset):
    """Filter with one matrix per spatial axis: (n, [h,] w[, c]) chunks."""
    *leading, last = matrices
    vertical = leading[0] if leading else None
    two_d = bool(leading)
    if last is not None and channels > 1:
        # Channels interleaved along the rows: act on each channel alike.
        last = np.kron(last, np.eye(channels, dtype=last.dtype))
    last_t = None if last is None else np.ascontiguousarray(last.T)

    def func(src, dst):
        n, h = src.shape[0], (src.shape[1] if two_d else 1)
        rows = src.reshape(n * h, -1)  # a copy only for a strided chunk
        out = dst if dst.flags.c_contiguous else np.empty(dst.shape, dst.dtype)
        out_rows = out.reshape(n * h, -1)
        if vertical is None:
            np.matmul(rows, last_t, out=out_rows)
        else:
            planes = rows.reshape(n, h, -1)
            out_planes = out_rows.reshape(n, h, -1)
            if last_t is None:
                np.matmul(vertical, planes, out=out_planes)
            else:
                tmp = np.matmul(rows, last_t).reshape(n, h, -1)
                np.matmul(vertical, tmp, out=out_planes)
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
