"""``skimgproc features``: a CSV of feature rows, one per image file.

::

    skimgproc features IMAGE... [--kind statistics|hog|lbp|objects]
                       [--csv FILE] [--color] [the kind's parameters]

The kinds are the feature estimators the package has when the parser is
built: those of :mod:`skimgproc.features` (``ImageStatistics`` is
``statistics``, ``HOGDescriptor`` ``hog``, ``LBPHistogram`` ``lbp``) and
``ObjectFeatures`` of :mod:`skimgproc.measure` (``objects``); one added
later, unnamed here, goes by its class name in lower case. Each kind's
parameters are options with the estimator's names and defaults, as for
``skimgproc count``; an option of another kind is refused. Each file is one
image (gray, or channels last with ``--color``), fitted and transformed on
its own; the CSV has a ``file`` column, then the estimator's
``get_feature_names_out``, each value written in the fewest digits that
read back to the same number in the estimator's dtype.
"""

import csv
import io as _text_io
import sys

import numpy as np

from . import features as _features
from . import measure as _measure
from ._base import ImageTransformer
from ._files import atomic_write
from .cli import (
    CommandError,
    _add_files,
    _add_params,
    _FileProgress,
    _given_params,
    _inputs,
    _refuse_csv_over_input,
    _warnings_as_lines,
)
from .io import read_image

__all__ = ["add_features_command", "feature_kinds"]

#: The kinds' names on the command line, by estimator class name.
KIND_NAMES = {
    "ImageStatistics": "statistics",
    "HOGDescriptor": "hog",
    "LBPHistogram": "lbp",
    "ObjectFeatures": "objects",
}


def feature_kinds():
    """``kind -> estimator class`` of the feature estimators in the package.

    Examples
    --------
    >>> from skimgproc._cli_features import feature_kinds
    >>> feature_kinds()["statistics"].__name__
    'ImageStatistics'
    """
    classes = [getattr(_features, name) for name in _features.__all__]
    classes.append(getattr(_measure, "ObjectFeatures", None))
    kinds = {KIND_NAMES.get(cls.__name__, cls.__name__.lower()): cls
             for cls in classes
             if isinstance(cls, type) and issubclass(cls, ImageTransformer)}
    return dict(sorted(kinds.items()))


def add_features_command(commands):
    """Add ``features`` to the subcommands of the ``skimgproc`` parser."""
    kinds = feature_kinds()
    listed = ", ".join(f"{kind} ({cls.__name__})" for kind, cls in kinds.items())
    parser = commands.add_parser(
        "features", help="a CSV of per-image features (" + ", ".join(kinds) + ")",
        description="One row of features per image file, from a feature "
        f"estimator of skimgproc: {listed}. Writes a CSV table: the file, then "
        "the estimator's feature names.",
    )
    _add_files(parser, out=False)
    parser.add_argument(
        "--kind", choices=list(kinds), default="statistics",
        help="the feature estimator (default: statistics)")
    parser.add_argument(
        "--csv", metavar="FILE", default="-",
        help="write the CSV table to FILE; '-' (default) for standard output")
    _add_params(parser, list(kinds.values()))
    parser.set_defaults(handler=_cmd_features, kinds=kinds)
    return parser


def _cmd_features(args):
    cls = args.kinds[args.kind]
    estimator = cls(**_given_params(cls, args))
    inputs = _inputs(args.inputs)
    _refuse_csv_over_input(args.csv, inputs)
    mode = "RGB" if args.color else "L"
    names, rows = None, []
    # Nothing on standard error while the table goes to standard output.
    progress = _FileProgress(args, len(inputs) if args.csv != "-" else 0)
    for src in inputs:
        image = read_image(src, mode=mode)
        with _warnings_as_lines(args, src):
            # Fitted per file, as when the image is transformed alone.
            row = estimator.fit_transform(image[np.newaxis])[0]
        names = _same_names(names, estimator.get_feature_names_out(), src,
                            inputs[0])
        rows.append((src, row))
        progress.done(f"{src}")
    progress.close()
    _write_table(args, type(estimator).__name__, names, rows)
    return 0


def _same_names(names, new, src, first):
    """The columns, the same for every file (HOG's depend on the size)."""
    new = [str(name) for name in new]
    if names is not None and new != names:
        raise CommandError(
            f"'{src}' gives {len(new)} features, other than the {len(names)} of "
            f"'{first}': the images must have one size for one table "
            "(resize them first)"
        )
    return new


def _value(value):
    """The fewest digits that read back to ``value`` in its own dtype."""
    return np.format_float_positional(value, unique=True, trim="-")


def _write_table(args, owner, names, rows):
    text = _text_io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["file", *names])
    writer.writerows([str(src), *map(_value, row)] for src, row in rows)
    if args.csv == "-":
        sys.stdout.write(text.getvalue())
        return
    with atomic_write(args.csv, "skimgproc features") as file:
        file.write(text.getvalue().encode("utf-8"))
    if not args.quiet:
        plural = "s" if len(rows) > 1 else ""
        print(f"{owner}: wrote {len(names)} features of {len(rows)} image{plural} "
              f"to {args.csv}")
