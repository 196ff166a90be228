"""Dask arrays through the batch contract: lazy, one chunk of images at a time.

Imported only when a dask array reaches an estimator (``pip install
"skimgproc[dask]"``); NumPy users never import dask.

A dask batch is checked at once from its shape and dtype, with the same
rules and messages as a NumPy batch (:func:`skimgproc._batch.as_batch`).
Its spatial and channel axes are brought to single chunks, so that every
chunk is a batch of whole images and no operation mixes images across chunks;
the sample axis keeps the user's chunks. What needs the values (NaN and inf)
is checked chunk by chunk when the result is computed, by running the NumPy
contract on each chunk. An estimator's ``transform`` then runs its NumPy
engine on each chunk: the result is the NumPy result, chunk by chunk.
"""

import math
from dataclasses import replace

import dask
import dask.array as da
import numpy as np

from ._batch import (
    ImageBatch,
    _float_dtype,
    _layout,
    as_batch,
    default_n_jobs,
)
from ._config import config_context, get_config

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
    dtype = _float_dtype(X.dtype, name)
    n_spatial, has_channels, layout = _layout(X.shape, **options)
    # Whole images in every chunk: only the sample axis stays chunked.
    X = X.rechunk({axis: -1 for axis in range(1, X.ndim)})
    template = ImageBatch(None, n_spatial, has_channels, layout)
    sample = as_batch(np.zeros((1,) + X.shape[1:], X.dtype), **options).images
    images = _map_blocks(
        _internal_block, X, sample, token="skimgproc-as-batch", options=options
    )
    return replace(template, images=images)


def _internal_block(block, options):
    # The NumPy contract on each chunk: the same conversions, and the same
    # errors for NaN or inf as an in-memory batch.
    return as_batch(block, **options).images


def map_batch(transform, batch, params, *, caller):
    """Lazily apply ``transform(batch, params)`` to every chunk of images.

    ``transform`` is an estimator's NumPy engine (bound to a copy of the
    estimator, so that later ``set_params`` do not change this result); it
    returns the result of a chunk in the user's layout. The shape and dtype of
    one result sample come from running it on one image of zeros.
    """
    template = replace(batch, images=None)
    sample = np.zeros((1,) + batch.images.shape[1:], batch.images.dtype)
    probe = transform(replace(template, images=sample), dict(params))
    return _map_blocks(
        _transform_block, batch.images, probe, token=caller.lower(),
        transform=transform, template=template, params=params,
        # The configuration is per thread: carry it to dask's workers.
        config=get_config(),
    )


def _transform_block(block, transform, template, params, config):
    # Dask runs chunks in parallel: n_jobs=None is one thread per chunk.
    with config_context(**config), default_n_jobs(1):
        return transform(replace(template, images=block), dict(params))


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


def unique_counts(images):
    """``np.unique(images, return_counts=True)`` of a dask array, computed
    with a reduction over the chunks (the memory it needs grows with the
    number of distinct values, not with the number of images)."""
    values, counts = da.unique(images, return_counts=True)
    return dask.compute(values, counts)
