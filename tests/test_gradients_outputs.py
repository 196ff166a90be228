"""Several gradient outputs from one call: ``output=("magnitude", "angle")``.

Each array of a tuple is checked against scipy.ndimage run on each image
alone (the independent reference) and against the call for that output
alone: exactly equal on the reference path, within float32 rounding on the
fast paths (the tolerances of tests/test_separable.py).
"""

import tracemalloc

import numpy as np
import pytest
from conftest import PATHS, three_paths
from scipy import ndimage as ndi

from skimgproc import (
    GaussianGradient,
    PrewittGradient,
    SobelGradient,
    _executor,
    _gradients_stencil,
    _separable,
    config_context,
    gaussian_gradient,
    prewitt_gradient,
    sobel_gradient,
)

FUNCTIONS = {"sobel": sobel_gradient, "prewitt": prewitt_gradient,
             "gaussian": gaussian_gradient}
TUPLES = [("magnitude", "angle"), ("angle", "magnitude"), ("x", "y"),
          ("y", "angle"), ("x", "magnitude"), ("angle",),
          ("x", "y", "magnitude", "angle"), ("magnitude", "y", "angle", "x")]


# OpenCV runs here where installed: the base install's path too.
accelerate = pytest.fixture(params=PATHS)(three_paths)


def per_image(X, kind, output, sigma=1.5, **kwargs):
    """One output of one image (or channel) at a time, from scipy.ndimage
    in float64, independently of skimgproc."""
    if X.ndim == 4:
        return np.stack([per_image(X[..., c], kind, output, sigma, **kwargs)
                         for c in range(X.shape[-1])], axis=-1)
    out = []
    for image in X.astype(np.float64):
        if kind == "gaussian":
            gx = ndi.gaussian_filter(image, sigma, order=(0, 1), **kwargs)
            gy = ndi.gaussian_filter(image, sigma, order=(1, 0), **kwargs)
        else:
            derivative = ndi.sobel if kind == "sobel" else ndi.prewitt
            gx, gy = derivative(image, 1, **kwargs), derivative(image, 0, **kwargs)
        out.append({"x": gx, "y": gy, "magnitude": np.hypot(gx, gy),
                    "angle": np.arctan2(gy, gx)}[output])
    return np.stack(out)


def assert_close(got, expected, output, magnitude, exact_dtype):
    """Within a few float roundings of the data's scale; angles modulo
    2 pi where the gradient is not negligible (elsewhere the angle of a
    rounding error is arbitrary)."""
    assert got.dtype == exact_dtype and got.shape == expected.shape
    float32 = exact_dtype == np.float32
    if output == "angle":
        diff = np.abs((got - expected.astype(np.float64) + np.pi) % (2 * np.pi) - np.pi)
        clear = magnitude > 1e-3 * magnitude.max()
        assert np.all(diff[clear] <= (2e-5 if float32 else 1e-10))
    else:
        scale = max(1.0, float(np.abs(expected).max()))
        np.testing.assert_allclose(got, expected, rtol=0,
                                   atol=(4e-7 if float32 else 1e-12) * scale)


def call(kind, X, output, **kwargs):
    if kind == "gaussian":
        return FUNCTIONS[kind](X, 1.5, output=output, **kwargs)
    return FUNCTIONS[kind](X, output=output, **kwargs)


@pytest.mark.parametrize("kind", sorted(FUNCTIONS))
@pytest.mark.parametrize("shape", [(3, 12, 14), (2, 6, 150), (2, 9, 11, 3)],
                         ids=["small", "wide", "colour"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tuple_equals_scipy_and_the_single_calls(accelerate, kind, shape, dtype):
    X = (np.random.default_rng(0).random(shape) * 2 - 1).astype(dtype)
    singles = {name: call(kind, X, name) for name in ("x", "y", "magnitude", "angle")}
    magnitude = per_image(X, kind, "magnitude")
    for names in TUPLES:
        got = call(kind, X, names)
        assert isinstance(got, tuple) and len(got) == len(names)
        for name, array in zip(names, got, strict=True):
            expected = per_image(X, kind, name)
            assert_close(array, expected, name, magnitude, np.dtype(dtype))
            if not accelerate:
                # The reference path computes each output the same way.
                np.testing.assert_array_equal(array, singles[name])
            else:
                assert_close(array, singles[name].astype(np.float64), name,
                             magnitude, np.dtype(dtype))


@pytest.mark.parametrize("kind", ["sobel", "prewitt"])
@pytest.mark.parametrize("mode", ["reflect", "mirror", "nearest", "wrap", "constant"])
def test_tuple_for_every_mode_and_normalize(accelerate, kind, mode):
    X = np.random.default_rng(1).random((2, 10, 13)).astype(np.float32)
    for cval in (0.0, 0.6):
        for normalize in (False, True):
            kwargs = dict(mode=mode, cval=cval, normalize=normalize)
            magnitude, angle = call(kind, X, ("magnitude", "angle"), **kwargs)
            scale = 8.0 if kind == "sobel" else 6.0
            ref = {name: per_image(X, kind, name, mode=mode, cval=cval)
                   for name in ("magnitude", "angle")}
            if normalize:
                ref["magnitude"] = ref["magnitude"] / scale
            assert_close(magnitude, ref["magnitude"], "magnitude", ref["magnitude"],
                         np.dtype(np.float32))
            assert_close(angle, ref["angle"], "angle", ref["magnitude"],
                         np.dtype(np.float32))


def test_fast_stencil_is_one_pass_and_bit_equal_to_single_calls(monkeypatch):
    """In float32, magnitude + angle is one compiled pass (POLAR) per block,
    whose values are those of the single-output kernels to the last bit."""
    from skimgproc import _gradients_numba as kernels

    kinds = []
    for name in ("stencil_chunk", "stencil_flat"):
        original = getattr(kernels, name)

        def counted(*args, original=original):
            kinds.append(args[-2])  # ``what``
            return original(*args)

        monkeypatch.setattr(kernels, name, counted)
    for shape in ((3, 12, 14), (2, 20, 150)):
        X = np.random.default_rng(2).random(shape).astype(np.float32) * 255
        kinds.clear()
        magnitude, angle = sobel_gradient(X, output=("magnitude", "angle"))
        assert kinds == [kernels.POLAR]
        np.testing.assert_array_equal(magnitude, sobel_gradient(X))
        np.testing.assert_array_equal(angle, sobel_gradient(X, output="angle"))
        kinds.clear()
        x, y = sobel_gradient(X, output=("x", "y"))
        assert kinds == [kernels.BOTH]
        np.testing.assert_array_equal(x, sobel_gradient(X, output="x"))
        np.testing.assert_array_equal(y, sobel_gradient(X, output="y"))


def test_reference_path_differentiates_once(monkeypatch):
    """Each derivative is taken once, whatever the outputs derived from it:
    Sobel is two 1-D passes per derivative."""
    calls = []
    original = ndi.correlate1d

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(ndi, "correlate1d", counted)
    X = np.random.default_rng(3).random((2, 9, 10))
    with config_context(accelerate=False):
        sobel_gradient(X, output=("x", "y", "magnitude", "angle"))
        assert len(calls) == 4
        calls.clear()
        sobel_gradient(X, output=("magnitude", "angle"))
        assert len(calls) == 4


def test_layouts_are_restored_for_each_output(accelerate):
    rng = np.random.default_rng(4)
    first = rng.random((2, 3, 10, 12)).astype(np.float32)
    got = sobel_gradient(first, output=("magnitude", "angle"), channel_axis=1)
    last = sobel_gradient(np.moveaxis(first, 1, -1), output=("magnitude", "angle"))
    for a, b in zip(got, last, strict=True):
        assert a.shape == first.shape
        np.testing.assert_array_equal(np.moveaxis(a, 1, -1), b)
    rows = rng.random((5, 64))
    flat = prewitt_gradient(rows, output=["x", "angle"], image_shape=(8, 8))
    images = prewitt_gradient(rows.reshape(5, 8, 8), output=["x", "angle"])
    for a, b in zip(flat, images, strict=True):
        assert a.shape == (5, 64)
        np.testing.assert_array_equal(a, b.reshape(5, 64))


def test_one_dimensional_signals(accelerate):
    X = np.random.default_rng(5).random((3, 40))
    x, y, magnitude, angle = sobel_gradient(X, output=("x", "y", "magnitude", "angle"))
    expected = np.stack([ndi.sobel(row) for row in X])
    np.testing.assert_allclose(x, expected, atol=1e-12)
    np.testing.assert_array_equal(y, 0.0)
    np.testing.assert_allclose(magnitude, np.abs(expected), atol=1e-12)
    np.testing.assert_allclose(angle, np.arctan2(0.0, expected), atol=1e-12)


def test_input_is_not_written_and_read_only_input_works(accelerate):
    X = np.random.default_rng(6).random((3, 16, 140)).astype(np.float32)
    kept = X.copy()
    X.flags.writeable = False
    for kind in FUNCTIONS:
        call(kind, X, ("x", "y", "magnitude", "angle"))
    np.testing.assert_array_equal(X, kept)


@pytest.mark.parametrize("kind, normalize", [("sobel", True), ("sobel", False),
                                             ("gaussian", False)])
def test_float32_near_the_limit(accelerate, kind, normalize, monkeypatch):
    """Data near the float32 limit: the fast stencil computes it in float64,
    and redoes as the reference does a block whose results overflow float32
    (normalize=False: 8 times the data), and only such a block: every output
    of the tuple as the reference's, infinities included."""
    X = np.zeros((2, 20, 140), np.float32)
    X[:, :, 70:] = np.float32(3e38)
    X[1] *= -1
    kwargs = {"normalize": normalize} if kind == "sobel" else {}
    names = ("x", "magnitude", "angle")
    redone = []
    fallback = _gradients_stencil._fallback
    monkeypatch.setattr(_gradients_stencil, "_fallback",
                        lambda *args: redone.append(1) or fallback(*args))
    got = call(kind, X, names, **kwargs)
    if accelerate and kind == "sobel":
        assert bool(redone) == (not normalize)
    with config_context(accelerate=False):
        expected = call(kind, X, names, **kwargs)
    finite = np.isfinite(expected[0])
    assert finite.all() == normalize or kind == "gaussian"
    for name, a, b in zip(names, got, expected, strict=True):
        if name == "angle":
            assert_close(a, b.astype(np.float64), name,
                         np.where(finite, expected[1], 0).astype(np.float64),
                         np.dtype(np.float32))
        else:
            np.testing.assert_array_equal(np.isfinite(a), np.isfinite(b))
            np.testing.assert_allclose(a[finite], b[finite], rtol=1e-6,
                                       atol=1e-6 * np.abs(b[finite]).max())


def test_float64_values_too_large_to_square():
    X = np.random.default_rng(7).random((2, 12, 140)) * 1e200
    X[0] /= 1e200  # one image in range, the other one not
    names = ("magnitude", "angle", "y")
    got = sobel_gradient(X, output=names)
    with config_context(accelerate=False):
        expected = sobel_gradient(X, output=names)
    for a, b in zip(got, expected, strict=True):
        assert np.all(np.isfinite(a))
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_float32_peak_memory_is_the_outputs_and_a_working_chunk():
    X = np.random.default_rng(8).random((16, 256, 256)).astype(np.float32)
    for accelerate in (True, False):
        with config_context(accelerate=accelerate):
            sobel_gradient(X, output=("magnitude", "angle"))  # compiled, warm
            tracemalloc.start()
            try:
                magnitude, angle = sobel_gradient(X, output=("magnitude", "angle"))
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
        assert magnitude.dtype == angle.dtype == np.float32
        outputs = magnitude.nbytes + angle.nbytes
        # A few chunk-sized temporaries per thread (two threads at most
        # here), no float64 copy of the 4 MB input.
        assert peak <= outputs + 2 * 3 * _executor.CHUNK_BYTES


@pytest.mark.parametrize(
    "output, match",
    [
        ((), r"must be one of .* or a non-empty tuple .* Got \(\) instead"),
        ([], r"Got \[\] instead"),
        (("magnitude", "dx"), r"Got \('magnitude', 'dx'\) instead: 'dx' is not an"),
        (("x", "x"), r"'x' is asked for twice"),
        (("angle", 3), r"3 is not an output"),
        ({"x", "y"}, r"non-empty tuple of distinct names"),
        (None, r"Got None instead"),
        ("dx", r"must be one of \{'angle', 'magnitude', 'x', 'y'\}"),
    ],
    ids=repr,
)
def test_bad_outputs_are_refused_with_the_parameter_name(output, match):
    X = np.zeros((1, 6, 6))
    for kind, func in FUNCTIONS.items():
        with pytest.raises(ValueError, match=f"'output' parameter of {kind}_gradient"):
            func(X, output=output)
        with pytest.raises(ValueError, match=match):
            func(X, output=output)


@pytest.mark.parametrize("estimator", [SobelGradient, PrewittGradient,
                                       GaussianGradient])
def test_estimators_take_one_output_and_say_so(estimator):
    X = np.zeros((2, 6, 6))
    for output in (("magnitude", "angle"), ["x"]):
        with pytest.raises(ValueError, match=(
                rf"'output' parameter of {estimator.__name__} must be one of .*"
                r"a transformer gives one array; the functions take a tuple")):
            estimator(output=output).fit_transform(X)


def test_fast_magnitude_keeps_x_when_x_is_asked_for(monkeypatch):
    """The BLAS/OpenCV route (Gaussian) squares x in place for the magnitude:
    not when x is an output too."""
    X = np.random.default_rng(9).random((2, 15, 19)).astype(np.float32)
    monkeypatch.setattr(_separable, "MATRIX_MAX", 10**9)
    x, magnitude = gaussian_gradient(X, 1.5, output=("x", "magnitude"))
    assert_close(x, per_image(X, "gaussian", "x"), "x", None, np.dtype(np.float32))
    expected = per_image(X, "gaussian", "magnitude")
    assert_close(magnitude, expected, "magnitude", expected, np.dtype(np.float32))
