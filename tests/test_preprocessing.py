"""Grayscale against Pillow, and Flatten's layout and feature names."""

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_sample_image

from skimgproc import Flatten, Grayscale, flatten, rgb_to_gray


def test_grayscale_matches_pillow_convert_L():
    photo = load_sample_image("flower.jpg")[::4, ::4]
    pillow = np.asarray(Image.fromarray(photo).convert("L"), dtype=np.float64)
    ours = Grayscale().fit_transform(photo[None])[0]
    # Pillow rounds to integers; the float result is within half a grey level.
    assert np.abs(ours - pillow).max() <= 0.5 + 1e-9
    assert np.abs(ours - pillow).mean() < 0.3


def test_grayscale_ignores_alpha_as_pillow_does():
    rgba = np.random.default_rng(0).integers(0, 256, (6, 7, 4), dtype=np.uint8)
    pillow = np.asarray(Image.fromarray(rgba, "RGBA").convert("L"), dtype=np.float64)
    ours = rgb_to_gray(rgba[None])[0]
    assert np.abs(ours - pillow).max() <= 0.5 + 1e-9


def test_grayscale_uses_the_601_luma_weights():
    X = np.zeros((3, 1, 1, 3))
    X[0, ..., 0] = X[1, ..., 1] = X[2, ..., 2] = 1000.0
    np.testing.assert_allclose(rgb_to_gray(X).ravel(), [299.0, 587.0, 114.0])


def test_grayscale_layouts():
    X = np.random.default_rng(1).random((2, 5, 6, 3)).astype(np.float32)
    gray = rgb_to_gray(X)
    assert gray.shape == (2, 5, 6) and gray.dtype == np.float32
    np.testing.assert_allclose(
        rgb_to_gray(np.moveaxis(X, -1, 1), channel_axis=1), gray, rtol=1e-6
    )
    flat = Grayscale(image_shape=(5, 6, 3)).fit_transform(X.reshape(2, -1))
    assert flat.shape == (2, 30)
    np.testing.assert_allclose(flat, gray.reshape(2, 30), rtol=1e-6)


def test_grayscale_of_gray_is_a_copy():
    X = np.random.default_rng(2).random((2, 5, 5))
    out = rgb_to_gray(X)
    np.testing.assert_array_equal(out, X)
    assert not np.shares_memory(out, X)


def test_grayscale_refuses_other_channel_counts():
    with pytest.raises(ValueError, match="RGB or RGBA images .* got 2 channels"):
        Grayscale().fit_transform(np.zeros((1, 4, 4, 2)))


def test_grayscale_feature_names_are_gray_pixels():
    gray = Grayscale(image_shape=(2, 3, 3)).fit(np.zeros((2, 18)))
    assert gray.get_feature_names_out().tolist() == [
        "pixel_0_0", "pixel_0_1", "pixel_0_2", "pixel_1_0", "pixel_1_1", "pixel_1_2"
    ]


@pytest.mark.parametrize("shape", [(3, 4, 5), (3, 4, 5, 3), (3, 20)])
def test_flatten_reshapes_rows_in_c_order(shape):
    X = np.random.default_rng(3).random(shape)
    out = Flatten().fit_transform(X)
    np.testing.assert_array_equal(out, X.reshape(3, -1))
    np.testing.assert_array_equal(flatten(X), X.reshape(3, -1))


def test_flatten_feature_names_name_each_pixel():
    flat = Flatten().fit(np.zeros((2, 2, 3, 2)))
    names = flat.get_feature_names_out()
    assert len(names) == 12
    assert names[:3].tolist() == ["pixel_0_0_0", "pixel_0_0_1", "pixel_0_1_0"]


def test_flatten_keeps_input_names_of_tables():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(np.zeros((2, 3)), columns=["a", "b", "c"])
    assert Flatten().fit(X).get_feature_names_out().tolist() == ["a", "b", "c"]


def test_feature_names_refuse_input_features_of_the_wrong_length():
    flat = Flatten().fit(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="input_features should have length 4"):
        flat.get_feature_names_out(["a", "b"])
