"""Built-in sample data: real photos, the chapter's synthetic images, digits.

Nothing is downloaded. The photos are the two that scikit-learn ships
(:func:`sklearn.datasets.load_sample_image`); the synthetic images are made
from a seed, so every run gives the same arrays.
"""

import numpy as np
from PIL import Image
from sklearn.utils import check_random_state

from ._validation import check_int, check_option, check_real

__all__ = ["PHOTOS", "load_digits", "load_photo", "make_houses", "make_squares"]

#: Names of the photos :func:`load_photo` offers.
PHOTOS = ("china", "flower")


def load_photo(name="china", *, mode="L"):
    """A real photo, 427 x 640 pixels, as a gray or colour array.

    The two photos scikit-learn ships with
    :func:`~sklearn.datasets.load_sample_image`: ``"china"`` (a temple) and
    ``"flower"``. They stand in for the chapter's ``empire.jpg``.

    Parameters
    ----------
    name : {"china", "flower"}, default="china"
        Which photo.
    mode : {"L", "RGB"}, default="L"
        ``"L"``: gray ``(427, 640)``, converted as Pillow's ``convert("L")``
        (as :func:`skimgproc.read_image` would read the file). ``"RGB"``:
        colour ``(427, 640, 3)``.

    Returns
    -------
    photo : ndarray of uint8
        One image; add a leading axis (``photo[np.newaxis]``) for a batch.

    Examples
    --------
    >>> from skimgproc.datasets import load_photo
    >>> load_photo("flower").shape, load_photo("china", mode="RGB").shape
    ((427, 640), (427, 640, 3))
    """
    from sklearn.datasets import load_sample_image

    name = check_option(name, "name", "load_photo", frozenset(PHOTOS))
    mode = check_option(mode, "mode", "load_photo", frozenset({"L", "RGB"}))
    rgb = load_sample_image(f"{name}.jpg")
    if mode == "RGB":
        return rgb
    return np.asarray(Image.fromarray(rgb).convert("L"))


def make_squares(noise=30, seed=0, *, n_samples=None, size=500):
    """The chapter's synthetic image for ROF denoising: nested squares plus noise.

    The clean image is 0 outside, 128 in a square spanning the middle three
    fifths, and 255 in one spanning the middle fifth. With the defaults this
    is exactly the chapter's image::

        im = zeros((500, 500))
        im[100:400, 100:400] = 128
        im[200:300, 200:300] = 255
        im = im + 30 * random.standard_normal((500, 500))  # after seed(0)

    drawn from a private generator, so NumPy's global random state is left
    alone.

    Parameters
    ----------
    noise : float, default=30
        Standard deviation of the Gaussian noise.
    seed : int, RandomState instance or None, default=0
        Seed of the noise.
    n_samples : int, optional
        If given, return a batch of this many images, each with its own
        noise (the first one is the single image of the same seed).
    size : int, default=500
        Side of the square image; the squares scale with it.

    Returns
    -------
    noisy : ndarray of float64
        ``(size, size)``, or ``(n_samples, size, size)``.
    clean : ndarray of float64
        The image without noise, of the same shape.

    Examples
    --------
    >>> import numpy as np
    >>> from skimgproc.datasets import make_squares
    >>> noisy, clean = make_squares()
    >>> noisy.shape, float(clean[250, 250]), float(clean[150, 150])
    ((500, 500), 255.0, 128.0)
    >>> round(float(np.std(noisy - clean)))  # the noise's standard deviation
    30
    """
    noise = check_real(noise, "noise", "make_squares", low=0)
    size = check_int(size, "size", "make_squares", low=5)
    if n_samples is not None:
        n_samples = check_int(n_samples, "n_samples", "make_squares", low=1)
    rng = check_random_state(seed)
    clean = np.zeros((size, size))
    outer, inner = slice(size // 5, 4 * size // 5), slice(2 * size // 5, 3 * size // 5)
    clean[outer, outer] = 128
    clean[inner, inner] = 255
    shape = (size, size) if n_samples is None else (n_samples, size, size)
    clean = np.broadcast_to(clean, shape).copy()
    return clean + noise * rng.standard_normal(shape), clean


def make_houses(n_houses=48, n_bridges=3, *, seed=0):
    """A binary image of house shapes with a known count, some joined by bridges.

    A stand-in for the chapter's ``houses.png``: dark houses (a rectangular
    body under a triangular roof) on a white background, laid out on a grid
    with random sizes and positions. ``n_bridges`` disjoint pairs of
    neighbouring houses are joined by thin horizontal bridges (1 to 3 pixels
    thick), so that labelling the thresholded image counts
    ``n_houses - n_bridges`` objects. A morphological opening with
    ``ones((9, 5))`` and ``iterations=2`` (the chapter's) removes every
    bridge and keeps every house: each body is at least 20 x 22 pixels,
    larger than the 17 x 9 box that opening amounts to, while bridges are
    thinner than 17 rows. The defaults give the chapter's counts: 45 objects
    before opening, 48 after.

    Parameters
    ----------
    n_houses : int, default=48
        Number of houses, the true count.
    n_bridges : int, default=3
        Number of pairs joined by a bridge; at most the number of
        side-by-side pairs the grid holds (about ``n_houses / 2``).
    seed : int, RandomState instance or None, default=0
        Seed of the sizes, positions and bridges.

    Returns
    -------
    image : ndarray of uint8, shape (64 * n_rows, 64 * n_cols)
        Houses are 0 (black) and the background 255 (white), so the
        chapter's threshold ``image < 128`` gives the objects.
    true_count : int
        The number of houses, ``n_houses``.

    Examples
    --------
    >>> from scipy import ndimage
    >>> import numpy as np
    >>> from skimgproc.datasets import make_houses
    >>> image, true_count = make_houses()
    >>> objects = image < 128
    >>> ndimage.label(objects)[1], true_count
    (45, 48)
    >>> opened = ndimage.binary_opening(objects, np.ones((9, 5)), iterations=2)
    >>> ndimage.label(opened)[1]
    48
    """
    n_houses = check_int(n_houses, "n_houses", "make_houses", low=1)
    n_bridges = check_int(n_bridges, "n_bridges", "make_houses", low=0)
    rng = check_random_state(seed)
    n_cols = max(2, int(np.ceil(np.sqrt(n_houses * 4 / 3))))
    n_rows = -(-n_houses // n_cols)
    # Disjoint side-by-side pairs: columns (0, 1), (2, 3), ... of each row.
    pairs = [
        (r * n_cols + c, r * n_cols + c + 1)
        for r in range(n_rows)
        for c in range(0, n_cols - 1, 2)
        if r * n_cols + c + 1 < n_houses
    ]
    if n_bridges > len(pairs):
        raise ValueError(
            f"The 'n_bridges' parameter of make_houses must be at most {len(pairs)} "
            f"for {n_houses} houses (pairs of side-by-side houses). Got {n_bridges} "
            "instead."
        )
    cell = 64
    objects = np.zeros((n_rows * cell, n_cols * cell), dtype=bool)
    bodies = []
    for index in range(n_houses):
        row, col = divmod(index, n_cols)
        width = rng.randint(22, 41)
        body_height = rng.randint(20, 31)
        roof_height = rng.randint(6, 15)
        # Margins of at least 6 pixels keep neighbours 12 pixels apart.
        left = col * cell + rng.randint(6, cell - 6 - width + 1)
        bottom = row * cell + cell - 6 - rng.randint(0, 5)
        top = bottom - body_height
        objects[top:bottom, left:left + width] = True
        for k in range(roof_height):  # the roof narrows towards its ridge
            inset = int(round((k + 1) * width / (2 * (roof_height + 1))))
            objects[top - 1 - k, left + inset:left + width - inset] = True
        bodies.append((top, bottom, left, left + width))
    for a, b in (pairs[i] for i in rng.permutation(len(pairs))[:n_bridges]):
        top_a, bottom_a, _, right_a = bodies[a]
        top_b, bottom_b, left_b, _ = bodies[b]
        thickness = rng.randint(1, 4)
        low, high = max(top_a, top_b), min(bottom_a, bottom_b) - thickness
        y = rng.randint(low, high + 1)
        objects[y:y + thickness, right_a:left_b] = True
    image = np.where(objects, 0, 255).astype(np.uint8)
    return image, n_houses


def load_digits(*, n_class=10):
    """scikit-learn's handwritten digits as a batch of 8 x 8 images.

    Parameters
    ----------
    n_class : int, default=10
        Number of classes (digits 0 to ``n_class - 1``).

    Returns
    -------
    images : ndarray of float64, shape (n_samples, 8, 8)
        Values 0 to 16.
    target : ndarray of int, shape (n_samples,)
        The digit of each image.

    Examples
    --------
    >>> from skimgproc.datasets import load_digits
    >>> images, target = load_digits()
    >>> images.shape, target[:5].tolist()
    ((1797, 8, 8), [0, 1, 2, 3, 4])
    """
    from sklearn import datasets

    n_class = check_int(n_class, "n_class", "load_digits", low=1, high=10)
    digits = datasets.load_digits(n_class=n_class)
    return digits.images, digits.target
