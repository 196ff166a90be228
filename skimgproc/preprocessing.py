"""Layout steps of a pipeline: colour to gray, and images to feature rows."""

import numpy as np

from ._base import ImageTransformer
from ._batch import as_batch
from ._validation import Constraints

__all__ = ["Flatten", "Grayscale", "flatten", "rgb_to_gray"]

#: ITU-R 601-2 luma weights, those of Pillow's ``Image.convert("L")``.
LUMA_WEIGHTS = np.array([299, 587, 114]) / 1000


def gray_images(batch):
    """The gray images of a validated :class:`~skimgproc._batch.ImageBatch`,
    in its internal layout without channels: RGB(A) converted with
    :data:`LUMA_WEIGHTS` (alpha ignored), one channel or gray images copied.
    The engine of :func:`rgb_to_gray`, for the families that measure gray
    values of colour input."""
    images = batch.images
    if not batch.has_channels or batch.n_channels == 1:
        gray = images[..., 0] if batch.has_channels else images
        return gray.copy()
    if batch.n_channels not in (3, 4):
        raise ValueError(
            f"Grayscale conversion needs RGB or RGBA images (3 or 4 channels); "
            f"got {batch.n_channels} channels (images of shape {images.shape[1:]})."
        )
    # Like Pillow, an alpha channel is ignored.
    weights = LUMA_WEIGHTS.astype(images.dtype)
    return images[..., :3] @ weights


def rgb_to_gray(images, *, channel_axis=-1, image_shape=None):
    """Convert colour images to gray with ITU-R 601-2 luma weights.

    ``L = 0.299 R + 0.587 G + 0.114 B``, the formula of Pillow's
    ``convert("L")``, without its rounding to integers. An alpha channel is
    ignored; grayscale input is returned as a copy.

    Parameters
    ----------
    images : array-like
        ``(n, height, width, 3 or 4)``, ``(n, 3 or 4, height, width)`` with
        ``channel_axis=1``, or flattened rows with ``image_shape=(h, w, c)``.
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input.
    image_shape : tuple of int, optional
        Shape of one image when ``images`` holds flattened images as rows;
        the gray images are flattened too.

    Returns
    -------
    gray : ndarray
        ``(n, height, width)``, or ``(n, height * width)`` for flattened
        input; float32 stays float32, integers become float64 (unscaled).

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import rgb_to_gray
    >>> float(rgb_to_gray(np.full((1, 2, 2, 3), [255, 0, 0]))[0, 0, 0].round(3))
    76.245
    """
    batch = as_batch(images, channel_axis=channel_axis, image_shape=image_shape,
                     caller="rgb_to_gray")
    return batch.restore(gray_images(batch), channels=False)


def flatten(images):
    """Flatten each sample of a batch to one row: ``(n, ...)`` to ``(n, n_features)``.

    Parameters
    ----------
    images : array-like
        Any batch accepted by the package.

    Returns
    -------
    rows : ndarray of shape (n_samples, n_features)

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import flatten
    >>> flatten(np.zeros((4, 8, 8))).shape
    (4, 64)
    """
    batch = as_batch(images, caller="flatten")
    images = batch.restore(batch.images)
    return images.reshape(images.shape[0], -1)


class Grayscale(ImageTransformer):
    """Convert colour images to gray, as Pillow's ``convert("L")`` does.

    A thin estimator over :func:`rgb_to_gray`; use it before steps that work
    on gray images only (thresholding, object counting).

    Parameters
    ----------
    channel_axis : {-1, 1}, default=-1
        Axis of the channels of 4-D input.
    image_shape : tuple of int, default=None
        ``(height, width, channels)`` when ``X`` holds flattened colour
        images as rows; the output is then flattened gray images.

    Attributes
    ----------
    n_features_in_ : int
        Number of values per sample seen in ``fit``.

    See Also
    --------
    rgb_to_gray : The function behind this estimator.

    Examples
    --------
    >>> from sklearn.datasets import load_sample_image
    >>> from skimgproc import Grayscale
    >>> china = load_sample_image("china.jpg")[None]  # a batch of one photo
    >>> Grayscale().fit_transform(china).shape
    (1, 427, 640)
    """

    _function = staticmethod(rgb_to_gray)
    _parameter_constraints = Constraints()  # the layout only, which the contract checks

    def __init__(self, *, channel_axis=-1, image_shape=None):
        self.channel_axis = channel_axis
        self.image_shape = image_shape

    def _output_sample_shape(self):
        # The shape of one gray image, whose pixels name the columns.
        shape = self._fitted_sample_shape
        if self.image_shape is not None:
            return tuple(self.image_shape[:2])
        if len(shape) == 3:
            return shape[1:] if self.channel_axis in (1, -3) else shape[:2]
        return shape


class Flatten(ImageTransformer):
    """Flatten each image to a row of features, for any scikit-learn estimator.

    ``(n, height, width[, channels])`` becomes ``(n, height * width
    [* channels])``; 2-D input passes through. :meth:`get_feature_names_out`
    names each column by its pixel (``pixel_<row>_<col>[_<channel>]``).

    Attributes
    ----------
    n_features_in_ : int
        Number of values per sample seen in ``fit``.

    See Also
    --------
    flatten : The function behind this estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc import Flatten
    >>> flat = Flatten().fit(np.zeros((3, 2, 2)))
    >>> flat.get_feature_names_out().tolist()
    ['pixel_0_0', 'pixel_0_1', 'pixel_1_0', 'pixel_1_1']
    """

    _function = staticmethod(flatten)
    _cacheable = False  # a reshape: cheaper than the key of the transform cache
    _parameter_constraints = Constraints()  # no parameters
