"""The batch input contract, through the public functions and estimators."""

import re

import numpy as np
import pytest
import scipy.sparse
from scipy import ndimage as ndi

import skimgproc
from skimgproc import (
    Flatten,
    GaussianBlur,
    GaussianGradient,
    Grayscale,
    PrewittGradient,
    SobelGradient,
    config_context,
    gaussian_blur,
)
from skimgproc._batch import NonNumericInputError, as_batch, pixel_feature_names

IMAGE_ESTIMATORS = [
    GaussianBlur(sigma=1.5),
    SobelGradient(),
    PrewittGradient(output="angle"),
    GaussianGradient(sigma=2.0, output="x"),
    Flatten(),
]


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_layouts_are_recognised(rng):
    gray = as_batch(rng.random((3, 5, 6)))
    assert (gray.n_spatial, gray.has_channels, gray.spatial_shape) == (2, False, (5, 6))

    colour = as_batch(rng.random((3, 5, 6, 3)))
    assert (colour.has_channels, colour.n_channels, colour.spatial_shape) == (
        True, 3, (5, 6)
    )

    first = as_batch(rng.random((3, 3, 5, 6)), channel_axis=1)
    assert first.images.shape == (3, 5, 6, 3) and first.layout == "channels_first"

    flat = as_batch(rng.random((3, 30)), image_shape=(5, 6))
    assert flat.images.shape == (3, 5, 6) and flat.layout == "flat"

    flat_colour = as_batch(rng.random((3, 90)), image_shape=(5, 6, 3))
    assert flat_colour.images.shape == (3, 5, 6, 3) and flat_colour.has_channels

    signals = as_batch(rng.random((3, 30)))
    assert signals.n_spatial == 1 and signals.spatial_shape == (30,)


def test_channels_first_is_a_view_not_a_copy(rng):
    X = rng.random((2, 3, 8, 8))
    batch = as_batch(X, channel_axis=1)
    assert np.shares_memory(batch.images, X)


@pytest.mark.parametrize(
    "dtype, expected",
    [
        (np.float32, np.float32),
        (np.float64, np.float64),
        (np.float16, np.float32),
        (np.uint8, np.float64),
        (np.int16, np.float64),
        (np.int64, np.float64),
        (bool, np.float64),
    ],
)
def test_dtype_rules(dtype, expected):
    X = (np.arange(2 * 4 * 4).reshape(2, 4, 4) % 200).astype(dtype)
    assert gaussian_blur(X, 0.0).dtype == expected
    assert SobelGradient().fit_transform(X).dtype == expected


def test_integers_are_not_rescaled():
    X = np.full((1, 5, 5), 200, dtype=np.uint8)
    np.testing.assert_allclose(gaussian_blur(X, 1.0), 200.0)


@pytest.mark.parametrize("channel_axis", [-1, 1])
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, bool])
def test_keep_integers_gives_a_view_in_the_internal_layout(dtype, channel_axis):
    X = (np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5) % 7).astype(dtype)
    batch = as_batch(X, channel_axis=channel_axis, keep_integers=True)
    converted = as_batch(X, channel_axis=channel_axis)
    assert batch.images.dtype == dtype and np.shares_memory(batch.images, X)
    assert converted.images.dtype == np.float64
    np.testing.assert_array_equal(batch.images, converted.images)
    assert batch.layout == converted.layout and batch.has_channels
    flat = as_batch(X.reshape(2, -1), image_shape=(3, 4, 5), keep_integers=True)
    assert flat.images.shape == (2, 3, 4, 5) and flat.images.dtype == dtype


def test_keep_integers_leaves_floats_to_the_usual_rules():
    X = np.zeros((1, 3, 3), np.float16)
    assert as_batch(X, keep_integers=True).images.dtype == np.float32
    X[0, 1, 1] = np.nan
    with pytest.raises(ValueError, match="contains NaN or inf"):
        as_batch(X, keep_integers=True)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("estimator", IMAGE_ESTIMATORS, ids=repr)
def test_nan_and_inf_are_refused(estimator, bad):
    X = np.zeros((2, 6, 6))
    X[1, 3, 3] = bad
    with pytest.raises(ValueError, match="NaN or inf"):
        estimator.fit_transform(X)


def test_overflowing_sum_of_finite_values_is_accepted():
    X = np.full((2, 4, 4), np.finfo(np.float32).max, dtype=np.float32)
    assert gaussian_blur(X, 0.0).dtype == np.float32


def test_complex_is_refused():
    with pytest.raises(ValueError, match="Complex data not supported"):
        gaussian_blur(np.zeros((1, 4, 4), dtype=complex))


@pytest.mark.parametrize(
    "X",
    [np.array([[["a", "b"], ["c", "d"]]]), np.array([[[{}, 1.0]]], dtype=object)],
    ids=["strings", "object"],
)
def test_non_numeric_is_refused_as_value_and_type_error(X):
    with pytest.raises(NonNumericInputError, match="not real numbers|non-numeric"):
        gaussian_blur(X)
    assert issubclass(NonNumericInputError, ValueError)
    assert issubclass(NonNumericInputError, TypeError)


def test_object_array_of_numbers_is_accepted():
    X = np.arange(16.0).reshape(1, 4, 4).astype(object)
    np.testing.assert_allclose(gaussian_blur(X, 0.0), np.arange(16.0).reshape(1, 4, 4))


def test_sparse_is_refused():
    with pytest.raises(ValueError, match="Sparse input is not supported"):
        GaussianBlur().fit(scipy.sparse.csr_matrix(np.eye(3)))


@pytest.mark.parametrize("shape", [(5,), (), (1, 2, 3, 4, 5)])
def test_wrong_ndim_names_the_accepted_layouts(shape):
    with pytest.raises(ValueError, match=r"Expected \(n_samples, height, width\)"):
        gaussian_blur(np.zeros(shape))


def test_single_image_without_batch_axis_hints_at_reshape():
    with pytest.raises(ValueError, match="Reshape your data"):
        GaussianBlur().fit(np.zeros((3, 3))).transform(np.zeros(3))


@pytest.mark.parametrize("shape", [(0, 5, 5), (0, 4), (0, 2, 2, 3)])
def test_empty_batch_is_refused(shape):
    with pytest.raises(ValueError, match="0 sample"):
        gaussian_blur(np.zeros(shape))


@pytest.mark.parametrize("shape", [(2, 0, 5), (2, 0), (2, 3, 3, 0)])
def test_empty_images_are_refused(shape):
    with pytest.raises(ValueError, match="0 feature"):
        gaussian_blur(np.zeros(shape))


def test_image_shape_must_match_the_rows():
    with pytest.raises(ValueError, match="image_shape=.*needs 64"):
        gaussian_blur(np.zeros((2, 63)), image_shape=(8, 8))


@pytest.mark.parametrize("image_shape", [(8,), (8, 8, 1, 1), (0, 8), (8, -1), "88",
                                         (8.5, 8)])
def test_bad_image_shape_is_refused(image_shape):
    with pytest.raises(ValueError, match="'image_shape' parameter"):
        gaussian_blur(np.zeros((2, 64)), image_shape=image_shape)


@pytest.mark.parametrize("channel_axis", [0, 2, -2, 4, None, "last"])
@pytest.mark.parametrize("shape", [(2, 4, 4, 3), (2, 4, 4)])
def test_channel_axis_that_does_not_fit_is_refused(channel_axis, shape):
    with pytest.raises(ValueError, match="'channel_axis' parameter"):
        GaussianBlur(channel_axis=channel_axis).fit_transform(np.zeros(shape))


def test_colour_refused_where_gray_is_required():
    with pytest.raises(ValueError, match="Grayscale"):
        as_batch(np.zeros((2, 4, 4, 3)), allow_channels=False, caller="Op")


@pytest.mark.parametrize("estimator", IMAGE_ESTIMATORS, ids=repr)
def test_input_is_never_modified_and_read_only_works(estimator, rng):
    X = rng.random((3, 9, 9)).astype(np.float32)
    X.setflags(write=False)
    before = X.copy()
    estimator.fit_transform(X)
    np.testing.assert_array_equal(X, before)


def test_memory_mapped_input_works(tmp_path, rng):
    path = tmp_path / "images.npy"
    np.save(path, rng.random((4, 10, 10)))
    X = np.load(path, mmap_mode="r")
    np.testing.assert_allclose(
        gaussian_blur(X, 2.0), gaussian_blur(np.array(X), 2.0), rtol=0, atol=0
    )


@pytest.mark.parametrize(
    "estimator, layout",
    [
        (estimator, layout)
        for estimator in IMAGE_ESTIMATORS
        for layout in ("gray", "colour", "channels_first", "flat")
        # Flatten has no image_shape: flat rows are already its output.
        if not (isinstance(estimator, Flatten) and layout == "flat")
    ],
    ids=repr,
)
def test_images_never_mix(estimator, layout, rng):
    shapes = {
        "gray": (5, 12, 10),
        "colour": (5, 12, 10, 3),
        "channels_first": (5, 3, 12, 10),
        "flat": (5, 120),
    }
    X = rng.random(shapes[layout])
    params = {}
    if layout == "channels_first":
        params["channel_axis"] = 1
    if layout == "flat":
        params["image_shape"] = (12, 10)
    est = estimator.set_params(**{k: v for k, v in params.items()
                                  if k in estimator.get_params()})
    whole = est.fit_transform(X)
    for i in range(len(X)):
        alone = est.fit_transform(X[i : i + 1])[0]
        np.testing.assert_array_equal(whole[i], alone)


def test_channels_are_processed_independently(rng):
    X = rng.random((2, 12, 10, 3))
    out = gaussian_blur(X, 2.0)
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], gaussian_blur(X[..., c], 2.0))


def test_flat_output_stays_flat_and_equals_the_image_result(rng):
    X = rng.random((4, 8, 8))
    flat = GaussianBlur(2.0, image_shape=(8, 8)).fit_transform(X.reshape(4, 64))
    assert flat.shape == (4, 64)
    np.testing.assert_allclose(flat.reshape(4, 8, 8), gaussian_blur(X, 2.0), atol=0)


def test_fitted_estimator_checks_the_feature_count(rng):
    blur = GaussianBlur().fit(rng.random((2, 8, 8)))
    assert blur.n_features_in_ == 64
    with pytest.raises(ValueError, match="X has 100 features"):
        blur.transform(rng.random((2, 10, 10)))
    # Unfitted, the stateless filter takes any size.
    assert GaussianBlur().transform(rng.random((2, 10, 10))).shape == (2, 10, 10)


def test_pixel_feature_names_follow_reshape_order():
    names = pixel_feature_names((2, 3, 2))
    assert len(names) == 12
    assert names[0] == "pixel_0_0_0" and names[1] == "pixel_0_0_1"
    assert names[-1] == "pixel_1_2_1"


def test_threads_give_the_same_result(rng):
    X = rng.random((64, 40, 40)).astype(np.float32)
    one = gaussian_blur(X, 3.0, n_jobs=1)
    two = gaussian_blur(X, 3.0, n_jobs=2)
    np.testing.assert_array_equal(one, two)


def test_gaussian_blur_on_3d_stack_would_mix_images(rng):
    # The trap the contract avoids: filtering the stack as a volume.
    X = rng.random((3, 10, 10))
    volume = ndi.gaussian_filter(X, 1.0)
    assert not np.allclose(volume[1], ndi.gaussian_filter(X[1], 1.0))
    np.testing.assert_allclose(gaussian_blur(X, 1.0)[1], ndi.gaussian_filter(X[1], 1.0))


def test_grayscale_as_batch_for_1_channel(rng):
    X = rng.random((2, 5, 5, 1))
    np.testing.assert_array_equal(Grayscale().fit_transform(X), X[..., 0])


def test_config_context_is_per_thread():
    import threading

    from skimgproc import get_config

    inside = threading.Event()
    release = threading.Event()
    seen = {}

    def other():
        with config_context(accelerate=True):
            seen["other"] = get_config()["accelerate"]
            inside.set()
            release.wait(5)

    with config_context(accelerate=False):
        thread = threading.Thread(target=other)
        thread.start()
        inside.wait(5)
        seen["main"] = get_config()["accelerate"]
    release.set()
    thread.join()
    assert seen == {"main": False, "other": True}
    assert get_config()["accelerate"] is True


def test_reference_path_is_used_in_worker_threads_when_switched_off():
    # The setting is read in the calling thread and holds for every chunk.
    X = np.random.default_rng(0).random((3000, 28, 28)).astype(np.float32)
    with config_context(accelerate=False):
        off = gaussian_blur(X, 2.0, n_jobs=2)
    expected = ndi.gaussian_filter(X, (0, 2.0, 2.0))
    np.testing.assert_array_equal(off, expected)


def test_as_2d_makes_signals_one_pixel_high():
    signals = as_batch(np.zeros((3, 7)))
    assert signals.as_2d(signals.images).shape == (3, 1, 7)
    colour = as_batch(np.zeros((3, 4, 5, 2)))
    assert colour.as_2d(colour.images).shape == (3, 4, 5, 2)


FINITE_CHECKING = {
    "count_objects": lambda X: skimgproc.count_objects(X),
    "count_objects, 8-connected areas": lambda X: skimgproc.count_objects(
        X, connectivity=2, features=("max_area", "n_objects")),
    "binary_opening": lambda X: skimgproc.binary_opening(X, (3, 3)),
    "binary_closing": lambda X: skimgproc.binary_closing(X, (3, 3), 2),
    "label": skimgproc.label,
    "BinaryOpeningCounter": lambda X: skimgproc.BinaryOpeningCounter().fit(
        np.zeros_like(X)).transform(X),
    "BinaryClosing": lambda X: skimgproc.BinaryClosing().fit(
        np.zeros_like(X)).transform(X),
    "ConnectedComponents": lambda X: skimgproc.ConnectedComponents().fit(
        np.zeros_like(X)).transform(X),
    "sobel_gradient": lambda X: skimgproc.sobel_gradient(
        X, output=("magnitude", "angle")),
    "sobel_gradient, constant border 1": lambda X: skimgproc.sobel_gradient(
        X, mode="constant", cval=1.0),
    "prewitt_gradient": lambda X: skimgproc.prewitt_gradient(X, output="x"),
    "gaussian_gradient": lambda X: skimgproc.gaussian_gradient(X, 1.0),
    "SobelGradient": lambda X: SobelGradient(output="angle").fit(
        np.zeros_like(X)).transform(X),
    "PrewittGradient": lambda X: PrewittGradient().fit(
        np.zeros_like(X)).transform(X),
    "GaussianGradient": lambda X: GaussianGradient().fit(
        np.zeros_like(X)).transform(X),
}


@pytest.mark.parametrize("accelerate", [True, False], ids=["fast", "reference"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("caller", sorted(FINITE_CHECKING))
def test_engines_that_check_finiteness_give_the_contract_error(caller, dtype,
                                                                accelerate):
    # 3 MB (float64): several chunks, on both threads.
    X = np.zeros((48, 128, 128), dtype)
    X[::3, 40:80, 30:90] = 255.0
    function = FINITE_CHECKING[caller]
    cases = [
        ((0, 0, 0), [np.nan], "1 NaN, 0 inf"),
        ((47, 127, 127), [np.inf], "0 NaN, 1 inf"),
        ((30, 64, 5), [-np.inf, np.nan, np.nan], "2 NaN, 1 inf"),
    ]
    with config_context(accelerate=accelerate):
        function(X)  # finite: no error
        for (k, i, j), values, counts in cases:
            bad = X.copy()
            bad[k, i, j:j + len(values)] = values
            kept = bad.copy()
            message = (f"Input X contains NaN or inf ({counts} values); "
                       "expected finite numbers.")
            with pytest.raises(ValueError, match=re.escape(message)):
                function(bad)
            for strided in (bad[:, ::-1], bad.transpose(0, 2, 1)):
                with pytest.raises(ValueError, match=re.escape(message)):
                    function(strided)
            np.testing.assert_array_equal(bad, kept)  # never written


def test_check_left_to_the_engine_is_recorded():
    X = np.array([[[0.0, np.nan]]])
    batch = as_batch(X, check_finite=False)
    assert not batch.finite_checked
    with pytest.raises(ValueError, match="1 NaN, 0 inf"):
        batch.check_finite()
    with pytest.raises(ValueError, match="1 NaN, 0 inf"):
        batch.not_finite()
    assert as_batch(np.zeros((1, 2, 2))).finite_checked
    as_batch(np.zeros((1, 2, 2)), check_finite=False).check_finite()  # finite


def test_fit_checks_even_where_transform_leaves_it_to_the_engine():
    X = np.zeros((2, 8, 8))
    X[1, 2, 2] = np.nan
    for estimator in (skimgproc.BinaryOpeningCounter(threshold="otsu"),
                      SobelGradient()):
        with pytest.raises(ValueError, match="1 NaN, 0 inf"):
            estimator.fit(X)
    with pytest.raises(ValueError, match="1 NaN, 0 inf"):
        skimgproc.count_objects(X, "mean")  # the threshold is learned first
