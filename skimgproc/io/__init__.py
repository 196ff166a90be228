"""Images and MATLAB files in and out, safely.

Images are read and written with Pillow, ``.mat`` files with
:mod:`scipy.io`. Every reader refuses hostile or broken files with a clear
error naming the file (a missing path, a directory, an empty, truncated or
non-image file, an image declaring a huge size, a ``.mat`` file that would
expand beyond a size limit) instead of hanging, crashing or exhausting
memory. Every writer is atomic: the file is written next to its destination
under a temporary name and renamed into place, so a failed write leaves no
half-written file and never damages an existing one.

:class:`ImageReader` turns a list of file paths into a batch, so that a
:class:`~sklearn.pipeline.Pipeline` can start from files. Figures (grids of
images on shared colour scales) are drawn by :mod:`skimgproc.plotting`.

The modules behind this one: ``_images`` (one image file: decoding, reading,
writing), ``_reader`` (many files into a batch: :func:`read_images`,
:class:`ImageReader`) and ``_mat`` (``.mat`` files).
"""

from ._images import DEFAULT_MAX_PIXELS, read_image, write_image
from ._mat import DEFAULT_MAX_BYTES, read_mat, write_mat
from ._reader import ImageReader, UnreadableFileWarning, read_images

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "ImageReader",
    "UnreadableFileWarning",
    "read_image",
    "read_images",
    "read_mat",
    "write_image",
    "write_mat",
]

# The figure functions lived here before skimgproc.plotting; code that
# imports them from skimgproc.io keeps working for now, with a FutureWarning
# that points at the importing line (imported on first use, so that reading
# files never loads the drawing code).
_MOVED_TO_PLOTTING = frozenset({"colorize_labels", "write_panels"})


def __getattr__(name):
    if name in _MOVED_TO_PLOTTING:
        import warnings

        from .. import plotting

        warnings.warn(
            f"skimgproc.io.{name} is deprecated and will be removed: import it "
            f"from skimgproc.plotting (figures are now drawn with matplotlib, "
            f"the 'plot' extra).",
            FutureWarning,
            stacklevel=2,
        )
        return getattr(plotting, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
