"""Gradient estimators against scipy.ndimage on each image alone, and analytic cases."""

import numpy as np
import pytest
from conftest import PATHS, three_paths
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage as ndi

from skimgproc import (
    GaussianGradient,
    PrewittGradient,
    SobelGradient,
    gaussian_gradient,
    prewitt_gradient,
    sobel_gradient,
)

# OpenCV runs here where installed: the base install's path too.
accelerate = pytest.fixture(params=PATHS)(three_paths)


def scipy_derivatives(image, kind, sigma=1.0, mode="reflect", cval=0.0):
    """(x, y) derivatives of one 2-D image, straight from scipy.ndimage."""
    image = image.astype(np.float64)
    if kind == "sobel":
        return (ndi.sobel(image, axis=1, mode=mode, cval=cval),
                ndi.sobel(image, axis=0, mode=mode, cval=cval))
    if kind == "prewitt":
        return (ndi.prewitt(image, axis=1, mode=mode, cval=cval),
                ndi.prewitt(image, axis=0, mode=mode, cval=cval))
    return (ndi.gaussian_filter(image, sigma, order=(0, 1), mode=mode, cval=cval),
            ndi.gaussian_filter(image, sigma, order=(1, 0), mode=mode, cval=cval))


def reference(X, kind, output, **kwargs):
    """Each output for each image and channel, computed on that image alone."""
    if X.ndim == 4:
        return np.stack(
            [reference(X[..., c], kind, output, **kwargs) for c in range(X.shape[-1])],
            axis=-1,
        )
    out = []
    for image in X:
        x, y = scipy_derivatives(image, kind, **kwargs)
        out.append({"x": x, "y": y, "magnitude": np.sqrt(x**2 + y**2),
                    "angle": np.arctan2(y, x)}[output])
    return np.stack(out)


FUNCTIONS = {"sobel": sobel_gradient, "prewitt": prewitt_gradient,
             "gaussian": gaussian_gradient}
ESTIMATORS = {"sobel": SobelGradient, "prewitt": PrewittGradient,
              "gaussian": GaussianGradient}
OUTPUTS = ["x", "y", "magnitude", "angle"]


@pytest.mark.parametrize("kind", ["sobel", "prewitt", "gaussian"])
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("mode", ["reflect", "constant", "nearest", "wrap"])
def test_float64_matches_scipy_per_image(accelerate, kind, output, mode):
    X = np.random.default_rng(0).random((3, 21, 26)) * 255
    kwargs = {"mode": mode, "cval": 3.0}
    if kind == "gaussian":
        kwargs["sigma"] = 2.0
    got = FUNCTIONS[kind](X, output=output, **kwargs)
    np.testing.assert_allclose(got, reference(X, kind, output, **kwargs),
                               rtol=0, atol=1e-9)


@pytest.mark.parametrize("kind", ["sobel", "prewitt", "gaussian"])
@pytest.mark.parametrize("output", OUTPUTS)
def test_colour_is_differentiated_channel_by_channel(accelerate, kind, output):
    X = np.random.default_rng(1).random((2, 15, 18, 3))
    got = ESTIMATORS[kind](output=output).fit_transform(X)
    np.testing.assert_allclose(got, reference(X, kind, output), atol=1e-9)
    first = ESTIMATORS[kind](output=output, channel_axis=1).fit_transform(
        np.moveaxis(X, -1, 1)
    )
    np.testing.assert_allclose(np.moveaxis(first, 1, -1), got, atol=1e-12)


@pytest.mark.parametrize("kind", ["sobel", "prewitt", "gaussian"])
@pytest.mark.parametrize("output", ["x", "y", "magnitude"])
def test_float32_stays_float32_and_matches(accelerate, kind, output):
    X = (np.random.default_rng(2).random((4, 32, 30)) * 255).astype(np.float32)
    got = FUNCTIONS[kind](X, output=output)
    assert got.dtype == np.float32
    expected = reference(X, kind, output)
    np.testing.assert_allclose(got, expected, rtol=0,
                               atol=1e-5 * np.abs(expected).max())


@pytest.mark.parametrize("kind", ["sobel", "prewitt", "gaussian"])
def test_float32_angle_matches_where_the_gradient_is_clear(accelerate, kind):
    X = (np.random.default_rng(3).random((3, 25, 25)) * 255).astype(np.float32)
    angle = FUNCTIONS[kind](X, output="angle")
    assert angle.dtype == np.float32
    magnitude = reference(X, kind, "magnitude")
    expected = reference(X, kind, "angle")
    clear = magnitude > 1e-3 * magnitude.max()
    diff = np.angle(np.exp(1j * (angle[clear] - expected[clear])))  # wrap at pi
    assert np.abs(diff).max() < 1e-4


@pytest.mark.parametrize("kind", ["sobel", "prewitt", "gaussian"])
def test_angle_is_within_minus_pi_pi(kind):
    X = np.random.default_rng(4).standard_normal((5, 20, 20))
    angle = FUNCTIONS[kind](X, output="angle")
    assert angle.min() >= -np.pi and angle.max() <= np.pi
    assert angle.min() < -3 and angle.max() > 3  # both ends are reached


@pytest.mark.parametrize("kind, scale", [("sobel", 8.0), ("prewitt", 6.0)])
def test_normalize_divides_scipys_kernel(kind, scale):
    X = np.random.default_rng(5).random((2, 12, 12))
    raw = FUNCTIONS[kind](X, output="x")
    np.testing.assert_allclose(
        FUNCTIONS[kind](X, output="x", normalize=True), raw / scale, atol=1e-12
    )


def test_signals_have_a_one_dimensional_gradient():
    X = np.random.default_rng(6).random((3, 40))
    x = sobel_gradient(X, output="x")
    np.testing.assert_allclose(x, np.stack([ndi.sobel(row) for row in X]), atol=1e-12)
    np.testing.assert_array_equal(sobel_gradient(X, output="y"), 0.0)
    np.testing.assert_allclose(sobel_gradient(X, output="magnitude"), np.abs(x))
    g = gaussian_gradient(X, 2.0, output="x")
    np.testing.assert_allclose(
        g, np.stack([ndi.gaussian_filter1d(row, 2.0, order=1) for row in X]),
        atol=1e-12,
    )


def test_flat_digits_rows_match_image_batch():
    X = np.random.default_rng(7).random((6, 64))
    flat = SobelGradient(image_shape=(8, 8)).fit_transform(X)
    assert flat.shape == (6, 64)
    np.testing.assert_allclose(
        flat, sobel_gradient(X.reshape(6, 8, 8)).reshape(6, 64), atol=0
    )


@pytest.mark.parametrize("kind", ["sobel", "prewitt", "gaussian"])
def test_estimator_equals_function(kind):
    X = np.random.default_rng(8).random((3, 16, 16)).astype(np.float32)
    for output in OUTPUTS:
        np.testing.assert_array_equal(
            ESTIMATORS[kind](output=output).fit_transform(X),
            FUNCTIONS[kind](X, output=output),
        )


def test_stack_filtering_would_mix_images():
    # The trap avoided: ndi.sobel on the stack smooths across the batch axis.
    X = np.random.default_rng(9).random((3, 10, 10))
    stacked = ndi.sobel(X, axis=2)
    assert not np.allclose(stacked[1], ndi.sobel(X[1], axis=1))
    np.testing.assert_allclose(sobel_gradient(X, output="x")[1],
                               ndi.sobel(X[1], axis=1), atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(value=st.floats(-1e4, 1e4),
       kind=st.sampled_from(["sobel", "prewitt", "gaussian"]),
       mode=st.sampled_from(["reflect", "nearest", "mirror", "wrap"]),
       shape=st.tuples(st.integers(1, 3), st.integers(1, 15), st.integers(1, 15)))
def test_constant_image_has_zero_gradient(value, kind, mode, shape):
    X = np.full(shape, value)
    for output in ("x", "y", "magnitude"):
        out = FUNCTIONS[kind](X, output=output, mode=mode)
        np.testing.assert_allclose(out, 0.0, atol=1e-9 * max(1.0, abs(value)))


@settings(max_examples=30, deadline=None)
@given(a=st.floats(-50, 50), c=st.floats(-50, 50), offset=st.floats(-1e3, 1e3),
       kind=st.sampled_from(["sobel", "prewitt"]))
def test_ramp_has_its_slope_as_normalised_gradient(a, c, offset, kind):
    rows, cols = np.mgrid[0:12, 0:14].astype(np.float64)
    X = (a * cols + c * rows + offset)[None]
    x = FUNCTIONS[kind](X, output="x", normalize=True)[0, 1:-1, 1:-1]
    y = FUNCTIONS[kind](X, output="y", normalize=True)[0, 1:-1, 1:-1]
    tol = 1e-9 * (1 + abs(offset) + 50 * 14)
    np.testing.assert_allclose(x, a, atol=tol)
    np.testing.assert_allclose(y, c, atol=tol)


@settings(max_examples=20, deadline=None)
@given(a=st.floats(-50, 50), c=st.floats(-50, 50), sigma=st.floats(1.0, 3.0))
def test_gaussian_gradient_of_a_ramp_is_its_slope(a, c, sigma):
    # A sampled, truncated Gaussian derivative is a true derivative only to
    # within its discretisation: about 1e-3 relative at these scales.
    size = 2 * int(4 * sigma + 0.5) + 5
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float64)
    X = (a * cols + c * rows)[None]
    centre = size // 2
    x = gaussian_gradient(X, sigma, output="x")[0, centre, centre]
    y = gaussian_gradient(X, sigma, output="y")[0, centre, centre]
    np.testing.assert_allclose([x, y], [a, c], rtol=2e-3, atol=1e-9)


@pytest.mark.parametrize(
    "estimator, match",
    [
        (SobelGradient(output="dx"),
         r"'output' parameter of SobelGradient must be one of"),
        (SobelGradient(normalize="yes"), "'normalize' parameter of SobelGradient"),
        (PrewittGradient(mode="edge"), "'mode' parameter of PrewittGradient"),
        (PrewittGradient(cval=np.inf), "'cval' parameter of PrewittGradient"),
        (GaussianGradient(sigma=0.0),
         r"'sigma' parameter of GaussianGradient .*\(0, inf\)"),
        (GaussianGradient(sigma=-1.0), "'sigma' parameter of GaussianGradient"),
        (GaussianGradient(sigma=np.nan), "'sigma' parameter of GaussianGradient"),
        (GaussianGradient(truncate=-1.0), "'truncate' parameter of GaussianGradient"),
        (GaussianGradient(channel_axis=2), "'channel_axis' parameter"),
        (SobelGradient(n_jobs=0), "'n_jobs' parameter of SobelGradient"),
    ],
    ids=repr,
)
def test_bad_parameters_are_refused_with_their_name(estimator, match):
    X = np.zeros((2, 8, 8, 3))
    with pytest.raises(ValueError, match=match):
        estimator.fit(X)
    with pytest.raises(ValueError, match=match):
        estimator.transform(X)


def test_function_errors_name_the_function():
    with pytest.raises(ValueError, match="'sigma' parameter of gaussian_gradient"):
        gaussian_gradient(np.zeros((1, 4, 4)), sigma=-2.0)
    with pytest.raises(ValueError, match="'output' parameter of sobel_gradient"):
        sobel_gradient(np.zeros((1, 4, 4)), output="z")


@pytest.mark.parametrize("kind", ["sobel", "prewitt"])
def test_normalised_float32_near_the_limit_does_not_overflow(accelerate, kind):
    # The unnormalised derivative (8x or 6x larger) must never be stored.
    X = np.zeros((1, 20, 20), np.float32)
    X[0, :, 10:] = np.float32(3e38)
    got = FUNCTIONS[kind](X, output="x", normalize=True)
    assert np.isfinite(got).all()
    scale = 8.0 if kind == "sobel" else 6.0
    expected = reference(X, kind, "x") / scale
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_gaussian_gradient_float32_near_the_limit(accelerate):
    X = np.random.default_rng(11).random((1, 100, 100)).astype(np.float32)
    X *= np.float32(3e38)
    got = gaussian_gradient(X, 2.0, output="x")
    expected = reference(X, "gaussian", "x", sigma=2.0)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, expected, rtol=0,
                               atol=1e-5 * np.abs(expected).max())


def test_huge_gaussian_gradient_kernel_is_refused():
    with pytest.raises(ValueError, match="'sigma' and 'truncate' parameters of Gauss"):
        GaussianGradient(sigma=1e8).fit_transform(np.zeros((1, 8, 8)))


@pytest.mark.parametrize("mode", ["reflect", "constant", "nearest", "mirror", "wrap"])
@pytest.mark.parametrize("output", ["x", "y"])
def test_kernel_longer_than_the_image_matches_scipy(accelerate, output, mode):
    # Kernels longer than the image are folded to its length (issue 16).
    X = np.random.default_rng(12).random((2, 9, 13)) * 255
    for sigma in (20.0, (3.0, 40.0)):
        got = gaussian_gradient(X, sigma, output=output, mode=mode, cval=7.0)
        expected = reference(X, "gaussian", output, sigma=sigma, mode=mode,
                             cval=7.0)
        np.testing.assert_allclose(got, expected, rtol=0,
                                   atol=1e-12 * np.abs(expected).max() + 1e-14)


def test_huge_sigma_gradient_of_a_periodic_extension_is_zero(accelerate):
    # The blur converges to the image's mean: its derivatives to 0, at the
    # cost of a kernel as long as the image (240,000 was 27 s a blur).
    X = np.random.default_rng(13).random((2, 16, 16))
    np.testing.assert_allclose(gaussian_gradient(X, 2.4e5, mode="wrap"), 0,
                               atol=1e-12)


@pytest.mark.parametrize("sigma", [1e-16, 1e-3, 0.12, (1.0, 1e-16), (1e-16, 1.0)])
def test_sigma_below_a_derivative_kernel_is_refused(sigma):
    # scipy gives the image itself at sigma <= 1e-15 (it skips the axis) and
    # 0 up to 0.5 / truncate (a kernel of one tap): neither is a derivative.
    X = np.random.default_rng(14).random((1, 8, 8))
    with pytest.raises(ValueError, match=r"'sigma' parameter of gaussian_gradient "
                                         r"must be at least 0.5 / truncate = 0.125"):
        gaussian_gradient(X, sigma)
    with pytest.raises(ValueError, match=r"'sigma' parameter of GaussianGradient "
                                         r".*no derivative.*sobel_gradient"):
        GaussianGradient(sigma=sigma, output="x").fit_transform(X)


def test_smallest_sigma_depends_on_truncate_and_matches_scipy(accelerate):
    X = np.random.default_rng(15).random((2, 8, 8))
    with pytest.raises(ValueError, match=r"at least 0.5 / truncate = 0.25 "
                                         r"\(truncate=2\)"):
        gaussian_gradient(X, 0.2, truncate=2.0)
    got = gaussian_gradient(X, 0.25, truncate=2.0, output="x")
    expected = reference(X, "gaussian", "x", sigma=0.25)  # the same 3 taps
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)
    assert np.abs(expected).max() > 0
