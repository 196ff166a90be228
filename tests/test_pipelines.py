"""What a new user does first: pipelines and searches on load_digits."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import FeatureUnion, Pipeline

from skimgproc import Flatten, GaussianBlur, SobelGradient


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    # A subset keeps the searches quick; it is still 10 classes.
    return data.images[:400], data.data[:400], data.target[:400]


def image_pipeline():
    return Pipeline([
        ("blur", GaussianBlur()),
        ("sobel", SobelGradient()),
        ("flatten", Flatten()),
        ("clf", LogisticRegression(max_iter=300)),
    ])


def test_grid_search_over_blur_sigma_on_digit_images(digits):
    images, _, target = digits
    search = GridSearchCV(image_pipeline(), {"blur__sigma": [0.0, 0.5, 1.0]},
                          cv=3, n_jobs=2)
    search.fit(images, target)
    assert search.best_params_["blur__sigma"] in (0.0, 0.5, 1.0)
    assert search.best_score_ > 0.8  # far above the 0.1 of chance
    assert search.predict(images[:5]).shape == (5,)


def test_flat_digits_with_image_shape_need_no_flatten(digits):
    _, flat, target = digits
    pipe = Pipeline([
        ("blur", GaussianBlur(image_shape=(8, 8))),
        ("sobel", SobelGradient(image_shape=(8, 8))),
        ("clf", LogisticRegression(max_iter=300)),
    ])
    search = GridSearchCV(pipe, {"blur__sigma": [0.5, 1.0]}, cv=3)
    search.fit(flat, target)
    assert search.best_score_ > 0.8
    # The flat route computes exactly what the image route does.
    images = flat.reshape(-1, 8, 8)
    np.testing.assert_allclose(
        pipe[:-1].fit_transform(flat),
        SobelGradient().fit_transform(GaussianBlur().fit_transform(images)).reshape(
            len(flat), 64),
    )


def test_clone_and_pickle_round_trip(digits):
    images, _, target = digits
    pipe = image_pipeline().fit(images, target)
    restored = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(restored.predict(images), pipe.predict(images))
    cloned = clone(pipe)
    assert cloned.get_params()["blur__sigma"] == 1.0
    assert not hasattr(cloned["blur"], "n_features_in_")


def test_feature_union_of_image_steps(digits):
    images, _, target = digits
    union = FeatureUnion([
        ("raw", Flatten()),
        ("edges", Pipeline([("sobel", SobelGradient()), ("flat", Flatten())])),
    ])
    features = union.fit_transform(images)
    assert features.shape == (len(images), 128)
    names = union.get_feature_names_out()
    assert names[0] == "raw__pixel_0_0" and names[64] == "edges__pixel_0_0"
    clf = Pipeline([("union", union), ("clf", LogisticRegression(max_iter=300))])
    assert clf.fit(images, target).score(images, target) > 0.9


def test_set_output_pandas_does_not_raise(digits):
    pd = pytest.importorskip("pandas")
    images, flat, target = digits
    pipe = image_pipeline().set_output(transform="pandas")
    pipe.fit(images, target)
    assert pipe.predict(images[:3]).shape == (3,)
    # 2-D outputs become data frames with the step's feature names.
    frame = pipe[:-1].transform(images[:3])
    assert isinstance(frame, pd.DataFrame)
    assert frame.columns[0] == "pixel_0_0"
    table = GaussianBlur(image_shape=(8, 8)).set_output(transform="pandas")
    out = table.fit_transform(pd.DataFrame(flat[:4]).add_prefix("p"))
    assert isinstance(out, pd.DataFrame) and out.columns[0] == "p0"
    # Image-shaped outputs cannot be frames and stay arrays.
    assert isinstance(pipe[0].transform(images[:3]), np.ndarray)
