"""Dask arrays through every transformer: lazy, chunk by chunk, equal to NumPy.

The NumPy result (itself checked against scipy.ndimage elsewhere) is the
reference: a dask batch must give it exactly, without computing anything in
``transform`` and without gathering the batch in one task.
"""

import re
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

import skimgproc
import skimgproc.datasets
from skimgproc import (
    BinaryClosing,
    BinaryOpening,
    BinaryOpeningCounter,
    ConnectedComponents,
    Flatten,
    GaussianBlur,
    GaussianGradient,
    Grayscale,
    PrewittGradient,
    ROFDenoiser,
    SobelGradient,
    Threshold,
)
from skimgproc._batch import NonNumericInputError

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

# Operations on gray images, and those that also take colour.
GRAY_ONLY = [
    Threshold(100.0),
    Threshold("otsu", foreground="above"),
    Threshold("mean"),
    BinaryOpening((3, 2), iterations=2),
    BinaryClosing(((0, 1, 0), (1, 1, 1), (0, 1, 0))),
    ConnectedComponents(connectivity=2),
    BinaryOpeningCounter(120.0, structure=(3, 3), iterations=1),
    BinaryOpeningCounter("otsu", features=("n_objects", "mean_area", "max_area")),
]
ANY_CHANNELS = [
    GaussianBlur(1.5),
    GaussianBlur((0.0, 2.0), mode="constant", cval=3.0),
    SobelGradient(),
    SobelGradient(output="angle", normalize=True),
    PrewittGradient(output="y"),
    GaussianGradient(2.0, output="x"),
    ROFDenoiser(20.0),
    ROFDenoiser(20.0, method="chambolle", boundary="periodic", output="texture"),
    Flatten(),
]


def _name(estimator):
    return repr(estimator).replace(" ", "").replace("\n", "")


def _gray(n=9, shape=(20, 26), dtype=np.float32, seed=0):
    # Blurred noise: blobs of every size, so that thresholds, openings and
    # labels have something to do.
    rng = np.random.default_rng(seed)
    noise = rng.random((n, *shape)) * 255
    return GaussianBlur(1.5).fit_transform(noise).astype(dtype)


def assert_same_result(lazy, expected):
    assert isinstance(lazy, da.Array)
    computed = lazy.compute(scheduler="threads")
    assert computed.dtype == expected.dtype
    assert computed.shape == expected.shape
    tolerance = 1e-6 if expected.dtype == np.float32 else 1e-12
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(computed, expected, rtol=0, atol=tolerance * scale)


# -- equal to NumPy, chunk by chunk ----------------------------------------------


@pytest.mark.parametrize("estimator", GRAY_ONLY + ANY_CHANNELS, ids=_name)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8])
def test_gray_batch_chunked_anyhow_equals_numpy(estimator, dtype):
    X = _gray(dtype=dtype)
    # Chunks that cut through images: they must be made whole again.
    lazy_X = da.from_array(X, chunks=(4, 7, 10))
    expected = clone(estimator).fit(X).transform(X)
    fitted = clone(estimator).fit(lazy_X)
    lazy = fitted.transform(lazy_X)
    assert lazy.chunks[0] == (4, 4, 1)  # the sample chunks are kept
    assert_same_result(lazy, expected)
    assert fitted.n_features_in_ == X[0].size


@pytest.mark.parametrize("estimator", ANY_CHANNELS + [Grayscale()], ids=_name)
def test_colour_batch_channels_first_equals_numpy(estimator):
    X = np.moveaxis(np.stack([_gray(5, seed=s) for s in range(3)], -1), -1, 1)
    estimator = clone(estimator)
    if "channel_axis" in estimator.get_params():
        estimator.set_params(channel_axis=1)
    else:  # Flatten keeps the user's layout
        X = np.moveaxis(X, 1, -1)
    lazy_X = da.from_array(X, chunks=(2, 1, 13, 13))
    expected = estimator.fit(X).transform(X)
    lazy = estimator.fit(lazy_X).transform(lazy_X)
    assert lazy.chunks[0] == (2, 2, 1)
    assert_same_result(lazy, expected)


@pytest.mark.parametrize("estimator", [GaussianBlur(1.0), SobelGradient(),
                                       BinaryOpeningCounter(8.0, structure=(2, 2))],
                         ids=_name)
def test_flattened_rows_with_image_shape_equal_numpy(estimator):
    X = load_digits().data[:50]
    estimator = clone(estimator).set_params(image_shape=(8, 8))
    lazy = estimator.fit(X).transform(da.from_array(X, chunks=(16, 32)))
    assert_same_result(lazy, estimator.transform(X))


def test_chunks_of_one_image_and_of_the_whole_batch_agree():
    X = _gray(6)
    expected = GaussianBlur(2.0).fit_transform(X)
    for chunks in (1, 6, (1, 5)):
        lazy_X = da.from_array(X, chunks=(chunks, 20, 26))
        assert_same_result(GaussianBlur(2.0).fit_transform(lazy_X), expected)


# -- lazy: nothing computed until asked ------------------------------------------


def _exploding(shape, chunks):
    """A dask batch that raises if any of it is ever computed."""

    def explode(block):
        raise RuntimeError("the batch was computed")

    zeros = da.zeros(shape, chunks=chunks, dtype=np.float32)
    return zeros.map_blocks(explode, dtype=np.float32,
                            meta=np.empty((0,) * len(shape), np.float32))


@pytest.mark.parametrize("estimator", GRAY_ONLY + ANY_CHANNELS, ids=_name)
def test_transform_builds_a_graph_and_computes_nothing(estimator):
    X = _gray(4, shape=(12, 10))
    fitted = clone(estimator).fit(X)  # learned thresholds need the values
    lazy = fitted.transform(_exploding(X.shape, (2, 12, 10)))
    assert isinstance(lazy, da.Array)
    with pytest.raises(RuntimeError, match="the batch was computed"):
        lazy.compute(scheduler="sync")


def test_stateless_fit_and_pipeline_fit_transform_compute_nothing():
    pipe = make_pipeline(GaussianBlur(1.0), SobelGradient(), Flatten())
    lazy = pipe.fit_transform(_exploding((6, 16, 16), (3, 16, 16)))
    assert lazy.shape == (6, 256)
    assert pipe.get_feature_names_out()[0] == "pixel_0_0"


class _TaskSizes(dask.callbacks.Callback):
    """Records the size of every task's result."""

    def __init__(self):
        super().__init__()
        self.nbytes = []

    def _posttask(self, key, result, dsk, state, worker_id):
        for part in result if isinstance(result, tuple) else (result,):
            self.nbytes.append(getattr(part, "nbytes", 0))


@pytest.mark.parametrize("method", ["otsu", "mean"])
@pytest.mark.parametrize("estimator", [Threshold, BinaryOpeningCounter])
def test_learned_threshold_is_a_reduction_over_chunks(estimator, method):
    X = np.round(_gray(40, dtype=np.float64))  # 8-bit gray levels
    lazy_X = da.from_array(X, chunks=(4, 20, 26))
    expected = estimator(method).fit(X).threshold_
    with _TaskSizes() as sizes:
        learned = estimator(method).fit(lazy_X).threshold_
    if method == "otsu":
        assert learned == expected  # exact over the same distinct values
    else:
        assert learned == pytest.approx(expected, rel=1e-12)
    # No task held more than a chunk: the batch was never gathered.
    assert sizes.nbytes and max(sizes.nbytes) <= X[:4].nbytes


@pytest.mark.parametrize("estimator", [Threshold, BinaryOpeningCounter])
def test_otsu_on_float_data_equals_numpy(estimator):
    # Continuous values: as many distinct values as pixels (dask's own
    # unique was quadratic in them).
    X = np.random.default_rng(1).random((60, 32, 32), dtype=np.float32)
    learned = estimator("otsu").fit(da.from_array(X, chunks=(5, 32, 32)))
    assert learned.threshold_ == estimator("otsu").fit(X).threshold_


def test_empty_sample_chunks_are_dropped():
    X = _gray(6)
    keep = np.array([True, True, False, False, True, False])
    lazy_X = da.from_array(X, chunks=2)[da.from_array(keep, chunks=2)]
    lazy_X.compute_chunk_sizes()
    assert lazy_X.chunks[0] == (2, 0, 1)
    assert_same_result(GaussianBlur().fit_transform(lazy_X),
                       GaussianBlur().fit_transform(X[keep]))
    assert Threshold("otsu").fit(lazy_X).threshold_ == \
        Threshold("otsu").fit(X[keep]).threshold_


def test_merged_image_chunks_stay_within_dask_chunk_size():
    X = _gray(12, shape=(64, 64))  # 16 kB images
    lazy_X = da.from_array(X, chunks=(12, 16, 16))  # 12 kB chunks
    with dask.config.set({"array.chunk-size": "50kB"}):
        lazy = GaussianBlur().fit_transform(lazy_X)
    assert lazy.chunks[0] == (3, 3, 3, 3)  # 48 kB each, not 12 x 16 kB
    assert_same_result(lazy, GaussianBlur().fit_transform(X))


def test_threshold_learned_on_dask_cuts_numpy_images_the_same():
    X = np.round(_gray(10, dtype=np.float64))
    lazy_fit = Threshold("otsu").fit(da.from_array(X, chunks=3))
    np.testing.assert_array_equal(lazy_fit.transform(X),
                                  Threshold("otsu").fit(X).transform(X))


# -- no surprises -------------------------------------------------------------


def test_psnr_search_on_a_dask_batch_picks_the_numpy_choice():
    noisy, clean = skimgproc.datasets.make_squares(n_samples=6, size=48)
    search = GridSearchCV(ROFDenoiser(), {"tv_weight": [5, 60, 400]}, cv=2,
                          scoring=skimgproc.make_psnr_scorer(data_range=255))
    local = clone(search).fit(noisy, clean)
    lazy = clone(search).fit(da.from_array(noisy, chunks=2),
                             da.from_array(clean, chunks=2))
    assert lazy.best_params_ == local.best_params_
    np.testing.assert_allclose(lazy.cv_results_["mean_test_score"],
                               local.cv_results_["mean_test_score"])


def test_set_params_after_transform_leaves_the_lazy_result_alone():
    X = _gray(4)
    blur = GaussianBlur(1.0)
    lazy = blur.fit_transform(da.from_array(X, chunks=2))
    blur.set_params(sigma=4.0)
    assert_same_result(lazy, GaussianBlur(1.0).fit_transform(X))


def test_two_fitted_estimators_in_one_graph_keep_their_own_state():
    # Keys name the estimator's state: two thresholds must not collide.
    X = np.array([[[0.0, 50.0, 110.0, 200.0]]])
    low = Threshold("otsu").fit(np.array([[[0.0, 100.0, 120.0, 210.0]]]))
    high = Threshold("otsu").fit(np.array([[[0.0, 10.0, 200.0, 210.0]]]))
    lazy_X = da.from_array(X, chunks=1)
    both = da.stack([low.transform(lazy_X), high.transform(lazy_X)]).compute()
    np.testing.assert_array_equal(both[0], low.transform(X))
    np.testing.assert_array_equal(both[1], high.transform(X))
    assert not np.array_equal(both[0], both[1])


def test_reference_path_setting_reaches_the_chunks():
    pytest.importorskip("cv2")  # otherwise both paths are the same code
    X = _gray(4, shape=(64, 64))
    with skimgproc.config_context(accelerate=False):
        reference = GaussianBlur(2.0).fit_transform(X)
        lazy = GaussianBlur(2.0).fit_transform(da.from_array(X, chunks=2))
    fast = GaussianBlur(2.0).fit_transform(X)
    assert not np.array_equal(fast, reference)  # the check can fail
    # Computed outside the context, on dask's threads.
    np.testing.assert_array_equal(lazy.compute(scheduler="threads"), reference)


def test_set_output_pandas_leaves_lazy_tables_lazy():
    pytest.importorskip("pandas")
    flat = Flatten().set_output(transform="pandas")
    lazy = flat.fit_transform(da.from_array(_gray(4), chunks=2))
    assert isinstance(lazy, da.Array)
    assert lazy.shape == (4, 20 * 26)


def test_numpy_users_never_import_dask():
    code = (
        "import sys, numpy as np, skimgproc\n"
        "X = np.random.default_rng(0).random((3, 16, 16))\n"
        "skimgproc.BinaryOpeningCounter('otsu').fit_transform(X)\n"
        "skimgproc.GaussianBlur().fit_transform(X)\n"
        "skimgproc.Threshold('mean').fit(X)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('dask', 'distributed')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "[]"


# -- bad input: clear errors, at once when the shape tells, else when computed ----


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: da.zeros((2, 3, 4, 5, 6), chunks=1), ValueError, "5-D array"),
        (lambda: da.zeros((0, 8, 8), chunks=1), ValueError, "0 sample"),
        (lambda: da.zeros((3, 8, 8), dtype=complex, chunks=1), ValueError,
         "Complex"),
        (lambda: da.from_array(np.array([[["a"]]]), chunks=1), TypeError,
         "non-numeric"),
        (lambda: da.zeros((3, 8, 8, 3), chunks=1), ValueError, "grayscale"),
    ],
    ids=["ndim", "empty", "complex", "strings", "colour"],
)
def test_wrong_shape_or_dtype_fails_at_once(make, error, match):
    with pytest.raises(error, match=match):
        BinaryOpening().fit_transform(make())


def test_unknown_chunk_sizes_fail_with_the_fix():
    X = da.from_array(_gray(6), chunks=2)
    kept = X[X.sum(axis=(1, 2)) > 0]  # boolean indexing: sizes unknown
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        GaussianBlur().fit(kept)


def test_nan_is_reported_when_computed():
    X = _gray(6)
    X[4, 2, 3] = np.nan
    lazy = GaussianBlur().fit_transform(da.from_array(X, chunks=2))
    with pytest.raises(ValueError, match="NaN or inf"):
        lazy.compute(scheduler="sync")
    with pytest.raises(ValueError, match="NaN or inf"):
        Threshold("otsu").fit(da.from_array(X, chunks=2))


def test_images_of_another_shape_than_in_fit_fail():
    blur = GaussianBlur().fit(_gray(3))
    with pytest.raises(ValueError, match="expecting 520 features"):
        blur.transform(da.zeros((3, 8, 8), chunks=1))


def test_functions_refuse_dask_arrays_and_point_to_the_estimator():
    with pytest.raises(TypeError, match=r"GaussianBlur\(\)\.transform"):
        skimgproc.gaussian_blur(da.zeros((2, 8, 8), chunks=1))
    with pytest.raises(NonNumericInputError):
        Flatten().fit(da.from_array(np.array([[["a"]]], dtype=object), chunks=1))


def test_inputs_are_not_written():
    X = _gray(4)
    before = X.copy()
    lazy_X = da.from_array(X, chunks=2)
    ROFDenoiser(output="texture").fit_transform(lazy_X).compute()
    np.testing.assert_array_equal(X, before)


# -- on a real cluster ----------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        # Port 0: the scheduler's HTTP server (started even without a
        # dashboard) would warn, an error here, when 8787 is taken.
        dashboard_address=":0", scheduler_kwargs={"dashboard": False},
    ) as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.mark.slow
def test_lazy_pipeline_on_a_cluster_equals_numpy(client):
    from distributed import get_task_stream

    X = _gray(12, shape=(32, 32))
    lazy_X = da.from_array(X, chunks=(3, 16, 32))
    pipe = make_pipeline(GaussianBlur(1.0), SobelGradient(), Flatten())
    with get_task_stream(client) as stream:
        lazy = pipe.fit(lazy_X).transform(lazy_X)
    assert stream.data == []  # transform sent the cluster nothing to do
    assert lazy.chunks == ((3, 3, 3, 3), (32 * 32,))
    computed = client.compute(lazy).result()
    np.testing.assert_allclose(computed, pipe.fit_transform(X), rtol=0, atol=1e-4)
    # And nothing is computed on the cluster either until asked.
    lazy = pipe.transform(_exploding((4, 32, 32), (2, 32, 32)))
    with pytest.raises(RuntimeError, match="the batch was computed"):
        client.compute(lazy).result()


@pytest.mark.slow
def test_grid_search_on_the_cluster_picks_the_local_choice(client):
    import joblib
    from distributed import get_task_stream

    digits = load_digits()
    X, y = digits.data[:600], digits.target[:600]
    search = GridSearchCV(
        make_pipeline(GaussianBlur(image_shape=(8, 8)), RidgeClassifier()),
        {"gaussianblur__sigma": [0.0, 0.5, 1.0, 2.0, 4.0]}, cv=3, n_jobs=2,
    )
    local = clone(search).fit(X, y)
    with get_task_stream(client) as stream, joblib.parallel_config(backend="dask"):
        remote = clone(search).fit(X, y)
    # joblib sends the fits in batches: 5 settings x 3 folds ran on the cluster.
    batches = [re.search(r"fit_and_score_(\d+)_calls", task["key"])
               for task in stream.data]
    assert sum(int(found.group(1)) for found in batches if found) == 15
    assert remote.best_params_ == local.best_params_
    np.testing.assert_allclose(remote.cv_results_["mean_test_score"],
                               local.cv_results_["mean_test_score"])
