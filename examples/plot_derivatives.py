"""
Image derivatives: Sobel and Gaussian
=====================================

How fast the brightness changes, along x and along y: the chapter computes
them with Sobel filters and with Gaussian derivative filters, whose ``sigma``
sets the scale of the edges they respond to. The gradient magnitude
``sqrt(dx**2 + dy**2)`` is large on edges of any direction.
"""

# %%
import os
from pathlib import Path

import numpy as np

from skimgproc import GaussianGradient, SobelGradient
from skimgproc.datasets import load_photo
from skimgproc.plotting import write_panels

FIGURES = Path(os.environ.get("SKIMGPROC_FIGURES", "figures"))
FIGURES.mkdir(parents=True, exist_ok=True)

gray = load_photo("china")
batch = gray[np.newaxis].astype(np.float64)


def signed(values):
    """Derivatives for display: 0 mid-gray, negative dark, positive light."""
    scale = np.abs(values).max() or 1.0
    return np.clip(np.rint(127.5 + 127.5 * values / scale), 0, 255).astype(np.uint8)


# %%
# Sobel: ``output`` chooses what the estimator returns. ``"x"`` equals
# ``scipy.ndimage.sobel(image, axis=1)`` on every image of the batch.
dx = SobelGradient(output="x").fit_transform(batch)[0]
dy = SobelGradient(output="y").fit_transform(batch)[0]
magnitude = SobelGradient(output="magnitude").fit_transform(batch)[0]
write_panels(
    FIGURES / "sobel.png",
    [("original", gray), ("x derivative", signed(dx)),
     ("y derivative", signed(dy)), ("magnitude", magnitude)],
    title="Sobel derivatives",
)
print(f"Sobel magnitude: max {magnitude.max():.0f}, mean {magnitude.mean():.1f}")

# %%
# Gaussian derivatives at three scales: the larger sigma, the coarser the
# edges that stand out (and the smaller the derivatives, as the image is
# smoother at that scale).
panels = []
for sigma in (2, 5, 10):
    for output in ("x", "y", "magnitude"):
        values = GaussianGradient(sigma=sigma, output=output).fit_transform(batch)[0]
        shown = values if output == "magnitude" else signed(values)
        panels.append((f"sigma={sigma}: {output}", shown))
        if output == "magnitude":
            print(f"sigma={sigma:>2}: mean gradient magnitude {values.mean():.2f}")
write_panels(FIGURES / "gaussian_derivatives.png", panels, ncols=3,
             title="Gaussian derivatives")
print(f"saved {FIGURES / 'sobel.png'} and {FIGURES / 'gaussian_derivatives.png'}")
