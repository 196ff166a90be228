"""Tests of skimgproc._files: the path checks and the atomic write every
writer of the package (images, .mat files, the command line's CSV) uses."""

import os
import stat
from pathlib import Path

import pytest

from skimgproc._files import (
    as_path,
    atomic_write,
    existing_file,
    image_format,
    one_line,
)


def test_atomic_write_replaces_at_once(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_bytes(b"old")
    with atomic_write(path, "test") as file:
        file.write(b"new")
        # Until the block ends the old file is whole and the new one hidden.
        assert path.read_bytes() == b"old"
        assert len(os.listdir(tmp_path)) == 2
    assert path.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["counts.csv"]


@pytest.mark.parametrize("error", [ValueError, KeyboardInterrupt])
def test_atomic_write_failure_leaves_the_old_file_and_nothing_else(tmp_path, error):
    path = tmp_path / "counts.csv"
    path.write_bytes(b"old")
    with pytest.raises(error):
        with atomic_write(path, "test") as file:
            file.write(b"half")
            raise error
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["counts.csv"]


def test_atomic_write_permissions_of_a_plain_open(tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    with atomic_write(tmp_path / "new.csv", "test") as file:
        file.write(b"x")
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o666 & ~umask


def test_atomic_write_refuses_bad_destinations(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing"):
        with atomic_write(tmp_path / "missing" / "a.csv", "test"):
            pass
    with pytest.raises(IsADirectoryError):
        with atomic_write(tmp_path, "test"):
            pass
    assert os.listdir(tmp_path) == []


def test_existing_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("x")
    assert existing_file(str(path), "reader") == path
    with pytest.raises(FileNotFoundError, match="nothing.txt"):
        existing_file(tmp_path / "nothing.txt", "reader")
    with pytest.raises(IsADirectoryError):
        existing_file(tmp_path, "reader")
    (tmp_path / "empty.txt").touch()
    with pytest.raises(ValueError, match=r"empty\.txt.*empty \(0 bytes\)"):
        existing_file(tmp_path / "empty.txt", "reader")


def test_as_path_names_the_argument():
    assert as_path(b"a/b.png", "path", "reader") == Path("a/b.png")
    with pytest.raises(ValueError, match="The 'out' argument of writer must be a file"):
        as_path(None, "out", "writer")


def test_one_line_and_image_format():
    assert one_line(OSError("disk\n   full")) == "disk full"
    assert one_line(ValueError()) == "ValueError"
    assert image_format(Path("A.JPG")) == "JPEG"
    with pytest.raises(ValueError, match=r"unknown image file extension '\(none\)'"):
        image_format(Path("noextension"))
