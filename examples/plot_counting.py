"""
Counting objects: threshold, open, label
========================================

The chapter counts the houses of a binary image: threshold it, label its
connected components, count them. Houses joined by thin bridges count as
one, so it first separates them with a morphological *opening* (an erosion
that cuts the bridges followed by a dilation that restores the houses). Here
``make_houses`` draws such an image with a known count: 48 houses, three
pairs of them joined, as in the chapter (45 objects before opening, 48
after).
"""

# %%
import os
from pathlib import Path

import numpy as np
from sklearn.model_selection import GridSearchCV

from skimgproc import BinaryOpeningCounter, binary_opening, label, threshold
from skimgproc.datasets import make_houses
from skimgproc.plotting import ColorScale, Panel, colorize_labels, write_panels

FIGURES = Path(os.environ.get("SKIMGPROC_FIGURES", "figures"))
FIGURES.mkdir(parents=True, exist_ok=True)

# %%
# The image: dark houses (0) on white (255), and the true count.
image, true_count = make_houses(seed=0)
batch = image[np.newaxis]

# %%
# Step by step, as in the chapter: ``1 * (im < 128)``, label, count; then
# ``binary_opening(im, ones((9, 5)), iterations=2)`` and count again.
binary = threshold(batch, 128)
labels, counts = label(binary, return_counts=True)
opened = binary_opening(binary, np.ones((9, 5)), iterations=2)
labels_opened, counts_opened = label(opened, return_counts=True)
print(f"before opening: {counts[0]} objects; after: {counts_opened[0]} "
      f"(true count {true_count})")
# The counts are written on the label panels. The two binary images (0 and
# 255, 0 and 1) each get a scale of their own, without a colour bar.
write_panels(
    FIGURES / "counting.png",
    [Panel(image, "houses", ColorScale(colorbar=False)),
     Panel(colorize_labels(labels[0]), "labels", text=f"{counts[0]} objects"),
     Panel(opened[0], "after opening", ColorScale(colorbar=False)),
     Panel(colorize_labels(labels_opened[0]), "labels after opening",
           text=f"{counts_opened[0]} objects")],
    ncols=2, width=400, title="Counting houses before and after opening",
)

# %%
# The same recipe as one estimator, whose ``transform`` gives one row of
# features per image. Its parameters can be searched like any other: here a
# grid search scores each setting by how close the count comes to the truth
# on a few images drawn with different seeds.
images, truths = zip(*(make_houses(n_bridges=8, seed=s) for s in range(4)), strict=True)
X, y = np.stack(images), np.array(truths, dtype=float)


def count_error(estimator, X, y):
    """Minus the mean absolute counting error (higher is better)."""
    return -np.mean(np.abs(estimator.transform(X)[:, 0] - y))


search = GridSearchCV(
    BinaryOpeningCounter(),
    {"structure": [(3, 3), (9, 5)], "iterations": [1, 2]},
    scoring=count_error, cv=2,
)
search.fit(X, y)
for params, score in zip(search.cv_results_["params"],
                         search.cv_results_["mean_test_score"], strict=True):
    print(f"{params}: mean counting error {abs(score):.2f}")
print(f"best: {search.best_params_}; saved {FIGURES / 'counting.png'}")
