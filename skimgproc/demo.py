"""The chapter's figures reproduced on built-in data: ``skimgproc demo``.

:func:`run_demo` draws the figures with matplotlib (blur, derivatives,
counting, denoising) and prints the key numbers; nothing is downloaded and
no file is needed. Each step is one function here, returning the figures it
saved (file name to matplotlib figure) and its lines of numbers.
"""

import time
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

from .datasets import load_photo, make_houses, make_squares
from .denoise import rof_denoise
from .filters import gaussian_blur
from .gradients import gaussian_gradient, sobel_gradient
from .measure import label
from .metrics import psnr
from .morphology import binary_opening
from .plotting import ColorScale, Panel, _matplotlib, colorize_labels, write_panels
from .thresholding import threshold

__all__ = ["run_demo"]

# The gray levels of the 8-bit images: one scale for the images compared.
_GRAY = dict(limits=(0, 255), label="gray level")
# The part of each denoised image shown enlarged: (row, col, height, width).
_SQUARES_CROP = (150, 150, 100, 100)  # a corner of the bright square
_PHOTO_CROP = (190, 250, 80, 120)


def _blur(outdir, gray, colour):
    panels_gray = [("original", gray)]
    panels_colour = [("original", colour)]
    for sigma in (2, 5, 10):
        panels_gray.append((f"gaussian_blur sigma={sigma}",
                            gaussian_blur(gray[None], sigma)[0]))
        panels_colour.append((f"gaussian_blur sigma={sigma}",
                              gaussian_blur(colour[None], sigma)[0]))
    figures = {
        "blur_gray.png": write_panels(
            outdir / "blur_gray.png", panels_gray, scale=ColorScale(**_GRAY),
            title="Gaussian blur of a gray photo (sigma in pixels)"),
        "blur_color.png": write_panels(
            outdir / "blur_color.png", panels_colour,
            title="Gaussian blur of each colour channel"),
    }
    return figures, []


def _derivatives(outdir, gray):
    image = gray[None].astype(np.float64)
    names = ("x", "y", "magnitude")
    photo = ColorScale(**_GRAY, colorbar=False)
    sobel = {k: v[0] for k, v in
             zip(names, sobel_gradient(image, output=names), strict=True)}
    signed = ColorScale(cmap="RdBu_r", symmetric=True, label="Sobel response")
    figures = {"sobel.png": write_panels(
        outdir / "sobel.png",
        [Panel(gray, "original", photo),
         Panel(sobel["x"], "Sobel x derivative", signed),
         Panel(sobel["y"], "Sobel y derivative", signed),
         Panel(sobel["magnitude"], "gradient magnitude",
               ColorScale(cmap="magma", label="Sobel gradient magnitude"),
               text=f"max {sobel['magnitude'].max():.0f}")],
        width=320, title="Sobel derivatives (red: positive, blue: negative)",
    )}
    # One scale for the derivatives at every sigma and one for the
    # magnitudes: how they fall as the scale grows is what the figure shows.
    signed = ColorScale(cmap="RdBu_r", symmetric=True,
                        label="derivative (gray levels per pixel)")
    magnitude_scale = ColorScale(cmap="magma", label="gradient magnitude")
    panels, maxima = [], []
    for sigma in (2, 5, 10):
        x, y, magnitude = (v[0] for v in gaussian_gradient(image, sigma, output=names))
        maxima.append(float(magnitude.max()))
        panels += [Panel(x, f"sigma={sigma}: x derivative", signed),
                   Panel(y, f"sigma={sigma}: y derivative", signed),
                   Panel(magnitude, f"sigma={sigma}: magnitude", magnitude_scale,
                         text=f"max {maxima[-1]:.1f}")]
    figures["gaussian_derivatives.png"] = write_panels(
        outdir / "gaussian_derivatives.png", panels, ncols=3, width=320,
        title="Gaussian derivatives at sigma 2, 5, 10, on shared colour scales")
    numbers = [f"Sobel gradient magnitude: max {sobel['magnitude'].max():.0f}, "
               f"mean {sobel['magnitude'].mean():.1f}",
               "Gaussian gradient magnitude, max: " + ", ".join(
                   f"{peak:.1f} at sigma={sigma}"
                   for sigma, peak in zip((2, 5, 10), maxima, strict=True))]
    return figures, numbers


def _joined(labels, labels_opened, margin=3):
    """Boxes (row, col, height, width) round the objects that the opening
    split into several."""
    boxes = []
    for index, where in enumerate(ndi.find_objects(labels), start=1):
        inside = labels_opened[where][labels[where] == index]
        if len(np.unique(inside[inside > 0])) > 1:
            rows, cols = where
            boxes.append((rows.start - margin, cols.start - margin,
                          rows.stop - rows.start + 2 * margin,
                          cols.stop - cols.start + 2 * margin))
    return boxes


def _counting(outdir):
    image, true_count = make_houses(seed=0)
    binary = threshold(image[np.newaxis], 128)  # the chapter's 1 * (im < 128)
    labels, (before,) = label(binary, return_counts=True)
    opened = binary_opening(binary, np.ones((9, 5)), iterations=2)
    labels_opened, (after,) = label(opened, return_counts=True)
    boxes = _joined(labels[0], labels_opened[0])
    figures = {"counting.png": write_panels(
        outdir / "counting.png",
        [Panel(image, "houses (make_houses)", ColorScale(colorbar=False)),
         Panel(colorize_labels(labels[0]), f"labels: {before} objects",
               text=f"{before} objects ({len(boxes)} boxed: houses joined by "
               "bridges)", boxes=boxes),
         Panel(opened[0], "binary opening, ones((9, 5)), iterations=2",
               ColorScale(colorbar=False)),
         Panel(colorize_labels(labels_opened[0]),
               f"labels after opening: {after} objects",
               text=f"{after} objects", boxes=boxes)],
        ncols=2, width=440,
        title=f"Counting objects: {before} before opening, {after} after "
        f"(true count {true_count})",
    )}
    numbers = [f"object count: {before} before opening, {after} after "
               f"(true count {true_count})"]
    return figures, numbers


def _psnr(clean, image):
    return float(psnr(clean[np.newaxis], image[np.newaxis], data_range=255)[0])


def _comparison(path, clean, noisy, results, crop, title, clean_name="clean"):
    """The denoising figure: the images (the crop outlined) on one gray scale,
    the crops enlarged on it, and what each method took away (noisy - result)
    on one signed scale, beside the true noise."""
    gray = ColorScale(**_GRAY)
    residual = ColorScale(cmap="RdBu_r", symmetric=True,
                          label="noisy - result (gray levels)")
    row, col, height, width = crop
    shown = {clean_name: clean, f"noisy: {_psnr(clean, noisy):.1f} dB": noisy}
    shown.update({f"{name}: {_psnr(clean, image):.1f} dB": image
                  for name, image in results.items()})
    panels = [Panel(image, name, gray, boxes=[crop]) for name, image in shown.items()]
    panels += [Panel(image[row:row + height, col:col + width],
                     f"zoom (x{300 / width:.2g})", gray) for image in shown.values()]
    panels += [Panel(noisy - clean, f"the noise (noisy - {clean_name})", residual),
               None]
    panels += [Panel(noisy - image, "texture: noisy - ROF" if "ROF" in name else
                     f"noisy - {name.split(',')[0].split(' sigma')[0]}", residual)
               for name, image in results.items()]
    return write_panels(path, panels, ncols=len(shown), width=300, title=title)


def _rof_squares(outdir):
    noisy, clean = make_squares()  # the chapter's image, noise 30, seed 0
    results = {
        "noisy": noisy,
        "Gaussian sigma=10 (the chapter's)": gaussian_blur(noisy[None], 10)[0],
        "Gaussian sigma=2": gaussian_blur(noisy[None], 2)[0],
        "ROF tv_weight=100": rof_denoise(noisy[None], 100.0)[0][0],
    }
    scores = {name: _psnr(clean, image) for name, image in results.items()}
    chapter = rof_denoise(noisy[None], 100.0, method="chambolle",
                          boundary="periodic")[0][0]
    del results["noisy"]
    figures = {"rof_squares.png": _comparison(
        outdir / "rof_squares.png", clean, noisy,
        {name.replace(" (the chapter's)", ""): image
         for name, image in results.items()},
        _SQUARES_CROP,
        "ROF vs Gaussian blur on the synthetic image (PSNR against the clean "
        "image)")}
    numbers = ["synthetic squares, PSNR: " + ", ".join(
        f"{name} {score:.2f} dB" for name, score in scores.items())
        + f"; the chapter's ROF iteration {_psnr(clean, chapter):.2f} dB"]
    return figures, numbers


def _rof_photo(outdir, gray):
    clean = gray.astype(np.float64)
    noisy = clean + 20.0 * np.random.RandomState(0).standard_normal(clean.shape)
    # Each method at its best setting over a small grid, judged by PSNR.
    blurs = {s: gaussian_blur(noisy[None], s)[0] for s in (0.4, 0.6, 0.8, 1.0, 2.0)}
    rofs = {w: rof_denoise(noisy[None], w)[0][0] for w in (5.0, 8.0, 10.0, 12.0, 20.0)}
    sigma = max(blurs, key=lambda s: _psnr(clean, blurs[s]))
    weight = max(rofs, key=lambda w: _psnr(clean, rofs[w]))
    results = {
        f"best Gaussian, sigma={sigma:g}": blurs[sigma],
        f"best ROF, tv_weight={weight:g}": rofs[weight],
    }
    scores = {"noise sigma=20": _psnr(clean, noisy)}
    scores.update({name: _psnr(clean, image) for name, image in results.items()})
    figures = {"rof_photo.png": _comparison(
        outdir / "rof_photo.png", clean, noisy, results, _PHOTO_CROP,
        "ROF vs Gaussian blur on a noisy photo (noise sigma=20; PSNR against "
        "the original)", clean_name="original")}
    numbers = ["noisy photo, PSNR: " + ", ".join(
        f"{name} {score:.2f} dB" for name, score in scores.items())]
    return figures, numbers


def run_demo(outdir, *, quiet=False):
    """Reproduce the chapter's figures on built-in data, as PNG figures.

    Writes, into ``outdir``: Gaussian blur at sigma 2, 5 and 10 in gray and
    colour, Sobel derivatives, Gaussian derivatives at three scales, the
    object count before and after a binary opening, ROF denoising against
    Gaussian blur on the synthetic image and on a noisy photo (with PSNR, a
    zoomed crop and what each method took away). Panels that compare values
    share one colour scale with a colour bar (:mod:`skimgproc.plotting`).
    Prints what it wrote and the key numbers. Needs matplotlib, the ``plot``
    extra.

    Parameters
    ----------
    outdir : str or os.PathLike
        Folder for the figures (created if missing).
    quiet : bool, default=False
        Print nothing.

    Returns
    -------
    summary : dict
        ``{"files": [paths], "numbers": [lines]}``.

    Raises
    ------
    ValueError
        When ``outdir`` is a file.
    ModuleNotFoundError
        Without matplotlib, before anything is computed or written.

    Examples
    --------
    ``run_demo("figures")`` writes the seven figures in about 10 s (as
    ``skimgproc demo figures`` does). A folder is checked first:

    >>> import tempfile, os
    >>> from skimgproc.demo import run_demo
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = os.path.join(tmp.name, "figures.png")
    >>> open(path, "wb").close()
    >>> run_demo(path)
    Traceback (most recent call last):
    ...
    ValueError: '...figures.png' is a file; the demo needs a folder
    >>> tmp.cleanup()
    """
    outdir = Path(outdir)
    if outdir.exists() and not outdir.is_dir():
        raise ValueError(f"'{outdir}' is a file; the demo needs a folder")
    _matplotlib()  # before any work: the figures need the plot extra
    outdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    gray, colour = load_photo("china"), load_photo("china", mode="RGB")
    files, numbers = [], []
    for step in (
        lambda: _blur(outdir, gray, colour),
        lambda: _derivatives(outdir, gray),
        lambda: _counting(outdir),
        lambda: _rof_squares(outdir),
        lambda: _rof_photo(outdir, gray),
    ):
        figures, lines = step()
        files += [outdir / name for name in figures]
        numbers += lines
    if not quiet:
        for path in files:
            print(f"wrote {path}")
        for line in numbers:
            print(line)
        print(f"demo done in {time.perf_counter() - start:.1f} s: {len(files)} "
              f"figures in {outdir}")
    return {"files": files, "numbers": numbers}
