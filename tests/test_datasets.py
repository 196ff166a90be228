"""Tests of skimgproc.datasets against the chapter's code, scipy.ndimage and
scikit-learn's own loaders."""

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage as ndi
from sklearn import datasets as sk_datasets

from skimgproc.datasets import load_digits, load_photo, make_houses, make_squares


def chapter_squares():
    """The chapter's code, verbatim, on NumPy's global generator."""
    saved = np.random.get_state()  # noqa: NPY002 (the global generator is the point)
    try:
        np.random.seed(0)  # noqa: NPY002 (the global generator is the point)
        im = np.zeros((500, 500))
        im[100:400, 100:400] = 128
        im[200:300, 200:300] = 255
        im = im + 30 * np.random.standard_normal((500, 500))  # noqa: NPY002 (the global generator is the point)
    finally:
        np.random.set_state(saved)  # noqa: NPY002 (the global generator is the point)
    return im


def test_make_squares_is_the_chapters_image():
    noisy, clean = make_squares()
    np.testing.assert_array_equal(noisy, chapter_squares())
    assert clean.dtype == noisy.dtype == np.float64
    assert set(np.unique(clean)) == {0.0, 128.0, 255.0}
    assert np.count_nonzero(clean == 255) == 100 * 100
    assert np.count_nonzero(clean == 128) == 300 * 300 - 100 * 100


def test_make_squares_leaves_global_random_state_alone():
    np.random.seed(123)  # noqa: NPY002 (the global generator is the point)
    expected = np.random.random(3)  # noqa: NPY002 (the global generator is the point)
    np.random.seed(123)  # noqa: NPY002 (the global generator is the point)
    make_squares()
    np.testing.assert_array_equal(np.random.random(3), expected)  # noqa: NPY002 (the global generator is the point)


def test_make_squares_batches_sizes_and_noise():
    single, _ = make_squares(seed=4)
    batch, clean = make_squares(seed=4, n_samples=3)
    assert batch.shape == clean.shape == (3, 500, 500)
    np.testing.assert_array_equal(batch[0], single)
    assert not np.array_equal(batch[0], batch[1])
    small_noisy, small = make_squares(noise=0, size=50)
    np.testing.assert_array_equal(small_noisy, small)
    assert small[10, 10] == 128 and small[25, 25] == 255 and small[5, 5] == 0
    noisy, clean = make_squares(noise=5, seed=1)
    assert abs(np.std(noisy - clean) - 5) < 0.1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(noise=-1), "'noise' parameter of make_squares"),
        (dict(noise=float("nan")), "'noise' parameter"),
        (dict(size=2), "'size' parameter"),
        (dict(n_samples=0), "'n_samples' parameter"),
    ],
)
def test_make_squares_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_squares(**kwargs)


@pytest.mark.parametrize(
    "n_houses, n_bridges, seed",
    [(48, 3, 0), (48, 3, 1), (30, 6, 2), (12, 5, 3), (7, 1, 4), (48, 0, 5)],
)
def test_make_houses_counts_before_and_after_opening(n_houses, n_bridges, seed):
    image, true_count = make_houses(n_houses, n_bridges, seed=seed)
    assert true_count == n_houses
    assert image.dtype == np.uint8 and set(np.unique(image)) == {0, 255}
    objects = 1 * (image < 128)  # the chapter's threshold
    assert ndi.label(objects)[1] == true_count - n_bridges
    opened = ndi.binary_opening(objects, np.ones((9, 5)), iterations=2)
    labels, count = ndi.label(opened)
    assert count == true_count
    # Opening keeps the houses: every object of the original image keeps
    # most of its area (bridges and roof tips are all it removes).
    sizes = ndi.sum(opened, labels, index=np.arange(1, count + 1))
    assert sizes.min() > 20 * 22


def test_make_houses_is_seeded():
    a, _ = make_houses(seed=7)
    b, _ = make_houses(seed=7)
    c, _ = make_houses(seed=8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_make_houses_bad_parameters():
    with pytest.raises(ValueError, match="'n_bridges' parameter of make_houses"):
        make_houses(4, 3)
    with pytest.raises(ValueError, match="'n_houses' parameter"):
        make_houses(0)


@pytest.mark.parametrize("name", ["china", "flower"])
def test_load_photo_matches_scikit_learn(name):
    rgb = sk_datasets.load_sample_image(f"{name}.jpg")
    np.testing.assert_array_equal(load_photo(name, mode="RGB"), rgb)
    gray = load_photo(name)
    assert gray.dtype == np.uint8 and gray.shape == rgb.shape[:2]
    assert np.abs(gray - rgb @ np.array([0.299, 0.587, 0.114])).max() <= 1.0
    np.testing.assert_array_equal(gray, np.asarray(Image.fromarray(rgb).convert("L")))


def test_load_photo_bad_arguments():
    with pytest.raises(ValueError, match="'name' parameter of load_photo"):
        load_photo("lena")
    with pytest.raises(ValueError, match="'mode' parameter"):
        load_photo(mode="RGBA")


def test_load_digits_images_and_labels():
    images, target = load_digits()
    reference = sk_datasets.load_digits()
    assert images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(images.reshape(len(images), -1), reference.data)
    np.testing.assert_array_equal(target, reference.target)
    images, target = load_digits(n_class=3)
    assert set(target) == {0, 1, 2} and len(images) == len(target)
    with pytest.raises(ValueError, match="'n_class' parameter"):
        load_digits(n_class=11)
