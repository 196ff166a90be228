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


# -- files the user cannot write, loops -----------------------------------------


def test_atomic_write_refuses_a_read_only_file(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_bytes(b"old")
    os.chmod(path, 0o444)
    with pytest.raises(PermissionError, match=r"read-only.*counts\.csv"):
        with atomic_write(path, "test") as file:
            file.write(b"new")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["counts.csv"]


def test_symlink_loop_is_named_as_such(tmp_path):
    loop = tmp_path / "loop.png"
    loop.symlink_to(tmp_path / "other.png")
    (tmp_path / "other.png").symlink_to(loop)
    with pytest.raises(OSError, match=r"loop of symbolic links.*loop\.png"):
        existing_file(loop, "reader")
    with pytest.raises(OSError, match=r"loop of symbolic links.*loop\.png"):
        with atomic_write(loop, "test"):
            pass


def run_as_nobody(function):
    """``function()``'s exception message (or "") in a child process running as
    the user nobody: what another user meets. Needs root to switch users."""
    if not hasattr(os, "fork") or os.geteuid() != 0:
        pytest.skip("switching to another user needs root and fork")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report and leave at once, never back to pytest
        try:
            os.close(read)
            os.setgid(65534)
            os.setuid(65534)
            try:
                function()
                message = ""
            except Exception as exc:
                message = f"{type(exc).__name__}: {exc}"
            os.write(write, message.encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(pid, 0)
    return message


@pytest.fixture
def shared_folder():
    # Under /tmp, which everybody may enter (pytest's tmp_path is private).
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="skimgproc-shared-"))
    os.chmod(folder, 0o777)
    yield folder
    shutil.rmtree(folder)


def test_atomic_write_refuses_another_users_file(shared_folder):
    path = shared_folder / "theirs.csv"
    path.write_bytes(b"old")
    os.chmod(path, 0o644)  # root's, readable by all, writable by root only

    def write():
        with atomic_write(path, "test") as file:
            file.write(b"new")

    message = run_as_nobody(write)
    assert message.startswith("PermissionError") and "theirs.csv" in message
    assert path.read_bytes() == b"old"
    assert os.listdir(shared_folder) == ["theirs.csv"]


def test_read_only_folder_names_the_destination(shared_folder):
    os.chmod(shared_folder, 0o555)
    path = shared_folder / "new.csv"

    def write():
        with atomic_write(path, "test") as file:
            file.write(b"new")

    message = run_as_nobody(write)
    os.chmod(shared_folder, 0o755)
    assert message.startswith("PermissionError"), message
    assert f"Cannot write into the folder '{shared_folder}'" in message
    assert f"'{path}'" in message and ".part" not in message
    assert os.listdir(shared_folder) == []
