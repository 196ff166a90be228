"""
A pipeline that starts from image files
=======================================

``ImageReader`` turns a list of file paths into a batch of images, so a
scikit-learn pipeline can start from files on disk: the paths are ``X``.
Here digits saved as PNG files are read, blurred, flattened and classified,
and the whole chain is cross-validated on the paths.
"""

# %%
import os
import tempfile
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skimgproc import Flatten, GaussianBlur, ImageReader, write_image
from skimgproc.datasets import load_digits
from skimgproc.plotting import write_panels

FIGURES = Path(os.environ.get("SKIMGPROC_FIGURES", "figures"))
FIGURES.mkdir(parents=True, exist_ok=True)

# %%
# Some image files to start from: 300 digits saved as 8-bit PNGs (0..16
# scaled to 0..255) in a temporary folder.
images, target = load_digits()
folder = tempfile.TemporaryDirectory()
paths = []
for i in range(300):
    path = Path(folder.name) / f"digit_{i:03d}_label_{target[i]}.png"
    write_image(path, np.rint(images[i] * 255 / 16).astype(np.uint8))
    paths.append(str(path))
labels = target[:300]

# %%
# The pipeline reads the files itself.
pipe = make_pipeline(
    ImageReader(mode="L"),
    GaussianBlur(sigma=0.5),
    Flatten(),
    StandardScaler(),
    LogisticRegression(max_iter=1000),
)
scores = cross_val_score(pipe, paths, labels, cv=3)
print(f"cross-validated accuracy from files: {scores.mean():.3f} "
      f"(+- {scores.std():.3f})")

# %%
# Fit on some files, predict others, and show a few predictions.
train, test, y_train, y_test = train_test_split(paths, labels, test_size=0.25,
                                                random_state=0)
pipe.fit(train, y_train)
predicted = pipe.predict(test[:6])
shown = ImageReader().transform(test[:6])
panels = [(f"true {t}, predicted {k}", np.kron(im, np.ones((16, 16))))
          for t, k, im in zip(y_test[:6], predicted, shown, strict=True)]
write_panels(FIGURES / "pipeline_from_files.png", panels, ncols=3, width=160,
             title="Predictions of a pipeline fed file paths")
print(f"held-out accuracy {pipe.score(test, y_test):.3f}; "
      f"saved {FIGURES / 'pipeline_from_files.png'}")
folder.cleanup()
