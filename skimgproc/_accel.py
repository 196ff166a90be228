"""Fast paths of the filters (blur, gradients), equal to scipy's results
within float32 rounding.

The reference is :func:`scipy.ndimage.correlate1d` run along each spatial
axis in turn; every path here computes the same map:

* **matrix**: for small images (digits, MNIST) one 1-D correlation along an
  axis of length ``m``, border handling included, *is* an ``(m, m)`` matrix.
  It is built by running scipy's own ``correlate1d`` on the identity, so
  every border mode (``wrap`` and kernels longer than the image too) is
  exactly scipy's, and the whole batch is then filtered by two BLAS matrix
  products instead of one scipy call per line of pixels.
* **opencv**: for larger images, ``cv2.sepFilter2D`` with scipy's 1-D
  weights and the matching border (OpenCV correlates, as scipy does).
* **numba** (Sobel, Prewitt): both 3 x 3 derivatives and the magnitude,
  the angle or both in one compiled pass per block of images, after one
  compiled pass that pads the block and finds its range
  (:mod:`._stencil_numba`).

Each planner is called in the caller's thread (it reads the configuration)
and returns ``func(src, dst)`` for :func:`skimgproc._batch.run_chunked`, or
None when no fast path applies and the caller runs the scipy reference.
"""

from functools import lru_cache

import numpy as np
from scipy import ndimage as ndi

from ._batch import all_finite
from ._batch import chunk_scratch as scratch
from ._config import optional_module

__all__ = [
    "gaussian_weights",
    "guard_overflow",
    "plan_correlate",
    "plan_magnitude",
    "plan_stencil",
    "scratch",
]

#: An axis up to this long is filtered as a matrix product: BLAS does the
#: ``m`` multiply-adds per pixel faster than OpenCV does a kernel's taps plus
#: its per-call overhead on small images (measured in benchmarks/).
MATRIX_MAX = 64

#: Rows of fewer values than this (small images) are differentiated as one
#: flat array per chunk: a vector loop per short row costs more than the
#: discarded values at the padding (measured: 2.6x faster on 28 x 28).
FLAT_BELOW = 128

#: scipy border mode -> OpenCV border type, where they are the same extension
#: (checked for every mode, kernels longer than the image included, in
#: tests/test_accel.py). OpenCV's filters do not support wrapping.
CV_BORDERS = {
    "reflect": "BORDER_REFLECT",
    "grid-mirror": "BORDER_REFLECT",
    "mirror": "BORDER_REFLECT_101",
    "nearest": "BORDER_REPLICATE",
    "constant": "BORDER_CONSTANT",
    "grid-constant": "BORDER_CONSTANT",
}


def accelerate():
    """Whether fast paths may run (reads the configuration: call it in the
    caller's thread)."""
    from ._config import get_config

    return get_config()["accelerate"]


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
    if not accelerate() or not steps:
        return None
    weights = [None] * batch.n_spatial
    for axis, w in steps:
        if weights[axis] is not None:  # two passes along one axis: not needed
            return None
        weights[axis] = w
    spatial = batch.spatial_shape
    if any(w is not None and len(w) > 4 * size + 1
           for size, w in zip(spatial, weights)):
        # A kernel far longer than the image: scipy is as fast, and exact.
        return None
    channels = batch.n_channels if batch.has_channels else 1
    dtype = batch.images.dtype
    offset = _offset(spatial, steps, mode, cval, dtype)
    if offset is not None and batch.has_channels:
        offset = offset[..., np.newaxis]
    if all(w is None or size <= MATRIX_MAX for size, w in zip(spatial, weights)):
        matrices = [_matrix(size, w, mode, dtype) for size, w in zip(spatial, weights)]
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
            for s, d in zip(src, dst):
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


def plan_magnitude():
    """``func(gx, gy, out)``: ``hypot(gx, gy)`` into ``out`` (which may be
    ``gy``); ``gx`` may be overwritten."""
    if not accelerate():
        return lambda gx, gy, out: np.hypot(gx, gy, out=out)

    def magnitude(gx, gy, out):
        # sqrt(x*x + y*y) in four vectorised passes is 5x faster than
        # np.hypot and equal within rounding while the squares stay in the
        # dtype's normal range: checked first, else np.hypot. (cv2.magnitude
        # is faster still, but its result depends on the arrays' alignment.)
        largest = max(gx.max(), -gx.min(), gy.max(), -gy.min())
        low, high = _SAFE_RANGE[out.dtype.char]
        if not (low <= largest <= high or largest == 0):
            return np.hypot(gx, gy, out=out)
        np.multiply(gx, gx, out=gx)
        np.multiply(gy, gy, out=out)
        out += gx
        return np.sqrt(out, out=out)

    return magnitude


#: Largest |gx|, |gy| for which sqrt(x*x + y*y) is exact within rounding:
#: no overflow, and where squares of small values underflow, the error
#: (below 2**-75 in float32) is under the rounding of the largest magnitude.
_SAFE_RANGE = {"f": (2.0**-30, 2.0**56), "d": (2.0**-400, 2.0**480)}


def _edge_indices(size, mode):
    """The indices scipy reads for index -1 and index ``size`` along an
    axis of this size (-1 for ``cval``), found by asking scipy itself."""
    return np.array(_edge_indices_cached(size, mode), dtype=np.int64)


@lru_cache(maxsize=64)
def _edge_indices_cached(size, mode):
    index = np.arange(size, dtype=np.float64)
    before = ndi.correlate1d(index, [1.0, 0.0, 0.0], mode=mode, cval=-1.0)[0]
    after = ndi.correlate1d(index, [0.0, 0.0, 1.0], mode=mode, cval=-1.0)[-1]
    return int(before), int(after)


def plan_stencil(batch, smooth, factor, output, mode, cval, fallback):
    """``func(src, dst)`` computing Sobel-type outputs in one compiled pass
    per chunk, or None without numba, for 1-D signals (no 3 x 3
    neighbourhood) and for ``mode="constant"`` with a nonzero ``cval`` (see
    :mod:`skimgproc._stencil_numba`).

    ``output`` is one of "x", "y", "magnitude", "angle" (then ``dst`` is an
    array) or a tuple of distinct names (then ``dst`` is a sequence of
    arrays in that order, all written from one padded copy of each block of
    images). ``fallback(src, dst)``, of the same form, is called for blocks
    of float64 values too large or too small to square, and for float32
    values whose result overflows float32; in range, the float32 arithmetic
    cannot overflow, so the result needs no further check. The pass that
    pads a block also finds its largest value, so it takes over the
    contract's finite check: ``batch.not_finite()`` on a NaN or inf."""
    if not accelerate() or batch.n_spatial != 2:
        return None
    if mode in ("constant", "grid-constant") and cval != 0:
        return None
    if optional_module("numba") is None:
        return None
    try:
        from . import _stencil_numba as kernels
    except Exception:  # pragma: no cover - numba present but unusable
        return None
    single = isinstance(output, str)
    outputs = (output,) if single else tuple(output)
    height, width = batch.spatial_shape
    step = batch.n_channels if batch.has_channels else 1
    rows, cols = _edge_indices(height, mode), _edge_indices(width, mode)
    a, b = float(smooth[0]), float(smooth[1])
    full = width * step

    def func(src, dst):
        dsts = (dst,) if single else tuple(dst)
        n = src.shape[0]
        # C-contiguous (a chunk-sized copy of strided input): one compiled
        # signature per dtype.
        src3 = np.ascontiguousarray(src).reshape(n, height, full)
        outs = [d if d.flags.c_contiguous else np.empty(d.shape, d.dtype)
                for d in dsts]
        out3s = [o.reshape(n, height, full) for o in outs]
        # Blocks of images of about BLOCK_BYTES keep the padded copy and the
        # temporaries small, in the cache from the padded copy to the stencil.
        padded = ((height + 2) * (full + 2 * step))
        per_block = max(1, BLOCK_BYTES // (padded * src3.itemsize))
        low, high = _SAFE_RANGE[src3.dtype.char]
        bits, mask, infinity = _BITS[src3.dtype.char]
        for start in range(0, n, per_block):
            block = slice(start, min(n, start + per_block))
            shape = (block.stop - start, height + 2, full + 2 * step)
            pad = scratch(shape, src3.dtype, "pad")
            largest = kernels.pad_bits(src3[block].view(bits), pad.view(bits),
                                       step, rows, cols, mask)
            if largest >= infinity:  # NaN and inf bits are the largest
                batch.not_finite()
            largest = float(bits(largest).view(src3.dtype))
            # float32 arithmetic where its squares can neither overflow nor
            # underflow to an error above float32 rounding of the data's scale.
            if low <= largest <= high or largest == 0:
                typ = src3.dtype.type
            elif src3.dtype == np.float32:
                typ = np.float64
            else:
                _fallback(fallback, single, src[block], [o[block] for o in outs])
                continue
            wanted = dict(zip(outputs, (o3[block] for o3 in out3s)))
            constants = (step, typ(a), typ(b), typ(factor))
            _stencil_block(kernels, pad, wanted, constants, typ)
            if typ is not src3.dtype.type:
                # float32 data near the float32 limit, computed in float64:
                # a result beyond float32 is redone as the reference does it
                # (all_finite: the sum of finite results may overflow).
                if not all(all_finite(o3[block]) for o3 in out3s):
                    _fallback(fallback, single, src[block], [o[block] for o in outs])
        for o, d in zip(outs, dsts):
            if o is not d:
                d[...] = o

    return func


def _fallback(fallback, single, src, dsts):
    fallback(src, dsts[0] if single else dsts)


#: Images per block of the compiled Sobel pass: about this many bytes.
BLOCK_BYTES = 1 << 20


def _stencil_block(kernels, pad, wanted, constants, typ):
    """The ``wanted`` outputs (name -> array of shape (n, height, width *
    step)) of a block of padded images, each with the kernel a single output
    would use, so that one call for several outputs gives the values of
    several calls. ``constants`` are the kernels' (step, a, b, factor), in
    ``typ``."""
    padded = pad.shape
    step = constants[0]
    full = padded[2] - 2 * step
    zero = typ(0)

    def run(kind, out, aux=None):
        # ``aux``: the second output of BOTH (x) and POLAR (the angle).
        if full < FLAT_BELOW:
            # Padded-shape results, of which the interior is kept.
            res = scratch(padded, out.dtype, "out")
            res2 = res if aux is None else scratch(padded, aux.dtype, "aux")
            kernels.stencil_flat(pad, res, res2, *constants, kind, zero)
            out[...] = res[:, 1:-1, step:-step]
            if aux is not None:
                aux[...] = res2[:, 1:-1, step:-step]
        else:
            kernels.stencil_chunk(pad, out, out if aux is None else aux,
                                  *constants, kind, zero)

    x, y = wanted.get("x"), wanted.get("y")
    magnitude, angle = wanted.get("magnitude"), wanted.get("angle")
    in_float32 = typ is np.float32
    if magnitude is not None and angle is not None and in_float32:
        run(kernels.POLAR, magnitude, angle)
    else:
        if magnitude is not None:
            run(kernels.MAGNITUDE, magnitude)
        if angle is not None and in_float32:
            run(kernels.ANGLE, angle)
        elif angle is not None:
            # In float64, x and y for NumPy's arctan2 (into the outputs x
            # and y when they are wanted too).
            gy = angle if y is None else y
            gx = scratch(angle.shape, angle.dtype, "gx") if x is None else x
            run(kernels.BOTH, gy, gx)
            np.arctan2(gy, gx, out=angle)
            x = y = None
    if x is not None and y is not None:
        run(kernels.BOTH, y, x)
    elif x is not None:
        run(kernels.X, x)
    elif y is not None:
        run(kernels.Y, y)


#: Unsigned integers of a float's width, all their bits but the sign's (see
#: :func:`skimgproc._stencil_numba.pad_bits`), and the bits of inf.
_BITS = {"f": (np.uint32, np.uint32(0x7FFF_FFFF), np.uint32(0x7F80_0000)),
         "d": (np.uint64, np.uint64(0x7FFF_FFFF_FFFF_FFFF),
               np.uint64(0x7FF0_0000_0000_0000))}
