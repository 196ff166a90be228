"""Tests of skimgproc.plotting: labelled figures and coloured labels."""

import numpy as np
import pytest

from skimgproc import read_image, write_image
from skimgproc.plotting import colorize_labels, write_panels

RNG = np.random.default_rng(0)
RGB = RNG.integers(0, 256, size=(20, 30, 3), dtype=np.uint8)


def test_write_panels_draws_titled_tiles(tmp_path):
    path = tmp_path / "fig.png"
    ramp = np.tile(np.linspace(-1, 1, 50), (25, 1))
    write_panels(path, [("left", ramp), ("right", RGB)], width=100, title="Figure")
    figure = read_image(path, mode="RGB")
    assert figure.shape[1] == 2 * (100 + 8) + 8
    # The ramp tile spans black to white, the titles put dark pixels on white.
    assert figure.min() == 0 and figure.max() == 255
    top = figure[:20]
    assert (top < 100).any() and (top == 255).mean() > 0.5
    with pytest.raises(ValueError, match="panels"):
        write_panels(path, [])
    with pytest.raises(ValueError, match="panel"):
        write_panels(path, [("x", np.zeros((3, 3, 2)))])


def test_colorize_labels():
    labels = np.array([[0, 1, 1], [2, 0, 3]])
    rgb = colorize_labels(labels)
    assert rgb.dtype == np.uint8 and rgb.shape == (2, 3, 3)
    assert (rgb[labels == 0] == 0).all()
    assert (rgb[labels > 0] >= 60).all()
    np.testing.assert_array_equal(rgb[0, 1], rgb[0, 2])
    with pytest.raises(ValueError, match="non-negative integer labels"):
        colorize_labels(np.array([[0.5]]))


def test_write_panels_shows_images_as_write_image_minmax_would(tmp_path):
    # One tile at its own width: no resampling, so the pixels are comparable.
    values = np.linspace(-3.0, 5.0, 16 * 16).reshape(16, 16)
    bits = np.eye(16, dtype=bool)
    for image in (values, bits):
        figure_path, alone = tmp_path / "fig.png", tmp_path / "alone.png"
        write_panels(figure_path, [("", image)], width=16)
        write_image(alone, image)
        figure = read_image(figure_path)
        tile = figure[-8 - 16:-8, 8:24]
        np.testing.assert_array_equal(tile, read_image(alone))


def test_write_panels_bad_sizes(tmp_path):
    with pytest.raises(ValueError, match="'width' parameter of write_panels"):
        write_panels(tmp_path / "f.png", [("x", RGB)], width=8)
    with pytest.raises(ValueError, match="'ncols' parameter of write_panels"):
        write_panels(tmp_path / "f.png", [("x", RGB)], ncols=0)
    assert list(tmp_path.iterdir()) == []


def test_figures_still_import_from_io():
    # They lived in skimgproc.io before skimgproc.plotting.
    import skimgproc.io

    assert skimgproc.io.write_panels is write_panels
    assert skimgproc.io.colorize_labels is colorize_labels
    with pytest.raises(AttributeError, match="no attribute 'draw'"):
        skimgproc.io.draw  # noqa: B018
