"""Many image files into one batch: :func:`read_images` and its estimator,
:class:`ImageReader`, the first step of a pipeline that starts from files.

The function and the estimator validate their parameters with one
declaration, :data:`READ_BATCH_CONSTRAINTS`, so that they cannot drift.
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .._executor import effective_n_threads
from .._files import as_path, existing_file
from .._progress import VERBOSE, progress
from .._validation import NJobs
from ._images import DEFAULT_MAX_PIXELS, READ_CONSTRAINTS, decode

__all__ = ["READ_BATCH_CONSTRAINTS", "ImageReader", "read_images"]

#: The parameters of :func:`read_images` and :class:`ImageReader`: those of
#: :func:`~skimgproc.read_image`, the threads and the progress reports.
READ_BATCH_CONSTRAINTS = READ_CONSTRAINTS.but(n_jobs=NJobs(), verbose=VERBOSE)


def _check_paths(paths, caller, name="paths"):
    """The file paths of ``paths`` (a list, an array or a one-column data
    frame of them) as a list of :class:`~pathlib.Path`."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        raise ValueError(
            f"The '{name}' argument of {caller} must be a list of file paths. Got "
            f"the single path {os.fsdecode(paths)!r} instead; wrap it in a list."
        )
    if hasattr(paths, "columns") and hasattr(paths, "iloc"):  # a data frame
        if paths.shape[1] != 1:
            raise ValueError(
                f"The '{name}' argument of {caller} must be a list of file paths; "
                f"got a table with {paths.shape[1]} columns."
            )
        paths = paths.iloc[:, 0]
    try:
        if isinstance(paths, np.ndarray) and paths.ndim != 1:
            raise TypeError
        paths = list(paths)
    except TypeError:
        raise ValueError(
            f"The '{name}' argument of {caller} must be a list of file paths. Got "
            f"{type(paths).__name__} instead."
        ) from None
    if not paths:
        raise ValueError(
            f"The '{name}' argument of {caller} is empty: expected at least one "
            "file path."
        )
    return [as_path(p, name, caller) for p in paths]


def read_images(
    paths,
    *,
    mode="L",
    resize=None,
    max_pixels=DEFAULT_MAX_PIXELS,
    n_jobs=None,
    verbose=0,
):
    """Read image files into one batch ``(n, height, width[, channels])``.

    Parameters
    ----------
    paths : sequence of str or os.PathLike
        The files, in the order of the batch.
    mode : {"L", "RGB"} or None, default="L"
        As in :func:`read_image`.
    resize : (int, int), optional
        ``(height, width)`` to resample every image to, for one batch array
        whatever the files' sizes. Without it, images of different sizes
        give a list (see Returns).
    max_pixels : int, default=DEFAULT_MAX_PIXELS
        Per image, as in :func:`read_image`.
    n_jobs : int, optional
        Threads that decode files at the same time. None: the cores this process may
        use, within the thread limits of its environment (see the README,
        "Threads").
    verbose : int, default=0
        Progress reports: 0 is silent; 1 reports the files read and an
        estimate of the time left at most every 2 seconds (to the
        ``"skimgproc"`` logger when logging shows INFO, else on standard
        error), and the total time at the end; 2 reports every file.

    Returns
    -------
    images : ndarray or list of ndarray
        The batch, when every image has the same shape; otherwise (images
        of different sizes, or gray and colour ones with ``mode=None``) a
        list of the images in the order of ``paths``, which every operation
        of the package accepts as a collection (see the README, "Batches").
        Its dtype holds every image's values (uint8 when all are 8-bit,
        uint16 if one is 16-bit, ...).

    Raises
    ------
    ValueError
        For an unreadable file (see :func:`read_image`).

    See Also
    --------
    ImageReader : The same as a scikit-learn transformer.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from skimgproc import read_images, write_image
    >>> folder = tmp.name
    >>> paths = [os.path.join(folder, f"{i}.png") for i in range(3)]
    >>> for i, path in enumerate(paths):
    ...     write_image(path, np.full((4, 5), 10 * i, dtype=np.uint8))
    >>> batch = read_images(paths)
    >>> batch.shape, batch[:, 0, 0].tolist()
    ((3, 4, 5), [0, 10, 20])
    >>> tmp.cleanup()
    """
    params = READ_BATCH_CONSTRAINTS.validate(
        dict(mode=mode, resize=resize, max_pixels=max_pixels, n_jobs=n_jobs,
             verbose=verbose),
        "read_images",
    )
    return _read_batch(_check_paths(paths, "read_images"), **params)


def _read_batch(paths, mode, resize, max_pixels, n_jobs, verbose, owner="read_images"):
    with progress(verbose, len(paths), owner, unit="files") as report:
        return _read_files(paths, mode, resize, max_pixels, n_jobs,
                           report.advance if report else lambda: None)


def _read_files(paths, mode, resize, max_pixels, n_jobs, done):
    def read(path):
        return decode(existing_file(path, "read_images"), mode, resize, max_pixels)

    first = read(paths[0])
    # Filled in place as files arrive, so a big batch is never held twice;
    # at the first file of another size, a list of the images instead.
    batch = np.empty((len(paths),) + first.shape, dtype=first.dtype)
    batch[0] = first
    images = None
    done()

    def store(index, image):
        nonlocal batch, images
        if images is None and image.shape != batch.shape[1:]:
            images = [batch[i].copy() for i in range(index)]
            batch = batch[:0]
        if images is not None:
            images.append(image)
        else:
            if not np.can_cast(image.dtype, batch.dtype, casting="safe"):
                batch = batch.astype(np.result_type(batch.dtype, image.dtype))
            batch[index] = image
        done()

    rest = paths[1:]
    n_threads = min(effective_n_threads(n_jobs), len(rest))
    if n_threads <= 1:
        for index, path in enumerate(rest, start=1):
            store(index, read(path))
    else:
        # Pillow decodes without the GIL; map keeps the order of the files.
        with ThreadPoolExecutor(n_threads) as pool:
            for index, image in enumerate(pool.map(read, rest), start=1):
                store(index, image)
    if images is None:
        return batch
    # One dtype for all, as in a batch.
    dtype = np.result_type(*{image.dtype for image in images})
    return [image.astype(dtype, copy=False) for image in images]


class ImageReader(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Read image files into a batch: the first step of a pipeline on files.

    ``transform`` takes a list of file paths and returns the batch
    :func:`read_images` reads from them, so a
    :class:`~sklearn.pipeline.Pipeline` (and a
    :class:`~sklearn.model_selection.GridSearchCV` over it) can start from
    files on disk, the paths playing the part of ``X``.

    Parameters
    ----------
    mode : {"L", "RGB"} or None, default="L"
        As in :func:`read_image`: gray, colour, or as stored.
    resize : (int, int), default=None
        ``(height, width)`` to resample every image to; without it, files of
        different sizes give a list of images (a collection, which every
        operation of the package accepts).
    max_pixels : int, default=DEFAULT_MAX_PIXELS
        Refuse images declaring more pixels than this (decompression bombs).
    n_jobs : int, default=None
        Threads decoding files at the same time. None: the cores this process may
        use, within the thread limits of its environment (see the README,
        "Threads").
    verbose : int, default=0
        Progress reports of ``transform``: 0 is silent; 1 reports the files
        read and the time left at most every 2 seconds, 2 every file (see
        :func:`read_images`).

    See Also
    --------
    read_images : The function behind this estimator.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from sklearn.pipeline import make_pipeline
    >>> from skimgproc import GaussianBlur, ImageReader, write_image
    >>> folder = tmp.name
    >>> paths = [os.path.join(folder, f"{i}.png") for i in range(2)]
    >>> for path in paths:
    ...     write_image(path, np.eye(8, dtype=np.uint8) * 255)
    >>> make_pipeline(ImageReader(), GaussianBlur(sigma=1.0)).transform(paths).shape
    (2, 8, 8)
    >>> tmp.cleanup()
    """

    _parameter_constraints = READ_BATCH_CONSTRAINTS

    def __init__(self, mode="L", *, resize=None, max_pixels=DEFAULT_MAX_PIXELS,
                 n_jobs=None, verbose=0):
        self.mode = mode
        self.resize = resize
        self.max_pixels = max_pixels
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _check_params(self):
        """The validated parameters, named after this estimator in errors."""
        return self._parameter_constraints.validate(
            self.get_params(), type(self).__name__
        )

    def fit(self, X, y=None):
        """Check the parameters and the list of paths; nothing is read.

        Parameters
        ----------
        X : sequence of str or os.PathLike
            File paths.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The reader itself.
        """
        self._check_params()
        _check_paths(X, type(self).__name__, name="X")
        return self

    def transform(self, X):
        """Read the files into a batch.

        Parameters
        ----------
        X : sequence of str or os.PathLike
            File paths.

        Returns
        -------
        images : ndarray or list of ndarray
            ``(n_files, height, width[, channels])``, or a list of the images
            when their shapes differ (see :func:`read_images`).
        """
        params = self._check_params()
        paths = _check_paths(X, type(self).__name__, name="X")
        return _read_batch(paths, **params, owner=type(self).__name__)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        # The input is a list of file names, not a numeric table.
        tags.input_tags.two_d_array = False
        tags.input_tags.one_d_array = True
        tags.input_tags.string = True
        return tags
