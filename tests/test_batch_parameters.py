"""The contract's layout parameters and numbers it cannot hold (issue 16's
sweep): each refused with a message that names what was wrong."""

import numpy as np
import pytest
from scipy import ndimage as ndi

from skimgproc import GaussianBlur, Threshold, gaussian_blur, sobel_gradient


@pytest.mark.parametrize("channel_axis", [True, False, 1.0, -1.0, np.True_])
def test_channel_axis_must_be_an_int(channel_axis):
    # True == 1 and 1.0 == 1 in Python: they were taken as channels first.
    with pytest.raises(ValueError, match=r"'channel_axis' parameter must be -1 .*"
                                         rf"Got {channel_axis!r} instead"):
        gaussian_blur(np.zeros((2, 3, 4, 4)), channel_axis=channel_axis)


def test_numpy_integer_channel_axis_is_accepted():
    images = np.random.default_rng(0).random((2, 3, 5, 5))
    expected = ndi.gaussian_filter(images, (0, 0, 1, 1))
    np.testing.assert_allclose(gaussian_blur(images, channel_axis=np.int64(1)),
                               expected, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("image_shape", [(True, 480), (20.0, 24.0), (8, np.float64(8)),
                                         (np.True_, 64), 64])
def test_image_shape_must_hold_integers(image_shape):
    with pytest.raises(ValueError, match=r"'image_shape' parameter must be None or "
                                         r"a tuple .* of positive integers"):
        gaussian_blur(np.zeros((2, 480)), image_shape=image_shape)


def test_numpy_integer_image_shape_is_accepted():
    rows = np.random.default_rng(0).random((2, 64))
    out = gaussian_blur(rows, image_shape=np.array([8, 8]))
    expected = ndi.gaussian_filter(rows.reshape(2, 8, 8), (0, 1, 1)).reshape(2, 64)
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("shape", [(2, 8, 8), (2, 8, 8, 3)])
def test_image_shape_is_refused_for_arrays_of_images(shape):
    # It was silently ignored: the images were read as they are.
    with pytest.raises(ValueError, match=r"image_shape=\(4, 16\) describes "
                                         r"flattened images as rows.*"
                                         rf"{len(shape)}-D array"):
        gaussian_blur(np.zeros(shape), image_shape=(4, 16))
    with pytest.raises(ValueError, match="pass image_shape=None"):
        sobel_gradient(np.zeros(shape), image_shape=(4, 16))


def test_image_shape_set_after_fit_is_checked_in_transform():
    images = np.zeros((2, 8, 8))
    blur = GaussianBlur().fit(images).set_params(image_shape=(1, 2))
    with pytest.raises(ValueError, match="describes flattened images as rows"):
        blur.transform(images)
    rows = np.zeros((2, 64))
    blur = GaussianBlur(image_shape=(8, 8)).fit(rows).set_params(image_shape=(1, 2))
    with pytest.raises(ValueError, match=r"image_shape=\(1, 2\) needs 2"):
        blur.transform(rows)


@pytest.mark.parametrize("huge", [10**400, -(10**309)])
def test_python_int_beyond_float64_is_a_clear_error(huge):
    X = np.array([[[huge, 1]]], dtype=object)
    with pytest.raises(ValueError, match="a number too large for float64"):
        gaussian_blur(X)
    with pytest.raises(ValueError, match="a number too large for float64"):
        Threshold().fit([[[1, huge]]])


def test_python_int_within_float64_is_read_as_float():
    X = np.array([[[2**64, 1]]], dtype=object)  # object: too large for int64
    np.testing.assert_array_equal(gaussian_blur(X, 0.0),
                                  np.array([[[2.0**64, 1.0]]]))
