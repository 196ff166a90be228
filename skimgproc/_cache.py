"""The transform cache: each image step computed once per (parameters, data).

``set_config(cache_size="2GB")`` turns it on. Every skimgproc transformer
(:class:`~skimgproc._base.ImageTransformer`) then looks its result up under
a key made of

* its class, every parameter but ``verbose``, what it learned in ``fit``
  (the arguments it gives its function) and the ``accelerate`` switch;
* the batch: a digest (SHA-256 or BLAKE2b, see :func:`content_digest`) of
  its values in C order (so that the same
  values in a Fortran-ordered or strided array give the same key), their
  shape and dtype, and how results go back to the user's layout.

A change of a parameter or of one pixel gives another key: a result is
never stale. Not cached: lazy (dask) batches, and
:class:`~skimgproc.ImageReader`, whose files may change under the same
paths. Results are kept in memory up to ``cache_size`` bytes, the
least recently used evicted first; a result larger than that is not kept.
``cache_size=0`` (the default) turns the cache off and empties it, and a
transform then costs no hashing.

**What callers get.** Every call returns a new, writable array, as without
the cache: the cache keeps its own read-only copy and hands out copies of
it (a copy costs far less than hashing, itself far less than the steps
worth caching). Nothing a caller does to a result reaches the cache.

**Threads and processes.** Unlike ``accelerate``, which is per thread,
``cache_size`` is one setting of the process, as the cache is one store,
shared by every thread under a lock. So the worker threads of joblib (the
``"threading"`` backend of ``GridSearchCV(n_jobs=...)``), of dask's
threaded scheduler and of the package's executor all use it, and two
threads asking for the same missing result compute it once (the second
waits for the first). Worker *processes* (joblib's default ``"loky"``
backend) each have their own cache, and do not see ``set_config`` of the
parent: set ``SKIMGPROC_CACHE_SIZE`` (e.g. ``2GB``) in the environment
before they start, which each process reads when it imports skimgproc. The
work of every estimator releases the GIL, so the threading backend runs a
search in parallel and shares one cache: each fold's step is computed once
in all.
"""

import hashlib
import os
import re
import threading
import time
import warnings
from collections import OrderedDict

import numpy as np

from ._executor import run_ranges

__all__ = ["cached", "clear", "content_digest", "hash_algorithm", "parse_size",
           "set_limit", "stats"]

_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([kmgt]i?b|b)?\s*$", re.IGNORECASE)


def parse_size(value, name="cache_size"):
    """Bytes from an int or a string such as ``"2GB"`` (units B, kB, MB, GB,
    TB of 1000, KiB, MiB, GiB, TiB of 1024)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        if value >= 0:
            return int(value)
    elif isinstance(value, str):
        match = _SIZE.match(value)
        if match:
            number, unit = match.groups()
            return int(float(number) * _UNITS[(unit or "").lower()])
    raise ValueError(
        f"The '{name}' setting must be a non-negative int (bytes) or a string "
        f"such as '2GB' or '512MiB'. Got {value!r} instead."
    )


def _from_environment():
    text = os.environ.get("SKIMGPROC_CACHE_SIZE")
    if not text:
        return 0
    try:
        return parse_size(text, "SKIMGPROC_CACHE_SIZE")
    except ValueError as exc:
        warnings.warn(f"{exc} The transform cache stays off.", RuntimeWarning,
                      stacklevel=2)
        return 0


_lock = threading.Lock()
_entries = OrderedDict()  # key -> read-only result, most recently used last
_pending = {}  # key -> Event, set when the thread computing it is done
_state = {"limit": _from_environment(), "bytes": 0, "hits": 0, "misses": 0}


def set_limit(nbytes):
    """Keep at most ``nbytes`` of results (0: off and emptied)."""
    with _lock:
        _state["limit"] = int(nbytes)
        _evict()


def limit():
    return _state["limit"]


def clear():
    """Forget every result and the counts."""
    with _lock:
        _entries.clear()
        _state.update(bytes=0, hits=0, misses=0)


def stats():
    """``{"hits", "misses", "entries", "bytes", "limit"}``."""
    with _lock:
        return dict(_state, entries=len(_entries))


def _evict():
    while _entries and _state["bytes"] > _state["limit"]:
        _, old = _entries.popitem(last=False)
        _state["bytes"] -= old.nbytes


# -- keys -------------------------------------------------------------------------


#: Arrays are hashed in blocks of this many bytes, on threads; the blocks'
#: digests are then hashed together with the shape and dtype.
HASH_BLOCK = 1 << 22
_algorithm = {}


def hash_algorithm():
    """The faster here of SHA-256 (OpenSSL's, with the CPU's SHA instructions
    where it has them) and BLAKE2b, timed once on a block: keys live in
    this process only, so the choice may differ between machines."""
    if "name" not in _algorithm:
        data = bytes(HASH_BLOCK)
        seconds = {}
        for name in ("sha256", "blake2b"):
            times = []
            for _ in range(2):
                start = time.perf_counter()
                hashlib.new(name, data)
                times.append(time.perf_counter() - start)
            seconds[name] = min(times)
        _algorithm["name"] = min(seconds, key=seconds.get)
    return _algorithm["name"]


def content_digest(array):
    """A digest (16 bytes) of an array's values in C order, its shape and
    dtype: equal for equal arrays whatever their memory layout.

    ``H(dtype, shape, H(block 0), H(block 1), ...)`` over blocks of
    ``HASH_BLOCK`` bytes, ``H`` the :func:`hash_algorithm`; the blocks are
    hashed on the executor's threads (hashlib releases the GIL). No copy is
    made of a C-contiguous array.
    """
    array = np.asarray(array)
    name = hash_algorithm()
    header = f"{array.dtype.str}{array.shape}".encode()
    if array.dtype.hasobject:  # not raw data: the values' representations
        return hashlib.new(name, header + repr(array.tolist()).encode()).digest()[:16]
    data = memoryview(np.ascontiguousarray(array).reshape(-1)).cast("B")
    digests = [b""] * max(1, -(-len(data) // HASH_BLOCK))

    def blocks(start, stop):
        for i in range(start, stop):
            block = data[i * HASH_BLOCK:(i + 1) * HASH_BLOCK]
            digests[i] = hashlib.new(name, block).digest()

    if len(digests) == 1:
        blocks(0, 1)
    else:
        run_ranges(blocks, len(digests), HASH_BLOCK, chunk_bytes=HASH_BLOCK)
    return hashlib.new(name, header + b"".join(digests)).digest()[:16]


def _feed(h, value):
    """Add ``value`` to the hash ``h``, its type with it."""
    if isinstance(value, np.ndarray):
        h.update(b"ndarray" + content_digest(value))
    elif isinstance(value, dict):
        h.update(b"dict%d" % len(value))
        for k in sorted(value, key=repr):
            _feed(h, k)
            _feed(h, value[k])
    elif isinstance(value, (list, tuple)):
        h.update(f"{type(value).__name__}{len(value)}".encode())
        for item in value:
            _feed(h, item)
    elif value is None or isinstance(value, (str, bytes, bool, int, float, complex,
                                             np.generic)):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    else:  # anything else is only ever equal to itself: never a stale hit
        h.update(f"{type(value).__qualname__}@{id(value)}:{value!r};".encode())


def make_key(*parts):
    """A digest of ``parts`` (plain values, arrays, containers of them)."""
    h = hashlib.blake2b(digest_size=20)
    _feed(h, parts)
    return h.digest()


# -- look-up -----------------------------------------------------------------------


def cached(key, compute):
    """``compute()``, or a copy of its result for an equal ``key()``.

    ``key`` is a function, called only when the cache is on. Only ndarray
    results are kept; an error is not.
    """
    if not _state["limit"]:
        return compute()
    key = key()
    while True:
        with _lock:
            hit = _entries.get(key)
            if hit is not None:
                _entries.move_to_end(key)
                _state["hits"] += 1
                break
            waiting = _pending.get(key)
            if waiting is None:
                _pending[key] = threading.Event()
                _state["misses"] += 1
                break
        waiting.wait()  # another thread computes it; then look again
    if hit is not None:
        return hit.copy(order="K")  # outside the lock: the entry never changes
    try:
        result = compute()
        _store(key, result)
    finally:
        with _lock:
            _pending.pop(key).set()
    return result


def _store(key, result):
    if not isinstance(result, np.ndarray) or result.dtype.hasobject:
        return
    if result.nbytes > _state["limit"]:
        return
    kept = result.copy(order="K")
    kept.flags.writeable = False
    with _lock:
        if key in _entries or not _state["limit"]:
            return
        _entries[key] = kept
        _state["bytes"] += kept.nbytes
        _evict()
