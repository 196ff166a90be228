"""``skimgproc features``: the CSV against the functions run on the images
read back, the kinds against the package's feature estimators, and
one-line errors."""

import csv

import numpy as np
import pytest
from PIL import Image

import skimgproc
from skimgproc import ImageStatistics, image_statistics, read_image
from skimgproc._cli_features import KIND_NAMES, feature_kinds
from skimgproc.cli import main

RNG = np.random.default_rng(0)
GRAY = RNG.integers(0, 256, size=(24, 32), dtype=np.uint8)
COLOUR = RNG.integers(0, 256, size=(24, 32, 3), dtype=np.uint8)


def save(path, array):
    Image.fromarray(array).save(path)
    return str(path)


def run(argv, capsys):
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def read_csv(text):
    rows = list(csv.reader(text.splitlines()))
    return rows[0], [row[0] for row in rows[1:]], np.array(
        [[float(v) for v in row[1:]] for row in rows[1:]])


def assert_one_line_error(status, err, *fragments):
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def gray_files(tmp_path):
    images = [GRAY, 255 - GRAY, np.roll(GRAY, 5, axis=1)]
    return [save(tmp_path / f"im{i}.png", im) for i, im in enumerate(images)]


def test_statistics_csv_equals_the_function(gray_files, tmp_path, capsys):
    table = tmp_path / "features.csv"
    argv = ["features", *gray_files, "--kind", "statistics", "--statistics",
            "mean,p90,std", "--grid", "2,3", "--csv", str(table)]
    status, stdout, err = run(argv, capsys)
    assert status == 0
    assert "ImageStatistics: wrote 18 features of 3 images" in stdout
    assert err.count("[") == 3  # progress
    header, files, values = read_csv(table.read_text())
    images = np.stack([read_image(p) for p in gray_files])
    expected = image_statistics(images, ("mean", "p90", "std"), grid=(2, 3))
    assert header == ["file", *ImageStatistics(("mean", "p90", "std"), grid=(2, 3))
                      .fit(images).get_feature_names_out()]
    assert files == gray_files
    np.testing.assert_allclose(values, expected, rtol=1e-12)


def test_default_kind_and_statistics_to_standard_output(gray_files, capsys):
    status, stdout, _ = run(["features", gray_files[0]], capsys)
    assert status == 0
    header, files, values = read_csv(stdout)
    assert header == ["file", "mean", "std", "min", "max"]
    image = read_image(gray_files[0]).astype(float)
    np.testing.assert_allclose(
        values[0], [image.mean(), image.std(), image.min(), image.max()], rtol=1e-12)


def test_colour_files_give_one_column_per_channel(tmp_path, capsys):
    path = save(tmp_path / "colour.png", COLOUR)
    status, stdout, _ = run(["features", path, "--color", "--statistics", "median"],
                            capsys)
    assert status == 0
    header, _, values = read_csv(stdout)
    assert header[1:] == ["channel_0_median", "channel_1_median", "channel_2_median"]
    np.testing.assert_array_equal(values[0], np.median(COLOUR, axis=(0, 1)))


def test_kinds_are_the_packages_feature_estimators():
    kinds = feature_kinds()
    assert kinds["statistics"] is ImageStatistics
    expected = {name for name in skimgproc.features.__all__
                if isinstance(getattr(skimgproc.features, name), type)}
    if hasattr(skimgproc.measure, "ObjectFeatures"):
        expected.add("ObjectFeatures")
    assert {cls.__name__ for cls in kinds.values()} == expected
    for kind, cls in kinds.items():
        assert kind == KIND_NAMES.get(cls.__name__, cls.__name__.lower())


@pytest.mark.parametrize("kind", sorted(feature_kinds()))
def test_every_kind_writes_its_estimators_rows(kind, tmp_path, capsys):
    big = np.kron(GRAY, np.ones((4, 4), np.uint8))  # 96 x 128, room for cells
    paths = [save(tmp_path / "a.png", big), save(tmp_path / "b.png", 255 - big)]
    status, stdout, err = run(["features", *paths, "--kind", kind], capsys)
    assert status == 0, err
    header, _, values = read_csv(stdout)
    estimator = feature_kinds()[kind]()
    rows = [estimator.fit_transform(read_image(p)[np.newaxis])[0] for p in paths]
    assert header[1:] == list(estimator.get_feature_names_out())
    np.testing.assert_allclose(values, np.array(rows, dtype=float), rtol=1e-6)


def test_bad_input_is_one_line(gray_files, tmp_path, capsys):
    status, _, err = run(["features", gray_files[0], "--grid", "30,2"], capsys)
    assert_one_line_error(status, err, "'grid' parameter of ImageStatistics",
                          "30 cells along an axis of 24 pixels")
    status, _, err = run(["features", gray_files[0], "--statistics", "p101"], capsys)
    assert_one_line_error(status, err, "'p101' is not a percentile")
    status, _, err = run(["features", gray_files[0], "--csv", gray_files[0]], capsys)
    assert_one_line_error(status, err, "refusing to overwrite the input")
    with pytest.raises(SystemExit) as exit_:  # argparse's own, one line too
        main(["features", gray_files[0], "--kind", "nope"])
    assert_one_line_error(exit_.value.code, capsys.readouterr().err,
                          "invalid choice: 'nope'")
    status, _, err = run(["features", str(tmp_path / "missing.png")], capsys)
    assert_one_line_error(status, err, "no such file")


def test_images_of_other_sizes_give_one_table_when_the_columns_agree(
        tmp_path, capsys):
    small = save(tmp_path / "small.png", GRAY[:10, :12])
    large = save(tmp_path / "large.png", GRAY)
    status, stdout, _ = run(["features", small, large, "--grid", "2"], capsys)
    assert status == 0
    _, files, values = read_csv(stdout)
    assert files == [small, large] and values.shape == (2, 16)


def test_options_of_another_kind_are_refused(gray_files, capsys, monkeypatch):
    # A second kind, so that its options exist beside ImageStatistics's.
    from skimgproc import BinaryOpeningCounter, _cli_features

    monkeypatch.setattr(_cli_features, "feature_kinds", lambda: {
        "counter": BinaryOpeningCounter, "statistics": ImageStatistics})
    status, _, err = run(["features", gray_files[0], "--threshold", "100"], capsys)
    assert_one_line_error(status, err, "ImageStatistics has no parameter --threshold")
    status, stdout, _ = run(["features", gray_files[0], "--kind", "counter",
                             "--threshold", "100"], capsys)
    assert status == 0
    assert read_csv(stdout)[0] == ["file", "n_objects"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values_are_written_in_digits_that_read_back(dtype):
    from skimgproc._cli_features import _value

    values = np.random.default_rng(1).normal(size=200).astype(dtype) * 1e3
    assert [dtype(_value(v)) for v in values] == list(values)
    assert _value(dtype(3.0)) == "3" and _value(dtype(0.1)) == "0.1"
