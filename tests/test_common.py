"""scikit-learn's own conformance checks, and the package's public surface."""

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import skimgproc
from skimgproc import (
    Flatten,
    GaussianBlur,
    GaussianGradient,
    Grayscale,
    PrewittGradient,
    SobelGradient,
)

# Several settings of each estimator: scikit-learn runs its whole battery of
# checks (2-D input, so rows are 1-D signals) on every one of them.
ESTIMATORS = [
    GaussianBlur(),
    GaussianBlur(sigma=2.5, mode="constant", cval=1.0),
    GaussianBlur(sigma=0.0, n_jobs=1),
    GaussianBlur(sigma=(3.0,), mode="wrap", truncate=2.0),
    SobelGradient(),
    SobelGradient(output="x", normalize=True, mode="nearest"),
    SobelGradient(output="angle"),
    PrewittGradient(output="y"),
    PrewittGradient(output="magnitude", normalize=True),
    GaussianGradient(),
    GaussianGradient(sigma=3.0, output="x", mode="mirror"),
    GaussianGradient(sigma=0.5, output="angle"),
    Grayscale(),
    Flatten(),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_all_is_sorted_and_complete():
    public = {
        name
        for name in dir(skimgproc)
        if not name.startswith("_")
        and callable(getattr(skimgproc, name))
    }
    assert skimgproc.__all__ == sorted(skimgproc.__all__)
    assert public == set(skimgproc.__all__)


def test_version_is_exposed():
    from importlib.metadata import version

    assert skimgproc.__version__ == version("skimgproc")
    assert isinstance(np.__version__, str)
