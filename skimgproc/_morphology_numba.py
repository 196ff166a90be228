"""Compiled binary morphology and object counting (numba): the fast path of
:mod:`skimgproc.morphology`.

Loaded by :func:`skimgproc._config.optional_module`, the one loader.
A tile of the mosaic (see :class:`skimgproc.morphology._Mosaic`) takes three
calls, none holding the GIL, so that ``n_jobs`` threads work on ``n_jobs``
tiles at once. As NumPy calls, the same steps took and released the GIL
some twenty times per tile: the opening of 16 x 512 x 512 took 2.9 ms on
one thread and 2.5 ms on two.

* :func:`binarize` thresholds images into a tile, gaps cleared, and in the
  same pass takes over the input contract's finite check (see
  :func:`skimgproc._batch.as_batch`).
* :func:`rect` runs a rectangle's erosions and dilations, each 1-D pass
  (:func:`window`) by the doubling steps of
  :func:`skimgproc.morphology._window`.
* :func:`run_stats` counts objects without a label image: each row's runs
  of foreground pixels are joined to the runs of the row above that they
  touch, in a union-find over runs [1]_. An image has as many objects as
  runs less successful joins, and an object's area is the sum of its runs'
  lengths. OpenCV's labelling, which it replaces for counting, writes a
  label image and runs on OpenCV's own thread pool, which ``n_jobs`` does
  not size.

References
----------
.. [1] K. Wu, E. Otoo and K. Suzuki, "Optimizing two-pass connected-component
   labeling algorithms", Pattern Analysis and Applications 12(2), 2009.
"""

import numba

__all__ = ["binarize", "rect", "run_stats", "window"]

_jit = numba.njit(cache=True, nogil=True)


#: What :func:`binarize` writes: ``src != 0``, ``src < t``, ``src > t``.
NONZERO, BELOW, ABOVE = 0, 1, 2


@_jit
def binarize(src, flat, cols, gap_rows, pitch, t, mode):
    """Write the foreground mask of the images ``src`` (n, height, width)
    into a mosaic's flat buffer (see :class:`skimgproc.morphology._Mosaic`),
    background in its gaps, and return whether every value of ``src`` is
    finite: the contract's finite check in the same pass (``x - x`` is 0
    for a finite ``x``, NaN otherwise; an integer OR keeps the loops
    vectorised, where an early exit would not)."""
    n, height, width = src.shape
    flat[:gap_rows * cols] = 0
    bad = 0
    for k in range(n):
        top = (gap_rows + k * pitch) * cols
        for i in range(height):
            x, o = src[k, i], flat[top + i * cols:top + i * cols + width]
            if mode == BELOW:
                for j in range(width):
                    o[j] = x[j] < t
                    bad |= (x[j] - x[j]) != 0
            elif mode == ABOVE:
                for j in range(width):
                    o[j] = x[j] > t
                    bad |= (x[j] - x[j]) != 0
            else:
                for j in range(width):
                    o[j] = x[j] != 0
                    bad |= (x[j] - x[j]) != 0
            flat[top + i * cols + width:top + (i + 1) * cols] = 0
        flat[top + height * cols:top + pitch * cols] = 0
    return bad == 0


@_jit
def _clear_gaps(flat, cols, gap_rows, pitch, height, width):
    """:meth:`skimgproc.morphology._Mosaic.clear_gaps` on the flat buffer."""
    flat[:gap_rows * cols] = 0
    for top in range(gap_rows * cols, flat.size, pitch * cols):
        for i in range(height):
            flat[top + i * cols + width:top + (i + 1) * cols] = 0
        flat[top + height * cols:top + pitch * cols] = 0


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
def rect(flat, spare, scratch0, scratch1, plan, cols, gap_rows, pitch, height,
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
            _clear_gaps(src, cols, gap_rows, pitch, height, width)
        window(src, dst, plan[k, 0], plan[k, 1], plan[k, 2], plan[k, 3] != 0,
               scratch0, scratch1)
        src, dst, which = dst, src, 1 - which
    return which


@_jit
def _find(parent, r):
    while parent[r] != r:
        parent[r] = parent[parent[r]]  # path halving
        r = parent[r]
    return r


@_jit
def run_stats(images, diagonal, want_areas, starts, ends, parent, edges, stats):
    """Objects of each binary image: their number, total and largest area.

    Parameters
    ----------
    images : ndarray of uint8, shape (n, height, width)
        The binary images (any strides); nonzero is foreground.
    diagonal : int
        1 to join runs that touch at a corner (8-connectivity), 0 for
        4-connectivity.
    want_areas : bool
        Whether to find the largest area (a second pass over the runs).
    starts, ends, parent : ndarray of int32, shape (>= height * ((width + 1) // 2),)
        Work space for the runs of one image (at most that many).
    edges : ndarray of int32, shape (>= width + 2,)
        Work space for the edges of the runs of one row.
    stats : ndarray of int64, shape (n, 3)
        Gets, per image, the number of objects, the total area and the
        largest area (0 unless ``want_areas``).
    """
    n, height, width = images.shape
    for k in range(n):
        n_runs = 0
        joins = 0
        total = 0
        prev_lo = 0
        prev_hi = 0
        for i in range(height):
            row = images[k, i]
            lo = n_runs
            # Every change of value is an edge: runs go from an even edge to
            # the next. Found without branches (store always, count on a
            # change): 1.4 to 1.8x faster than a loop that branches per pixel.
            m = 0
            before = 0
            for j in range(width):
                value = row[j] != 0
                edges[m] = j
                m += value != before
                before = value
            edges[m] = width
            m += before
            for e in range(0, m, 2):
                starts[n_runs] = edges[e]
                ends[n_runs] = edges[e + 1]
                parent[n_runs] = n_runs
                total += edges[e + 1] - edges[e]
                n_runs += 1
            # Runs of the row above, left to right, against this row's.
            p = prev_lo
            for r in range(lo, n_runs):
                s = starts[r] - diagonal
                e = ends[r] + diagonal
                while p < prev_hi and ends[p] <= s:
                    p += 1
                q = p
                while q < prev_hi and starts[q] < e:
                    a = _find(parent, r)
                    b = _find(parent, q)
                    if a != b:
                        # The earlier run stays the root.
                        if a < b:
                            parent[b] = a
                        else:
                            parent[a] = b
                        joins += 1
                    q += 1
            prev_lo = lo
            prev_hi = n_runs
        largest = 0
        if want_areas:
            # Areas gathered on the roots, in ``ends`` (no longer needed).
            for r in range(n_runs):
                ends[r] -= starts[r]
            for r in range(n_runs):
                root = _find(parent, r)
                if root != r:
                    ends[root] += ends[r]
            for r in range(n_runs):
                if parent[r] == r and ends[r] > largest:
                    largest = ends[r]
        stats[k, 0] = n_runs - joins
        stats[k, 1] = total
        stats[k, 2] = largest
