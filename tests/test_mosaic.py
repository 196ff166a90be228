"""The tile engine: images in a mosaic never mix, whatever the tiling.

Batches of several tiles, split over threads, give each image what scipy
gives it alone; the compiled kernels read the mosaic's layout as the
Python engine does; inputs are never written.
"""

import numpy as np
import pytest
from sklearn.base import clone
from test_measure import ALL_FEATURES, ref_features, ref_label
from test_morphology import EXPLICIT, blobs, ref_closing, ref_opening

from skimgproc import (
    BinaryClosing,
    BinaryOpening,
    BinaryOpeningCounter,
    ConnectedComponents,
    _mosaic,
    binary_closing,
    binary_opening,
    config_context,
    count_objects,
    label,
    threshold,
)
from skimgproc._batch import as_batch
from skimgproc.thresholding import Binarization

# -- tiles, threads and batches --------------------------------------------------------


@pytest.mark.parametrize(
    "make", [lambda: BinaryOpening((5, 3), 2), lambda: BinaryClosing(EXPLICIT[1], 2),
             lambda: ConnectedComponents(2),
             lambda: BinaryOpeningCounter(0.5, foreground="above",
                                          features=ALL_FEATURES)]
)
def test_batch_independence(make, accelerate):
    X = blobs(np.random.default_rng(9), 6, (20, 18))
    est = make().fit(X)
    whole = est.transform(X)
    for i in range(len(X)):
        np.testing.assert_array_equal(whole[i], est.transform(X[i:i + 1])[0])


def test_many_small_images_match_scipy(accelerate):
    # Enough images for several tiles of the mosaic (the last one partial).
    rng = np.random.default_rng(14)
    binary = blobs(rng, 700, (30, 26), sigma=1.5)
    gray = np.where(binary > 0, 30.0, 220.0).astype(np.float32)
    ones = np.ones((3, 3), bool)
    table = count_objects(gray, structure=(3, 3), iterations=1, connectivity=2,
                          features=ALL_FEATURES, n_jobs=1)
    labels = label(binary, connectivity=2, n_jobs=1)
    closed = binary_closing(binary, (2, 3), 2, n_jobs=1)
    for i in range(0, len(binary), 7):
        expected = ref_features(ref_opening(binary[i], ones), connectivity=2)
        np.testing.assert_allclose(table[i], [expected[f] for f in ALL_FEATURES],
                                   rtol=1e-6)
        np.testing.assert_array_equal(labels[i], ref_label(binary[i], 2)[0])
        np.testing.assert_array_equal(
            closed[i], ref_closing(binary[i], np.ones((2, 3), bool), 2)
        )


def test_threads_give_the_same_result(accelerate):
    # More than one chunk of run_chunked (2 MB): 40 float64 images of 96 x 96.
    X = blobs(np.random.default_rng(10), 40, (96, 96))
    for est in (BinaryOpening((5, 3), 2), ConnectedComponents(),
                BinaryOpeningCounter(0.5, foreground="above", features=ALL_FEATURES)):
        one = clone(est).set_params(n_jobs=1).fit_transform(X)
        two = clone(est).set_params(n_jobs=2).fit_transform(X)
        np.testing.assert_array_equal(one, two)


def test_inputs_are_never_written(tmp_path, accelerate):
    rng = np.random.default_rng(13)
    gray = 255 * rng.random((3, 20, 20))
    gray.setflags(write=False)
    memmap = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+",
                                       dtype=np.float32, shape=gray.shape)
    memmap[...] = gray
    memmap.flush()
    readonly = np.load(tmp_path / "x.npy", mmap_mode="r")
    for X in (gray, readonly):
        before = np.array(X, copy=True)
        threshold(X, "otsu")
        binary_opening(X, (3, 3), 2)
        binary_closing(X, EXPLICIT[0])
        label(X, connectivity=2)
        count_objects(X, features=ALL_FEATURES)
        np.testing.assert_array_equal(X, before)


# -- the layout, as the Python engine and the kernels read it --------------------------

GEOMETRIES = [((1, 1), (1, 1)), ((5, 7), (1, 1)), ((5, 7), (3, 2)), ((4, 9), (8, 1)),
              ((1, 30), (1, 4))]


def by_hand(images, gaps):
    """A mosaic built by index arithmetic: background, and image ``k`` from
    row ``gap_rows + k * (height + gap_rows)``, columns ``0 .. width``."""
    n, h, w = images.shape
    out = np.zeros((gaps[0] + n * (h + gaps[0]), w + gaps[1]), bool)
    for k in range(n):
        top = gaps[0] + k * (h + gaps[0])
        out[top:top + h, :w] = images[k]
    return out


def tile_of(n, shape, gaps):
    tile = _mosaic.Mosaic(n, _mosaic.MosaicLayout(shape, gaps))
    tile.buffer[...] = True  # garbage: what a previous tile left
    return tile


@pytest.mark.parametrize("shape, gaps", GEOMETRIES)
@pytest.mark.parametrize("foreground", ["below", "above", None])
def test_binarize_writes_images_and_background_where_the_layout_says(
        shape, gaps, foreground, accelerate):
    rng = np.random.default_rng(sum(shape) + sum(gaps))
    src = rng.integers(0, 4, (3, *shape)).astype(np.float32)
    if foreground is None:
        binarization, expected = Binarization(), src != 0
    else:
        binarization = Binarization(1.5, foreground)
        expected = src < 1.5 if foreground == "below" else src > 1.5
    plan = _mosaic.plan_tiles(binarization, None)
    assert (plan.kernels is not None) == (
        accelerate and _mosaic.optional_module("numba") is not None)
    tile = tile_of(3, shape, gaps)
    _mosaic._TileBinarizer(as_batch(src), binarization, plan.kernels)(src, tile)
    np.testing.assert_array_equal(tile.buffer, by_hand(expected, gaps))
    np.testing.assert_array_equal(tile.images(tile.buffer), expected)


@pytest.mark.parametrize("shape, gaps", GEOMETRIES)
def test_gaps_cleared_where_the_layout_says(shape, gaps):
    kernels = pytest.importorskip("skimgproc._morphology_numba")
    everything = np.ones((2, *shape), bool)
    python, compiled = tile_of(2, shape, gaps), tile_of(2, shape, gaps)
    python.clear_gaps(python.buffer)
    kernels.clear_gaps(compiled.flat(compiled.buffer), *compiled.geometry)
    np.testing.assert_array_equal(python.buffer, by_hand(everything, gaps))
    np.testing.assert_array_equal(compiled.buffer, by_hand(everything, gaps))


def test_tile_rows_never_copy():
    tile = tile_of(2, (3, 4), (1, 1))
    out = np.zeros((2, 3, 4))
    tile_rows = _mosaic.tile_rows(out, tile)
    tile_rows[...] = 1
    assert out.all()
    assert _mosaic.tile_rows(np.zeros((2, 4)), tile_of(2, (1, 4), (1, 1))).shape \
        == (2, 1, 4)
    transposed = np.zeros((2, 4, 3)).transpose(0, 2, 1)
    with pytest.raises(AttributeError):  # no view of it as (2, 1, 12)
        _mosaic.tile_rows(transposed, tile_of(2, (1, 12), (1, 1)))


@pytest.mark.parametrize("function", [binary_opening, label, count_objects])
def test_nan_found_by_either_binarizer(function, accelerate):
    X = np.zeros((40, 30, 30))
    X[33, 4, 5] = np.nan
    X[2, 0, 0] = np.inf
    with config_context(accelerate=accelerate), pytest.raises(
            ValueError, match=r"contains NaN or inf \(1 NaN, 1 inf values\)"):
        function(X)
