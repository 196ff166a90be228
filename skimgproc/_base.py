"""The thin scikit-learn side shared by every estimator of the package.

An estimator stores its parameters, checks them in ``fit`` and ``transform``,
validates ``X`` once against the batch contract (:mod:`skimgproc._batch`) and
calls its function. Here live the pieces they all share: the feature-count
bookkeeping scikit-learn expects after ``fit``, tags, and ``set_output`` for
outputs that are 2-D tables (image-shaped outputs stay arrays).
"""

import copy
import functools
from dataclasses import replace
from math import prod

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _cache
from ._batch import as_batch, is_dask_array, pixel_feature_names
from ._config import accelerated
from ._progress import progress

__all__ = ["FeatureTableMixin", "ImageTransformer"]


# scikit-learn inspects the constructor's signature on every get_params (27
# us); the estimators call it on every fit and transform.
_param_names = functools.cache(BaseEstimator._get_param_names.__func__)


class ImageTransformer(TransformerMixin, BaseEstimator):
    """Base class: an image operation as a fit/transform estimator.

    A subclass names the public function it wraps (``_function``) and
    declares its parameters' constraints (``_parameter_constraints``, a
    :class:`~skimgproc._validation.Constraints`, usually the function's own).
    ``fit`` and ``transform`` validate the input once against the batch
    contract and the parameters against the constraints, then call the
    function with the validated batch, so that estimator and function give
    the same result by construction. Those with learned state extend
    ``fit`` and :meth:`_function_params`.

    Two things come from here for every estimator: the transform cache
    (``set_config(cache_size=...)``, :mod:`skimgproc._cache`), and progress
    reports for those declaring ``verbose`` (``verbose=VERBOSE`` from
    :mod:`skimgproc._progress` in their constraints, ``verbose=0`` in
    ``__init__``): ``transform`` reports under the estimator's name.
    """

    _function = None
    _parameter_constraints = None
    # Subclasses that refuse colour input set this to False.
    _allow_channels = True
    # Subclasses whose function takes a batch with the finite check left to
    # its engine (see _batch.as_batch's check_finite) set this to True.
    _engine_checks_finite = False
    # Parameters checked by the batch contract, not by the constraints, and
    # carried to the function by the batch.
    _layout_params = ("channel_axis", "image_shape")
    # Whether the transform cache keeps results (off for operations cheaper
    # than hashing their input, such as a reshape).
    _cacheable = True

    def __init_subclass__(cls, **kwargs):
        # scikit-learn's automatic wrapping would put image-shaped outputs in
        # data frames; _wrap_output wraps 2-D outputs only.
        kwargs["auto_wrap_output_keys"] = None
        super().__init_subclass__(**kwargs)

    @classmethod
    def _get_param_names(cls):
        return _param_names(cls)

    def _check_params(self, batch):
        """The validated parameters, named after this estimator in errors."""
        return self._parameter_constraints.validate(
            self.get_params(deep=False), type(self).__name__, batch)

    def _function_params(self):
        """Keyword arguments of ``_function``: the parameters as set (the
        function validates them again, at the cost of a few microseconds),
        less the layout, which the batch carries."""
        params = self.get_params(deep=False)
        for name in self._layout_params:
            params.pop(name, None)
        return params

    def _transform(self, batch):
        """The function on a validated batch, in the user's layout."""
        return type(self)._function(batch, **self._function_params())

    def _as_batch(self, X, check_finite=True):
        return as_batch(
            X,
            image_shape=getattr(self, "image_shape", None),
            channel_axis=getattr(self, "channel_axis", -1),
            allow_channels=self._allow_channels,
            caller=type(self).__name__,
            lazy=True,
            check_finite=check_finite,
        )

    def _validate_input(self, X, *, reset):
        """Validate ``X``, and record (``reset``) or check the feature count."""
        # fit may learn from the values: checked there, always.
        batch = self._as_batch(
            X, check_finite=reset or not self._engine_checks_finite)
        n_features = prod(batch.sample_shape)
        if batch.is_table:
            # scikit-learn's own bookkeeping: n_features_in_, feature names.
            validate_data(self, X, reset=reset, skip_check_array=True)
        elif reset:
            self.n_features_in_ = n_features
            self.__dict__.pop("feature_names_in_", None)
        elif hasattr(self, "n_features_in_") and n_features != self.n_features_in_:
            raise ValueError(
                f"X has {n_features} features (images of shape "
                f"{batch.sample_shape}), but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input, as in fit."
            )
        if reset:
            self._fitted_sample_shape = batch.sample_shape
        return batch

    def _fit(self, X):
        """Validate ``X`` and the parameters and learn what there is to
        learn; returns the validated batch and parameters."""
        batch = self._validate_input(X, reset=True)
        return batch, self._check_params(batch)

    def fit(self, X, y=None):
        """Check the parameters and record the input's shape.

        The operation has nothing to learn; ``fit`` exists so the estimator
        fits in a :class:`~sklearn.pipeline.Pipeline`.

        Parameters
        ----------
        X : array-like
            Batch of images (see the package documentation for layouts).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The estimator itself.
        """
        self._fit(X)
        return self

    def transform(self, X):
        """Apply the operation to each image of the batch.

        Parameters
        ----------
        X : array-like or dask array
            Batch of images, in any layout accepted by the package. A dask
            array chunked along the samples gives a lazy dask array.

        Returns
        -------
        X_out : ndarray or dask array
            The results, in the same layout as ``X``. For a dask ``X``,
            nothing is computed until asked: each chunk of images gives the
            chunk of results that NumPy input would, and NaN or inf are
            reported then. Dask runs chunks in parallel, so there
            ``n_jobs=None`` means one thread per chunk.
        """
        batch = self._validate_input(X, reset=False)
        self._check_params(batch)
        return self._transform_batch(batch, X)

    def fit_transform(self, X, y=None):
        """Fit to ``X``, then transform it, validating ``X`` once.

        Parameters
        ----------
        X : array-like or dask array
            Batch of images.
        y : None
            Ignored.

        Returns
        -------
        X_out : ndarray or dask array
            As :meth:`transform` returns.
        """
        batch, _ = self._fit(X)
        return self._transform_batch(batch, X)

    def _transform_batch(self, batch, X):
        if is_dask_array(batch.images):
            return self._map_lazy("_transform", batch)
        if not self._cacheable:
            return self._wrap_output(self._reported_transform(batch), X)
        result = _cache.cached(lambda: self._cache_key(batch),
                               lambda: self._reported_transform(batch))
        return self._wrap_output(result, X)

    def _map_lazy(self, method, batch):
        """The NumPy path ``method`` (a name) over the chunks of a dask
        batch, lazily; bound to a copy of the estimator, so that a later
        ``set_params`` leaves this result alone."""
        from ._dask import map_batch

        return map_batch(getattr(copy.deepcopy(self), method), batch,
                         caller=type(self).__name__)

    def _reported_transform(self, batch):
        # A result from the cache is not reported: no work was done.
        with progress(getattr(self, "verbose", 0), batch.n_samples,
                      type(self).__name__):
            return self._transform(batch)

    def _cache_key(self, batch):
        """What the result depends on (see :mod:`skimgproc._cache`): the
        class, its parameters but ``verbose``, the function's arguments (with
        what ``fit`` learned), the accelerate switch, the batch."""
        params, arguments = self.get_params(deep=False), self._function_params()
        params.pop("verbose", None)
        arguments.pop("verbose", None)
        cls = type(self)
        return _cache.make_key(
            f"{cls.__module__}.{cls.__qualname__}", params, arguments,
            accelerated(), batch.n_spatial, batch.has_channels, batch.layout,
            _cache.content_digest(batch.images),
        )

    # -- scikit-learn integration --------------------------------------------

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _output_sample_shape(self):
        """Shape of one output sample; by default the input's."""
        return self._fitted_sample_shape

    def get_feature_names_out(self, input_features=None):
        """Names of the output features, for 2-D outputs.

        For tables (flattened images or 1-D signals) the output columns
        correspond one to one to the input columns; for image-shaped outputs
        the names are those of the flattened pixels (``pixel_<row>_<col>``).

        Parameters
        ----------
        input_features : array-like of str, optional
            Input feature names; by default ``feature_names_in_`` or
            ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self, "n_features_in_")
        if input_features is not None and len(input_features) != self.n_features_in_:
            raise ValueError(
                f"input_features should have length {self.n_features_in_}, "
                f"got {len(input_features)}."
            )
        shape = self._output_sample_shape()
        if len(shape) == 1 and shape[0] == self.n_features_in_:
            if input_features is None:
                input_features = getattr(self, "feature_names_in_", None)
            if input_features is None:
                input_features = [f"x{i}" for i in range(self.n_features_in_)]
            return np.asarray(input_features, dtype=object)
        return pixel_feature_names(shape)

    def set_output(self, *, transform=None):
        """Set the output container of ``transform`` and ``fit_transform``.

        Only 2-D outputs (tables) are wrapped; image-shaped outputs stay
        NumPy arrays, since a data frame cannot hold them, and lazy (dask)
        results stay dask arrays.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"}, default=None
            As in scikit-learn; None leaves the configuration unchanged.

        Returns
        -------
        self : estimator instance
        """
        if transform is not None:
            self._sklearn_output_config = {"transform": transform}
        return self

    def _wrap_output(self, result, X):
        config = getattr(self, "_sklearn_output_config", {}).get(
            "transform", get_config()["transform_output"]
        )
        if config == "default" or np.ndim(result) != 2:
            return result
        if hasattr(self, "n_features_in_"):
            columns = self.get_feature_names_out()
        else:  # transform without fit, which stateless estimators allow
            columns = np.asarray([f"x{i}" for i in range(result.shape[1])],
                                 dtype=object)
        if config == "pandas":
            import pandas as pd

            index = getattr(X, "index", None)
            return pd.DataFrame(result, columns=columns, index=index, copy=False)
        if config == "polars":
            import polars as pl

            return pl.DataFrame(result, schema=list(columns), orient="row")
        raise ValueError(
            f"Unknown transform output {config!r}; expected 'default', 'pandas' "
            "or 'polars'."
        )


class FeatureTableMixin:
    """For estimators that turn each image into one row of named features.

    Put before :class:`ImageTransformer` in the bases. ``fit`` records the
    form of the images without their values (``_fitted_form``, an
    :class:`~skimgproc._batch.ImageBatch` of no images, NumPy's or dask's
    alike), and :meth:`get_feature_names_out` gives the subclass's
    ``_feature_names()``, which names the columns from that form and the
    current parameters, as ``transform`` would compute them.
    """

    def _fit(self, X):
        batch, params = super()._fit(X)
        self._fitted_form = replace(
            batch, images=np.empty((0,) + tuple(batch.images.shape[1:]),
                                   batch.images.dtype))
        return batch, params

    def _feature_names(self):
        raise NotImplementedError  # pragma: no cover - each subclass names

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns, one per feature (the estimator's
        description says how they read).

        Parameters
        ----------
        input_features : array-like of str, optional
            Ignored (the features do not depend on the input columns).

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self, "n_features_in_")
        return np.asarray(self._feature_names(), dtype=object)
