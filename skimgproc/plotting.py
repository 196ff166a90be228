"""Figures with matplotlib: grids of images whose values can be compared.

:func:`plot_panels` draws titled images in a grid, axes off, at a readable
size. Panels that compare values share one :class:`ColorScale` (one
``vmin``/``vmax`` and one colour bar), so that a derivative that falls with
the scale, or a residual, looks as large as it is; each :class:`Panel` can
carry a note written on the image and rectangles (where a zoomed crop comes
from, which objects changed). :func:`write_panels` draws the same figure and
saves it as a PNG file; :func:`colorize_labels` colours a label image for a
panel.

Needs matplotlib, the ``plot`` extra (``pip install "skimgproc[plot]"``). It
is imported only when a figure is drawn: ``import skimgproc`` never loads
it, and without it these functions raise a ``ModuleNotFoundError`` that
names the extra. Files are drawn on matplotlib's Agg canvas, whatever the
session's backend.
"""

from dataclasses import dataclass

import numpy as np

from ._batch import as_batch
from ._files import atomic_write
from ._validation import check_int, fail

__all__ = ["ColorScale", "Panel", "colorize_labels", "plot_panels", "write_panels"]

_DPI = 100  # pixels per inch of the figures: sizes below are in pixels
_TITLE_PX = 34  # height of a panel's title row
_HEADING_PX = 44  # height of the figure's title
_COLORBAR_PX = 90  # width of one colour bar with its labels


def _matplotlib():
    """matplotlib, or an error that names the extra that installs it."""
    try:
        import matplotlib
    except ImportError as exc:
        raise ModuleNotFoundError(
            "skimgproc's figures are drawn with matplotlib, which is not "
            "installed: pip install \"skimgproc[plot]\" (or pip install "
            "matplotlib).",
            name="matplotlib",
        ) from exc
    return matplotlib


@dataclass(frozen=True, eq=False)
class ColorScale:
    """One colour scale, shared by the panels that are given it.

    Panels given the same instance are drawn with one ``vmin``/``vmax`` (and
    one colour map) and get one colour bar, so that their values can be
    compared; two instances never merge, even when equal in every field.

    Parameters
    ----------
    cmap : str, default="gray"
        A matplotlib colour map: ``"gray"`` for images, a diverging one such
        as ``"RdBu_r"`` for signed values.
    limits : (float, float), optional
        ``(vmin, vmax)``; by default the smallest and largest value of all
        the panels on this scale.
    symmetric : bool, default=False
        Limits ``(-m, m)`` with ``m`` the largest absolute value, so that 0
        is the middle of the colour map (derivatives, residuals).
    label : str, default=""
        The colour bar's label (what the values are, in which units).
    colorbar : bool, default=True
        Draw the colour bar.

    See Also
    --------
    Panel : One image of a figure, on a scale.

    Examples
    --------
    >>> from skimgproc.plotting import ColorScale
    >>> ColorScale(symmetric=True).limits_of([[-1.0, 2.0], [0.5, 0.0]])
    (-2.0, 2.0)
    >>> ColorScale(limits=(0, 255)).limits_of([[3.0]])
    (0.0, 255.0)
    """

    cmap: str = "gray"
    limits: tuple | None = None
    symmetric: bool = False
    label: str = ""
    colorbar: bool = True

    def limits_of(self, images):
        """``(vmin, vmax)`` of this scale for the given images (array-likes)."""
        if self.limits is not None:
            low, high = (float(v) for v in self.limits)
            if not low < high:
                fail("limits", "ColorScale", "(vmin, vmax) with vmin < vmax",
                     self.limits)
            return low, high
        arrays = [np.asarray(image, dtype=np.float64) for image in images]
        if self.symmetric:
            peak = max(float(np.abs(a).max()) for a in arrays) or 1.0
            return -peak, peak
        return (min(float(a.min()) for a in arrays),
                max(float(a.max()) for a in arrays))


@dataclass(frozen=True, eq=False)
class Panel:
    """One image of a figure: the image, its title and what is drawn on it.

    Parameters
    ----------
    image : array-like, shape (height, width) or (height, width, 3 or 4)
        A gray image (drawn on its colour scale) or a colour one (drawn as
        it is: uint8, or other values clipped to 0..255).
    title : str, default=""
        Above the image.
    scale : ColorScale, optional
        The colour scale; panels given the same one share it. By default
        the figure's scale (the ``scale`` argument of :func:`plot_panels`).
    text : str, default=""
        A note written on the image, in its lower left corner (a count, a
        maximum).
    boxes : sequence of (row, col, height, width), default=()
        Rectangles outlined on the image, in pixels of the image.

    See Also
    --------
    plot_panels : A figure of panels.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc.plotting import Panel
    >>> panel = Panel(np.zeros((64, 64)), "zeros", text="max 0",
    ...               boxes=[(8, 8, 16, 16)])
    >>> panel.title, panel.scale, panel.boxes
    ('zeros', None, [(8, 8, 16, 16)])
    """

    image: object
    title: str = ""
    scale: ColorScale | None = None
    text: str = ""
    boxes: tuple = ()


def _as_panel(item, index, caller):
    """A Panel (None for an empty cell), its image checked."""
    if item is None:
        return None
    if isinstance(item, (tuple, list)) and len(item) == 2:
        item = Panel(item[1], str(item[0]))
    if not isinstance(item, Panel):
        raise ValueError(
            f"The 'panels' argument of {caller} must hold Panel objects, "
            f"(title, image) pairs or None; item {index} is {item!r}."
        )
    image = np.asarray(item.image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(
            f"Each panel of {caller} must be a (height, width) or (height, width, "
            f"3 or 4) image; panel {index} has shape {image.shape}."
        )
    as_batch(image[np.newaxis], name="panel image", caller=caller)
    if item.scale is not None and not isinstance(item.scale, ColorScale):
        raise ValueError(f"The scale of panel {index} of {caller} must be a "
                         f"ColorScale or None; got {item.scale!r}.")
    return Panel(image, str(item.title), item.scale, str(item.text), tuple(item.boxes))


def _check_panels(panels, caller):
    if isinstance(panels, (str, bytes)) or not hasattr(panels, "__iter__"):
        panels = None
    else:
        panels = [_as_panel(item, i, caller) for i, item in enumerate(panels)]
    if not panels or all(p is None for p in panels):
        raise ValueError(
            f"The 'panels' argument of {caller} must be a non-empty list of "
            "Panel objects or (title, image) pairs."
        )
    return panels


def _layout(panels, ncols, width, title, scale, caller):
    """The grid and the figure's size in pixels."""
    width = check_int(width, "width", caller, low=16)
    if ncols is None:
        ncols = min(len(panels), 4)
    ncols = check_int(ncols, "ncols", caller, low=1)
    if not isinstance(scale, ColorScale):
        fail("scale", caller, "a ColorScale", scale)
    nrows = -(-len(panels) // ncols)
    height = 0
    for row in range(nrows):
        shown = [p.image.shape for p in panels[row * ncols:(row + 1) * ncols] if p]
        aspect = max((s[0] / s[1] for s in shown), default=1.0)
        height += round(width * aspect) + _TITLE_PX
    scales = {id(p.scale or scale): p.scale or scale
              for p in panels if p is not None and p.image.ndim == 2}
    n_bars = sum(s.colorbar for s in scales.values())
    size = (ncols * width + n_bars * _COLORBAR_PX + 10,
            height + (_HEADING_PX if title else 0) + 10)
    return nrows, ncols, size


def _annotate(ax, panel):
    from matplotlib.patches import Rectangle

    for row, col, height, width in panel.boxes:
        ax.add_patch(Rectangle((col - 0.5, row - 0.5), width, height, fill=False,
                               edgecolor="gold", linewidth=1.5))
    if panel.text:
        ax.text(0.02, 0.03, panel.text, transform=ax.transAxes, fontsize=11,
                ha="left", va="bottom",
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none",
                      "boxstyle": "round,pad=0.25"})


def _colour(image):
    if image.dtype == np.uint8:
        return image
    return np.clip(np.rint(image.astype(np.float64)), 0, 255).astype(np.uint8)


def _draw(figure, panels, nrows, ncols, title, scale):
    """Fill ``figure`` with the panels; the images share their scales' norms."""
    from matplotlib.colors import Normalize

    axes = figure.subplots(nrows, ncols, squeeze=False)
    groups = {}  # id(scale) -> (scale, [(axes, image)]), in order of appearance
    for ax, panel in zip(axes.flat, panels + [None] * (axes.size - len(panels)),
                         strict=True):
        ax.set_axis_off()
        if panel is None:
            continue
        ax.set_title(panel.title, fontsize=11)
        if panel.image.ndim == 3:
            ax.imshow(_colour(panel.image))
        else:
            own = panel.scale or scale
            groups.setdefault(id(own), (own, []))[1].append((ax, panel.image))
        _annotate(ax, panel)
    for own, members in groups.values():
        norm = Normalize(*own.limits_of(image for _, image in members))
        for ax, image in members:
            artist = ax.imshow(image, cmap=own.cmap, norm=norm)
        if own.colorbar:
            bar = figure.colorbar(artist, ax=[ax for ax, _ in members],
                                  shrink=0.9, aspect=25)
            bar.set_label(own.label, fontsize=10)
    if title:
        figure.suptitle(title, fontsize=13)
    return figure


def plot_panels(panels, *, ncols=None, width=360, title=None, scale=None):
    """Draw images in a grid: titled, axes off, values on shared colour scales.

    Every gray image is drawn on a :class:`ColorScale`: its panel's, or the
    figure's ``scale``. Panels on the same scale share ``vmin``/``vmax`` and
    one colour bar, so their values compare; colour images are drawn as
    they are. The figure is a pyplot figure (``plt.show()`` shows it); use
    :func:`write_panels` to save one to a file.

    Parameters
    ----------
    panels : sequence of Panel, (str, array-like) or None
        In reading order, ``ncols`` to a row. A ``(title, image)`` pair is
        ``Panel(image, title)``; ``None`` leaves the cell empty.
    ncols : int, optional
        Panels per row; by default all in one row (up to 4).
    width : int, default=360
        Width of each panel in pixels (at 100 dots per inch); the row's
        height follows from its tallest image.
    title : str, optional
        The figure's title.
    scale : ColorScale, optional
        The scale of the panels that have none; by default a new gray
        scale over their values, with a colour bar.

    Returns
    -------
    figure : matplotlib.figure.Figure
        Of ``ncols * width + 90 * (colour bars) + 10`` pixels across.

    Raises
    ------
    ModuleNotFoundError
        Without matplotlib (the ``plot`` extra).
    ValueError
        For no panels, an item that is not a panel, an image that is not
        gray, RGB or RGBA, or a bad ``width``, ``ncols`` or ``scale``.

    See Also
    --------
    write_panels : The same figure, saved as a PNG file.
    colorize_labels : A label image in colours, for a panel.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc.plotting import ColorScale, Panel, plot_panels
    >>> ramp = np.tile(np.linspace(0.0, 1.0, 64), (32, 1))
    >>> signed = ColorScale(cmap="RdBu_r", symmetric=True, label="slope")
    >>> figure = plot_panels(
    ...     [("ramp", ramp), ("half the ramp", ramp / 2),
    ...      Panel(np.gradient(ramp, axis=1), "slope", scale=signed)],
    ...     title="One scale for the ramps, one for the slope")
    >>> [round(image.norm.vmax, 4) for ax in figure.axes for image in ax.images]
    [1.0, 1.0, 0.0159]
    >>> len(figure.axes)  # three panels and two colour bars
    5
    >>> import matplotlib.pyplot as plt; plt.close(figure)
    """
    _matplotlib()
    import matplotlib.pyplot as plt

    panels = _check_panels(panels, "plot_panels")
    scale = ColorScale() if scale is None else scale
    nrows, ncols, size = _layout(panels, ncols, width, title, scale, "plot_panels")
    figure = plt.figure(figsize=(size[0] / _DPI, size[1] / _DPI), dpi=_DPI,
                        layout="constrained")
    return _draw(figure, panels, nrows, ncols, title, scale)


def write_panels(path, panels, *, ncols=None, width=360, title=None, scale=None):
    """Save a figure of images, as :func:`plot_panels` draws it, as a PNG file.

    Drawn on matplotlib's Agg canvas (whatever the session's backend) and
    not registered with pyplot, so nothing is left open; the file is
    written atomically (a failed write leaves none).

    Parameters
    ----------
    path : str or os.PathLike
        The figure file (``.png``).
    panels : sequence of Panel, (str, array-like) or None
        As for :func:`plot_panels`.
    ncols : int, optional
        Panels per row; by default all in one row (up to 4).
    width : int, default=360
        Width of each panel in pixels.
    title : str, optional
        The figure's title.
    scale : ColorScale, optional
        The scale of the panels that have none.

    Returns
    -------
    figure : matplotlib.figure.Figure
        The figure saved, for inspection; the PNG file has its size in
        pixels (``figure.get_size_inches() * figure.dpi``).

    Raises
    ------
    ModuleNotFoundError
        Without matplotlib (the ``plot`` extra).
    ValueError
        As :func:`plot_panels`; nothing is written.

    See Also
    --------
    plot_panels : The figure, to show or to change before saving.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from skimgproc import read_image
    >>> from skimgproc.plotting import write_panels
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = os.path.join(tmp.name, "figure.png")
    >>> ramp = np.tile(np.arange(64.0), (32, 1))
    >>> figure = write_panels(path, [("ramp", ramp), ("flipped", ramp[:, ::-1])],
    ...                       width=200, title="Two ramps on one scale")
    >>> read_image(path, mode="RGB").shape  # 2 * 200 + 90 (a colour bar) + 10
    (188, 500, 3)
    >>> tmp.cleanup()
    """
    _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = _check_panels(panels, "write_panels")
    scale = ColorScale() if scale is None else scale
    nrows, ncols, size = _layout(panels, ncols, width, title, scale, "write_panels")
    figure = Figure(figsize=(size[0] / _DPI, size[1] / _DPI), dpi=_DPI,
                    layout="constrained")
    FigureCanvasAgg(figure)
    _draw(figure, panels, nrows, ncols, title, scale)
    with atomic_write(path, "write_panels") as file:
        figure.savefig(file, format="png", dpi=_DPI)
    return figure


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
