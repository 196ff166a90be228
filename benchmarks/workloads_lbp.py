"""The LBP workload of issue 13: ``LBPHistogram`` against the loop a user
would write, ``skimage.feature.local_binary_pattern`` and ``np.histogram``
on each image (the reference output).

Competitors: ``skimgproc`` (the estimator, every core, the compiled path),
``skimgproc, 1 thread`` (for the thread scaling), ``skimgproc, reference
path`` (``config_context(accelerate=False)``: the NumPy code) and the
``textbook loop``. The input is a batch of ``uint8`` images of smoothed
noise (gray levels with ties and gradients, as in photographs). Without
scikit-image there is nothing to compare with, and no workload.
"""

import numpy as np
from scipy import ndimage as ndi

import skimgproc
from benchmarks.workloads import Competitor, Workload, _reference, max_abs_diff

try:
    from skimage.feature import local_binary_pattern
except ImportError:  # pragma: no cover - a peer, optional
    local_binary_pattern = None

P, R, METHOD = 8, 1.0, "uniform"


def textures(n, size=512, seed=3):
    """``n`` uint8 images of Gaussian-smoothed noise, 0..255."""
    noise = np.random.default_rng(seed).random((n, size, size), dtype=np.float32)
    smooth = ndi.gaussian_filter(noise, (0.0, 1.5, 1.5))
    low, high = smooth.min(), smooth.max()
    return np.round((smooth - low) / (high - low) * 255).astype(np.uint8)


def lbp_workload(key, n, size=512):
    """``LBPHistogram(8, 1.0, method="uniform")`` of ``n`` images."""

    def textbook(X):
        bins = np.arange(P + 3)  # the P + 2 uniform codes
        rows = []
        for x in X:
            codes = local_binary_pattern(x, P, R, METHOD)
            rows.append(np.histogram(codes, bins=bins)[0] / codes.size)
        return np.array(rows)

    def ours(X, **kwargs):
        return skimgproc.LBPHistogram(P, R, method=METHOD, **kwargs).fit_transform(X)

    competitors = [
        Competitor("skimgproc", ours, note="LBPHistogram().fit_transform"),
        Competitor("skimgproc, 1 thread", lambda X: ours(X, n_jobs=1)),
        Competitor("skimgproc, reference path", lambda X: _reference(ours, X)),
        Competitor("textbook loop", textbook,
                   note="skimage.feature.local_binary_pattern + np.histogram "
                        "per image"),
    ]
    title = (f"LBP histogram (P {P}, R {R:g}, {METHOD}), {n} x {size} x {size} "
             "uint8")
    return Workload(key, title, "lbp", "large" if size >= 512 else "small",
                    lambda: textures(n, size), max_abs_diff, competitors,
                    diff_label="max abs diff of the histograms")


def lbp_workloads(quick=False):
    """Issue 13's batch; ``quick`` shrinks it (same images)."""
    if local_binary_pattern is None:  # pragma: no cover - a peer, optional
        return []
    return [lbp_workload("lbp-large", 4 if quick else 16)]
