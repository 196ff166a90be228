"""Many image files into one batch: :func:`read_images` and its estimator,
:class:`ImageReader`, the first step of a pipeline that starts from files.

The function and the estimator validate their parameters with one
declaration, :data:`READ_BATCH_CONSTRAINTS`, so that they cannot drift.
"""

import os
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .._executor import effective_n_threads
from .._files import as_path, existing_file
from .._progress import VERBOSE, progress
from .._validation import Bool, NJobs, Options
from ._images import DEFAULT_MAX_PIXELS, READ_CONSTRAINTS, decode

__all__ = [
    "ON_ERROR",
    "READ_BATCH_CONSTRAINTS",
    "ImageReader",
    "UnreadableFileWarning",
    "read_images",
]

#: What a reader of many files does with one it cannot read.
ON_ERROR = ("raise", "warn", "skip")

#: The parameters of :func:`read_images` and :class:`ImageReader`: those of
#: :func:`~skimgproc.read_image`, what to do with an unreadable file, the
#: threads and the progress reports.
READ_BATCH_CONSTRAINTS = READ_CONSTRAINTS.but(
    on_error=Options(ON_ERROR), n_jobs=NJobs(), verbose=VERBOSE
)


class UnreadableFileWarning(UserWarning):
    """A file left out of a batch (``on_error="warn"``), with the reason."""


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
    allow_truncated=False,
    on_error="raise",
    return_mask=False,
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
    allow_truncated : bool, default=False
        Per image, as in :func:`read_image`.
    on_error : {"raise", "warn", "skip"}, default="raise"
        A file that cannot be read (missing, broken, truncated, too large):
        ``"raise"``
        stops at the first such file with its error; ``"warn"`` leaves it
        out of the batch with an :class:`UnreadableFileWarning` naming the
        file and the reason, and reads the others; ``"skip"`` leaves it out
        silently. When every file fails the first error is raised. The batch
        then has fewer images than ``paths``: ask for ``return_mask`` and
        select the labels with it (``y[read]``), so that they stay aligned.
    return_mask : bool, default=False
        Also return which files were read.
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
    read : ndarray of bool, shape (len(paths),)
        Only with ``return_mask``: True for the files in the batch, in order.

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

    One broken file among them, left out with a warning, the labels kept
    aligned with the mask:

    >>> with open(paths[1], "wb") as file:
    ...     _ = file.write(b"not an image")
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     batch, read = read_images(paths, on_error="warn", return_mask=True)
    >>> batch.shape, read.tolist(), np.array(["a", "b", "c"])[read].tolist()
    ((2, 4, 5), [True, False, True], ['a', 'c'])
    >>> print(caught[0].message)  # doctest: +ELLIPSIS
    Left '...1.png' out of the batch (file 2 of 3): Cannot read ...
    >>> tmp.cleanup()
    """
    params = READ_BATCH_CONSTRAINTS.validate(
        dict(mode=mode, resize=resize, max_pixels=max_pixels,
             allow_truncated=allow_truncated, on_error=on_error, n_jobs=n_jobs,
             verbose=verbose),
        "read_images",
    )
    Bool().check(return_mask, "return_mask", "read_images")
    batch, read = _read_batch(_check_paths(paths, "read_images"), **params)
    return (batch, read) if return_mask else batch


def _read_batch(paths, *, verbose, owner="read_images", **params):
    """The batch of the files read and the mask of those read."""
    with progress(verbose, len(paths), owner, unit="files") as report:
        return _read_files(paths, done=report.advance if report else lambda: None,
                           **params)


def _reader(mode, resize, max_pixels, allow_truncated, on_error):
    """Read one file: its image, or (with on_error other than "raise") the
    error that refused it."""
    kept = (ValueError, OSError) if on_error != "raise" else ()

    def read(path):
        try:
            return decode(existing_file(path, "read_images"), mode, resize,
                          max_pixels, allow_truncated)
        except kept as exc:
            return exc

    return read


class _Batch:
    """The images stacked as they arrive, in place (a big batch is never held
    twice), the files that fail left out as ``on_error`` says."""

    def __init__(self, paths, on_error, done):
        self.paths, self.on_error, self.done = paths, on_error, done
        self.images, self.listed, self.errors = None, None, []
        self.read = np.zeros(len(paths), dtype=bool)

    def _refuse(self, index, error):
        if self.on_error == "raise":
            raise error
        self.errors.append(error)
        self.done()
        if self.on_error == "warn":
            warnings.warn(
                f"Left '{self.paths[index]}' out of the batch (file {index + 1} of "
                f"{len(self.paths)}): {' '.join(str(error).split())}",
                UnreadableFileWarning, stacklevel=5,
            )

    def store(self, index, image):
        if isinstance(image, Exception):
            return self._refuse(index, image)
        if self.images is None:
            self.images = np.empty((len(self.paths),) + image.shape, image.dtype)
        elif self.listed is None and image.shape != self.images.shape[1:]:
            # At the first file of another size, a list of the images instead.
            self.listed = {i: self.images[i].copy()
                           for i in np.flatnonzero(self.read)}
            self.images = self.images[:0]
        if self.listed is not None:
            self.listed[index] = image
        else:
            if not np.can_cast(image.dtype, self.images.dtype, casting="safe"):
                self.images = self.images.astype(
                    np.result_type(self.images.dtype, image.dtype))
            self.images[index] = image
        self.read[index] = True
        self.done()
        return None

    def result(self):
        if self.images is None:
            raise self.errors[0]  # not one file read
        if self.listed is not None:
            # One dtype for all, as in a batch.
            images = [self.listed[i] for i in sorted(self.listed)]
            dtype = np.result_type(*{image.dtype for image in images})
            return [image.astype(dtype, copy=False) for image in images], self.read
        if self.read.all():
            return self.images, self.read
        return self.images[self.read], self.read


def _read_files(paths, mode, resize, max_pixels, allow_truncated, on_error, n_jobs,
                done):
    read = _reader(mode, resize, max_pixels, allow_truncated, on_error)
    batch = _Batch(paths, on_error, done)
    n_threads = min(effective_n_threads(n_jobs), len(paths))
    if n_threads <= 1:
        for index, path in enumerate(paths):
            batch.store(index, read(path))
    else:
        # Pillow decodes without the GIL; map keeps the order of the files.
        with ThreadPoolExecutor(n_threads) as pool:
            for index, image in enumerate(pool.map(read, paths)):
                batch.store(index, image)
    return batch.result()


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
    allow_truncated : bool, default=False
        Read truncated files as far as their data goes instead of refusing
        them (see :func:`read_image`).
    on_error : {"raise", "warn", "skip"}, default="raise"
        A file that cannot be read stops ``transform`` (``"raise"``), or is
        left out of the batch with an :class:`UnreadableFileWarning`
        (``"warn"``) or silently (``"skip"``). The batch is then shorter than
        ``X``, and a pipeline fitted on it with labels refuses their number:
        select the readable files first, e.g. ``batch, read =
        read_images(paths, on_error="warn", return_mask=True)`` and fit on
        ``paths[read], y[read]``.
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
                 allow_truncated=False, on_error="raise", n_jobs=None, verbose=0):
        self.mode = mode
        self.resize = resize
        self.max_pixels = max_pixels
        self.allow_truncated = allow_truncated
        self.on_error = on_error
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
        return _read_batch(paths, **params, owner=type(self).__name__)[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        # The input is a list of file names, not a numeric table.
        tags.input_tags.two_d_array = False
        tags.input_tags.one_d_array = True
        tags.input_tags.string = True
        return tags
