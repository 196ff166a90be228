"""The object-features workloads of issue 13: ``ObjectFeatures`` against the
loop a user would write, ``scipy.ndimage.label`` then
``skimage.measure.regionprops`` and the statistics on each image (the
reference output; the issue asks for 5x faster).

Competitors: ``skimgproc`` (the estimator's defaults: threshold 128, no
morphology; area, perimeter, eccentricity and mean intensity, their mean,
std, min and max; every core, the compiled path), ``skimgproc, 1 thread``,
``skimgproc, reference path`` (``config_context(accelerate=False)``: the
NumPy pass) and the ``textbook loop``. Inputs: the counting workload's pages
of houses and pages of blocks. Without scikit-image there is nothing to
compare with, and no workload.
"""

import numpy as np
from scipy import ndimage as ndi

import skimgproc
from benchmarks.workloads import (
    THRESHOLD,
    Competitor,
    Workload,
    _reference,
    blocks_batch,
    houses_batch,
)

try:
    from skimage.measure import regionprops
except ImportError:  # pragma: no cover - a peer, optional
    regionprops = None

PROPERTIES = ("area", "perimeter", "eccentricity", "intensity_mean")
STATISTICS = (np.mean, np.std, np.min, np.max)


def textbook(X):
    """Label each image, measure its regions, summarise them."""
    rows = []
    for x in X:
        labels, _ = ndi.label(x < THRESHOLD)
        regions = regionprops(labels, intensity_image=x)
        row = [len(regions)]
        for name in PROPERTIES:
            values = np.array([getattr(r, name) for r in regions], np.float64)
            row += [f(values) if len(values) else 0.0 for f in STATISTICS]
        rows.append(row)
    return np.array(rows)


def relative_diff(out, ref):
    out = np.asarray(out, np.float64)
    return (float(np.max(np.abs(out - ref) / np.maximum(np.abs(ref), 1.0))),)


def objects_workload(key, n, small=False):
    shape = (n, 28, 28) if small else (n, 512, 512)

    def make():
        return blocks_batch(n) if small else houses_batch(n)

    def ours(X, **kwargs):
        return skimgproc.ObjectFeatures(THRESHOLD, **kwargs).fit_transform(X)

    competitors = [
        Competitor("skimgproc", ours, note="ObjectFeatures().fit_transform"),
        Competitor("skimgproc, 1 thread", lambda X: ours(X, n_jobs=1)),
        Competitor("skimgproc, reference path", lambda X: _reference(ours, X)),
        Competitor("textbook loop", textbook,
                   note="ndi.label + skimage.measure.regionprops + statistics "
                        "per image"),
    ]
    title = ("Object features (n_objects; area, perimeter, eccentricity, mean "
             f"intensity x mean, std, min, max), {' x '.join(f'{s:,}' for s in shape)}")
    return Workload(key, title, "objects", "small" if small else "large", make,
                    relative_diff, competitors,
                    diff_label="max relative diff of the features")


def object_workloads(quick=False):
    """Issue 13's batches; ``quick`` shrinks them (same images)."""
    if regionprops is None:  # pragma: no cover - a peer, optional
        return []
    large, small = (4, 1_000) if quick else (16, 10_000)
    return [objects_workload("objects-large", large),
            objects_workload("objects-small", small, small=True)]
