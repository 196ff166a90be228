"""Time per image of skimgproc on a dask batch, on 1 and 2 Dask workers.

Usage, from the repository root (needs ``pip install -e ".[bench]"``)::

    python -m benchmarks.dask_scaling            # 128 images of 512 x 512
    python -m benchmarks.dask_scaling --quick    # 32 images, 2 repeats

Each workload is a lazy pipeline over a float32 batch that the workers make
and keep in memory beforehand (``dask.array.random``, 16 images to a chunk),
reduced to a few numbers per image so that only the work, not the transfer
of the results, is timed. It runs on a ``LocalCluster`` of 1 and then 2 single-threaded
worker processes on this machine (loopback only), each warmed up by one run
(imports, compilation) that is not timed, then timed ``--repeats`` times;
the median is reported. For reference, the same pipeline runs in this
process on the in-memory batch, with ``n_jobs=1`` and ``n_jobs=2``, in the
same run.
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

CHUNK = 16  # images per chunk (16 MB): amortises the cost of a task


def workloads():
    """``name -> (make a fitted pipeline for n_jobs, per-image reduction)``."""
    from sklearn.pipeline import make_pipeline

    from skimgproc import BinaryOpeningCounter, GaussianBlur, ROFDenoiser, SobelGradient

    return {
        "blur + Sobel magnitude, mean per image": (
            lambda n_jobs: make_pipeline(GaussianBlur(2.0, n_jobs=n_jobs),
                                         SobelGradient(n_jobs=n_jobs)),
            lambda out: out.mean(axis=(1, 2)),
        ),
        "count: opening ones(9, 5) x2 + label": (
            lambda n_jobs: BinaryOpeningCounter(0.5, n_jobs=n_jobs),
            lambda out: out[:, 0],
        ),
        "ROF denoising (tv_weight 0.1, default solver)": (
            lambda n_jobs: ROFDenoiser(0.1, n_jobs=n_jobs),
            lambda out: out.mean(axis=(1, 2)),
        ),
    }


def _timed(run, repeats):
    run()  # warm-up: imports and compilation on the workers, caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return median(times)


def measure(n_images, size, repeats, worker_counts=(1, 2)):
    """Median seconds per image for every workload and setting."""
    import dask.array as da
    from distributed import Client, LocalCluster, wait

    shape = (n_images, size, size)
    results = {name: {} for name in workloads()}
    # The in-process reference: the same pipelines on the NumPy batch.
    images = np.random.default_rng(0).random(shape, dtype=np.float32)
    for name, (pipeline, reduce) in workloads().items():
        for n_jobs in (1, 2):
            estimator = pipeline(n_jobs)
            seconds = _timed(
                lambda e=estimator, r=reduce, x=images: r(e.fit_transform(x)),
                repeats)
            results[name][f"NumPy batch, n_jobs={n_jobs}"] = seconds / n_images
    del images
    for n_workers in worker_counts:
        with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None) as cluster, \
                Client(cluster) as client:
            # Made and kept on the workers, so that the processing alone is
            # timed, as for the in-memory batch.
            batch = client.persist(da.random.default_rng(0).random(
                shape, dtype=np.float32, chunks=(CHUNK, size, size)))
            wait(batch)
            for name, (pipeline, reduce) in workloads().items():
                lazy = reduce(pipeline(None).fit_transform(batch))
                seconds = _timed(lambda lazy=lazy: client.compute(lazy).result(),
                                 repeats)
                label = f"dask, {n_workers} worker{'s' if n_workers > 1 else ''}"
                results[name][label] = seconds / n_images
    return results


def table(results):
    lines = []
    for name, rows in results.items():
        lines += [f"#### {name}", "",
                  "| setting | ms per image | vs dask, 1 worker |", "|---|---:|---:|"]
        one = rows.get("dask, 1 worker")
        for label, seconds in rows.items():
            ratio = f"{one / seconds:.2f}x" if one else "-"
            lines.append(f"| {label} | {seconds * 1e3:.2f} | {ratio} |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="32 images, 2 repeats")
    parser.add_argument("--images", type=int, default=None)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args(argv)
    n_images = args.images or (32 if args.quick else 128)
    repeats = args.repeats or (2 if args.quick else 5)
    probe = bench.parallelism()
    print(f"{n_images} images of {args.size} x {args.size}, float32, {CHUNK} to a "
          f"chunk; cores free now: two threads {probe:.2f}x one "
          f"(load average {os.getloadavg()[0]:.2f})\n")
    print(table(measure(n_images, args.size, repeats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
