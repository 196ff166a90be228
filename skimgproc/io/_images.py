"""One image file in and out, with Pillow: decoding safely, reading, writing.

A broken or hostile file (empty, truncated, not an image, declaring a huge
size) is refused with a ValueError naming it, before it can hang, crash or
exhaust memory. Writing is atomic (:func:`skimgproc._files.atomic_write`).
"""

import os
import struct
from numbers import Integral

import numpy as np
from PIL import Image

from .._batch import as_batch
from .._config import optional_module
from .._files import as_path, atomic_write, existing_file, image_format, one_line
from .._validation import Bool, Constraints, Int, Options, Rule, check_option, fail
from ._truncated import decode_partial, missing_end, unidentified_truncation

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "READ_CONSTRAINTS",
    "READ_MODES",
    "RESCALES",
    "decode",
    "minmax_uint8",
    "read_image",
    "write_image",
]

#: Largest image :func:`read_image` decodes unless told otherwise: Pillow's
#: own default limit, 89,478,485 pixels (a quarter of a gigabyte as 8-bit
#: RGB; 9459 x 9459), above which Pillow warns of a decompression bomb. A
#: larger image is refused until the caller raises ``max_pixels``.
DEFAULT_MAX_PIXELS = 1024 * 1024 * 1024 // 4 // 3

READ_MODES = ("L", "RGB")
RESCALES = frozenset({"minmax", "clip"})

# Formats that keep more than 8 bits per value when writing without rescaling.
_SIXTEEN_BIT_FORMATS = frozenset({"PNG", "TIFF"})
_FLOAT_FORMATS = frozenset({"TIFF"})

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


# -- parameters -----------------------------------------------------------------


def _none_or(constraint):
    """None, or a value ``constraint`` accepts; a refusal is in
    ``constraint``'s words (None is the documented default)."""

    def check(value, name, owner, batch):
        return None if value is None else constraint.check(value, name, owner, batch)

    return Rule(check)


def _check_resize(resize, name, owner, batch):
    if resize is None:
        return None
    ok = (
        isinstance(resize, (tuple, list))
        and len(resize) == 2
        and all(isinstance(v, Integral) and not isinstance(v, bool) and v >= 1
                for v in resize)
    )
    if not ok:
        fail(name, owner, "None or a pair (height, width) of positive ints", resize)
    return (int(resize[0]), int(resize[1]))


#: The parameters of :func:`read_image`, shared by every reader of images.
READ_CONSTRAINTS = Constraints(
    mode=_none_or(Options(READ_MODES)),
    resize=Rule(_check_resize),
    max_pixels=Int(1),
    allow_truncated=Bool(),
)


# -- decoding ---------------------------------------------------------------------

# Pillow's own decompression-bomb check reads process-wide state
# (Image.MAX_IMAGE_PIXELS: a warning above it, an error above twice it),
# which belongs to the application: skimgproc never changes it, even for a
# moment (another thread would lose its guard, or its own setting). Files are
# identified as Image.open identifies them, by the plugins Pillow has
# registered, without Pillow's check of the size; decode then checks the
# declared size against the caller's ``max_pixels``.


def _broken(path, exc):
    if "truncated" in str(exc).lower():  # Pillow's word, while parsing a header
        return ValueError(
            f"Cannot read '{path}': the file is truncated ({one_line(exc)})."
        )
    return ValueError(f"Cannot read '{path}': broken image file ({one_line(exc)}).")


def _identify(path):
    """The opened (not yet decoded) image: the first of Pillow's registered
    formats that accepts the file's first bytes and parses its header (the
    loop of ``Image.open``, which then checks the size against Pillow's
    global limit; this leaves that to the caller)."""
    with open(path, "rb") as file:
        prefix = file.read(16)
    for register in (Image.preinit, Image.init):  # common plugins, then all
        register()
        for fmt in list(Image.ID):
            factory, accept = Image.OPEN[fmt]
            if accept is not None and accept(prefix) is not True:
                continue  # False, or a str: a reason not to try
            try:
                return factory(path, os.fspath(path))  # it opens the file
            except (SyntaxError, IndexError, TypeError, struct.error):
                continue  # not this format after all (as Image.open)
    raise Image.UnidentifiedImageError(f"cannot identify image file {path!r}")


def _open(path):
    """The opened (not yet decoded) image."""
    # Before Pillow parses a TIFF directory past the end (and warns of corrupt
    # EXIF data).
    reason = unidentified_truncation(path)
    if reason is not None:
        raise ValueError(f"Cannot read '{path}': the file is truncated ({reason}).")
    try:
        return _identify(path)
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


def _check_declared_size(path, im, max_pixels):
    width, height = im.size
    n_pixels = width * height
    if n_pixels > max_pixels:
        raise ValueError(
            f"Refusing to decode '{path}': it declares {width} x {height} = "
            f"{n_pixels} pixels, more than max_pixels={max_pixels} (a "
            "decompression bomb, or a very large image). If you trust the "
            "file, pass a larger max_pixels."
        )
    return n_pixels


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


def _undo_orientation(im):
    """The transposition that makes a photo upright, from its EXIF."""
    try:
        orientation = im.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # unreadable EXIF: keep the stored orientation
        orientation = 1
    return _UNDO_ORIENTATION.get(orientation)


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


def _common_mode(im):
    """``im`` in one of the modes the conversions below start from."""
    if im.mode in ("P", "PA"):
        # Through RGBA, so that palette transparency is understood (Pillow
        # warns when it is converted straight to RGB).
        transparent = im.mode == "PA" or "transparency" in im.info
        return im.convert("RGBA" if transparent else "RGB")
    if im.mode not in ("1", "L", "LA", "RGB", "RGBA") and not _high_bit_depth(im):
        return im.convert("RGB")  # CMYK, YCbCr, LAB, HSV
    return im


def _high_bit_depth_array(im, mode, resize, transpose):
    # 16-bit, 32-bit integer and float gray images keep their values:
    # Pillow's convert("L") would clip them to 0..255.
    if im.mode.startswith("I;16") and im.mode != "I;16":
        # Big-endian and other 16-bit variants to native uint16 ("I;16").
        im = Image.fromarray(np.asarray(im).astype(np.uint16))
    array = np.asarray(_finish(im, resize, transpose))
    return np.repeat(array[..., None], 3, axis=-1) if mode == "RGB" else array


def _to_array(im, mode, resize, transpose):
    """Convert a loaded Pillow image to an array of the requested mode."""
    im = _common_mode(im)
    if _high_bit_depth(im):
        return _high_bit_depth_array(im, mode, resize, transpose)
    if mode == "L" and im.mode != "L":
        im = im.getchannel(0) if im.mode == "LA" else im.convert("L")
    elif mode == "RGB" and im.mode != "RGB":
        im = im.convert("RGB")
    return np.asarray(_finish(im, resize, transpose))


def _truncated(path, im, reason):
    return ValueError(
        f"Cannot read '{path}': the {im.format} file is truncated ({reason}). "
        "Pass allow_truncated=True to read what it holds."
    )


def _load(path, im, allow_truncated):
    """``im`` decoded: a truncated file refused, or with ``allow_truncated``
    decoded as far as its data goes (skimgproc never sets Pillow's global
    LOAD_TRUNCATED_IMAGES)."""
    reason = missing_end(path, im)
    if reason is None:
        im.load()
        return im
    if not allow_truncated:
        raise _truncated(path, im, reason)
    return decode_partial(path, im, Image.OPEN["JPEG"][0])


def decode(path, mode, resize, max_pixels, allow_truncated=False):
    """The image at ``path`` (an existing file) as an array, with validated
    parameters: :func:`read_image` without the checks of its arguments."""
    im = _open(path)
    with im:
        _check_declared_size(path, im, max_pixels)
        # Before getexif, which may decode the image (PNG) and forget the tile.
        sixteen_bit_colour = _is_sixteen_bit_colour(im)
        transpose = _undo_orientation(im)
        if sixteen_bit_colour:
            reason = missing_end(path, im)
            if reason is not None:  # OpenCV decodes truncated files silently
                raise _truncated(path, im, reason)
            return _read_sixteen_bit_colour(path, im, mode, resize, transpose)
        try:
            return _to_array(_load(path, im, allow_truncated), mode, resize,
                             transpose)
        except MemoryError:
            raise
        except Image.DecompressionBombError as exc:
            # A plugin that checks its frames or tiles itself (GIF, TIFF,
            # ICO) against Pillow's own limit, the application's to set.
            raise ValueError(
                f"Cannot read '{path}': Pillow's own limit Image.MAX_IMAGE_PIXELS "
                f"refused it ({one_line(exc)}), which skimgproc does not change; "
                "raise it yourself if you trust the file."
            ) from exc
        except ValueError as exc:
            if str(exc).startswith(f"Cannot read '{path}'"):
                raise
            raise _broken(path, exc) from exc
        except Exception as exc:
            # Truncated data the walk cannot see surfaces here: Pillow decodes
            # lazily.
            raise _broken(path, exc) from exc


def read_image(path, *, mode="L", resize=None, max_pixels=DEFAULT_MAX_PIXELS,
               allow_truncated=False):
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
        gigapixels). The default is Pillow's own default limit, 89,478,485
        pixels. Pillow's global ``Image.MAX_IMAGE_PIXELS`` is neither read
        nor changed (it stays the application's, for its own calls), except
        by the few plugins that check frames or tiles against it themselves
        while decoding (GIF, TIFF, ICO).
    allow_truncated : bool, default=False
        A file that ends before its data does (a PNG without its IEND chunk,
        a JPEG without its end-of-image marker, a GIF without its trailer, a
        TIFF whose strips run past the end) is refused unless this is True;
        then it is decoded as far as its data goes, the rest grey for JPEG
        (as Pillow completes it) and 0 for the other formats. Found from the
        file's structure, whatever Pillow's global
        ``ImageFile.LOAD_TRUNCATED_IMAGES`` says (never read nor set here).

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
    params = READ_CONSTRAINTS.validate(
        dict(mode=mode, resize=resize, max_pixels=max_pixels,
             allow_truncated=allow_truncated), "read_image"
    )
    return decode(existing_file(path, "read_image"), **params)


# -- writing ----------------------------------------------------------------------


def minmax_uint8(image):
    """``image`` as ``write_image(..., rescale="minmax")`` writes it: uint8
    as it is, bool as 0 and 255, anything else mapped from ``[min, max]``
    linearly to ``[0, 255]`` and rounded (scipy.misc.imsave's bytescale; a
    constant image becomes 0).

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc.io._images import minmax_uint8
    >>> minmax_uint8(np.array([-1.0, 0.0, 1.0])).tolist()
    [0, 128, 255]
    >>> minmax_uint8(np.array([True, False])).tolist()
    [255, 0]
    """
    if image.dtype == bool:
        return image.astype(np.uint8) * 255
    if image.dtype == np.uint8:
        return image
    low, high = float(image.min()), float(image.max())
    values = image.astype(np.float64)
    if not np.isfinite(high - low):
        # A range beyond float64 (values near +-1.7e308): halved, exactly,
        # so that neither the range nor the offsets overflow.
        values, low, high = values / 2, low / 2, high / 2
    scale = 255.0 / (high - low) if high > low else 0.0
    scaled = (values - low) * scale + 0.5
    return np.clip(scaled, 0, 255).astype(np.uint8)


def _unscaled_values(image, fmt, path):
    """``image`` as it is, in a type ``fmt`` holds, or the error saying why not."""
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


def _image_values(image, rescale, fmt, path):
    """The array to hand to Pillow: uint8, or uint16/float32 kept as they are."""
    if image.dtype in (np.bool_, np.uint8) or rescale == "minmax":
        return minmax_uint8(image)
    if rescale == "clip":
        return np.clip(np.rint(image), 0, 255).astype(np.uint8)
    return _unscaled_values(image, fmt, path)


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

    See Also
    --------
    read_image : The other way.

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
    path = as_path(path, "path", "write_image")
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
    fmt = image_format(path)
    values = _image_values(array, rescale, fmt, path)
    pil_image = Image.fromarray(np.ascontiguousarray(values))
    with atomic_write(path, "write_image") as file:
        try:
            pil_image.save(file, format=fmt)
        except (OSError, ValueError, KeyError) as exc:
            raise ValueError(
                f"Cannot write '{path}' as {fmt}: {one_line(exc)} (image of shape "
                f"{array.shape})."
            ) from exc
