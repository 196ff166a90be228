"""Region properties of every object of a tile at once, as scikit-image's.

One pass over a tile's label image (see :func:`._label.label_tile`) gathers
per label the sums that the properties need: the area, the moments of the
pixel coordinates up to order 2, the bounding box, the perimeter and the sum
of the gray values. :func:`region_properties` turns them into the values of
:func:`skimage.measure.regionprops` (``area``, ``perimeter``,
``eccentricity``, ``extent``, ``equivalent_diameter_area``, the axis lengths,
``orientation``, ``mean_intensity``), for every label in a few whole-array
operations: no Python loop over objects.

The pass is :func:`accumulate_numpy` here (flat indices, ``bincount``) or
the compiled one of :mod:`._properties_numba`; both fill the same arrays.

The coordinates are summed relative to each object's first pixel (in raster
order), as integers: the central moments ``m * mu = m * sum(r * r) -
sum(r) ** 2`` are then exact, so that the symmetric objects for which
scikit-image finds ``mu20 == mu02`` (and takes its special case of the
orientation) are found so here too.

The perimeter is scikit-image's ``perimeter(image, 4)`` on each object's own
mask: its border pixels (those with a 4-neighbour outside the object) are
weighted by how many of their 4- and diagonal neighbours are border pixels
of the same object [1]_.

References
----------
.. [1] K. Benkrid and D. Crookes, "Design and FPGA implementation of a
   perimeter estimator", Proc. Irish Machine Vision and Image Processing
   Conference, 2000.
"""

import numpy as np

__all__ = ["PROPERTIES", "accumulate", "region_properties"]

#: The properties of :func:`region_properties`, named as scikit-image's
#: ``regionprops`` attributes (its older names for the axis lengths and the
#: mean intensity).
PROPERTIES = ("area", "perimeter", "eccentricity", "extent",
              "equivalent_diameter_area", "major_axis_length", "minor_axis_length",
              "orientation", "mean_intensity")

# Columns of the integer sums, per label.
AREA, ROW0, COL0, SR, SC, SRR, SCC, SRC, MAXR, MINC, MAXC = range(11)
N_INT = 11
# Columns of the float sums: the perimeter and the gray values.
PERIMETER, INTENSITY = range(2)

#: scikit-image's weights of a border pixel, indexed by ``1 + 2 * (its
#: 4-neighbours on the border) + 10 * (its diagonal neighbours on the border)``.
PERIMETER_WEIGHTS = np.zeros(50)
PERIMETER_WEIGHTS[[5, 7, 15, 17, 25, 27]] = 1
PERIMETER_WEIGHTS[[21, 33]] = np.sqrt(2)
PERIMETER_WEIGHTS[[13, 23]] = (1 + np.sqrt(2)) / 2


def accumulate(kernels, labels, source, geometry, n_labels, *, perimeter,
               intensity):
    """The per-label sums of a tile: ``(ints, floats)``, rows ``0..n_labels``
    (row 0, the background, unused).

    ``labels`` is the tile's 2-D label image (gaps 0), ``source`` its gray
    images ``(n, h, w)``, ``geometry`` the mosaic's (see
    :func:`skimgproc._mosaic.mosaic_views`); ``kernels`` is
    :mod:`._properties_numba` or None for the NumPy pass.
    """
    ints = np.zeros((n_labels + 1, N_INT), np.int64)
    floats = np.zeros((n_labels + 1, 2), np.float64)
    if kernels is not None:
        kernels.accumulate(labels.reshape(-1), source, *geometry, perimeter,
                           intensity, PERIMETER_WEIGHTS, ints, floats)
    else:
        accumulate_numpy(labels.reshape(-1), source, geometry, perimeter,
                         intensity, ints, floats)
    return ints, floats


def _bincount(labels, weights, size):
    return np.bincount(labels, weights, minlength=size)


def accumulate_numpy(flat, source, geometry, perimeter, intensity, ints, floats):
    """The NumPy pass of :func:`accumulate`, on the flat label image."""
    gap_rows, pitch, cols, _, _ = geometry
    size = len(ints)
    where = np.flatnonzero(flat)  # raster order
    lab = flat[where]
    row, col = np.divmod(where, cols)
    image, row = np.divmod(row - gap_rows, pitch)
    ints[:, AREA] = _bincount(lab, None, size)
    first = np.full(size, len(where))
    np.minimum.at(first, lab, np.arange(len(where)))
    present = first < len(where)
    ints[present, ROW0] = row[first[present]]
    ints[present, COL0] = col[first[present]]
    ints[:, MINC] = ints[:, COL0]
    np.maximum.at(ints[:, MAXR], lab, row)
    np.minimum.at(ints[:, MINC], lab, col)
    np.maximum.at(ints[:, MAXC], lab, col)
    dr = (row - ints[lab, ROW0]).astype(np.float64)
    dc = (col - ints[lab, COL0]).astype(np.float64)
    # Integers below 2**53: the float sums are exact.
    for column, weights in ((SR, dr), (SC, dc), (SRR, dr * dr), (SCC, dc * dc),
                            (SRC, dr * dc)):
        ints[:, column] = np.rint(_bincount(lab, weights, size))
    if intensity:
        values = source[image, row, col].astype(np.float64)
        floats[:, INTENSITY] = _bincount(lab, values, size)
    if perimeter:
        floats[:, PERIMETER] = _perimeters_numpy(flat, where, lab, cols, size)


def _perimeters_numpy(flat, where, lab, cols, size):
    """scikit-image's perimeter of every label. The mosaic's gaps make every
    neighbour of a foreground pixel an element of ``flat`` (a row's left
    neighbour at column 0 is the gap at the end of the row above)."""
    background = flat == 0
    four = (-1, 1, -cols, cols)
    on_border = np.zeros(len(where), bool)
    for step in four:
        on_border |= background[where + step]
    border, border_lab = where[on_border], lab[on_border]
    is_border = np.zeros(flat.size, bool)
    is_border[border] = True
    code = np.ones(len(border), np.int64)
    for step in four:  # a 4-neighbour in the foreground is of the same object
        code += 2 * is_border[border + step]
    for step in (-cols - 1, -cols + 1, cols - 1, cols + 1):
        q = border + step
        code += 10 * (is_border[q] & (flat[q] == border_lab))
    return _bincount(border_lab, PERIMETER_WEIGHTS[code], size)


def _central_moments(ints):
    """The entries ``(a, b, c)`` of scikit-image's inertia tensor ``[[a, b],
    [b, c]]`` (``mu02 / m``, ``-mu11 / m``, ``mu20 / m``), from the exact
    integer numerators ``m * m * mu`` where they fit in int64."""
    m = ints[:, AREA]
    sr, sc = ints[:, SR], ints[:, SC]
    bound = int(m.max()) * int(max(ints[:, SRR].max(), ints[:, SCC].max(),
                                   np.abs(ints[:, SRC]).max(), 1)) * 2
    if bound < 2**62:
        n20 = m * ints[:, SRR] - sr * sr
        n02 = m * ints[:, SCC] - sc * sc
        n11 = m * ints[:, SRC] - sr * sc
        mm = (m * m).astype(np.float64)
    else:  # huge objects: float sums (rounding at 1e-16 of the sums)
        mf = m.astype(np.float64)
        n20 = mf * ints[:, SRR] - sr.astype(np.float64) ** 2
        n02 = mf * ints[:, SCC] - sc.astype(np.float64) ** 2
        n11 = mf * ints[:, SRC] - sr.astype(np.float64) * sc
        mm = mf * mf
    with np.errstate(invalid="ignore", divide="ignore"):
        # Row 0 (background, area 0) becomes NaN and is never used. b is
        # negated as a float, as scikit-image's: -0.0 for mu11 = 0, which
        # puts its orientation of a horizontal bar at +pi/2.
        return n02 / mm, -(n11 / mm), n20 / mm


def region_properties(ints, floats, names):
    """``{name: values}``, one value per row of the sums (row 0 unused)."""
    m = ints[:, AREA].astype(np.float64)
    out = {}
    if {"eccentricity", "major_axis_length", "minor_axis_length",
            "orientation"} & set(names):
        a, b, c = _central_moments(ints)
        half = np.sqrt(((a - c) / 2) ** 2 + b * b)
        l1 = np.maximum((a + c) / 2 + half, 0)
        l2 = np.maximum((a + c) / 2 - half, 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["eccentricity"] = np.where(l1 == 0, 0.0, np.sqrt(1 - l2 / l1))
        out["major_axis_length"] = 4 * np.sqrt(l1)
        out["minor_axis_length"] = 4 * np.sqrt(l2)
        out["orientation"] = np.where(
            a - c == 0, np.where(b < 0, np.pi / 4, -np.pi / 4),
            0.5 * np.arctan2(-2 * b, c - a))
    boxes = ((ints[:, MAXR] - ints[:, ROW0] + 1)
             * (ints[:, MAXC] - ints[:, MINC] + 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        out["extent"] = m / boxes
        out["mean_intensity"] = floats[:, INTENSITY] / m
    out["area"] = m
    out["perimeter"] = floats[:, PERIMETER]
    out["equivalent_diameter_area"] = (4 * m / np.pi) ** 0.5
    return {name: out[name] for name in names}
