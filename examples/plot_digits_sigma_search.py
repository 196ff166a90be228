"""
Tuning the blur of a classifier's input with GridSearchCV
=========================================================

Because ``GaussianBlur`` is a scikit-learn transformer, its ``sigma`` is a
hyper-parameter like any other: here a cross-validated grid search picks the
blur that helps a logistic regression read handwritten 8 x 8 digits best.
"""

# %%
import os
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skimgproc import Flatten, GaussianBlur
from skimgproc.datasets import load_digits
from skimgproc.plotting import ColorScale, write_panels

FIGURES = Path(os.environ.get("SKIMGPROC_FIGURES", "figures"))
FIGURES.mkdir(parents=True, exist_ok=True)

# %%
# The digits as a batch of images ``(n, 8, 8)``, a random half of them to
# keep the search quick.
images, target = load_digits()
rng = np.random.RandomState(0)
subset = rng.permutation(len(images))[:600]
X, y = images[subset], target[subset]

# %%
# Blur, flatten each image to a row of 64 features, standardise them,
# classify. The grid
# includes ``sigma=0`` (no blur) as the baseline.
pipe = Pipeline([
    ("blur", GaussianBlur()),
    ("flatten", Flatten()),
    ("scale", StandardScaler()),
    ("classify", LogisticRegression(max_iter=1000)),
])
search = GridSearchCV(pipe, {"blur__sigma": [0.0, 0.5, 1.0, 2.0]}, cv=3)
search.fit(X, y)
scores = search.cv_results_["mean_test_score"]
for sigma, score in zip(search.cv_results_["param_blur__sigma"], scores, strict=True):
    print(f"sigma={sigma}: cross-validated accuracy {score:.3f}")
print(f"best: {search.best_params_} ({search.best_score_:.3f})")

# %%
# What the classifier sees at each sigma (digits enlarged 16 times), on one
# scale: the blur spreads the ink and lowers its peak.
panels = []
for sigma, score in zip(search.cv_results_["param_blur__sigma"], scores, strict=True):
    digit = GaussianBlur(sigma=sigma).fit_transform(X[:1])[0]
    big = np.kron(digit, np.ones((16, 16)))
    panels.append((f"sigma={sigma}: acc {score:.3f}", big))
write_panels(FIGURES / "digits_sigma_search.png", panels, width=200,
             title="Blur of the input vs accuracy",
             scale=ColorScale(limits=(0, 16), label="ink (0..16)"))
print(f"saved {FIGURES / 'digits_sigma_search.png'}")
