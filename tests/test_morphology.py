"""Thresholding, binary opening and closing, labelling and object counting.

Every result is compared with scipy.ndimage run on each image alone (the
independent reference), on both the reference path and the accelerated one
(OpenCV labels, and numba's run counter for counts), which the ``path``
fixture switches; the ``counting`` fixture runs each of the three counting
engines.
"""

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import ndimage as ndi
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import StandardScaler

import skimgproc
from skimgproc import (
    BinaryClosing,
    BinaryOpening,
    BinaryOpeningCounter,
    ConnectedComponents,
    Flatten,
    Threshold,
    binary_closing,
    binary_opening,
    count_objects,
    label,
    threshold,
)

ALL_FEATURES = ("n_objects", "mean_area", "max_area", "total_area")


@pytest.fixture(params=[True, False], ids=["accelerated", "reference"])
def path(request):
    with skimgproc.config_context(accelerate=request.param):
        yield request.param


@pytest.fixture(params=["runs", "opencv", "scipy"])
def counting(request, monkeypatch):
    """The engine that counts: numba's (run counter and 1-D windows),
    OpenCV's labels and NumPy's windows (numba missing), or scipy's labels
    and NumPy's windows (the reference path)."""
    needs = {"runs": "numba", "opencv": "cv2"}.get(request.param)
    if needs:
        pytest.importorskip(needs)
    if request.param == "opencv":
        monkeypatch.setattr(skimgproc.morphology, "_compiled", lambda: None)
    with skimgproc.config_context(accelerate=request.param != "scipy"):
        yield request.param


# -- independent references: scipy.ndimage on one image at a time --------------


def _fits(structure, image):
    return all(s <= i for s, i in zip(structure.shape, image.shape, strict=True))


def _scipy_iterated(function, image, structure, iterations):
    """scipy's ``function(image, structure, iterations=k)``. scipy's own
    iterations > 1 corrupts memory when the structure is larger than the
    image (scipy/scipy#11400); there, the documented meaning ("repeated k
    times") is applied by hand (test_scipy_loop_equals_iterations checks
    the two agree where scipy is safe)."""
    if _fits(structure, image):
        return function(image, structure, iterations=iterations)
    for _ in range(iterations):
        image = function(image, structure)
    return image


def ref_opening(image, structure, iterations=1):
    eroded = _scipy_iterated(ndi.binary_erosion, image != 0, structure, iterations)
    return _scipy_iterated(ndi.binary_dilation, eroded, structure, iterations)


def ref_closing(image, structure, iterations=1):
    dilated = _scipy_iterated(ndi.binary_dilation, image != 0, structure, iterations)
    return _scipy_iterated(ndi.binary_erosion, dilated, structure, iterations)


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


def blobs(rng, n, shape, density=None, sigma=None):
    """Random binary blobs of random sizes (smoothed noise, thresholded)."""
    noise = rng.standard_normal((n, *shape))
    sigma = rng.uniform(0.5, 3.0) if sigma is None else sigma
    smooth = ndi.gaussian_filter(noise, (0, sigma, sigma))
    density = rng.uniform(0.2, 0.7) if density is None else density
    cut = np.quantile(smooth, 1 - density, axis=(1, 2), keepdims=True)
    return (smooth > cut).astype(np.float64)


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


# -- threshold -----------------------------------------------------------------


@pytest.mark.parametrize("foreground", ["below", "above"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8, np.int64])
def test_threshold_matches_comparison(foreground, dtype):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (3, 7, 9)).astype(dtype)
    expected = X < 128 if foreground == "below" else X > 128
    out = threshold(X, 128, foreground=foreground)
    est = Threshold(128, foreground=foreground).fit_transform(X)
    assert out.dtype == (np.float32 if dtype == np.float32 else np.float64)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(est, expected)
    # The chapter's 1 * (im < 128) keeps 128 itself in the background.
    assert threshold(np.full((1, 2, 2), 128.0))[0].sum() == 0


def test_threshold_float32_is_exact_at_rounding():
    # 0.1 is not a float32: the split must be that of the exact comparison.
    values = np.float32(0.1) + np.arange(-3, 4) * np.spacing(np.float32(0.1))
    X = values.astype(np.float32).reshape(1, 1, -1)
    for foreground, compare in (("below", np.less), ("above", np.greater)):
        expected = compare(X.astype(np.float64), 0.1)
        assert 0 < expected.sum() < expected.size
        np.testing.assert_array_equal(
            threshold(X, 0.1, foreground=foreground), expected
        )


def test_threshold_flat_rows_and_signals():
    X = np.arange(12.0).reshape(2, 6) * 20
    np.testing.assert_array_equal(threshold(X, 100), X < 100)
    flat = threshold(X, 100, image_shape=(2, 3))
    assert flat.shape == (2, 6)
    np.testing.assert_array_equal(flat, X < 100)


def test_threshold_learned_in_fit_and_reused():
    rng = np.random.default_rng(1)
    train = rng.uniform(0, 100, (4, 10, 10))
    test = rng.uniform(0, 100, (3, 10, 10))
    est = Threshold("mean").fit(train)
    assert est.threshold_ == pytest.approx(train.mean())
    np.testing.assert_array_equal(est.transform(test), test < train.mean())
    # The function has no fit: it computes the threshold from its batch.
    np.testing.assert_array_equal(threshold(test, "mean"), test < test.mean())


def test_threshold_learned_requires_fit_numeric_does_not():
    X = np.random.default_rng(2).uniform(0, 255, (2, 5, 5))
    for value in ("mean", "otsu"):
        est = Threshold(value)
        assert est.__sklearn_tags__().requires_fit
        with pytest.raises(NotFittedError):
            est.transform(X)
    est = Threshold(100.0)
    assert not est.__sklearn_tags__().requires_fit
    np.testing.assert_array_equal(est.transform(X), X < 100)
    # A learned threshold from another setting is not reused silently.
    est = Threshold("mean").fit(X).set_params(threshold="otsu")
    with pytest.raises(NotFittedError, match="fit"):
        est.transform(X)
    # A numeric threshold set after fit applies directly.
    est.set_params(threshold=50.0)
    np.testing.assert_array_equal(est.transform(X), X < 50)


def _between_class_variance(values, mask):
    """Otsu's criterion for the split ``mask`` / ``~mask``, computed directly."""
    a, b = values[mask], values[~mask]
    if a.size == 0 or b.size == 0:
        return 0.0
    w0, w1 = a.size / values.size, b.size / values.size
    return w0 * w1 * (a.mean() - b.mean()) ** 2


@pytest.mark.parametrize("kind", ["integers", "floats", "bimodal", "float32"])
@pytest.mark.parametrize("seed", range(4))
def test_otsu_maximises_between_class_variance_brute_force(kind, seed):
    rng = np.random.default_rng(seed)
    if kind == "integers":
        X = rng.integers(0, 40, (2, 6, 7)).astype(float)
    elif kind == "bimodal":
        X = np.concatenate([rng.normal(50, 10, 40), rng.normal(170, 25, 44)])
        X = X.reshape(2, 6, 7)
    else:
        X = rng.exponential(3.0, (2, 6, 7))
        if kind == "float32":
            X = X.astype(np.float32)
    values = X.astype(np.float64).ravel()
    # Brute force: every split between two consecutive distinct values.
    distinct = np.unique(values)
    best = max(_between_class_variance(values, values <= v) for v in distinct[:-1])
    for foreground in ("below", "above"):
        est = Threshold("otsu", foreground=foreground).fit(X)
        t = est.threshold_
        assert distinct[0] <= t <= distinct[-1]
        fg = est.transform(X).astype(bool).ravel()
        low = fg if foreground == "below" else ~fg
        # Both foreground settings cut the same split, the best one.
        assert _between_class_variance(values, low) == pytest.approx(best, rel=1e-12)
        np.testing.assert_array_equal(low, values < t)


def test_otsu_agrees_with_scikit_image_on_uint8():
    filters = pytest.importorskip("skimage.filters")
    rng = np.random.default_rng(3)
    image = np.concatenate(
        [rng.normal(60, 15, 500), rng.normal(180, 20, 700)]
    ).clip(0, 255).astype(np.uint8).reshape(1, 30, 40)
    reference = image > filters.threshold_otsu(image[0])
    np.testing.assert_array_equal(
        threshold(image, "otsu", foreground="above"), reference
    )


def test_otsu_and_mean_of_constant_batch_give_empty_foreground():
    X = np.full((2, 3, 3), 7.0)
    for value in ("mean", "otsu"):
        for foreground in ("below", "above"):
            assert threshold(X, value, foreground=foreground).sum() == 0


# -- opening and closing against scipy -----------------------------------------

SHAPES = [(1, 1), (1, 12), (12, 1), (2, 3), (5, 5), (17, 23), (40, 31)]
STRUCTURES = [(9, 5), (3, 3), (1, 4), (4, 1), (2, 2), (6, 3), (1, 1), (25, 2)]


@pytest.mark.parametrize("shape", SHAPES)
def test_opening_closing_rectangles_match_scipy(shape, path):
    rng = np.random.default_rng(sum(shape))
    X = blobs(rng, 5, shape)
    X[1] = 0  # empty image
    X[2] = 1  # full image
    for structure in STRUCTURES:
        ones = np.ones(structure, bool)
        for iterations in (1, 2, 3):
            opened = binary_opening(X, structure, iterations)
            closed = binary_closing(X, structure, iterations)
            for i in range(len(X)):
                np.testing.assert_array_equal(
                    opened[i], ref_opening(X[i], ones, iterations),
                    err_msg=f"opening {structure} x{iterations} image {i}",
                )
                np.testing.assert_array_equal(
                    closed[i], ref_closing(X[i], ones, iterations),
                    err_msg=f"closing {structure} x{iterations} image {i}",
                )


EXPLICIT = [
    np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]]),  # cross
    np.array([[1, 0], [1, 1]]),  # asymmetric, even-sized
    np.array([[1, 0, 0, 1]]),  # no origin
    np.array([[0, 0, 1], [0, 0, 0], [1, 0, 0]], dtype=bool),
    np.eye(4, dtype=int)[::-1],  # anti-diagonal, even-sized
    np.ones((3, 2)),  # rectangle given as an array
]


@pytest.mark.parametrize("index", range(len(EXPLICIT)))
def test_explicit_structures_match_scipy(index, path):
    structure = EXPLICIT[index]
    rng = np.random.default_rng(index)
    for shape in [(1, 7), (3, 2), (15, 18), (30, 24)]:
        X = blobs(rng, 4, shape)
        for iterations in (1, 2, 3):
            opened = BinaryOpening(structure, iterations).fit_transform(X)
            closed = BinaryClosing(structure, iterations).fit_transform(X)
            for i in range(len(X)):
                np.testing.assert_array_equal(
                    opened[i], ref_opening(X[i], structure.astype(bool), iterations)
                )
                np.testing.assert_array_equal(
                    closed[i], ref_closing(X[i], structure.astype(bool), iterations)
                )


def test_scipy_loop_equals_iterations():
    # The hand-iterated reference equals scipy's iterations=k where scipy is
    # safe (structure no larger than the image).
    rng = np.random.default_rng(5)
    for structure in [np.ones((3, 5), bool), EXPLICIT[1].astype(bool)]:
        image = blobs(rng, 1, (20, 20))[0] > 0
        for function in (ndi.binary_erosion, ndi.binary_dilation):
            looped = image
            for _ in range(3):
                looped = function(looped, structure)
            np.testing.assert_array_equal(
                looped, function(image, structure, iterations=3)
            )


def test_nonbinary_input_nonzero_is_foreground():
    rng = np.random.default_rng(6)
    X = rng.choice([-2.5, 0.0, 0.0, 3.0, 7.0], size=(3, 16, 16))
    ones = np.ones((3, 3), bool)
    opened = binary_opening(X, (3, 3))
    assert set(np.unique(opened)) <= {0.0, 1.0}
    for i in range(3):
        np.testing.assert_array_equal(opened[i], ref_opening(X[i], ones))
        np.testing.assert_array_equal(label(X)[i], ref_label(X[i])[0])


def test_huge_iterations_are_fast_and_exact():
    X = blobs(np.random.default_rng(7), 2, (12, 15), density=0.8)
    # A rectangle reaches across the whole image after a few iterations...
    np.testing.assert_array_equal(
        binary_closing(X, (3, 3), 10**12), binary_closing(X, (3, 3), 20)
    )
    # ...and the generic path stops once nothing changes.
    cross = EXPLICIT[0]
    np.testing.assert_array_equal(
        binary_opening(X, cross, 10**9), binary_opening(X, cross, 30)
    )
    np.testing.assert_array_equal(
        binary_closing(X, (3, 3), 30)[0], ref_closing(X[0], np.ones((3, 3)), 30)
    )


def test_dtype_layout_and_signals():
    rng = np.random.default_rng(8)
    X = blobs(rng, 3, (6, 10)).astype(np.float32)
    assert binary_opening(X, (3, 3)).dtype == np.float32
    assert binary_closing(X.astype(int), (3, 3)).dtype == np.float64
    flat = binary_opening(X.reshape(3, -1), (3, 3), image_shape=(6, 10))
    np.testing.assert_array_equal(flat, binary_opening(X, (3, 3)).reshape(3, -1))
    # 1-D signals are images one pixel high, for 1-D and 2-D structures.
    rows = X[:, 0, :]
    for structure in [(3,), (1, 3), np.array([1, 1, 0, 1])]:
        array = np.ones((1, 3)) if isinstance(structure, tuple) else structure[None]
        out = binary_closing(rows, structure)
        for i in range(3):
            np.testing.assert_array_equal(
                out[i], ref_closing(rows[i][None], array.astype(bool))[0]
            )
    # A structure 9 high erodes a one-pixel-high image away, as in scipy.
    assert binary_opening(rows, (9, 5)).sum() == 0


def test_closing_near_the_border_follows_scipy():
    # scipy's closing erodes with background outside the image: a full image
    # loses its border, and the same happens here (documented).
    full = np.ones((1, 6, 8))
    closed = binary_closing(full, (3, 3))
    np.testing.assert_array_equal(closed[0], ref_closing(full[0], np.ones((3, 3))))
    assert closed[0, 0].sum() == 0 and closed[0, 1:-1, 1:-1].all()


@pytest.mark.parametrize(
    "make", [lambda: BinaryOpening((5, 3), 2), lambda: BinaryClosing(EXPLICIT[1], 2),
             lambda: ConnectedComponents(2),
             lambda: BinaryOpeningCounter(0.5, foreground="above",
                                          features=ALL_FEATURES)]
)
def test_batch_independence(make, path):
    X = blobs(np.random.default_rng(9), 6, (20, 18))
    est = make().fit(X)
    whole = est.transform(X)
    for i in range(len(X)):
        np.testing.assert_array_equal(whole[i], est.transform(X[i:i + 1])[0])


def test_many_small_images_match_scipy(path):
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


def test_threads_give_the_same_result(path):
    # More than one chunk of run_chunked (2 MB): 40 float64 images of 96 x 96.
    X = blobs(np.random.default_rng(10), 40, (96, 96))
    for est in (BinaryOpening((5, 3), 2), ConnectedComponents(),
                BinaryOpeningCounter(0.5, foreground="above", features=ALL_FEATURES)):
        one = clone(est).set_params(n_jobs=1).fit_transform(X)
        two = clone(est).set_params(n_jobs=2).fit_transform(X)
        np.testing.assert_array_equal(one, two)


# -- labelling and counting against scipy --------------------------------------


@pytest.mark.parametrize("connectivity", [1, 2])
@pytest.mark.parametrize("shape", [(1, 1), (1, 30), (30, 1), (2, 2), (25, 40)])
def test_label_matches_scipy_per_image(connectivity, shape, path):
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


def test_label_never_connects_neighbouring_images(path):
    # The same full image three times: a 3-D scipy label with its default
    # structure would find one object; each image has its own.
    X = np.ones((3, 4, 5))
    labels, counts = label(X, return_counts=True)
    np.testing.assert_array_equal(counts, [1, 1, 1])
    np.testing.assert_array_equal(labels, X)
    assert ndi.label(X)[1] == 1  # the trap being avoided


@pytest.mark.parametrize("operation", ["opening", "closing", "none"])
@pytest.mark.parametrize("connectivity", [1, 2])
def test_count_objects_matches_scipy(operation, connectivity, path):
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


def test_counter_equals_function_and_keeps_float32(path):
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


# -- properties (hypothesis) ----------------------------------------------------

small_images = st.tuples(
    st.integers(1, 14), st.integers(1, 14), st.integers(0, 2**32 - 1),
    st.floats(0.1, 0.9),
).map(lambda a: (np.random.default_rng(a[2]).random(a[:2]) < a[3]).astype(float))

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
@given(image=small_images, h=st.integers(1, 6), w=st.integers(1, 6),
       iterations=st.integers(1, 3), explicit=st.booleans(),
       seed=st.integers(0, 2**32 - 1))
def test_opening_shrinks_closing_grows_away_from_border(
    image, h, w, iterations, explicit, seed
):
    rng = np.random.default_rng(seed)
    structure = rng.random((h, w)) < 0.6 if explicit else np.ones((h, w), bool)
    structure[h // 2, w // 2] = True  # contains its centre
    opened = binary_opening(image[None], structure, iterations)[0]
    assert not np.any(opened > image)  # never adds foreground
    # Closing never removes foreground once the image is padded with
    # background beyond the reach of the structure (scipy's border reads as
    # background for the erosion).
    pad = iterations * max(h, w)
    padded = np.pad(image, pad)
    closed = binary_closing(padded[None], structure, iterations)[0]
    assert not np.any(closed < padded)


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


# -- bad input -----------------------------------------------------------------


@pytest.mark.parametrize("iterations", [0, -1])
def test_iterations_below_one_refused_with_scipy_hint(iterations):
    X = np.zeros((1, 5, 5))
    with pytest.raises(ValueError, match=r"'iterations' parameter of binary_opening"
                       r".*\[1, inf\).*until nothing changes"):
        binary_opening(X, (3, 3), iterations)
    with pytest.raises(ValueError, match="'iterations' parameter of BinaryClosing"):
        BinaryClosing(iterations=iterations).fit(X)


@pytest.mark.parametrize("iterations", [1.5, 2.0, True, "2", None])
def test_iterations_must_be_int(iterations):
    with pytest.raises(ValueError, match="'iterations' parameter"):
        BinaryOpeningCounter(iterations=iterations).fit(np.zeros((1, 5, 5)))


@pytest.mark.parametrize(
    "structure, match",
    [
        ((3, 3, 3), "3 dimensions.*images have 2 spatial"),
        ((5,), "1 dimensions.*images have 2 spatial"),
        (np.ones((2, 2, 2)), "3 dimensions"),
        (np.zeros((3, 3)), "empty"),
        (np.ones((0, 3)), "empty"),
        ((0, 3), "tuple of positive ints"),
        ((), "tuple of positive ints"),
        (np.array([[1, 2], [0, 1]]), "0s and 1s"),
        (np.array([[1.0, np.nan]]), "0s and 1s"),
        ("cross", "0s and 1s"),
        ([[1, 1], [1]], "0s and 1s"),
        (3, "0s and 1s"),
    ],
)
def test_bad_structures_refused(structure, match):
    X = np.zeros((2, 6, 6))
    with pytest.raises(ValueError, match=match):
        binary_opening(X, structure)
    with pytest.raises(ValueError,
                       match="'structure' parameter of BinaryOpeningCounter"):
        BinaryOpeningCounter(structure=structure).fit(X)


def test_structure_rank_for_signals():
    rows = np.zeros((2, 10))
    with pytest.raises(ValueError, match=r"3 dimensions.*1 \(or 2"):
        binary_closing(rows, (1, 3, 3))


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, "median", None, True,
                                   [128]])
def test_bad_thresholds_refused(value):
    X = np.zeros((1, 4, 4))
    with pytest.raises(ValueError, match="'threshold' parameter of Threshold"):
        Threshold(value).fit(X)
    with pytest.raises(ValueError, match="'threshold' parameter of count_objects"):
        count_objects(X, value)


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
    for colour, given in [
        (np.zeros((2, 8, 8, 3)), "shape (2, 8, 8, 3)"),
        (np.zeros((2, 3, 8, 8)), "shape (2, 3, 8, 8)"),  # channels first
        (np.zeros((2, 192)), "shape (2, 192) with image_shape=(8, 8, 3)"),
    ]:
        params = {"image_shape": (8, 8, 3)} if colour.ndim == 2 else {}
        message = (f"works on grayscale images (n_samples, height, width), but "
                   f"X holds colour images ({given}). Convert to gray first")
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


def test_inputs_are_never_written(tmp_path, path):
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


# -- as a user would: the houses, a parameter search, a feature step ------------


def test_houses_bridges_are_separated_by_the_opening(path):
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
    images, truth = zip(*(make_houses(seed=s, bridges=5) for s in range(6)))
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
