"""
Gaussian blur at three scales
=============================

The chapter's first filter: convolving an image with a Gaussian kernel of
standard deviation ``sigma`` smooths away detail finer than about ``sigma``
pixels. This example blurs a photo at sigma 2, 5 and 10, in gray and in
colour (each channel on its own), once with the plain function and once with
the estimator, and saves both figures.
"""

# %%
# Where the figures go: the folder in ``SKIMGPROC_FIGURES``, or ``figures/``
# in the current directory.
import os
from pathlib import Path

import numpy as np

from skimgproc import GaussianBlur, gaussian_blur
from skimgproc.datasets import load_photo
from skimgproc.plotting import ColorScale, write_panels

FIGURES = Path(os.environ.get("SKIMGPROC_FIGURES", "figures"))
FIGURES.mkdir(parents=True, exist_ok=True)

# %%
# A built-in photo, gray (427 x 640) and colour (427 x 640 x 3). Every
# skimgproc operation works on a *batch* of images, so a single photo gets a
# leading axis: ``(1, 427, 640)``.
gray = load_photo("china")
colour = load_photo("china", mode="RGB")
batch = gray[np.newaxis]

# %%
# The function: one call per sigma. Brightness is kept (the kernel sums to
# one); only the detail goes, so the standard deviation of the pixels drops.
# The panels share one gray scale, 0..255, shown by the colour bar.
panels = [("original", gray)]
for sigma in (2, 5, 10):
    blurred = gaussian_blur(batch, sigma)[0]
    panels.append((f"sigma={sigma}", blurred))
    print(f"sigma={sigma:>2}: mean {blurred.mean():6.2f} (original "
          f"{gray.mean():.2f}), std {blurred.std():5.2f} (original {gray.std():.2f})")
write_panels(FIGURES / "blur_gray.png", panels, title="Gaussian blur, gray",
             scale=ColorScale(limits=(0, 255), label="gray level"))

# %%
# The estimator does the same inside a scikit-learn pipeline. Colour images
# are ``(n, height, width, 3)``: each channel is blurred on its own, as the
# chapter does channel by channel.
panels = [("original", colour)]
for sigma in (2, 5, 10):
    blurred = GaussianBlur(sigma=sigma).fit_transform(colour[np.newaxis])[0]
    panels.append((f"sigma={sigma}", blurred))  # colour: drawn as it is
write_panels(FIGURES / "blur_color.png", panels, title="Gaussian blur, colour")
print(f"saved {FIGURES / 'blur_gray.png'} and {FIGURES / 'blur_color.png'}")
