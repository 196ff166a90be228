"""Progress reports (verbose): where they go, what they say, what they cost."""

import io
import logging
import re
import sys
import threading
import types

import numpy as np
import pytest

import skimgproc
from skimgproc import (
    BinaryOpening,
    GaussianBlur,
    ROFDenoiser,
    SobelGradient,
    _progress,
    binary_opening,
    gaussian_blur,
    read_images,
    rof_denoise,
    sobel_gradient,
    write_image,
)
from skimgproc._executor import run_ranges
from skimgproc._progress import Progress, current, format_seconds, progress

LINE = re.compile(r"^(\w+): (\d+)/(\d+) (\w+) \((\d+)%\), ")


def noisy(n, size=12, seed=0):
    rng = np.random.default_rng(seed)
    clean = np.zeros((n, size, size))
    clean[:, 3:9, 3:9] = 50.0
    return clean + rng.normal(scale=5.0, size=clean.shape)


class Terminal(io.StringIO):
    def isatty(self):
        return True


# -- the parameter ------------------------------------------------------------------


@pytest.mark.parametrize("value", [-1, 1.5, "yes", None])
def test_verbose_refuses_what_is_not_a_count(value):
    expected = (r"The 'verbose' parameter of ROFDenoiser must be an int in the "
                r"range \[0, inf\) or a bool\. Got .* instead\.")
    with pytest.raises(ValueError, match=expected):
        ROFDenoiser(verbose=value).fit(noisy(1))
    with pytest.raises(ValueError, match="The 'verbose' parameter of rof_denoise"):
        rof_denoise(noisy(1), verbose=value)


def test_silent_by_default_and_no_report_is_open(capsys):
    seen = []
    rof_denoise(noisy(3), 10.0)
    ROFDenoiser(10.0).fit_transform(noisy(3))
    run_ranges(lambda a, b: seen.append(current()), 3, 8, n_jobs=1)
    assert capsys.readouterr().err == ""
    assert seen == [None]


def test_silent_call_keeps_its_chunks_verbose_cuts_more():
    calls = []
    run_ranges(lambda a, b: calls.append((a, b)), 100, 8, n_jobs=1)
    assert calls == [(0, 100)]  # 800 bytes: one chunk
    calls.clear()
    with progress(1, 100, "test"):
        run_ranges(lambda a, b: calls.append((a, b)), 100, 8, n_jobs=1)
    assert len(calls) >= _progress.MIN_CHUNKS
    assert sorted(calls)[0][0] == 0 and sum(b - a for a, b in calls) == 100


# -- what the reports say --------------------------------------------------------------


def test_rof_verbose_reports_every_chunk_then_the_total(capsys):
    images = noisy(40)
    expected, _ = rof_denoise(images, 10.0, n_jobs=1)
    denoised, _ = rof_denoise(images, 10.0, n_jobs=1, verbose=2)
    np.testing.assert_array_equal(denoised, expected)  # the work is the same
    lines = capsys.readouterr().err.splitlines()
    counts = [int(LINE.match(line).group(2)) for line in lines[:-1]]
    assert len(counts) >= _progress.MIN_CHUNKS
    assert counts == sorted(counts) and counts[-1] == 40
    assert all(LINE.match(line).group(1) == "rof_denoise" for line in lines[:-1])
    assert all("left" in line for line in lines[:-1])
    assert re.fullmatch(r"rof_denoise: 40 images in \d+\.\d s", lines[-1])


def test_estimator_reports_once_under_its_own_name(capsys):
    ROFDenoiser(10.0, n_jobs=2, verbose=2).fit_transform(noisy(30))
    lines = capsys.readouterr().err.splitlines()
    assert all(line.startswith("ROFDenoiser: ") for line in lines)
    assert sum(" in " in line and "%" not in line for line in lines) == 1
    assert LINE.match(lines[-2]).group(2) == "30"


def test_verbose_one_is_throttled(capsys):
    rof_denoise(noisy(40), 10.0, n_jobs=1, verbose=1)
    lines = capsys.readouterr().err.splitlines()
    # At most a line every 2 s, the last chunk's, then the summary.
    assert 2 <= len(lines) <= 4
    assert lines[-1].startswith("rof_denoise: 40 images in ")


def test_time_left_from_the_rate_so_far(monkeypatch):
    ticks = [100.0, 110.0]  # the start, then the advance
    monkeypatch.setattr(_progress.time, "perf_counter",
                        lambda: ticks.pop(0) if ticks else 110.0)
    report = Progress(100, "t", 2, stream=io.StringIO())
    report.advance(25)  # 25 done in 10 s: 75 more take 30 s
    assert report.time_left(110.0) == pytest.approx(30.0)


@pytest.mark.parametrize("seconds, text", [
    (0.04, "0.0 s"), (4.25, "4.2 s"), (59.94, "59.9 s"), (125, "2 min 05 s"),
    (3600 + 125, "1 h 02 min"),
])
def test_format_seconds(seconds, text):
    assert format_seconds(seconds) == text


def test_counts_from_many_threads_add_up():
    report = Progress(8000, "t", 1, stream=io.StringIO())
    threads = [threading.Thread(target=lambda: [report.advance(1)
                                                for _ in range(1000)])
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert report.done == 8000


def test_work_nested_in_a_chunk_is_not_counted_twice():
    with progress(2, 10, "t") as report:
        run_ranges(lambda a, b: run_ranges(lambda c, d: None, 5, 8, n_jobs=2),
                   10, 8, n_jobs=2)
        assert report.done == 10


def test_an_error_ends_the_report_without_a_summary(capsys):
    with pytest.raises(ValueError, match="boom"), progress(2, 4, "t"):
        raise ValueError("boom")
    assert capsys.readouterr().err == ""


# -- where they go ---------------------------------------------------------------------


def test_logging_takes_the_reports_when_it_shows_info(caplog, capsys):
    caplog.set_level(logging.INFO, logger="skimgproc")
    rof_denoise(noisy(20), 10.0, n_jobs=1, verbose=2)
    messages = [r.getMessage() for r in caplog.records if r.name == "skimgproc"]
    assert len(messages) >= 2 and messages[-1].startswith("rof_denoise: 20 images in")
    assert all(r.levelno == logging.INFO for r in caplog.records
               if r.name == "skimgproc")
    assert capsys.readouterr().err == ""


def test_a_terminal_gets_one_updating_line(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(_progress, "_tqdm_available", lambda: False)
    rof_denoise(noisy(20), 10.0, n_jobs=1, verbose=2)
    text = terminal.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    assert text.count("\r") >= _progress.MIN_CHUNKS
    last = text.rstrip("\n").split("\r")[-1].strip()
    assert re.fullmatch(r"rof_denoise: 20 images in \d+\.\d s", last)


def test_a_terminal_gets_a_tqdm_bar_when_installed(monkeypatch):
    bars = []

    class FakeBar:
        def __init__(self, total, desc, unit, file, leave):
            self.total, self.desc, self.n, self.closed = total, desc, 0, False
            bars.append(self)

        def update(self, n):
            self.n += n

        def close(self):
            self.closed = True

    monkeypatch.setitem(sys.modules, "tqdm", types.SimpleNamespace(tqdm=FakeBar))
    monkeypatch.setattr(_progress, "_tqdm_available", lambda: True)
    monkeypatch.setattr(sys, "stderr", Terminal())
    ROFDenoiser(10.0, n_jobs=1, verbose=1).fit_transform(noisy(20))
    (bar,) = bars
    assert (bar.desc, bar.total, bar.n, bar.closed) == ("ROFDenoiser", 20, 20, True)


def test_reader_reports_files(tmp_path, capsys):
    paths = [tmp_path / f"{i}.png" for i in range(5)]
    for i, path in enumerate(paths):
        write_image(path, np.full((4, 4), i, dtype=np.uint8))
    batch = read_images(paths, n_jobs=2, verbose=2)
    assert batch[:, 0, 0].tolist() == [0, 1, 2, 3, 4]
    lines = capsys.readouterr().err.splitlines()
    assert [LINE.match(line).group(2) for line in lines[:-1]] == list("12345")
    assert re.fullmatch(r"read_images: 5 files in \d+\.\d s", lines[-1])


# -- the command line ------------------------------------------------------------------


def _files(tmp_path, n):
    paths = []
    for i in range(n):
        paths.append(str(tmp_path / f"im{i}.png"))
        write_image(paths[-1], np.full((8, 8), 10 * i, dtype=np.uint8))
    return paths


def test_cli_plain_lines_with_the_time_left(tmp_path, capsys):
    from skimgproc.cli import main

    assert main(["blur", *_files(tmp_path, 3), "-o", str(tmp_path / "out")]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert [line.split()[0] for line in lines] == ["[1/3]", "[2/3]", "[3/3]"]
    assert re.fullmatch(r"\[1/3\] \S+im0\.png -> \S+im0\.png \(\d+\.\d s elapsed, "
                        r"about \d+\.\d s left\)", lines[0])


def test_cli_one_updating_line_on_a_terminal(tmp_path, monkeypatch, capsys):
    from skimgproc.cli import main

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(_progress, "_tqdm_available", lambda: False)
    assert main(["denoise", *_files(tmp_path, 4), "-o", str(tmp_path / "out"),
                 "--tv_weight", "5"]) == 0
    text = terminal.getvalue()
    assert text.count("\n") == 1 and text.count("\r") == 4
    assert text.rstrip().split("\r")[-1].startswith("[4/4] ")
    assert "wrote 4 images" in capsys.readouterr().out


@pytest.mark.parametrize("function, estimator", [
    (sobel_gradient, SobelGradient), (gaussian_blur, GaussianBlur),
    (binary_opening, BinaryOpening),
])
def test_other_operations_report_and_compute_the_same(function, estimator, capsys):
    images = (noisy(30, size=16) > 25).astype(float)
    np.testing.assert_array_equal(function(images, verbose=2, n_jobs=1),
                                  function(images, n_jobs=1))
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) >= _progress.MIN_CHUNKS
    assert lines[-1].startswith(f"{function.__name__}: 30 images in ")
    estimator(verbose=1).fit_transform(images)
    assert capsys.readouterr().err.splitlines()[-1].startswith(
        f"{estimator.__name__}: 30 images in ")


# -- feature extraction and counting ------------------------------------------------


def _blobs(n=30):
    # Dark squares on a bright background, a different number per image.
    images = np.full((n, 24, 24), 200.0)
    for k in range(n):
        for j in range(k % 3 + 1):
            images[k, 2 + 7 * j: 6 + 7 * j, 3:8] = 40.0
    return images


@pytest.mark.parametrize("function, estimator, kwargs", [
    (skimgproc.hog, skimgproc.HOGDescriptor, dict(pixels_per_cell=(4, 4))),
    (skimgproc.local_binary_pattern, None, {}),
    (skimgproc.lbp_histogram, skimgproc.LBPHistogram, dict(grid=(2, 2))),
    (skimgproc.image_statistics, skimgproc.ImageStatistics, dict(grid=(2, 2))),
    (skimgproc.object_features, skimgproc.ObjectFeatures, {}),
    (skimgproc.count_objects, skimgproc.BinaryOpeningCounter,
     dict(structure=(3, 3), iterations=1)),
], ids=lambda v: getattr(v, "__name__", ""))
def test_features_and_counts_report_and_compute_the_same(function, estimator,
                                                         kwargs, capsys):
    images = _blobs()
    silent = function(images, n_jobs=1, **kwargs)
    assert capsys.readouterr().err == ""
    np.testing.assert_array_equal(function(images, n_jobs=1, verbose=2, **kwargs),
                                  silent)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) >= _progress.MIN_CHUNKS
    assert LINE.match(lines[-2]).group(2) == "30"
    assert re.fullmatch(rf"{function.__name__}: 30 images in \d+\.\d s", lines[-1])
    if estimator is None:
        return
    estimator(**kwargs).fit_transform(images)
    assert capsys.readouterr().err == ""
    np.testing.assert_array_equal(
        estimator(verbose=1, **kwargs).fit_transform(images), silent.reshape(30, -1))
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].startswith(f"{estimator.__name__}: 30 images in ")
    assert all(line.startswith(f"{estimator.__name__}: ") for line in lines)


def test_object_counter_reports_its_predictions(capsys):
    images, counts = _blobs(), [k % 3 + 1 for k in range(30)]
    counter = skimgproc.ObjectCounter(structure=(3, 3), iterations=1)
    expected = counter.fit(images, counts).predict(images)
    assert capsys.readouterr().err == ""
    np.testing.assert_array_equal(expected, counts)  # the squares, one by one
    counter.set_params(verbose=2)
    np.testing.assert_array_equal(counter.predict(images), expected)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) >= _progress.MIN_CHUNKS
    assert all(line.startswith("ObjectCounter: ") for line in lines)
    assert lines[-1].startswith("ObjectCounter: 30 images in ")
