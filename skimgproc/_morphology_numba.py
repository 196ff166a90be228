"""Compiled binarization and binary morphology (numba): the fast path of
the tile engine (:mod:`skimgproc._mosaic`) and :mod:`skimgproc.morphology`.

Loaded by :func:`skimgproc._config.optional_module`, the one loader.
A tile of the mosaic takes one call of each kernel here (and one of the
counter, :mod:`._measure_numba`), none holding the GIL, so that ``n_jobs``
threads work on ``n_jobs`` tiles at once. As NumPy calls, the same steps
took and released the GIL some twenty times per tile: the opening of
16 x 512 x 512 took 2.9 ms on one thread and 2.5 ms on two.

* :func:`binarize` thresholds images into a tile, gaps cleared, and in the
  same pass takes over the input contract's finite check (see
  :func:`skimgproc._batch.as_batch`).
* :func:`rect` runs a rectangle's erosions and dilations, each 1-D pass
  (:func:`window`) by the doubling steps of
  :func:`skimgproc.morphology._window`.

Both find the images and gaps of a tile with
:func:`skimgproc._mosaic.mosaic_views`, compiled here from the engine's own
source, and take the tile's geometry ``(gap_rows, pitch, cols, height,
width)`` from :attr:`skimgproc._mosaic.MosaicLayout.geometry`.
"""

import numba

from ._compile import njit
from ._mosaic import mosaic_views

__all__ = ["binarize", "rect", "window"]

_jit = njit(nogil=True)

# The engine's description of the layout, compiled.
_views = _jit(mosaic_views)

#: What :func:`binarize` writes: ``src != 0``, ``src < t``, ``src > t``.
NONZERO, BELOW, ABOVE = 0, 1, 2


@numba.njit(inline="always")
def _foreground(x, t, mode):
    if mode == BELOW:
        return x < t
    if mode == ABOVE:
        return x > t
    return x != 0


@numba.njit(inline="always")
def _write_images(src, blocks, width, t, mode):
    """The images ``src`` into the top-left corners of their ``blocks``, the
    rest of each block background; nonzero if a value is not finite."""
    height = src.shape[1]
    bad = 0
    for k in range(src.shape[0]):
        for i in range(height):
            # Each row with the gap right of it, while it is in the cache.
            x, line = src[k, i], blocks[k, i]
            o = line[:width]
            for j in range(width):
                o[j] = _foreground(x[j], t, mode)
                bad |= (x[j] - x[j]) != 0
            line[width:] = 0
        for i in range(height, blocks.shape[1]):
            blocks[k, i][:] = 0
    return bad


@_jit
def binarize(src, flat, gap_rows, pitch, cols, height, width, t, mode):
    """Write the foreground mask of the images ``src`` (n, height, width)
    into a mosaic's flat buffer, background in its gaps, and return whether
    every value of ``src`` is finite: the contract's finite check in the
    same pass (``x - x`` is 0 for a finite ``x``, NaN otherwise; an integer
    OR keeps the loops vectorised, where an early exit would not)."""
    head, blocks, _, _ = _views(flat, gap_rows, pitch, cols, height, width)
    head[:] = 0
    # One loop per mode, the comparison inlined as a constant: a test of the
    # mode inside the loop kept it from being vectorised (95 against 64 us
    # for a tile of 227 images of 28 x 28).
    if mode == BELOW:
        bad = _write_images(src, blocks, width, t, BELOW)
    elif mode == ABOVE:
        bad = _write_images(src, blocks, width, t, ABOVE)
    else:
        bad = _write_images(src, blocks, width, t, NONZERO)
    return bad == 0


@_jit
def clear_gaps(flat, gap_rows, pitch, cols, height, width):
    """:meth:`skimgproc._mosaic.Mosaic.clear_gaps` on the flat buffer."""
    head, _, below, right = _views(flat, gap_rows, pitch, cols, height, width)
    head[:] = 0
    below[...] = 0
    right[...] = 0


@_jit
def _combine(a, b, out, erode):
    if erode:
        for i in range(out.size):
            out[i] = a[i] & b[i]
    else:
        for i in range(out.size):
            out[i] = a[i] | b[i]


@_jit
def window(src, dst, before, after, step, erode, scratch0, scratch1):
    """:func:`skimgproc.morphology._window` on 0s and 1s (uint8): the same
    doubling steps, AND (``erode``) or OR, with no Python between them."""
    size = src.size
    length = before + after + 1
    lo, hi = before * step, size - after * step
    cur, span, level = src, 1, 0
    while 2 * span <= length:
        m = cur.size - span * step
        nxt = (scratch0 if level % 2 == 0 else scratch1)[:m]
        _combine(cur[:m], cur[span * step:span * step + m], nxt, erode)
        cur, span, level = nxt, span * 2, level + 1
    shift = (length - span) * step
    if hi > lo:
        _combine(cur[:hi - lo], cur[shift:shift + hi - lo], dst[lo:hi], erode)
    dst[:min(lo, size)] = 0
    dst[max(hi, lo):] = 0


@_jit
def rect(flat, spare, scratch0, scratch1, plan, gap_rows, pitch, cols, height,
         width):
    """The 1-D passes of a rectangle's erosions and dilations on a mosaic's
    flat buffer, each into the other of ``flat`` and ``spare``; returns 0 or
    1, which of the two holds the result (its gaps may hold garbage).

    ``plan`` has a row ``(before, after, step, erode, clear_gaps)`` per pass
    (see :func:`window`); ``clear_gaps`` sets the gaps of the pass's input to
    background first (a closing's erosion, after its dilation spread into
    them)."""
    src, dst, which = flat, spare, 0
    for k in range(plan.shape[0]):
        if plan[k, 4]:
            clear_gaps(src, gap_rows, pitch, cols, height, width)
        window(src, dst, plan[k, 0], plan[k, 1], plan[k, 2], plan[k, 3] != 0,
               scratch0, scratch1)
        src, dst, which = dst, src, 1 - which
    return which
