"""The fast paths (BLAS matrices, OpenCV, numba) against the scipy reference.

Every accelerated route is forced in turn on the same inputs and compared
with ``config_context(accelerate=False)``, the plain scipy.ndimage code,
which the other test files check against scipy run on each image alone.
Tolerances are a few float32 roundings of the data's scale (1e-12 for
float64).
"""

import os
import threading

import numpy as np
import pytest
from scipy import ndimage as ndi

import skimgproc
from skimgproc import (
    _batch,
    _gradients_stencil,
    _separable,
    config_context,
    gaussian_blur,
    gaussian_gradient,
    prewitt_gradient,
    sobel_gradient,
)

cv2 = pytest.importorskip("cv2")
numba = pytest.importorskip("numba")

MODES = ["reflect", "mirror", "nearest", "wrap", "constant", "grid-constant",
         "grid-mirror", "grid-wrap"]
GRADIENTS = {"sobel": sobel_gradient, "prewitt": prewitt_gradient,
             "gaussian": gaussian_gradient}
OUTPUTS = ["x", "y", "magnitude", "angle"]


def reference(func, X, *args, **kwargs):
    with config_context(accelerate=False):
        return func(X, *args, **kwargs)


def tolerance(expected):
    scale = max(1.0, float(np.max(np.abs(expected))))
    return (4e-7 if expected.dtype == np.float32 else 1e-12) * scale


def assert_matches(got, expected):
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=tolerance(expected))


def assert_angles_match(got, expected, magnitude):
    """Angles agree (modulo 2 pi) wherever the gradient is not negligible:
    elsewhere the angle of a rounding error, or of a signed zero, is
    arbitrary."""
    assert got.dtype == expected.dtype
    diff = np.abs((got.astype(np.float64) - expected + np.pi) % (2 * np.pi) - np.pi)
    clear = magnitude > 1e-3 * magnitude.max()
    limit = 2e-5 if got.dtype == np.float32 else 1e-10
    assert np.all(diff[clear] <= limit)


FACTORIES = {"matrix": "_matrix_filter", "numba": "_numba_filter",
             "opencv": "_cv2_filter"}


@pytest.fixture(params=["matrix", "numba", "opencv"])
def route(request, monkeypatch):
    """The blur's three fast routes, whatever the image size (OpenCV's with
    the compiled kernel hidden); the test fails if the route never ran (a
    silent fallback to scipy would test nothing)."""
    monkeypatch.setattr(_separable, "MATRIX_MAX",
                        10**9 if request.param == "matrix" else 0)
    if request.param == "opencv":
        real = _separable.optional_module
        monkeypatch.setattr(_separable, "optional_module", lambda name: (
            None if name == "._separable_numba" else real(name)))
    factory_name = FACTORIES[request.param]
    factory = getattr(_separable, factory_name)
    calls = []

    def counting_factory(*args, **kwargs):
        func = factory(*args, **kwargs)

        def counted(src, dst):
            calls.append(src.shape)
            return func(src, dst)

        return counted

    monkeypatch.setattr(_separable, factory_name, counting_factory)
    yield request.param
    params = request.node.callspec.params
    # On purpose, nothing runs for sigma 0, and OpenCV's filters cannot wrap.
    expected_fallback = params.get("sigma") == 0.0 or (
        request.param == "opencv" and params.get("mode") in ("wrap", "grid-wrap"))
    if not expected_fallback:
        assert calls, f"the {request.param} route never ran"


def images(shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).random(shape).astype(dtype)


# -- Gaussian blur ---------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cval", [0.0, 0.7])
def test_blur_routes_match_scipy_for_every_mode(route, mode, cval):
    X = images((3, 13, 17))
    for sigma in (1.0, (2.5, 0.8)):
        got = gaussian_blur(X, sigma, mode=mode, cval=cval)
        assert_matches(got, reference(gaussian_blur, X, sigma, mode=mode, cval=cval))


@pytest.mark.parametrize("shape", [(2, 5, 3), (3, 1, 9), (2, 7, 1), (2, 1, 1)])
def test_blur_kernels_longer_than_the_image(route, shape):
    # Radius twice the smallest side: longer than the image, yet within the
    # 4 * size + 1 taps the fast routes take (longer ones go to scipy).
    X = images(shape)
    sigma = min(shape[1:]) / 2
    assert 2 * int(4 * sigma + 0.5) + 1 > min(shape[1:])
    for mode in MODES:
        assert_matches(gaussian_blur(X, sigma, mode=mode),
                       reference(gaussian_blur, X, sigma, mode=mode))


@pytest.mark.parametrize("sigma", [(0.0, 2.0), (2.0, 0.0), 0.0, (1.0, 3.0)])
def test_blur_per_axis_and_zero_sigma(route, sigma):
    X = images((3, 20, 24))
    assert_matches(gaussian_blur(X, sigma), reference(gaussian_blur, X, sigma))


@pytest.mark.parametrize("n_channels", [1, 3, 4, 5])
def test_blur_colour_channels_last_and_first(route, n_channels):
    X = images((2, 18, 21, n_channels))
    assert_matches(gaussian_blur(X, 1.5), reference(gaussian_blur, X, 1.5))
    first = np.ascontiguousarray(np.moveaxis(X, -1, 1))
    assert_matches(gaussian_blur(first, 1.5, channel_axis=1),
                   reference(gaussian_blur, first, 1.5, channel_axis=1))


def test_blur_one_dimensional_signals(route):
    X = images((5, 40))
    for mode in ("reflect", "wrap", "constant"):
        assert_matches(gaussian_blur(X, (2.0,), mode=mode, cval=0.3),
                       reference(gaussian_blur, X, (2.0,), mode=mode, cval=0.3))


def test_blur_float64_and_flat_rows(route):
    X = images((4, 12, 10), np.float64) * 255
    assert_matches(gaussian_blur(X, 2.0), reference(gaussian_blur, X, 2.0))
    flat = X.reshape(4, -1)
    assert_matches(gaussian_blur(flat, 2.0, image_shape=(12, 10)),
                   reference(gaussian_blur, flat, 2.0, image_shape=(12, 10)))


def test_blur_matrix_products_in_blocks_of_rows(route):
    # More rows than one product takes (PRODUCT_ROWS), and a remainder.
    for X in (images((150, 40)), images((70, 8, 8)), images((9, 30, 7, 3))):
        sigma = (2.0,) if X.ndim == 2 else 1.0
        assert_matches(gaussian_blur(X, sigma), reference(gaussian_blur, X, sigma))


def _cpu_seconds_per_thread():
    """{thread id: CPU seconds} of this process's threads, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    times = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended
            continue
        times[int(tid)] = (int(fields[11]) + int(fields[12])) / ticks
    return times


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="Linux's /proc")
def test_matrix_route_runs_blas_on_the_calling_thread():
    # With n_jobs=1 the filter's products run on this thread alone: BLAS
    # does not hand them to its own threads (which, beside the executor's
    # threads, would oversubscribe the cores), whatever its thread limit.
    X = images((10_000, 28, 28))
    gaussian_blur(X, 2.0, n_jobs=1)  # warm up
    me = threading.get_native_id()
    before = _cpu_seconds_per_thread()
    for _ in range(10):
        gaussian_blur(X, 2.0, n_jobs=1)
        gaussian_gradient(X, 1.0, n_jobs=1)
    after = _cpu_seconds_per_thread()
    others = sum(t - before.get(tid, 0.0) for tid, t in after.items() if tid != me)
    mine = after[me] - before[me]
    assert mine > 0.05 and others < 0.1 * mine


def test_blur_large_images_take_the_compiled_kernel_and_match(monkeypatch):
    # 80 > MATRIX_MAX: the compiled kernel, for every mode (wrap too).
    calls = []
    factory = _separable._numba_filter
    monkeypatch.setattr(_separable, "_numba_filter",
                        lambda *a: calls.append(a) or factory(*a))
    X = images((2, 80, 90))
    for mode in ("reflect", "wrap", "constant"):
        assert_matches(gaussian_blur(X, 3.0, mode=mode, cval=0.5),
                       reference(gaussian_blur, X, 3.0, mode=mode, cval=0.5))
    assert len(calls) == 3


def test_gaussian_weights_are_scipys():
    for sigma, order, truncate in ((1.0, 0, 4.0), (2.5, 1, 3.0), (0.3, 1, 4.0)):
        w = _separable.gaussian_weights(sigma, order, truncate)
        x = np.random.default_rng(1).random(50)
        np.testing.assert_allclose(
            ndi.correlate1d(x, w),
            ndi.gaussian_filter1d(x, sigma, order=order, truncate=truncate),
            rtol=0, atol=1e-15,
        )
    assert _separable.gaussian_weights(0.0, 0, 4.0) is None


# -- gradients ---------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(GRADIENTS))
@pytest.mark.parametrize("shape", [(3, 12, 14), (2, 6, 150), (2, 1, 5), (2, 5, 1),
                                   (2, 2, 2), (2, 9, 11, 3)])
def test_gradients_match_scipy(kind, shape):
    """Small rows (one flat loop), rows of >= FLAT_BELOW values (a loop per
    row), degenerate sizes and colour, every output."""
    func = GRADIENTS[kind]
    for dtype in (np.float32, np.float64):
        X = images(shape, dtype) * 2 - 1
        magnitude = reference(func, X, output="magnitude")
        for output in OUTPUTS:
            got, expected = func(X, output=output), reference(func, X, output=output)
            if output == "angle":
                assert_angles_match(got, expected, magnitude)
            else:
                assert_matches(got, expected)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", ["sobel", "prewitt"])
def test_stencil_matches_scipy_for_every_mode(kind, mode):
    func = GRADIENTS[kind]
    X = images((2, 10, 13))
    for cval in (0.0, 0.6):
        for normalize in (False, True):
            kwargs = dict(mode=mode, cval=cval, normalize=normalize)
            magnitude = reference(func, X, output="magnitude", **kwargs)
            for output in OUTPUTS:
                got = func(X, output=output, **kwargs)
                expected = reference(func, X, output=output, **kwargs)
                if output == "angle":
                    assert_angles_match(got, expected, magnitude)
                else:
                    assert_matches(got, expected)


@pytest.mark.parametrize("mode", ["reflect", "wrap", "constant"])
def test_gaussian_gradient_routes(route, mode):
    X = images((2, 15, 19))
    for output in OUTPUTS:
        got = gaussian_gradient(X, 1.5, output=output, mode=mode, cval=0.2)
        expected = reference(gaussian_gradient, X, 1.5, output=output, mode=mode,
                             cval=0.2)
        if output == "angle":
            magnitude = reference(gaussian_gradient, X, 1.5, mode=mode, cval=0.2)
            assert_angles_match(got, expected, magnitude)
        else:
            assert_matches(got, expected)


def test_gradients_of_one_dimensional_signals():
    X = images((4, 30))
    for func in GRADIENTS.values():
        for output in ("x", "y", "magnitude"):
            assert_matches(func(X, output=output),
                           reference(func, X, output=output))


@pytest.mark.parametrize("scale", [1e-30, 1e-12, 1e20, 1e30])
def test_magnitude_outside_the_safe_range_of_squares(scale):
    """Squares of float32 values this large overflow, this small underflow:
    the fast paths switch to float64 arithmetic or to np.hypot."""
    X = images((2, 12, 150)) * np.float32(scale)
    for kind in ("sobel", "gaussian"):
        func = GRADIENTS[kind]
        got = func(X, output="magnitude")
        expected = reference(func, X, output="magnitude")
        assert np.all(np.isfinite(got))
        np.testing.assert_allclose(got, expected, rtol=2e-6,
                                   atol=1e-6 * float(np.max(expected)))


@pytest.mark.parametrize("shape", [(2, 12, 14), (2, 12, 14, 3), (2, 8, 150)])
def test_float64_values_too_large_to_square_fall_back(shape):
    X = images(shape, np.float64) * 1e200
    X[0] /= 1e200  # one image in range, the other one not
    for output in ("magnitude", "angle"):
        got = sobel_gradient(X, output=output)
        expected = reference(sobel_gradient, X, output=output)
        assert np.all(np.isfinite(got))
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_constant_image_has_zero_gradient_and_angle():
    X = np.full((2, 9, 140), -3.0, np.float32)
    for func in (sobel_gradient, prewitt_gradient):
        assert np.all(func(X, output="magnitude") == 0)
        # scipy's signed zeros give 0 or +-pi here; the fast path gives 0.
        assert np.all(func(X, output="angle") == 0)


def test_atan2_f32_within_two_ulp():
    from skimgproc._gradients_numba import atan2_f32

    @numba.njit
    def apply(y, x, out):
        for i in range(y.size):
            out[i] = atan2_f32(y[i], x[i])

    rng = np.random.default_rng(3)
    n = 200_000
    y = rng.standard_normal(n).astype(np.float32)
    x = rng.standard_normal(n).astype(np.float32)
    x[:1000] = 0
    y[1000:2000] = 0
    y[2000:3000] *= np.float32(1e30)
    x[3000:4000] *= np.float32(1e-30)
    x[4000:5000] = y[4000:5000] * np.float32(0.2679492)  # tan(pi/12), the switch
    x[5000:5100] = -x[5000:5100]
    y[5000:5100] = -0.0
    y[5100:5110] = x[5100:5110] = 0.0
    out = np.empty_like(y)
    apply(y, x, out)
    exact = np.arctan2(y.astype(np.float64), x.astype(np.float64)).astype(np.float32)
    ulps = np.abs(out.view(np.int32).astype(np.int64)
                  - exact.view(np.int32).astype(np.int64))
    assert ulps.max() <= 2
    np.testing.assert_array_equal(np.signbit(out), np.signbit(exact))


# -- both paths, whatever is installed ---------------------------------------


def test_without_opencv_or_numba(monkeypatch):
    """The planners fall back cleanly when an accelerator is missing."""
    real = _separable.optional_module
    for missing in ("cv2", "numba"):
        def loader(name, m=missing):
            # numba missing: the loader finds none of the kernel modules.
            lost = name == m or (m == "numba" and name.endswith("_numba"))
            return None if lost else real(name)

        for module in (_separable, _gradients_stencil):
            monkeypatch.setattr(module, "optional_module", loader)
        for shape in ((2, 10, 12), (2, 70, 80)):
            X = images(shape)
            assert_matches(gaussian_blur(X, 2.0), reference(gaussian_blur, X, 2.0))
            for output in ("x", "magnitude"):
                assert_matches(sobel_gradient(X, output=output),
                               reference(sobel_gradient, X, output=output))


def test_results_do_not_depend_on_alignment_threads_or_chunks():
    X = images((40, 20, 30))
    buffer = np.empty(X.size + 1, np.float32)[1:].reshape(X.shape)
    buffer[...] = X
    for func, kwargs in ((gaussian_blur, {"sigma": 2.0}),
                         (sobel_gradient, {"output": "magnitude"}),
                         (sobel_gradient, {"output": "angle"}),
                         (gaussian_gradient, {"output": "magnitude"})):
        expected = func(X, n_jobs=1, **kwargs)
        np.testing.assert_array_equal(func(buffer, n_jobs=1, **kwargs), expected)
        np.testing.assert_array_equal(func(X, n_jobs=2, **kwargs), expected)
        np.testing.assert_array_equal(func(X[:7], n_jobs=2, **kwargs), expected[:7])


def test_read_only_and_strided_input():
    X = images((3, 16, 140))
    X.flags.writeable = False
    strided = images((3, 32, 280))[:, ::2, ::2]
    for data in (X, strided):
        for func in (gaussian_blur, sobel_gradient):
            assert_matches(func(data), reference(func, data))


def test_accelerate_false_takes_no_fast_path(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("a fast path ran with accelerate=False")

    monkeypatch.setattr(_separable, "_matrix_filter", fail)
    monkeypatch.setattr(_separable, "_cv2_filter", fail)
    monkeypatch.setattr(_separable, "_numba_filter", fail)
    X = images((2, 10, 12))
    with skimgproc.config_context(accelerate=False):
        gaussian_blur(X, 1.0)
        sobel_gradient(X)
        batch = _batch.as_batch(X)
        assert _gradients_stencil.plan_stencil(batch, (1, 2), 1.0, "x", "reflect",
                                               0.0, fallback=None) is None




@pytest.mark.parametrize("mode", ["reflect", "grid-mirror", "mirror", "wrap",
                                  "grid-wrap", "nearest", "constant",
                                  "grid-constant"])
@pytest.mark.parametrize("size", [1, 2, 3, 8])
def test_folded_kernel_is_the_long_kernels_filter(mode, size):
    from scipy.ndimage._filters import _gaussian_kernel1d

    from skimgproc._separable import fold_weights

    lines = np.random.default_rng(16).standard_normal((4, size))
    for sigma, order in [(3.0, 0), (30.0, 1), (30.0, 2)]:
        weights = _gaussian_kernel1d(sigma, order, int(4 * sigma + 0.5))[::-1]
        folded = fold_weights(weights, size, mode)
        assert len(folded) <= 2 * size + 1
        expected = ndi.correlate1d(lines, weights, axis=1, mode=mode, cval=0.7)
        got = ndi.correlate1d(lines, folded, axis=1, mode=mode, cval=0.7)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-14)
        # Symmetric kernels stay symmetric, antisymmetric ones antisymmetric.
        np.testing.assert_array_equal(folded, (-1) ** order * folded[::-1])
