"""The compiled padding of the Sobel/Prewitt fast path against np.pad."""

import numpy as np
import pytest

from skimgproc import _gradients_stencil

pytest.importorskip("numba")
from skimgproc import _gradients_numba as kernels  # noqa: E402

#: scipy's border modes and NumPy's names for the same extension by one pixel.
NP_MODES = {"reflect": "symmetric", "grid-mirror": "symmetric", "mirror": "reflect",
            "nearest": "edge", "wrap": "wrap", "grid-wrap": "wrap",
            "constant": "constant", "grid-constant": "constant"}


@pytest.mark.parametrize("mode", sorted(NP_MODES))
@pytest.mark.parametrize("shape", [(3, 7, 9), (2, 1, 5), (2, 4, 1), (2, 6, 5, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pad_bits_pads_as_the_mode_and_finds_the_largest_magnitude(mode, shape,
                                                                   dtype):
    rng = np.random.default_rng(0)
    X = (rng.standard_normal(shape) * 10).astype(dtype)
    X[0, 0, 0] = -50  # the largest |value| is negative
    n, height, width = shape[:3]
    step = shape[3] if len(shape) == 4 else 1
    widths = [(0, 0), (1, 1), (1, 1)] + [(0, 0)] * (len(shape) - 3)
    expected = np.pad(X, widths, mode=NP_MODES[mode]).reshape(
        n, height + 2, (width + 2) * step)
    bits, mask, infinity = _gradients_stencil._BITS[np.dtype(dtype).char]
    pad = np.full(expected.shape, np.nan, dtype)  # every value must be written
    edges = (_gradients_stencil._edge_indices(height, mode),
             _gradients_stencil._edge_indices(width, mode))
    largest = kernels.pad_bits(
        X.reshape(n, height, width * step).view(bits), pad.view(bits), step,
        *edges, mask)
    np.testing.assert_array_equal(pad, expected)
    assert bits(largest).view(dtype) == 50 and largest < infinity
    # Its largest value is how the engine finds NaN and inf (the finite check).
    for bad in (np.inf, -np.inf, np.nan, -np.nan):
        Y = X.copy()
        Y[-1, -1, -1] = bad
        largest = kernels.pad_bits(Y.reshape(n, height, width * step).view(bits),
                                   pad.view(bits), step, *edges, mask)
        assert largest >= infinity


def test_pad_bits_of_zeros_and_signed_zeros():
    X = np.array([[[0.0, -0.0], [-0.0, 0.0]]], np.float32)
    pad = np.empty((1, 4, 4), np.float32)
    largest = kernels.pad_bits(X.view(np.uint32), pad.view(np.uint32), 1,
                               _gradients_stencil._edge_indices(2, "nearest"),
                               _gradients_stencil._edge_indices(2, "nearest"),
                               _gradients_stencil._BITS["f"][1])
    assert largest == 0
