"""The thread executor: chunks of a batch on a pool of threads.

Operations hand :func:`run_chunked` (one output array) or :func:`run_ranges`
(any outputs) a function of a range of samples; it runs that function over
cache-sized chunks of the batch, on the calling thread beside ``n_jobs - 1``
threads of a pool kept between calls. scipy.ndimage, BLAS, OpenCV and the
numba kernels release the GIL, so the threads run in parallel.

The batch contract (:mod:`skimgproc._batch`) says what a batch is; this
module only says how its chunks are shared out.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from math import prod

import numpy as np

from . import _progress

__all__ = [
    "CHUNK_BYTES",
    "chunk_scratch",
    "default_n_jobs",
    "effective_n_threads",
    "run_chunked",
    "run_ranges",
]


def effective_n_threads(n_jobs):
    """Threads to use for ``n_jobs``: None means every core this process may
    use, negative values count back from that (-1 = all, -2 = all but one)."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        available = os.cpu_count() or 1
    if n_jobs is None:
        return getattr(_default_threads, "n", None) or available
    if n_jobs < 0:
        return max(1, available + 1 + n_jobs)
    return max(1, int(n_jobs))


_default_threads = threading.local()


@contextmanager
def default_n_jobs(n_threads):
    """Let ``n_jobs=None`` mean ``n_threads`` in this thread, for callers that
    run chunks in parallel themselves (dask's workers)."""
    old = getattr(_default_threads, "n", None)
    _default_threads.n = n_threads
    try:
        yield
    finally:
        _default_threads.n = old


# Work items of about this many bytes keep a filter's intermediate passes in
# the cache and still amortise the cost of a thread hand-off.
CHUNK_BYTES = 1 << 21


def run_chunked(func, src, dst, n_jobs=None, *, chunk_bytes=None, blas=True):
    """Apply ``func(src[i:j], dst[i:j])`` over chunks of samples on threads.

    ``func`` works on any number of samples and writes its result into the
    given output slice. scipy.ndimage (and OpenCV, numba and BLAS) release
    the GIL, so threads run in parallel. Chunks hold about ``chunk_bytes``
    of input even on one thread, so that the temporaries ``func`` makes stay
    chunk-sized (and in the cache); a batch smaller than one chunk runs in
    one call with no thread overhead. See :func:`run_ranges`.
    """
    run_ranges(lambda a, b: func(src[a:b], dst[a:b]), src.shape[0],
               src[:1].nbytes, n_jobs, chunk_bytes=chunk_bytes, blas=blas)
    return dst


def run_ranges(func, n_samples, sample_nbytes, n_jobs=None, *, chunk_bytes=None,
               blas=True):
    """Call ``func(start, stop)`` over chunks of ``range(n_samples)`` on threads.

    The engine of :func:`run_chunked`, for work that writes more than one
    output per chunk. Chunks cover about ``chunk_bytes`` (by default
    ``CHUNK_BYTES``) of samples of ``sample_nbytes`` each. The calling
    thread works too, beside ``n_jobs - 1`` threads of a pool kept for the
    next call; a call made from inside ``func`` runs on its own thread only.
    BLAS runs on one thread meanwhile; ``blas=False``, for work that calls
    no BLAS, skips setting that (0.1 ms a call, before any thread starts).
    """
    n = n_samples
    n_threads = min(effective_n_threads(n_jobs), n)
    if chunk_bytes is None:
        chunk_bytes = CHUNK_BYTES
    report = _progress.current()  # verbose: count chunks, small enough to see
    if report is not None:
        func, chunk_bytes = report.follow(func, n, sample_nbytes, chunk_bytes)
    per_chunk = max(1, chunk_bytes // max(1, sample_nbytes))
    with _single_threaded_blas() if blas else nullcontext():
        if n <= per_chunk:
            try:
                func(0, n)
            finally:
                _release_scratch()
            return
        # With threads, at least two chunks each so that uneven work balances.
        n_chunks = max(-(-n // per_chunk), 2 * n_threads if n_threads > 1 else 1)
        bounds = np.linspace(0, n, n_chunks + 1).astype(int)
        pieces = iter([(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)
                       if b > a])
        if n_threads <= 1 or getattr(_in_worker, "active", False):
            try:
                for a, b in pieces:
                    func(a, b)
            finally:
                _release_scratch()
            return
        take = threading.Lock()
        failed = []

        def runner():
            _in_worker.active = True
            try:
                while not failed:
                    with take:
                        piece = next(pieces, None)
                    if piece is None:
                        return
                    func(*piece)
            except BaseException as exc:
                failed.append(exc)
            finally:
                _in_worker.active = False
                _release_scratch()

        futures = [_executor(n_threads - 1).submit(runner)
                   for _ in range(n_threads - 1)]
        runner()
        for future in futures:  # every writer is done before returning
            future.result()
        if failed:
            raise failed[0]


_scratch = threading.local()


def chunk_scratch(shape, dtype, slot=0):
    """A temporary for ``func`` of :func:`run_chunked`, reused by the thread
    for its next chunks of the same call (fresh memory costs page faults on
    every chunk) and dropped when the call ends; ``slot`` tells apart the
    temporaries that coexist."""
    size = prod(shape)
    buffers = _scratch.__dict__.setdefault("buffers", {})
    buf = buffers.get(slot)
    if buf is None or buf.dtype != dtype or buf.size < size:
        buf = buffers[slot] = np.empty(size, dtype)
    return buf[:size].reshape(shape)


def _release_scratch():
    _scratch.__dict__.pop("buffers", None)


# Threads of run_chunked, kept between calls (starting them cost 0.5 ms a
# call, a tenth of a Sobel gradient of 16 x 512 x 512).
_in_worker = threading.local()
_pool_lock = threading.Lock()
_pool = {"executor": None, "size": 0}


def _executor(n_workers):
    with _pool_lock:
        if _pool["size"] < n_workers:
            old = _pool["executor"]
            _pool["executor"] = ThreadPoolExecutor(
                n_workers, thread_name_prefix="skimgproc"
            )
            _pool["size"] = n_workers
            if old is not None:
                old.shutdown(wait=False)
        return _pool["executor"]


def _forget_pool():
    # A forked child has none of the parent's threads.
    global _pool_lock
    _pool_lock = threading.Lock()
    _pool.update(executor=None, size=0)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


# BLAS's own threads on top of run_chunked's would oversubscribe the cores
# (on a busy 2-core machine a batch of small matrix products ran 10x slower),
# and n_jobs would not mean what it says. The limit is process-wide, so
# concurrent callers share it: the first sets it, the last restores it.
_blas_lock = threading.Lock()
_blas = {"users": 0, "limiter": None, "controller": None}


@contextmanager
def _single_threaded_blas():
    with _blas_lock:
        if _blas["users"] == 0:
            if _blas["controller"] is None:
                from threadpoolctl import ThreadpoolController

                _blas["controller"] = ThreadpoolController()
            _blas["limiter"] = _blas["controller"].limit(limits=1, user_api="blas")
        _blas["users"] += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas["users"] -= 1
            if _blas["users"] == 0:
                _blas["limiter"].restore_original_limits()
                _blas["limiter"] = None
