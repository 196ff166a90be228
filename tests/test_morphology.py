"""Binary opening and closing against scipy.ndimage on each image alone.

Every result is compared with scipy.ndimage run on each image alone (the
independent reference), on both the accelerated path (numba's windows) and
the reference one, which the ``accelerate`` fixture switches. The
references here serve tests/test_measure.py and tests/test_mosaic.py too.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage as ndi

from skimgproc import (
    BinaryClosing,
    BinaryOpening,
    BinaryOpeningCounter,
    binary_closing,
    binary_opening,
)

# -- independent references: scipy.ndimage on one image at a time ----------------------


def _fits(structure, image):
    return all(s <= i for s, i in zip(structure.shape, image.shape, strict=True))


def _scipy_iterated(function, image, structure, iterations):
    """scipy's ``function(image, structure, iterations=k)``. scipy's own
    iterations > 1 corrupts memory when the structure is larger than the
    image (scipy/scipy#11400); there, the documented meaning ("repeated k
    times") is applied by hand (test_scipy_loop_equals_iterations checks
    the two agree where scipy is safe)."""
    if _fits(structure, image):
        return function(image, structure, iterations=iterations)
    for _ in range(iterations):
        image = function(image, structure)
    return image


def ref_opening(image, structure, iterations=1):
    eroded = _scipy_iterated(ndi.binary_erosion, image != 0, structure, iterations)
    return _scipy_iterated(ndi.binary_dilation, eroded, structure, iterations)


def ref_closing(image, structure, iterations=1):
    dilated = _scipy_iterated(ndi.binary_dilation, image != 0, structure, iterations)
    return _scipy_iterated(ndi.binary_erosion, dilated, structure, iterations)


def blobs(rng, n, shape, density=None, sigma=None):
    """Random binary blobs of random sizes (smoothed noise, thresholded)."""
    noise = rng.standard_normal((n, *shape))
    sigma = rng.uniform(0.5, 3.0) if sigma is None else sigma
    smooth = ndi.gaussian_filter(noise, (0, sigma, sigma))
    density = rng.uniform(0.2, 0.7) if density is None else density
    cut = np.quantile(smooth, 1 - density, axis=(1, 2), keepdims=True)
    return (smooth > cut).astype(np.float64)


# -- opening and closing against scipy -------------------------------------------------

SHAPES = [(1, 1), (1, 12), (12, 1), (2, 3), (5, 5), (17, 23), (40, 31)]

STRUCTURES = [(9, 5), (3, 3), (1, 4), (4, 1), (2, 2), (6, 3), (1, 1), (25, 2)]


@pytest.mark.parametrize("shape", SHAPES)
def test_opening_closing_rectangles_match_scipy(shape, accelerate):
    rng = np.random.default_rng(sum(shape))
    X = blobs(rng, 5, shape)
    X[1] = 0  # empty image
    X[2] = 1  # full image
    for structure in STRUCTURES:
        ones = np.ones(structure, bool)
        for iterations in (1, 2, 3):
            opened = binary_opening(X, structure, iterations)
            closed = binary_closing(X, structure, iterations)
            for i in range(len(X)):
                np.testing.assert_array_equal(
                    opened[i], ref_opening(X[i], ones, iterations),
                    err_msg=f"opening {structure} x{iterations} image {i}",
                )
                np.testing.assert_array_equal(
                    closed[i], ref_closing(X[i], ones, iterations),
                    err_msg=f"closing {structure} x{iterations} image {i}",
                )

EXPLICIT = [
    np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]]),  # cross
    np.array([[1, 0], [1, 1]]),  # asymmetric, even-sized
    np.array([[1, 0, 0, 1]]),  # no origin
    np.array([[0, 0, 1], [0, 0, 0], [1, 0, 0]], dtype=bool),
    np.eye(4, dtype=int)[::-1],  # anti-diagonal, even-sized
    np.ones((3, 2)),  # rectangle given as an array
]


@pytest.mark.parametrize("index", range(len(EXPLICIT)))
def test_explicit_structures_match_scipy(index, accelerate):
    structure = EXPLICIT[index]
    rng = np.random.default_rng(index)
    for shape in [(1, 7), (3, 2), (15, 18), (30, 24)]:
        X = blobs(rng, 4, shape)
        for iterations in (1, 2, 3):
            opened = BinaryOpening(structure, iterations).fit_transform(X)
            closed = BinaryClosing(structure, iterations).fit_transform(X)
            for i in range(len(X)):
                np.testing.assert_array_equal(
                    opened[i], ref_opening(X[i], structure.astype(bool), iterations)
                )
                np.testing.assert_array_equal(
                    closed[i], ref_closing(X[i], structure.astype(bool), iterations)
                )


def test_scipy_loop_equals_iterations():
    # The hand-iterated reference equals scipy's iterations=k where scipy is
    # safe (structure no larger than the image).
    rng = np.random.default_rng(5)
    for structure in [np.ones((3, 5), bool), EXPLICIT[1].astype(bool)]:
        image = blobs(rng, 1, (20, 20))[0] > 0
        for function in (ndi.binary_erosion, ndi.binary_dilation):
            looped = image
            for _ in range(3):
                looped = function(looped, structure)
            np.testing.assert_array_equal(
                looped, function(image, structure, iterations=3)
            )


def test_huge_iterations_are_fast_and_exact():
    X = blobs(np.random.default_rng(7), 2, (12, 15), density=0.8)
    # A rectangle reaches across the whole image after a few iterations...
    np.testing.assert_array_equal(
        binary_closing(X, (3, 3), 10**12), binary_closing(X, (3, 3), 20)
    )
    # ...and the generic path stops once nothing changes.
    cross = EXPLICIT[0]
    np.testing.assert_array_equal(
        binary_opening(X, cross, 10**9), binary_opening(X, cross, 30)
    )
    np.testing.assert_array_equal(
        binary_closing(X, (3, 3), 30)[0], ref_closing(X[0], np.ones((3, 3)), 30)
    )


def test_dtype_layout_and_signals():
    rng = np.random.default_rng(8)
    X = blobs(rng, 3, (6, 10)).astype(np.float32)
    assert binary_opening(X, (3, 3)).dtype == np.float32
    assert binary_closing(X.astype(int), (3, 3)).dtype == np.float64
    flat = binary_opening(X.reshape(3, -1), (3, 3), image_shape=(6, 10))
    np.testing.assert_array_equal(flat, binary_opening(X, (3, 3)).reshape(3, -1))
    # 1-D signals are images one pixel high, for 1-D and 2-D structures.
    rows = X[:, 0, :]
    for structure in [(3,), (1, 3), np.array([1, 1, 0, 1])]:
        array = np.ones((1, 3)) if isinstance(structure, tuple) else structure[None]
        out = binary_closing(rows, structure)
        for i in range(3):
            np.testing.assert_array_equal(
                out[i], ref_closing(rows[i][None], array.astype(bool))[0]
            )
    # A structure 9 high erodes a one-pixel-high image away, as in scipy.
    assert binary_opening(rows, (9, 5)).sum() == 0


def test_closing_near_the_border_follows_scipy():
    # scipy's closing erodes with background outside the image: a full image
    # loses its border, and the same happens here (documented).
    full = np.ones((1, 6, 8))
    closed = binary_closing(full, (3, 3))
    np.testing.assert_array_equal(closed[0], ref_closing(full[0], np.ones((3, 3))))
    assert closed[0, 0].sum() == 0 and closed[0, 1:-1, 1:-1].all()


# -- properties (hypothesis) -----------------------------------------------------------


small_images = st.tuples(
    st.integers(1, 14), st.integers(1, 14), st.integers(0, 2**32 - 1),
    st.floats(0.1, 0.9),
).map(lambda a: (np.random.default_rng(a[2]).random(a[:2]) < a[3]).astype(float))


@settings(max_examples=50, deadline=None)
@given(image=small_images, h=st.integers(1, 6), w=st.integers(1, 6),
       iterations=st.integers(1, 3), explicit=st.booleans(),
       seed=st.integers(0, 2**32 - 1))
def test_opening_shrinks_closing_grows_away_from_border(
    image, h, w, iterations, explicit, seed
):
    rng = np.random.default_rng(seed)
    structure = rng.random((h, w)) < 0.6 if explicit else np.ones((h, w), bool)
    structure[h // 2, w // 2] = True  # contains its centre
    opened = binary_opening(image[None], structure, iterations)[0]
    assert not np.any(opened > image)  # never adds foreground
    # Closing never removes foreground once the image is padded with
    # background beyond the reach of the structure (scipy's border reads as
    # background for the erosion).
    pad = iterations * max(h, w)
    padded = np.pad(image, pad)
    closed = binary_closing(padded[None], structure, iterations)[0]
    assert not np.any(closed < padded)


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("iterations", [0, -1])
def test_iterations_below_one_refused_with_scipy_hint(iterations):
    X = np.zeros((1, 5, 5))
    with pytest.raises(ValueError, match=r"'iterations' parameter of binary_opening"
                       r".*\[1, inf\).*until nothing changes"):
        binary_opening(X, (3, 3), iterations)
    with pytest.raises(ValueError, match="'iterations' parameter of BinaryClosing"):
        BinaryClosing(iterations=iterations).fit(X)


@pytest.mark.parametrize("iterations", [1.5, 2.0, True, "2", None])
def test_iterations_must_be_int(iterations):
    with pytest.raises(ValueError, match="'iterations' parameter"):
        BinaryOpeningCounter(iterations=iterations).fit(np.zeros((1, 5, 5)))


@pytest.mark.parametrize(
    "structure, match",
    [
        ((3, 3, 3), "3 dimensions.*images have 2 spatial"),
        ((5,), "1 dimensions.*images have 2 spatial"),
        (np.ones((2, 2, 2)), "3 dimensions"),
        (np.zeros((3, 3)), "empty"),
        (np.ones((0, 3)), "empty"),
        ((0, 3), "tuple of positive ints"),
        ((), "tuple of positive ints"),
        (np.array([[1, 2], [0, 1]]), "0s and 1s"),
        (np.array([[1.0, np.nan]]), "0s and 1s"),
        ("cross", "0s and 1s"),
        ([[1, 1], [1]], "0s and 1s"),
        (3, "0s and 1s"),
    ],
)
def test_bad_structures_refused(structure, match):
    X = np.zeros((2, 6, 6))
    with pytest.raises(ValueError, match=match):
        binary_opening(X, structure)
    with pytest.raises(ValueError,
                       match="'structure' parameter of BinaryOpeningCounter"):
        BinaryOpeningCounter(structure=structure).fit(X)


def test_structure_rank_for_signals():
    rows = np.zeros((2, 10))
    with pytest.raises(ValueError, match=r"3 dimensions.*1 \(or 2"):
        binary_closing(rows, (1, 3, 3))
