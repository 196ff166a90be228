"""Tests of skimgproc.demo: the chapter's figures and key numbers, checked
against scipy.ndimage run directly."""

import os
import subprocess
import sys

import numpy as np
import pytest
from scipy import ndimage as ndi

from skimgproc import read_image
from skimgproc.demo import run_demo

DEMO_FILES = ["blur_gray.png", "blur_color.png", "sobel.png",
              "gaussian_derivatives.png", "counting.png", "rof_squares.png",
              "rof_photo.png"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The main job, run as a user would, with only the runtime dependencies:
    the optional accelerators (OpenCV, numba) are made unimportable."""
    outdir = tmp_path_factory.mktemp("demo") / "figures"
    code = (
        "import sys; sys.modules['cv2'] = None; sys.modules['numba'] = None; "
        "from skimgproc.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    result = subprocess.run([sys.executable, "-c", code, "demo", str(outdir)],
                            capture_output=True, text=True, timeout=300)
    assert result.stderr == ""
    return result.returncode, outdir, result.stdout


def test_demo_writes_labelled_panels(demo):
    status, outdir, stdout = demo
    assert status == 0
    assert sorted(os.listdir(outdir)) == sorted(DEMO_FILES)
    for name in DEMO_FILES:
        assert f"wrote {outdir / name}" in stdout
        figure = read_image(outdir / name, mode="RGB")
        assert figure.shape[0] > 200 and figure.shape[1] > 600
        heading = figure[:30]
        assert (heading < 80).any() and (heading == 255).mean() > 0.6  # text


def test_demo_key_numbers_are_right(demo):
    from skimgproc.datasets import make_houses, make_squares

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
