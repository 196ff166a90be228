"""
Batches larger than memory, and searches on a cluster, with Dask
================================================================

Every skimgproc transformer takes a dask array chunked along the samples and
returns a lazy dask array: nothing is computed until asked, then one chunk
of images at a time, each giving what NumPy input would. Here a folder of
image files is read lazily with :func:`dask.array.image.imread`, the objects
of every image are counted and blurred copies are written to disk, without
the batch ever being in memory at once. Then a
:class:`~sklearn.model_selection.GridSearchCV` runs on a local Dask cluster
through joblib's dask backend.

Needs ``pip install "skimgproc[dask]"``. The cluster starts worker processes,
which import this script again: the work is under ``if __name__ ==
"__main__"``.
"""

# %%
import os
import tempfile
from pathlib import Path

import dask
import dask.array as da
import joblib
import numpy as np
from dask.array.image import imread
from distributed import Client, LocalCluster
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skimgproc import (
    BinaryOpeningCounter,
    Flatten,
    GaussianBlur,
    read_image,
    write_image,
)
from skimgproc.datasets import load_digits, make_houses
from skimgproc.plotting import write_panels

FIGURES = Path(os.environ.get("SKIMGPROC_FIGURES", "figures"))


# %%
# A folder of image files: 24 noisy gray scenes of 48 houses each, some
# joined by thin bridges. On a real job the folder would hold more images
# than memory.
def write_folder(folder, n_images=24, seed=0):
    rng = np.random.default_rng(seed)
    for i in range(n_images):
        houses, _ = make_houses(48, n_bridges=i % 4, seed=i)
        gray = 60 + 0.6 * houses + rng.normal(0, 12, houses.shape)
        write_image(folder / f"scene_{i:03d}.png",
                    np.clip(gray, 0, 255).astype(np.uint8))


# %%
# Read lazily: one chunk per file, read only when a result needs it. Then
# count the objects of each image, before and after the chapter's opening,
# and write blurred copies into a memory-mapped ``.npy`` file. Each step is
# a lazy dask array; ``dask.compute`` and ``da.store`` run them chunk by
# chunk.
def count_and_blur(folder, out_path):
    batch = imread(str(folder / "*.png"), imread=read_image)
    # 4 images per task, and float32 all the way (8-bit input would become
    # float64, the contract's rule for integers).
    batch = batch.rechunk((4, -1, -1)).astype(np.float32)
    raw = BinaryOpeningCounter(operation="none").fit_transform(batch)
    opened = BinaryOpeningCounter(structure=(9, 5), iterations=2).fit_transform(batch)
    blurred = GaussianBlur(sigma=2.0).fit_transform(batch)
    print(f"lazy batch {batch.shape} in {batch.numblocks[0]} chunks; "
          f"counts {opened.shape}, blurred {blurred.shape} {blurred.dtype}")
    raw, opened = dask.compute(raw[:, 0], opened[:, 0])
    target = np.lib.format.open_memmap(out_path, mode="w+", dtype=blurred.dtype,
                                       shape=blurred.shape)
    da.store(blurred, target)
    target.flush()
    print("objects per image, before opening:", raw.astype(int).tolist())
    print("objects per image, after opening: ", opened.astype(int).tolist())
    return raw, opened


# %%
# A search on a cluster. ``LocalCluster`` starts one on this machine (here
# two single-threaded worker processes, on the loopback interface only);
# ``Client(address)`` would join an existing one. Inside
# ``joblib.parallel_config(backend="dask")`` scikit-learn sends its fits to
# the cluster: the images of each fit are processed by a worker.
def search_on_cluster():
    images, target = load_digits()
    search = GridSearchCV(
        make_pipeline(GaussianBlur(), Flatten(), RidgeClassifier()),
        {"gaussianblur__sigma": [0.0, 0.5, 1.0, 1.5, 2.0]},
        cv=5,
        n_jobs=-1,
    )
    with (
        # Port 0: the scheduler's HTTP server (started even without a
        # dashboard) fails the cluster when 8787 is taken by another one.
        LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                     dashboard_address=":0",
                     scheduler_kwargs={"dashboard": False}) as cluster,
        Client(cluster),
        joblib.parallel_config(backend="dask"),
    ):
        search.fit(images, target)
    for sigma, score in zip(search.cv_results_["param_gaussianblur__sigma"],
                            search.cv_results_["mean_test_score"], strict=True):
        print(f"sigma {sigma}: accuracy {score:.3f}")
    print(f"best on the cluster: {search.best_params_}")


# %%
if __name__ == "__main__":
    FIGURES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "scenes"
        folder.mkdir()
        write_folder(folder)
        raw, opened = count_and_blur(folder, Path(tmp) / "blurred.npy")
        blurred = np.load(Path(tmp) / "blurred.npy", mmap_mode="r")
        panels = [
            (f"file {i}: {raw[i]:.0f} objects, {opened[i]:.0f} opened",
             read_image(folder / f"scene_{i:03d}.png"))
            for i in (1, 3)
        ] + [("blurred, read back from disk", np.asarray(blurred[3]))]
        write_panels(FIGURES / "dask_folder.png", panels, ncols=3, width=300,
                     title="A folder counted and blurred chunk by chunk")
        del blurred  # release the memory map before the folder goes
    print(f"saved {FIGURES / 'dask_folder.png'}")
    search_on_cluster()
