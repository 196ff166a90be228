"""The benchmark's machinery on tiny workloads (no timing is asserted: speed
is measured by ``python -m benchmarks``, not by the test suite)."""

import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("cv2")
pytest.importorskip("skimage")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import run as bench  # noqa: E402
from benchmarks import workloads as wl  # noqa: E402


@pytest.fixture(scope="module")
def results():
    probe = bench.parallelism
    bench.parallelism = lambda: 2.0  # the probe takes a while; not tested here
    tiny = [
        wl.base_install(wl.blur_workload("blur", (3, 24, 20), 1.5)),
        wl.blur_workload("blur-colour", (2, 24, 20, 3), 1.5),
        wl.sobel_workload("sobel", (3, 24, 20)),
        wl.count_workload("count", 12, small=True),
        wl.rof_chapter_workload("rof-chapter", 2, size=24),
        wl.rof_default_workload("rof", size=24),
    ]
    try:
        return [bench.run_workload(w, repeats=2, budget=1.0) for w in tiny]
    finally:
        bench.parallelism = probe


def test_parallelism_probe_is_a_speed_up():
    assert 0.3 < bench.parallelism() < 4


def test_every_competitor_is_timed_and_compared(results):
    for result in results:
        names = [row["name"] for row in result["rows"]]
        assert "skimgproc" in names
        for row in result["rows"]:
            assert 1 <= len(row["times_s"]) <= 2
            assert row["median_s"] > 0 and row["cpu_s"] >= 0
            assert all(np.isfinite(row["diff"]))


def test_outputs_agree_with_the_reference(results):
    by_key = {r["key"]: r for r in results}
    for key in ("blur", "blur-colour"):
        for row in by_key[key]["rows"]:
            assert row["diff"][0] < 1e-5, row["name"]
    for row in by_key["sobel"]["rows"]:
        if not row["name"].startswith("OpenCV"):  # cv2.phase: 1e-4 rad
            assert max(row["diff"]) < 1e-5, row["name"]
    for row in by_key["count"]["rows"]:
        assert row["diff"] == (0.0,), row["name"]
    # Every ROF competitor reaches its target energy (up to float32 sums).
    for key in ("rof-chapter", "rof"):
        for row in by_key[key]["rows"]:
            assert row["diff"][0] <= 1e-6, (key, row["name"])


def test_the_chapter_needs_more_iterations_than_it_is_given_by_default(results):
    rof = next(r for r in results if r["key"] == "rof")
    note = rof["notes"][0]
    assert note.startswith("The chapter's solver needed")
    assert int(note.split("needed ")[1].split()[0].rstrip(",")) > 35


def test_tables_and_targets_print(results):
    text = bench.report(
        {"cpu": "test", "cores": 2, "load_average": (0.0, 0.0, 0.0),
         "parallelism": 2.0, "parallelism_end": 2.0, "load_end": (0.0,),
         "copy_scaling": 1.5,
         "versions": {"numpy": np.__version__}},
        results, 1 << 21,
    )
    assert "#### Targets of issues 6 and 17" in text
    assert "Thread scaling, skimgproc alone" in text
    assert "OpenCV best (" in text
    assert "| skimgproc, base install (numba, OpenCV hidden) |" in text
    assert "skimgproc, base install: as fast as OpenCV's best" in text
    assert text.count("| skimgproc") >= len(results)


def test_chapter_denoise_is_the_books_iteration():
    """The re-implementation against the chapter's code as printed, run on
    its own (float64) on a small image."""
    from numpy import linalg, maximum, roll, sqrt

    def denoise(im, U_init, tolerance=0.1, tau=0.125, tv_weight=100):
        m, n = im.shape
        U = U_init
        Px = im
        Py = im
        error = 1
        while error > tolerance:
            Uold = U
            GradUx = roll(U, -1, axis=1) - U
            GradUy = roll(U, -1, axis=0) - U
            PxNew = Px + (tau / tv_weight) * GradUx
            PyNew = Py + (tau / tv_weight) * GradUy
            NormNew = maximum(1, sqrt(PxNew**2 + PyNew**2))
            Px = PxNew / NormNew
            Py = PyNew / NormNew
            RxPx = roll(Px, 1, axis=1)
            RyPy = roll(Py, 1, axis=0)
            DivP = (Px - RxPx) + (Py - RyPy)
            U = im + tv_weight * DivP
            error = linalg.norm(U - Uold) / sqrt(n * m)
        return U, im - U

    from skimgproc.datasets import make_squares

    im, _ = make_squares(size=40)
    np.testing.assert_allclose(wl.chapter_denoise(im), denoise(im, im)[0],
                               rtol=0, atol=1e-9)


def test_neumann_chapter_iteration_decreases_the_neumann_energy():
    from skimgproc.datasets import make_squares

    im, _ = make_squares(size=32)
    steps = wl.chapter_steps(im, periodic=False)
    energies = [wl.rof_energy(next(steps), im, False) for _ in range(400)]
    assert energies[-1] < energies[50] < energies[0]


@pytest.mark.slow
def test_dask_scaling_times_every_setting():
    pytest.importorskip("distributed")
    from benchmarks import dask_scaling

    results = dask_scaling.measure(n_images=4, size=24, repeats=1,
                                   worker_counts=(1, 2))
    assert set(results) == set(dask_scaling.workloads())
    for rows in results.values():
        assert list(rows) == ["NumPy batch, n_jobs=1", "NumPy batch, n_jobs=2",
                              "dask, 1 worker", "dask, 2 workers"]
        assert all(seconds > 0 for seconds in rows.values())
    assert "| dask, 2 workers |" in dask_scaling.table(results)
