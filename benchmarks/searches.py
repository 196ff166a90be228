"""Parameter searches: workers, the transform cache and its content hash.

Usage, from the repository root::

    python -m benchmarks.searches            # all the digits, 3 repeats
    python -m benchmarks.searches --quick    # 300 digits, 1 repeat: under a minute

Four measurements, each ratio taken from timings of the same run:

1. **The README's quickstart search** (blur, Sobel, flatten, scale,
   logistic regression on ``load_digits``, 3 values of ``sigma``, ``cv=3``)
   with ``GridSearchCV(n_jobs=1)``, ``n_jobs=2`` and ``n_jobs=-1`` (joblib's
   default process workers).
2. **A ROF search** (``ROFDenoiser``, ``Flatten``, logistic regression, 3
   values of ``tv_weight``) the same way: once with the estimators' default
   ``n_jobs=None`` (every core inside each step: workers may only add
   oversubscription, and must not be slower), once with ``rof__n_jobs=1``,
   where the search's workers are the only parallelism (2 workers on 2
   cores should then be at least 1.6x faster than 1).
3. **The transform cache**: ``GridSearchCV`` over the classifier's ``C``
   alone (4 values) on top of ``ROFDenoiser``, without and with
   ``config_context(cache_size="1GB")``; sequential, and with 2 workers of
   joblib's threading backend, which share the process's cache. The number
   of ROF computations (counted in this process) is printed.
4. **The content hash** that keys the cache (SHA-256 or BLAKE2b over the
   raw bytes, whichever is faster here) against the steps: MB/s of hashing
   against the throughput of ROF and of a Gaussian blur on the same float64
   batch.

Before any timing every search runs once on 90 digits with every
``n_jobs`` (not timed), so that joblib's worker processes are started and
numba's kernels loaded in them; the median of ``--repeats`` runs is
reported.
"""

import argparse
import os
import sys
import time
from statistics import median

import numpy as np

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import run as bench  # noqa: E402

JOBS = (1, 2, -1)


def _median_seconds(run, repeats, warm_up=False):
    if warm_up:
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return median(times)


def quickstart_search(n_jobs):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from skimgproc import Flatten, GaussianBlur, SobelGradient

    pipe = Pipeline([
        ("blur", GaussianBlur()),
        ("edges", SobelGradient(output="magnitude")),
        ("flatten", Flatten()),
        ("scale", StandardScaler()),
        ("clf", LogisticRegression(max_iter=1000)),
    ])
    return GridSearchCV(pipe, {"blur__sigma": [0.0, 0.5, 1.0]}, cv=3, n_jobs=n_jobs)


def rof_pipeline(rof_jobs=None, tolerance=1e-4):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from skimgproc import Flatten, ROFDenoiser

    return Pipeline([("rof", ROFDenoiser(2.0, tolerance=tolerance, n_jobs=rof_jobs)),
                     ("flatten", Flatten()), ("scale", StandardScaler()),
                     ("clf", LogisticRegression(max_iter=1000))])


def rof_search(n_jobs, rof_jobs=None):
    from sklearn.model_selection import GridSearchCV

    return GridSearchCV(rof_pipeline(rof_jobs), {"rof__tv_weight": [0.5, 1.0, 2.0]},
                        cv=3, n_jobs=n_jobs)


def classifier_search(n_jobs):
    """The issue's search: the classifier's C alone, ROF to a tight tolerance."""
    from sklearn.model_selection import GridSearchCV

    return GridSearchCV(rof_pipeline(tolerance=1e-5),
                        {"clf__C": [0.01, 0.1, 1.0, 10.0]}, cv=3, n_jobs=n_jobs)


class _CountROF:
    """Counts the ROF engine's runs in this process (the search's threads)."""

    def __enter__(self):
        from skimgproc import denoise

        self.module, self.engine, self.calls = denoise, denoise._rof, 0

        def counted(*args, **kwargs):
            self.calls += 1
            return self.engine(*args, **kwargs)

        denoise._rof = counted
        return self

    def __exit__(self, *exc):
        self.module._rof = self.engine


def warm_up(X, y):
    """Start the worker processes and load the kernels, untimed."""
    for n in JOBS:
        for make in (quickstart_search, rof_search, classifier_search):
            make(n).fit(X[:90], y[:90])


def _jobs_table(title, make, X, y, repeats):
    seconds = {n: _median_seconds(lambda n=n: make(n).fit(X, y), repeats)
               for n in JOBS}
    lines = [f"#### {title}", "", "| GridSearchCV n_jobs | wall (s) | vs n_jobs=1 |",
             "|---|---:|---:|"]
    for n, s in seconds.items():
        lines.append(f"| {n} | {s:.2f} | {seconds[1] / s:.2f}x |")
    return "\n".join(lines) + "\n", seconds


def _cache_table(X, y, repeats):
    from joblib import parallel_config

    from skimgproc import _cache, config_context

    rows = []
    for backend, n_jobs in (("sequential", 1), ("threading", 2)):
        for size in (0, "1GB"):
            def fit(size=size, n_jobs=n_jobs):
                with config_context(cache_size=size):
                    _cache.clear()  # every timed search starts empty
                    classifier_search(n_jobs).fit(X, y)

            with parallel_config(backend=backend if n_jobs > 1 else "loky"):
                seconds = _median_seconds(fit, repeats)
                with _CountROF() as count:
                    fit()
            rows.append((backend, n_jobs, size, seconds, count.calls))
    lines = ["#### GridSearchCV over the classifier's C (4 values, cv=3) on ROF",
             "", "| backend, n_jobs | cache_size | wall (s) | ROF computed | "
             "vs no cache |", "|---|---|---:|---:|---:|"]
    for backend, n_jobs, size, seconds, computed in rows:
        off = next(r[3] for r in rows if r[:2] == (backend, n_jobs) and r[2] == 0)
        lines.append(f"| {backend}, {n_jobs} | {size or 'off'} | {seconds:.2f} | "
                     f"{computed} | {off / seconds:.2f}x |")
    return "\n".join(lines) + "\n"


def _hash_table(n_images, repeats):
    from skimgproc import gaussian_blur, rof_denoise
    from skimgproc._cache import content_digest, hash_algorithm

    images = np.random.default_rng(0).random((n_images, 256, 256)) * 255
    mb = images.nbytes / 1e6
    hashing = _median_seconds(lambda: content_digest(images), max(repeats, 5), True)
    rof = _median_seconds(lambda: rof_denoise(images, 20.0), repeats, True)
    blur = _median_seconds(lambda: gaussian_blur(images, 2.0), max(repeats, 5), True)
    lines = [f"#### Content hash against the steps ({n_images} x 256 x 256 float64, "
             f"{mb:.0f} MB)", "", "| what | ms | MB/s | time / hash |",
             "|---|---:|---:|---:|"]
    for name, s in ((f"content hash, {hash_algorithm()} (the cache key)", hashing),
                    ("ROF, tv_weight 20, default solver", rof),
                    ("Gaussian blur, sigma 2", blur)):
        lines.append(f"| {name} | {s * 1e3:.1f} | {mb / s:.0f} | "
                     f"{s / hashing:.1f} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="300 digits, 1 repeat: under a minute")
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 3)
    from skimgproc.datasets import load_digits

    images, target = load_digits()
    n = 300 if args.quick else len(target)
    X, y = images[:n], target[:n]
    print(f"{n} digits (8 x 8), {repeats} repeat(s); cores free now: two threads "
          f"{bench.parallelism():.2f}x one (load average {os.getloadavg()[0]:.2f}), "
          f"{os.cpu_count()} cores\n")
    warm_up(X, y)
    text, _ = _jobs_table("The README's quickstart search (3 candidates, cv=3)",
                          quickstart_search, X, y, repeats)
    print(text, flush=True)
    text, _ = _jobs_table("ROF search (3 tv_weight, cv=3), estimators' n_jobs=None",
                          rof_search, X, y, repeats)
    print(text, flush=True)
    text, _ = _jobs_table("ROF search (3 tv_weight, cv=3), rof__n_jobs=1",
                          lambda n: rof_search(n, rof_jobs=1), X, y, repeats)
    print(text, flush=True)
    print(_cache_table(X, y, repeats), flush=True)
    print(_hash_table(16 if args.quick else 64, repeats), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
