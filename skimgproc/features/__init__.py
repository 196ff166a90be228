"""Feature extraction: a row of features per image, for a classifier.

Histograms of oriented gradients (:mod:`._hog`), local binary patterns and
their histograms (:mod:`._lbp`), and per-cell image statistics
(:mod:`._statistics`), each a function on a batch and a thin estimator whose
``transform`` gives a 2-D ``(n_images, n_features)`` table with readable
``get_feature_names_out``. Measurements of the objects in an image
(``object_features``, ``ObjectCounter``) live with the counting, in
:mod:`skimgproc.measure`.
"""

from ._hog import HOGDescriptor, hog
from ._lbp import LBPHistogram, lbp_feature_names, lbp_histogram, local_binary_pattern
from ._statistics import ImageStatistics, image_statistics, statistics_feature_names

__all__ = [
    "HOGDescriptor",
    "ImageStatistics",
    "LBPHistogram",
    "hog",
    "image_statistics",
    "lbp_feature_names",
    "lbp_histogram",
    "local_binary_pattern",
    "statistics_feature_names",
]
