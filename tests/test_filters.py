"""GaussianBlur and gaussian_blur against scipy.ndimage, image by image."""

import numpy as np
import pytest
from conftest import PATHS, three_paths
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage as ndi

from skimgproc import GaussianBlur, gaussian_blur

MODES = ["reflect", "constant", "nearest", "mirror", "wrap"]


# OpenCV runs here where installed: the base install's path too.
accelerate = pytest.fixture(params=PATHS)(three_paths)


def per_image_reference(X, sigma, **kwargs):
    """scipy.ndimage.gaussian_filter on each image (and channel) alone."""
    out = np.empty(X.shape, dtype=np.float64)
    for i in range(X.shape[0]):
        if X.ndim == 4:
            for c in range(X.shape[-1]):
                out[i, ..., c] = ndi.gaussian_filter(
                    X[i, ..., c].astype(np.float64), sigma, **kwargs
                )
        else:
            out[i] = ndi.gaussian_filter(X[i].astype(np.float64), sigma, **kwargs)
    return out


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("sigma", [0.7, 2.0, (1.0, 3.0), (0.0, 2.0)])
def test_float64_matches_scipy_per_image(accelerate, sigma, mode):
    X = np.random.default_rng(1).random((4, 23, 31)) * 255
    got = gaussian_blur(X, sigma, mode=mode, cval=7.0)
    expected = per_image_reference(X, sigma, mode=mode, cval=7.0)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10 * 255)


@pytest.mark.parametrize("shape", [(3, 40, 33), (2, 17, 20, 3), (50, 28, 28)])
@pytest.mark.parametrize("sigma", [0.5, 2.0, 5.0])
def test_float32_matches_scipy_within_1e_5_of_the_range(accelerate, shape, sigma):
    X = (np.random.default_rng(2).random(shape) * 255).astype(np.float32)
    got = gaussian_blur(X, sigma)
    assert got.dtype == np.float32
    expected = per_image_reference(X, sigma)
    for i in range(len(X)):
        data_range = np.ptp(X[i])
        np.testing.assert_allclose(got[i], expected[i], rtol=0, atol=1e-5 * data_range)


def test_large_sigma_on_tiny_images_matches_scipy(accelerate):
    X = np.random.default_rng(3).random((5, 3, 4))
    np.testing.assert_allclose(
        gaussian_blur(X, 10.0), per_image_reference(X, 10.0), atol=1e-10
    )


def test_channels_first_matches_channels_last(accelerate):
    X = np.random.default_rng(4).random((2, 3, 16, 12))
    first = gaussian_blur(X, 2.0, channel_axis=1)
    last = gaussian_blur(np.moveaxis(X, 1, -1), 2.0)
    assert first.shape == X.shape
    np.testing.assert_allclose(np.moveaxis(first, 1, -1), last, atol=1e-12)


def test_signals_are_blurred_in_one_dimension():
    X = np.random.default_rng(5).random((4, 50))
    expected = np.stack([ndi.gaussian_filter1d(row, 2.0) for row in X])
    np.testing.assert_allclose(gaussian_blur(X, 2.0), expected, atol=1e-12)


def test_truncate_is_passed_through():
    X = np.random.default_rng(6).random((2, 30, 30))
    np.testing.assert_allclose(
        gaussian_blur(X, 3.0, truncate=1.5),
        per_image_reference(X, 3.0, truncate=1.5),
        atol=1e-12,
    )


def test_estimator_equals_function():
    X = np.random.default_rng(7).random((3, 20, 20, 3)).astype(np.float32)
    params = dict(sigma=(1.0, 2.5), mode="nearest", truncate=3.0)
    np.testing.assert_array_equal(
        GaussianBlur(**params).fit_transform(X), gaussian_blur(X, **params)
    )


images = arrays(
    np.float64,
    st.tuples(st.integers(1, 3), st.integers(1, 12), st.integers(1, 12)),
    elements=st.floats(-1e3, 1e3),
)


@settings(max_examples=40, deadline=None)
@given(X=images, sigma=st.floats(0.0, 6.0))
def test_reflect_keeps_each_image_mean(X, sigma):
    out = gaussian_blur(X, sigma, mode="reflect")
    np.testing.assert_allclose(
        out.mean(axis=(1, 2)), X.mean(axis=(1, 2)), rtol=1e-9, atol=1e-9
    )


@settings(max_examples=40, deadline=None)
@given(X=images)
def test_sigma_zero_is_the_identity(X):
    np.testing.assert_array_equal(gaussian_blur(X, 0.0), X)


@settings(max_examples=40, deadline=None)
@given(X=images, sigma=st.floats(0.0, 6.0),
       mode=st.sampled_from(["reflect", "nearest", "mirror", "wrap"]))
def test_blurred_values_stay_within_each_image_range(X, sigma, mode):
    out = gaussian_blur(X, sigma, mode=mode)
    tol = 1e-9 * (1 + np.abs(X).max())
    assert np.all(out.min(axis=(1, 2)) >= X.min(axis=(1, 2)) - tol)
    assert np.all(out.max(axis=(1, 2)) <= X.max(axis=(1, 2)) + tol)


def test_blur_lowers_the_standard_deviation_of_noise():
    X = np.random.default_rng(8).standard_normal((3, 64, 64))
    assert np.all(gaussian_blur(X, 2.0).std(axis=(1, 2)) < 0.3 * X.std(axis=(1, 2)))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"sigma": -1.0}, r"'sigma' parameter of GaussianBlur must be .*Got -1.0"),
        ({"sigma": np.nan}, "'sigma' parameter of GaussianBlur"),
        ({"sigma": np.inf}, "'sigma' parameter of GaussianBlur"),
        ({"sigma": (1.0, -2.0)}, "'sigma' parameter"),
        ({"sigma": (1.0, 2.0, 3.0)}, "one per spatial axis"),
        ({"sigma": "2"}, "'sigma' parameter"),
        ({"sigma": True}, "'sigma' parameter"),
        ({"mode": "edge"}, r"'mode' parameter of GaussianBlur must be one of"),
        ({"cval": np.nan}, "'cval' parameter"),
        ({"truncate": 0.0}, "'truncate' parameter"),
        ({"n_jobs": 0}, "'n_jobs' parameter"),
        ({"n_jobs": 1.5}, "'n_jobs' parameter"),
    ],
)
def test_bad_parameters_are_refused_with_their_name(params, match):
    X = np.zeros((2, 8, 8))
    with pytest.raises(ValueError, match=match):
        GaussianBlur(**params).fit(X)
    with pytest.raises(ValueError, match=match):
        GaussianBlur().fit(X).set_params(**params).transform(X)
    function_match = match.replace("GaussianBlur", "gaussian_blur")
    with pytest.raises(ValueError, match=function_match):
        gaussian_blur(X, **params)


def test_huge_sigma_matches_scipy_without_building_a_matrix(accelerate):
    # A kernel far longer than the image: scipy's result, in scipy's time.
    X = np.random.default_rng(9).random((2, 10, 10))
    np.testing.assert_allclose(
        gaussian_blur(X, 1e4), per_image_reference(X, 1e4), atol=1e-10
    )


@pytest.mark.parametrize("params", [{"sigma": 1e9}, {"sigma": 2.0, "truncate": 1e9}])
def test_kernel_too_large_to_build_is_refused(params):
    with pytest.raises(ValueError, match="Gaussian kernel of radius .* at most"):
        gaussian_blur(np.zeros((1, 10, 10)), **params)


@pytest.mark.parametrize("shape", [(1, 100, 100), (2, 30, 30)])
def test_float32_values_near_the_limit_do_not_overflow(accelerate, shape):
    # Fast float32 accumulation could overflow where scipy's float64 does not.
    X = np.random.default_rng(10).random(shape).astype(np.float32) * np.float32(3e38)
    X[0, :5] = np.float32(3.3e38)
    got = gaussian_blur(X, 2.0)
    assert np.isfinite(got).all()
    expected = per_image_reference(X, 2.0)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_range_in_messages_never_includes_infinity():
    with pytest.raises(ValueError, match=r"range \[0, inf\)"):
        gaussian_blur(np.zeros((1, 4, 4)), sigma=-1.0)


@pytest.mark.parametrize("mode", MODES + ["grid-wrap", "grid-mirror", "grid-constant"])
@pytest.mark.parametrize("sigma", [20.0, (3.0, 40.0), (40.0, 0.0)])
def test_kernel_longer_than_the_image_matches_scipy(accelerate, sigma, mode):
    # Folded to the image's length (issue 16): still scipy's filter.
    X = np.random.default_rng(10).random((3, 9, 13)) * 255
    got = gaussian_blur(X, sigma, mode=mode, cval=7.0)
    expected = per_image_reference(X, sigma, mode=mode, cval=7.0)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10 * 255)


def _limit(image, mode, cval):
    """What the blur converges to as sigma grows without bound, per axis:
    the mean over one period of the extension (reflect, wrap: the mean;
    mirror: the two border pixels count half), the mean of the two border
    pixels (nearest), cval (constant)."""
    for axis in (0, 1):
        line = np.moveaxis(image, axis, 0)
        if mode == "mirror":
            weights = np.ones(len(line))
            weights[[0, -1]] = 0.5
            value = np.tensordot(weights, line, axes=1) / weights.sum()
        elif mode == "nearest":
            value = (line[0] + line[-1]) / 2
        elif mode == "constant":
            value = np.full(line.shape[1:], cval)
        else:
            value = line.mean(axis=0)
        image = np.moveaxis(np.broadcast_to(value, line.shape), 0, axis)
    return image


@pytest.mark.parametrize("mode", MODES)
def test_huge_sigma_gives_the_limit_of_its_border_mode(accelerate, mode):
    # sigma = 240,000 took 27 s on one 128 x 128 image: the cost no longer
    # grows with the kernel's length once it is longer than the image.
    X = np.random.default_rng(11).random((2, 8, 12))
    got = gaussian_blur(X, 2.4e5, mode=mode, cval=0.25)
    # nearest and constant converge as (size / sigma): 1e-4 here.
    atol = 1e-4 if mode in ("nearest", "constant") else 1e-9
    for image, blurred in zip(X, got, strict=True):
        np.testing.assert_allclose(blurred, _limit(image, mode, 0.25), atol=atol)
