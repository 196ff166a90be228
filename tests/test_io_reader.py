"""Tests of skimgproc.io._reader: many files into a batch (read_images) and
ImageReader in pipelines and searches."""

import numpy as np
import pytest
from PIL import Image
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skimgproc import Flatten, GaussianBlur, ImageReader, read_images
from skimgproc.io import DEFAULT_MAX_PIXELS, UnreadableFileWarning

RNG = np.random.default_rng(0)
RGB = RNG.integers(0, 256, size=(20, 30, 3), dtype=np.uint8)


def save(path, array, **kwargs):
    Image.fromarray(array).save(path, **kwargs)
    return path


# -- read_images --------------------------------------------------------------


def write_stack(folder, images):
    paths = []
    for i, image in enumerate(images):
        paths.append(save(folder / f"im{i}.png", image))
    return paths


def test_read_images_stacks_in_order(tmp_path):
    images = RNG.integers(0, 256, size=(5, 6, 7), dtype=np.uint8)
    paths = write_stack(tmp_path, images)
    np.testing.assert_array_equal(read_images(paths, n_jobs=1), images)
    np.testing.assert_array_equal(read_images(paths, n_jobs=2), images)
    np.testing.assert_array_equal(read_images(np.array(paths, dtype=object)), images)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_read_images_of_different_sizes_give_a_list(tmp_path, n_jobs):
    images = [RGB[..., 0], RGB[:10, :, 0], RGB[..., 0], RGB[:7, :5, 1]]
    paths = write_stack(tmp_path, images)
    read = read_images(paths, n_jobs=n_jobs)
    assert isinstance(read, list) and len(read) == 4
    for got, image in zip(read, images, strict=True):
        np.testing.assert_array_equal(got, image)
    read = ImageReader(n_jobs=n_jobs).fit_transform(paths)
    assert [image.shape for image in read] == [image.shape for image in images]
    batch = read_images(paths, resize=(8, 12))
    assert batch.shape == (4, 8, 12)


def test_read_images_mixed_bit_depths_keep_values(tmp_path):
    eight = np.full((4, 4), 200, np.uint8)
    sixteen = np.full((4, 4), 60000, np.uint16)
    paths = write_stack(tmp_path, [eight, sixteen])
    batch = read_images(paths)
    assert batch.dtype == np.uint16
    assert batch[0, 0, 0] == 200 and batch[1, 0, 0] == 60000


def test_read_images_refuses_a_single_path_and_empty_lists(tmp_path):
    path = save(tmp_path / "a.png", RGB)
    with pytest.raises(ValueError, match="single path"):
        read_images(str(path))
    with pytest.raises(ValueError, match="empty"):
        read_images([])

# -- ImageReader --------------------------------------------------------------


def digit_files(folder, n=60):
    from sklearn.datasets import load_digits

    digits = load_digits()
    paths = []
    for i in range(n):
        image = (digits.images[i] * 255 / 16).astype(np.uint8)
        paths.append(str(save(folder / f"d{i:03d}.png", image)))
    return paths, digits.target[:n], digits.images[:n]


def test_image_reader_in_a_pipeline_and_grid_search(tmp_path):
    paths, y, images = digit_files(tmp_path)
    reader = ImageReader()
    batch = reader.fit_transform(paths)
    np.testing.assert_array_equal(batch, (images * 255 / 16).astype(np.uint8))
    pipe = make_pipeline(ImageReader(), GaussianBlur(), Flatten(),
                         LogisticRegression(max_iter=500))
    search = GridSearchCV(pipe, {"gaussianblur__sigma": [0.0, 1.0]}, cv=2)
    search.fit(paths, y)
    assert search.best_params_["gaussianblur__sigma"] in (0.0, 1.0)
    assert search.score(paths, y) > 0.5  # far above the 0.1 of chance


def test_image_reader_params_and_errors(tmp_path):
    reader = ImageReader(mode="RGB", resize=(4, 4), n_jobs=1)
    assert clone(reader).get_params() == reader.get_params()
    path = save(tmp_path / "a.png", RGB)
    assert reader.transform([path]).shape == (1, 4, 4, 3)
    with pytest.raises(ValueError, match="single path"):
        reader.fit(str(path))
    with pytest.raises(ValueError, match="'mode' parameter of ImageReader"):
        ImageReader(mode="P").fit([path])
    with pytest.raises(ValueError, match="'n_jobs' parameter of ImageReader"):
        ImageReader(n_jobs=0).transform([path])
    assert ImageReader().__sklearn_tags__().input_tags.two_d_array is False
    assert DEFAULT_MAX_PIXELS == ImageReader().max_pixels


@pytest.mark.parametrize(
    "params",
    [dict(mode="CMYK"), dict(resize=(0, 4)), dict(resize=5), dict(max_pixels=0),
     dict(max_pixels=1.5), dict(n_jobs=0), dict(n_jobs="all")],
    ids=repr,
)
def test_reader_and_read_images_refuse_alike(tmp_path, params):
    # One declaration of the parameters: the same words, each naming its owner.
    path = save(tmp_path / "a.png", RGB)
    with pytest.raises(ValueError) as function_error:
        read_images([path], **params)
    with pytest.raises(ValueError) as reader_error:
        ImageReader(**params).transform([path])
    name = next(iter(params))
    assert f"The '{name}' parameter of read_images must be " in str(
        function_error.value)
    assert str(reader_error.value) == str(function_error.value).replace(
        "read_images", "ImageReader")


def test_image_reader_reads_what_read_images_reads(tmp_path):
    paths = write_stack(tmp_path, RNG.integers(0, 256, size=(3, 6, 7, 3),
                                               dtype=np.uint8))
    for params in (dict(), dict(mode="RGB"), dict(mode=None, resize=[4, 5])):
        np.testing.assert_array_equal(ImageReader(**params).fit_transform(paths),
                                      read_images(paths, **params))


# -- files that cannot be read ---------------------------------------------------


@pytest.fixture
def one_broken(tmp_path):
    """Five images, the third of them not an image file."""
    images = RNG.integers(0, 256, size=(5, 6, 7), dtype=np.uint8)
    paths = write_stack(tmp_path, images)
    paths[2].write_bytes(b"not an image")
    return paths, images


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_on_error_raise_stops_at_the_file(one_broken, n_jobs):
    paths, _ = one_broken
    with pytest.raises(ValueError, match=r"im2\.png': not an image file"):
        read_images(paths, n_jobs=n_jobs)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_on_error_warn_leaves_the_file_out_with_a_mask(one_broken, n_jobs):
    paths, images = one_broken
    with pytest.warns(UnreadableFileWarning,
                      match=r"Left '.*im2\.png' out of the batch \(file 3 of 5\): "
                      "Cannot read .*not an image file"):
        batch, read = read_images(paths, on_error="warn", return_mask=True,
                                  n_jobs=n_jobs)
    assert read.tolist() == [True, True, False, True, True]
    np.testing.assert_array_equal(batch, images[[0, 1, 3, 4]])


def test_on_error_skip_is_silent_and_keeps_a_collection(tmp_path):
    import warnings

    images = RNG.integers(0, 256, size=(3, 6, 7), dtype=np.uint8)
    paths = write_stack(tmp_path, images)
    save(tmp_path / "small.png", images[0, :3])
    paths = [tmp_path / "missing.png", *paths, tmp_path / "small.png"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        collection, read = read_images(paths, on_error="skip", return_mask=True)
    # Another size gives a list of the images read, not a failure.
    assert read.tolist() == [False, True, True, True, True]
    assert len(collection) == 4
    for image, expected in zip(collection, [*images, images[0, :3]], strict=True):
        np.testing.assert_array_equal(image, expected)


def test_on_error_when_no_file_can_be_read(tmp_path):
    paths = [tmp_path / "a.png", tmp_path / "b.png"]
    with pytest.raises(FileNotFoundError, match=r"a\.png"):
        read_images(paths, on_error="skip")
    with pytest.raises(ValueError, match="'on_error' parameter of read_images"):
        read_images(paths, on_error="ignore")
    with pytest.raises(ValueError, match="'return_mask' parameter of read_images"):
        read_images(paths, return_mask=1)


def test_image_reader_on_error_keeps_labels_alignable(one_broken):
    paths, images = one_broken
    y = np.array([0, 1, 0, 1, 0])
    reader = ImageReader(on_error="skip")
    np.testing.assert_array_equal(reader.transform(paths), images[[0, 1, 3, 4]])
    pipe = make_pipeline(ImageReader(on_error="skip"), Flatten(),
                         LogisticRegression())
    # Fewer images than labels is refused, never silently misaligned ...
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        pipe.fit(paths, y)
    # ... and the mask selects the files and labels that go together.
    _, read = read_images(paths, on_error="skip", return_mask=True)
    pipe.fit(np.array(paths, dtype=object)[read], y[read])
    assert pipe.score(np.array(paths, dtype=object)[read], y[read]) == 1.0
    with pytest.raises(ValueError, match="'on_error' parameter of ImageReader"):
        ImageReader(on_error=None).fit(paths)
