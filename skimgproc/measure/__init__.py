"""Labelling, counting and measuring the objects of image batches.

The chapter's "object count" recipe and what follows from it: threshold a
gray image, open (or close) it, fill its holes, label its connected
components; then count them (:func:`count_objects`,
:class:`BinaryOpeningCounter`, :class:`ObjectCounter`, a regressor tuned from
known counts) or measure them (:func:`object_features`,
:class:`ObjectFeatures`: region properties as in scikit-image, summarised per
image). Every result equals scipy.ndimage (and scikit-image's
``regionprops``) run on each image alone.

One engine serves the family: the tile engine of :mod:`skimgproc._mosaic`
thresholds and opens tiles of images, and one labeller labels a tile
(:func:`._label.label_tile`).

The modules behind this one: ``_label`` (:func:`label`,
:class:`ConnectedComponents`, the labeller), ``_count`` (counting, hole
filling, ``min_area``) with its run counter ``_count_numba``, ``_counter``
(:class:`ObjectCounter`), ``_objects`` (the object features) and
``_properties`` (the region properties of every object of a tile at once)
with its kernel ``_properties_numba``.
"""

from ._count import BinaryOpeningCounter, count_objects
from ._counter import ObjectCounter
from ._label import ConnectedComponents, label
from ._objects import ObjectFeatures, object_features

__all__ = [
    "BinaryOpeningCounter",
    "ConnectedComponents",
    "ObjectCounter",
    "ObjectFeatures",
    "count_objects",
    "label",
    "object_features",
]
