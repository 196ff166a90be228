"""MATLAB ``.mat`` files in and out, with :mod:`scipy.io`, safely.

:func:`read_mat` measures what a file holds before :func:`scipy.io.loadmat`
allocates anything: the variables it lists, and the compressed data as a
stream (where cells and structs hide theirs), so that a small file that
would expand to gigabytes is refused. :func:`write_mat` writes atomically.
"""

import os
import struct
import zlib
from math import prod

from .._files import as_path, atomic_write, existing_file, one_line
from .._validation import Bool, Constraints, Either, Int, Rule, fail

__all__ = ["DEFAULT_MAX_BYTES", "read_mat", "write_mat"]

#: Largest total size of the variables :func:`read_mat` loads unless told
#: otherwise: 1 GiB.
DEFAULT_MAX_BYTES = 2**30

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"

# Bytes per element of each MATLAB class as scipy.io.loadmat returns it.
_MAT_ITEMSIZE = {
    "double": 8, "single": 4, "int8": 1, "uint8": 1, "int16": 2, "uint16": 2,
    "int32": 4, "uint32": 4, "int64": 8, "uint64": 8, "logical": 1,
    "char": 4,  # numpy unicode strings
}
_MI_COMPRESSED = 15  # miCOMPRESSED: a zlib stream of data elements


def _check_variable_names(names, name, owner, batch):
    if names is None:
        return None
    if isinstance(names, str) or not all(isinstance(v, str) for v in names):
        fail(name, owner, "None or a list of str", names)
    return list(names)


_READ_CONSTRAINTS = Constraints(
    max_bytes=Int(1),
    variable_names=Rule(_check_variable_names),
)
_WRITE_CONSTRAINTS = Constraints(do_compression=Either(Bool(), expected="a bool"))


# -- reading ----------------------------------------------------------------------


def _mat_error(path, exc):
    return ValueError(f"Cannot read '{path}': not a readable MATLAB file "
                      f"({one_line(exc)}).")


def _refuse_hdf5(path):
    with open(path, "rb") as file:
        start = file.read(520)
    if start[:8] == _HDF5_SIGNATURE or start[512:520] == _HDF5_SIGNATURE:
        raise ValueError(
            f"Cannot read '{path}': MATLAB v7.3 (HDF5) files are not supported: "
            "load them with h5py (or save them from MATLAB with -v7)."
        )


def _version_and_listing(path):
    """The file's major version (0 for v4, 1 for v5 to v7) and its
    variables as :func:`scipy.io.whosmat` lists them."""
    from scipy import io as sio
    from scipy.io import matlab

    try:
        major, _ = matlab.matfile_version(str(path))
        return major, sio.whosmat(str(path))
    except NotImplementedError as exc:  # scipy's word for v7.3
        raise ValueError(
            f"Cannot read '{path}': MATLAB v7.3 (HDF5) files are not supported: "
            "load them with h5py."
        ) from exc
    except Exception as exc:
        raise _mat_error(path, exc) from exc


def _check_listed_sizes(path, listing, variable_names, max_bytes):
    total = 0
    for name, shape, cls in listing:
        if variable_names is not None and name not in variable_names:
            continue
        n_bytes = prod(shape) * _MAT_ITEMSIZE.get(cls, 0)
        total += n_bytes
        if n_bytes > max_bytes or total > max_bytes:
            raise ValueError(
                f"Refusing to load '{path}': variable '{name}' is a "
                f"{'x'.join(map(str, shape))} {cls} array of {n_bytes} bytes, and "
                f"the variables total more than max_bytes={max_bytes}. If you "
                "trust the file, pass a larger max_bytes."
            )


def _inflated_bytes(file, n_bytes, limit):
    """Bytes a compressed element of ``n_bytes`` expands to, read from
    ``file`` in small pieces (nothing kept), stopping once past ``limit``;
    leaves ``file`` after the element."""
    inflater = zlib.decompressobj()
    total, remaining = 0, n_bytes
    while remaining and total <= limit:
        chunk = file.read(min(remaining, 1 << 16))
        if not chunk:
            break
        remaining -= len(chunk)
        data = chunk
        while data and total <= limit:
            total += len(inflater.decompress(data, 1 << 20))
            data = inflater.unconsumed_tail
    file.seek(remaining, os.SEEK_CUR)
    return total


def _v5_expanded_bytes(path, limit):
    """Bytes the data elements of a MATLAB v5 file hold once decompressed,
    counted until the total passes ``limit``: this bounds what loadmat will
    allocate, nested cells and structs included."""
    total = 0
    with open(path, "rb") as file:
        header = file.read(128)
        order = "<" if header[126:128] == b"IM" else ">"
        while total <= limit:
            tag = file.read(8)
            if len(tag) < 8:
                break
            data_type, n_bytes = struct.unpack(order + "II", tag)
            if data_type >> 16:  # small data element: 4 bytes in the tag
                total += 4
            elif data_type == _MI_COMPRESSED:
                total += _inflated_bytes(file, n_bytes, limit - total)
            else:
                total += n_bytes
                file.seek(n_bytes, os.SEEK_CUR)
    return total


def _check_expanded_size(path, max_bytes):
    try:
        expanded = _v5_expanded_bytes(path, max_bytes)
    except (OSError, zlib.error, struct.error) as exc:
        raise _mat_error(path, exc) from exc
    if expanded > max_bytes:
        raise ValueError(
            f"Refusing to load '{path}': its data expand to more than "
            f"max_bytes={max_bytes} bytes once decompressed. If you trust the "
            "file, pass a larger max_bytes."
        )


def read_mat(path, *, variable_names=None, max_bytes=DEFAULT_MAX_BYTES):
    """Read the variables of a MATLAB ``.mat`` file (v4, v5, v6, v7).

    A thin layer over :func:`scipy.io.loadmat` that first checks what the
    file holds: the variables are listed with :func:`scipy.io.whosmat` and
    their size computed, and compressed data is measured as a stream, so a
    small file that would expand to gigabytes is refused before anything
    is loaded.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.mat`` file.
    variable_names : sequence of str, optional
        Load only these variables.
    max_bytes : int, default=DEFAULT_MAX_BYTES
        Refuse files whose variables would take more memory than this once
        loaded (1 GiB by default).

    Returns
    -------
    variables : dict of str to ndarray
        The variables by name, as :func:`scipy.io.loadmat` returns them
        (without its ``__header__``, ``__version__`` and ``__globals__``
        entries).

    Raises
    ------
    ValueError
        For MATLAB v7.3 files (HDF5: read them with h5py), files that are
        not MATLAB files, broken ones, or ones over ``max_bytes``.

    See Also
    --------
    write_mat : The other way.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from skimgproc import read_mat, write_mat
    >>> path = os.path.join(tmp.name, "test.mat")
    >>> write_mat(path, {"x": np.arange(6.0).reshape(2, 3)})
    >>> read_mat(path)["x"]
    array([[0., 1., 2.],
           [3., 4., 5.]])
    >>> tmp.cleanup()
    """
    from scipy import io as sio

    path = existing_file(path, "read_mat")
    params = _READ_CONSTRAINTS.validate(
        dict(variable_names=variable_names, max_bytes=max_bytes), "read_mat"
    )
    variable_names, max_bytes = params["variable_names"], params["max_bytes"]
    _refuse_hdf5(path)
    major, listing = _version_and_listing(path)
    _check_listed_sizes(path, listing, variable_names, max_bytes)
    if major == 1:  # v5 to v7: compressed data, cells and structs
        _check_expanded_size(path, max_bytes)
    try:
        data = sio.loadmat(str(path), variable_names=variable_names)
    except Exception as exc:
        raise _mat_error(path, exc) from exc
    return {k: v for k, v in data.items() if not k.startswith("__")}


# -- writing ----------------------------------------------------------------------


def _is_matlab_name(name):
    return (
        isinstance(name, str)
        and name[:1].isascii()
        and name[:1].isalpha()
        and len(name) <= 63
        and all(c.isascii() and (c.isalnum() or c == "_") for c in name)
    )


def _check_mat_variables(variables):
    if not hasattr(variables, "items"):
        raise ValueError(
            "The 'variables' argument of write_mat must be a dict of name to "
            f"array. Got {type(variables).__name__} instead."
        )
    for name in variables:
        if not _is_matlab_name(name):
            raise ValueError(
                "write_mat: MATLAB variable names start with a letter and hold "
                f"letters, digits and underscores, at most 63; got {name!r}."
            )


def write_mat(path, variables, *, do_compression=False):
    """Write variables to a MATLAB ``.mat`` file (v5), atomically.

    A thin layer over :func:`scipy.io.savemat`; the file is written under a
    temporary name and renamed into place only when complete, so a failure
    leaves any existing file intact.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (no ``.mat`` is appended).
    variables : dict of str to array-like
        The variables by name; names follow MATLAB's rules.
    do_compression : bool, default=False
        Compress the data, as in :func:`scipy.io.savemat`.

    Raises
    ------
    ValueError
        For names MATLAB refuses, values :func:`scipy.io.savemat` cannot
        write (the message names the file).

    See Also
    --------
    read_mat : The other way.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from skimgproc import read_mat, write_mat
    >>> path = os.path.join(tmp.name, "data.mat")
    >>> write_mat(path, {"im": np.eye(2)}, do_compression=True)
    >>> sorted(read_mat(path))
    ['im']
    >>> tmp.cleanup()
    """
    from scipy import io as sio

    _check_mat_variables(variables)
    do_compression = _WRITE_CONSTRAINTS.validate(
        dict(do_compression=do_compression), "write_mat"
    )["do_compression"]
    path = as_path(path, "path", "write_mat")
    with atomic_write(path, "write_mat") as file:
        try:
            sio.savemat(file, dict(variables), do_compression=do_compression)
        except Exception as exc:
            raise ValueError(
                f"Cannot write '{path}': {one_line(exc)}"
            ) from exc
