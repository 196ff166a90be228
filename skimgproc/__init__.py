"""skimgproc: classic image processing as scikit-learn estimators.

Every operation is a plain function on a batch of images and a thin
fit/transform estimator around it, so that it can be chained in a
:class:`~sklearn.pipeline.Pipeline`, tuned with
:class:`~sklearn.model_selection.GridSearchCV` and used for feature
extraction.
"""

from ._config import config_context, get_config, set_config
from .denoise import ROFDenoiser, rof_denoise
from .features import (
    HOGDescriptor,
    ImageStatistics,
    LBPHistogram,
    hog,
    image_statistics,
    lbp_histogram,
    local_binary_pattern,
)
from .filters import GaussianBlur, gaussian_blur
from .gradients import (
    GaussianGradient,
    PrewittGradient,
    SobelGradient,
    gaussian_gradient,
    prewitt_gradient,
    sobel_gradient,
)
from .io import (
    ImageReader,
    read_image,
    read_images,
    read_mat,
    write_image,
    write_mat,
)
from .measure import (
    BinaryOpeningCounter,
    ConnectedComponents,
    ObjectCounter,
    ObjectFeatures,
    count_objects,
    label,
    object_features,
)
from .metrics import make_psnr_scorer, psnr
from .morphology import BinaryClosing, BinaryOpening, binary_closing, binary_opening
from .preprocessing import Flatten, Grayscale, flatten, rgb_to_gray
from .thresholding import Threshold, threshold

__version__ = "0.1.0"

__all__ = [
    "BinaryClosing",
    "BinaryOpening",
    "BinaryOpeningCounter",
    "ConnectedComponents",
    "Flatten",
    "GaussianBlur",
    "GaussianGradient",
    "Grayscale",
    "HOGDescriptor",
    "ImageReader",
    "ImageStatistics",
    "LBPHistogram",
    "ObjectCounter",
    "ObjectFeatures",
    "PrewittGradient",
    "ROFDenoiser",
    "SobelGradient",
    "Threshold",
    "binary_closing",
    "binary_opening",
    "config_context",
    "count_objects",
    "flatten",
    "gaussian_blur",
    "gaussian_gradient",
    "get_config",
    "hog",
    "image_statistics",
    "label",
    "lbp_histogram",
    "local_binary_pattern",
    "make_psnr_scorer",
    "object_features",
    "prewitt_gradient",
    "psnr",
    "read_image",
    "read_images",
    "read_mat",
    "rgb_to_gray",
    "rof_denoise",
    "set_config",
    "sobel_gradient",
    "threshold",
    "write_image",
    "write_mat",
]
