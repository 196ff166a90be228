"""Tests of skimgproc.demo: the chapter's figures (what they show, on which
colour scales) and key numbers, checked against scipy.ndimage run directly."""

import os
import subprocess
import sys

import matplotlib
import numpy as np
import pytest
from PIL import Image
from scipy import ndimage as ndi

from skimgproc import demo as demo_module
from skimgproc.datasets import load_photo, make_squares
from skimgproc.demo import run_demo

matplotlib.use("Agg")

DEMO_FILES = ["blur_gray.png", "blur_color.png", "sobel.png",
              "gaussian_derivatives.png", "counting.png", "rof_squares.png",
              "rof_photo.png"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The main job, run as a user would, with the runtime dependencies and
    matplotlib (the plot extra) only: the optional accelerators (OpenCV,
    numba) are made unimportable."""
    outdir = tmp_path_factory.mktemp("demo") / "figures"
    code = (
        "import sys; sys.modules['cv2'] = None; sys.modules['numba'] = None; "
        "from skimgproc.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    result = subprocess.run([sys.executable, "-c", code, "demo", str(outdir)],
                            capture_output=True, text=True, timeout=300)
    # On a fresh machine matplotlib says once that it builds its font cache.
    errors = [line for line in result.stderr.splitlines()
              if not line.startswith("Matplotlib is building the font cache")]
    assert errors == []
    return result.returncode, outdir, result.stdout


def test_demo_writes_its_figures(demo):
    status, outdir, stdout = demo
    assert status == 0
    assert sorted(os.listdir(outdir)) == sorted(DEMO_FILES)
    for name in DEMO_FILES:
        assert f"wrote {outdir / name}" in stdout
        with Image.open(outdir / name) as png:
            assert png.format == "PNG"
            assert png.width >= 800 and png.height >= 300
            figure = np.asarray(png.convert("RGB"))
        assert figure.std() > 20  # drawn, not a blank canvas


def test_demo_without_matplotlib_names_the_extra(tmp_path):
    outdir = tmp_path / "figures"
    code = ("import sys; sys.modules['matplotlib'] = None; "
            "from skimgproc.cli import main; sys.exit(main(sys.argv[1:]))")
    result = subprocess.run([sys.executable, "-c", code, "demo", str(outdir)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("skimgproc demo: error: ")
    assert 'pip install "skimgproc[plot]"' in line
    assert not outdir.exists()  # stopped before any work


def _panels(figure, n):
    """The first ``n`` axes (the panels; colour bars come after them)."""
    axes = figure.axes[:n]
    assert figure.get_suptitle()
    assert not any(ax.axison for ax in axes)
    assert all(ax.get_title() for ax in axes if ax.images)
    return axes


def _norm(ax):
    (image,) = ax.images
    return image.norm


def _bars(figure):
    return [image.colorbar for ax in figure.axes for image in ax.images
            if image.colorbar]


def test_gaussian_derivatives_share_one_scale_across_sigmas(tmp_path):
    gray = load_photo("china")
    figures, numbers = demo_module._derivatives(tmp_path, gray)
    figure = figures["gaussian_derivatives.png"]
    axes = _panels(figure, 9)
    signed = [_norm(ax) for i, ax in enumerate(axes) if i % 3 != 2]
    magnitude = [_norm(ax) for ax in axes[2::3]]
    assert all(norm is signed[0] for norm in signed)
    assert signed[0].vmin == -signed[0].vmax
    assert all(norm is magnitude[0] for norm in magnitude)
    # The maxima fall with the scale, against scipy.ndimage directly.
    image = gray.astype(np.float64)
    peaks = [ndi.gaussian_gradient_magnitude(image, s).max() for s in (2, 5, 10)]
    assert magnitude[0].vmax == pytest.approx(max(peaks), rel=1e-6)
    assert [round(p, 1) for p in peaks] == [37.5, 15.1, 6.6]
    assert [ax.texts[0].get_text() for ax in axes[2::3]] == [
        f"max {p:.1f}" for p in peaks]
    assert numbers[1] == ("Gaussian gradient magnitude, max: 37.5 at sigma=2, "
                          "15.1 at sigma=5, 6.6 at sigma=10")
    assert len(_bars(figure)) == 2
    sobel = figures["sobel.png"]
    x, y = (_norm(ax) for ax in _panels(sobel, 4)[1:3])
    assert x is y and x.vmax == pytest.approx(
        max(np.abs(ndi.sobel(image, axis=a)).max() for a in (0, 1)))


def test_counting_figure_writes_the_counts_on_the_panels(tmp_path):
    figures, _ = demo_module._counting(tmp_path)
    figure = figures["counting.png"]
    houses, labels, opened, after = _panels(figure, 4)
    assert "45 objects" in labels.get_title() and "48" in after.get_title()
    assert labels.texts[0].get_text().startswith("45 objects")
    assert after.texts[0].get_text() == "48 objects"
    # The three pairs of houses joined by a bridge are boxed, on both.
    assert len(labels.patches) == len(after.patches) == 48 - 45
    assert _bars(figure) == []  # nothing on these panels compares values
    # Each binary image on a scale of its own: white and black both shown.
    for ax in (houses, opened):
        values = ax.images[0].get_array()
        assert (_norm(ax).vmin, _norm(ax).vmax) == (values.min(), values.max())
    assert _norm(houses) is not _norm(opened)


def test_rof_figure_has_the_crops_and_the_residuals(tmp_path):
    figures, _ = demo_module._rof_squares(tmp_path)
    figure = figures["rof_squares.png"]
    axes = _panels(figure, 15)
    full, crops, residuals = axes[:5], axes[5:10], axes[10:]
    noisy, clean = make_squares()
    row, col, height, width = demo_module._SQUARES_CROP
    gray = _norm(full[0])
    assert (gray.vmin, gray.vmax) == (0.0, 255.0)
    for whole, crop in zip(full, crops, strict=True):
        assert _norm(whole) is gray and _norm(crop) is gray
        (box,) = whole.patches
        assert (box.get_x(), box.get_y()) == (col - 0.5, row - 0.5)
        np.testing.assert_array_equal(
            crop.images[0].get_array(),
            whole.images[0].get_array()[row:row + height, col:col + width])
        assert crop.get_title() == "zoom (x3)"
    np.testing.assert_array_equal(full[0].images[0].get_array(), clean)
    np.testing.assert_array_equal(full[1].images[0].get_array(), noisy)
    assert len(residuals[1].images) == 0
    shown = [ax for ax in residuals if ax.images]
    assert all(_norm(ax) is _norm(shown[0]) for ax in shown)
    assert shown[-1].get_title() == "texture: noisy - ROF"
    assert [ax.get_title() for ax in shown[1:3]] == ["noisy - Gaussian"] * 2
    np.testing.assert_allclose(shown[0].images[0].get_array(), noisy - clean)
    rof = full[4].images[0].get_array()
    np.testing.assert_allclose(shown[-1].images[0].get_array(), noisy - rof)
    assert len(_bars(figure)) == 2
    with Image.open(tmp_path / "rof_squares.png") as png:
        assert png.size == tuple(
            np.rint(figure.get_size_inches() * figure.dpi).astype(int))


def test_demo_key_numbers_are_right(demo):
    from skimgproc.datasets import make_houses

    _, _, stdout = demo
    image, true_count = make_houses(seed=0)
    before = ndi.label(image < 128)[1]
    opened = ndi.binary_opening(image < 128, np.ones((9, 5)), iterations=2)
    after = ndi.label(opened)[1]
    assert (before, after, true_count) == (45, 48, 48)
    assert (f"object count: {before} before opening, {after} after (true count "
            f"{true_count})") in stdout
    noisy, clean = make_squares()
    noisy_psnr = 10 * np.log10(255**2 / np.mean((noisy - clean) ** 2))
    blur_psnr = 10 * np.log10(
        255**2 / np.mean((ndi.gaussian_filter(noisy, 10) - clean) ** 2))
    line = next(text for text in stdout.splitlines()
                if text.startswith("synthetic squares"))
    assert f"noisy {noisy_psnr:.2f} dB" in line
    assert f"Gaussian sigma=10 (the chapter's) {blur_psnr:.2f} dB" in line
    rof = float(line.split("ROF tv_weight=100 ")[1].split(" dB")[0])
    assert rof > blur_psnr + 10  # edges kept: far better than any blur here
    assert "demo done in" in stdout




def test_run_demo_refuses_a_file_as_outdir(tmp_path):
    target = tmp_path / "file.png"
    target.write_bytes(b"x")
    with pytest.raises(ValueError, match="is a file; the demo needs a folder"):
        run_demo(target)
    assert target.read_bytes() == b"x"
