"""The transform cache: computed once per (parameters, data), never stale."""

import hashlib
import threading

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skimgproc import (
    Flatten,
    GaussianBlur,
    ROFDenoiser,
    Threshold,
    _cache,
    config_context,
    denoise,
    gaussian_blur,
    get_config,
    set_config,
)
from skimgproc._cache import content_digest, parse_size


@pytest.fixture
def cache():
    with config_context(cache_size="256MB"):
        _cache.clear()
        yield
    _cache.clear()


@pytest.fixture
def rof_calls(monkeypatch):
    """How many times the ROF engine ran."""
    calls = []
    engine = denoise._rof

    def counted(batch, **kwargs):
        calls.append(batch.n_samples)
        return engine(batch, **kwargs)

    monkeypatch.setattr(denoise, "_rof", counted)
    return calls


def noisy(n=30, size=12, seed=0):
    rng = np.random.default_rng(seed)
    clean = np.zeros((n, size, size))
    clean[::2, 3:9, 3:9] = 50.0  # even images have a square: the class
    return clean + rng.normal(scale=5.0, size=clean.shape), np.arange(n) % 2 == 0


# -- the setting -----------------------------------------------------------------------


@pytest.mark.parametrize("value, nbytes", [
    (0, 0), (123, 123), (np.int64(5), 5), ("2GB", 2 * 10**9), ("2 gb", 2 * 10**9),
    ("512MiB", 512 * 2**20), ("1.5kB", 1500), ("64", 64), ("1TiB", 2**40),
])
def test_parse_size(value, nbytes):
    assert parse_size(value) == nbytes


@pytest.mark.parametrize("value", [-1, 1.5, True, "2 parsecs", "GB", "-3MB", None])
def test_cache_size_refuses_what_is_not_a_size(value):
    with pytest.raises(ValueError, match=r"The 'cache_size' setting must be a "
                       r"non-negative int \(bytes\) or a string such as '2GB'"):
        parse_size(value)
    if value is not None:
        with pytest.raises(ValueError, match="'cache_size' setting"):
            set_config(cache_size=value)
    assert get_config()["cache_size"] == 0


def test_config_context_sets_and_restores_the_size(rof_calls):
    assert get_config()["cache_size"] == 0
    X, _ = noisy(4)
    with config_context(cache_size="1MB"):
        assert get_config()["cache_size"] == 10**6
        ROFDenoiser(10.0).fit_transform(X)
        assert _cache.stats()["entries"] == 1
    assert get_config()["cache_size"] == 0
    assert _cache.stats()["entries"] == 0  # off: emptied
    ROFDenoiser(10.0).fit_transform(X)
    ROFDenoiser(10.0).fit_transform(X)
    assert len(rof_calls) == 3  # once inside, twice outside


@pytest.mark.parametrize("text, nbytes", [("2GB", 2 * 10**9), ("", 0)])
def test_worker_processes_read_the_size_from_the_environment(monkeypatch, text,
                                                              nbytes):
    monkeypatch.setenv("SKIMGPROC_CACHE_SIZE", text)
    assert _cache._from_environment() == nbytes


def test_a_new_process_starts_with_the_environment_s_size():
    import os
    import subprocess
    import sys

    code = "import skimgproc; print(skimgproc.get_config()['cache_size'])"
    env = dict(os.environ, SKIMGPROC_CACHE_SIZE="512MiB")
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == str(512 * 2**20)


def test_a_wrong_size_in_the_environment_warns_and_stays_off(monkeypatch):
    monkeypatch.setenv("SKIMGPROC_CACHE_SIZE", "lots")
    with pytest.warns(RuntimeWarning, match="SKIMGPROC_CACHE_SIZE.*stays off"):
        assert _cache._from_environment() == 0


def test_the_size_is_seen_by_other_threads(cache):
    seen = []
    thread = threading.Thread(target=lambda: seen.append(get_config()["cache_size"]))
    thread.start()
    thread.join()
    assert seen == [256 * 10**6]


# -- hits and misses -------------------------------------------------------------------


def test_same_parameters_and_data_compute_once(cache, rof_calls):
    X, _ = noisy()
    with config_context(cache_size=0):
        expected = denoise.rof_denoise(X, 10.0)[0]
    first = ROFDenoiser(10.0).fit_transform(X)
    again = ROFDenoiser(10.0).fit(X).transform(X.copy())
    assert len(rof_calls) == 2  # the uncached reference, then one
    np.testing.assert_array_equal(first, expected)
    np.testing.assert_array_equal(again, expected)
    assert _cache.stats()["hits"] == 1


def test_a_changed_parameter_or_pixel_misses(cache, rof_calls):
    X, _ = noisy()
    base = ROFDenoiser(10.0).fit_transform(X)
    other = ROFDenoiser(20.0).fit_transform(X)
    texture = ROFDenoiser(10.0, output="texture").fit_transform(X)
    Y = X.copy()
    Y[17, 5, 5] += 1.0
    changed = ROFDenoiser(10.0).fit_transform(Y)
    assert len(rof_calls) == 4
    with config_context(cache_size=0):
        for result, x, params in [(other, X, dict(tv_weight=20.0)),
                                  (changed, Y, dict(tv_weight=10.0))]:
            np.testing.assert_array_equal(result, denoise.rof_denoise(x, **params)[0])
    np.testing.assert_allclose(texture, X - base)
    assert not np.array_equal(changed[17], base[17])


def test_verbose_and_layout_of_equal_values(cache, rof_calls, capsys):
    X, _ = noisy()
    ROFDenoiser(10.0).fit_transform(X)
    ROFDenoiser(10.0, verbose=1).fit_transform(np.asfortranarray(X))
    strided = np.pad(X, ((0, 0), (0, 0), (0, 1)))[:, :, :-1]  # same values
    assert not strided.flags.c_contiguous
    ROFDenoiser(10.0).fit_transform(strided)
    assert len(rof_calls) == 1
    flat = ROFDenoiser(10.0, image_shape=(12, 12)).fit_transform(X.reshape(30, -1))
    ROFDenoiser(10.0).fit_transform(X.astype(np.float32))
    assert len(rof_calls) == 3  # another layout, another dtype
    assert flat.shape == (30, 144)
    assert capsys.readouterr().err == ""  # verbose, but no work to report


def test_what_fit_learned_is_part_of_the_key(cache):
    rng = np.random.default_rng(1)
    A, B, X = rng.random((3, 5, 8, 8))
    B = B + 0.5
    first = Threshold("mean").fit(A).transform(X)
    second = Threshold("mean").fit(B).transform(X)
    assert np.array_equal(first, X < A.mean())
    assert np.array_equal(second, X < B.mean())


def test_the_accelerate_switch_is_part_of_the_key(cache):
    X = np.random.default_rng(2).random((4, 16, 16)).astype(np.float32)
    GaussianBlur(2.0).fit_transform(X)
    with config_context(accelerate=False):
        reference = GaussianBlur(2.0).fit_transform(X)
        with config_context(cache_size=0):
            np.testing.assert_array_equal(reference, gaussian_blur(X, 2.0))
    assert _cache.stats()["misses"] == 2


# -- what callers get ------------------------------------------------------------------


def test_results_are_new_writable_arrays(cache):
    X, _ = noisy()
    first = ROFDenoiser(10.0).fit_transform(X)
    expected = first.copy()
    first[...] = -1  # the caller's own array
    second = ROFDenoiser(10.0).fit_transform(X)
    assert second.flags.writeable and not np.shares_memory(first, second)
    np.testing.assert_array_equal(second, expected)
    second[...] = -2
    np.testing.assert_array_equal(ROFDenoiser(10.0).fit_transform(X), expected)


def test_a_reshape_is_not_kept(cache):
    X = np.random.default_rng(3).random((4, 3, 3))
    flat = Flatten().fit_transform(X)
    assert _cache.stats()["entries"] == 0 and np.shares_memory(flat, X)
    np.testing.assert_array_equal(flat, X.reshape(4, 9))


def test_the_size_bound_evicts_least_recently_used(rof_calls):
    X, _ = noisy()  # each result 30 * 144 * 8 = 34,560 bytes
    with config_context(cache_size=80_000):
        _cache.clear()
        for weight in (10.0, 20.0, 10.0, 30.0, 10.0, 20.0):
            ROFDenoiser(weight).fit_transform(X)
        stats = _cache.stats()
    # 10 is kept by use, 20 evicted by 30, then computed again.
    assert len(rof_calls) == 4
    assert stats["entries"] == 2 and stats["bytes"] <= 80_000
    with config_context(cache_size=1000):  # a result too large to keep
        ROFDenoiser(10.0).fit_transform(X)
        ROFDenoiser(10.0).fit_transform(X)
        assert _cache.stats()["entries"] == 0
    assert len(rof_calls) == 6


def test_threads_asking_at_once_compute_once(cache, rof_calls):
    X, _ = noisy()
    results = [None] * 6

    def work(i):
        results[i] = ROFDenoiser(10.0, n_jobs=1).fit_transform(X)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(rof_calls) == 1
    for result in results[1:]:
        np.testing.assert_array_equal(result, results[0])


# -- a search --------------------------------------------------------------------------


def _search(n_jobs=None):
    pipe = Pipeline([("rof", ROFDenoiser(10.0)), ("flatten", Flatten()),
                     ("clf", LogisticRegression(max_iter=1000))])
    return GridSearchCV(pipe, {"clf__C": [0.01, 0.1, 1.0, 10.0]}, cv=3,
                        n_jobs=n_jobs)


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_search_computes_rof_once_per_distinct_fold_input(n_jobs, rof_calls):
    X, y = noisy(36)
    with parallel_config(backend="threading"):
        uncached = _search(n_jobs).fit(X, y)
        # 4 candidates x 3 folds x (train, test), and the refit on all of X.
        assert len(rof_calls) == 4 * 3 * 2 + 1
        rof_calls.clear()
        with config_context(cache_size="64MB"):
            _cache.clear()
            cached = _search(n_jobs).fit(X, y)
    # 3 training folds, 3 validation folds, all of X.
    assert len(rof_calls) <= 7
    assert sorted(rof_calls) == [12, 12, 12, 24, 24, 24, 36]
    np.testing.assert_array_equal(cached.cv_results_["mean_test_score"],
                                  uncached.cv_results_["mean_test_score"])
    assert cached.best_params_ == uncached.best_params_


# -- the content hash ------------------------------------------------------------------


def _digest(a):
    """content_digest re-implemented: the blocks' digests, then the header's."""
    name, block = _cache.hash_algorithm(), _cache.HASH_BLOCK
    raw = a.tobytes()  # C order
    parts = [hashlib.new(name, raw[i:i + block]).digest()
             for i in range(0, max(len(raw), 1), block)]
    header = f"{a.dtype.str}{a.shape}".encode()
    return hashlib.new(name, header + b"".join(parts)).digest()[:16]


@pytest.mark.parametrize("shape", [(3, 5, 7), (5, 512, 512)])  # 1 or 3 blocks
def test_content_digest_is_a_hash_of_the_values_in_c_order(shape):
    a = np.random.default_rng(4).random(shape)
    expected = _digest(a)
    assert content_digest(a) == expected
    assert content_digest(np.asfortranarray(a)) == expected
    strided = np.pad(a, ((0, 0), (0, 0), (0, 1)))[:, :, :-1]
    assert not strided.flags.c_contiguous
    assert content_digest(strided) == expected
    assert _cache.hash_algorithm() in ("sha256", "blake2b")


def test_content_digest_tells_apart_shape_dtype_and_one_value():
    a = np.arange(24.0).reshape(4, 6)
    b = a.copy()
    b[3, 5] = np.nextafter(b[3, 5], 0)
    digests = {content_digest(x) for x in
               (a, a.reshape(6, 4), a.view(np.int64), b, a.astype(np.float32))}
    assert len(digests) == 5
