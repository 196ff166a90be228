"""HOG against scikit-image's ``hog`` on each image alone.

Every result is compared with ``skimage.feature.hog(image, ...,
feature_vector=True)`` run on one image at a time (the independent
reference), on both the compiled path and the numpy one (the ``accelerate``
fixture); 1-D signals, which scikit-image has no counterpart for, against a
direct re-implementation of their definition. Properties: the order of the
images does not matter, a constant image has no gradient.
"""

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import skimgproc
from skimgproc import HOGDescriptor, hog

feature = pytest.importorskip("skimage.feature")

NORMS = ("L1", "L1-sqrt", "L2", "L2-Hys")
TOLERANCE = {np.float64: 1e-6, np.float32: 1e-4}


def ref_hog(images, channel_axis=None, **params):
    """scikit-image on each image alone, stacked."""
    return np.stack([feature.hog(x, channel_axis=channel_axis, feature_vector=True,
                                 **params) for x in images])


def noise(shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).random(shape).astype(dtype)


def smooth_scene(shape, seed=0):
    """Edges and blobs (most noise pixels have similar gradients everywhere)."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[: shape[1], : shape[2]]
    out = np.empty(shape)
    for k in range(shape[0]):
        a, b, c = rng.normal(size=3)
        out[k] = np.sin(a * rows / 3 + b * cols / 4) + (c * rows > cols)
    return out


# -- against scikit-image ----------------------------------------------------------


@pytest.mark.parametrize("block_norm", NORMS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gray_equals_skimage_per_image(accelerate, block_norm, dtype):
    X = smooth_scene((3, 37, 45)).astype(dtype)  # not a multiple of the cells
    params = dict(orientations=9, pixels_per_cell=(8, 8), cells_per_block=(3, 3),
                  block_norm=block_norm)
    out = hog(X, **params)
    assert out.dtype == dtype
    expected = ref_hog(X, **params)
    np.testing.assert_allclose(out, expected, rtol=0, atol=TOLERANCE[dtype])


@pytest.mark.parametrize("params", [
    dict(orientations=9, pixels_per_cell=(7, 7), cells_per_block=(2, 2)),
    dict(orientations=4, pixels_per_cell=(5, 6), cells_per_block=(1, 2)),
    dict(orientations=7, pixels_per_cell=(3, 4), cells_per_block=(3, 1),
         block_norm="L1"),
    dict(orientations=12, pixels_per_cell=(1, 2), cells_per_block=(2, 2),
         block_norm="L2"),
    dict(orientations=1, pixels_per_cell=(6, 6), cells_per_block=(1, 1)),
])
def test_cells_blocks_and_bins_equal_skimage(accelerate, params):
    X = noise((4, 28, 31))
    np.testing.assert_allclose(hog(X, **params), ref_hog(X, **params),
                               rtol=0, atol=1e-6)


@pytest.mark.parametrize("orientations", [2, 4, 6, 8, 9])
def test_integer_images_on_bin_edges_equal_skimage(accelerate, orientations):
    # Integer gradients lie exactly on the edges 0, 45, 90 and 135 degrees.
    rng = np.random.default_rng(3)
    X = rng.integers(0, 4, size=(3, 24, 24)).astype(np.uint8)
    X[0] = 7  # constant
    X[1, :, ::2] = 0  # stripes
    params = dict(orientations=orientations, pixels_per_cell=(4, 4),
                  cells_per_block=(2, 2))
    np.testing.assert_allclose(hog(X, **params), ref_hog(X.astype(float), **params),
                               rtol=0, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_colour_takes_the_channel_of_largest_gradient(accelerate, dtype):
    X = noise((3, 33, 26, 3), dtype, seed=1)
    params = dict(pixels_per_cell=(6, 5), cells_per_block=(2, 3))
    expected = ref_hog(X, channel_axis=-1, **params)
    np.testing.assert_allclose(hog(X, **params), expected, rtol=0,
                               atol=TOLERANCE[dtype])
    first = np.moveaxis(X, -1, 1)
    np.testing.assert_allclose(hog(first, channel_axis=1, **params), expected,
                               rtol=0, atol=TOLERANCE[dtype])


def test_colour_differs_from_the_gray_of_its_channels():
    # An edge only in the blue channel: the colour HOG sees it.
    X = np.zeros((1, 16, 16, 3))
    X[0, :, 8:, 2] = 1.0
    params = dict(pixels_per_cell=(8, 8), cells_per_block=(1, 1))
    assert hog(X, **params).max() > 0.9
    assert hog(X[..., 0], **params).max() == 0.0


def test_flattened_rows_equal_images(accelerate):
    X = noise((5, 16, 24))
    params = dict(pixels_per_cell=(4, 4), cells_per_block=(2, 2))
    rows = hog(X.reshape(5, -1), image_shape=(16, 24), **params)
    np.testing.assert_allclose(rows, ref_hog(X, **params), rtol=0, atol=1e-6)


def test_transform_sqrt_equals_skimage(accelerate):
    X = noise((3, 20, 20)) * 255
    params = dict(pixels_per_cell=(5, 5), cells_per_block=(2, 2),
                  transform_sqrt=True)
    np.testing.assert_allclose(hog(X, **params), ref_hog(X, **params),
                               rtol=0, atol=1e-6)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    height=st.integers(4, 30), width=st.integers(4, 30),
    cell=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    block=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    orientations=st.integers(1, 12), block_norm=st.sampled_from(NORMS),
    channels=st.sampled_from([0, 2]), seed=st.integers(0, 2**16),
)
def test_any_geometry_equals_skimage(accelerate, height, width, cell, block,
                                     orientations, block_norm, channels, seed):
    shape = (2, height, width) + ((channels,) if channels else ())
    X = np.random.default_rng(seed).normal(size=shape)
    params = dict(orientations=orientations, pixels_per_cell=cell,
                  cells_per_block=block, block_norm=block_norm)
    if height < cell[0] * block[0] or width < cell[1] * block[1]:
        with pytest.raises(ValueError, match="smaller than one block"):
            hog(X, **params)
        return
    expected = ref_hog(X, channel_axis=-1 if channels else None, **params)
    np.testing.assert_allclose(hog(X, **params), expected, rtol=0, atol=1e-6)


def test_compiled_and_numpy_paths_agree(monkeypatch):
    pytest.importorskip("numba")
    from skimgproc.features import _hog, _hog_numba

    # The compiled kernel is the one that runs (not the numpy path twice).
    calls = []
    kernel = _hog_numba.hog_features
    monkeypatch.setattr(_hog_numba, "hog_features",
                        lambda *args: calls.append(1) or kernel(*args))
    X = noise((6, 40, 40, 3), np.float32, seed=5)
    hog(X, n_jobs=1)
    assert calls
    assert _hog.optional_module(".features._hog_numba") is _hog_numba
    with skimgproc.config_context(accelerate=False):
        reference = hog(X)
    np.testing.assert_allclose(hog(X), reference, rtol=0, atol=1e-6)


# -- properties ----------------------------------------------------------------------


def test_features_do_not_depend_on_the_order_of_images(accelerate):
    X = smooth_scene((7, 24, 24), seed=2)
    order = np.random.default_rng(0).permutation(7)
    params = dict(pixels_per_cell=(6, 6), cells_per_block=(2, 2))
    np.testing.assert_array_equal(hog(X[order], **params), hog(X, **params)[order])


@pytest.mark.parametrize("block_norm", NORMS)
def test_constant_image_has_zero_hog(accelerate, block_norm):
    X = np.full((2, 32, 32), 0.7)
    X[1] = -3.0
    out = hog(X, block_norm=block_norm)
    assert out.shape == (2, 2 * 2 * 3 * 3 * 9)
    assert np.all(out == 0.0)


def test_normalised_blocks_have_unit_norm(accelerate):
    X = noise((3, 24, 24), seed=4)
    out = hog(X, pixels_per_cell=(4, 4), cells_per_block=(2, 2), block_norm="L2")
    blocks = out.reshape(3, -1, 2 * 2 * 9)
    np.testing.assert_allclose(np.linalg.norm(blocks, axis=-1), 1.0, atol=1e-8)
    # L2-Hys: clipped at 0.2, then normalised again.
    hys = hog(X, pixels_per_cell=(4, 4), cells_per_block=(2, 2)).reshape(3, -1, 36)
    np.testing.assert_allclose(np.linalg.norm(hys, axis=-1), 1.0, atol=1e-8)
    clipped = np.minimum(blocks, 0.2)
    np.testing.assert_allclose(
        hys, clipped / np.linalg.norm(clipped, axis=-1, keepdims=True), atol=1e-8)


def test_threads_and_chunks_do_not_change_the_result(accelerate):
    X = noise((40, 28, 28), np.float32, seed=6)
    params = dict(pixels_per_cell=(7, 7), cells_per_block=(2, 2))
    np.testing.assert_array_equal(hog(X, n_jobs=1, **params), hog(X, **params))


def test_signals_are_images_one_pixel_high(accelerate):
    # A direct re-implementation: the mean |central difference| of each cell
    # of 3 samples (all in the first bin), blocks of 2 cells, L1.
    X = noise((4, 20), seed=7)
    g = np.zeros_like(X)
    g[:, 1:-1] = np.abs(X[:, 2:] - X[:, :-2])
    cells = g[:, :18].reshape(4, 6, 3).mean(axis=-1)
    blocks = np.stack([cells[:, i : i + 2] for i in range(5)], axis=1)
    blocks = blocks / (blocks.sum(axis=-1, keepdims=True) + 1e-5)
    expected = np.zeros((4, 5, 2, 4))
    expected[..., 0] = blocks
    out = hog(X, orientations=4, pixels_per_cell=3, cells_per_block=2,
              block_norm="L1")
    np.testing.assert_allclose(out, expected.reshape(4, -1), rtol=0, atol=1e-6)


# -- errors --------------------------------------------------------------------------


def test_images_smaller_than_a_block_are_refused():
    with pytest.raises(ValueError, match=re.escape(
            "The images of X, of 20 x 30 pixels, are smaller than one block of "
            "hog: with pixels_per_cell=(8, 8) and cells_per_block=(3, 3) a block "
            "needs at least 24 rows and 24 columns.")):
        hog(np.zeros((2, 20, 30)))
    with pytest.raises(ValueError, match=r"1-D signals of 1 feature\(s\)"):
        HOGDescriptor(pixels_per_cell=2, cells_per_block=1).fit(np.zeros((3, 1)))


def test_transform_sqrt_refuses_negative_images():
    with pytest.raises(ValueError, match="'transform_sqrt' parameter of hog .* "
                                         "negative values"):
        hog(np.full((1, 16, 16), -1.0), pixels_per_cell=4, transform_sqrt=True)


@pytest.mark.parametrize("name, value, message", [
    ("orientations", 0, "an int in the range [1, inf)"),
    ("orientations", 2.5, "an int in the range [1, inf)"),
    ("pixels_per_cell", (8, 0), "an int >= 1 or a sequence of 2 such ints"),
    ("pixels_per_cell", (8, 8, 8), "an int >= 1 or a sequence of 2 such ints"),
    ("cells_per_block", "3", "an int >= 1 or a sequence of 2 such ints"),
    ("block_norm", "L3", "one of {'L1', 'L1-sqrt', 'L2', 'L2-Hys'}"),
    ("transform_sqrt", 1, "a bool"),
])
def test_bad_parameters_are_refused(name, value, message):
    X = np.zeros((1, 32, 32))
    with pytest.raises(ValueError, match=re.escape(
            f"The '{name}' parameter of hog must be {message}")):
        hog(X, **{name: value})
    with pytest.raises(ValueError, match=re.escape(
            f"The '{name}' parameter of HOGDescriptor must be {message}")):
        HOGDescriptor(**{name: value}).fit(X)


# -- the estimator -------------------------------------------------------------------


def test_estimator_equals_function_and_names_its_features():
    X = smooth_scene((3, 20, 28))
    est = HOGDescriptor(orientations=4, pixels_per_cell=(5, 7), cells_per_block=2)
    out = est.fit_transform(X)
    np.testing.assert_array_equal(out, hog(X, orientations=4, pixels_per_cell=(5, 7),
                                           cells_per_block=2))
    names = est.get_feature_names_out()
    # 4 x 4 cells: 3 x 3 blocks of 2 x 2 cells of 4 bins.
    assert len(names) == out.shape[1] == 3 * 3 * 2 * 2 * 4
    assert names[0] == "block_0_0_cell_0_0_bin_0"
    assert names[-1] == "block_2_2_cell_1_1_bin_3"
    assert len(set(names)) == len(names)


def test_estimator_keeps_float32_and_sets_pandas_output():
    pd = pytest.importorskip("pandas")
    X = noise((4, 16, 16), np.float32)
    est = HOGDescriptor(pixels_per_cell=4, cells_per_block=2).set_output(
        transform="pandas")
    frame = est.fit_transform(X)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == est.get_feature_names_out().tolist()
    assert frame.dtypes.unique().tolist() == [np.float32]


def test_estimator_takes_digits_rows_in_a_pipeline():
    digits = load_digits()
    model = make_pipeline(
        HOGDescriptor(orientations=8, pixels_per_cell=(2, 2), cells_per_block=(2, 2),
                      image_shape=(8, 8)),
        LogisticRegression(max_iter=3000),
    )
    model.fit(digits.data[:1000], digits.target[:1000])
    assert model.score(digits.data[1000:], digits.target[1000:]) > 0.9


def test_dask_batch_is_lazy_one_row_per_image_in_the_sample_chunks():
    da = pytest.importorskip("dask.array")
    X = noise((9, 24, 24, 3), np.float32, seed=8)
    est = HOGDescriptor(pixels_per_cell=6, cells_per_block=2).fit(X)
    lazy = est.transform(da.from_array(X, chunks=(4, 12, 24, 3)))
    assert isinstance(lazy, da.Array)
    assert lazy.chunks == ((4, 4, 1), (est.get_feature_names_out().size,))
    assert lazy.dtype == np.float32
    np.testing.assert_array_equal(lazy.compute(), est.transform(X))
