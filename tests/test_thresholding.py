"""Thresholding: fixed and learned thresholds, Otsu's against a brute force.

Otsu's threshold is checked against the between-class variance of every
split, computed directly, and against scikit-image's.
"""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skimgproc import Threshold, count_objects, threshold

# -- fixed thresholds ------------------------------------------------------------------


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


# -- learned thresholds ----------------------------------------------------------------


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


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, "median", None, True,
                                   [128]])
def test_bad_thresholds_refused(value):
    X = np.zeros((1, 4, 4))
    with pytest.raises(ValueError, match="'threshold' parameter of Threshold"):
        Threshold(value).fit(X)
    with pytest.raises(ValueError, match="'threshold' parameter of count_objects"):
        count_objects(X, value)
