"""The gradients' engine: the kinds of derivative and one pass over a batch.

Sobel, Prewitt and the Gaussian derivative differ only in how they take the
derivative along one axis (a frozen dataclass per kind). :func:`gradient`
computes the x and y derivatives, the magnitude and the angle from them for
every image and channel, by the compiled stencil (Sobel, Prewitt:
:mod:`._gradients_stencil`), the separable fast paths (:mod:`._separable`) or
the scipy reference, on the executor's threads.
"""

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from ._batch import all_finite
from ._executor import chunk_scratch, run_ranges
from ._gradients_stencil import plan_magnitude, plan_stencil
from ._separable import correlate_steps, gaussian_weights, plan_correlate

__all__ = ["FiniteDifference", "GaussianDerivative", "gradient"]

#: Central difference, the derivative part of the Sobel and Prewitt kernels.
CENTRAL_DIFFERENCE = np.array([-1.0, 0.0, 1.0])


# -- the kinds of derivative ----------------------------------------------------


@dataclass(frozen=True)
class FiniteDifference:
    """Sobel or Prewitt: the central difference along the axis, ``smooth``
    across the other spatial axes, in scipy.ndimage.sobel's order."""

    smooth: np.ndarray
    scale: float
    normalize: bool
    mode: str
    cval: float

    @property
    def factor(self):
        return 1.0 / self.scale if self.normalize else 1.0

    def steps(self, axis, spatial_axes, shape=None):
        """The 1-D passes along ``axis`` of the images, as (spatial index,
        weights), for the fast paths (``shape``: the kernels are short)."""
        # The normalisation is folded into the last pass's weights, so that
        # no unnormalised value (8x larger) is ever stored in float32.
        passes = [(axis, CENTRAL_DIFFERENCE)]
        passes += [(other, self.smooth) for other in spatial_axes if other != axis]
        passes[-1] = (passes[-1][0], passes[-1][1] * self.factor)
        return [(ax - 1, w) for ax, w in passes]

    def apply(self, src, axis, spatial_axes, dst):
        """The scipy reference: the derivative along array axis ``axis``."""
        for k, (ax, w) in enumerate(self.steps(axis, spatial_axes)):
            ndi.correlate1d(src if k == 0 else dst, w, ax + 1, dst, self.mode,
                            self.cval)

    def plan_stencil(self, batch, outputs, fallback):
        return plan_stencil(batch, self.smooth, self.factor, outputs, self.mode,
                            self.cval, fallback=fallback)


@dataclass(frozen=True)
class GaussianDerivative:
    """Smoothing at scale ``sigma`` and differentiation in one filter.
    scipy's Gaussian derivative filters are true derivatives already."""

    sigma: tuple
    truncate: float
    mode: str
    cval: float

    def steps(self, axis, spatial_axes, shape):
        # gaussian_filter's passes, axis by axis in order; a kernel longer
        # than its axis folded to that length (the same filter).
        return [
            (ax - 1, gaussian_weights(s, int(ax == axis), self.truncate,
                                      shape[ax], self.mode))
            for ax, s in zip(spatial_axes, self.sigma, strict=True)
        ]

    def apply(self, src, axis, spatial_axes, dst):
        steps = self.steps(axis, spatial_axes, src.shape)
        correlate_steps(src, [(ax + 1, w) for ax, w in steps], self.mode,
                        self.cval, dst)

    def plan_stencil(self, batch, outputs, fallback):
        return None  # no compiled stencil: the separable paths


# -- the engine -------------------------------------------------------------------


def gradient(batch, derivative, outputs, n_jobs):
    """The shared engine: a tuple of arrays, the ``outputs`` (a tuple of
    names) of the gradient of every image, from one pass over the batch.
    It runs the finite check that ``batch`` may have left to it."""
    spatial = batch.spatial_axes
    x_axis, y_axis = spatial[-1], (spatial[0] if len(spatial) > 1 else None)
    # The angle before the magnitude: the fast magnitude may overwrite x.
    derived = [name for name in ("angle", "magnitude") if name in outputs]

    def make_work(fast, magnitude):
        def along(src, axis, dst):
            if axis is None:  # a 1-D signal has no second axis to vary along
                dst[...] = 0
            elif fast.get(axis) is not None:
                fast[axis](src, dst)
                # The fast paths accumulate float32 in float32, scipy in
                # float64: near the float32 limit a fast sum can overflow
                # where scipy's does not. Checked on the derivative, so that
                # no output (the angle of an inf is finite) hides it.
                if not all_finite(dst):
                    derivative.apply(src, axis, spatial, dst)
            else:
                derivative.apply(src, axis, spatial, dst)
            return dst

        def work(src, dsts):
            out = dict(zip(outputs, dsts, strict=True))
            # At most one chunk-sized temporary: y is made in the output
            # computed last when y itself is not asked for.
            if "x" in out or derived:
                gx = along(src, x_axis, out["x"] if "x" in out
                           else chunk_scratch(src.shape, src.dtype))
            if "y" in out or derived:
                gy = along(src, y_axis, out["y"] if "y" in out
                           else out[derived[-1]])
            for name in derived:
                if name == "angle":
                    # NumPy's float32 arctan2 is vectorised already (and
                    # OpenCV's phase is only accurate to 1e-4 rad).
                    np.arctan2(gy, gx, out=out["angle"])
                else:
                    magnitude(gx, gy, out["magnitude"])

        return work

    # The scipy reference; it also redoes any block a fast path overflowed on.
    reference = make_work({}, np.hypot)
    # Sobel, Prewitt: one compiled pass per chunk, checked for overflow
    # inside, on the rare blocks that can.
    work = derivative.plan_stencil(batch, outputs, fallback=reference)
    if work is None:
        # Fast 1-D passes (BLAS, OpenCV), planned in this thread; where none
        # applies, scipy runs. Neither checks that values are finite.
        batch.check_finite()
        fast = {
            axis: plan_correlate(batch, derivative.steps(axis, spatial,
                                                         batch.images.shape),
                                 derivative.mode, derivative.cval)
            for axis in (x_axis, y_axis)
            if axis is not None
        }
        # The fast magnitude squares x in place: not when x is an output.
        magnitude = np.hypot if "x" in outputs else plan_magnitude()
        work = make_work(fast, magnitude)
    images = batch.images
    dsts = tuple(np.empty_like(images) for _ in outputs)
    run_ranges(lambda a, b: work(images[a:b], [d[a:b] for d in dsts]),
               images.shape[0], images[:1].nbytes, n_jobs)
    return dsts
