"""psnr against scikit-image and the formula, and the PSNR scorer in searches."""

import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio
from sklearn.model_selection import GridSearchCV, cross_val_score

from skimgproc import GaussianBlur, ROFDenoiser, make_psnr_scorer, psnr


def noisy_batch(shape, seed=0, scale=10.0):
    rng = np.random.default_rng(seed)
    clean = rng.random(shape) * 255
    return clean, clean + scale * rng.standard_normal(shape)


@pytest.mark.parametrize("shape", [(3, 12, 9), (2, 8, 8, 3), (4, 30)])
def test_psnr_matches_scikit_image_per_image(shape):
    clean, noisy = noisy_batch(shape)
    got = psnr(clean, noisy, data_range=255)
    expected = [
        peak_signal_noise_ratio(clean[i], noisy[i], data_range=255)
        for i in range(shape[0])
    ]
    assert got.shape == (shape[0],)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_psnr_formula_and_identical_images():
    clean = np.zeros((2, 4, 4))
    test = clean.copy()
    test[0] += 2.0  # mse 4
    got = psnr(clean, test, data_range=10)
    assert got[0] == pytest.approx(10 * np.log10(100 / 4))
    assert got[1] == np.inf


def test_psnr_data_range_inference():
    clean, noisy = noisy_batch((2, 6, 6), seed=1)
    as_uint8 = np.clip(clean, 0, 255).astype(np.uint8)
    np.testing.assert_allclose(psnr(as_uint8, noisy), psnr(as_uint8, noisy,
                                                           data_range=255))
    # Floats: the range of the reference batch.
    span = clean.max() - clean.min()
    np.testing.assert_allclose(psnr(clean, noisy), psnr(clean, noisy,
                                                        data_range=span))
    np.testing.assert_allclose(psnr(clean / 255, noisy / 255, data_range=1.0),
                               psnr(clean, noisy, data_range=255))


def test_psnr_float32_input():
    clean, noisy = noisy_batch((2, 10, 10), seed=2)
    got = psnr(clean.astype(np.float32), noisy.astype(np.float32), data_range=255)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, psnr(clean, noisy, data_range=255), rtol=1e-5)


@pytest.mark.parametrize(
    "args,kwargs,match",
    [
        ((np.zeros((2, 4, 4)), np.zeros((2, 4, 5))), {}, "same shape"),
        ((np.zeros((2, 4, 4)), np.zeros((3, 4, 4))), {}, "same shape"),
        ((np.zeros((1, 3, 3)), np.full((1, 3, 3), np.nan)), {"data_range": 1},
         "NaN or inf"),
        ((np.zeros((1, 3, 3)), np.zeros((1, 3, 3))), {"data_range": 0},
         "'data_range' parameter of psnr"),
        ((np.zeros((1, 3, 3)), np.zeros((1, 3, 3))), {"data_range": np.nan},
         "'data_range'"),
        ((np.ones((1, 3, 3)), np.zeros((1, 3, 3))), {}, "cannot infer data_range"),
        ((np.zeros((0, 3, 3)), np.zeros((0, 3, 3))), {"data_range": 1}, "empty"),
    ],
)
def test_psnr_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        psnr(*args, **kwargs)


def test_scorer_is_the_mean_psnr_of_the_transform():
    clean, noisy = noisy_batch((5, 16, 16), seed=3, scale=30.0)
    blur = GaussianBlur(1.0)
    scorer = make_psnr_scorer(data_range=255)
    expected = psnr(clean, blur.fit_transform(noisy), data_range=255).mean()
    assert scorer(blur, noisy, clean) == pytest.approx(expected)
    weights = np.array([1.0, 0.0, 0.0, 0.0, 1.0])
    per_image = psnr(clean, blur.transform(noisy), data_range=255)
    assert scorer(blur, noisy, clean, sample_weight=weights) == pytest.approx(
        (per_image[0] + per_image[4]) / 2
    )
    assert repr(scorer) == "make_psnr_scorer(data_range=255.0)"


def test_scorer_needs_the_clean_images():
    with pytest.raises(ValueError, match="y is None"):
        make_psnr_scorer()(GaussianBlur(), np.zeros((2, 4, 4)), None)
    with pytest.raises(ValueError, match="'data_range' parameter of make_psnr_scorer"):
        make_psnr_scorer(data_range=-1)


def test_scorer_in_searches_picks_the_best_sigma():
    rng = np.random.default_rng(4)
    clean = np.zeros((8, 24, 24))
    clean[:, 6:18, 6:18] = 200.0
    noisy = clean + 40 * rng.standard_normal(clean.shape)
    scorer = make_psnr_scorer(data_range=200)
    sigmas = [0.0, 0.7, 1.5, 8.0]
    search = GridSearchCV(GaussianBlur(), {"sigma": sigmas}, cv=2, scoring=scorer)
    search.fit(noisy, clean)
    # The same choice as scoring every sigma by hand on the whole batch.
    by_hand = [psnr(clean, GaussianBlur(s).fit_transform(noisy), data_range=200).mean()
               for s in sigmas]
    assert search.best_params_["sigma"] == sigmas[int(np.argmax(by_hand))]
    assert 0.0 < search.best_params_["sigma"] < 8.0
    # Flattened images as rows with their clean rows as y work the same.
    scores = cross_val_score(ROFDenoiser(100.0, image_shape=(24, 24)),
                             noisy.reshape(8, -1), clean.reshape(8, -1), cv=2,
                             scoring=scorer)
    assert np.all(scores > psnr(clean, noisy, data_range=200).mean())


def test_default_data_range_does_not_depend_on_the_container():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(5)
    clean = rng.integers(0, 256, (3, 8, 8)).astype(np.uint8)
    noisy = np.clip(clean.astype(int) + rng.integers(-9, 10, clean.shape), 0, 255)
    noisy = noisy.astype(np.uint8)
    expected = psnr(clean, noisy)
    # The uint8 range (255) is inferred from the values' type, not the holder.
    mse = ((clean.astype(float) - noisy) ** 2).reshape(3, -1).mean(axis=1)
    np.testing.assert_allclose(expected, 10 * np.log10(255.0**2 / mse))
    frame = pd.DataFrame(clean.reshape(3, -1))
    np.testing.assert_allclose(psnr(frame, noisy.reshape(3, -1)), expected)
