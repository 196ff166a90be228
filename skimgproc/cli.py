"""The ``skimgproc`` command line: the estimators applied to image files.

::

    skimgproc blur     IMAGE... -o OUT [--sigma 2] [--color]
    skimgproc gradient IMAGE... -o OUT [--method sobel|prewitt|gaussian]
    skimgproc count    IMAGE... [--csv FILE] [--structure 9,5 --iterations 2]
    skimgproc features IMAGE... [--kind statistics] [--csv FILE] [--grid 4,4]
    skimgproc denoise  IMAGE... -o OUT [--tv_weight 100]
    skimgproc demo     OUTDIR

Each command takes its estimator's parameters as options with the same
names and defaults (read from the estimator itself, so they cannot drift).
Values are read as Python literals: ``--sigma 2``, ``--sigma 2,5`` (one per
axis), ``--mode nearest``. Bad input ends the command with exit status 2 and
one line on standard error.

``skimgproc demo`` runs :func:`skimgproc.demo.run_demo` (also importable
from here, as before the demo had its own module).
"""

import argparse
import ast
import csv
import io as _text_io
import os
import re
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from sklearn.base import clone

from . import __version__
from ._files import atomic_write, image_format
from ._progress import Progress
from .demo import run_demo
from .denoise import ROFDenoiser
from .filters import GaussianBlur
from .gradients import GaussianGradient, PrewittGradient, SobelGradient
from .io import read_image, write_image
from .measure import BinaryOpeningCounter

__all__ = ["main", "run_demo"]

# Parameters the command line decides itself: files are single images, read
# gray or (with --color) channels last.
_LAYOUT_PARAMS = frozenset({"channel_axis", "image_shape"})

GRADIENTS = {
    "sobel": SobelGradient,
    "prewitt": PrewittGradient,
    "gaussian": GaussianGradient,
}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on standard error."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


class CommandError(ValueError):
    """Bad input to a command, reported as one line."""


def _literal(text):
    """A Python literal (2, 2.5, 2,5, None, "x"), a comma-separated list of
    such values or names (``n_objects,mean_area``), or else the text itself."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        pass
    if "," in text:
        parts = [part.strip() for part in text.split(",")]
        return tuple(_literal(part) for part in parts if part)
    return text


def _param_help(cls, name):
    """The first sentence of the parameter's numpydoc description."""
    doc = cls.__doc__ or ""
    match = re.search(
        rf"^\s*{re.escape(name)} : [^\n]*\n((?:\s{{8,}}[^\n]*\n)+)", doc, re.M
    )
    if not match:
        return ""
    text = " ".join(match.group(1).replace("``", "").split())
    text = re.sub(r":\w+:`~?([^`]+)`", r"\1", text)  # Sphinx roles
    return text.split(". ")[0].rstrip(".") + "."


def _add_param(group, name, default, help_text):
    flags = [f"--{name}"]
    if "_" in name:
        flags.append(f"--{name.replace('_', '-')}")
    if isinstance(default, bool):
        group.add_argument(*flags, dest=name, default=argparse.SUPPRESS,
                           action=argparse.BooleanOptionalAction, help=help_text)
    else:
        group.add_argument(*flags, dest=name, default=argparse.SUPPRESS,
                           type=_literal, metavar=name.upper(), help=help_text)


def _add_params(parser, classes, skip=_LAYOUT_PARAMS):
    """Add one option per parameter of the estimator classes.

    The default is left to the estimator (SUPPRESS): only options given on
    the command line are passed, so the estimator's defaults apply as they
    are, and ``--help`` shows them as read from ``get_params()``.
    """
    group = parser.add_argument_group(
        "estimator parameters", "the estimator's own parameters, same names and "
        "defaults (values are Python literals: 2, 2.5, 2,5, None, name)"
    )
    params = {cls: cls().get_params() for cls in classes}
    parser.set_defaults(param_names=frozenset(
        name for names in params.values() for name in names) - skip)
    seen = set()
    for cls in classes:
        for name, default in params[cls].items():
            if name in skip or name in seen:
                continue
            seen.add(name)
            owners = [c.__name__ for c in classes if name in params[c]]
            help_text = f"{_param_help(cls, name)} (default: {default!r}"
            if len(owners) < len(classes):
                help_text += "; " + ", ".join(owners) + " only"
            _add_param(group, name, default, (help_text + ")").replace("%", "%%"))


def _given_params(cls, args):
    """The parameters of ``cls`` given on the command line."""
    defaults = cls().get_params()
    names = set(defaults) - _LAYOUT_PARAMS
    given = {k: v for k, v in vars(args).items() if k in args.param_names}
    foreign = sorted(set(given) - names)
    if foreign:
        raise CommandError(
            f"{cls.__name__} has no parameter {', '.join('--' + f for f in foreign)} "
            f"(its parameters: {', '.join('--' + n for n in sorted(names))})"
        )
    return {name: _like_default(value, defaults[name])
            for name, value in given.items()}


def _like_default(value, default):
    """One name given for a parameter that is a tuple of names (features=...)
    becomes a tuple of one."""
    names_tuple = (isinstance(default, tuple) and default
                   and all(isinstance(d, str) for d in default))
    return (value,) if isinstance(value, str) and names_tuple else value


def _estimator(cls, args, colour=False):
    """The estimator with the parameters given on the command line, checked
    before any file is touched."""
    estimator = cls(**_given_params(cls, args))
    # The estimator checks its parameters itself, on a tiny image, before any
    # file is read or written.
    probe = np.zeros((1, 16, 16, 3) if colour else (1, 16, 16))
    clone(estimator).fit(probe)
    return estimator


def _add_files(parser, *, out=True, colour=True):
    parser.add_argument("inputs", nargs="+", metavar="IMAGE",
                        help="input image files (PNG, JPEG, TIFF, ...)")
    if out:
        parser.add_argument(
            "-o", "--out", required=True, metavar="OUT",
            help="output file (one input) or folder (created if missing; outputs "
            "keep the input names)",
        )
        parser.add_argument(
            "--rescale", choices=("auto", "minmax", "clip", "none"), default="auto",
            help="how results become 8-bit images: 'minmax' maps [min, max] to "
            "[0, 255], 'clip' clips to [0, 255], 'none' writes values as they "
            "are (16-bit PNG/TIFF, float TIFF); 'auto' (default) clips results of "
            "8-bit inputs that keep their brightness and min-max scales the rest",
        )
    if colour:
        parser.add_argument("--color", action="store_true",
                            help="read images in colour and process each channel "
                            "(default: gray)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print nothing but errors")


def _same_file(a, b):
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _inputs(inputs):
    """The input paths, each an existing file."""
    inputs = [Path(p) for p in inputs]
    missing = [p for p in inputs if not p.is_file()]
    if missing:
        p = missing[0]
        what = "is a directory, not an image file" if p.is_dir() else "no such file"
        raise CommandError(f"cannot read '{p}': {what}")
    return inputs


def _is_single_output(inputs, out):
    """Whether ``out`` names one output file rather than a folder."""
    return (
        len(inputs) == 1
        and not Path(out).is_dir()
        and bool(Path(out).suffix)
        and not str(out).endswith(("/", os.sep))
    )


def _refuse_overwriting_inputs(inputs, targets):
    seen = {}
    for src, dst in zip(inputs, targets, strict=True):
        key = os.path.normcase(os.path.abspath(dst))
        if key in seen:
            raise CommandError(
                f"'{seen[key]}' and '{src}' would both be written to '{dst}'"
            )
        seen[key] = src
        for other in inputs:
            if _same_file(other, dst) or os.path.abspath(other) == os.path.abspath(dst):
                raise CommandError(
                    f"refusing to overwrite the input '{other}' with the output of "
                    f"'{src}'; choose another output (-o)"
                )


def _plan(inputs, out):
    """(input, output) pairs, refusing to overwrite an input or to write one
    output twice; the output folder is made once all is checked."""
    inputs = _inputs(inputs)
    single = _is_single_output(inputs, out)
    out = Path(out)
    if single:
        targets = [out]
    elif out.exists() and not out.is_dir():
        raise CommandError(
            f"'{out}' is a file, but {len(inputs)} inputs need an output folder"
        )
    else:
        targets = [out / p.name for p in inputs]
    for dst in targets[:1] if single else targets:
        image_format(dst)  # an unknown extension fails now, not later
    _refuse_overwriting_inputs(inputs, targets)
    if not single:
        out.mkdir(parents=True, exist_ok=True)
    return list(zip(inputs, targets, strict=True))


@contextmanager
def _warnings_as_lines(args, src):
    """Warnings of the estimator (a ConvergenceWarning, ...) as one line each
    on standard error, naming the file, instead of Python's two-line form."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        text = " ".join(str(warning.message).split())
        print(f"skimgproc {args.command}: warning: {src}: {text}", file=sys.stderr)


def _progress(args, index, total, text):
    if not args.quiet and total > 1:
        print(f"[{index}/{total}] {text}", file=sys.stderr, flush=True)


class _FileProgress:
    """The files done and the time left, on standard error: one updating
    line on a terminal, a line per file otherwise (``[2/3] a.png -> out/a.png
    (1.2 s elapsed, about 0.6 s left)``); nothing with --quiet or one file."""

    def __init__(self, args, total):
        self.report = None
        if not args.quiet and total > 1:
            self.report = Progress(total, f"skimgproc {args.command}", 2,
                                   unit="files", summary=False)

    def done(self, text):
        if self.report is not None:
            self.report.advance(1, note=text)

    def close(self):
        if self.report is not None:
            self.report.close()


def _rescale(choice, image, keeps_brightness):
    if choice == "none":
        return None
    if choice == "auto":
        return "clip" if keeps_brightness and image.dtype == np.uint8 else "minmax"
    return choice


def _transform_files(args, estimator, keeps_brightness):
    pairs = _plan(args.inputs, args.out)
    mode = "RGB" if getattr(args, "color", False) else "L"
    start = time.perf_counter()
    progress = _FileProgress(args, len(pairs))
    for src, dst in pairs:
        image = read_image(src, mode=mode)
        with _warnings_as_lines(args, src):
            # Fitted per file: files may differ in size.
            result = estimator.fit_transform(image[np.newaxis])[0]
        write_image(dst, result, rescale=_rescale(args.rescale, image,
                                                  keeps_brightness))
        progress.done(f"{src} -> {dst}")
    progress.close()
    if not args.quiet:
        seconds = time.perf_counter() - start
        where = pairs[0][1] if len(pairs) == 1 else Path(args.out)
        print(f"{type(estimator).__name__}: wrote {len(pairs)} image"
              f"{'s' if len(pairs) > 1 else ''} to {where} in {seconds:.1f} s")
    return 0


# -- commands -----------------------------------------------------------------


def _cmd_blur(args):
    estimator = _estimator(GaussianBlur, args, colour=args.color)
    return _transform_files(args, estimator, keeps_brightness=True)


def _cmd_gradient(args):
    estimator = _estimator(GRADIENTS[args.method], args, colour=args.color)
    return _transform_files(args, estimator, keeps_brightness=False)


def _cmd_denoise(args):
    estimator = _estimator(ROFDenoiser, args, colour=args.color)
    return _transform_files(args, estimator,
                            keeps_brightness=estimator.output == "denoised")


def _refuse_csv_over_input(csv_name, inputs):
    if csv_name in (None, "-"):
        return
    csv_path = Path(csv_name)
    if any(_same_file(p, csv_path) or p.resolve() == csv_path.resolve()
           for p in inputs):
        raise CommandError(f"refusing to overwrite the input '{csv_path}' with "
                           "the CSV")


def _count_line(src, names, features):
    if len(names) == 1 and names[0] == "n_objects":
        return f"{src}: {int(features[0])} objects"
    return f"{src}: " + " ".join(
        f"{n}={_number(v)}" for n, v in zip(names, features, strict=True))


def _write_csv(args, names, rows):
    table = _text_io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["file", *names])
    for src, features in rows:
        writer.writerow([str(src), *(_number(v) for v in features)])
    if args.csv == "-":
        sys.stdout.write(table.getvalue())
        return
    with atomic_write(args.csv, "skimgproc count") as file:
        file.write(table.getvalue().encode("utf-8"))
    if not args.quiet:
        print(f"wrote counts of {len(rows)} image"
              f"{'s' if len(rows) > 1 else ''} to {args.csv}")


def _cmd_count(args):
    counter = _estimator(BinaryOpeningCounter, args)
    inputs = _inputs(args.inputs)
    _refuse_csv_over_input(args.csv, inputs)
    rows = []
    # Printed lines show the progress without a CSV.
    progress = _FileProgress(args, len(inputs) if args.csv is not None else 0)
    for src in inputs:
        # Fitted per file: with threshold="otsu" or "mean" each image gets its
        # own threshold, as when counting it alone.
        image = read_image(src)
        with _warnings_as_lines(args, src):
            features = counter.fit_transform(image[np.newaxis])[0]
        rows.append((src, features))
        if args.csv is not None:
            progress.done(f"{src}")
        else:
            print(_count_line(src, counter.get_feature_names_out(), features),
                  flush=True)
    progress.close()
    if args.csv is not None:
        _write_csv(args, counter.get_feature_names_out(), rows)
    return 0


def _number(value):
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.6g}"


def _cmd_demo(args):
    try:
        run_demo(args.outdir, quiet=args.quiet)
    except ModuleNotFoundError as exc:
        if exc.name != "matplotlib":
            raise
        print(f"skimgproc demo: error: {exc}", file=sys.stderr)  # names the extra
        return 2
    return 0


# -- entry point ----------------------------------------------------------------


def _parser():
    parser = _Parser(
        prog="skimgproc",
        description="Classic image processing (scipy.ndimage through "
        "scikit-learn estimators) on image files.",
    )
    parser.add_argument("--version", action="version",
                        version=f"skimgproc {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND",
                                     parser_class=_Parser, required=True)

    blur = commands.add_parser("blur", help="Gaussian blur (GaussianBlur)",
                               description="Smooth images with a Gaussian filter "
                               "(skimgproc.GaussianBlur).")
    _add_files(blur)
    _add_params(blur, [GaussianBlur])
    blur.set_defaults(handler=_cmd_blur)

    gradient = commands.add_parser(
        "gradient", help="image derivatives (Sobel, Prewitt, Gaussian)",
        description="Image derivatives: the x or y derivative, the gradient "
        "magnitude or angle (skimgproc.SobelGradient, PrewittGradient, "
        "GaussianGradient).",
    )
    gradient.add_argument("--method", choices=sorted(GRADIENTS), default="sobel",
                          help="derivative filter (default: sobel)")
    _add_files(gradient)
    _add_params(gradient, list(GRADIENTS.values()))
    gradient.set_defaults(handler=_cmd_gradient)

    count = commands.add_parser(
        "count", help="count objects (BinaryOpeningCounter)",
        description="Count the objects of each image: threshold (dark objects "
        "below 128 by default), binary opening, connected components "
        "(skimgproc.BinaryOpeningCounter). Prints one line per file, or a CSV.",
    )
    _add_files(count, out=False, colour=False)
    count.add_argument("--csv", metavar="FILE",
                       help="write a CSV table (file and features) to FILE, or to "
                       "standard output with '-'")
    _add_params(count, [BinaryOpeningCounter])
    count.set_defaults(handler=_cmd_count)

    from ._cli_features import add_features_command  # it imports this module
    add_features_command(commands)

    denoise = commands.add_parser(
        "denoise", help="total variation denoising (ROFDenoiser)",
        description="Rudin-Osher-Fatemi (total variation) denoising "
        "(skimgproc.ROFDenoiser): smooths noise, keeps edges. tv_weight is in "
        "the units of the images (100 suits 0..255 images with noise of "
        "standard deviation 30).",
    )
    _add_files(denoise)
    _add_params(denoise, [ROFDenoiser])
    denoise.set_defaults(handler=_cmd_denoise)

    demo = commands.add_parser(
        "demo", help="reproduce the chapter's figures on built-in data",
        description="The main job: reproduce the chapter's figures on built-in "
        "data (no files needed, nothing downloaded) as PNG figures drawn with "
        "matplotlib (the plot extra), and print what was written and the key "
        "numbers.",
    )
    demo.add_argument("outdir", metavar="OUTDIR", help="folder for the figures")
    demo.add_argument("-q", "--quiet", action="store_true",
                      help="print nothing but errors")
    demo.set_defaults(handler=_cmd_demo)
    return parser


def main(argv=None):
    """Run the command line; returns the exit status.

    Parameters
    ----------
    argv : list of str, optional
        The arguments, without the program name; by default ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 2 on bad input (after one line on standard error),
        130 when interrupted.

    Examples
    --------
    >>> from skimgproc.cli import main
    >>> main(["blur", "no-such-image.png", "-o", "blurred.png"])
    2
    """
    parser = _parser()
    args = parser.parse_args(argv)
    prog = f"skimgproc {args.command}"
    try:
        return args.handler(args)
    except (ValueError, OSError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"{prog}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
