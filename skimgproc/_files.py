"""Paths, atomic writes and one-line errors, shared by the readers, the
writers and the command line.

Every file the package writes goes through :func:`atomic_write`: it is
written next to its destination under a temporary name and renamed into
place, so a failed write leaves no half-written file and never damages an
existing one.
"""

import errno
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from PIL import Image

__all__ = ["as_path", "atomic_write", "existing_file", "image_format", "one_line"]


def as_path(path, name, caller):
    """``path`` as a :class:`~pathlib.Path`, or the package's ValueError
    naming the argument ``name`` of ``caller``.

    Examples
    --------
    >>> from skimgproc._files import as_path
    >>> as_path("figures/a.png", "path", "write_image").name
    'a.png'
    >>> as_path(3, "path", "write_image")
    Traceback (most recent call last):
    ...
    ValueError: The 'path' argument of write_image must be a file path (str or os.PathLike). Got 3 instead.
    """  # noqa: E501
    try:
        return Path(os.fsdecode(os.fspath(path)))
    except TypeError:
        raise ValueError(
            f"The '{name}' argument of {caller} must be a file path (str or "
            f"os.PathLike). Got {path!r} instead."
        ) from None


def existing_file(path, caller, name="path"):
    """The path of a readable, non-empty regular file, or a clear error.

    Raises
    ------
    FileNotFoundError, IsADirectoryError
        For a missing path or a directory.
    ValueError
        For something that is not a regular file, or an empty file.

    Examples
    --------
    >>> import tempfile, os
    >>> from skimgproc._files import existing_file
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = os.path.join(tmp.name, "empty.png")
    >>> open(path, "wb").close()
    >>> existing_file(path, "read_image")
    Traceback (most recent call last):
    ...
    ValueError: Cannot read '...empty.png': the file is empty (0 bytes).
    >>> tmp.cleanup()
    """
    path = as_path(path, name, caller)
    if not path.exists():
        _refuse_symlink_loop(path)
        raise FileNotFoundError(errno.ENOENT, "No such file", str(path))
    if path.is_dir():
        raise IsADirectoryError(
            errno.EISDIR, "Is a directory, not a file to read", str(path)
        )
    if not path.is_file():
        raise ValueError(f"Cannot read '{path}': not a regular file.")
    if path.stat().st_size == 0:
        raise ValueError(f"Cannot read '{path}': the file is empty (0 bytes).")
    return path


def _refuse_symlink_loop(path):
    """Raise ELOOP's error for a path that is (or passes through) a loop of
    symbolic links, which :meth:`Path.exists` reports as missing."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(
                errno.ELOOP, "A loop of symbolic links, not a file", str(path)
            ) from None


def _refuse_unwritable(path):
    """Refuse to replace ``path`` where a plain ``open(path, "w")`` would be
    refused, or where the file is marked read-only for everyone: renaming
    into a writable folder skips the file's own permissions."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    # The superuser may write anything; a file with no write permission at all
    # is still a request to leave it alone.
    if not os.access(path, os.W_OK) or not mode & 0o222:
        raise PermissionError(
            errno.EACCES,
            "Permission denied: the file is read-only, or not yours to write; "
            "it was left unchanged",
            str(path),
        )


def _temporary_file(path):
    """A new private file next to ``path``; an error names ``path``'s folder,
    not the temporary name."""
    try:
        return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                suffix=".part")
    except OSError as exc:
        raise type(exc)(
            exc.errno,
            f"Cannot write into the folder '{path.parent}' "
            f"({os.strerror(exc.errno) if exc.errno else one_line(exc)})",
            str(path),
        ) from None


def _umask():
    # The process umask, read without os.umask (which would change it, for
    # every thread, however briefly).
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


@contextmanager
def atomic_write(path, caller):
    """Yield a binary file object; on success it replaces ``path`` at once.

    The data goes to a temporary file in the same directory, is flushed to
    disk and renamed over ``path`` (an atomic operation): readers see the
    old file or the complete new one, never a part. On any failure the
    temporary file is removed and ``path`` is untouched. A symbolic link is
    written through (the link stays); the new file gets the permissions of
    the file it replaces, or those a plain ``open()`` would give. A file that
    a plain ``open()`` could not write (read-only, another user's), or that
    has no write permission for anyone, is refused (a PermissionError
    naming it) and left as it is.

    Examples
    --------
    >>> import tempfile, os
    >>> from skimgproc._files import atomic_write
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = os.path.join(tmp.name, "counts.csv")
    >>> with atomic_write(path, "example") as file:
    ...     _ = file.write(b"file,n_objects\\n")
    >>> os.listdir(tmp.name)
    ['counts.csv']
    >>> tmp.cleanup()
    """
    path = as_path(path, "path", caller)
    _refuse_symlink_loop(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if path.is_dir():
        raise IsADirectoryError(
            errno.EISDIR, "Is a directory, cannot write a file there", str(path)
        )
    parent = path.parent
    if not parent.is_dir():
        raise FileNotFoundError(
            errno.ENOENT, "No such directory to write into", str(parent)
        )
    _refuse_unwritable(path)
    fd, tmp = _temporary_file(path)
    try:
        with os.fdopen(fd, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        # mkstemp makes the file private (0600).
        mode = (
            path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
        )
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def one_line(exc):
    """The message of ``exc`` on one line (or its type's name when empty),
    for errors that quote a library's message.

    Examples
    --------
    >>> from skimgproc._files import one_line
    >>> one_line(ValueError("broken\\n  data")), one_line(KeyError())
    ('broken data', 'KeyError')
    """
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def image_format(path):
    """The Pillow format that writes ``path`` (from its extension), or a
    ValueError, so that a writer can refuse a name before any work.

    Examples
    --------
    >>> from pathlib import Path
    >>> from skimgproc._files import image_format
    >>> image_format(Path("a.tif"))
    'TIFF'
    """
    extension = path.suffix.lower()
    fmt = Image.registered_extensions().get(extension)
    if fmt is None or fmt not in Image.SAVE:
        raise ValueError(
            f"Cannot write '{path}': unknown image file extension "
            f"{extension or '(none)'!r}; use one of .png, .jpg, .tif, .pdf (or "
            "another format Pillow can write: .bmp, .gif, .webp, ...)."
        )
    return fmt
