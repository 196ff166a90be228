"""
Choosing the ROF weight with GridSearchCV and PSNR
==================================================

``tv_weight`` trades noise removal against detail. With pairs of noisy and
clean images, the PSNR scorer lets a cross-validated grid search pick it:
the noisy images are ``X``, the clean ones ``y``, and each candidate is
scored by the mean PSNR of its output against ``y`` on held-out images.
"""

# %%
import os
from pathlib import Path

import numpy as np
from sklearn.model_selection import GridSearchCV

from skimgproc import GaussianBlur, ROFDenoiser
from skimgproc.datasets import make_squares
from skimgproc.metrics import make_psnr_scorer
from skimgproc.plotting import write_panels

FIGURES = Path(os.environ.get("SKIMGPROC_FIGURES", "figures"))
FIGURES.mkdir(parents=True, exist_ok=True)

# %%
# Six small versions of the chapter's image (100 x 100), each with its own
# noise (standard deviation 30).
X, y = make_squares(noise=30, seed=0, n_samples=6, size=100)
scorer = make_psnr_scorer(data_range=255)

# %%
# The grid search over ``tv_weight``.
search = GridSearchCV(ROFDenoiser(), {"tv_weight": [10.0, 30.0, 60.0, 100.0, 200.0]},
                      scoring=scorer, cv=3)
search.fit(X, y)
for weight, score in zip(search.cv_results_["param_tv_weight"],
                         search.cv_results_["mean_test_score"], strict=True):
    print(f"tv_weight={weight:>5}: mean PSNR {score:.2f} dB")
print(f"best: {search.best_params_} ({search.best_score_:.2f} dB)")

# %%
# The same search for a Gaussian blur, for comparison: its best sigma stays
# well below ROF's best PSNR, since blurring the noise blurs the edges too.
blur_search = GridSearchCV(GaussianBlur(), {"sigma": [0.5, 1.0, 1.5, 2.0, 3.0]},
                           scoring=scorer, cv=3)
blur_search.fit(X, y)
print(f"best Gaussian blur: {blur_search.best_params_} "
      f"({blur_search.best_score_:.2f} dB)")

# %%
# One of the images at three weights: too little, the best, too much.
weights = [10.0, search.best_params_["tv_weight"], 200.0]
panels = [("noisy", np.clip(X[0], 0, 255))]
for weight in weights:
    panels.append((f"tv_weight={weight:g}",
                   ROFDenoiser(tv_weight=weight).fit_transform(X[:1])[0]))
write_panels(FIGURES / "tv_weight_search.png", panels, width=240,
             title="ROF at three weights (the middle one chosen by GridSearchCV)")
print(f"saved {FIGURES / 'tv_weight_search.png'}")
