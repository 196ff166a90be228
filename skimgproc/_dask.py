"""Dask arrays through the batch contract: lazy, one chunk of images at a time.

Imported only when a dask array reaches an estimator (``pip install
"skimgproc[dask]"``); NumPy users never import dask.

A dask batch is checked at once from its shape and dtype, with the same
rules and messages as a NumPy batch (:func:`skimgproc._batch.as_batch`).
Its spatial and channel axes are brought to single chunks, so that every
chunk is a batch of whole images and no operation mixes images across chunks;
the sample axis keeps the user's chunks (less empty ones, and split where
whole images would make a chunk larger than dask's ``array.chunk-size``).
What needs the values (NaN and inf) is checked chunk by chunk when the
result is computed, by running the NumPy contract on each chunk. An
estimator's ``transform`` then runs its NumPy engine on each chunk: the
result is the NumPy result, chunk by chunk.
"""

import math
from dataclasses import replace

import dask
import numpy as np
from dask.utils import parse_bytes

from ._batch import ImageBatch, as_batch, check_layout, float_dtype
from ._config import config_context, get_config
from ._executor import default_n_jobs

__all__ = ["lazy_batch", "map_batch", "unique_counts"]


def lazy_batch(X, options):
    """The :class:`ImageBatch` of a dask array ``X``, its ``images`` lazy.

    ``options`` are the normalised keyword arguments of ``as_batch``.
    """
    name = options["name"]
    if any(math.isnan(size) for size in X.shape):
        raise ValueError(
            f"{name} is a dask array of unknown shape {X.shape}; the images' "
            "shape must be known before computing. Call "
            f"{name}.compute_chunk_sizes() first."
        )
    dtype = float_dtype(X.dtype, name)
    n_spatial, has_channels, layout = check_layout(X.shape, **options)
    X = X.rechunk(_whole_image_chunks(X, dtype.itemsize))
    template = ImageBatch(None, n_spatial, has_channels, layout)
    sample = as_batch(np.zeros((1,) + X.shape[1:], X.dtype), **options).images
    images = _map_blocks(
        _internal_block, X, sample, token="skimgproc-as-batch", options=options
    )
    return replace(template, images=images)


def _whole_image_chunks(X, itemsize):
    """Chunks of ``X`` holding whole images: the user's sample chunks, less
    the empty ones (filtering with a mask leaves some), and fewer images to
    a chunk where merging the image axes would make chunks larger than both
    the user's and dask's ``array.chunk-size`` (in the float type the images
    are processed in, ``itemsize`` bytes a value)."""
    samples = tuple(size for size in X.chunks[0] if size)
    image_bytes = math.prod(X.shape[1:]) * itemsize
    user_bytes = math.prod(max(sizes) for sizes in X.chunks) * itemsize
    limit = max(user_bytes, parse_bytes(dask.config.get("array.chunk-size")))
    if max(samples) * image_bytes > limit:
        per_chunk = max(1, limit // image_bytes)
        samples = tuple(
            piece
            for size in samples
            for piece in [per_chunk] * (size // per_chunk) + [size % per_chunk]
            if piece
        )
    return (samples,) + tuple((size,) for size in X.shape[1:])


def _internal_block(block, options):
    # The NumPy contract on each chunk: the same conversions, and the same
    # errors for NaN or inf as an in-memory batch.
    return as_batch(block, **options).images


def map_batch(transform, batch, *, caller):
    """Lazily apply ``transform(batch)`` to every chunk of images.

    ``transform`` is an estimator's NumPy path (bound to a copy of the
    estimator, so that later ``set_params`` do not change this result); it
    returns the result of a chunk in the user's layout. The shape and dtype of
    one result sample come from running it on one image of zeros.
    """
    template = replace(batch, images=None)
    sample = np.zeros((1,) + batch.images.shape[1:], batch.images.dtype)
    probe = transform(replace(template, images=sample))
    return _map_blocks(
        _transform_block, batch.images, probe, token=caller.lower(),
        transform=transform, template=template,
        # The configuration is per thread: carry it to dask's workers.
        config=get_config(),
    )


def _transform_block(block, transform, template, config):
    # Dask runs chunks in parallel: n_jobs=None is one thread per chunk.
    with config_context(**config), default_n_jobs(1):
        return transform(replace(template, images=block))


def _map_blocks(func, images, probe, *, token, **kwargs):
    """``images.map_blocks(func)`` whose blocks give results like ``probe``:
    the sample chunks are kept, the other axes are single chunks."""
    chunks = (images.chunks[0],) + tuple((size,) for size in probe.shape[1:])
    if probe.ndim < images.ndim:
        kwargs["drop_axis"] = list(range(probe.ndim, images.ndim))
    elif probe.ndim > images.ndim:
        kwargs["new_axis"] = list(range(images.ndim, probe.ndim))
    return images.map_blocks(
        func, dtype=probe.dtype, chunks=chunks, meta=probe[:0], token=token,
        **kwargs,
    )


def unique_counts(images, *, fan_in=8):
    """``np.unique(images, return_counts=True)`` of a dask array.

    Each chunk counts its own values, then the counts are merged in a tree,
    ``fan_in`` at a time. No task holds more than a chunk of images or the
    distinct values of the batch: few for 8- or 16-bit gray levels, up to
    one per pixel (16 bytes each) for continuous float data.
    (``dask.array.unique`` compares every distinct value with every pixel:
    quadratic on float data.)
    """
    parts = [_chunk_counts(block) for block in images.to_delayed().ravel()]
    while len(parts) > 1:
        parts = [_merge_counts(parts[i : i + fan_in])
                 for i in range(0, len(parts), fan_in)]
    return dask.compute(parts[0])[0]


@dask.delayed(pure=True)
def _chunk_counts(block):
    return np.unique(block, return_counts=True)


@dask.delayed(pure=True)
def _merge_counts(parts):
    values, where = np.unique(np.concatenate([v for v, _ in parts]),
                              return_inverse=True)
    counts = np.bincount(where, weights=np.concatenate([c for _, c in parts]),
                         minlength=len(values))
    return values, counts.astype(np.int64)
