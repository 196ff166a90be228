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

import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from math import prod

import numpy as np

__all__ = [
    "ImageBatch",
    "NonNumericInputError",
    "all_finite",
    "as_batch",
    "chunk_scratch",
    "default_n_jobs",
    "effective_n_threads",
    "is_dask_array",
    "pixel_feature_names",
    "run_chunked",
    "run_ranges",
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
        ``(n, *spatial, n_channels)``. Possibly a view of the user's array:
        never write into it.
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


def _float_dtype(dtype, name):
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


def _as_real_array(X, name):
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
        except (TypeError, ValueError) as exc:
            raise NonNumericInputError(
                f"{name} contains values that are not real numbers "
                f"(dtype object): {exc}"
            ) from exc
    dtype = _float_dtype(array.dtype, name)
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
        shape = tuple(int(v) for v in image_shape)
        ok = all(v == orig for v, orig in zip(shape, image_shape, strict=True))
    except (TypeError, ValueError):
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
    array = _as_real_array(X, name)
    n_spatial, has_channels, layout = _layout(array.shape, **options)
    images = _to_internal(array, layout, options["image_shape"])
    if check_finite:
        _check_finite(images, name)
    return ImageBatch(images, n_spatial, has_channels, layout,
                      finite_checked=bool(check_finite), name=name)


def is_dask_array(X):
    """Whether ``X`` is a dask array; never imports dask (a dask array can
    only exist once dask is imported)."""
    dask_array = sys.modules.get("dask.array")
    return dask_array is not None and isinstance(X, dask_array.Array)


def _layout(shape, *, image_shape, channel_axis, allow_channels,
            min_spatial, name, caller):
    """Check a batch's shape against the contract, from its shape alone.

    Returns ``(n_spatial, has_channels, layout)``; raises what is wrong
    with the shape.
    """
    where = f" for {caller}" if caller else ""
    ndim = len(shape)
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
    if channel_axis in (-1, 3):
        return -1
    if channel_axis in (1, -3):
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


def effective_n_threads(n_jobs):
    """Threads to use for ``n_jobs``: None means every core this process may
    use, negative values count back from that (-1 = all, -2 = all but one)."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        available = os.cpu_count() or 1
    if n_jobs is None:
        return getattr(_default_threads, "n", None) or available
    if n_jobs < 0:
        return max(1, available + 1 + n_jobs)
    return max(1, int(n_jobs))


_default_threads = threading.local()


@contextmanager
def default_n_jobs(n_threads):
    """Let ``n_jobs=None`` mean ``n_threads`` in this thread, for callers that
    run chunks in parallel themselves (dask's workers)."""
    old = getattr(_default_threads, "n", None)
    _default_threads.n = n_threads
    try:
        yield
    finally:
        _default_threads.n = old


# Work items of about this many bytes keep a filter's intermediate passes in
# the cache and still amortise the cost of a thread hand-off.
CHUNK_BYTES = 1 << 21


def run_chunked(func, src, dst, n_jobs=None, *, chunk_bytes=None, blas=True):
    """Apply ``func(src[i:j], dst[i:j])`` over chunks of samples on threads.

    ``func`` works on any number of samples and writes its result into the
    given output slice. scipy.ndimage (and OpenCV, numba and BLAS) release
    the GIL, so threads run in parallel. Chunks hold about ``chunk_bytes``
    of input even on one thread, so that the temporaries ``func`` makes stay
    chunk-sized (and in the cache); a batch smaller than one chunk runs in
    one call with no thread overhead. See :func:`run_ranges`.
    """
    run_ranges(lambda a, b: func(src[a:b], dst[a:b]), src.shape[0],
               src[:1].nbytes, n_jobs, chunk_bytes=chunk_bytes, blas=blas)
    return dst


def run_ranges(func, n_samples, sample_nbytes, n_jobs=None, *, chunk_bytes=None,
               blas=True):
    """Call ``func(start, stop)`` over chunks of ``range(n_samples)`` on threads.

    The engine of :func:`run_chunked`, for work that writes more than one
    output per chunk. Chunks cover about ``chunk_bytes`` (by default
    ``CHUNK_BYTES``) of samples of ``sample_nbytes`` each. The calling
    thread works too, beside ``n_jobs - 1`` threads of a pool kept for the
    next call; a call made from inside ``func`` runs on its own thread only.
    BLAS runs on one thread meanwhile; ``blas=False``, for work that calls
    no BLAS, skips setting that (0.1 ms a call, before any thread starts).
    """
    n = n_samples
    n_threads = min(effective_n_threads(n_jobs), n)
    if chunk_bytes is None:
        chunk_bytes = CHUNK_BYTES
    per_chunk = max(1, chunk_bytes // max(1, sample_nbytes))
    with _single_threaded_blas() if blas else nullcontext():
        if n <= per_chunk:
            try:
                func(0, n)
            finally:
                _release_scratch()
            return
        # With threads, at least two chunks each so that uneven work balances.
        n_chunks = max(-(-n // per_chunk), 2 * n_threads if n_threads > 1 else 1)
        bounds = np.linspace(0, n, n_chunks + 1).astype(int)
        pieces = iter([(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a])
        if n_threads <= 1 or getattr(_in_worker, "active", False):
            try:
                for a, b in pieces:
                    func(a, b)
            finally:
                _release_scratch()
            return
        take = threading.Lock()
        failed = []

        def runner():
            _in_worker.active = True
            try:
                while not failed:
                    with take:
                        piece = next(pieces, None)
                    if piece is None:
                        return
                    func(*piece)
            except BaseException as exc:
                failed.append(exc)
            finally:
                _in_worker.active = False
                _release_scratch()

        futures = [_executor(n_threads - 1).submit(runner)
                   for _ in range(n_threads - 1)]
        runner()
        for future in futures:  # every writer is done before returning
            future.result()
        if failed:
            raise failed[0]


_scratch = threading.local()


def chunk_scratch(shape, dtype, slot=0):
    """A temporary for ``func`` of :func:`run_chunked`, reused by the thread
    for its next chunks of the same call (fresh memory costs page faults on
    every chunk) and dropped when the call ends; ``slot`` tells apart the
    temporaries that coexist."""
    size = prod(shape)
    buffers = _scratch.__dict__.setdefault("buffers", {})
    buf = buffers.get(slot)
    if buf is None or buf.dtype != dtype or buf.size < size:
        buf = buffers[slot] = np.empty(size, dtype)
    return buf[:size].reshape(shape)


def _release_scratch():
    _scratch.__dict__.pop("buffers", None)


# Threads of run_chunked, kept between calls (starting them cost 0.5 ms a
# call, a tenth of a Sobel gradient of 16 x 512 x 512).
_in_worker = threading.local()
_pool_lock = threading.Lock()
_pool = {"executor": None, "size": 0}


def _executor(n_workers):
    with _pool_lock:
        if _pool["size"] < n_workers:
            old = _pool["executor"]
            _pool["executor"] = ThreadPoolExecutor(
                n_workers, thread_name_prefix="skimgproc"
            )
            _pool["size"] = n_workers
            if old is not None:
                old.shutdown(wait=False)
        return _pool["executor"]


def _forget_pool():
    # A forked child has none of the parent's threads.
    global _pool_lock
    _pool_lock = threading.Lock()
    _pool.update(executor=None, size=0)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


# BLAS's own threads on top of run_chunked's would oversubscribe the cores
# (on a busy 2-core machine a batch of small matrix products ran 10x slower),
# and n_jobs would not mean what it says. The limit is process-wide, so
# concurrent callers share it: the first sets it, the last restores it.
_blas_lock = threading.Lock()
_blas = {"users": 0, "limiter": None, "controller": None}


@contextmanager
def _single_threaded_blas():
    with _blas_lock:
        if _blas["users"] == 0:
            if _blas["controller"] is None:
                from threadpoolctl import ThreadpoolController

                _blas["controller"] = ThreadpoolController()
            _blas["limiter"] = _blas["controller"].limit(limits=1, user_api="blas")
        _blas["users"] += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas["users"] -= 1
            if _blas["users"] == 0:
                _blas["limiter"].restore_original_limits()
                _blas["limiter"] = None
