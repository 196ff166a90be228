"""Per-cell image statistics against NumPy on each cell of np.array_split.

The reference cuts each image alone with :func:`numpy.array_split` along
each spatial axis and calls ``np.mean``, ``np.std``, ``np.percentile``, ...
on each channel of each cell, in a plain Python loop: nothing of the
package's block engine. Properties: the order of the images does not
matter, and flipping an image keeps its statistics (one cell) or mirrors
its cells (a grid whose cells are all of one size).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.pipeline import make_pipeline

from skimgproc import (
    ImageStatistics,
    SobelGradient,
    image_statistics,
    sobel_gradient,
)
from skimgproc.features import statistics_feature_names

REFERENCE = {
    "mean": np.mean,
    "std": np.std,
    "min": np.min,
    "max": np.max,
    "median": np.median,
    "sum": np.sum,
}


def ref_statistic(cell, name):
    if name in REFERENCE:
        return REFERENCE[name](cell)
    return np.percentile(cell, float(name[1:]))


def ref_statistics(images, statistics, grid):
    """Rows of features of ``(n, h, w)`` or ``(n, h, w, c)`` images: cell by
    cell (row-major), channel by channel, statistic by statistic."""
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    rows = []
    for image in images:
        row = []
        for band in np.array_split(image, grid[0], axis=0):
            for cell in np.array_split(band, grid[1], axis=1):
                for c in range(cell.shape[-1]):
                    row += [ref_statistic(cell[..., c], s) for s in statistics]
        rows.append(row)
    return np.array(rows)


ALL = ("mean", "std", "min", "max", "median", "sum", "p10", "p90", "p2.5")


@pytest.mark.parametrize("shape, grid", [
    ((5, 17, 23), (1, 1)),
    ((5, 17, 23), (3, 4)),    # uneven cells along both axes
    ((5, 16, 24), (4, 4)),    # even cells: one block
    ((3, 7, 9), (7, 9)),      # one pixel a cell
    ((3, 7, 9), (2, 1)),
    ((4, 31, 5, 3), (4, 2)),  # colour, channels last
    # Few images for their width: the planes stay first in memory.
    ((2, 40, 60, 3), (2, 3)),
    ((2, 100, 90), (1, 1)),   # cells past MAX_SORTED_CELL: partitioned
])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.uint8])
def test_statistics_equal_numpy_on_each_cell(shape, grid, dtype):
    rng = np.random.default_rng(3)
    images = (rng.random(shape) * 255).astype(dtype)
    out = image_statistics(images, ALL, grid=grid)
    expected = ref_statistics(images, ALL, grid)
    assert out.dtype == (np.float32 if dtype == np.float32 else np.float64)
    assert out.shape == expected.shape
    rtol = 2e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, expected, rtol=rtol, atol=rtol * 255)


def test_default_statistics_are_mean_std_min_max():
    rng = np.random.default_rng(0)
    images = rng.normal(size=(4, 9, 11))
    np.testing.assert_allclose(
        image_statistics(images),
        np.stack([images.mean(axis=(1, 2)), images.std(axis=(1, 2)),
                  images.min(axis=(1, 2)), images.max(axis=(1, 2))], axis=1))


def test_layouts_agree_channels_first_and_flat_rows():
    rng = np.random.default_rng(1)
    colour = rng.random((3, 10, 12, 3))
    expected = ref_statistics(colour, ("mean", "p90"), (2, 3))
    first = np.moveaxis(colour, -1, 1)
    np.testing.assert_allclose(
        image_statistics(first, ("mean", "p90"), grid=(2, 3), channel_axis=1),
        expected)
    np.testing.assert_allclose(
        image_statistics(colour.reshape(3, -1), ("mean", "p90"), grid=(2, 3),
                         image_shape=(10, 12, 3)),
        expected)
    gray = colour[..., 0]
    np.testing.assert_allclose(
        image_statistics(gray.reshape(3, -1), "max", grid=2, image_shape=(10, 12)),
        ref_statistics(gray, ("max",), (2, 2)))


def test_signals_are_images_one_pixel_high():
    rng = np.random.default_rng(2)
    signals = rng.random((6, 50))
    expected = np.array([[f(part) for part in np.array_split(s, 7)
                          for f in (np.mean, np.median)] for s in signals])
    for grid in [(7,), (1, 7), 7]:
        np.testing.assert_allclose(
            image_statistics(signals, ("mean", "median"), grid=grid), expected)
    stats = ImageStatistics(("mean", "median"), grid=(1, 7)).fit(signals)
    assert stats.get_feature_names_out()[:3].tolist() == [
        "cell_0_mean", "cell_0_median", "cell_1_mean"]


def test_large_batches_on_threads_equal_numpy():
    # 2 MB chunks: this batch is cut into several, shared by two threads.
    rng = np.random.default_rng(4)
    images = rng.random((12, 256, 200)).astype(np.float32)
    statistics = ("mean", "std", "p50", "max")
    expected = ref_statistics(images, statistics, (3, 5))
    for n_jobs in (1, 2):
        out = image_statistics(images, statistics, grid=(3, 5), n_jobs=n_jobs)
        assert out.dtype == np.float32
        np.testing.assert_allclose(out, expected, rtol=2e-6, atol=1e-6)


def test_float32_sums_are_accumulated_precisely():
    # 2**20 pixels of 0.1: a float32 running sum would drift by about 1%.
    images = np.full((1, 1024, 1024), 0.1, np.float32)
    out = image_statistics(images, ("sum", "mean", "std"))
    np.testing.assert_allclose(out[0], [0.1 * 2**20, 0.1, 0.0], rtol=1e-6, atol=1e-6)


def test_constant_image_statistics():
    images = np.full((2, 6, 8), 5.0)
    out = image_statistics(images, ("mean", "std", "min", "max", "median", "p10",
                                    "sum"), grid=(2, 2))
    np.testing.assert_array_equal(out.reshape(2, 4, 7),
                                  np.broadcast_to([5, 0, 5, 5, 5, 5, 60], (2, 4, 7)))


# -- names ------------------------------------------------------------------------


def test_names_of_cells_channels_and_statistics():
    gray = np.zeros((2, 6, 6))
    stats = ImageStatistics(("mean", "p90")).fit(gray)
    assert stats.get_feature_names_out().tolist() == ["mean", "p90"]
    stats = ImageStatistics("max", grid=(2, 3)).fit(gray)
    assert stats.get_feature_names_out().tolist() == [
        "cell_0_0_max", "cell_0_1_max", "cell_0_2_max",
        "cell_1_0_max", "cell_1_1_max", "cell_1_2_max"]
    colour = np.zeros((2, 6, 6, 2))
    stats = ImageStatistics(("min", "sum"), grid=(1, 2)).fit(colour)
    assert stats.get_feature_names_out().tolist() == [
        "cell_0_0_channel_0_min", "cell_0_0_channel_0_sum",
        "cell_0_0_channel_1_min", "cell_0_0_channel_1_sum",
        "cell_0_1_channel_0_min", "cell_0_1_channel_0_sum",
        "cell_0_1_channel_1_min", "cell_0_1_channel_1_sum"]
    stats = ImageStatistics("mean", channel_axis=1).fit(np.zeros((2, 3, 6, 6)))
    assert stats.get_feature_names_out().tolist() == [
        "channel_0_mean", "channel_1_mean", "channel_2_mean"]


def test_names_follow_set_params_and_match_the_columns():
    X = np.random.default_rng(5).random((3, 8, 8, 3))
    stats = ImageStatistics().fit(X)
    stats.set_params(statistics=("p10", "median"), grid=(2, 4))
    out = stats.transform(X)
    names = stats.get_feature_names_out()
    assert len(names) == out.shape[1] == 2 * 4 * 3 * 2
    assert names[-1] == "cell_1_3_channel_2_median"
    np.testing.assert_allclose(out[:, -1], np.median(X[:, 4:, 6:, 2], axis=(1, 2)))
    assert statistics_feature_names(("mean",), (1, 1)).tolist() == ["mean"]


def test_data_frame_output_names_its_columns():
    pd = pytest.importorskip("pandas")
    X = np.random.default_rng(6).random((4, 10, 10))
    stats = ImageStatistics(("mean", "max"), grid=(2, 1))
    frame = stats.set_output(transform="pandas").fit_transform(X)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["cell_0_0_mean", "cell_0_0_max",
                                   "cell_1_0_mean", "cell_1_0_max"]
    np.testing.assert_allclose(frame["cell_1_0_max"], X[:, 5:].max(axis=(1, 2)))


# -- estimator ------------------------------------------------------------------------


def test_estimator_equals_function_and_keeps_float32():
    X = np.random.default_rng(7).random((5, 12, 13)).astype(np.float32)
    stats = ImageStatistics(("std", "p10"), grid=(3, 2), n_jobs=1)
    out = stats.fit_transform(X)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, image_statistics(X, ("std", "p10"), grid=(3, 2)))
    np.testing.assert_array_equal(stats.transform(X), out)


def test_gradient_map_as_feature_vector():
    X = np.random.default_rng(8).random((4, 32, 32))
    pipe = make_pipeline(SobelGradient(), ImageStatistics(grid=(4, 4)))
    out = pipe.fit_transform(X)
    assert out.shape == (4, 4 * 4 * 4)
    np.testing.assert_allclose(
        out, ref_statistics(sobel_gradient(X), ("mean", "std", "min", "max"), (4, 4)))
    assert pipe.get_feature_names_out()[-1] == "cell_3_3_max"


def test_dask_batch_is_lazy_one_row_per_image_in_its_chunks():
    da = pytest.importorskip("dask.array")
    X = np.random.default_rng(9).random((10, 12, 14, 3)).astype(np.float32)
    lazy = da.from_array(X, chunks=(4, 6, 7, 3))
    stats = ImageStatistics(("mean", "p90"), grid=(2, 2))
    result = stats.fit_transform(lazy)
    assert isinstance(result, da.Array)
    assert result.chunks == ((4, 4, 2), (2 * 2 * 3 * 2,))
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result.compute(), stats.transform(X))
    assert len(stats.get_feature_names_out()) == result.shape[1]


# -- properties -----------------------------------------------------------------------


small_batches = st.tuples(
    st.integers(1, 5), st.integers(1, 12), st.integers(1, 12), st.integers(0, 2**32 - 1)
)


@settings(max_examples=40, deadline=None)
@given(small_batches, st.data())
def test_image_order_does_not_matter(sizes, data):
    n, h, w, seed = sizes
    rng = np.random.default_rng(seed)
    images = rng.normal(size=(n, h, w))
    grid = (data.draw(st.integers(1, h)), data.draw(st.integers(1, w)))
    order = rng.permutation(n)
    out = image_statistics(images, ALL, grid=grid)
    np.testing.assert_array_equal(image_statistics(images[order], ALL, grid=grid),
                                  out[order])


@settings(max_examples=40, deadline=None)
@given(small_batches, st.sampled_from([1, 2]))
def test_one_cell_statistics_of_a_flipped_image_are_equal(sizes, axis):
    n, h, w, seed = sizes
    images = np.random.default_rng(seed).normal(size=(n, h, w))
    out = image_statistics(images, ALL)
    np.testing.assert_allclose(image_statistics(np.flip(images, axis), ALL), out,
                               rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 5), st.integers(1, 5),
       st.integers(0, 2**32 - 1))
def test_flipped_images_mirror_the_cells_of_an_even_grid(rows, cols, cell_h, cell_w,
                                                         seed):
    images = np.random.default_rng(seed).normal(size=(3, rows * cell_h, cols * cell_w))
    grid = (rows, cols)

    def cells(x):
        return image_statistics(x, ALL, grid=grid).reshape(3, rows, cols, len(ALL))

    out = cells(images)
    np.testing.assert_allclose(cells(images[:, :, ::-1]), out[:, :, ::-1],
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(cells(images[:, ::-1]), out[:, ::-1],
                               rtol=1e-12, atol=1e-12)


def test_uneven_cells_are_larger_first_as_in_array_split():
    # 5 columns in 2 cells: 3 then 2, so a flip does not mirror the cells.
    image = np.array([[1.0, 2.0, 3.0, 4.0, 5.0]])
    np.testing.assert_array_equal(image_statistics(image[np.newaxis], "sum",
                                                   grid=(1, 2)), [[6.0, 9.0]])


# -- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("statistics, match", [
    ("variance", r"'variance' is not a statistic"),
    (("mean", "p101"), r"'p101' is not a percentile"),
    ("p-1", r"'p-1' is not a percentile"),
    ("pabc", r"'pabc' is not a percentile"),
    (("mean", "max", "mean"), r"'mean' is named twice"),
    (("median", "p50"), r"'p50' computes the same as 'median'"),
    (("p10", "p10.0"), r"'p10.0' computes the same as 'p10'"),
    ((), r"no statistic is named"),
    (("mean", 3), r"3 is not a statistic's name"),
    (None, r"must be a non-empty tuple of distinct statistics"),
])
def test_bad_statistics_are_refused(statistics, match):
    images = np.zeros((2, 4, 4))
    with pytest.raises(ValueError, match=r"The 'statistics' parameter of "
                       r"image_statistics must be a non-empty tuple"):
        image_statistics(images, statistics)
    with pytest.raises(ValueError, match=match):
        ImageStatistics(statistics).fit(images)
    with pytest.raises(ValueError, match="parameter of ImageStatistics"):
        ImageStatistics(statistics).fit(images)


@pytest.mark.parametrize("grid, match", [
    ((5, 1), r"must be at most the images' size \(4, 6\) along each spatial axis\. Got "
             r"\(5, 1\) instead: 5 cells along an axis of 4 pixels"),
    (7, r"must be at most .* Got 7 instead: 7 cells along an axis of 4 pixels"),
    (0, r"must be an int >= 1"),
    ((2, 0), r"must be an int >= 1"),
    ((2,), r"must be an int >= 1 .* a tuple \(rows, columns\)"),
    ((1, 2, 3), r"must be an int >= 1"),
    (2.0, r"must be an int >= 1"),
    ("2", r"must be an int >= 1"),
    (True, r"must be an int >= 1"),
])
def test_bad_grids_are_refused(grid, match):
    images = np.zeros((2, 4, 6))
    with pytest.raises(ValueError, match=r"The 'grid' parameter of image_statistics "
                       + match):
        image_statistics(images, grid=grid)
    with pytest.raises(ValueError, match=r"The 'grid' parameter of ImageStatistics"):
        ImageStatistics(grid=grid).fit_transform(images)


def test_grid_of_signals_refuses_rows():
    signals = np.zeros((3, 10))
    with pytest.raises(ValueError, match=r"a tuple \(k,\) or \(1, k\) for 1-D"):
        image_statistics(signals, grid=(2, 2))
    with pytest.raises(ValueError, match="11 cells along an axis of 10 pixels"):
        image_statistics(signals, grid=(11,))


def test_grid_is_checked_against_the_images_transformed():
    stats = ImageStatistics(grid=(3, 3)).fit(np.zeros((1, 8, 8)))
    with pytest.raises(ValueError, match="features"):
        stats.transform(np.zeros((1, 2, 2)))
    with pytest.raises(ValueError, match="3 cells along an axis of 2 pixels"):
        ImageStatistics(grid=(3, 3)).transform(np.zeros((1, 2, 2)))


def test_non_finite_input_is_refused():
    images = np.zeros((2, 4, 4))
    images[1, 2, 2] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        image_statistics(images)
