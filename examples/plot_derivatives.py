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
from skimgproc.plotting import ColorScale, Panel, write_panels

FIGURES = Path(os.environ.get("SKIMGPROC_FIGURES", "figures"))
FIGURES.mkdir(parents=True, exist_ok=True)

gray = load_photo("china")
batch = gray[np.newaxis].astype(np.float64)

# Derivatives are signed: a diverging colour map centred on 0 (red positive,
# blue negative), one scale for the panels that compare them.


# %%
# Sobel: ``output`` chooses what the estimator returns. ``"x"`` equals
# ``scipy.ndimage.sobel(image, axis=1)`` on every image of the batch.
dx = SobelGradient(output="x").fit_transform(batch)[0]
dy = SobelGradient(output="y").fit_transform(batch)[0]
magnitude = SobelGradient(output="magnitude").fit_transform(batch)[0]
signed = ColorScale(cmap="RdBu_r", symmetric=True, label="Sobel response")
write_panels(
    FIGURES / "sobel.png",
    [Panel(gray, "original", ColorScale(colorbar=False)),
     Panel(dx, "x derivative", signed), Panel(dy, "y derivative", signed),
     Panel(magnitude, "magnitude", ColorScale(cmap="magma", label="magnitude"))],
    width=320, title="Sobel derivatives",
)
print(f"Sobel magnitude: max {magnitude.max():.0f}, mean {magnitude.mean():.1f}")

# %%
# Gaussian derivatives at three scales: the larger sigma, the coarser the
# edges that stand out (and the smaller the derivatives, as the image is
# smoother at that scale). One scale for the derivatives at every sigma and
# one for the magnitudes make that fall visible.
signed = ColorScale(cmap="RdBu_r", symmetric=True, label="derivative")
magnitudes = ColorScale(cmap="magma", label="gradient magnitude")
panels = []
for sigma in (2, 5, 10):
    for output in ("x", "y", "magnitude"):
        values = GaussianGradient(sigma=sigma, output=output).fit_transform(batch)[0]
        if output == "magnitude":
            panels.append(Panel(values, f"sigma={sigma}: magnitude", magnitudes,
                                text=f"max {values.max():.1f}"))
            print(f"sigma={sigma:>2}: mean gradient magnitude {values.mean():.2f}")
        else:
            panels.append(Panel(values, f"sigma={sigma}: {output}", signed))
write_panels(FIGURES / "gaussian_derivatives.png", panels, ncols=3, width=320,
             title="Gaussian derivatives on shared colour scales")
print(f"saved {FIGURES / 'sobel.png'} and {FIGURES / 'gaussian_derivatives.png'}")
