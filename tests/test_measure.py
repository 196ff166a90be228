"""Labelling and object counting against scipy.ndimage on each image alone.

Every result is compared with scipy.ndimage run on each image alone (the
independent reference), on both the accelerated path (OpenCV labels, and
numba's run counter for counts) and the reference one, which the
``accelerate`` fixture switches; the ``counting`` fixture forces each of
the three counting engines in turn.
"""

import re

import numpy as np
import pytest
from conftest import PATHS, three_paths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import ndimage as ndi
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import StandardScaler
from test_morphology import blobs, ref_closing, ref_opening, small_images

import skimgproc
from skimgproc import (
    BinaryClosing,
    BinaryOpening,
    BinaryOpeningCounter,
    ConnectedComponents,
    Flatten,
    Threshold,
    binary_opening,
    count_objects,
    label,
)

# OpenCV runs here where installed: the base install's path too.
accelerate = pytest.fixture(params=PATHS)(three_paths)

ALL_FEATURES = ("n_objects", "mean_area", "max_area", "total_area")


# The finishing step each engine counts with, and whether OpenCV labels.
ENGINE_STEPS = {"runs": ("CountRuns", False), "opencv": ("CountLabels", True),
                "scipy": ("CountLabels", False)}


@pytest.fixture(params=["runs", "opencv", "scipy"])
def counting(request, monkeypatch):
    """The engine that counts: numba's (run counter and 1-D windows),
    OpenCV's labels and NumPy's windows (numba missing), or scipy's labels
    and NumPy's windows (the reference path). Forced through the families'
    loader seam, and checked to be the one that ran."""
    needs = {"runs": "numba", "opencv": "cv2"}.get(request.param)
    if needs:
        pytest.importorskip(needs)
    if request.param == "opencv":
        # numba missing: neither of its kernel modules loads.
        for module in (skimgproc.measure._count, skimgproc._mosaic):
            real = module.optional_module
            monkeypatch.setattr(
                module, "optional_module",
                lambda name, real=real: None if name.endswith("_numba") else real(name))
    steps = []
    real_run_tiles = skimgproc.measure._count.run_tiles

    def run_tiles(batch, plan, finish, out, n_jobs):
        count = getattr(finish, "finish", finish)  # after hole filling
        steps.append((type(count).__name__, getattr(count, "cv2", None) is not None))
        return real_run_tiles(batch, plan, finish, out, n_jobs)

    monkeypatch.setattr(skimgproc.measure._count, "run_tiles", run_tiles)
    with skimgproc.config_context(accelerate=request.param != "scipy"):
        yield request.param
    assert steps and set(steps) == {ENGINE_STEPS[request.param]}


# -- independent references ------------------------------------------------------------


def ref_label(image, connectivity=1):
    return ndi.label(image != 0, ndi.generate_binary_structure(2, connectivity))


def ref_features(binary, connectivity=1):
    labels, n = ref_label(binary, connectivity)
    areas = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    return {
        "n_objects": n,
        "mean_area": areas.mean() if n else 0.0,
        "max_area": areas.max() if n else 0.0,
        "total_area": areas.sum(),
    }


def make_houses(n_rows=3, n_cols=4, *, bridges=5, seed=0, size=24, spacing=36,
                bridge_width=6, bridge_height=12):
    """A gray "houses" image: dark 24 x 24 squares on a light, noisy
    background, some joined by bridges (vertical ones 6 px wide, horizontal
    ones 12 px high) that an opening by ones((9, 5)) twice (a 17 x 9
    rectangle) removes, while smaller rectangles keep them and a 31 x 31 one
    erases the houses too. Returns the image and the true number of houses."""
    rng = np.random.default_rng(seed)
    margin = 12
    image = np.full(
        (2 * margin + n_rows * spacing, 2 * margin + n_cols * spacing), 210.0
    )
    image += rng.uniform(-30, 30, image.shape)
    corners = {}
    for r in range(n_rows):
        for c in range(n_cols):
            y, x = margin + r * spacing, margin + c * spacing
            image[y:y + size, x:x + size] = rng.uniform(20, 90, (size, size))
            corners[r, c] = (y, x)
    pairs = [((r, c), (r, c + 1)) for r in range(n_rows) for c in range(n_cols - 1)]
    pairs += [((r, c), (r + 1, c)) for r in range(n_rows - 1) for c in range(n_cols)]
    for k in rng.choice(len(pairs), size=bridges, replace=False):
        (y0, x0), (y1, x1) = corners[pairs[k][0]], corners[pairs[k][1]]
        if y0 == y1:  # side by side: a horizontal bridge 12 px high
            yb = y0 + (size - bridge_height) // 2
            image[yb:yb + bridge_height, x0 + size:x1] = 60.0
        else:  # one above the other: a vertical bridge 6 px wide
            xb = x0 + (size - bridge_width) // 2
            image[y0 + size:y1, xb:xb + bridge_width] = 60.0
    return image, n_rows * n_cols


# -- labelling and counting against scipy ----------------------------------------------


@pytest.mark.parametrize("connectivity", [1, 2])
@pytest.mark.parametrize("shape", [(1, 1), (1, 30), (30, 1), (2, 2), (25, 40)])
def test_label_matches_scipy_per_image(connectivity, shape, accelerate):
    rng = np.random.default_rng(connectivity + sum(shape))
    X = blobs(rng, 6, shape)
    X[0] = 0
    X[1] = 1
    labels, counts = label(X, connectivity=connectivity, return_counts=True)
    est = ConnectedComponents(connectivity).fit_transform(X)
    assert labels.dtype == np.int32
    np.testing.assert_array_equal(labels, est)
    for i in range(len(X)):
        expected, n = ref_label(X[i], connectivity)
        np.testing.assert_array_equal(labels[i], expected)
        assert counts[i] == n


@pytest.mark.parametrize("engine", ["runs", "opencv", "scipy"])
def test_each_labeller_matches_scipy_per_image(engine, monkeypatch):
    # The run labeller, OpenCV's and scipy's, each forced (the accelerated
    # path takes the first that is installed).
    wanted = {"runs": "skimgproc.measure._count_numba", "opencv": "cv2"}
    fast = pytest.importorskip(wanted[engine]) if engine in wanted else None
    monkeypatch.setattr(skimgproc.measure._label, "fast_labeller", lambda: fast)
    rng = np.random.default_rng(3)
    X = blobs(rng, 8, (23, 31))
    for connectivity in (1, 2):
        labels = label(X, connectivity=connectivity)
        for i in range(len(X)):
            np.testing.assert_array_equal(labels[i], ref_label(X[i], connectivity)[0])


def test_label_never_connects_neighbouring_images(accelerate):
    # The same full image three times: a 3-D scipy label with its default
    # structure would find one object; each image has its own.
    X = np.ones((3, 4, 5))
    labels, counts = label(X, return_counts=True)
    np.testing.assert_array_equal(counts, [1, 1, 1])
    np.testing.assert_array_equal(labels, X)
    assert ndi.label(X)[1] == 1  # the trap being avoided


def test_nonbinary_input_nonzero_is_foreground():
    rng = np.random.default_rng(6)
    X = rng.choice([-2.5, 0.0, 0.0, 3.0, 7.0], size=(3, 16, 16))
    ones = np.ones((3, 3), bool)
    opened = binary_opening(X, (3, 3))
    assert set(np.unique(opened)) <= {0.0, 1.0}
    for i in range(3):
        np.testing.assert_array_equal(opened[i], ref_opening(X[i], ones))
        np.testing.assert_array_equal(label(X)[i], ref_label(X[i])[0])


@pytest.mark.parametrize("operation", ["opening", "closing", "none"])
@pytest.mark.parametrize("connectivity", [1, 2])
def test_count_objects_matches_scipy(operation, connectivity, accelerate):
    rng = np.random.default_rng(11)
    binary = blobs(rng, 6, (48, 40))
    binary[0] = 0
    binary[1, :, :] = 1
    gray = np.where(binary > 0, 40.0, 200.0) + rng.uniform(-20, 20, binary.shape)
    structure, iterations = (5, 3), 2
    ones = np.ones(structure, bool)
    reference = {"opening": ref_opening, "closing": ref_closing,
                 "none": lambda b, s, k: b != 0}[operation]
    table = count_objects(gray, structure=structure, iterations=iterations,
                          operation=operation, connectivity=connectivity,
                          features=ALL_FEATURES)
    counts = count_objects(gray, structure=structure, iterations=iterations,
                           operation=operation, connectivity=connectivity)
    assert counts.dtype == np.int64 and table.shape == (6, 4)
    for i in range(len(gray)):
        expected = ref_features(reference(binary[i], ones, iterations), connectivity)
        assert counts[i] == expected["n_objects"]
        np.testing.assert_allclose(table[i], [expected[f] for f in ALL_FEATURES])


def _check_counts(binary, connectivity, **params):
    table = count_objects(np.where(binary, 0.0, 255.0), features=ALL_FEATURES,
                          connectivity=connectivity, operation="none", **params)
    assert table.shape == (len(binary), 4)
    for i, image in enumerate(binary):
        expected = ref_features(image, connectivity)
        np.testing.assert_allclose(table[i], [expected[f] for f in ALL_FEATURES],
                                   err_msg=f"image {i}")


@pytest.mark.parametrize("connectivity", [1, 2])
def test_count_engines_on_extreme_images(connectivity, counting):
    shape = (7, 9)
    rows, cols = np.indices(shape)
    extremes = np.stack([
        np.zeros(shape, bool),
        np.ones(shape, bool),
        (rows + cols) % 2 == 0,  # the most runs: 4-connected, all apart
        (rows % 2 == 0) & (cols % 2 == 0),  # apart in both connectivities
        rows == cols,  # one diagonal: one object only with corners
        (rows + cols == 8) | (rows == cols),  # a cross of diagonals
        np.isin(cols, [0, 8]) | (rows == 6),  # a U: joined at its bottom row
    ])
    _check_counts(extremes, connectivity)
    _check_counts(extremes[:, :1], connectivity)  # one pixel wide
    _check_counts(extremes[:, :, :1], connectivity)
    _check_counts(extremes[:, :1, :1], connectivity)


# The engine fixture holds for every example.
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 300), h=st.integers(1, 40), w=st.integers(1, 40),
       density=st.floats(0.05, 0.95), seed=st.integers(0, 2**32 - 1),
       connectivity=st.integers(1, 2))
def test_count_engines_match_scipy_on_random_batches(counting, n, h, w, density,
                                                     seed, connectivity):
    # Up to 300 images: several per mosaic tile, and several tiles.
    binary = np.random.default_rng(seed).random((n, h, w)) < density
    _check_counts(binary, connectivity, n_jobs=2)


def test_count_engines_on_large_images(counting):
    # Tiles of one image each, split over threads; and one 1-D signal.
    rng = np.random.default_rng(5)
    binary = blobs(rng, 5, (300, 700)) > 0
    _check_counts(binary, 1, n_jobs=2)
    _check_counts(binary, 2, n_jobs=1)
    signal = rng.random((3, 5000)) < 0.5
    table = count_objects(np.where(signal, 0.0, 255.0), operation="none")
    np.testing.assert_array_equal(table, [ndi.label(s)[1] for s in signal])


def test_counter_equals_function_and_keeps_float32(accelerate):
    rng = np.random.default_rng(12)
    gray = (255 * (1 - blobs(rng, 4, (30, 30)))).astype(np.float32)
    counter = BinaryOpeningCounter(structure=(3, 3), features=("max_area", "n_objects"))
    out = counter.fit_transform(gray)
    assert out.dtype == np.float32 and out.shape == (4, 2)
    np.testing.assert_array_equal(
        out, count_objects(gray, structure=(3, 3), features=("max_area", "n_objects"))
    )
    np.testing.assert_array_equal(out[:, 1], count_objects(gray, structure=(3, 3)))
    assert counter.get_feature_names_out().tolist() == ["max_area", "n_objects"]


def test_counter_names_columns_of_data_frames():
    pytest.importorskip("pandas")
    X = np.full((3, 20, 20), 200.0)
    X[:, 5:15, 5:15] = 0.0
    counter = BinaryOpeningCounter(structure=(3, 3), features=ALL_FEATURES)
    frame = counter.set_output(transform="pandas").fit_transform(X)
    assert list(frame.columns) == list(ALL_FEATURES)
    assert frame["total_area"].tolist() == [100.0] * 3


def test_counter_learns_otsu_threshold():
    X = np.full((2, 30, 30), 220.0)
    X[:, 5:20, 5:20] = 90.0
    X[1, 22:28, 22:28] = 150.0  # gray, dark only for a learned threshold
    counter = BinaryOpeningCounter("otsu", structure=(3, 3), iterations=1).fit(X)
    assert 90.0 < counter.threshold_ < 220.0
    expected = [ref_features(ref_opening(X[i] < counter.threshold_,
                                         np.ones((3, 3), bool)))["n_objects"]
                for i in range(2)]
    np.testing.assert_array_equal(counter.transform(X)[:, 0], expected)
    with pytest.raises(NotFittedError):
        BinaryOpeningCounter("mean").transform(X)


# -- properties (hypothesis) -----------------------------------------------------------

TRANSFORMS = {
    "flip rows": (lambda a: a[::-1], lambda s: s[::-1]),
    "flip columns": (lambda a: a[:, ::-1], lambda s: s[:, ::-1]),
    "rotate 90": (np.rot90, np.rot90),
    "transpose": (np.transpose, np.transpose),
}


@settings(max_examples=50, deadline=None)
@given(image=small_images, h=st.integers(1, 3), w=st.integers(1, 3),
       iterations=st.integers(1, 3), connectivity=st.integers(1, 2),
       name=st.sampled_from(sorted(TRANSFORMS)), explicit=st.booleans(),
       seed=st.integers(0, 2**32 - 1), operation=st.sampled_from(["opening",
                                                                   "closing"]))
@pytest.mark.parametrize("accelerate", [True, False])
def test_count_invariant_under_symmetries_of_the_structure(
    accelerate, image, h, w, iterations, connectivity, name, explicit, seed, operation
):
    move_image, move_structure = TRANSFORMS[name]
    if name in ("rotate 90", "transpose"):
        w = h  # only a square can be symmetric under these
    # Odd sizes: centred, so that the symmetry maps the origin to itself.
    structure = np.ones((2 * h - 1, 2 * w - 1), bool)
    if explicit:  # a random element made symmetric
        structure = np.random.default_rng(seed).random(structure.shape) < 0.5
        for _ in range(4):
            structure = structure | move_structure(structure)
        structure[h - 1, w - 1] = True
    assert np.array_equal(move_structure(structure), structure)
    kwargs = dict(threshold=0.5, foreground="above", structure=structure,
                  iterations=iterations, connectivity=connectivity,
                  operation=operation)
    with skimgproc.config_context(accelerate=accelerate):
        before = count_objects(image[None], **kwargs)
        after = count_objects(np.ascontiguousarray(move_image(image))[None], **kwargs)
    assert before[0] == after[0]


@settings(max_examples=50, deadline=None)
@given(images=st.lists(small_images, min_size=1, max_size=4),
       connectivity=st.integers(1, 2))
@pytest.mark.parametrize("accelerate", [True, False])
def test_labels_are_consecutive_per_image(accelerate, images, connectivity):
    shape = images[0].shape
    X = np.stack([np.resize(im, shape) for im in images])
    with skimgproc.config_context(accelerate=accelerate):
        labels, counts = label(X, connectivity=connectivity, return_counts=True)
    for i in range(len(X)):
        present = np.unique(labels[i])
        np.testing.assert_array_equal(present[present > 0],
                                      np.arange(1, counts[i] + 1))
        np.testing.assert_array_equal(labels[i] > 0, X[i] > 0)


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(foreground="dark"), "'foreground' parameter"),
        (dict(operation="erosion"), "'operation' parameter"),
        (dict(connectivity=3), "'connectivity' parameter"),
        (dict(connectivity=0), "'connectivity' parameter"),
        (dict(features=()), "'features' parameter"),
        (dict(features=("n_objects", "n_objects")), "'features' parameter"),
        (dict(features=("perimeter",)), "'features' parameter"),
        (dict(features=3), "'features' parameter"),
        (dict(n_jobs=0), "'n_jobs' parameter"),
    ],
)
def test_bad_counter_params_refused(params, match):
    with pytest.raises(ValueError, match=match):
        BinaryOpeningCounter(**params).fit(np.zeros((2, 8, 8)))


def test_single_feature_name_accepted():
    X = np.zeros((2, 8, 8))
    X[:, 2:6, 2:6] = 255
    counter = BinaryOpeningCounter(foreground="above", structure=(3, 3),
                                   iterations=1, features="total_area").fit(X)
    np.testing.assert_array_equal(counter.transform(X), [[16.0], [16.0]])


@pytest.mark.parametrize("make", [Threshold, BinaryOpening, BinaryClosing,
                                  ConnectedComponents, BinaryOpeningCounter])
def test_colour_input_suggests_grayscale(make):
    for colour, shown in [
        (np.zeros((2, 8, 8, 3)), "shape (2, 8, 8, 3)"),
        (np.zeros((2, 3, 8, 8)), "shape (2, 3, 8, 8)"),  # channels first
        (np.zeros((2, 192)), "shape (2, 192) with image_shape=(8, 8, 3)"),
    ]:
        params = {"image_shape": (8, 8, 3)} if colour.ndim == 2 else {}
        message = (f"works on grayscale images (n_samples, height, width), but "
                   f"X holds colour images ({shown}). Convert to gray first")
        with pytest.raises(ValueError, match=re.escape(message)):
            make(**params).fit(colour)


def test_bad_batches_refused():
    with pytest.raises(ValueError, match="NaN"):
        count_objects(np.full((1, 4, 4), np.nan))
    with pytest.raises(ValueError, match="empty batch"):
        binary_opening(np.zeros((0, 4, 4)))
    with pytest.raises(ValueError, match="3-D array|got a 1-D"):
        label(np.zeros(5))
    with pytest.raises(ValueError, match="'return_counts' parameter"):
        label(np.zeros((1, 3, 3)), return_counts="yes")


# -- as a user would: the houses, a parameter search, a feature step -------------------


def test_houses_bridges_are_separated_by_the_opening(accelerate):
    image, n_houses = make_houses(seed=0, bridges=6)
    X = image[None]
    without = count_objects(X, operation="none")[0]
    assert without < n_houses  # the bridges join houses
    assert BinaryOpeningCounter(structure=(9, 5), iterations=2).fit_transform(X)[0, 0] \
        == n_houses
    # The counts are those of the chapter's scipy recipe.
    binary = 1 * (image < 128)
    assert without == ndi.label(binary)[1]
    assert n_houses == ndi.label(
        ndi.binary_opening(binary, np.ones((9, 5)), iterations=2))[1]


def test_grid_search_picks_the_setting_that_counts_right():
    images, truth = zip(*(make_houses(seed=s, bridges=5) for s in range(6)),
                          strict=True)
    X, y = np.stack(images), np.array(truth, dtype=float)

    def count_error(estimator, X, y):
        return -np.abs(estimator.transform(X)[:, 0] - y).mean()

    grid = {"iterations": [1, 2], "structure": [(3, 3), (9, 5), (31, 31)]}
    search = GridSearchCV(BinaryOpeningCounter(), grid, scoring=count_error, cv=3)
    search.fit(X, y)
    assert search.best_params_ == {"iterations": 2, "structure": (9, 5)}
    assert search.best_score_ == 0.0
    # Every other setting miscounts: the choice is not a tie.
    scores = search.cv_results_["mean_test_score"]
    assert np.sum(scores == 0.0) == 1


def test_counter_as_feature_step_on_digits():
    digits = load_digits()
    X, y = digits.data[:600], digits.target[:600]
    counter = BinaryOpeningCounter(
        8.0, foreground="above", structure=(2, 2), iterations=1, connectivity=2,
        features=("n_objects", "total_area"), image_shape=(8, 8),
    )
    union = FeatureUnion([("count", counter), ("pixels", Flatten())])
    model = make_pipeline(union, StandardScaler(), LogisticRegression(max_iter=2000))
    model.fit(X[:450], y[:450])
    assert model.score(X[450:], y[450:]) > 0.85
    names = union.get_feature_names_out()
    assert names[:2].tolist() == ["count__n_objects", "count__total_area"]
    assert len(names) == 2 + 64
    # The counter's columns are scipy's counts and areas on each digit.
    features = union.transform(X[:20])[:, :2]
    for i in range(20):
        opened = ref_opening(X[i].reshape(8, 8) > 8, np.ones((2, 2), bool))
        expected = ref_features(opened, connectivity=2)
        np.testing.assert_array_equal(
            features[i], [expected["n_objects"], expected["total_area"]]
        )


def test_counts_are_exact_beyond_float32_integers():
    # 2**24 + 1 objects in one float32 signal: the counts never pass through
    # the float32 feature table (float32 would give 2**24).
    n = 2**24 + 1
    signal = np.zeros((1, 2 * n), np.float32)
    signal[0, ::2] = 255.0
    counts = count_objects(signal, foreground="above", operation="none")
    assert counts.dtype == np.int64 and counts.tolist() == [n]
