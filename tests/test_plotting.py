"""Tests of skimgproc.plotting: figures on shared colour scales, coloured labels."""

import subprocess
import sys
import warnings

import matplotlib
import numpy as np
import pytest
from PIL import Image

matplotlib.use("Agg")  # before pyplot: no window, whatever the machine

import matplotlib.pyplot as plt  # noqa: E402

from skimgproc.plotting import (  # noqa: E402
    ColorScale,
    Panel,
    colorize_labels,
    plot_panels,
    write_panels,
)

RNG = np.random.default_rng(0)
RGB = RNG.integers(0, 256, size=(20, 30, 3), dtype=np.uint8)
RAMP = np.tile(np.linspace(-1.0, 3.0, 60), (30, 1))


def _images(figure):
    """The panel axes' images, in reading order."""
    return [image for ax in figure.axes for image in ax.images]


def _colorbars(figure):
    return [image.colorbar for image in _images(figure) if image.colorbar]


def test_write_panels_saves_a_png_of_the_figure_size(tmp_path):
    path = tmp_path / "fig.png"
    figure = write_panels(path, [("left", RAMP), ("right", RGB)], width=200,
                          title="Figure")
    with Image.open(path) as png:
        assert png.format == "PNG"
        size = png.size
    expected = tuple(np.rint(figure.get_size_inches() * figure.dpi).astype(int))
    assert size == expected
    # The documented size: two panels of 200 px and one colour bar (RGB
    # images have none) of 90 px; the row as high as its tallest image (20 x
    # 30 at 200 px across), its title and the heading.
    assert size == (2 * 200 + 90 + 10, 133 + 34 + 44 + 10)
    assert plt.get_fignums() == []  # nothing left open in pyplot


def test_panels_without_a_scale_share_the_figures_one(tmp_path):
    half = RAMP / 2
    figure = write_panels(tmp_path / "f.png", [("ramp", RAMP), ("half", half)])
    first, second = _images(figure)
    assert first.norm is second.norm
    assert (first.norm.vmin, first.norm.vmax) == (min(RAMP.min(), half.min()),
                                                  max(RAMP.max(), half.max()))
    (bar,) = _colorbars(figure)
    assert (bar.norm.vmin, bar.norm.vmax) == (-1.0, 3.0)


def test_scales_are_shared_by_identity_with_their_limits(tmp_path):
    signed = ColorScale(cmap="RdBu_r", symmetric=True, label="slope")
    fixed = ColorScale(limits=(0, 255), label="gray level")
    figure = write_panels(
        tmp_path / "f.png",
        [Panel(RAMP, "a", signed), Panel(-2 * RAMP, "b", signed),
         Panel(RAMP, "c", fixed), Panel(RAMP, "d", ColorScale(colorbar=False)),
         Panel(RAMP, "e", ColorScale(colorbar=False))],
        ncols=3,
    )
    a, b, c, d, e = _images(figure)
    assert a.norm is b.norm and (a.norm.vmin, a.norm.vmax) == (-6.0, 6.0)
    assert a.get_cmap().name == b.get_cmap().name == "RdBu_r"
    assert (c.norm.vmin, c.norm.vmax) == (0.0, 255.0)
    # Equal scales that are different objects never merge.
    assert d.norm is not e.norm
    assert sorted(bar.ax.get_ylabel() for bar in _colorbars(figure)) == [
        "gray level", "slope"]


def test_shared_scale_maps_values_to_the_same_gray_in_the_file(tmp_path):
    # Two constant images on one gray scale: the lower is black, the higher
    # white; each on its own scale of fixed limits, both mid-gray.
    path = tmp_path / "f.png"
    low, high = np.full((40, 40), 10.0), np.full((40, 40), 20.0)

    def centres(figure):
        with Image.open(path) as png:
            pixels = np.asarray(png.convert("L"))
        out = []
        for ax in figure.axes[:2]:
            box = ax.get_window_extent()
            x, y = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
            out.append(int(pixels[pixels.shape[0] - round(y), round(x)]))
        return out

    assert centres(write_panels(path, [("low", low), ("high", high)])) == [0, 255]
    mid = [Panel(low, "low", ColorScale(limits=(0, 20))),
           Panel(high, "high", ColorScale(limits=(10, 30)))]
    assert [abs(v - 128) <= 1 for v in centres(write_panels(path, mid))] == [True] * 2


def test_titles_text_boxes_and_axes_off(tmp_path):
    figure = write_panels(
        tmp_path / "f.png",
        [Panel(RAMP, "counted", text="45 objects", boxes=[(2, 3, 10, 20)]),
         ("colour", RGB), None],
        title="The heading",
    )
    assert figure.get_suptitle() == "The heading"
    panels = figure.axes[:3]
    assert [ax.get_title() for ax in panels] == ["counted", "colour", ""]
    assert not any(ax.axison for ax in panels)
    assert [t.get_text() for t in panels[0].texts] == ["45 objects"]
    (box,) = panels[0].patches
    assert (box.get_x(), box.get_y(), box.get_width(), box.get_height()) == (
        2.5, 1.5, 20, 10)
    assert len(panels[2].images) == 0  # None leaves the cell empty
    # A colour image is drawn as it is.
    np.testing.assert_array_equal(panels[1].images[0].get_array(), RGB)


def test_colour_images_other_than_uint8_are_clipped_to_0_255(tmp_path):
    values = np.stack([np.full((8, 8), v) for v in (-5.0, 100.4, 300.0)], axis=-1)
    figure = write_panels(tmp_path / "f.png", [("c", values)])
    shown = figure.axes[0].images[0].get_array()
    assert shown.dtype == np.uint8
    assert shown[0, 0].tolist() == [0, 100, 255]


def test_plot_panels_is_a_pyplot_figure():
    figure = plot_panels([("a", RAMP), ("b", RAMP)], title="shown")
    try:
        assert figure.number in plt.get_fignums()
        a, b = _images(figure)
        assert a.norm is b.norm and len(_colorbars(figure)) == 1
    finally:
        plt.close(figure)


def test_bad_figures_are_refused_and_nothing_is_written(tmp_path):
    path = tmp_path / "f.png"
    with pytest.raises(ValueError, match="'panels' argument of write_panels"):
        write_panels(path, [])
    with pytest.raises(ValueError, match="'panels' argument of write_panels"):
        write_panels(path, [None])
    with pytest.raises(ValueError, match="item 1 is 'x'"):
        write_panels(path, [("a", RAMP), "x"])
    with pytest.raises(ValueError, match="panel 0 has shape \\(3, 3, 2\\)"):
        write_panels(path, [("x", np.zeros((3, 3, 2)))])
    with pytest.raises(ValueError, match="NaN"):
        write_panels(path, [("x", np.full((3, 3), np.nan))])
    with pytest.raises(ValueError, match="'width' parameter of write_panels"):
        write_panels(path, [("x", RGB)], width=8)
    with pytest.raises(ValueError, match="'ncols' parameter of write_panels"):
        write_panels(path, [("x", RGB)], ncols=0)
    with pytest.raises(ValueError, match="'scale' parameter of write_panels"):
        write_panels(path, [("x", RAMP)], scale="gray")
    with pytest.raises(ValueError, match="scale of panel 0"):
        write_panels(path, [Panel(RAMP, scale="gray")])
    with pytest.raises(ValueError, match="'limits' parameter of ColorScale"):
        write_panels(path, [Panel(RAMP, scale=ColorScale(limits=(1, 1)))])
    assert list(tmp_path.iterdir()) == []


def test_colorize_labels():
    labels = np.array([[0, 1, 1], [2, 0, 3]])
    rgb = colorize_labels(labels)
    assert rgb.dtype == np.uint8 and rgb.shape == (2, 3, 3)
    assert (rgb[labels == 0] == 0).all()
    assert (rgb[labels > 0] >= 60).all()
    np.testing.assert_array_equal(rgb[0, 1], rgb[0, 2])
    with pytest.raises(ValueError, match="non-negative integer labels"):
        colorize_labels(np.array([[0.5]]))


def test_old_import_path_warns_at_the_callers_line():
    # They lived in skimgproc.io before skimgproc.plotting.
    import skimgproc.io

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        moved = skimgproc.io.write_panels
    assert moved is write_panels
    (warning,) = caught
    assert warning.category is FutureWarning and warning.filename == __file__
    assert "import it from skimgproc.plotting" in str(warning.message)
    with pytest.warns(FutureWarning, match="colorize_labels"):
        assert skimgproc.io.colorize_labels is colorize_labels
    with pytest.raises(AttributeError, match="no attribute 'draw'"):
        skimgproc.io.draw  # noqa: B018


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, timeout=120)


def test_import_skimgproc_never_loads_matplotlib():
    result = _run("import sys, skimgproc, skimgproc.plotting, skimgproc.demo, "
                  "skimgproc.cli; print('matplotlib' in sys.modules)")
    assert (result.returncode, result.stdout.strip()) == (0, "False")


def test_without_matplotlib_the_error_names_the_extra(tmp_path):
    result = _run(
        "import sys; sys.modules['matplotlib'] = None\n"
        "from skimgproc.plotting import write_panels\n"
        "try:\n"
        f"    write_panels({str(tmp_path / 'f.png')!r}, [('a', [[0, 1]])])\n"
        "except ModuleNotFoundError as exc:\n"
        "    print(exc.name, exc)\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("matplotlib ")
    assert 'pip install "skimgproc[plot]"' in result.stdout
    assert list(tmp_path.iterdir()) == []
