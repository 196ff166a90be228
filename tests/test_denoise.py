"""ROF denoising: the chapter's solver, the default solver against the true
minimiser, the discretisation, properties of the minimiser, and bad input.

References are independent of the package: the chapter's own code, a
Chambolle-Pock primal-dual solver written here with its own differences,
analytic solutions of 1-D steps, and the acceptance figures of the issue
(chapter: 35 iterations, 32.56 dB; true minimiser: 42.42 dB, energy
1.3194e8).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

import skimgproc._executor as executor_module
from skimgproc import (
    GaussianBlur,
    ROFDenoiser,
    config_context,
    make_psnr_scorer,
    psnr,
    rof_denoise,
)
from skimgproc._config import optional_module
from skimgproc._denoise_numpy import divergence, gradient

# -- independent references ----------------------------------------------------


def chapter_denoise(im, U_init, tolerance=0.1, tau=0.125, tv_weight=100, book=False):
    """The chapter's rof.denoise, verbatim but for the start of p: 0 (the
    corrected version) or, with ``book``, the printed ``Px = Py = im``."""
    m, n = im.shape
    U = U_init
    Px = im if book else np.zeros_like(im)
    Py = im if book else np.zeros_like(im)
    error = 1
    iterations = 0
    while error > tolerance:
        Uold = U
        GradUx = np.roll(U, -1, axis=1) - U
        GradUy = np.roll(U, -1, axis=0) - U
        PxNew = Px + (tau / tv_weight) * GradUx
        PyNew = Py + (tau / tv_weight) * GradUy
        NormNew = np.maximum(1, np.sqrt(PxNew**2 + PyNew**2))
        Px = PxNew / NormNew
        Py = PyNew / NormNew
        RxPx = np.roll(Px, 1, axis=1)
        RyPy = np.roll(Py, 1, axis=0)
        DivP = (Px - RxPx) + (Py - RyPy)
        U = im + tv_weight * DivP
        error = np.linalg.norm(U - Uold) / np.sqrt(n * m)
        iterations += 1
    return U, im - U, iterations


def grad(u, periodic=False):
    """Forward differences along the last two axes (x, y)."""
    u = np.asarray(u, dtype=np.float64)
    if periodic:
        return np.roll(u, -1, -1) - u, np.roll(u, -1, -2) - u
    return (
        np.diff(u, axis=-1, append=u[..., -1:]),
        np.diff(u, axis=-2, append=u[..., -1:, :]),
    )


def div(px, py, periodic=False):
    """The negative adjoint of :func:`grad`, written differently."""
    if periodic:
        return (px - np.roll(px, 1, -1)) + (py - np.roll(py, 1, -2))
    px, py = px.copy(), py.copy()
    px[..., -1] = 0
    py[..., -1, :] = 0
    return np.diff(px, axis=-1, prepend=0) + np.diff(py, axis=-2, prepend=0)


def tv(u, periodic=False):
    """Isotropic TV of each image of a batch (float64)."""
    gx, gy = grad(u, periodic)
    return np.sqrt(gx**2 + gy**2).sum(axis=(-2, -1))


def energy(u, f, tv_weight, periodic=False):
    d = np.asarray(u, np.float64) - np.asarray(f, np.float64)
    return 0.5 * (d**2).sum(axis=(-2, -1)) + tv_weight * tv(u, periodic)


def chambolle_pock(f, tv_weight, periodic, n_iter):
    """Accelerated primal-dual solver (Chambolle and Pock 2011, algorithm 2)
    of the same ROF problem: an independent route to the minimiser."""
    tau, sigma = 0.05, 1 / (0.05 * 8)
    u, ubar = f.copy(), f.copy()
    yx, yy = np.zeros_like(f), np.zeros_like(f)
    for _ in range(n_iter):
        gx, gy = grad(ubar, periodic)
        yx += sigma * gx
        yy += sigma * gy
        scale = np.maximum(1, np.hypot(yx, yy) / tv_weight)
        yx /= scale
        yy /= scale
        u_old = u
        u = (u + tau * div(yx, yy, periodic) + tau * f) / (1 + tau)
        theta = 1 / np.sqrt(1 + 2 * tau)
        tau *= theta
        sigma /= theta
        ubar = u + theta * (u - u_old)
    return u


@pytest.fixture(scope="module")
def chapter_image():
    """The chapter's synthetic image, noise from ``np.random.seed(0)``."""
    clean = np.zeros((500, 500))
    clean[100:400, 100:400] = 128
    clean[200:300, 200:300] = 255
    noise = np.random.RandomState(0).standard_normal((500, 500))
    return clean, clean + 30 * noise


@pytest.fixture(scope="module")
def chapter_result(chapter_image):
    """The chapter's (corrected) denoise on its image, and its iterations."""
    U, _, iterations = chapter_denoise(chapter_image[1], chapter_image[1])
    return U, iterations


def squares(n, size=32, noise=20.0, seed=0):
    """Piecewise-constant test images (nested squares) and noisy copies."""
    rng = np.random.default_rng(seed)
    clean = np.zeros((n, size, size))
    for i in range(n):
        a, b = rng.integers(2, size // 3, 2)
        clean[i, a : size - b, a : size - b] = 100
        clean[i, a + 4 : a + 10, a + 4 : a + 10] = 200
    return clean, clean + noise * rng.standard_normal(clean.shape)


# -- the chapter, and the true minimiser ---------------------------------------


def test_reference_is_the_chapter_as_printed(chapter_image):
    # The printed p = U start: 43 iterations to 31.66 dB, as the issue says;
    # this pins the reference below to the book's code.
    clean, noisy = chapter_image
    U, T, iterations = chapter_denoise(noisy, noisy, book=True)
    assert iterations == 43
    assert round(float(psnr(clean[None], U[None], data_range=255)[0]), 2) == 31.66


def test_chambolle_periodic_reproduces_the_chapter(
    chapter_image, chapter_result, accelerate
):
    clean, noisy = chapter_image
    expected, iterations = chapter_result
    assert iterations == 35
    U, T, info = rof_denoise(
        noisy[None], 100.0, method="chambolle", boundary="periodic",
        return_info=True,
    )
    assert info["n_iter"].tolist() == [35]
    assert info["converged"].tolist() == [True]
    np.testing.assert_allclose(U[0], expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(T, noisy[None] - U, rtol=0, atol=1e-12)
    assert round(float(psnr(clean[None], U, data_range=255)[0]), 2) == 32.56


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_default_lands_near_the_true_minimiser(chapter_image, accelerate, dtype):
    clean, noisy = chapter_image
    true_psnr, true_energy = 42.42, 1.3194e8  # from the issue (Neumann)
    U, T, info = rof_denoise(noisy[None].astype(dtype), return_info=True)
    assert U.dtype == dtype and T.dtype == dtype
    assert info["converged"].all() and info["gap"][0] <= 1e-3
    score = psnr(clean[None], U, data_range=255)[0]
    assert true_psnr - 0.2 <= score <= true_psnr + 0.01
    # The gap bounds the excess energy: E(u) - E(u*) <= 1e-3 E(u).
    e = energy(U[0], noisy, 100.0)
    assert 1.31935e8 <= e <= true_energy * (1 + 1e-3)


def test_chapter_stopping_rule_stops_far_from_the_minimiser(chapter_image):
    clean, noisy = chapter_image
    U, _, info = rof_denoise(noisy[None], method="chambolle", return_info=True)
    assert info["gap"][0] > 0.1  # the chapter stops with a 10% duality gap
    assert energy(U[0], noisy, 100.0) > 1.1 * 1.3194e8
    assert psnr(clean[None], U, data_range=255)[0] < 34


# -- discretisation ------------------------------------------------------------


@pytest.mark.parametrize("periodic", [False, True])
@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (6, 1), (2, 2), (5, 8), (9, 4)])
def test_divergence_is_the_negative_adjoint_of_the_gradient(periodic, shape):
    rng = np.random.default_rng(sum(shape))
    u = rng.standard_normal((3,) + shape)
    p = rng.standard_normal((3, 2) + shape)
    g = gradient(u, periodic)
    d = divergence(p, periodic)
    lhs = np.sum(g * p)
    rhs = -np.sum(u * d)
    assert abs(lhs - rhs) <= 1e-12 * (np.abs(g * p).sum() + 1)
    # The gradient is the forward difference the issue specifies.
    gx, gy = grad(u, periodic)
    np.testing.assert_array_equal(g[:, 0], gx)
    np.testing.assert_array_equal(g[:, 1], gy)


# -- solvers against each other and against analytic solutions -----------------


@pytest.mark.parametrize("boundary", ["neumann", "periodic"])
def test_two_solvers_agree_at_a_tiny_gap(boundary):
    rng = np.random.default_rng(3)
    clean = np.zeros((16, 14))
    clean[3:11, 4:12] = 100
    clean[6:9, 6:9] = 200
    f = clean + 20 * rng.standard_normal(clean.shape)
    periodic = boundary == "periodic"
    U_f, _, info_f = rof_denoise(
        f[None], 20.0, tolerance=1e-11, max_num_iter=200_000, boundary=boundary,
        return_info=True,
    )
    U_c, _, info_c = rof_denoise(
        f[None], 20.0, method="chambolle", tolerance=1e-9, max_num_iter=1_000_000,
        boundary=boundary, return_info=True,
    )
    assert info_f["converged"].all() and info_c["converged"].all()
    # Each gap certifies ||u - u*||^2 <= 2 * gap: the two results are within
    # the sum of their certified distances, and here both are tiny.
    e_f, e_c = energy(U_f[0], f, 20.0, periodic), energy(U_c[0], f, 20.0, periodic)
    bound = np.sqrt(2 * info_f["gap"][0] * e_f) + np.sqrt(2 * info_c["gap"][0] * e_c)
    assert np.linalg.norm(U_f - U_c) <= bound
    np.testing.assert_allclose(U_f, U_c, rtol=0, atol=2e-3)
    # An independent solver with its own differences approaches the same u,
    # and never beats the certified minimiser's energy.
    u_cp = chambolle_pock(f, 20.0, periodic, 3000)
    assert np.abs(u_cp - U_f[0]).max() < 0.5
    assert e_f <= energy(u_cp, f, 20.0, periodic) * (1 + 1e-12)


@pytest.mark.parametrize("boundary,jumps", [("neumann", 1), ("periodic", 2)])
def test_step_signal_matches_the_analytic_solution(accelerate, boundary, jumps):
    # A step a -> b of n1 + n2 samples: each level moves towards the other by
    # jumps * tv_weight / (its length); periodic signals also jump at the
    # wrap-around, so twice as far.
    n1, n2, a, b, w = 7, 12, 10.0, 90.0, 30.0
    signal = np.r_[np.full(n1, a), np.full(n2, b)]
    expected = np.r_[np.full(n1, a + jumps * w / n1), np.full(n2, b - jumps * w / n2)]
    rows, _ = rof_denoise(signal[None], w, tolerance=1e-12, max_num_iter=100_000,
                          boundary=boundary)
    # The same step in every row of an image: rows solve the 1-D problem.
    image, _ = rof_denoise(np.tile(signal, (5, 1))[None], w, tolerance=1e-12,
                           max_num_iter=100_000, boundary=boundary)
    np.testing.assert_allclose(rows[0], expected, atol=1e-4)
    np.testing.assert_allclose(image[0], np.tile(expected, (5, 1)), atol=1e-4)


def test_periodic_is_shift_equivariant_and_drags_across_the_border(accelerate):
    _, noisy = squares(1, size=24, seed=4)
    noisy[0, :6] += 150  # top and bottom differ
    U, _ = rof_denoise(noisy, 40.0, boundary="periodic", tolerance=1e-8,
                       max_num_iter=50_000)
    rolled, _ = rof_denoise(np.roll(noisy, (5, 3), axis=(1, 2)), 40.0,
                            boundary="periodic", tolerance=1e-8,
                            max_num_iter=50_000)
    neumann, _ = rof_denoise(noisy, 40.0, tolerance=1e-8, max_num_iter=50_000)
    np.testing.assert_allclose(rolled, np.roll(U, (5, 3), axis=(1, 2)), atol=1e-2)
    # The bright top rows leak into the bottom rows only with wrap-around.
    bottom = noisy[0, -1].mean()
    assert U[0, -1].mean() - bottom > neumann[0, -1].mean() - bottom + 5


# -- batches, channels, layouts ------------------------------------------------


@pytest.mark.parametrize("method", ["fista", "chambolle"])
def test_each_image_converges_on_its_own(accelerate, method, monkeypatch):
    _, noisy = squares(6, size=20, seed=5)
    noisy[2] *= 0.1  # very different images need different iteration counts
    noisy[4] = 3.0  # constant: nothing to do
    kwargs = dict(method=method, return_info=True, n_jobs=2)
    # Small chunks, so that the batch is split over threads too.
    monkeypatch.setattr(executor_module, "CHUNK_BYTES", noisy[0].nbytes * 2)
    U, T, info = rof_denoise(noisy, 25.0, **kwargs)
    for i in range(len(noisy)):
        U_i, T_i, info_i = rof_denoise(noisy[i : i + 1], 25.0, **kwargs)
        np.testing.assert_array_equal(U[i], U_i[0])
        np.testing.assert_array_equal(T[i], T_i[0])
        assert info["n_iter"][i] == info_i["n_iter"][0]
    reordered, _ = rof_denoise(noisy[::-1], 25.0, method=method)
    np.testing.assert_array_equal(reordered, U[::-1])
    assert len(set(info["n_iter"].tolist())) > 1
    np.testing.assert_array_equal(U[4], noisy[4])


def test_colour_channels_are_solved_on_their_own(accelerate):
    _, noisy = squares(6, size=16, seed=6)
    colour = np.stack([noisy[:2], noisy[2:4] * 0.5, noisy[4:]], axis=-1)
    U, T, info = rof_denoise(colour, 15.0, return_info=True)
    first = rof_denoise(colour, 15.0, channel_axis=1, return_info=True)
    flat = rof_denoise(colour.reshape(2, -1), 15.0, image_shape=(16, 16, 3))
    for c in range(3):
        alone, _ = rof_denoise(colour[..., c], 15.0)
        np.testing.assert_array_equal(U[..., c], alone)
    channels_first, _ = rof_denoise(np.moveaxis(colour, -1, 1), 15.0,
                                    channel_axis=1)
    assert info["n_iter"].shape == (2, 3)
    np.testing.assert_array_equal(channels_first, np.moveaxis(U, -1, 1))
    np.testing.assert_array_equal(flat[0], U.reshape(2, -1))
    assert first[0].shape == colour.shape


def test_numba_and_numpy_paths_agree():
    # The compiled kernels against the numpy reference, on varied shapes,
    # both boundaries and methods, in float32 and float64.
    pytest.importorskip("numba")
    assert optional_module("._denoise_numba") is not None
    rng = np.random.default_rng(7)
    cases = [rng.random((3, 13, 17)) * 255, rng.random((2, 1, 9)) * 9,
             rng.random((2, 8, 1)), rng.random((4, 30)) * 50]
    for X in cases:
        for dtype in (np.float64, np.float32):
            for kwargs in (dict(), dict(boundary="periodic", tolerance=1e-5,
                                        max_num_iter=20_000),
                           dict(method="chambolle", tolerance=1e-3, tau=0.2)):
                Xd = X.astype(dtype)
                got, _, info = rof_denoise(Xd, 5.0, return_info=True, **kwargs)
                with config_context(accelerate=False):
                    ref, _, ref_info = rof_denoise(Xd, 5.0, return_info=True,
                                                   **kwargs)
                assert got.dtype == dtype
                np.testing.assert_array_equal(info["n_iter"], ref_info["n_iter"])
                eps = np.finfo(dtype).eps
                np.testing.assert_allclose(got, ref, rtol=0,
                                           atol=100 * eps * (1 + np.abs(X).max()))


def test_float32_agrees_with_float64():
    _, noisy = squares(3, size=40, seed=8)
    U64, _ = rof_denoise(noisy, 20.0, tolerance=1e-6, max_num_iter=20_000)
    U32, _ = rof_denoise(noisy.astype(np.float32), 20.0, tolerance=1e-6,
                         max_num_iter=20_000)
    assert U32.dtype == np.float32
    np.testing.assert_allclose(U32, U64, rtol=0, atol=0.05)


def test_tolerance_does_not_depend_on_the_scale():
    _, noisy = squares(2, size=24, seed=9)
    U, _, info = rof_denoise(noisy, 30.0, return_info=True)
    scaled, _, info_scaled = rof_denoise(noisy / 255, 30.0 / 255, return_info=True)
    np.testing.assert_array_equal(info["n_iter"], info_scaled["n_iter"])
    np.testing.assert_allclose(scaled * 255, U, rtol=0, atol=1e-6)


def test_input_is_never_written():
    _, noisy = squares(2, size=16, seed=10)
    X = noisy.copy()
    X.setflags(write=False)
    for method in ("fista", "chambolle"):
        for accelerate in (True, False):
            with config_context(accelerate=accelerate):
                rof_denoise(X, 10.0, method=method)
                ROFDenoiser(10.0, method=method, output="texture").fit_transform(X)
    np.testing.assert_array_equal(X, noisy)


# -- properties of the minimiser -----------------------------------------------

images_strategy = arrays(
    np.float64,
    st.tuples(st.integers(1, 7), st.integers(1, 7)),
    elements=st.integers(0, 255).map(float),
)


# The accelerate fixture's setting holds for every example alike.
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    f=images_strategy,
    tv_weight=st.floats(0.5, 100.0),
    c=st.floats(-1000.0, 1000.0),
    periodic=st.booleans(),
)
def test_properties_of_the_minimiser(accelerate, f, tv_weight, c, periodic):
    boundary = "periodic" if periodic else "neumann"
    kwargs = dict(tolerance=1e-9, max_num_iter=200_000, boundary=boundary)
    (u,), _ = rof_denoise(f[None], tv_weight, **kwargs)
    (shifted,), _ = rof_denoise(f[None] + c, tv_weight, **kwargs)
    (transposed,), _ = rof_denoise(f.T[None], tv_weight, **kwargs)
    scale = 1 + np.abs(f).max() + abs(c)
    # Dual feasibility, whatever the accuracy: the mean is kept and u moves
    # at most (2 + sqrt(2)) * tv_weight from f.
    assert abs(u.mean() - f.mean()) <= 1e-10 * scale
    assert np.abs(u - f).max() <= (2 + np.sqrt(2)) * tv_weight * (1 + 1e-12)
    # Near-optimality: no more energy, nor TV, than f itself.
    e_f = tv_weight * tv(f, periodic)
    assert energy(u, f, tv_weight, periodic) <= e_f * (1 + 1e-9) + 1e-9
    assert tv(u, periodic) <= tv(f, periodic) * (1 + 1e-9) + 1e-9
    # Symmetries of the problem: adding a constant, transposing.
    np.testing.assert_allclose(shifted, u + c, rtol=0, atol=1e-3 * scale)
    np.testing.assert_allclose(transposed, u.T, rtol=0, atol=1e-3 * scale)


# -- the estimator and tuning --------------------------------------------------


def test_estimator_matches_the_function(accelerate):
    _, noisy = squares(3, size=16, seed=11)
    U, T = rof_denoise(noisy, 12.0, boundary="periodic")
    est = ROFDenoiser(12.0, boundary="periodic")
    np.testing.assert_array_equal(est.fit_transform(noisy), U)
    texture = est.set_params(output="texture").transform(noisy)
    np.testing.assert_array_equal(texture, T)
    flat = ROFDenoiser(12.0, boundary="periodic", image_shape=(16, 16))
    np.testing.assert_array_equal(flat.fit_transform(noisy.reshape(3, -1)),
                                  U.reshape(3, -1))


def test_grid_search_picks_an_interior_weight_and_beats_the_best_blur():
    clean, noisy = squares(12, size=32, noise=25.0, seed=12)
    scorer = make_psnr_scorer(data_range=200)
    weights = [1.0, 5.0, 20.0, 60.0, 200.0, 600.0]
    search = GridSearchCV(ROFDenoiser(), {"tv_weight": weights}, cv=3, scoring=scorer)
    search.fit(noisy, clean)
    best = search.best_params_["tv_weight"]
    assert weights[0] < best < weights[-1]
    scores = search.cv_results_["mean_test_score"]
    assert scores.max() > scores[0] + 3 and scores.max() > scores[-1] + 3

    blur = GridSearchCV(GaussianBlur(), {"sigma": [0.5, 0.8, 1.2, 1.6, 2.2, 3.0]},
                        cv=3, scoring=scorer).fit(noisy, clean)
    rof_out = search.best_estimator_.transform(noisy)
    blur_out = blur.best_estimator_.transform(noisy)
    assert psnr(clean, rof_out, data_range=200).mean() > (
        psnr(clean, blur_out, data_range=200).mean() + 1
    )
    # Edges stay sharp: across a square's border ROF keeps most of the step
    # in one pixel, the best blur spreads it.
    def step_in_one_pixel(out):
        d = np.abs(np.diff(out, axis=2))
        truth = np.abs(np.diff(clean, axis=2))
        edges = truth > 50
        return (d[edges] / truth[edges]).mean()
    assert step_in_one_pixel(rof_out) > 0.7
    assert step_in_one_pixel(blur_out) < 0.5
    # The scorer also works inside pipelines.
    pipe = make_pipeline(GaussianBlur(0.5), ROFDenoiser(best)).fit(noisy, clean)
    assert np.isfinite(scorer(pipe, noisy, clean))


# -- bad input -----------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(tv_weight=0.0), "'tv_weight' parameter of rof_denoise"),
        (dict(tv_weight=-1.0), "'tv_weight'"),
        (dict(tv_weight=np.nan), "'tv_weight'"),
        (dict(tv_weight=np.inf), "'tv_weight'"),
        (dict(tv_weight="big"), "'tv_weight'"),
        (dict(tolerance=0.0), "'tolerance'"),
        (dict(tolerance=-1e-3), "'tolerance'"),
        (dict(tolerance=np.nan), "'tolerance'"),
        (dict(max_num_iter=0), "'max_num_iter'"),
        (dict(max_num_iter=2.5), "'max_num_iter'"),
        (dict(max_num_iter=np.inf), "'max_num_iter'"),
        (dict(tau=0.0), r"'tau' parameter of rof_denoise must be a float in the "
                        r"range \(0, 0.25\)"),
        (dict(tau=0.25), "'tau'"),
        (dict(tau=0.3), "'tau'"),
        (dict(tau=np.nan), "'tau'"),
        (dict(method="newton"), "'method'"),
        (dict(boundary="reflect"), "'boundary'"),
        (dict(n_jobs=0), "'n_jobs'"),
        (dict(return_info="yes"), "'return_info'"),
    ],
)
def test_bad_parameters_raise_clear_errors(kwargs, match):
    X = np.zeros((1, 4, 4))
    tv_weight = kwargs.pop("tv_weight", 10.0)
    with pytest.raises(ValueError, match=match):
        rof_denoise(X, tv_weight, **kwargs)


@pytest.mark.parametrize(
    "params,match",
    [
        (dict(tv_weight=0.0), "'tv_weight' parameter of ROFDenoiser"),
        (dict(output="edges"), "'output' parameter of ROFDenoiser"),
        (dict(tau=1.0), "'tau' parameter of ROFDenoiser"),
        (dict(max_num_iter=0), "'max_num_iter' parameter of ROFDenoiser"),
    ],
)
def test_estimator_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        ROFDenoiser(**params).fit_transform(np.zeros((1, 4, 4)))


def test_weights_and_values_beyond_the_data_type_are_refused(accelerate):
    X = np.random.default_rng(14).random((1, 6, 6)).astype(np.float32)
    with pytest.raises(ValueError, match="'tv_weight' .* for float32 images"):
        rof_denoise(X, 1e-40)  # its step 1 / (8 tv_weight) is inf in float32
    with pytest.raises(ValueError, match="'tv_weight' .* for float32 images"):
        rof_denoise(X, 1e38)
    huge = np.where(X > 0.5, 3e38, -3e38).astype(np.float32)
    with pytest.raises(ValueError, match="overflowed"):
        rof_denoise(huge, 1.0)
    # float64 carries the same weight.
    U, _ = rof_denoise(X.astype(np.float64), 1e-40)
    np.testing.assert_allclose(U, X, atol=1e-12)


def test_estimator_names_itself_in_the_solver_errors(accelerate):
    X = np.random.default_rng(14).random((1, 6, 6)).astype(np.float32)
    with pytest.raises(ValueError, match="'tv_weight' parameter of ROFDenoiser .* "
                                         "for float32 images"):
        ROFDenoiser(1e-40).fit_transform(X)
    huge = np.where(X > 0.5, 3e38, -3e38).astype(np.float32)
    with pytest.raises(ValueError, match="^ROFDenoiser overflowed"):
        ROFDenoiser(1.0).fit(huge).transform(huge)
    # And the function its own name again, after the estimator.
    with pytest.raises(ValueError, match="^rof_denoise overflowed"):
        rof_denoise(huge, 1.0)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_images_are_refused(bad):
    X = np.zeros((2, 5, 5))
    X[1, 2, 3] = bad
    with pytest.raises(ValueError, match="NaN or inf"):
        rof_denoise(X)
    with pytest.raises(ValueError, match="NaN or inf"):
        ROFDenoiser().fit_transform(X)


@pytest.mark.parametrize("method", ["fista", "chambolle"])
def test_max_num_iter_reached_warns(accelerate, method):
    _, noisy = squares(3, size=24, seed=13)
    with pytest.warns(ConvergenceWarning, match="max_num_iter=3 .* 3 of 3"):
        U, _, info = rof_denoise(noisy, 50.0, method=method, max_num_iter=3,
                                 tolerance=1e-6, return_info=True)
    with pytest.warns(ConvergenceWarning, match="ROFDenoiser"):
        ROFDenoiser(50.0, method=method, max_num_iter=3,
                    tolerance=1e-6).fit_transform(noisy)
    assert info["n_iter"].tolist() == [3, 3, 3]
    assert not info["converged"].any()
    # Still a dual-feasible result: the means are kept.
    np.testing.assert_allclose(U.mean(axis=(1, 2)), noisy.mean(axis=(1, 2)))


@pytest.mark.parametrize("method", ["fista", "chambolle"])
def test_convergence_warning_points_at_the_callers_line(accelerate, method):
    _, noisy = squares(1, size=12, seed=15)
    kwargs = dict(method=method, max_num_iter=2, tolerance=1e-9)
    calls = {
        "rof_denoise": lambda: rof_denoise(noisy, 50.0, **kwargs),
        "fit_transform": lambda: ROFDenoiser(50.0, **kwargs).fit_transform(noisy),
        "transform": lambda: ROFDenoiser(50.0, **kwargs).fit(noisy).transform(noisy),
    }
    for name, call in calls.items():
        with pytest.warns(ConvergenceWarning) as record:
            call()
        assert [w.filename for w in record] == [__file__], name
