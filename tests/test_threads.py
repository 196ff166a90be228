"""Threads like the rest of the scientific stack, and no process-wide side
effects: how many threads ``n_jobs=None`` runs, the shared pool under
concurrent callers, and what another thread of the program sees meanwhile."""

import multiprocessing
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from PIL import Image

import skimgproc
from skimgproc._executor import (
    effective_n_threads,
    run_chunked,
    usable_cores,
)

TWO_CORES = pytest.mark.skipif(
    usable_cores() < 2, reason="needs two usable cores to tell 1 from all"
)


def threads_used(n_jobs=None, n=64):
    """The distinct threads that ran chunks of one call of 8-byte samples,
    one sample a chunk."""
    seen = set()
    lock = threading.Lock()

    def func(src, dst):
        with lock:
            seen.add(threading.get_ident())
        time.sleep(0.002)  # long enough for every thread to take a chunk
        dst[...] = src

    src = np.zeros((n, 1))
    run_chunked(func, src, np.empty_like(src), n_jobs, chunk_bytes=8)
    return len(seen)


def skimgproc_threads():
    return [t for t in threading.enumerate() if t.name == "skimgproc"]


# -- what n_jobs=None means ---------------------------------------------------------


def test_usable_cores_follow_affinity_and_joblib():
    from joblib import cpu_count

    assert usable_cores() == min(len(os.sched_getaffinity(0)), cpu_count())


@TWO_CORES
def test_none_uses_every_usable_core_when_nothing_limits():
    # In a fresh interpreter: earlier tests of the suite load OpenMP runtimes
    # and joblib settings that rightly lower the allotment in this process.
    code = (
        "import os, numpy as np, threading\n"
        "from skimgproc._executor import allotted_threads, usable_cores, run_chunked\n"
        "seen = set()\n"
        "def func(src, dst):\n"
        "    seen.add(threading.get_ident()); import time; time.sleep(0.01)\n"
        "src = np.zeros((64, 1))\n"
        "run_chunked(func, src, np.empty_like(src), None, chunk_bytes=8)\n"
        "print(allotted_threads(), usable_cores(), len(seen))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    allotted, usable, used = map(int, out)
    assert allotted == usable
    assert used == usable


@TWO_CORES
def test_none_obeys_threadpool_limits_and_explicit_n_jobs_wins():
    from threadpoolctl import threadpool_info, threadpool_limits

    # The OpenMP runtime scikit-learn loads is the one the limit reaches.
    assert any(lib["user_api"] == "openmp" for lib in threadpool_info())
    # What this process allots before (earlier tests may have lowered it).
    before = effective_n_threads(None)
    with threadpool_limits(1):
        assert effective_n_threads(None) == 1
        assert threads_used(None) == 1
        assert threads_used(2) == 2
    assert effective_n_threads(None) == before


@TWO_CORES
def test_none_obeys_omp_num_threads(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert threads_used(None) == 1
    assert threads_used(2) == 2
    monkeypatch.setenv("OMP_NUM_THREADS", "1,4")  # nested levels: ours is the first
    assert effective_n_threads(None) == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "not a number")
    assert effective_n_threads(None) == usable_cores()


@TWO_CORES
def test_none_obeys_joblib_parallel_config():
    from joblib import parallel_config

    before = effective_n_threads(None)
    with parallel_config(n_jobs=1):
        assert threads_used(None) == 1
        assert threads_used(2) == 2
    with parallel_config(n_jobs=-1):
        assert effective_n_threads(None) == before
    with parallel_config(n_jobs=64):  # an allotment, not more than the cores
        assert effective_n_threads(None) == before


def test_negative_n_jobs_count_back_from_the_cores():
    assert effective_n_threads(-1) == usable_cores()
    assert effective_n_threads(-usable_cores() - 5) == 1


def _score_threads(estimator, X, y):
    """A scorer reporting the threads skimgproc runs in this process:
    100 x (with n_jobs=2) + (with n_jobs=None)."""
    return 100 * threads_used(2) + threads_used(None)


@TWO_CORES
def test_gridsearch_workers_run_one_thread_each():
    cloudpickle = pytest.importorskip("cloudpickle")
    from sklearn.dummy import DummyClassifier
    from sklearn.model_selection import GridSearchCV

    # The scorer goes to the worker processes by value: they cannot import
    # this test module.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        X, y = np.zeros((40, 2)), np.arange(40) % 2
        search = GridSearchCV(
            DummyClassifier(), {"strategy": ["prior", "uniform"]}, cv=2,
            scoring=_score_threads, n_jobs=2,
        ).fit(X, y)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    codes = search.cv_results_["mean_test_score"]
    # loky gives each of the 2 workers 1 of the 2 cores: None runs one
    # thread there, an explicit n_jobs=2 still two.
    np.testing.assert_array_equal(codes, 201.0)


# -- the shared pool ----------------------------------------------------------------


def test_concurrent_callers_with_growing_n_jobs():
    # Eight threads, each raising n_jobs from 2 to 400 call after call:
    # the pool is shared, never replaced under a caller.
    rng = np.random.default_rng(0)
    X = rng.random((300, 28, 28)).astype(np.float32)
    expected_blur = skimgproc.gaussian_blur(X, 1.5, n_jobs=1)
    expected_sobel = skimgproc.sobel_gradient(X, n_jobs=1)
    errors, mismatches = [], []
    start = threading.Barrier(8)

    def caller(k):
        start.wait()
        try:
            for n_jobs in range(2 + k, 401, 37):
                blur = skimgproc.GaussianBlur(sigma=1.5, n_jobs=n_jobs)
                if not np.array_equal(blur.fit_transform(X), expected_blur):
                    mismatches.append(("blur", n_jobs))
                sobel = skimgproc.sobel_gradient(X, n_jobs=n_jobs)
                if not np.array_equal(sobel, expected_sobel):
                    mismatches.append(("sobel", n_jobs))
        except Exception as exc:  # noqa: BLE001 - every error is the finding
            errors.append(exc)

    threads = [threading.Thread(target=caller, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and mismatches == []


def _settle(limit, timeout=5.0):
    deadline = time.monotonic() + timeout
    while len(skimgproc_threads()) > limit and time.monotonic() < deadline:
        time.sleep(0.01)
    return len(skimgproc_threads())


def test_huge_n_jobs_runs_no_more_threads_than_chunks_and_keeps_few():
    assert threads_used(10**6, n=5) <= 5
    # 200 chunks of work on up to 199 threads; afterwards at most one
    # waiting thread per core is kept.
    assert threads_used(10**6, n=200) <= 200
    assert _settle(usable_cores()) <= usable_cores()


def test_a_batch_of_one_chunk_starts_no_thread():
    seen = []
    src = np.zeros((10, 4))
    run_chunked(lambda s, d: seen.append(threading.get_ident()), src,
                np.empty_like(src), n_jobs=10**6)
    assert seen == [threading.get_ident()]


# -- no process-wide side effects -------------------------------------------------


def png_bytes(width, height, payload=b"\x00" * 16):
    import struct
    import zlib

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(
            ">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(payload)) + chunk(b"IEND", b""))


def _blas_limits():
    from threadpoolctl import threadpool_info

    return {lib["filepath"]: lib["num_threads"] for lib in threadpool_info()
            if lib["user_api"] == "blas"}


def _while_working(work, watch, seconds=1.0):
    """Run ``work()`` in a loop on two threads while this thread calls
    ``watch()`` until ``seconds`` have passed; returns what watch returned."""
    stop = threading.Event()
    errors = []

    def loop():
        try:
            while not stop.is_set():
                work()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    workers = [threading.Thread(target=loop) for _ in range(2)]
    for t in workers:
        t.start()
    seen = []
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            seen.append(watch())
    finally:
        stop.set()
        for t in workers:
            t.join()
    assert errors == []
    return seen


def test_transforms_leave_blas_limits_alone(accelerate):
    # Small images take the matrix route, large ones OpenCV or scipy.
    small = np.random.default_rng(0).random((3000, 28, 28)).astype(np.float32)
    large = np.random.default_rng(1).random((8, 256, 256)).astype(np.float32)
    before = _blas_limits()
    assert before

    def work():
        with skimgproc.config_context(accelerate=accelerate):
            skimgproc.GaussianBlur(sigma=2.0, n_jobs=2).fit_transform(small)
            skimgproc.gaussian_gradient(small, 1.0, n_jobs=2)
            skimgproc.gaussian_blur(large, 3.0, n_jobs=2)

    seen = _while_working(work, _blas_limits)
    # (OpenCV may bring a BLAS of its own: each library keeps its limit.)
    assert len(seen) > 10
    assert all(limits[path] == before[path] for limits in seen for path in before)


def test_reading_images_leaves_pillow_limit_alone(tmp_path, monkeypatch):
    from skimgproc import read_images, write_image

    paths = [tmp_path / f"{i}.png" for i in range(8)]
    for path in paths:
        write_image(path, np.full((64, 64), 7, dtype=np.uint8))
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bytes(30_000, 30_000))  # 9e8 pixels, > 2 x Pillow's

    def plain_pillow_refuses_bomb():
        try:
            Image.open(bomb)
        except Image.DecompressionBombError:
            return True
        return False

    def work():
        read_images(paths, n_jobs=2, max_pixels=10**10)
        with pytest.raises(ValueError, match="max_pixels"):
            read_images([bomb])

    # With Pillow's default limit: the guard of plain Pillow never lapses.
    assert all(_while_working(work, plain_pillow_refuses_bomb))
    # An application's own setting is never lost, nor seen changed.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 12_345)
    assert set(_while_working(work, lambda: Image.MAX_IMAGE_PIXELS)) == {12_345}


def _child_reads(path, queue):
    blurred = skimgproc.gaussian_blur(np.ones((40, 64, 64)), 1.0, n_jobs=2)
    queue.put(int(skimgproc.read_image(path).sum()) + int(blurred.sum()))


# Python 3.12+ warns about fork() in a process with threads: that is the
# situation tested here.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")
def test_fork_while_reading_images_on_another_thread(tmp_path):
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    from skimgproc import read_images, write_image

    paths = [tmp_path / f"{i}.png" for i in range(16)]
    for path in paths:
        write_image(path, np.full((128, 128), 1, dtype=np.uint8))
    context = multiprocessing.get_context("fork")
    expected = 128 * 128 + 40 * 64 * 64

    def fork_one():
        queue = context.Queue()
        child = context.Process(target=_child_reads, args=(paths[0], queue))
        child.start()
        child.join(timeout=20)
        alive = child.is_alive()
        if alive:
            child.kill()
            child.join()
            return "deadlocked"
        return round(queue.get(timeout=5))

    results = _while_working(lambda: read_images(paths, n_jobs=2), fork_one,
                             seconds=2.0)
    assert len(results) >= 3 and set(results) == {expected}
