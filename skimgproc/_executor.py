"""The thread executor: chunks of a batch on a pool of threads.

Operations hand :func:`run_chunked` (one output array) or :func:`run_ranges`
(any outputs) a function of a range of samples; it runs that function over
cache-sized chunks of the batch, on the calling thread beside threads of a
pool kept between calls. scipy.ndimage, OpenCV and the numba kernels
release the GIL, so the threads run in parallel.

**How many threads** (:func:`effective_n_threads`). An explicit ``n_jobs``
is obeyed (negative values count back from the cores: -1 is all of them).
``n_jobs=None`` resolves as scikit-learn's OpenMP code resolves its
threads: every core this process may use (its CPU affinity and cgroup CPU
quota, as :func:`joblib.cpu_count` counts them), but no more than the
environment allots: ``OMP_NUM_THREADS`` (which joblib's worker processes
set, to their share of the cores), the OpenMP limit in force
(:func:`threadpoolctl.threadpool_limits`), and ``n_jobs`` of
:func:`joblib.parallel_config`. Either way no call runs more threads than
it has chunks of work.

Nothing here changes state another thread of the program can see: BLAS's
and OpenMP's limits are read, never set (the fast paths keep BLAS from
oversubscribing the cores themselves, see :mod:`skimgproc._separable`).

The batch contract (:mod:`skimgproc._batch`) says what a batch is; this
module only says how its chunks are shared out.
"""

import os
import threading
from collections import deque
from contextlib import contextmanager
from math import prod

import numpy as np

from . import _progress

__all__ = [
    "CHUNK_BYTES",
    "allotted_threads",
    "chunk_scratch",
    "default_n_jobs",
    "effective_n_threads",
    "run_chunked",
    "run_ranges",
]


# -- how many threads ---------------------------------------------------------------


def effective_n_threads(n_jobs):
    """Threads to use for ``n_jobs``.

    An int is obeyed: positive values as they are, negative ones counted
    back from the cores this process may use (-1 = all, -2 = all but one).
    None means :func:`allotted_threads`, or what :func:`default_n_jobs` set
    for this thread.
    """
    if n_jobs is None:
        return getattr(_default_threads, "n", None) or allotted_threads()
    if n_jobs < 0:
        return max(1, usable_cores() + 1 + n_jobs)
    return max(1, int(n_jobs))


def usable_cores():
    """The cores this process may use: its CPU affinity, and the cgroup CPU
    quota (read once: :func:`joblib.cpu_count`, which also obeys
    ``LOKY_MAX_CPU_COUNT``)."""
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        affinity = os.cpu_count() or 1
    quota = _cpu_quota.get("n")
    if quota is None:
        from joblib import cpu_count

        quota = _cpu_quota["n"] = cpu_count(only_physical_cores=False)
    return max(1, min(affinity, quota))


_cpu_quota = {}


def allotted_threads():
    """What ``n_jobs=None`` means: the usable cores, but no more than the
    environment allots (the rule of scikit-learn's OpenMP code).

    The smallest of :func:`usable_cores`, ``OMP_NUM_THREADS`` (joblib's
    worker processes set it to their share of the cores), the limit of the
    OpenMP runtimes loaded (which :func:`threadpoolctl.threadpool_limits`
    lowers) and ``n_jobs`` of :func:`joblib.parallel_config`. A few
    microseconds a call.

    Examples
    --------
    >>> from threadpoolctl import threadpool_limits
    >>> from skimgproc._executor import allotted_threads
    >>> with threadpool_limits(1):
    ...     allotted_threads()
    1
    """
    limits = [usable_cores(), _env_limit(), _joblib_limit()]
    limits.extend(_openmp_limits())
    return max(1, min(n for n in limits if n is not None))


def _env_limit():
    value = os.environ.get("OMP_NUM_THREADS", "")
    try:  # "4" or a nested list "4,2": the outer level is ours
        n = int(value.split(",")[0])
    except ValueError:
        return None
    return n if n >= 1 else None


def _joblib_limit():
    n_jobs = _joblib_n_jobs()
    if not isinstance(n_jobs, int) or n_jobs == 0:  # unset (None, a sentinel)
        return None
    return n_jobs if n_jobs > 0 else max(1, usable_cores() + 1 + n_jobs)


def _joblib_n_jobs():
    """``n_jobs`` of the :func:`joblib.parallel_config` in force in this
    thread: read from joblib's thread-local configuration where it keeps it
    (its public ``get_active_backend`` builds a backend: 8 us a call)."""
    local = _joblib.get("local")
    if local is None:
        import joblib.parallel

        local = _joblib["local"] = getattr(joblib.parallel, "_backend", False)
        _joblib["public"] = joblib.parallel.get_active_backend
    if local is False or not hasattr(local, "__dict__"):  # pragma: no cover
        return _joblib["public"]()[1]  # a joblib that moved it
    config = getattr(local, "config", None)
    return None if config is None else config.get("n_jobs")


_joblib = {}


def _openmp_limits():
    """The thread limit of each OpenMP runtime loaded when first asked."""
    controllers = _openmp.get("controllers")
    if controllers is None:
        try:
            from threadpoolctl import ThreadpoolController

            controllers = ThreadpoolController().select(user_api="openmp")
            controllers = list(controllers.lib_controllers)
        except Exception:  # pragma: no cover - an unreadable runtime
            controllers = []
        _openmp["controllers"] = controllers
    return [lib.num_threads for lib in controllers]


_openmp = {}

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


# -- running chunks -----------------------------------------------------------------

# Work items of about this many bytes keep a filter's intermediate passes in
# the cache and still amortise the cost of a thread hand-off.
CHUNK_BYTES = 1 << 21


def run_chunked(func, src, dst, n_jobs=None, *, chunk_bytes=None):
    """Apply ``func(src[i:j], dst[i:j])`` over chunks of samples on threads.

    ``func`` works on any number of samples and writes its result into the
    given output slice. scipy.ndimage (and OpenCV and numba) release the
    GIL, so threads run in parallel. Chunks hold about ``chunk_bytes`` of
    input even on one thread, so that the temporaries ``func`` makes stay
    chunk-sized (and in the cache); a batch smaller than one chunk runs in
    one call with no thread overhead. See :func:`run_ranges`.
    """
    run_ranges(lambda a, b: func(src[a:b], dst[a:b]), src.shape[0],
               src[:1].nbytes, n_jobs, chunk_bytes=chunk_bytes)
    return dst


def run_ranges(func, n_samples, sample_nbytes, n_jobs=None, *, chunk_bytes=None):
    """Call ``func(start, stop)`` over chunks of ``range(n_samples)`` on threads.

    The engine of :func:`run_chunked`, for work that writes more than one
    output per chunk. Chunks cover about ``chunk_bytes`` (by default
    ``CHUNK_BYTES``) of samples of ``sample_nbytes`` each. The calling
    thread works too, beside up to ``effective_n_threads(n_jobs) - 1``
    threads of the shared pool, and never more threads than chunks; a call
    made from inside ``func`` runs on its own thread only. Any number of
    threads may call this at once, with any ``n_jobs``.
    """
    n = n_samples
    if chunk_bytes is None:
        chunk_bytes = CHUNK_BYTES
    report = _progress.current()  # verbose: count chunks, small enough to see
    if report is not None:
        func, chunk_bytes = report.follow(func, n, sample_nbytes, chunk_bytes)
    per_chunk = max(1, chunk_bytes // max(1, sample_nbytes))
    n_full = -(-n // per_chunk)  # chunks of about chunk_bytes
    if n_full <= 1 or getattr(_in_worker, "active", False):
        n_threads = 1
    else:
        n_threads = min(effective_n_threads(n_jobs), n_full)
    # With threads, at least two chunks each so that uneven work balances.
    n_chunks = max(n_full, 2 * n_threads if n_threads > 1 else 1)
    bounds = np.linspace(0, n, n_chunks + 1).astype(int)
    pieces = [(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]
    if n_threads <= 1:
        try:
            for a, b in pieces:
                func(a, b)
        finally:
            _release_scratch()
        return
    call = _Call(func, pieces)
    _pool().submit(call.join, n_threads - 1)
    call.work()
    call.close()


class _Call:
    """One call of :func:`run_ranges` on threads: its chunks, taken in turn
    by the calling thread and the pool's threads that join in time.

    The caller works until no chunk is left, then closes the call: a pool
    thread that starts later (the pool busy with other calls) does nothing,
    so the caller waits only for the chunks in progress.
    """

    def __init__(self, func, pieces):
        self.func = func
        self.pieces = deque(pieces)
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.busy = 0
        self.closed = False
        self.failed = []

    def join(self):
        with self.lock:
            if self.closed:
                return
            self.busy += 1
        try:
            self.work()
        finally:
            with self.lock:
                self.busy -= 1
                if self.busy == 0:
                    self.idle.notify_all()

    def work(self):
        _in_worker.active = True
        try:
            while True:
                with self.lock:
                    if self.failed or not self.pieces:
                        return
                    a, b = self.pieces.popleft()
                self.func(a, b)
        except BaseException as exc:
            with self.lock:
                self.failed.append(exc)
        finally:
            _in_worker.active = False
            _release_scratch()

    def close(self):
        """Wait for the chunks in progress (every writer is done before
        returning) and raise the first error."""
        with self.lock:
            self.closed = True
            while self.busy:
                self.idle.wait()
        if self.failed:
            raise self.failed[0]


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


# -- the pool ---------------------------------------------------------------------

# Threads of run_ranges, kept between calls (starting them cost 0.5 ms a
# call, a tenth of a Sobel gradient of 16 x 512 x 512).
_in_worker = threading.local()


class _Pool:
    """Daemon threads that run the tasks submitted, by any thread.

    It is never replaced or shut down, so callers with different ``n_jobs``
    share it safely. A submission of ``k`` tasks wakes idle threads and
    starts new ones until the pool has ``k`` threads; a thread that finds no
    task waits for the next one, or ends when ``keep`` threads wait already
    (an ``n_jobs`` far above the cores leaves no crowd of idle threads).
    """

    def __init__(self, keep):
        self.keep = keep
        self.lock = threading.Lock()
        self.wake = threading.Condition(self.lock)
        self.tasks = deque()
        self.threads = 0
        self.waiting = 0  # threads waiting and not yet woken

    def submit(self, task, k):
        with self.lock:
            self.tasks.extend([task] * k)
            woken = min(k, self.waiting)
            self.waiting -= woken
            self.wake.notify(woken)
            start = max(0, min(k - woken, k - self.threads))
            self.threads += start
        for _ in range(start):
            threading.Thread(target=self._serve, name="skimgproc", daemon=True).start()

    def _serve(self):
        while True:
            with self.lock:
                while not self.tasks:
                    if self.waiting >= self.keep:
                        self.threads -= 1
                        return
                    self.waiting += 1
                    self.wake.wait()
                task = self.tasks.popleft()
            task()  # _Call.join: it records its errors itself


_pools = {}
_pools_lock = threading.Lock()


def _pool():
    pool = _pools.get("pool")
    if pool is None:
        with _pools_lock:
            if "pool" not in _pools:
                _pools["pool"] = _Pool(keep=usable_cores())
            pool = _pools["pool"]
    return pool


def _forget_pool():
    # A forked child has none of the parent's threads (and the parent's
    # locks may have been held by one of them).
    global _pools_lock
    _pools_lock = threading.Lock()
    _pools.clear()
    _cpu_quota.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)
