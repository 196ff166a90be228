"""The HOG workloads of issue 13: skimgproc's ``hog`` against a loop of
``skimage.feature.hog`` over the images (the reference output).

Competitors: ``skimgproc`` (the public function, every core, the compiled
path), ``skimgproc, 1 thread`` (for the thread scaling), ``skimgproc,
reference path`` (``config_context(accelerate=False)``: the numpy code) and
``scikit-image loop``. Without scikit-image there is nothing to compare
with, and no workload.
"""

import numpy as np

import skimgproc
from benchmarks.workloads import Competitor, Workload, _reference, max_abs_diff

try:
    from skimage.feature import hog as skimage_hog
except ImportError:  # pragma: no cover - a peer, optional
    skimage_hog = None

REFERENCE = "scikit-image loop"


def hog_workload(key, shape, *, size, seed=2, **params):
    """HOG of a float32 batch of uniform noise with ``params``."""

    def make():
        return np.random.default_rng(seed).random(shape, dtype=np.float32)

    def skimage_loop(X):
        return np.stack([skimage_hog(x, feature_vector=True, **params) for x in X])

    competitors = [
        Competitor("skimgproc", lambda X: skimgproc.hog(X, **params)),
        Competitor("skimgproc, 1 thread",
                   lambda X: skimgproc.hog(X, n_jobs=1, **params)),
        Competitor("skimgproc, reference path",
                   lambda X: _reference(skimgproc.hog, X, **params)),
        Competitor(REFERENCE, skimage_loop, note="skimage.feature.hog per image"),
    ]
    described = ", ".join(f"{k} {v}" for k, v in params.items())
    title = f"HOG, {' x '.join(f'{s:,}' for s in shape)}, {described}"
    return Workload(key, title, "hog", size, make, max_abs_diff, competitors,
                    reference=REFERENCE)


def hog_workloads(quick=False):
    """Issue 13's two batches; ``quick`` shrinks them (same images)."""
    if skimage_hog is None:  # pragma: no cover - a peer, optional
        return []
    large, small = (4, 1_000) if quick else (16, 10_000)
    return [
        hog_workload("hog-small", (small, 28, 28), size="small",
                     pixels_per_cell=(7, 7), cells_per_block=(2, 2)),
        hog_workload("hog-large", (large, 512, 512), size="large",
                     pixels_per_cell=(8, 8), cells_per_block=(3, 3)),
    ]
