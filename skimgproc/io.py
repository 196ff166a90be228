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
:class:`~sklearn.pipeline.Pipeline` can start from files; :func:`write_panels`
saves labelled figures (a grid of titled images) with Pillow alone.
"""

import errno
import os
import struct
import tempfile
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from math import prod
from numbers import Integral
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from sklearn.base import BaseEstimator, TransformerMixin

from ._batch import as_batch
from ._config import optional_module
from ._executor import effective_n_threads
from ._validation import check_int, check_n_jobs, check_option

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "ImageReader",
    "colorize_labels",
    "read_image",
    "read_images",
    "read_mat",
    "write_image",
    "write_mat",
    "write_panels",
]

#: Largest image :func:`read_image` decodes unless told otherwise: 2**28
#: pixels (16384 x 16384), about 0.8 GB as 8-bit RGB.
DEFAULT_MAX_PIXELS = 2**28
#: Largest total size of the variables :func:`read_mat` loads unless told
#: otherwise: 1 GiB.
DEFAULT_MAX_BYTES = 2**30

READ_MODES = ("L", "RGB")
RESCALES = frozenset({"minmax", "clip"})

# Formats that keep more than 8 bits per value when writing without rescaling.
_SIXTEEN_BIT_FORMATS = frozenset({"PNG", "TIFF"})
_FLOAT_FORMATS = frozenset({"TIFF"})

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"

# EXIF orientation tag values and the transposition that undoes each.
_EXIF_ORIENTATION = 0x0112
_UNDO_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


# -- paths --------------------------------------------------------------------


def _as_path(path, name, caller):
    try:
        return Path(os.fsdecode(os.fspath(path)))
    except TypeError:
        raise ValueError(
            f"The '{name}' argument of {caller} must be a file path (str or "
            f"os.PathLike). Got {path!r} instead."
        ) from None


def _existing_file(path, caller, name="path"):
    """The path of a readable, non-empty regular file, or a clear error."""
    path = _as_path(path, name, caller)
    if not path.exists():
        raise FileNotFoundError(errno.ENOENT, "No such file", str(path))
    if path.is_dir():
        raise IsADirectoryError(
            errno.EISDIR, "Is a directory, not a file to read", str(path)
        )
    if not path.is_file():
        raise ValueError(f"Cannot read '{path}': not a regular file.")
    if path.stat().st_size == 0:
        raise ValueError(f"Cannot read '{path}': the file is empty (0 bytes).")
    return path


def _umask():
    # The process umask, read without os.umask (which would change it, for
    # every thread, however briefly).
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


@contextmanager
def _atomic_write(path, caller):
    """Yield a binary file object; on success it replaces ``path`` at once.

    The data goes to a temporary file in the same directory, is flushed to
    disk and renamed over ``path`` (an atomic operation): readers see the
    old file or the complete new one, never a part. On any failure the
    temporary file is removed and ``path`` is untouched.
    """
    path = _as_path(path, "path", caller)
    if path.is_symlink():  # write through the link, keeping it
        path = Path(os.path.realpath(path))
    if path.is_dir():
        raise IsADirectoryError(
            errno.EISDIR, "Is a directory, cannot write a file there", str(path)
        )
    parent = path.parent
    if not parent.is_dir():
        raise FileNotFoundError(
            errno.ENOENT, "No such directory to write into", str(parent)
        )
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        # mkstemp makes the file private (0600); give it the permissions a
        # plain open() would, or those of the file it replaces.
        mode = (
            path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
        )
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _one_line(exc):
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


# -- reading images -----------------------------------------------------------

# Pillow's own decompression-bomb check is process-wide state
# (Image.MAX_IMAGE_PIXELS) that warns, then refuses, at a size the caller of
# skimgproc cannot choose per call. read_image checks the declared size
# against its own ``max_pixels`` instead, so while it parses a header (and
# decodes an image the caller allowed beyond Pillow's limit) Pillow's check
# is lifted under this lock and restored at once; it is never changed
# permanently.
_PILLOW_LIMIT_LOCK = threading.Lock()


@contextmanager
def _pillow_limit_lifted():
    """Lift Pillow's limit; yields its value (read under the lock, so never
    the None another thread set for a moment)."""
    with _PILLOW_LIMIT_LOCK:
        saved = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = None
        try:
            yield saved
        finally:
            Image.MAX_IMAGE_PIXELS = saved


def _check_read_params(mode, resize, max_pixels, caller):
    if mode is not None:
        check_option(mode, "mode", caller, frozenset(READ_MODES))
    if resize is not None:
        ok = (
            isinstance(resize, (tuple, list))
            and len(resize) == 2
            and all(
                isinstance(v, Integral) and not isinstance(v, bool) and v >= 1
                for v in resize
            )
        )
        if not ok:
            raise ValueError(
                f"The 'resize' parameter of {caller} must be None or a pair "
                f"(height, width) of positive ints. Got {resize!r} instead."
            )
        resize = (int(resize[0]), int(resize[1]))
    max_pixels = check_int(max_pixels, "max_pixels", caller, low=1)
    return mode, resize, max_pixels


def _is_sixteen_bit_colour(im):
    # Pillow has no 16-bit colour mode: it decodes such PNG and TIFF files to
    # 8 bits per channel. The tile's raw mode tells them apart.
    if im.mode not in ("RGB", "RGBA"):
        return False
    for tile in im.tile:
        args = tile.args if isinstance(tile.args, tuple) else (tile.args,)
        if any(isinstance(a, str) and ";16" in a for a in args):
            return True
    return False


def _gray_from_rgb(rgb):
    # Pillow's integer luma formula (ITU-R 601-2), for 16-bit colour.
    r, g, b = (rgb[..., i].astype(np.uint64) for i in range(3))
    return ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16).astype(rgb.dtype)


def _read_sixteen_bit_colour(path, im, mode, resize, transpose):
    cv2 = optional_module("cv2")
    if cv2 is None:
        raise ValueError(
            f"Cannot read '{path}' without losing precision: it is a 16-bit colour "
            "image and Pillow decodes colour at 8 bits per channel. Install "
            "opencv-python-headless (pip install skimgproc[fast]) to read it with "
            "its 16 bits, or convert it to 8 bits first."
        )
    try:
        array = cv2.imdecode(np.fromfile(path, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error as exc:
        raise _broken(path, exc) from exc
    if array is None or array.ndim != 3 or array.shape[:2] != im.size[::-1]:
        raise ValueError(f"Cannot read '{path}': broken 16-bit colour image file.")
    array = array[..., [2, 1, 0, 3][: array.shape[2]]]  # BGR(A) to RGB(A)
    planes = [Image.fromarray(np.ascontiguousarray(array[..., c]))
              for c in range(array.shape[2])]
    planes = [_finish(p, resize, transpose) for p in planes]
    array = np.stack([np.asarray(p, dtype=np.uint16) for p in planes], axis=-1)
    if mode == "L":
        return _gray_from_rgb(array)
    if mode == "RGB":
        return array[..., :3]
    return array


def _finish(im, resize, transpose):
    if transpose is not None:
        im = im.transpose(transpose)
    if resize is not None and im.size != resize[::-1]:
        im = im.resize(resize[::-1], Image.Resampling.LANCZOS)
    return im


def _high_bit_depth(im):
    return im.mode.startswith("I") or im.mode == "F"


def _to_array(im, mode, resize, transpose):
    """Convert a loaded Pillow image to an array of the requested mode."""
    native = im.mode
    if native in ("P", "PA"):
        # Through RGBA, so that palette transparency is understood (Pillow
        # warns when it is converted straight to RGB).
        transparent = native == "PA" or "transparency" in im.info
        im = im.convert("RGBA" if transparent else "RGB")
    elif native not in ("1", "L", "LA", "RGB", "RGBA") and not _high_bit_depth(im):
        im = im.convert("RGB")  # CMYK, YCbCr, LAB, HSV
    if _high_bit_depth(im):
        # 16-bit, 32-bit integer and float gray images keep their values:
        # Pillow's convert("L") would clip them to 0..255.
        if im.mode.startswith("I;16") and im.mode != "I;16":
            # Big-endian and other 16-bit variants to native uint16 ("I;16").
            im = Image.fromarray(np.asarray(im).astype(np.uint16))
        array = np.asarray(_finish(im, resize, transpose))
        return np.repeat(array[..., None], 3, axis=-1) if mode == "RGB" else array
    if mode == "L" and im.mode != "L":
        im = im.getchannel(0) if im.mode == "LA" else im.convert("L")
    elif mode == "RGB" and im.mode != "RGB":
        im = im.convert("RGB")
    return np.asarray(_finish(im, resize, transpose))


def _broken(path, exc):
    return ValueError(f"Cannot read '{path}': broken image file ({_one_line(exc)}).")


def _decode(path, mode, resize, max_pixels):
    try:
        with _pillow_limit_lifted() as pillow_limit:
            im = Image.open(path)
    except Image.UnidentifiedImageError:
        raise ValueError(
            f"Cannot read '{path}': not an image file Pillow can decode (the format "
            f"is recognised from the content, not from the extension "
            f"'{path.suffix}')."
        ) from None
    except PermissionError:
        raise
    except Exception as exc:
        raise _broken(path, exc) from exc
    with im:
        width, height = im.size
        n_pixels = width * height
        if n_pixels > max_pixels:
            raise ValueError(
                f"Refusing to decode '{path}': it declares {width} x {height} = "
                f"{n_pixels} pixels, more than max_pixels={max_pixels} (a "
                "decompression bomb, or a very large image). If you trust the "
                "file, pass a larger max_pixels."
            )
        # Before getexif, which may decode the image (PNG) and forget the tile.
        sixteen_bit_colour = _is_sixteen_bit_colour(im)
        try:
            orientation = im.getexif().get(_EXIF_ORIENTATION, 1)
        except Exception:  # unreadable EXIF: keep the stored orientation
            orientation = 1
        transpose = _UNDO_ORIENTATION.get(orientation)
        if sixteen_bit_colour:
            return _read_sixteen_bit_colour(path, im, mode, resize, transpose)
        try:
            if pillow_limit is not None and n_pixels > pillow_limit:
                # Plugins re-check sizes while decoding; the caller allowed it.
                with _pillow_limit_lifted():
                    im.load()
            else:
                im.load()
            return _to_array(im, mode, resize, transpose)
        except MemoryError:
            raise
        except Exception as exc:
            # Truncated data surfaces here: Pillow decodes lazily.
            raise _broken(path, exc) from exc


def read_image(path, *, mode="L", resize=None, max_pixels=DEFAULT_MAX_PIXELS):
    """Read an image file into an array.

    The format is recognised from the file's content, so a PNG named
    ``.jpg`` still reads. The EXIF orientation of photos is applied, so the
    array is upright. Only the first frame of an animation is read.

    Parameters
    ----------
    path : str or os.PathLike
        The image file.
    mode : {"L", "RGB"} or None, default="L"
        ``"L"``: a gray ``(height, width)`` array (colour is converted with
        the ITU-R 601-2 luma weights, as Pillow's ``convert("L")``; alpha is
        dropped). ``"RGB"``: ``(height, width, 3)``. None: as stored, with
        palette images expanded to RGB (RGBA when they have transparency),
        ``(height, width, 4)`` for RGBA and ``(height, width, 2)`` for gray
        with alpha, bool for bilevel images.
    resize : (int, int), optional
        ``(height, width)`` to resample the image to (Lanczos filter).
    max_pixels : int, default=DEFAULT_MAX_PIXELS
        Refuse, before decoding, an image that declares more pixels than
        this (a decompression bomb: a small file that claims to be
        gigapixels). Pillow's own global limit is not consulted.

    Returns
    -------
    image : ndarray
        8-bit images give uint8 (values 0..255). Images with more bits keep
        their values: 16-bit gray gives uint16, 32-bit integer int32 and
        float TIFF float32, never clipped to 0..255; 16-bit colour gives
        uint16 (read with OpenCV, which must then be installed).

    Raises
    ------
    FileNotFoundError, IsADirectoryError
        When ``path`` is missing or a directory.
    ValueError
        When the file is empty, not an image, truncated or otherwise broken,
        or larger than ``max_pixels``. The message names the file.

    See Also
    --------
    read_images : Several files into one batch.
    write_image : The other way.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from skimgproc import read_image, write_image
    >>> path = os.path.join(tmp.name, "ramp.png")
    >>> write_image(path, np.arange(12, dtype=np.uint8).reshape(3, 4))
    >>> read_image(path)
    array([[ 0,  1,  2,  3],
           [ 4,  5,  6,  7],
           [ 8,  9, 10, 11]], dtype=uint8)
    >>> tmp.cleanup()
    """
    mode, resize, max_pixels = _check_read_params(mode, resize, max_pixels,
                                                  "read_image")
    path = _existing_file(path, "read_image")
    return _decode(path, mode, resize, max_pixels)


def _check_paths(paths, caller, name="paths"):
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
    return [_as_path(p, name, caller) for p in paths]


def read_images(
    paths,
    *,
    mode="L",
    resize=None,
    max_pixels=DEFAULT_MAX_PIXELS,
    n_jobs=None,
):
    """Read image files into one batch ``(n, height, width[, channels])``.

    Parameters
    ----------
    paths : sequence of str or os.PathLike
        The files, in the order of the batch.
    mode : {"L", "RGB"} or None, default="L"
        As in :func:`read_image`.
    resize : (int, int), optional
        ``(height, width)`` to resample every image to. Without it, all the
        images must have the same size; a different one is an error that
        names the file.
    max_pixels : int, default=DEFAULT_MAX_PIXELS
        Per image, as in :func:`read_image`.
    n_jobs : int, optional
        Threads that decode files at the same time; None uses every core.

    Returns
    -------
    images : ndarray
        The batch. Its dtype holds every image's values (uint8 when all are
        8-bit, uint16 if one is 16-bit, ...).

    Raises
    ------
    ValueError
        For an unreadable file (see :func:`read_image`) or images of
        different sizes without ``resize``.

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
    mode, resize, max_pixels = _check_read_params(mode, resize, max_pixels,
                                                  "read_images")
    n_jobs = check_n_jobs(n_jobs, "read_images")
    paths = _check_paths(paths, "read_images")
    return _read_batch(paths, mode, resize, max_pixels, n_jobs)


def _read_batch(paths, mode, resize, max_pixels, n_jobs):
    def read(path):
        return _decode(_existing_file(path, "read_images"), mode, resize, max_pixels)

    first = read(paths[0])
    # Filled in place as files arrive, so a big batch is never held twice.
    batch = np.empty((len(paths),) + first.shape, dtype=first.dtype)
    batch[0] = first

    def store(index, image):
        nonlocal batch
        if image.shape != batch.shape[1:]:
            raise ValueError(
                f"Cannot stack '{paths[index]}' into the batch: its image has shape "
                f"{image.shape}, but '{paths[0]}' has shape {batch.shape[1:]}. All "
                "images must have the same size; pass resize=(height, width) to "
                "resample them."
            )
        if not np.can_cast(image.dtype, batch.dtype, casting="safe"):
            batch = batch.astype(np.result_type(batch.dtype, image.dtype))
        batch[index] = image

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
    return batch


# -- writing images -----------------------------------------------------------


def _format_for(path, caller):
    extension = path.suffix.lower()
    fmt = Image.registered_extensions().get(extension)
    if fmt is None or fmt not in Image.SAVE:
        raise ValueError(
            f"Cannot write '{path}': unknown image file extension "
            f"{extension or '(none)'!r}; use one of .png, .jpg, .tif, .pdf (or "
            "another format Pillow can write: .bmp, .gif, .webp, ...)."
        )
    return fmt


def _image_values(image, rescale, fmt, path):
    """The array to hand to Pillow: uint8, or uint16/float32 kept as they are."""
    if image.dtype == bool:
        return image.astype(np.uint8) * 255
    if image.dtype == np.uint8:
        return image
    if rescale == "minmax":
        # scipy.misc.imsave's bytescale: [min, max] -> [0, 255], rounded.
        low, high = float(image.min()), float(image.max())
        scale = 255.0 / (high - low) if high > low else 0.0
        scaled = (image.astype(np.float64) - low) * scale + 0.5
        return np.clip(scaled, 0, 255).astype(np.uint8)
    if rescale == "clip":
        return np.clip(np.rint(image), 0, 255).astype(np.uint8)
    # rescale=None: the values as they are, or an error.
    gray = image.ndim == 2
    if image.dtype.kind in "iu":
        low, high = int(image.min()), int(image.max())
        if low >= 0 and high <= 255:
            return image.astype(np.uint8)
        if low >= 0 and high <= 65535 and gray and fmt in _SIXTEEN_BIT_FORMATS:
            return image.astype(np.uint16)
        raise ValueError(
            f"Cannot write '{path}' with rescale=None: its values span "
            f"{low}..{high}, beyond 0..255 (8-bit), and 16-bit needs a gray image "
            "saved as PNG or TIFF. Pass rescale='minmax' or 'clip'."
        )
    if gray and fmt in _FLOAT_FORMATS:
        return image.astype(np.float32)
    raise ValueError(
        f"Cannot write '{path}' with rescale=None: float values need a gray "
        "image saved as TIFF. Pass rescale='minmax' or 'clip' to make 8-bit."
    )


def write_image(path, image, *, rescale="minmax"):
    """Save an array as an image file, atomically (the chapter's ``imsave``).

    The format follows the extension: ``.png``, ``.jpg``, ``.tif``, ``.pdf``
    (and any other format Pillow writes). uint8 and bool arrays are written
    as they are (bool as 0 and 255); other arrays are made 8-bit as
    ``rescale`` says. The file is written under a temporary name in the same
    folder and renamed into place only when complete: a failed write leaves
    no partial file and any existing file intact.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder must exist.
    image : array-like
        ``(height, width)`` gray, or ``(height, width, channels)`` with 1
        (gray), 2 (gray and alpha), 3 (RGB) or 4 (RGBA) channels. Finite
        real numbers.
    rescale : {"minmax", "clip"} or None, default="minmax"
        ``"minmax"``: map the range ``[min, max]`` of the image linearly to
        ``[0, 255]``, as scipy's old ``imsave`` did (a constant image
        becomes 0). ``"clip"``: round and clip to ``[0, 255]``. None: write
        the values unchanged: integers in 0..255 as 8-bit, gray integers in
        0..65535 as 16-bit PNG or TIFF, gray floats as float TIFF; anything
        else is an error.

    Raises
    ------
    ValueError
        For an unknown extension, an image the format cannot hold (alpha
        in JPEG, ...), NaN or inf values, or a wrong shape.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from skimgproc import read_image, write_image
    >>> path = os.path.join(tmp.name, "gradient.png")
    >>> write_image(path, np.array([[-1.0, 0.0, 1.0]]))  # min-max to 0..255
    >>> read_image(path)
    array([[  0, 128, 255]], dtype=uint8)
    >>> tmp.cleanup()
    """
    path = _as_path(path, "path", "write_image")
    if rescale is not None:
        check_option(rescale, "rescale", "write_image", RESCALES)
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] > 4):
        raise ValueError(
            "write_image expects one image, (height, width) or (height, width, "
            f"channels) with 1 to 4 channels; got an array of shape {array.shape}."
        )
    # The one input contract checks dtype, emptiness and finiteness (on a
    # view: a batch of one, not a copy).
    as_batch(array[np.newaxis], name="image", caller="write_image")
    fmt = _format_for(path, "write_image")
    values = _image_values(array, rescale, fmt, path)
    pil_image = Image.fromarray(np.ascontiguousarray(values))
    with _atomic_write(path, "write_image") as file:
        try:
            pil_image.save(file, format=fmt)
        except (OSError, ValueError, KeyError) as exc:
            raise ValueError(
                f"Cannot write '{path}' as {fmt}: {_one_line(exc)} (image of shape "
                f"{array.shape})."
            ) from exc


# -- figures ------------------------------------------------------------------


def _font(size):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow < 10.1 or no FreeType: bitmap font
        return ImageFont.load_default()


def _display(image):
    """An image as uint8 for display: uint8 as is, anything else min-max."""
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise ValueError(
            "Each panel of write_panels must be a (height, width) or (height, "
            f"width, 3 or 4) image; got shape {array.shape}."
        )
    as_batch(array[np.newaxis], name="panel image", caller="write_panels")
    values = _image_values(array, "minmax", "PNG", "panel")
    return Image.fromarray(np.ascontiguousarray(values)).convert("RGB")


def write_panels(path, panels, *, ncols=None, width=320, title=None):
    """Save a labelled figure: a grid of images, each with its title above.

    Drawn with Pillow alone (no plotting library). Each image is shown as
    :func:`write_image` with ``rescale="minmax"`` would write it (uint8
    images as they are), like ``imshow`` with a gray colour map.

    Parameters
    ----------
    path : str or os.PathLike
        The figure file (``.png`` is best).
    panels : sequence of (str, array-like)
        ``(title, image)`` pairs, in reading order.
    ncols : int, optional
        Panels per row; by default all in one row (up to 4).
    width : int, default=320
        Width of each panel in pixels; images are resampled to it.
    title : str, optional
        A heading above the whole figure.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from skimgproc import read_image
    >>> from skimgproc.io import write_panels
    >>> path = os.path.join(tmp.name, "figure.png")
    >>> ramp = np.tile(np.arange(64.0), (32, 1))
    >>> write_panels(path, [("ramp", ramp), ("flipped", ramp[:, ::-1])], width=64)
    >>> read_image(path, mode="RGB").shape[1]  # 2 * (64 + 8 margin) + 8
    152
    >>> tmp.cleanup()
    """
    panels = list(panels)
    if not panels or any(
        not isinstance(p, (tuple, list)) or len(p) != 2 for p in panels
    ):
        raise ValueError(
            "The 'panels' argument of write_panels must be a non-empty list of "
            "(title, image) pairs."
        )
    width = check_int(width, "width", "write_panels", low=16)
    if ncols is None:
        ncols = min(len(panels), 4)
    ncols = check_int(ncols, "ncols", "write_panels", low=1)
    tiles = []
    for label, image in panels:
        tile = _display(image)
        height = max(1, round(tile.height * width / tile.width))
        tiles.append((str(label), tile.resize((width, height),
                                              Image.Resampling.LANCZOS)))
    font = _font(max(12, width // 22))
    big_font = _font(max(14, width // 16))
    margin, text_height = 8, font.getbbox("Ag")[3] + 6
    head = big_font.getbbox("Ag")[3] + 2 * margin if title else 0
    nrows = -(-len(tiles) // ncols)
    tile_height = max(t.height for _, t in tiles)
    cell_w, cell_h = width + margin, tile_height + text_height + margin
    figure = Image.new(
        "RGB", (ncols * cell_w + margin, head + nrows * cell_h + margin), "white"
    )
    draw = ImageDraw.Draw(figure)
    if title:
        draw.text((margin, margin), str(title), fill="black", font=big_font)
    for index, (label, tile) in enumerate(tiles):
        row, col = divmod(index, ncols)
        x = margin + col * cell_w
        y = head + margin + row * cell_h
        draw.text((x, y), label, fill="black", font=font)
        figure.paste(tile, (x, y + text_height))
    write_image(path, np.asarray(figure))


def colorize_labels(labels, *, seed=0):
    """Colour a label image for display: background (0) black, each object
    a random bright colour.

    Parameters
    ----------
    labels : array-like of int, shape (height, width)
        As returned by ``scipy.ndimage.label``.
    seed : int, default=0
        Seed of the colours.

    Returns
    -------
    rgb : ndarray of uint8, shape (height, width, 3)

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc.io import colorize_labels
    >>> rgb = colorize_labels(np.array([[0, 1], [2, 2]]))
    >>> rgb.shape, rgb[0, 0].tolist()
    ((2, 2, 3), [0, 0, 0])
    """
    labels = np.asarray(labels)
    if labels.ndim != 2 or labels.dtype.kind not in "biu" or (
        labels.size and labels.min() < 0
    ):
        raise ValueError(
            "colorize_labels expects a 2-D array of non-negative integer labels; "
            f"got shape {labels.shape} and dtype {labels.dtype}."
        )
    n = int(labels.max()) if labels.size else 0
    palette = np.random.RandomState(seed).randint(60, 256, size=(n + 1, 3))
    palette[0] = 0
    return palette.astype(np.uint8)[labels]


# -- ImageReader --------------------------------------------------------------


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
        ``(height, width)`` to resample every image to; without it the files
        must all have the same size.
    max_pixels : int, default=DEFAULT_MAX_PIXELS
        Refuse images declaring more pixels than this (decompression bombs).
    n_jobs : int, default=None
        Threads decoding files at the same time; None uses every core.

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

    def __init__(self, mode="L", *, resize=None, max_pixels=DEFAULT_MAX_PIXELS,
                 n_jobs=None):
        self.mode = mode
        self.resize = resize
        self.max_pixels = max_pixels
        self.n_jobs = n_jobs

    def _check_params(self):
        owner = type(self).__name__
        mode, resize, max_pixels = _check_read_params(
            self.mode, self.resize, self.max_pixels, owner
        )
        return dict(mode=mode, resize=resize, max_pixels=max_pixels,
                    n_jobs=check_n_jobs(self.n_jobs, owner))

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
        images : ndarray
            ``(n_files, height, width[, channels])``.
        """
        params = self._check_params()
        paths = _check_paths(X, type(self).__name__, name="X")
        return _read_batch(paths, **params)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        # The input is a list of file names, not a numeric table.
        tags.input_tags.two_d_array = False
        tags.input_tags.one_d_array = True
        tags.input_tags.string = True
        return tags


# -- MATLAB files -------------------------------------------------------------

# Bytes per element of each MATLAB class as scipy.io.loadmat returns it.
_MAT_ITEMSIZE = {
    "double": 8, "single": 4, "int8": 1, "uint8": 1, "int16": 2, "uint16": 2,
    "int32": 4, "uint32": 4, "int64": 8, "uint64": 8, "logical": 1,
    "char": 4,  # numpy unicode strings
}
_MI_MATRIX, _MI_COMPRESSED = 14, 15


def _v5_expanded_bytes(path, limit):
    """Bytes the data elements of a MATLAB v5 file hold once decompressed.

    Compressed variables are decompressed as a stream (in small pieces,
    nothing kept), stopping as soon as the total passes ``limit``: this
    bounds what loadmat will allocate, nested cells and structs included.
    """
    total = 0
    with open(path, "rb") as file:
        header = file.read(128)
        order = "<" if header[126:128] == b"IM" else ">"
        while total <= limit:
            tag = file.read(8)
            if len(tag) < 8:
                break
            data_type, n_bytes = struct.unpack(order + "II", tag)
            if data_type >> 16:  # small data element: 4 bytes in the tag
                total += 4
                continue
            if data_type != _MI_COMPRESSED:
                total += n_bytes
                file.seek(n_bytes, os.SEEK_CUR)
                continue
            inflater = zlib.decompressobj()
            remaining = n_bytes
            while remaining and total <= limit:
                chunk = file.read(min(remaining, 1 << 16))
                if not chunk:
                    break
                remaining -= len(chunk)
                data = chunk
                while data and total <= limit:
                    total += len(inflater.decompress(data, 1 << 20))
                    data = inflater.unconsumed_tail
            file.seek(remaining, os.SEEK_CUR)
    return total


def _mat_error(path, exc):
    return ValueError(f"Cannot read '{path}': not a readable MATLAB file "
                      f"({_one_line(exc)}).")


def read_mat(path, *, variable_names=None, max_bytes=DEFAULT_MAX_BYTES):
    """Read the variables of a MATLAB ``.mat`` file (v4, v5, v6, v7).

    A thin layer over :func:`scipy.io.loadmat` that first checks what the
    file holds: the variables are listed with :func:`scipy.io.whosmat` and
    their size computed, and compressed data is measured as a stream, so a
    small file that would expand to gigabytes is refused before anything
    is loaded.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.mat`` file.
    variable_names : sequence of str, optional
        Load only these variables.
    max_bytes : int, default=DEFAULT_MAX_BYTES
        Refuse files whose variables would take more memory than this once
        loaded (1 GiB by default).

    Returns
    -------
    variables : dict of str to ndarray
        The variables by name, as :func:`scipy.io.loadmat` returns them
        (without its ``__header__``, ``__version__`` and ``__globals__``
        entries).

    Raises
    ------
    ValueError
        For MATLAB v7.3 files (HDF5: read them with h5py), files that are
        not MATLAB files, broken ones, or ones over ``max_bytes``.

    See Also
    --------
    write_mat : The other way.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from skimgproc import read_mat, write_mat
    >>> path = os.path.join(tmp.name, "test.mat")
    >>> write_mat(path, {"x": np.arange(6.0).reshape(2, 3)})
    >>> read_mat(path)["x"]
    array([[0., 1., 2.],
           [3., 4., 5.]])
    >>> tmp.cleanup()
    """
    from scipy import io as sio
    from scipy.io import matlab

    path = _existing_file(path, "read_mat")
    max_bytes = check_int(max_bytes, "max_bytes", "read_mat", low=1)
    if variable_names is not None:
        if isinstance(variable_names, str) or not all(
            isinstance(v, str) for v in variable_names
        ):
            raise ValueError(
                "The 'variable_names' parameter of read_mat must be None or a list "
                f"of str. Got {variable_names!r} instead."
            )
        variable_names = list(variable_names)
    with open(path, "rb") as file:
        start = file.read(520)
    if start[:8] == _HDF5_SIGNATURE or start[512:520] == _HDF5_SIGNATURE:
        raise ValueError(
            f"Cannot read '{path}': MATLAB v7.3 (HDF5) files are not supported: "
            "load them with h5py (or save them from MATLAB with -v7)."
        )
    try:
        major, _ = matlab.matfile_version(str(path))
        listing = sio.whosmat(str(path))
    except NotImplementedError as exc:  # scipy's word for v7.3
        raise ValueError(
            f"Cannot read '{path}': MATLAB v7.3 (HDF5) files are not supported: "
            "load them with h5py."
        ) from exc
    except Exception as exc:
        raise _mat_error(path, exc) from exc

    wanted = [v for v in listing if variable_names is None or v[0] in variable_names]
    total = 0
    for name, shape, cls in wanted:
        n_bytes = prod(shape) * _MAT_ITEMSIZE.get(cls, 0)
        total += n_bytes
        if n_bytes > max_bytes or total > max_bytes:
            raise ValueError(
                f"Refusing to load '{path}': variable '{name}' is a "
                f"{'x'.join(map(str, shape))} {cls} array of {n_bytes} bytes, and "
                f"the variables total more than max_bytes={max_bytes}. If you "
                "trust the file, pass a larger max_bytes."
            )
    if major == 1:  # v5 to v7: compressed data, cells and structs
        try:
            expanded = _v5_expanded_bytes(path, max_bytes)
        except (OSError, zlib.error, struct.error) as exc:
            raise _mat_error(path, exc) from exc
        if expanded > max_bytes:
            raise ValueError(
                f"Refusing to load '{path}': its data expand to more than "
                f"max_bytes={max_bytes} bytes once decompressed. If you trust the "
                "file, pass a larger max_bytes."
            )
    try:
        data = sio.loadmat(str(path), variable_names=variable_names)
    except Exception as exc:
        raise _mat_error(path, exc) from exc
    return {k: v for k, v in data.items() if not k.startswith("__")}


def _check_mat_variables(variables):
    if not hasattr(variables, "items"):
        raise ValueError(
            "The 'variables' argument of write_mat must be a dict of name to "
            f"array. Got {type(variables).__name__} instead."
        )
    for name in variables:
        if not (
            isinstance(name, str)
            and name[:1].isascii()
            and name[:1].isalpha()
            and len(name) <= 63
            and all(c.isascii() and (c.isalnum() or c == "_") for c in name)
        ):
            raise ValueError(
                "write_mat: MATLAB variable names start with a letter and hold "
                f"letters, digits and underscores, at most 63; got {name!r}."
            )


def write_mat(path, variables, *, do_compression=False):
    """Write variables to a MATLAB ``.mat`` file (v5), atomically.

    A thin layer over :func:`scipy.io.savemat`; the file is written under a
    temporary name and renamed into place only when complete, so a failure
    leaves any existing file intact.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (no ``.mat`` is appended).
    variables : dict of str to array-like
        The variables by name; names follow MATLAB's rules.
    do_compression : bool, default=False
        Compress the data, as in :func:`scipy.io.savemat`.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from skimgproc import read_mat, write_mat
    >>> path = os.path.join(tmp.name, "data.mat")
    >>> write_mat(path, {"im": np.eye(2)}, do_compression=True)
    >>> sorted(read_mat(path))
    ['im']
    >>> tmp.cleanup()
    """
    from scipy import io as sio

    _check_mat_variables(variables)
    if not isinstance(do_compression, (bool, np.bool_)):
        raise ValueError(
            "The 'do_compression' parameter of write_mat must be a bool. Got "
            f"{do_compression!r} instead."
        )
    path = _as_path(path, "path", "write_mat")
    with _atomic_write(path, "write_mat") as file:
        try:
            sio.savemat(file, dict(variables), do_compression=bool(do_compression))
        except Exception as exc:
            raise ValueError(
                f"Cannot write '{path}': {_one_line(exc)}"
            ) from exc
