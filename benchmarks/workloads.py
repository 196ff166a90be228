"""The workloads of issue 6 and the competitors timed on each.

Every workload gives all competitors the same float32 input and compares
their outputs with the same reference: the textbook loop, scipy.ndimage
called on one image at a time, as a user would write it. Competitors:

* ``skimgproc``: the public function, default settings (fast path on,
  ``n_jobs=None``: every core);
* ``skimgproc, 1 thread``: ``n_jobs=1``, for the thread scaling;
* ``skimgproc, reference path``: ``config_context(accelerate=False)``;
* ``textbook loop``: scipy per image (single-threaded by nature);
* ``scipy batched``: one scipy call on the whole stack, with zero sigma (or
  no filtering) along the sample and channel axes;
* ``scikit-image``: where it has the operation;
* ``OpenCV``: several strategies (a loop with OpenCV's own threads, a thread
  pool over images); the fastest is reported as OpenCV's best.

Peers that are not installed are left out.
"""

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage as ndi

import skimgproc
from skimgproc._config import without

try:
    import cv2
except ImportError:  # pragma: no cover - a peer, optional
    cv2 = None
try:
    import skimage
    import skimage.filters
except ImportError:  # pragma: no cover - a peer, optional
    skimage = None


@dataclass
class Competitor:
    name: str
    func: Callable
    #: Competitors of one group (OpenCV's strategies) are reported by the best.
    group: str = ""
    note: str = ""
    #: ``prepare(X)``, run once before the timing (not timed): for example
    #: counting the iterations a solver needs to reach an energy.
    prepare: Callable = None
    #: A cheaper warm-up than a whole call (for solvers that run minutes).
    warmup: Callable = None


@dataclass
class Workload:
    key: str
    title: str
    family: str  # blur, gradients, count, rof: which targets apply
    size: str  # "large" (16 x 512 x 512), "small" (10,000 x 28 x 28) or ""
    make: Callable  # () -> input
    compare: Callable  # (output, reference) -> tuple of floats
    competitors: list = field(default_factory=list)
    reference: str = "textbook loop"  # the competitor whose output is the reference
    diff_label: str = "max abs diff"
    notes: list = field(default_factory=list)
    #: ``work(X) -> (bytes, multiply-adds)`` the operation cannot do without
    #: (the blur's, see benchmarks/bounds.py), for the machine's bounds.
    work: Callable = None


def n_cores():
    return len(os.sched_getaffinity(0))


_pool = None


def pool():
    """One thread per core, made once (as a user's would be)."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(n_cores())
    return _pool


def max_abs_diff(out, ref):
    return (float(np.max(np.abs(np.asarray(out, np.float64) - ref))),)


# -- Gaussian blur ---------------------------------------------------------


def blur_workload(key, shape, sigma, seed=0):
    colour = len(shape) == 4
    sigmas = (sigma, sigma, 0.0) if colour else sigma
    n = shape[0]

    def make():
        return np.random.default_rng(seed).random(shape, dtype=np.float32)

    def textbook(X):
        return np.stack([ndi.gaussian_filter(x, sigmas) for x in X])

    def batched(X):
        return ndi.gaussian_filter(X, (0.0,) + ((sigma, sigma, 0.0) if colour
                                                else (sigma, sigma)))

    competitors = [
        Competitor("skimgproc", lambda X: skimgproc.gaussian_blur(X, sigma)),
        Competitor("skimgproc, 1 thread",
                   lambda X: skimgproc.gaussian_blur(X, sigma, n_jobs=1)),
        Competitor("skimgproc, reference path", lambda X: _reference(
            skimgproc.gaussian_blur, X, sigma)),
        Competitor("textbook loop", textbook),
        Competitor("scipy batched", batched),
    ]
    if skimage is not None:
        competitors.append(Competitor(
            "scikit-image", lambda X: skimage.filters.gaussian(
                X, sigma=(0.0, sigma, sigma), mode="reflect", truncate=4.0,
                preserve_range=True, channel_axis=-1 if colour else None),
            note="one call on the stack, sigma 0 along the samples"))
    if cv2 is not None:
        def one(x, out):
            # (0, 0): OpenCV sizes the kernel from sigma, 2 * 4 sigma + 1
            # taps for float images, as scipy's truncate=4.
            cv2.GaussianBlur(x, (0, 0), sigma, dst=out,
                             borderType=cv2.BORDER_REFLECT)

        competitors += _opencv_strategies(one)
    title = (f"Gaussian blur, {' x '.join(f'{s:,}' for s in shape)}, sigma {sigma:g}")
    from benchmarks.bounds import blur_work

    return Workload(key, title, "blur", "large" if n < 100 else "small", make,
                    max_abs_diff, competitors,
                    work=lambda X: blur_work(X, (sigma, sigma)))


def _reference(func, X, *args, **kwargs):
    with skimgproc.config_context(accelerate=False):
        return func(X, *args, **kwargs)


def _opencv_strategies(one, n_outputs=1):
    """OpenCV on each image: ``one(x, *outs)`` writes into fresh outputs.

    Two ways to use the cores: a plain loop (OpenCV's own threads, on by
    default, split each call) and a thread pool over images (OpenCV
    releases the GIL)."""

    def outputs(X):
        return [np.empty_like(X) for _ in range(n_outputs)]

    def loop(X):
        outs = outputs(X)
        for i, x in enumerate(X):
            one(x, *(o[i] for o in outs))
        return outs[0] if n_outputs == 1 else tuple(outs)

    def threaded(X):
        outs = outputs(X)
        list(pool().map(lambda i: one(X[i], *(o[i] for o in outs)), range(len(X))))
        return outs[0] if n_outputs == 1 else tuple(outs)

    return [
        Competitor("OpenCV, loop", loop, group="OpenCV"),
        Competitor("OpenCV, thread pool", threaded, group="OpenCV"),
    ]


# -- Sobel magnitude and angle ---------------------------------------------

DIFF = np.array([-1.0, 0.0, 1.0])
SMOOTH = np.array([1.0, 2.0, 1.0])


def polar_diff(out, ref):
    """Largest difference of the magnitudes, and of the angles (modulo
    2 pi) where the gradient is not negligible (magnitude above 1e-3 of the
    largest: elsewhere the angle of a rounding error is arbitrary)."""
    mag, ang = (np.asarray(o, np.float64) for o in out)
    ref_mag, ref_ang = ref
    d_ang = np.abs((ang - ref_ang + np.pi) % (2 * np.pi) - np.pi)
    clear = ref_mag > 1e-3 * ref_mag.max()
    return float(np.max(np.abs(mag - ref_mag))), float(np.max(d_ang[clear]))


def sobel_workload(key, shape, seed=1):
    n = shape[0]

    def make():
        return np.random.default_rng(seed).random(shape, dtype=np.float32)

    def textbook(X):
        mags, angs = [], []
        for x in X:
            gx, gy = ndi.sobel(x, axis=1), ndi.sobel(x, axis=0)
            mags.append(np.hypot(gx, gy))
            angs.append(np.arctan2(gy, gx))
        return np.stack(mags), np.stack(angs)

    def batched(X):
        # ndi.sobel on the stack would smooth across images: two 1-D passes.
        gx = ndi.correlate1d(ndi.correlate1d(X, DIFF, axis=2), SMOOTH, axis=1)
        gy = ndi.correlate1d(ndi.correlate1d(X, DIFF, axis=1), SMOOTH, axis=2)
        return np.hypot(gx, gy), np.arctan2(gy, gx)

    def both(X, **kwargs):
        # Its best settings: one call for both outputs, the derivatives
        # taken once (as OpenCV's user does), not one call per output.
        return skimgproc.sobel_gradient(X, output=("magnitude", "angle"), **kwargs)

    def two_calls(X):
        return (skimgproc.sobel_gradient(X, output="magnitude"),
                skimgproc.sobel_gradient(X, output="angle"))

    competitors = [
        Competitor("skimgproc", both,
                   note="one call: output=('magnitude', 'angle')"),
        Competitor("skimgproc, 1 thread", lambda X: both(X, n_jobs=1)),
        Competitor("skimgproc, two calls", two_calls,
                   note="output='magnitude', then output='angle'"),
        Competitor("skimgproc, reference path", lambda X: _reference(both, X)),
        Competitor("textbook loop", textbook),
        Competitor("scipy batched", batched),
    ]
    if skimage is not None:
        def skimage_loop(X):
            mags, angs = [], []
            for x in X:
                # scikit-image's Sobel is scipy's divided by 4.
                gx = 4 * skimage.filters.sobel(x, axis=1)
                gy = 4 * skimage.filters.sobel(x, axis=0)
                mags.append(np.hypot(gx, gy))
                angs.append(np.arctan2(gy, gx))
            return np.stack(mags), np.stack(angs)

        competitors.append(Competitor("scikit-image", skimage_loop,
                                      note="per image (its sobel has no batch axis)"))
    if cv2 is not None:
        def one(x, mag, ang):
            gx = cv2.Sobel(x, cv2.CV_32F, 1, 0, ksize=3, borderType=cv2.BORDER_REFLECT)
            gy = cv2.Sobel(x, cv2.CV_32F, 0, 1, ksize=3, borderType=cv2.BORDER_REFLECT)
            cv2.magnitude(gx, gy, mag)
            # cv2.phase: radians in [0, 2 pi), about 1e-4 rad accurate; the
            # comparison takes angles modulo 2 pi, outside the timing.
            cv2.phase(gx, gy, ang)

        competitors += _opencv_strategies(one, n_outputs=2)
    title = f"Sobel magnitude + angle, {' x '.join(f'{s:,}' for s in shape)}"
    notes = [
        "skimgproc is timed with its best settings, one call returning both "
        "outputs (`sobel_gradient(X, output=(\"magnitude\", \"angle\"))`: "
        "the input is checked and differentiated once, as OpenCV's two `Sobel` "
        "calls serve both its `magnitude` and `phase`); *skimgproc, two calls* "
        "is the same work asked for one output at a time."
    ]
    return Workload(key, title, "gradients", "large" if n < 100 else "small",
                    make, polar_diff, competitors,
                    diff_label="max diff: magnitude / angle (rad)", notes=notes)


# -- counting: threshold, opening, label, count -----------------------------

STRUCTURE = (9, 5)
ITERATIONS = 2
THRESHOLD = 128.0


def houses_batch(n, size=512):
    """``n`` images of houses (the chapter's counting data, from
    skimgproc.datasets.make_houses), each on a white ``size x size`` page."""
    from skimgproc.datasets import make_houses

    out = np.full((n, size, size), 255, np.float32)
    for i in range(n):
        image, _ = make_houses(48, 3, seed=i)
        h, w = min(size, image.shape[0]), min(size, image.shape[1])
        out[i, :h, :w] = image[:h, :w]
    return out


def blocks_batch(n, size=28, seed=0):
    """``n`` small pages with 0 to 2 dark blocks big enough to survive the
    opening (18-24 x 9-13 pixels) and a thin line that does not."""
    rng = np.random.default_rng(seed)
    out = np.full((n, size, size), 255, np.float32)
    for i in range(n):
        for _ in range(rng.integers(0, 3)):
            h, w = rng.integers(18, 25), rng.integers(9, 14)
            top, left = rng.integers(0, size - h + 1), rng.integers(0, size - w + 1)
            out[i, top:top + h, left:left + w] = 0
        row = rng.integers(0, size - 1)
        out[i, row:row + 2, :] = 0
    return out


def count_diff(out, ref):
    return (float(np.max(np.abs(np.asarray(out, np.int64) - ref))),)


def count_workload(key, n, small=False):
    shape = (n, 28, 28) if small else (n, 512, 512)
    box = np.ones(STRUCTURE, bool)

    def make():
        return blocks_batch(n) if small else houses_batch(n)

    def textbook(X):
        return np.array([
            ndi.label(ndi.binary_opening(x < THRESHOLD, box, ITERATIONS))[1]
            for x in X
        ])

    def batched(X):
        # A structure of depth 1 never reaches across images; labels are
        # numbered through the stack in raster order, so image i holds the
        # labels between the largest of the images before it and its own.
        opened = ndi.binary_opening(X < THRESHOLD, box[np.newaxis], ITERATIONS)
        cross = np.zeros((3, 3, 3), bool)
        cross[1] = ndi.generate_binary_structure(2, 1)
        labels, _ = ndi.label(opened, cross)
        last = np.maximum.accumulate(labels.reshape(len(X), -1).max(axis=1))
        return np.diff(last, prepend=0)

    competitors = [
        Competitor("skimgproc", lambda X: skimgproc.count_objects(
            X, THRESHOLD, structure=STRUCTURE, iterations=ITERATIONS)),
        Competitor("skimgproc, 1 thread", lambda X: skimgproc.count_objects(
            X, THRESHOLD, structure=STRUCTURE, iterations=ITERATIONS, n_jobs=1)),
        Competitor("skimgproc, reference path", lambda X: _reference(
            skimgproc.count_objects, X, THRESHOLD, structure=STRUCTURE,
            iterations=ITERATIONS)),
        Competitor("textbook loop", textbook),
        Competitor("scipy batched", batched),
    ]
    if skimage is not None:
        from skimage import measure, morphology

        # Two iterations of a 9 x 5 box are one pass of a 17 x 9 box.
        big = np.ones((2 * 9 - 1, 2 * 5 - 1), bool)

        def skimage_loop(X):
            # A border of 0, as scipy's (binary_opening is deprecated in
            # scikit-image 0.26; opening on booleans is the same).
            return np.array([
                measure.label(
                    morphology.opening(x < THRESHOLD, big, mode="constant", cval=0),
                    connectivity=1, return_num=True)[1]
                for x in X
            ])

        competitors.append(Competitor("scikit-image", skimage_loop,
                                      note="per image, one 17 x 9 opening"))
    if cv2 is not None:
        kernel = np.ones(STRUCTURE, np.uint8)

        def one(x, counts):
            binary = (x < THRESHOLD).view(np.uint8)
            # A border of 0 erodes at the edge, as scipy's border_value=0.
            opened = cv2.morphologyEx(binary, cv2.MORPH_OPEN, kernel,
                                      iterations=ITERATIONS,
                                      borderType=cv2.BORDER_CONSTANT, borderValue=0)
            counts[...] = cv2.connectedComponents(opened, connectivity=4)[0] - 1

        def strategies():
            def outputs(X):
                return np.empty(len(X), np.int64)

            def loop(X):
                counts = outputs(X)
                for i, x in enumerate(X):
                    one(x, counts[i:i + 1])
                return counts

            def threaded(X):
                counts = outputs(X)
                list(pool().map(lambda i: one(X[i], counts[i:i + 1]),
                                range(len(X))))
                return counts

            return [Competitor("OpenCV, loop", loop, group="OpenCV"),
                    Competitor("OpenCV, thread pool", threaded, group="OpenCV")]

        competitors += strategies()
    title = (f"Count: threshold, opening ones({STRUCTURE[0]}, {STRUCTURE[1]}) x"
             f"{ITERATIONS}, label, count; {' x '.join(f'{s:,}' for s in shape)}")
    return Workload(key, title, "count", "small" if small else "large", make,
                    count_diff, competitors, diff_label="max count difference")


# -- ROF ---------------------------------------------------------------------

TV_WEIGHT = 100.0


def rof_energy(u, f, periodic, lam=TV_WEIGHT):
    """The ROF energy ``0.5 ||u - f||^2 + lam TV(u)`` of each image (float64),
    with forward differences; at the far border they are 0 (Neumann) or wrap
    around (periodic, as the chapter's ``np.roll``)."""
    u = np.asarray(u, np.float64)
    f = np.asarray(f, np.float64)
    if periodic:
        dx = np.roll(u, -1, axis=-1) - u
        dy = np.roll(u, -1, axis=-2) - u
    else:
        dx = np.zeros_like(u)
        dy = np.zeros_like(u)
        dx[..., :, :-1] = u[..., :, 1:] - u[..., :, :-1]
        dy[..., :-1, :] = u[..., 1:, :] - u[..., :-1, :]
    axes = (-2, -1)
    return (0.5 * np.sum((u - f) ** 2, axis=axes)
            + lam * np.sum(np.sqrt(dx * dx + dy * dy), axis=axes))


def chapter_steps(im, periodic=True, tau=0.125, tv_weight=TV_WEIGHT):
    """The chapter's iteration (Solem, Programming Computer Vision with
    Python, section 1.5, ``rof.denoise``), one ``U`` per step, line by line
    as printed: the dual field starts at ``Px = Py = im``. With
    ``periodic=False`` the ``np.roll`` differences become the Neumann ones of
    skimgproc's default (forward differences 0 at the far border, and the
    divergence their exact negative adjoint), so that both minimise the same
    energy. Runs in the dtype of ``im`` (float32 here)."""
    U = im
    Px = im
    Py = im
    while True:
        if periodic:
            GradUx = np.roll(U, -1, axis=1) - U
            GradUy = np.roll(U, -1, axis=0) - U
        else:
            GradUx = np.zeros_like(U)
            GradUy = np.zeros_like(U)
            GradUx[:, :-1] = U[:, 1:] - U[:, :-1]
            GradUy[:-1] = U[1:] - U[:-1]
        PxNew = Px + (tau / tv_weight) * GradUx
        PyNew = Py + (tau / tv_weight) * GradUy
        NormNew = np.maximum(1, np.sqrt(PxNew**2 + PyNew**2))
        Px = PxNew / NormNew
        Py = PyNew / NormNew
        if periodic:
            RxPx = np.roll(Px, 1, axis=1)
            RyPy = np.roll(Py, 1, axis=0)
            DivP = (Px - RxPx) + (Py - RyPy)
        else:
            DivP = np.empty_like(Px)
            DivP[:, 0] = Px[:, 0]
            DivP[:, 1:-1] = Px[:, 1:-1] - Px[:, :-2]
            DivP[:, -1] = -Px[:, -2]
            DivP[0] += Py[0]
            DivP[1:-1] += Py[1:-1] - Py[:-2]
            DivP[-1] -= Py[-2]
        U = im + tv_weight * DivP
        yield U


def chapter_denoise(im, tolerance=0.1):
    """The chapter's ``denoise(im, im)``: its iteration and stopping rule."""
    m, n = im.shape
    U = im
    for U_new in chapter_steps(im):
        error = np.linalg.norm(U_new - U) / np.sqrt(n * m)
        U = U_new
        if error <= tolerance:
            return U


def chapter_iterations_to(im, target, periodic, check_every=10, limit=200_000):
    """Chapter iterations until the energy is at most ``target``: the energy
    every ``check_every`` steps, then step by step from the last check."""
    energy = lambda u: rof_energy(u, im, periodic)  # noqa: E731
    steps = chapter_steps(im, periodic)
    k = 0
    while k < limit:
        for _ in range(check_every):
            U = next(steps)
            k += 1
        if energy(U) <= target:
            break
    else:
        return None
    # Step by step over the last stretch.
    steps = chapter_steps(im, periodic)
    for j in range(1, k + 1):
        U = next(steps)
        if j > k - check_every and energy(U) <= target:
            return j
    return k


def chapter_run(im, n_iter, periodic):
    steps = chapter_steps(im, periodic)
    for _ in range(n_iter):
        U = next(steps)
    return U


def energy_excess(out, ref, f, periodic):
    """Largest relative excess of the final energy over the reference's
    (negative: lower, better). ``rof_denoise`` returns the denoised images
    and the texture: the first is compared (and both count as output)."""
    out = out[0] if isinstance(out, tuple) else out
    ref = ref[0] if isinstance(ref, tuple) else ref
    mine = rof_energy(out, f, periodic)
    theirs = rof_energy(ref, f, periodic)
    return (float(np.max((mine - theirs) / theirs)),)


def rof_chapter_workload(key, n, size=512):
    """The issue's row: ROF on a batch of the chapter's image, each
    competitor to at least the energy of the chapter's solver (its own
    stopping rule), with the chapter's periodic boundary."""
    from skimgproc.datasets import make_squares

    state = {}

    def make():
        noisy, _ = make_squares(n_samples=n, size=size)
        state["f"] = noisy.astype(np.float32)
        return state["f"]

    def textbook(X):
        return np.stack([chapter_denoise(x) for x in X])

    def skimgproc_chambolle(X, **kwargs):
        return skimgproc.rof_denoise(X, TV_WEIGHT, method="chambolle",
                                     boundary="periodic", **kwargs)

    competitors = [
        Competitor("skimgproc", skimgproc_chambolle,
                   note="method='chambolle', boundary='periodic': the chapter's "
                        "solver and stopping rule"),
        Competitor("skimgproc, 1 thread",
                   lambda X: skimgproc_chambolle(X, n_jobs=1)),
        Competitor("skimgproc, reference path",
                   lambda X: _reference(skimgproc_chambolle, X)),
        Competitor("skimgproc, default settings", lambda X: skimgproc.rof_denoise(
            X, TV_WEIGHT, boundary="periodic"),
            note="the default solver, FISTA to a duality gap of 1e-3, with the "
                 "periodic boundary: a far lower energy"),
        Competitor("textbook loop", textbook,
                   note="the chapter's denoise(im, im), float32"),
    ]
    if skimage is not None:
        from skimage.restoration import denoise_tv_chambolle

        def skimage_run(X, n_iter):
            return np.stack([denoise_tv_chambolle(
                x, weight=TV_WEIGHT, eps=0.0, max_num_iter=n_iter) for x in X])

        def prepare(X):
            # The fewest iterations reaching the chapter's energy on every
            # image (doubling, then bisection).
            target = rof_energy(textbook(X), X, True)

            def enough(k):
                return np.all(rof_energy(skimage_run(X, k), X, True) <= target)

            high = 8
            while not enough(high):
                high *= 2
            low = high // 2
            while high - low > 1:
                mid = (low + high) // 2
                low, high = (low, mid) if enough(mid) else (mid, high)
            state["skimage_iter"] = high

        competitors.append(Competitor(
            "scikit-image", lambda X: skimage_run(X, state["skimage_iter"]),
            note="denoise_tv_chambolle per image, iterations counted to reach "
                 "the chapter's energy", prepare=prepare))
    title = (f"ROF, {n} x {size} x {size} (the chapter's image), to the chapter's "
             "energy (periodic)")
    return Workload(
        key, title, "rof-chapter", "large", make,
        lambda out, ref: energy_excess(out, ref, state["f"], True), competitors,
        diff_label="final energy vs the chapter's (relative)")


def rof_default_workload(key, size=500):
    """The ROF target: skimgproc's default settings against the chapter's
    iteration run until it reaches the same energy (iterations counted, not
    timed, then timed), on the chapter's synthetic image."""
    from skimgproc.datasets import make_squares

    state = {}

    def make():
        noisy, _ = make_squares(size=size)
        state["f"] = noisy.astype(np.float32)[np.newaxis]
        return state["f"]

    def default(X, **kwargs):
        return skimgproc.rof_denoise(X, TV_WEIGHT, **kwargs)

    def prepare(X):
        target = rof_energy(default(X)[0], X, False)
        state["n_iter"] = [chapter_iterations_to(x, t, periodic=False)
                           for x, t in zip(X, target, strict=True)]

    def chapter(X):
        return np.stack([chapter_run(x, k, False)
                         for x, k in zip(X, state["n_iter"], strict=True)])

    competitors = [
        Competitor("skimgproc", default,
                   note="default settings: FISTA, Neumann, duality gap 1e-3"),
        Competitor("skimgproc, reference path", lambda X: _reference(default, X)),
        Competitor("chapter's solver", chapter, prepare=prepare,
                   warmup=lambda X: chapter_run(X[0], 5, False),
                   note="its iteration, Neumann differences, float32, run for the "
                        "iterations it needs to reach skimgproc's energy"),
    ]
    workload = Workload(
        key, f"ROF, the chapter's image ({size} x {size}), to the energy of "
             "skimgproc's default settings (Neumann)", "rof", "", make,
        lambda out, ref: energy_excess(out, ref, state["f"], False), competitors,
        reference="skimgproc", diff_label="final energy vs skimgproc's (relative)")
    workload.notes.append(lambda: "The chapter's solver needed "
                          f"{', '.join(map(str, state['n_iter']))} iterations.")
    return workload


def base_install(workload):
    """``workload`` with a *skimgproc, base install* row where OpenCV is
    installed: skimgproc's call with OpenCV hidden (numba's kernels alone,
    what the plain install gives), beside the *skimgproc* row, which
    uses OpenCV where skimgproc finds it faster."""
    ours = next(c for c in workload.competitors if c.name == "skimgproc")
    if cv2 is None:
        ours.note = ", ".join(filter(None, [ours.note, "the base install"]))
        return workload

    def func(X):
        with without("cv2"):
            return ours.func(X)

    at = workload.competitors.index(ours) + 1
    workload.competitors.insert(at, Competitor(
        "skimgproc, base install", func, note="numba, OpenCV hidden"))
    return workload


def all_workloads(quick=False):
    """The issue's workloads; ``quick`` shrinks the batches (same images)."""
    return [base_install(w) for w in _workloads(quick)]


def _workloads(quick):
    large, small = (4, 1_000) if quick else (16, 10_000)
    return [
        blur_workload("blur-large", (large, 512, 512), 5.0),
        blur_workload("blur-small", (small, 28, 28), 2.0),
        blur_workload("blur-colour", (large, 512, 512, 3), 5.0),
        sobel_workload("sobel-large", (large, 512, 512)),
        sobel_workload("sobel-small", (small, 28, 28)),
        count_workload("count-large", large),
        count_workload("count-small", small, small=True),
        rof_chapter_workload("rof-chapter", 2 if quick else 16),
        rof_default_workload("rof-default", 128 if quick else 500),
        *__import__("benchmarks.workloads_hog", fromlist=["_"]).hog_workloads(quick),
        *__import__("benchmarks.workloads_lbp", fromlist=["_"]).lbp_workloads(quick),
        *__import__("benchmarks.workloads_objects", fromlist=["_"]).object_workloads(quick),  # noqa: E501
    ]
