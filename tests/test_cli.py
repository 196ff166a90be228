"""Tests of the command line: results against scipy.ndimage run directly,
options against the estimators' own parameters, and one-line errors."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage as ndi

from skimgproc import GaussianBlur, GaussianGradient, SobelGradient, read_image
from skimgproc.cli import main

RNG = np.random.default_rng(0)
GRAY = RNG.integers(0, 256, size=(24, 32), dtype=np.uint8)
GRAY = ndi.gaussian_filter(GRAY, 1.5)  # some structure, still uint8
COLOUR = RNG.integers(0, 256, size=(24, 32, 3), dtype=np.uint8)


def save(path, array):
    Image.fromarray(array).save(path)
    return str(path)


def bytescale(values):
    """scipy.misc.bytescale, re-implemented: [min, max] to 0..255."""
    low, high = values.min(), values.max()
    return np.floor((values - low) * 255.0 / (high - low) + 0.5).astype(np.uint8)


def run(argv, capsys):
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_line_error(status, err, *fragments):
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


# -- results ------------------------------------------------------------------


def test_blur_matches_scipy(tmp_path, capsys):
    src = save(tmp_path / "in.png", GRAY)
    out = tmp_path / "out.png"
    status, stdout, _ = run(["blur", src, "-o", str(out), "--sigma", "2"], capsys)
    assert status == 0 and "wrote 1 image" in stdout
    expected = np.clip(np.rint(ndi.gaussian_filter(GRAY.astype(float), 2)), 0, 255)
    np.testing.assert_array_equal(read_image(out), expected)


def test_blur_colour_per_channel_and_tuple_sigma(tmp_path, capsys):
    src = save(tmp_path / "in.png", COLOUR)
    out = tmp_path / "out.png"
    status, _, _ = run(["blur", src, "-o", str(out), "--color", "--sigma", "1,3",
                        "--mode", "nearest"], capsys)
    assert status == 0
    result = read_image(out, mode="RGB")
    for c in range(3):
        expected = ndi.gaussian_filter(COLOUR[..., c].astype(float), (1, 3),
                                       mode="nearest")
        np.testing.assert_array_equal(result[..., c], np.rint(expected))


def test_gradient_sobel_magnitude_matches_scipy(tmp_path, capsys):
    src = save(tmp_path / "in.png", GRAY)
    out = tmp_path / "mag.png"
    assert run(["gradient", src, "-o", str(out)], capsys)[0] == 0
    image = GRAY.astype(float)
    magnitude = np.hypot(ndi.sobel(image, axis=1), ndi.sobel(image, axis=0))
    diff = read_image(out).astype(int) - bytescale(magnitude)
    assert np.abs(diff).max() <= 1  # a float rounding may flip a .5


def test_gradient_gaussian_x_without_rescale_to_float_tiff(tmp_path, capsys):
    src = save(tmp_path / "in.png", GRAY)
    out = tmp_path / "dx.tif"
    argv = ["gradient", src, "-o", str(out), "--method", "gaussian", "--sigma", "3",
            "--output", "x", "--rescale", "none"]
    assert run(argv, capsys)[0] == 0
    expected = ndi.gaussian_filter(GRAY.astype(float), 3, order=(0, 1))
    np.testing.assert_allclose(read_image(out), expected, rtol=1e-5, atol=1e-4)


def test_many_files_to_a_folder_with_progress(tmp_path, capsys):
    sources = [save(tmp_path / f"im{i}.png", np.roll(GRAY, i)) for i in range(3)]
    out = tmp_path / "blurred"
    status, stdout, err = run(["blur", *sources, "-o", str(out)], capsys)
    assert status == 0
    assert sorted(os.listdir(out)) == ["im0.png", "im1.png", "im2.png"]
    assert [line.split()[0] for line in err.splitlines()] == ["[1/3]", "[2/3]", "[3/3]"]
    assert "wrote 3 images" in stdout
    expected = np.rint(ndi.gaussian_filter(np.roll(GRAY, 2).astype(float), 1.0))
    np.testing.assert_array_equal(read_image(out / "im2.png"), expected)
    status, stdout, err = run(["blur", *sources, "-o", str(out), "-q"], capsys)
    assert status == 0 and stdout == "" and err == ""


# -- options come from the estimators -----------------------------------------


@pytest.mark.parametrize(
    "command, classes",
    [("blur", [GaussianBlur]), ("gradient", [SobelGradient, GaussianGradient])],
)
def test_options_are_the_estimators_parameters(command, classes, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for cls in classes:
        for name, default in cls().get_params().items():
            if name in ("channel_axis", "image_shape"):
                continue
            assert f"--{name}" in help_text
            assert f"default: {default!r}" in help_text


def test_defaults_are_the_estimators_defaults(tmp_path, capsys, monkeypatch):
    built = []
    original = GaussianBlur.fit

    def spy(self, X, y=None):
        built.append(self.get_params())
        return original(self, X, y)

    monkeypatch.setattr(GaussianBlur, "fit", spy)
    src = save(tmp_path / "in.png", GRAY)
    assert run(["blur", src, "-o", str(tmp_path / "o.png")], capsys)[0] == 0
    assert built and built[-1] == GaussianBlur().get_params()
    run(["blur", src, "-o", str(tmp_path / "o.png"), "--truncate", "2",
         "--n-jobs", "1"], capsys)
    assert built[-1] == GaussianBlur(truncate=2, n_jobs=1).get_params()


# -- bad input: exit 2 and one line -------------------------------------------


def test_bad_parameter_value(tmp_path, capsys):
    src = save(tmp_path / "in.png", GRAY)
    out = tmp_path / "out.png"
    status, _, err = run(["blur", src, "-o", str(out), "--sigma", "-1"], capsys)
    assert_one_line_error(status, err, "skimgproc blur: error:",
                          "'sigma' parameter of GaussianBlur")
    assert not out.exists()


def test_parameter_of_another_method(tmp_path, capsys):
    src = save(tmp_path / "in.png", GRAY)
    status, _, err = run(["gradient", src, "-o", str(tmp_path / "o.png"),
                          "--sigma", "2"], capsys)
    assert_one_line_error(status, err, "SobelGradient has no parameter --sigma")


def test_missing_and_broken_inputs(tmp_path, capsys):
    status, _, err = run(["blur", str(tmp_path / "nope.png"), "-o",
                          str(tmp_path / "o.png")], capsys)
    assert_one_line_error(status, err, "nope.png", "no such file")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30)
    status, _, err = run(["blur", str(broken), "-o", str(tmp_path / "o.png")], capsys)
    assert_one_line_error(status, err, "broken.png")
    status, _, err = run(["blur", str(tmp_path), "-o", str(tmp_path / "o.png")],
                         capsys)
    assert_one_line_error(status, err, "is a directory")


def test_refuses_to_overwrite_its_input(tmp_path, capsys):
    src = save(tmp_path / "in.png", GRAY)
    before = (tmp_path / "in.png").read_bytes()
    status, _, err = run(["blur", src, "-o", src], capsys)
    assert_one_line_error(status, err, "refusing to overwrite the input")
    status, _, err = run(["blur", src, "-o", str(tmp_path)], capsys)  # same folder
    assert_one_line_error(status, err, "refusing to overwrite the input")
    assert (tmp_path / "in.png").read_bytes() == before


def test_refuses_two_inputs_to_one_output(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = save(tmp_path / "a" / "x.png", GRAY)
    two = save(tmp_path / "b" / "x.png", GRAY)
    status, _, err = run(["blur", one, two, "-o", str(tmp_path / "out")], capsys)
    assert_one_line_error(status, err, "would both be written to")
    status, _, err = run(["blur", one, two, "-o", one], capsys)
    assert_one_line_error(status, err, "is a file")


def test_usage_errors_are_one_line(capsys):
    for argv in (["blur"], ["blur", "a.png"], ["nonsense"], ["gradient", "a.png",
                                                               "-o", "b.png",
                                                               "--method", "canny"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        assert_one_line_error(2, capsys.readouterr().err, "error:")


def test_unwritable_output_format(tmp_path, capsys):
    src = save(tmp_path / "in.png", GRAY)
    status, _, err = run(["blur", src, "-o", str(tmp_path / "out.xyz")], capsys)
    assert_one_line_error(status, err, "unknown image file extension")


def test_python_dash_m_and_console_script(tmp_path):
    src = save(tmp_path / "in.png", GRAY)
    result = subprocess.run(
        [sys.executable, "-m", "skimgproc", "blur", src, "-o",
         str(tmp_path / "o.png"), "--sigma", "nan"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "'sigma' parameter" in result.stderr
    script = shutil.which("skimgproc")
    if script is None:
        pytest.skip("console script not installed (pip install -e .)")
    result = subprocess.run([script, "--version"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and result.stdout.startswith("skimgproc ")


# -- count --------------------------------------------------------------------


def chapter_count(image, opening=True):
    """The chapter's recipe with scipy.ndimage directly."""
    objects = 1 * (image < 128)
    if opening:
        objects = ndi.binary_opening(objects, np.ones((9, 5)), iterations=2)
    return ndi.label(objects)[1]


@pytest.fixture
def house_files(tmp_path):
    from skimgproc.datasets import make_houses

    paths, images = [], []
    for seed, bridges in ((0, 3), (1, 6), (2, 0)):
        image, _ = make_houses(30, bridges, seed=seed)
        images.append(image)
        paths.append(save(tmp_path / f"houses{seed}.png", image))
    return paths, images


def test_count_prints_the_chapters_counts(house_files, capsys):
    paths, images = house_files
    status, stdout, _ = run(["count", *paths], capsys)
    assert status == 0
    expected = [f"{p}: {chapter_count(im)} objects" for p, im in
                zip(paths, images, strict=True)]
    assert stdout.splitlines() == expected
    status, stdout, _ = run(["count", *paths, "--operation", "none"], capsys)
    counts = [int(line.split()[-2]) for line in stdout.splitlines()]
    assert counts == [chapter_count(im, opening=False) for im in images]
    assert counts == [27, 24, 30]  # make_houses: 30 houses minus the bridges


def test_count_csv_file_and_stdout(house_files, tmp_path, capsys):
    import csv

    paths, images = house_files
    table = tmp_path / "counts.csv"
    argv = ["count", *paths, "--csv", str(table), "--features",
            "n_objects,max_area", "--structure", "9,5", "--iterations", "2"]
    status, stdout, err = run(argv, capsys)
    assert status == 0 and "wrote counts of 3 images" in stdout
    assert err.count("[") == 3  # progress
    with table.open(newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["file", "n_objects", "max_area"]
    for row, path, image in zip(rows[1:], paths, images, strict=True):
        opened = ndi.binary_opening(image < 128, np.ones((9, 5)), iterations=2)
        labels, n = ndi.label(opened)
        assert row == [path, str(n), str(int(np.bincount(labels.ravel())[1:].max()))]
    status, stdout, _ = run(["count", paths[0], "--csv", "-"], capsys)
    assert stdout.splitlines() == ["file,n_objects", f"{paths[0]},"
                                   f"{chapter_count(images[0])}"]


def test_count_bad_input(house_files, capsys):
    paths, _ = house_files
    status, _, err = run(["count", paths[0], "--structure", "9"], capsys)
    assert_one_line_error(status, err, "'structure' parameter of BinaryOpeningCounter")
    status, _, err = run(["count", paths[0], "--csv", paths[0]], capsys)
    assert_one_line_error(status, err, "refusing to overwrite the input")
    status, _, err = run(["count", paths[0], "--features", "n_holes"], capsys)
    assert_one_line_error(status, err, "'features' parameter")


# -- denoise ------------------------------------------------------------------


def tv_energy(u, f, weight):
    """The ROF energy 0.5 * ||u - f||^2 + weight * TV(u), forward differences,
    nothing across the border (written out here, independently)."""
    dx = np.zeros_like(u)
    dy = np.zeros_like(u)
    dx[:, :-1] = u[:, 1:] - u[:, :-1]
    dy[:-1] = u[1:] - u[:-1]
    return 0.5 * np.sum((u - f) ** 2) + weight * np.sum(np.sqrt(dx**2 + dy**2))


def test_denoise_minimises_the_rof_energy(tmp_path, capsys):
    from skimgproc.datasets import make_squares

    noisy, clean = make_squares(size=100, seed=3)
    # Squares of 50, 127 and 203 with noise of 18: 8-bit without clipping.
    noisy, clean = 50 + 0.6 * noisy, 50 + 0.6 * clean
    noisy8 = np.clip(np.rint(noisy), 0, 255).astype(np.uint8)
    src = save(tmp_path / "noisy.png", noisy8)
    out = tmp_path / "denoised.png"
    status, stdout, _ = run(["denoise", src, "-o", str(out), "--tv_weight", "60"],
                            capsys)
    assert status == 0 and "ROFDenoiser" in stdout
    result = read_image(out).astype(float)
    f = noisy8.astype(float)

    def psnr(image):
        return 10 * np.log10(255**2 / np.mean((image - clean) ** 2))

    assert psnr(result) > psnr(f) + 10  # about 23 dB to 36 dB
    assert abs(result.mean() - f.mean()) < 0.5  # ROF keeps the mean
    # The minimiser beats every other candidate on its own energy.
    candidates = [f] + [ndi.gaussian_filter(f, s) for s in (1, 2, 4)]
    energy = tv_energy(result, f, 60)
    assert all(energy < tv_energy(c, f, 60) for c in candidates)


def test_denoise_texture_and_colour(tmp_path, capsys):
    src = save(tmp_path / "c.png", COLOUR)
    out = tmp_path / "texture.png"
    argv = ["denoise", src, "-o", str(out), "--color", "--output", "texture",
            "--tv-weight", "20"]
    assert run(argv, capsys)[0] == 0
    texture = read_image(out, mode="RGB")
    assert texture.shape == COLOUR.shape
    assert texture.min() == 0 and texture.max() == 255  # min-max scaled
    status, _, err = run(["denoise", src, "-o", str(out), "--tv_weight", "0"],
                         capsys)
    assert_one_line_error(status, err, "'tv_weight' parameter of ROFDenoiser")
    status, _, err = run(["denoise", src, "-o", str(out), "--method", "newton"],
                         capsys)
    assert_one_line_error(status, err, "'method' parameter of ROFDenoiser")


def test_estimator_warnings_are_one_line_each(tmp_path, capsys):
    src = save(tmp_path / "in.png", GRAY)
    status, _, err = run(["denoise", src, "-o", str(tmp_path / "o.png"),
                          "--max_num_iter", "2", "--tv_weight", "50"], capsys)
    assert status == 0 and (tmp_path / "o.png").exists()
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"skimgproc denoise: warning: {src}: ")
    assert "max_num_iter=2" in lines[0]


# -- the demo (its figures and numbers: tests/test_demo.py) ---------------------


def test_demo_command_runs_the_demo(tmp_path, capsys, monkeypatch):
    import skimgproc.cli
    import skimgproc.demo

    assert skimgproc.cli.run_demo is skimgproc.demo.run_demo  # as before the move
    calls = []
    monkeypatch.setattr(skimgproc.cli, "run_demo",
                        lambda outdir, quiet: calls.append((outdir, quiet)))
    assert run(["demo", str(tmp_path / "figures"), "-q"], capsys)[0] == 0
    assert calls == [(str(tmp_path / "figures"), True)]


def test_demo_refuses_a_file_as_outdir(tmp_path, capsys):
    target = tmp_path / "file.png"
    target.write_bytes(b"x")
    status, _, err = run(["demo", str(target)], capsys)
    assert_one_line_error(status, err, "is a file")


def test_blur_with_a_huge_sigma_gives_the_images_mean(tmp_path, capsys):
    # sigma 240,000 had not finished after 45 s: the kernel is folded to the
    # image's length, and under reflect the blur converges to the mean.
    src = save(tmp_path / "in.png", GRAY)
    out = tmp_path / "out.png"
    status, stdout, _ = run(["blur", src, "-o", str(out), "--sigma", "240000",
                             "--rescale", "clip"], capsys)
    assert status == 0 and "wrote 1 image" in stdout
    np.testing.assert_array_equal(read_image(out), np.rint(GRAY.mean()))
