"""The one input contract of skimgproc: how a batch of images is laid out.

Every function and estimator of the package turns its input into an
:class:`ImageBatch` with :func:`as_batch`, works on ``batch.images`` and hands
the result back with :meth:`ImageBatch.restore`. Nothing else in the package
inspects shapes, channels or dtypes of user input.

Layouts accepted for ``X`` (first axis = samples):

* ``(n, height, width)``: grayscale images;
* ``(n, height, width, channels)``: colour images, channels last
  (``channel_axis=-1``), or ``(n, channels, height, width)`` with
  ``channel_axis=1``;
* ``(n, n_features)`` with ``image_shape=(h, w)`` or ``(h, w, c)``: each row
  is a flattened image (like ``load_digits().data``); results are flattened
  back;
* ``(n, n_features)`` with ``image_shape=None``: each row is a 1-D signal.

Internally ``batch.images`` is always ``(n, *spatial)`` or
``(n, *spatial, channels)`` (channels moved last, as a view, never copied),
so operations only need ``batch.spatial_axes``.

Values must be finite. An engine that reads every value in a compiled pass
anyway may take over that check (``as_batch(..., check_finite=False)``):
it then calls :meth:`ImageBatch.not_finite` on the first NaN or inf, and
:meth:`ImageBatch.check_finite` where it does not check, so that either way
the error and its message are this module's.
"""

import sys
from dataclasses import dataclass
from math import prod
from numbers import Integral

import numpy as np

__all__ = [
    "ImageBatch",
    "NonNumericInputError",
    "all_finite",
    "as_batch",
    "check_layout",
    "float_dtype",
    "is_dask_array",
    "pixel_feature_names",
]

LAYOUTS = (
    "(n_samples, height, width) grayscale images, "
    "(n_samples, height, width, channels) colour images "
    "(or (n_samples, channels, height, width) with channel_axis=1), "
    "or (n_samples, n_features) rows (flattened images with image_shape, "
    "1-D signals without)"
)


class NonNumericInputError(ValueError, TypeError):
    """Input that cannot be read as real numbers (sparse, strings, objects).

    It is both a :class:`ValueError` (the value is wrong) and a
    :class:`TypeError` (as NumPy and scikit-learn raise for such input), so
    callers may catch either.
    """


@dataclass(frozen=True)
class ImageBatch:
    """A validated batch of images in the package's internal layout.

    Attributes
    ----------
    images : ndarray
        Floating-point array of shape ``(n, *spatial)`` or
        ``(n, *spatial, n_channels)`` (integer or bool where the engine
        asked for them unconverted: :func:`as_batch`'s ``keep_integers``).
        Possibly a view of the user's array: never write into it.
    n_spatial : int
        1 for 1-D signals, 2 for images.
    has_channels : bool
        Whether the last axis of ``images`` holds channels.
    layout : {"images", "channels_first", "flat"}
        How to give results back: as images, moving the channels back to
        axis 1, or flattening each sample to a row.
    finite_checked : bool
        False while the finite check is left to the engine (see
        :func:`as_batch`'s ``check_finite``).
    name : str
        Name of the input in error messages.
    """

    images: np.ndarray
    n_spatial: int
    has_channels: bool
    layout: str
    finite_checked: bool = True
    name: str = "X"

    def check_finite(self):
        """Run the finite check if it was left to the engine, for an engine
        that does not check as it goes."""
        if not self.finite_checked:
            _check_finite(self.images, self.name)

    def not_finite(self):
        """Raise the contract's error, for an engine that found a NaN or inf
        in ``images``."""
        _check_finite(self.images, self.name)
        raise AssertionError(  # pragma: no cover - the engine was wrong
            f"an engine reported NaN or inf in {self.name}, which has none")

    @property
    def n_samples(self):
        return self.images.shape[0]

    @property
    def spatial_axes(self):
        return tuple(range(1, 1 + self.n_spatial))

    @property
    def spatial_shape(self):
        return self.images.shape[1 : 1 + self.n_spatial]

    @property
    def n_channels(self):
        return self.images.shape[-1] if self.has_channels else 1

    @property
    def sample_shape(self):
        """Shape of one sample in the user's layout."""
        shape = self.images.shape[1:]
        if self.layout == "flat":
            return (prod(shape),)
        if self.layout == "channels_first":
            return shape[-1:] + shape[:-1]
        return shape

    @property
    def is_table(self):
        """Whether the user's input was 2-D (rows of signals or of flat images)."""
        return len(self.sample_shape) == 1

    def per_axis(self, spatial_values, fill=0):
        """A tuple over all axes of ``images``: the given values on the
        spatial axes and ``fill`` on the sample and channel axes, so that an
        n-d scipy.ndimage call never works across images or channels."""
        values = [fill] * self.images.ndim
        for axis, value in zip(self.spatial_axes, spatial_values, strict=True):
            values[axis] = value
        return tuple(values)

    def restore(self, result, *, channels=None):
        """Put a result of the same internal layout back in the user's layout.

        ``channels`` says whether ``result`` has a channel axis; by default
        it has one exactly when the input had one.
        """
        if channels is None:
            channels = self.has_channels
        if self.layout == "flat":
            return result.reshape(result.shape[0], -1)
        if self.layout == "channels_first" and channels:
            return np.moveaxis(result, -1, 1)
        return result

    def as_2d(self, array):
        """A view of an internal-layout ``array`` as 2-D images, ``(n, H, W)``
        or ``(n, H, W, channels)``: a 1-D signal is an image one pixel high."""
        if self.n_spatial == 1:
            return array[:, np.newaxis]
        return array

    def planes(self):
        """The images as ``(n_samples * n_channels, *spatial)``, each plane one
        channel of one image. A copy when there are channels."""
        if not self.has_channels:
            return self.images
        moved = np.moveaxis(self.images, -1, 1)
        return moved.reshape((-1,) + self.spatial_shape)

    def from_planes(self, planes):
        """Inverse of :meth:`planes`, in the internal layout."""
        if not self.has_channels:
            return planes
        stacked = planes.reshape(
            (self.n_samples, self.n_channels) + planes.shape[1:]
        )
        return np.moveaxis(stacked, 1, -1)


def float_dtype(dtype, name):
    """The float dtype a batch of ``dtype`` is processed in: float32 stays
    float32, every other real type becomes float64."""
    if dtype.kind == "c":
        raise ValueError(
            f"Complex data not supported: {name} has dtype {dtype}; "
            "expected real numbers (integer, bool or float)."
        )
    if dtype.kind == "f":
        if dtype.itemsize <= 4:
            return np.dtype(np.float32)
        return np.dtype(np.float64)
    if dtype.kind in "biu":
        # Integer images keep their values (0..255 stays 0..255).
        return np.dtype(np.float64)
    raise NonNumericInputError(
        f"{name} has non-numeric dtype {dtype}; expected real numbers "
        "(integer, bool or float)."
    )


def _as_real_array(X, name, keep_integers=False):
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise NonNumericInputError(
            f"Sparse input is not supported: {name} is a {type(X).__name__}; "
            "pass a dense array of images."
        )
    if isinstance(X, ImageBatch):
        raise TypeError("as_batch got an ImageBatch where an array was expected")
    try:
        array = np.asarray(X)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(
            f"{name} could not be read as an array ({exc}); expected {LAYOUTS}."
        ) from exc
    if array.dtype == object:
        try:
            array = array.astype(np.float64)
        except OverflowError as exc:  # a Python int beyond float64's range
            raise ValueError(
                f"{name} contains a number too large for float64 (beyond "
                f"+-{np.finfo(np.float64).max:.4g}): {exc}; expected finite "
                "numbers."
            ) from exc
        except (TypeError, ValueError) as exc:
            raise NonNumericInputError(
                f"{name} contains values that are not real numbers "
                f"(dtype object): {exc}"
            ) from exc
    dtype = float_dtype(array.dtype, name)
    if keep_integers and array.dtype.kind in "biu":
        return array
    # astype(copy=False) keeps the user's float array as it is (a view);
    # nothing in the package writes into it.
    return array.astype(dtype, copy=False)


def all_finite(array):
    """Whether every value of a float ``array`` is finite.

    The sum is one fast pass; only when it is not finite (a NaN or inf, or
    an overflow of large finite values) look element by element. It is
    taken in the array's own dtype: a float64 sum of float32 data converts
    every value and took 4x longer (2.5 ms on 16 x 512 x 512).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(array.sum()) or np.isfinite(array).all())


def _check_finite(array, name):
    if all_finite(array):
        return
    n_nan = int(np.count_nonzero(np.isnan(array)))
    n_inf = int(np.count_nonzero(np.isinf(array)))
    if n_nan or n_inf:
        raise ValueError(
            f"Input {name} contains NaN or inf ({n_nan} NaN, {n_inf} inf "
            "values); expected finite numbers."
        )


def _check_image_shape(image_shape, name="image_shape"):
    if image_shape is None:
        return None
    try:
        # Integers only: True and 20.0 compare equal to 1 and 20, but are
        # not sizes.
        ok = all(isinstance(v, Integral) and not isinstance(v, (bool, np.bool_))
                 for v in image_shape)
        shape = tuple(int(v) for v in image_shape) if ok else ()
    except TypeError:
        ok = False
    if not ok or len(shape) not in (2, 3) or min(shape) < 1:
        raise ValueError(
            f"The '{name}' parameter must be None or a tuple (height, width) or "
            f"(height, width, channels) of positive integers. Got {image_shape!r} "
            "instead."
        )
    return shape


def as_batch(
    X,
    *,
    image_shape=None,
    channel_axis=-1,
    allow_channels=True,
    min_spatial=1,
    name="X",
    caller=None,
    lazy=False,
    check_finite=True,
    keep_integers=False,
):
    """Validate ``X`` against the batch contract and return an :class:`ImageBatch`.

    An :class:`ImageBatch` is returned unchanged, so that an estimator can
    validate once and hand the batch on to the function it wraps.

    Parameters
    ----------
    X : array-like or ImageBatch
        The batch, in one of the layouts described in the module docstring.
    image_shape : tuple of int, optional
        Shape of one image when ``X`` is 2-D with flattened images as rows.
    channel_axis : int, default=-1
        Axis of the channels of 4-D input: -1 (or 3) for channels last, 1
        for channels first. Ignored for other layouts.
    allow_channels : bool, default=True
        If False, colour input is refused (for operations defined on
        grayscale images only).
    min_spatial : int, default=1
        Smallest spatial size accepted along each spatial axis.
    name : str, default="X"
        Name of the input in error messages.
    caller : str, optional
        Name of the function or estimator, for error messages.
    lazy : bool, default=False
        Whether the caller can work on a dask array (see
        :mod:`skimgproc._dask`). If so, a dask ``X`` is checked from its
        shape and dtype now and chunk by chunk when computed, and ``images``
        is a lazy dask array; otherwise a dask ``X`` is refused.
    check_finite : bool, default=True
        Whether to check now that every value is finite (a pass over the
        whole batch, in the calling thread). False leaves the check to the
        engine, which must call :meth:`ImageBatch.not_finite` or
        :meth:`ImageBatch.check_finite` (see the module docstring).
    keep_integers : bool, default=False
        Whether a NumPy batch of integers or bools keeps its dtype in
        ``images`` (the same values, and they are finite), for an engine
        that converts them to float64 image by image as it reads them,
        rather than as a float64 copy of the batch (eight times a ``uint8``
        batch). Results are still in :func:`float_dtype`'s type. A dask
        batch is converted chunk by chunk as usual.

    Returns
    -------
    ImageBatch
    """
    if isinstance(X, ImageBatch):
        return X
    options = dict(
        image_shape=_check_image_shape(image_shape),
        channel_axis=_normalize_channel_axis(channel_axis),
        allow_channels=allow_channels,
        min_spatial=min_spatial,
        name=name,
        caller=caller,
    )
    if is_dask_array(X):
        if not lazy:
            raise TypeError(
                f"{caller or 'This function'} got a dask array as {name}; the "
                "functions work on NumPy arrays. Use the estimator (for example "
                "GaussianBlur().transform(X)), which keeps the result lazy, or "
                "pass X.compute()."
            )
        from ._dask import lazy_batch  # dask is imported only for dask input

        return lazy_batch(X, options)
    array = _as_real_array(X, name, keep_integers)
    n_spatial, has_channels, layout = check_layout(array.shape, **options)
    images = _to_internal(array, layout, options["image_shape"])
    if check_finite and images.dtype.kind == "f":
        _check_finite(images, name)
    return ImageBatch(images, n_spatial, has_channels, layout,
                      finite_checked=bool(check_finite), name=name)


def is_dask_array(X):
    """Whether ``X`` is a dask array; never imports dask (a dask array can
    only exist once dask is imported)."""
    dask_array = sys.modules.get("dask.array")
    return dask_array is not None and isinstance(X, dask_array.Array)


def check_layout(shape, *, image_shape, channel_axis, allow_channels,
                 min_spatial, name, caller):
    """Check a batch's shape against the contract, from its shape alone.

    Returns ``(n_spatial, has_channels, layout)``; raises what is wrong
    with the shape.
    """
    where = f" for {caller}" if caller else ""
    ndim = len(shape)
    if image_shape is not None and ndim != 2:
        # image_shape reads rows as flattened images; on images it would be
        # silently ignored.
        raise ValueError(
            f"image_shape={image_shape} describes flattened images as rows, a "
            f"2-D {name} of shape (n_samples, n_features), but {name} is a "
            f"{ndim}-D array of shape {tuple(shape)}{where}; pass "
            "image_shape=None for arrays of images."
        )
    if ndim == 2 and image_shape is not None:
        n_features = prod(image_shape)
        if shape[1] != n_features:
            raise ValueError(
                f"{name} has {shape[1]} features per row, but image_shape="
                f"{image_shape} needs {n_features} (height * width"
                f"{' * channels' if len(image_shape) == 3 else ''})."
            )
        internal = (shape[0],) + image_shape
        n_spatial, has_channels, layout = 2, len(image_shape) == 3, "flat"
    elif ndim in (2, 3):
        internal, n_spatial, has_channels, layout = shape, ndim - 1, False, "images"
    elif ndim == 4:
        if channel_axis == 1:
            internal = (shape[0],) + shape[2:] + shape[1:2]
            layout = "channels_first"
        else:
            internal, layout = shape, "images"
        n_spatial, has_channels = 2, True
    else:
        extra = (
            " Reshape your data: a single image needs a leading sample axis "
            "(X[np.newaxis]), a single 1-D signal X.reshape(1, -1)."
            if ndim < 2
            else ""
        )
        raise ValueError(
            f"Expected {LAYOUTS}{where}; got a {ndim}-D array of shape "
            f"{shape}.{extra}"
        )

    if internal[0] == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={shape}) while a minimum "
            f"of 1 is required{where}: {name} is an empty batch, with no images."
        )
    spatial = internal[1 : 1 + n_spatial]
    if prod(internal) == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={shape}) while a minimum "
            f"of 1 is required{where}: {name} has empty images of shape "
            f"{internal[1:]}."
        )
    if min(spatial) < min_spatial:
        raise ValueError(
            f"{name} has images of shape {internal[1:]}{where}; expected at "
            f"least {min_spatial} pixels along each spatial axis."
        )
    if has_channels and not allow_channels:
        # Said from the user's shape: such callers take no channel_axis, so
        # (n, 3, h, w) would otherwise read as images with w channels.
        given = f"shape {tuple(shape)}" + (
            f" with image_shape={image_shape}" if layout == "flat" else "")
        raise ValueError(
            f"{caller or 'This operation'} works on grayscale images "
            f"(n_samples, height, width), but {name} holds colour images "
            f"({given}). Convert to gray first, for example with "
            "skimgproc.Grayscale() (channel_axis=1 for channels first)."
        )
    return n_spatial, has_channels, layout


def _to_internal(array, layout, image_shape):
    """A view of a user-layout array in the internal layout."""
    if layout == "flat":
        return array.reshape((array.shape[0],) + image_shape)
    if layout == "channels_first":
        return np.moveaxis(array, 1, -1)
    return array


def _normalize_channel_axis(channel_axis):
    # An axis is an integer: True and 1.0 compare equal to 1, but are not.
    is_int = (isinstance(channel_axis, Integral)
              and not isinstance(channel_axis, (bool, np.bool_)))
    if is_int and channel_axis in (-1, 3):
        return -1
    if is_int and channel_axis in (1, -3):
        return 1
    raise ValueError(
        "The 'channel_axis' parameter must be -1 (channels last, "
        "(n, height, width, channels)) or 1 (channels first, "
        f"(n, channels, height, width)). Got {channel_axis!r} instead."
    )


def pixel_feature_names(sample_shape, prefix="pixel"):
    """Readable names of the flattened features of one sample.

    ``(2, 3)`` gives ``pixel_0_0, pixel_0_1, ..., pixel_1_2`` (row, column),
    in the order of ``X.reshape(n, -1)``.
    """
    index = np.indices(sample_shape).reshape(len(sample_shape), -1).T
    return np.asarray(
        [prefix + "".join(f"_{i}" for i in idx) for idx in index], dtype=object
    )
