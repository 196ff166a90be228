"""Local binary patterns against scikit-image, histograms against NumPy.

The reference of the codes is :func:`skimage.feature.local_binary_pattern`
called on each image (each channel) alone; of the histograms, those codes
cut with :func:`numpy.array_split` and counted by :func:`numpy.histogram`
over the method's possible codes, which a brute-force loop over every bit
pattern finds. Both the compiled path and the NumPy reference run (the
``accelerate`` fixture). Properties: the order of the images does not
matter, and every cell's histogram sums to one.
"""

import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage as ndi

import skimgproc
from skimgproc import LBPHistogram, lbp_histogram, local_binary_pattern
from skimgproc.features import lbp_feature_names

feature = pytest.importorskip("skimage.feature")

METHODS = ("default", "ror", "uniform", "nri_uniform", "var")
SETTINGS = [(8, 1.0), (4, 1.5), (16, 2.0), (12, 2.5), (3, 0.7), (6, 3.3), (8, 9.5)]


def textured(shape, seed=0, levels=6):
    """Integer images with ties (few gray levels), flat regions and edges:
    where a comparison could go either way."""
    rng = np.random.default_rng(seed)
    noise = ndi.gaussian_filter(rng.random(shape), (0,) + (1.0,) * (len(shape) - 1))
    noise = (noise - noise.min()) / np.ptp(noise)
    images = np.round(noise * (levels - 1)).astype(np.uint8) * 40
    images[:, : shape[1] // 4] = 80  # a flat band
    return images


def ref_codes(image, P, R, method):
    """scikit-image on one 2-D image (its warning on floats silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return feature.local_binary_pattern(image, P, R, method)


def assert_codes_equal(out, ref, method):
    if method == "var":
        np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-9, equal_nan=True)
    else:
        np.testing.assert_array_equal(out, ref)


def possible_codes(P, method):
    """Every code the method gives, from every bit pattern, one at a time."""
    codes = set()
    for pattern in range(2**P):
        bits = [(pattern >> i) & 1 for i in range(P)]
        if method == "default":
            codes.add(pattern)
        elif method == "ror":
            codes.add(min(int("".join(map(str, reversed(bits[k:] + bits[:k]))), 2)
                          for k in range(P)))
        else:
            changes = sum(bits[i] != bits[i + 1] for i in range(P - 1))
            ones = sum(bits)
            if method == "uniform":
                codes.add(ones if changes <= 2 else P + 1)
            else:  # every uniform pattern is a code of its own
                codes.add(pattern if changes <= 2 else -1)
    if method == "nri_uniform":
        return np.arange(len(codes))
    return np.array(sorted(codes))


def ref_histograms(images, P, R, method, grid):
    """Rows of normalised histograms, cell by cell, channel by channel."""
    if images.ndim == 3:
        images = images[..., np.newaxis]
    values = possible_codes(P, method)
    edges = np.append(values, values[-1] + 1) - 0.5
    rows = []
    for image in images:
        codes = np.stack([ref_codes(image[..., c], P, R, method)
                          for c in range(image.shape[-1])], axis=-1)
        row = []
        for band in np.array_split(codes, grid[0], axis=0):
            for cell in np.array_split(band, grid[1], axis=1):
                for c in range(cell.shape[-1]):
                    counts = np.histogram(cell[..., c], bins=edges)[0]
                    assert counts.sum() == cell[..., c].size  # every code binned
                    row.append(counts / cell[..., c].size)
        rows.append(np.concatenate(row))
    return np.array(rows)


# -- codes -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("P", "R"), SETTINGS)
def test_codes_equal_scikit_image_on_integer_images(accelerate, method, P, R):
    images = textured((3, 23, 31), seed=P)
    out = local_binary_pattern(images, P, R, method=method)
    assert out.dtype == np.float64 and out.shape == images.shape
    for image, codes in zip(images, out, strict=True):
        assert_codes_equal(codes, ref_codes(image, P, R, method), method)


@pytest.mark.parametrize("method", ["uniform", "nri_uniform", "default"])
@pytest.mark.parametrize("P", [17, 24])
def test_codes_beyond_the_lookup_table(accelerate, method, P):
    images = textured((2, 15, 17), seed=3)
    out = local_binary_pattern(images, P, 2.0, method=method)
    for image, codes in zip(images, out, strict=True):
        np.testing.assert_array_equal(codes, ref_codes(image, P, 2.0, method))


@pytest.mark.parametrize("method", METHODS)
def test_float_images_float32_stays_float32(accelerate, method):
    images = np.random.default_rng(1).random((2, 16, 18)).astype(np.float32)
    images[:, 4:9, 3:10] = 0.5  # ties
    out = local_binary_pattern(images, 8, 1.5, method=method)
    assert out.dtype == np.float32
    for image, codes in zip(images, out, strict=True):
        ref = ref_codes(image.astype(np.float64), 8, 1.5, method)
        assert_codes_equal(codes.astype(np.float64), ref.astype(np.float32), method)


def test_colour_is_read_channel_by_channel_in_every_layout(accelerate):
    images = textured((2, 12, 14, 3), seed=5)
    out = local_binary_pattern(images, 8, 1.0, method="uniform")
    for k in range(2):
        for c in range(3):
            np.testing.assert_array_equal(
                out[k, ..., c], ref_codes(images[k, ..., c], 8, 1.0, "uniform"))
    first = local_binary_pattern(np.moveaxis(images, -1, 1), 8, 1.0,
                                 method="uniform", channel_axis=1)
    np.testing.assert_array_equal(first, np.moveaxis(out, -1, 1))
    flat = local_binary_pattern(images.reshape(2, -1), 8, 1.0, method="uniform",
                                image_shape=(12, 14, 3))
    np.testing.assert_array_equal(flat, out.reshape(2, -1))


def test_one_d_signals_are_images_one_pixel_high(accelerate):
    signals = textured((4, 30), seed=2)
    out = local_binary_pattern(signals, 4, 1.0)
    for signal, codes in zip(signals, out, strict=True):
        np.testing.assert_array_equal(codes, ref_codes(signal[None], 4, 1.0,
                                                       "default")[0])


def test_radius_is_read_as_a_c_float_like_scikit_image(accelerate):
    # 1.3 is not a float32: scikit-image samples at float32(1.3).
    images = textured((1, 20, 20), seed=4, levels=3)
    out = local_binary_pattern(images, 8, 1.3)
    np.testing.assert_array_equal(out[0], ref_codes(images[0], 8, 1.3, "default"))


@pytest.mark.parametrize("method", METHODS)
def test_radius_beyond_the_image_reads_zeros(accelerate, method):
    images = textured((2, 4, 5), seed=13) + 1
    for R in (4.5, 7.0, 1e3):
        out = local_binary_pattern(images, 6, R, method=method)
        for image, codes in zip(images, out, strict=True):
            assert_codes_equal(codes, ref_codes(image, 6, R, method), method)


def test_input_is_not_modified_and_read_only_input_works():
    images = textured((2, 10, 12), seed=6)
    images.flags.writeable = False
    before = images.copy()
    local_binary_pattern(images, 8, 1.0)
    np.testing.assert_array_equal(images, before)


# -- histograms ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["uniform", "nri_uniform", "ror", "default"])
@pytest.mark.parametrize("grid", [(1, 1), (2, 3), (5, 1)])
def test_histograms_equal_numpy_on_scikit_image_codes(accelerate, method, grid):
    images = textured((3, 21, 26), seed=7)
    out = lbp_histogram(images, 8, 1.0, method=method, grid=grid)
    np.testing.assert_allclose(out, ref_histograms(images, 8, 1.0, method, grid),
                               rtol=1e-15, atol=0)


@pytest.mark.parametrize(("P", "method"), [(18, "uniform"), (17, "nri_uniform"),
                                            (5, "ror"), (12, "ror")])
def test_histogram_bins_are_every_possible_code(accelerate, P, method):
    images = textured((2, 13, 11), seed=P)
    out = lbp_histogram(images, P, 2.0, method=method, grid=(2, 1))
    if P <= 12:
        np.testing.assert_allclose(out, ref_histograms(images, P, 2.0, method, (2, 1)))
    names = lbp_feature_names(P, method, (2, 1))
    assert out.shape[1] == len(names)
    if method == "ror":
        expected = [f"cell_0_0_lbp_{v}" for v in possible_codes(P, method)]
        assert names[: len(expected)].tolist() == expected


def test_colour_histograms_per_channel_and_float32(accelerate):
    images = textured((2, 16, 15, 3), seed=8).astype(np.float32)
    out = lbp_histogram(images, 8, 1.0, grid=(2, 2))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref_histograms(images.astype(np.float64), 8, 1.0,
                                                   "uniform", (2, 2)), rtol=1e-6)
    names = lbp_feature_names(8, "uniform", (2, 2), n_channels=3)
    assert names[0] == "cell_0_0_channel_0_lbp_0"
    assert names[-1] == "cell_1_1_channel_2_lbp_9"


# -- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(method="var"), "The 'method' parameter of lbp_histogram must be one of"
                         ".*Got 'var' instead: 'var' gives each pixel a real number"),
    (dict(method="lbp"), "The 'method' parameter of lbp_histogram must be one of"),
    (dict(P=17, method="default"), r"The 'P' parameter of lbp_histogram must be an "
                                   r"int in the range \[1, 16\] with method='default'"),
    (dict(P=0), r"The 'P' parameter of lbp_histogram must be an int in the range "
                r"\[1, 24\]"),
    (dict(R=0), r"The 'R' parameter of lbp_histogram must be a float in the range "
                r"\(0, 1e\+06\]"),
    (dict(grid=(0, 2)), "The 'grid' parameter of lbp_histogram must be an int >= 1"),
    (dict(grid=(2, 2, 2)), "The 'grid' parameter of lbp_histogram must be an int"),
    (dict(grid=(1, 9)), re.escape("must be at most the images' (height, width) "
                                  "(6, 8). Got (1, 9) instead: every cell needs")),
])
def test_histogram_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lbp_histogram(np.zeros((2, 6, 8)), **kwargs)


def test_feature_names_check_their_parameters():
    with pytest.raises(ValueError, match=r"The 'P' parameter of lbp_feature_names "
                                         r"must be an int in the range \[1, 16\]"):
        lbp_feature_names(20, "ror")
    assert lbp_feature_names(4, "uniform", 2)[-1] == "cell_1_1_lbp_5"


def test_code_errors_name_the_function():
    with pytest.raises(ValueError, match="The 'method' parameter of "
                                         "local_binary_pattern must be one of"):
        local_binary_pattern(np.zeros((1, 4, 4)), method="uniformly")
    with pytest.raises(ValueError, match="contains NaN"):
        local_binary_pattern(np.full((1, 4, 4), np.nan))
    with pytest.raises(ValueError, match="0 sample"):
        local_binary_pattern(np.zeros((0, 4, 4), np.uint8))
    with pytest.raises(ValueError, match="Reshape your data"):
        local_binary_pattern(np.zeros(5, np.uint8))


# -- the estimator ---------------------------------------------------------------------


def test_estimator_equals_the_function_with_names_and_pandas():
    images = textured((4, 18, 20, 3), seed=9)
    est = LBPHistogram(8, 1.5, method="nri_uniform", grid=(1, 2))
    out = est.fit_transform(images)
    np.testing.assert_array_equal(
        out, lbp_histogram(images, 8, 1.5, method="nri_uniform", grid=(1, 2)))
    names = est.get_feature_names_out()
    assert len(names) == out.shape[1] == 2 * 3 * 59
    assert names[0] == "cell_0_0_channel_0_lbp_0"
    pd = pytest.importorskip("pandas")
    frame = est.set_output(transform="pandas").fit_transform(images)
    assert isinstance(frame, pd.DataFrame)
    assert frame.columns.tolist() == names.tolist()
    np.testing.assert_array_equal(frame.to_numpy(), out)


def test_gray_names_and_flat_rows():
    images = textured((3, 8, 8), seed=10)
    est = LBPHistogram(image_shape=(8, 8)).fit(images.reshape(3, -1))
    assert est.get_feature_names_out().tolist() == [f"lbp_{i}" for i in range(10)]
    np.testing.assert_array_equal(est.transform(images.reshape(3, -1)),
                                  lbp_histogram(images))


def test_dask_batch_is_lazy_one_row_per_image_in_its_chunks():
    da = pytest.importorskip("dask.array")
    images = textured((10, 12, 14), seed=11)
    lazy = da.from_array(images, chunks=(4, 6, 7))
    est = LBPHistogram(grid=(2, 2))
    result = est.fit_transform(lazy)
    assert isinstance(result, da.Array)
    assert result.chunks == ((4, 4, 2), (40,))
    np.testing.assert_array_equal(result.compute(), est.transform(images))
    lazy32 = da.from_array(images.astype(np.float32), chunks=(5, 12, 14))
    assert est.transform(lazy32).dtype == np.float32


def test_paths_agree_on_a_large_image():
    images = textured((2, 130, 150), seed=12)
    fast = lbp_histogram(images, 16, 2.0, method="nri_uniform", grid=3)
    with skimgproc.config_context(accelerate=False):
        reference = lbp_histogram(images, 16, 2.0, method="nri_uniform", grid=3)
    np.testing.assert_array_equal(fast, reference)


# -- properties -----------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 5), st.integers(1, 9), st.integers(1, 9),
       st.integers(0, 2**32 - 1), st.data())
def test_order_does_not_matter_and_cells_sum_to_one(n, h, w, seed, data):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 4, size=(n, h, w))
    grid = (data.draw(st.integers(1, h)), data.draw(st.integers(1, w)))
    P = data.draw(st.integers(1, 10))
    R = data.draw(st.floats(0.5, 4.0))
    method = data.draw(st.sampled_from(["uniform", "nri_uniform", "ror", "default"]))
    out = lbp_histogram(images, P, R, method=method, grid=grid)
    order = rng.permutation(n)
    np.testing.assert_array_equal(
        lbp_histogram(images[order], P, R, method=method, grid=grid), out[order])
    cells = out.reshape(n, grid[0] * grid[1], -1)
    np.testing.assert_allclose(cells.sum(axis=-1), 1.0, rtol=1e-12)
