"""Figures with Pillow alone: labelled grids of images, coloured labels.

No plotting library is needed: :func:`write_panels` draws titled images in
a grid as :func:`~skimgproc.write_image` would show each (uint8 as it is,
anything else min-max scaled, like ``imshow`` with a gray colour map), and
:func:`colorize_labels` colours a label image for display.
"""

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ._batch import as_batch
from ._validation import check_int
from .io import write_image
from .io._images import minmax_uint8

__all__ = ["colorize_labels", "write_panels"]

_MARGIN = 8  # pixels around and between the panels


def _font(size):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow < 10.1 or no FreeType: bitmap font
        return ImageFont.load_default()


def _text_height(font):
    return font.getbbox("Ag")[3]


def _display(image):
    """An image as an RGB Pillow image for display: uint8 as is, bool as 0
    and 255, anything else min-max scaled."""
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise ValueError(
            "Each panel of write_panels must be a (height, width) or (height, "
            f"width, 3 or 4) image; got shape {array.shape}."
        )
    as_batch(array[np.newaxis], name="panel image", caller="write_panels")
    values = minmax_uint8(array)
    return Image.fromarray(np.ascontiguousarray(values)).convert("RGB")


def _check_panels(panels):
    panels = list(panels)
    if not panels or any(
        not isinstance(p, (tuple, list)) or len(p) != 2 for p in panels
    ):
        raise ValueError(
            "The 'panels' argument of write_panels must be a non-empty list of "
            "(title, image) pairs."
        )
    return panels


def _tiles(panels, width):
    """(label, tile) pairs, each tile resampled to ``width``."""
    tiles = []
    for label, image in panels:
        tile = _display(image)
        height = max(1, round(tile.height * width / tile.width))
        tiles.append((str(label), tile.resize((width, height),
                                              Image.Resampling.LANCZOS)))
    return tiles


def write_panels(path, panels, *, ncols=None, width=320, title=None):
    """Save a labelled figure: a grid of images, each with its title above.

    Drawn with Pillow alone (no plotting library). Each image is shown as
    :func:`~skimgproc.write_image` with ``rescale="minmax"`` would write it
    (uint8 images as they are), like ``imshow`` with a gray colour map.

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

    Raises
    ------
    ValueError
        For no panels, a panel that is not a ``(title, image)`` pair or an
        image that is not gray, RGB or RGBA.

    See Also
    --------
    colorize_labels : A label image in colours, for a panel.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from skimgproc import read_image
    >>> from skimgproc.plotting import write_panels
    >>> path = os.path.join(tmp.name, "figure.png")
    >>> ramp = np.tile(np.arange(64.0), (32, 1))
    >>> write_panels(path, [("ramp", ramp), ("flipped", ramp[:, ::-1])], width=64)
    >>> read_image(path, mode="RGB").shape[1]  # 2 * (64 + 8 margin) + 8
    152
    >>> tmp.cleanup()
    """
    panels = _check_panels(panels)
    width = check_int(width, "width", "write_panels", low=16)
    if ncols is None:
        ncols = min(len(panels), 4)
    ncols = check_int(ncols, "ncols", "write_panels", low=1)
    tiles = _tiles(panels, width)
    font = _font(max(12, width // 22))
    big_font = _font(max(14, width // 16))
    label_height = _text_height(font) + 6
    head = _text_height(big_font) + 2 * _MARGIN if title else 0
    nrows = -(-len(tiles) // ncols)
    cell_w = width + _MARGIN
    cell_h = max(t.height for _, t in tiles) + label_height + _MARGIN
    figure = Image.new(
        "RGB", (ncols * cell_w + _MARGIN, head + nrows * cell_h + _MARGIN), "white"
    )
    draw = ImageDraw.Draw(figure)
    if title:
        draw.text((_MARGIN, _MARGIN), str(title), fill="black", font=big_font)
    for index, (label, tile) in enumerate(tiles):
        row, col = divmod(index, ncols)
        x = _MARGIN + col * cell_w
        y = head + _MARGIN + row * cell_h
        draw.text((x, y), label, fill="black", font=font)
        figure.paste(tile, (x, y + label_height))
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

    Raises
    ------
    ValueError
        For anything but a 2-D array of non-negative integers.

    See Also
    --------
    write_panels : A figure of such images.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc.plotting import colorize_labels
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
