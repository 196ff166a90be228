"""Progress of long work: ``verbose``, as scikit-learn's estimators have it.

``verbose=0`` (the default everywhere) is silent and costs one thread-local
look-up per call of the executor. From 1 on, a call reports how many images
are done and the time left, estimated from the rate so far:

* to the ``"skimgproc"`` logger, at INFO level, when logging is set up to
  show it (a handler, and the level at INFO or below);
* otherwise on standard error: one updating line on a terminal (a tqdm bar
  when tqdm is installed), plain lines elsewhere (files, pipes, notebooks'
  captured output), at most one every 2 seconds, and a last line with the
  total time. ``verbose >= 2`` reports every chunk of work.

How it works: a function (or the estimator around it) opens a
:func:`progress` scope over its batch; the executor
(:func:`skimgproc._executor.run_ranges`) asks for the scope of its calling
thread (:func:`current`) and, when there is one, counts each chunk it
finishes, on whichever thread, and cuts the batch into at least
``MIN_CHUNKS`` chunks so that progress can be seen (the work is the same).
Scopes nest: the inner one (the function called by its estimator) reuses
the outer one, so a call reports once, under the name the user called.

An estimator gets this with one declaration: ``verbose=VERBOSE`` in its
constraints (shared with its function) and ``verbose=0`` in ``__init__``;
:class:`~skimgproc._base.ImageTransformer` opens the scope around
``transform``.
"""

import importlib.util
import logging
import sys
import threading
import time
from contextlib import contextmanager, nullcontext

from ._validation import _Constraint, _is_int

__all__ = ["VERBOSE", "Progress", "current", "format_seconds", "progress"]

#: At verbose=1, plain lines and log records come at most this often
#: (seconds), a terminal line is redrawn at most this often.
LINE_INTERVAL = 2.0
TERMINAL_INTERVAL = 0.2
#: With a scope open, the executor cuts the work into at least this many
#: chunks (as long as there are samples), so that progress moves.
MIN_CHUNKS = 20

logger = logging.getLogger("skimgproc")


class Verbose(_Constraint):
    """scikit-learn's ``verbose``: a non-negative int (or a bool); normalised
    to an int."""

    expected = "an int in the range [0, inf) or a bool"

    def accepts(self, value, batch):
        return isinstance(value, bool) or (_is_int(value) and value >= 0)

    def normalize(self, value, batch):
        return int(value)


#: The constraint of every ``verbose`` parameter.
VERBOSE = Verbose()


def format_seconds(seconds):
    """``"4.2 s"``, ``"2 min 05 s"``, ``"1 h 02 min"``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


# -- where the reports go ---------------------------------------------------------


def _tqdm_available():
    return importlib.util.find_spec("tqdm") is not None


def _display(stream, owner, unit, total):
    """The sink for a new report: logging if configured to show INFO, else
    a bar or updating line on a terminal, else plain lines."""
    if logger.isEnabledFor(logging.INFO) and logger.hasHandlers():
        return _Lines(logger.info)
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        if _tqdm_available():
            return _Bar(stream, owner, unit, total)
        return _TerminalLine(stream)
    return _Lines(lambda text: print(text, file=stream, flush=True))


class _Lines:
    interval = LINE_INTERVAL

    def __init__(self, emit):
        self.emit = emit

    def update(self, text, done):
        self.emit(text)

    def close(self, text):
        if text is not None:
            self.emit(text)


class _TerminalLine:
    """One line redrawn in place (carriage return), ended by the summary."""

    interval = TERMINAL_INTERVAL

    def __init__(self, stream):
        self.stream, self.width = stream, 0

    def update(self, text, done):
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def close(self, text):
        # Without a summary the last line stays as it is.
        self.stream.write("\n" if text is None
                          else "\r" + text.ljust(self.width) + "\n")
        self.stream.flush()


class _Bar:
    """A tqdm bar, which estimates the time left itself."""

    interval = TERMINAL_INTERVAL

    def __init__(self, stream, owner, unit, total):
        from tqdm import tqdm

        self.bar = tqdm(total=total, desc=owner, unit=f" {unit}", file=stream,
                        leave=True)
        self.shown = 0

    def update(self, text, done):
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self, text):
        self.bar.close()


# -- a report -------------------------------------------------------------------------


class Progress:
    """The progress of one call over ``total`` units, thread-safe.

    Parameters
    ----------
    total : int
        Units of work (images) in the call.
    owner : str
        Name the reports give (the function or estimator called).
    verbose : int
        1: throttled reports; 2 or more: every :meth:`advance`.
    unit : str, default="images"
        What is counted.
    stream : file-like, optional
        Where reports go when logging does not take them; standard error
        by default.
    summary : bool, default=True
        End with a line giving the total time.
    """

    def __init__(self, total, owner, verbose, *, unit="images", stream=None,
                 summary=True):
        self.total, self.owner, self.unit = max(int(total), 1), owner, unit
        self.summary = summary
        self.done = 0.0
        self.start = self._last = time.perf_counter()
        self._lock = threading.Lock()
        self._display = _display(sys.stderr if stream is None else stream,
                                 owner, unit, self.total)
        self._interval = 0.0 if verbose >= 2 else self._display.interval

    def time_left(self, now=None):
        """Seconds left at the rate so far (None before any unit is done)."""
        now = time.perf_counter() if now is None else now
        if self.done <= 0:
            return None
        return (now - self.start) * (self.total - self.done) / self.done

    def _text(self, now, note):
        done = int(self.done)
        elapsed = format_seconds(now - self.start)
        left = self.time_left(now)
        timing = f"{elapsed} elapsed" + (
            "" if left is None else f", about {format_seconds(left)} left")
        if note is not None:
            return f"[{done}/{self.total}] {note} ({timing})"
        return (f"{self.owner}: {done}/{self.total} {self.unit} "
                f"({100 * self.done / self.total:.0f}%), {timing}")

    def advance(self, amount=1, note=None):
        """Count ``amount`` more units done, and report if it is time to."""
        with self._lock:
            self.done = min(float(self.total), self.done + amount)
            now = time.perf_counter()
            if self.done < self.total and now - self._last < self._interval:
                return
            self._last = now
            self._display.update(self._text(now, note), int(self.done))

    def close(self):
        """End the report: the summary line (or the end of the bar)."""
        with self._lock:
            seconds = format_seconds(time.perf_counter() - self.start)
            self._display.close(
                f"{self.owner}: {self.total} {self.unit} in {seconds}"
                if self.summary else None)

    def follow(self, func, n, sample_nbytes, chunk_bytes):
        """``func(start, stop)`` of the executor, counting each chunk as
        its share of :attr:`total`, and a chunk size giving at least
        ``MIN_CHUNKS`` chunks."""
        share = self.total / max(n, 1)
        chunk_bytes = max(1, min(chunk_bytes, n * sample_nbytes // MIN_CHUNKS))

        def counted(start, stop):
            _local.depth = getattr(_local, "depth", 0) + 1
            try:
                func(start, stop)
            finally:
                _local.depth -= 1
            self.advance((stop - start) * share)

        return counted, chunk_bytes


# -- scopes ----------------------------------------------------------------------------

_local = threading.local()


def current():
    """The progress open in this thread, or None: silent calls, other
    threads, and work nested in a chunk already counted."""
    active = getattr(_local, "active", None)
    if active is None or getattr(_local, "depth", 0):
        return None
    return active


_SILENT = nullcontext()


def progress(verbose, total, owner, *, unit="images"):
    """Report the progress of the work inside, over ``total`` units.

    A context manager giving the :class:`Progress`, or None when ``verbose``
    is 0 (a shared do-nothing context: silent calls cost nothing more).
    Inside a scope already open in this thread it gives that one: a call
    reports once.
    """
    if not verbose:
        return _SILENT
    return _scope(verbose, total, owner, unit)


@contextmanager
def _scope(verbose, total, owner, unit):
    outer = getattr(_local, "active", None)
    if outer is not None:
        yield outer
        return
    report = Progress(total, owner, verbose, unit=unit)
    _local.active = report
    try:
        yield report
    except BaseException:
        report.summary = False  # the error says what happened
        raise
    finally:
        _local.active = None
        report.close()
