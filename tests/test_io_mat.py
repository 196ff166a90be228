"""Tests of skimgproc.io._mat: .mat files in and out, against scipy.io used
directly, and files that would expand beyond the size limit."""

import os

import numpy as np
import pytest
import scipy.io

from skimgproc import read_mat, write_mat


def listing(folder):
    return sorted(os.listdir(folder))

# -- MATLAB files -------------------------------------------------------------


def test_mat_round_trip_matches_scipy(tmp_path):
    path = tmp_path / "test.mat"
    data = {"x": np.arange(12.0).reshape(3, 4), "label": np.array([1, 2, 3],
                                                                   dtype=np.int16)}
    write_mat(path, data)
    direct = scipy.io.loadmat(path)
    ours = read_mat(path)
    assert sorted(ours) == ["label", "x"]
    for name in data:
        np.testing.assert_array_equal(ours[name], direct[name])
    np.testing.assert_array_equal(ours["x"], data["x"])
    assert list(read_mat(path, variable_names=["x"])) == ["x"]


def test_read_mat_v4_files(tmp_path):
    path = tmp_path / "v4.mat"
    scipy.io.savemat(path, {"a": np.eye(3)}, format="4")
    np.testing.assert_array_equal(read_mat(path)["a"], np.eye(3))


def test_read_mat_v73_says_hdf5(tmp_path):
    path = tmp_path / "v73.mat"
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00 .".ljust(116)
    header += b"\x00" * 8 + b"\x00\x02" + b"IM"
    path.write_bytes(header.ljust(512, b"\x00") + b"\x89HDF\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(ValueError, match=r"v73\.mat.*v7\.3 \(HDF5\).*h5py"):
        read_mat(path)


def test_read_mat_refuses_big_variables_before_loading(tmp_path, monkeypatch):
    path = tmp_path / "big.mat"
    scipy.io.savemat(path, {"big": np.zeros((1000, 1000))}, do_compression=True)
    assert path.stat().st_size < 100_000  # 8 MB of zeros, compressed

    def no_loading(*args, **kwargs):
        raise AssertionError("loadmat must not be called")

    monkeypatch.setattr(scipy.io, "loadmat", no_loading)
    match = r"big\.mat.*'big'.*1000x1000 double.*max_bytes"
    with pytest.raises(ValueError, match=match):
        read_mat(path, max_bytes=1_000_000)
    monkeypatch.undo()
    assert read_mat(path, max_bytes=10_000_000)["big"].shape == (1000, 1000)


def test_read_mat_measures_data_hidden_in_cells(tmp_path, monkeypatch):
    # whosmat only sees a 1x1 cell; the 8 MB inside it shows when the
    # compressed stream is measured.
    cell = np.empty((1, 1), dtype=object)
    cell[0, 0] = np.zeros((1000, 1000))
    path = tmp_path / "cell.mat"
    scipy.io.savemat(path, {"c": cell}, do_compression=True)
    monkeypatch.setattr(scipy.io, "loadmat", None)
    with pytest.raises(ValueError, match=r"cell\.mat.*decompressed.*max_bytes"):
        read_mat(path, max_bytes=1_000_000)
    monkeypatch.undo()
    assert read_mat(path)["c"][0, 0].shape == (1000, 1000)


def test_read_mat_broken_files(tmp_path):
    text = tmp_path / "notes.mat"
    text.write_text("hello " * 50)
    with pytest.raises(ValueError, match=r"notes\.mat"):
        read_mat(text)
    empty = tmp_path / "empty.mat"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        read_mat(empty)
    good = tmp_path / "good.mat"
    write_mat(good, {"x": np.arange(1000.0)}, do_compression=True)
    cut = tmp_path / "cut.mat"
    cut.write_bytes(good.read_bytes()[:200])
    with pytest.raises(ValueError, match=r"cut\.mat"):
        read_mat(cut)
    with pytest.raises(FileNotFoundError):
        read_mat(tmp_path / "none.mat")
    with pytest.raises(ValueError, match="'max_bytes' parameter"):
        read_mat(good, max_bytes=-1)
    with pytest.raises(ValueError, match="'variable_names' parameter"):
        read_mat(good, variable_names="x")


@pytest.mark.parametrize("name", ["_hidden", "2x", "a b", "é", "x" * 64])
def test_write_mat_refuses_bad_names(tmp_path, name):
    with pytest.raises(ValueError, match="MATLAB variable names"):
        write_mat(tmp_path / "a.mat", {name: np.zeros(2)})
    assert listing(tmp_path) == []


def test_write_mat_failure_keeps_existing_file(tmp_path):
    path = tmp_path / "keep.mat"
    write_mat(path, {"x": np.ones(3)})
    before = path.read_bytes()
    with pytest.raises(ValueError, match=r"keep\.mat"):
        write_mat(path, {"x": np.zeros(3), "y": {1, 2}})  # sets cannot be saved
    assert path.read_bytes() == before
    assert listing(tmp_path) == ["keep.mat"]
    with pytest.raises(ValueError, match="dict"):
        write_mat(path, [("x", 1)])


def test_mat_parameter_messages(tmp_path):
    path = tmp_path / "a.mat"
    with pytest.raises(ValueError) as error:
        write_mat(path, {"x": np.ones(2)}, do_compression=1)
    assert str(error.value) == ("The 'do_compression' parameter of write_mat must "
                                "be a bool. Got 1 instead.")
    assert listing(tmp_path) == []
    write_mat(path, {"x": np.ones(2)}, do_compression=np.bool_(True))
    with pytest.raises(ValueError) as error:
        read_mat(path, variable_names=["x", 3])
    assert str(error.value) == ("The 'variable_names' parameter of read_mat must "
                                "be None or a list of str. Got ['x', 3] instead.")
    with pytest.raises(ValueError) as error:
        read_mat(path, max_bytes=0)
    assert str(error.value) == ("The 'max_bytes' parameter of read_mat must be an "
                                "int in the range [1, inf). Got 0 instead.")
    assert list(read_mat(path, variable_names=("x",))) == ["x"]


def test_write_mat_leaves_a_read_only_file_alone(tmp_path):
    path = tmp_path / "keep.mat"
    scipy.io.savemat(path, {"a": np.eye(2)})
    before = path.read_bytes()
    os.chmod(path, 0o444)
    with pytest.raises(PermissionError, match=r"read-only.*keep\.mat"):
        write_mat(path, {"a": np.ones(3)})
    assert path.read_bytes() == before
    assert listing(tmp_path) == ["keep.mat"]
