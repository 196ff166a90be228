"""The thread executor: chunks, threads, scratch buffers and fork (how many
threads, concurrent callers and side effects: test_threads.py)."""

import numpy as np
import pytest

from skimgproc import _executor, gaussian_blur
from skimgproc._executor import (
    default_n_jobs,
    effective_n_threads,
    run_chunked,
    run_ranges,
)


def images(shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).random(shape).astype(dtype)

# -- run_chunked -------------------------------------------------------------


def test_run_chunked_bounds_chunks_on_one_thread():
    sizes = []

    def func(src, dst):
        sizes.append(len(src))
        dst[...] = src * 2

    src = np.arange(100.0).reshape(100, 1)
    out = _executor.run_chunked(func, src, np.empty_like(src), n_jobs=1, chunk_bytes=80)
    np.testing.assert_array_equal(out, src * 2)
    assert max(sizes) <= 10 and sum(sizes) == 100


def test_run_chunked_leaves_blas_limits_alone():
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info()
                if lib["user_api"] == "blas"]

    before = blas_threads()
    seen = []

    def func(src, dst):
        seen.append(blas_threads())
        dst[...] = src

    src = np.zeros((8, 4))
    _executor.run_chunked(func, src, np.empty_like(src), n_jobs=2, chunk_bytes=32)
    assert seen and all(threads == before for threads in seen)


def test_run_chunked_uses_n_jobs_threads_and_nests_serially():
    import threading

    seen, nested = set(), set()

    def inner(src, dst):
        nested.add(threading.get_ident())
        dst[...] = src

    def func(src, dst):
        seen.add(threading.get_ident())
        # A call from inside a chunk runs on the chunk's own thread.
        _executor.run_chunked(inner, src, dst, n_jobs=4, chunk_bytes=8)
        dst += 1

    src = np.arange(64.0).reshape(64, 1)
    out = _executor.run_chunked(func, src, np.empty_like(src), n_jobs=2, chunk_bytes=64)
    np.testing.assert_array_equal(out, src + 1)
    assert 1 <= len(seen) <= 2 and nested <= seen


def test_run_chunked_propagates_errors_after_every_chunk_stopped():
    def func(src, dst):
        if src[0, 0] >= 32:
            raise ValueError("boom")
        dst[...] = src

    src = np.arange(64.0).reshape(64, 1)
    with pytest.raises(ValueError, match="boom"):
        _executor.run_chunked(func, src, np.empty_like(src), n_jobs=2, chunk_bytes=64)
    # The pool still works afterwards.
    out = _executor.run_chunked(lambda s, d: d.__setitem__(..., s), src,
                             np.empty_like(src), n_jobs=2, chunk_bytes=64)
    np.testing.assert_array_equal(out, src)


# Python 3.12+ warns about fork() in a process with threads: that is the
# situation tested here.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")
def test_run_chunked_in_a_forked_child():
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    X = images((40, 20, 30))
    gaussian_blur(X, 1.0, n_jobs=2)  # the parent's pool exists
    with multiprocessing.get_context("fork").Pool(1) as pool:
        child = pool.apply(gaussian_blur, (X, 1.0), {"n_jobs": 2})
    np.testing.assert_array_equal(child, gaussian_blur(X, 1.0, n_jobs=2))


def test_chunk_scratch_is_reused_within_a_call_and_dropped_after():
    buffers = []

    def func(src, dst):
        tmp = _executor.chunk_scratch(src.shape, src.dtype)
        buffers.append(tmp.base if tmp.base is not None else tmp)
        np.multiply(src, 2, out=tmp)
        dst[...] = tmp

    src = np.arange(40.0).reshape(40, 1)
    out = _executor.run_chunked(func, src, np.empty_like(src), n_jobs=1, chunk_bytes=80)
    np.testing.assert_array_equal(out, src * 2)
    assert len(buffers) == 4 and all(b is buffers[0] for b in buffers)
    assert "buffers" not in _executor._scratch.__dict__


@pytest.mark.parametrize("n_jobs", [1, 2, 3])
def test_run_chunked_covers_every_sample_once(n_jobs):
    src = np.arange(1000.0).reshape(250, 4)
    dst = np.zeros_like(src)

    def double(a, b):
        b += 2 * a

    run_chunked(double, src, dst, n_jobs, chunk_bytes=64)
    np.testing.assert_array_equal(dst, 2 * src)


def test_run_chunked_propagates_errors():
    def fail(a, b):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run_chunked(fail, np.zeros((100, 4)), np.zeros((100, 4)), 2, chunk_bytes=32)


def test_effective_n_threads():
    assert effective_n_threads(1) == 1
    assert effective_n_threads(7) == 7  # explicit: obeyed
    assert effective_n_threads(None) >= 1
    assert effective_n_threads(-1) == _executor.usable_cores()


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_run_ranges_covers_every_sample_once(n_jobs):
    seen = np.zeros(250, dtype=int)
    lock = __import__("threading").Lock()

    def mark(start, stop):
        with lock:
            seen[start:stop] += 1

    run_ranges(mark, 250, sample_nbytes=8, n_jobs=n_jobs, chunk_bytes=64)
    np.testing.assert_array_equal(seen, 1)


def test_default_n_jobs_sets_what_none_means_in_this_thread_only():
    from concurrent.futures import ThreadPoolExecutor


    everything = effective_n_threads(None)
    with default_n_jobs(1):
        assert effective_n_threads(None) == 1
        assert effective_n_threads(2) == 2  # an explicit n_jobs wins
        with ThreadPoolExecutor(1) as other:
            assert other.submit(effective_n_threads, None).result() == everything
    assert effective_n_threads(None) == everything


# Engines that read every value in a compiled pass take the finite check
# over (as_batch(check_finite=False)); without the compiled pass (reference
# path, other border modes, other filters) they run the contract's check
# first. Either way the error is the contract's, with its counts.
