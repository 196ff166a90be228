"""The compiled route of the Sobel and Prewitt gradients.

Both 3 x 3 derivatives and the magnitude, the angle or both come from one
compiled pass per block of images (:mod:`._gradients_numba`), after one
compiled pass that pads the block and finds its range. The planner runs in
the caller's thread (it reads the configuration) and returns ``func(src,
dst)`` for the executor, or None where the route does not apply.
"""

from functools import lru_cache

import numpy as np
from scipy import ndimage as ndi

from ._batch import all_finite
from ._config import accelerated, optional_module
from ._executor import chunk_scratch

__all__ = ["plan_magnitude", "plan_stencil"]

#: Rows of fewer values than this (small images) are differentiated as one
#: flat array per chunk: a vector loop per short row costs more than the
#: discarded values at the padding (measured: 2.6x faster on 28 x 28).
FLAT_BELOW = 128

def plan_magnitude():
    """``func(gx, gy, out)``: ``hypot(gx, gy)`` into ``out`` (which may be
    ``gy``); ``gx`` may be overwritten."""
    if not accelerated():
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
    :mod:`skimgproc._gradients_numba`).

    ``output`` is one of "x", "y", "magnitude", "angle" (then ``dst`` is an
    array) or a tuple of distinct names (then ``dst`` is a sequence of
    arrays in that order, all written from one padded copy of each block of
    images). ``fallback(src, dst)``, of the same form, is called for blocks
    of float64 values too large or too small to square, and for float32
    values whose result overflows float32; in range, the float32 arithmetic
    cannot overflow, so the result needs no further check. The pass that
    pads a block also finds its largest value, so it takes over the
    contract's finite check: ``batch.not_finite()`` on a NaN or inf."""
    if not accelerated() or batch.n_spatial != 2:
        return None
    if mode in ("constant", "grid-constant") and cval != 0:
        return None
    kernels = optional_module("._gradients_numba")
    if kernels is None:
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
            pad = chunk_scratch(shape, src3.dtype, "pad")
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
            wanted = dict(zip(outputs, (o3[block] for o3 in out3s), strict=True))
            constants = (step, typ(a), typ(b), typ(factor))
            _stencil_block(kernels, pad, wanted, constants, typ)
            if typ is not src3.dtype.type:
                # float32 data near the float32 limit, computed in float64:
                # a result beyond float32 is redone as the reference does it
                # (all_finite: the sum of finite results may overflow).
                if not all(all_finite(o3[block]) for o3 in out3s):
                    _fallback(fallback, single, src[block], [o[block] for o in outs])
        for o, d in zip(outs, dsts, strict=True):
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
            res = chunk_scratch(padded, out.dtype, "out")
            res2 = res if aux is None else chunk_scratch(padded, aux.dtype, "aux")
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
            gx = chunk_scratch(angle.shape, angle.dtype, "gx") if x is None else x
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
#: :func:`skimgproc._gradients_numba.pad_bits`), and the bits of inf.
_BITS = {"f": (np.uint32, np.uint32(0x7FFF_FFFF), np.uint32(0x7F80_0000)),
         "d": (np.uint64, np.uint64(0x7FFF_FFFF_FFFF_FFFF),
               np.uint64(0x7FF0_0000_0000_0000))}
