"""scikit-learn's own conformance checks, and the package's public surface."""

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import skimgproc
from skimgproc import (
    BinaryClosing,
    BinaryOpening,
    BinaryOpeningCounter,
    ConnectedComponents,
    Flatten,
    GaussianBlur,
    GaussianGradient,
    Grayscale,
    HOGDescriptor,
    ImageStatistics,
    LBPHistogram,
    ObjectCounter,
    ObjectFeatures,
    PrewittGradient,
    ROFDenoiser,
    SobelGradient,
    Threshold,
)

# Several settings of each estimator: scikit-learn runs its whole battery of
# checks (2-D input, so rows are 1-D signals) on every one of them.
ESTIMATORS = [
    GaussianBlur(),
    GaussianBlur(sigma=2.5, mode="constant", cval=1.0),
    GaussianBlur(sigma=0.0, n_jobs=1),
    GaussianBlur(sigma=(3.0,), mode="wrap", truncate=2.0),
    GaussianBlur(sigma=1.5, verbose=2),
    SobelGradient(),
    SobelGradient(output="x", normalize=True, mode="nearest"),
    SobelGradient(output="angle"),
    SobelGradient(output="y", verbose=1),
    PrewittGradient(output="y"),
    PrewittGradient(output="magnitude", normalize=True),
    GaussianGradient(),
    GaussianGradient(sigma=3.0, output="x", mode="mirror"),
    GaussianGradient(sigma=0.5, output="angle"),
    Grayscale(),
    Flatten(),
    Threshold(),
    Threshold(0.5, foreground="above"),
    Threshold("otsu"),
    Threshold("mean", foreground="above"),
    BinaryOpening(),
    BinaryOpening((3,), iterations=2, n_jobs=1),
    BinaryOpening(np.array([1, 0, 1])),
    BinaryOpening((2,), verbose=2),
    BinaryClosing(),
    BinaryClosing((4,), iterations=3),
    BinaryClosing(((0, 1, 0), (1, 1, 1), (0, 1, 0))),
    ConnectedComponents(),
    ConnectedComponents(connectivity=2, n_jobs=1),
    BinaryOpeningCounter(),
    BinaryOpeningCounter(
        0.5, foreground="above", structure=(3,), iterations=1,
        features=("n_objects", "mean_area", "max_area", "total_area"),
    ),
    BinaryOpeningCounter("otsu", operation="closing", connectivity=2),
    BinaryOpeningCounter("mean", operation="none", features=("total_area",)),
    BinaryOpeningCounter(0.5, foreground="above", structure=(2,), min_area=2,
                         fill_holes=True, features=("n_objects", "total_area"),
                         verbose=1),
    # Rows are 1-D signals: objects are runs, measured as images one pixel high.
    ObjectFeatures(),
    ObjectFeatures("otsu", foreground="above", operation="opening", structure=(3,),
                   min_area=2, statistics=("median", "sum"),
                   properties=("extent", "orientation", "major_axis_length",
                               "minor_axis_length", "equivalent_diameter_area")),
    ObjectFeatures("mean", connectivity=2, fill_holes=True, operation="closing",
                   structure=(2,), n_jobs=1, verbose=2),
    ObjectCounter(),
    ObjectCounter("otsu", operation="none", min_area=2, fill_holes=True),
    ObjectCounter(0.0, foreground="above", structure=(3,), iterations=1, n_jobs=1,
                  verbose=1),
    ROFDenoiser(),
    ROFDenoiser(0.5, boundary="periodic", output="texture"),
    ROFDenoiser(method="chambolle", tolerance=1e-3, max_num_iter=5000),
    ROFDenoiser(5.0, method="chambolle", tau=0.2, boundary="periodic"),
    ROFDenoiser(5.0, tolerance=1e-4, n_jobs=1),
    # Rows are 1-D signals: one cell (a grid (1, k) needs k samples).
    ImageStatistics(),
    ImageStatistics(("median", "p10", "p90", "sum"), grid=1, n_jobs=1),
    ImageStatistics("std", grid=(1,), verbose=1),
    ImageStatistics(("p2.5", "max", "mean"), grid=(1, 1), channel_axis=1),
    ROFDenoiser(5.0, verbose=1),
    # Rows are 1-D signals: cells of pixels_per_cell samples, one pixel high.
    HOGDescriptor(pixels_per_cell=2, cells_per_block=1),
    HOGDescriptor(orientations=4, pixels_per_cell=(1,), cells_per_block=(2,),
                  block_norm="L1"),
    HOGDescriptor(pixels_per_cell=1, cells_per_block=1, block_norm="L1-sqrt",
                  n_jobs=1, verbose=2),
    # Rows are 1-D signals: LBP of an image one pixel high.
    LBPHistogram(),
    LBPHistogram(4, 2.0, method="nri_uniform", n_jobs=1),
    LBPHistogram(6, 1.5, method="ror"),
    LBPHistogram(3, 0.5, method="default", verbose=1),
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


# ImageReader's input is a list of file paths, which scikit-learn's numeric
# checks cannot feed (its tags say so: no 2-D arrays, strings). It runs the
# API checks that need no data here; tests/test_io_reader.py fits it in Pipeline
# and GridSearchCV on real files.
@pytest.mark.parametrize(
    "reader",
    [skimgproc.ImageReader(), skimgproc.ImageReader("RGB", resize=(8, 8), n_jobs=1)],
    ids=repr,
)
@pytest.mark.parametrize(
    "check_name",
    [
        "check_estimator_cloneable",
        "check_estimator_repr",
        "check_estimator_tags_renamed",
        "check_valid_tag_types",
        "check_no_attributes_set_in_init",
        "check_parameters_default_constructible",
        "check_get_params_invariance",
        "check_set_params",
        "check_do_not_raise_errors_in_init_or_set_params",
        "check_mixin_order",
    ],
)
def test_image_reader_api_checks(reader, check_name):
    from sklearn.utils import estimator_checks

    getattr(estimator_checks, check_name)(type(reader).__name__, reader)
