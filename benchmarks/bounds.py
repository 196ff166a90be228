"""The machine's physical bounds for the blur, measured in the same run.

A separable blur must read its input and write its output once (memory
bandwidth), and do one multiply-add per kernel tap per value (the
multiply-add rate). Each bound is a time the blur cannot beat on this
machine; skimgproc's time is reported as a multiple of the larger.

* **memory bandwidth**: the best of a STREAM-like triad ``a = b + s * c``
  (two arrays read, one written: 12 bytes a value, the STREAM convention,
  write-allocate traffic not counted) and a copy (8 bytes a value), compiled
  with numba and run on every core at once, over arrays of 64 MB each, far
  beyond the last-level cache;
* **multiply-add rate**: the best of a float32 matrix product (BLAS, its
  own threads: ``n ** 3`` multiply-adds, the best vectorised kernel a
  machine has) and a numba loop of independent multiply-adds in registers
  on every core.

The blur's own arithmetic, counted as the kernel's taps: ``2 r + 1`` per
value and filtered axis. skimgproc's kernel pairs mirrored taps (one add,
one multiply-add), the same count of vector operations.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

__all__ = ["blur_work", "measure"]

MB = 1 << 20


@numba.njit(nogil=True, fastmath=True)
def _triad(a, b, c, s):
    for i in range(a.shape[0]):
        a[i] = b[i] + s * c[i]


@numba.njit(nogil=True, fastmath=True)
def _copy(a, b):
    for i in range(a.shape[0]):
        a[i] = b[i]


# Contraction to FMA only: full fastmath would fold each chain of 16 into a
# polynomial of fewer operations.
@numba.njit(nogil=True, fastmath={"contract"})
def _fma_loop(x, reps):
    """``reps`` x 16 chains of multiply-adds over ``x`` (in registers:
    ``x`` is 16 vectors long at most), returned so nothing is optimised
    away. 2 * 16 * len(x) * reps multiply-adds."""
    m, c = np.float32(0.999), np.float32(0.001)
    acc = x.copy()
    for _ in range(reps):
        for i in range(acc.shape[0]):
            v = acc[i]
            v = v * m + c
            v = v * m + c
            v = v * m + c
            v = v * m + c
            v = v * m + c
            v = v * m + c
            v = v * m + c
            v = v * m + c
            v = v * m + c
            v = v * m + c
            v = v * m + c
            v = v * m + c
            v = v * m + c
            v = v * m + c
            v = v * m + c
            v = v * m + c
            acc[i] = v
    return acc.sum()


def _parallel(func, parts, threads):
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda args: func(*args), parts))


def _best(func, repeats):
    func()  # compile, fault the pages in
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def bandwidth(threads, n_values=16 * MB, repeats=5):
    """Bytes per second of the best of triad and copy on ``threads`` threads."""
    a, b, c = (np.ones(n_values, np.float32) for _ in range(3))
    cuts = np.linspace(0, n_values, threads + 1).astype(int)
    pieces = list(zip(cuts[:-1], cuts[1:], strict=True))
    triad = [(a[i:j], b[i:j], c[i:j], np.float32(0.5)) for i, j in pieces]
    copy = [(a[i:j], b[i:j]) for i, j in pieces]
    t_triad = _best(lambda: _parallel(_triad, triad, threads), repeats)
    t_copy = _best(lambda: _parallel(_copy, copy, threads), repeats)
    return max(12 * n_values / t_triad, 8 * n_values / t_copy)


def multiply_add_rate(threads, repeats=5):
    """Multiply-adds per second: the best of BLAS's float32 matrix product
    and the numba loop on ``threads`` threads."""
    n = 1024
    rng = np.random.default_rng(0)
    A, B = (rng.random((n, n), dtype=np.float32) for _ in range(2))
    t_gemm = _best(lambda: A @ B, repeats)
    x, reps = np.ones(256, np.float32), 20_000
    per_thread = 16 * x.size * reps
    t_loop = _best(lambda: _parallel(_fma_loop, [(x, reps)] * threads, threads),
                   repeats)
    return max(n ** 3 / t_gemm, threads * per_thread / t_loop)


def measure(threads):
    """``{"bandwidth": bytes/s, "multiply_adds": per s}`` of this machine on
    ``threads`` threads."""
    return {"bandwidth": bandwidth(threads),
            "multiply_adds": multiply_add_rate(threads)}


def blur_work(X, sigmas, truncate=4.0):
    """``(bytes, multiply-adds)`` a separable blur of ``X`` must move and
    do: the input read and the output written once; ``2 r + 1`` taps per
    value along each axis of nonzero sigma (scipy's radius ``r``)."""
    taps = sum(2 * int(truncate * s + 0.5) + 1 for s in sigmas if s > 0)
    return 2 * X.nbytes, X.size * taps


def bound_note(result, rates):
    """The note on a blur workload's bounds and skimgproc's multiple of the
    larger; also stores them in ``result["bound"]``."""
    nbytes, fmas = result["work"]
    t_mem = nbytes / rates["bandwidth"]
    t_fma = fmas / rates["multiply_adds"]
    rows = {r["name"]: r["median_s"] for r in result["rows"]}
    ours = rows.get("skimgproc, base install", rows["skimgproc"])
    bound = max(t_mem, t_fma)
    result["bound"] = {"memory_s": t_mem, "multiply_add_s": t_fma,
                       "multiple": ours / bound}
    return (f"Physical bounds of this machine: moving {nbytes / MB:.0f} MB (input "
            f"read, output written) at {rates['bandwidth'] / 1e9:.1f} GB/s takes "
            f"{t_mem * 1e3:.2f} ms; {fmas / 1e6:,.0f} M multiply-adds (the "
            f"kernel's taps) at {rates['multiply_adds'] / 1e9:.0f} G/s take "
            f"{t_fma * 1e3:.2f} ms. skimgproc (base install) takes "
            f"{ours / bound:.1f}x the larger bound.")
