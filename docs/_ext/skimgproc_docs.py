"""Sphinx helpers of skimgproc's documentation, generated from the code.

* :func:`public_api`: every public name, read from the package's ``__all__``
  lists (``skimgproc.__all__`` first, then each public module's names that
  the package does not re-export), each with one canonical full name.
* ``api/index.rst`` is written from it at every build (autosummary then
  makes a page per name), so names that others add appear without editing
  the documentation; stale pages of removed names are deleted.
* ``.. family-names:: module``: an autosummary table of a module's public
  names, linking to their canonical pages.
* ``.. cli-reference::``: the ``--help`` of the command line and of each
  of its commands, from :mod:`skimgproc.cli`'s parser.
* :class:`FigureFiles` and :class:`FreshFigureFolder`: sphinx-gallery's
  image scraper for the PNG files an example saves to ``$SKIMGPROC_FIGURES``
  (the examples draw with Pillow), and the reset that gives every example a
  folder of its own.
"""

import argparse
import contextlib
import functools
import importlib
import inspect
import os
import pkgutil
import shutil
import tempfile
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

PACKAGE = "skimgproc"
API_DIR = "api"  # relative to the documentation's source folder

KINDS = (("classes", "Estimators and classes"), ("functions", "Functions"),
         ("data", "Constants"))


# -- the public names -------------------------------------------------------------


@functools.cache
def public_modules():
    """The package's public modules, sorted: no part of the name private."""
    package = importlib.import_module(PACKAGE)
    names = [info.name for info in pkgutil.walk_packages(package.__path__,
                                                         PACKAGE + ".")]
    return tuple(name for name in sorted(names) if _is_public(name))


def _is_public(module_name):
    return not any(part.startswith("_") for part in module_name.split("."))


def _kind(obj):
    if inspect.isclass(obj):
        return "classes"
    return "functions" if callable(obj) else "data"


def _key(name, obj):
    """One key per documented object: itself for classes and functions (a
    re-export is the same object), with its name for constants (a small
    number may be the same object as another constant)."""
    return id(obj) if callable(obj) else (name, id(obj))


def _home(obj, module_name):
    """The public module that defines a function or class (``cli``'s
    ``run_demo`` is ``skimgproc.demo``'s), else ``module_name``."""
    home = getattr(obj, "__module__", None) or ""
    while home.startswith(PACKAGE + ".") and not _is_public(home):
        home = home.rpartition(".")[0]
    return home if home in public_modules() else module_name


def _public_objects():
    """``(key, home module, kind, canonical full name)`` of every public
    object, once each: ``skimgproc.__all__`` first, as users import them
    (``skimgproc.GaussianBlur``); then every public module's ``__all__``
    names that the package does not export, under the module defining them."""
    package = importlib.import_module(PACKAGE)
    found = {}
    for name in package.__all__:
        obj = getattr(package, name)
        found.setdefault(_key(name, obj),
                         (PACKAGE, _kind(obj), f"{PACKAGE}.{name}"))
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            home = _home(obj, module_name)
            found.setdefault(_key(name, obj),
                             (home, _kind(obj), f"{home}.{name}"))
    return found


def public_api():
    """Every public name: ``{module: [(kind, canonical full name), ...]}``,
    the package first, then the modules in order."""
    api = {}
    for home, kind, full in _public_objects().values():
        api.setdefault(home, []).append((kind, full))
    order = [PACKAGE, *public_modules()]
    return {module: sorted(api[module]) for module in order if module in api}


def canonical_names(module_name):
    """The canonical full names of a module's ``__all__`` that have a page
    (for a private module, the names that the package exports)."""
    found = _public_objects()
    module = importlib.import_module(module_name)
    names = []
    for name in getattr(module, "__all__", ()):
        entry = found.get(_key(name, getattr(module, name)))
        if entry is not None:
            names.append(entry[2])
    return names


def api_index_rst(api):
    """The API reference page: a section per module, a table per kind."""
    lines = [
        "API reference", "=" * 13, "",
        "Every public name of skimgproc, generated from the ``__all__`` lists",
        "of the package and of its public modules: a page each. Most names are",
        "imported from the package itself (``from skimgproc import",
        "GaussianBlur``); the others from their module",
        "(``from skimgproc.datasets import make_houses``). The",
        ":doc:`families <../families/index>` group them by what they do.", "",
    ]
    for module, entries in api.items():
        title = f"``{module}``"
        lines += [title, "-" * len(title), ""]
        for kind, heading in KINDS:
            names = [full for k, full in entries if k == kind]
            if not names:
                continue
            lines += [heading, "~" * len(heading), "",
                      ".. autosummary::", "   :toctree: .", "   :nosignatures:", ""]
            lines += [f"   {full}" for full in names] + [""]
    return "\n".join(lines)


def write_api_pages(app, config=None):
    """Write ``api/index.rst`` (only if it changed) and drop the pages of
    names no longer public. At ``config-inited``: before Sphinx lists the
    source files, so that a fresh checkout's build finds the page and
    autosummary generates a page per name."""
    folder = Path(app.srcdir) / API_DIR
    folder.mkdir(exist_ok=True)
    api = public_api()
    index = folder / "index.rst"
    text = api_index_rst(api)
    if not index.exists() or index.read_text() != text:
        index.write_text(text)
    current = {full for entries in api.values() for _, full in entries}
    for page in folder.glob("*.rst"):
        if page.name != "index.rst" and page.stem not in current:
            page.unlink()


class FamilyNames(SphinxDirective):
    """``.. family-names:: skimgproc.filters``: an autosummary table of the
    module's public names, linking to their API pages."""

    required_arguments = 1

    def run(self):
        names = canonical_names(self.arguments[0])
        if not names:
            text = f"``{self.arguments[0]}`` has no public names yet."
            return [nodes.paragraph(text, text)]
        lines = [".. autosummary::", "   :nosignatures:", ""]
        lines += [f"   {full}" for full in names]
        container = nodes.container()
        # The entries are full names: autosummary must not read them inside
        # the page's module (skimgproc.io.DEFAULT_MAX_BYTES on skimgproc.io's).
        context = self.env.ref_context
        module = context.pop("py:module", None)
        try:
            self.state.nested_parse(
                StringList(lines, source=self.get_source_info()[0]),
                self.content_offset, container)
        finally:
            if module is not None:
                context["py:module"] = module
        return container.children


# -- the command line -------------------------------------------------------------


@contextlib.contextmanager
def _columns(width):
    """argparse wraps help to the terminal's width: a fixed one here."""
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        yield
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def _commands(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _literal(text):
    return [".. code-block:: text", ""] + [f"    {line}" if line else "" for line in
                         text.rstrip().splitlines()] + [""]


def cli_rst():
    from skimgproc import cli

    with _columns(88):
        parser = cli._parser()
        lines = ["``skimgproc``", "-" * 13, ""] + _literal(parser.format_help())
        for name, command in _commands(parser).items():
            title = f"``skimgproc {name}``"
            lines += [title, "-" * len(title), ""]
            lines += _literal(command.format_help())
    return lines


class CliReference(SphinxDirective):
    """``.. cli-reference::``: the command line's help, from its parser."""

    def run(self):
        container = nodes.section()
        nested_parse_with_titles(self.state, StringList(cli_rst(), source="cli"),
                                 container)
        return container.children


# -- the gallery's figures --------------------------------------------------------

_FOLDER = {"path": None, "seen": {}}


class FreshFigureFolder:
    """sphinx-gallery ``reset_modules`` entry: before each example, point
    ``$SKIMGPROC_FIGURES`` at a new empty folder; after it, remove that."""

    def __repr__(self):  # a stable value for sphinx-gallery's config cache
        return "FreshFigureFolder"

    def __call__(self, gallery_conf, fname, when="before"):
        if _FOLDER["path"] is not None:
            shutil.rmtree(_FOLDER["path"], ignore_errors=True)
            _FOLDER["path"] = None
        _FOLDER["seen"] = {}
        if when == "before":
            _FOLDER["path"] = tempfile.mkdtemp(prefix="skimgproc-gallery-")
            os.environ["SKIMGPROC_FIGURES"] = _FOLDER["path"]


class FigureFiles:
    """sphinx-gallery image scraper: the PNG files that the code block just
    run saved (new or rewritten) in the example's figure folder."""

    def __repr__(self):
        return "FigureFiles"

    def __call__(self, block, block_vars, gallery_conf):
        from sphinx_gallery.scrapers import figure_rst

        if _FOLDER["path"] is None:
            return ""
        written = []
        for path in sorted(Path(_FOLDER["path"]).rglob("*.png")):
            stamp = path.stat().st_mtime_ns, path.stat().st_size
            if _FOLDER["seen"].get(path) != stamp:
                _FOLDER["seen"][path] = stamp
                written.append(path)
        image_names = []
        for path, target in zip(written, block_vars["image_path_iterator"],
                                strict=False):
            shutil.copyfile(path, target)
            image_names.append(target)
        return figure_rst(image_names, gallery_conf["src_dir"])


# -- class pages ------------------------------------------------------------------


def skip_foreign_members(app, what, name, obj, skip, options):
    """Document a class's own methods and those of skimgproc's bases, not
    the ones it inherits from scikit-learn (``get_params``, ``set_output``,
    ``set_*_request``, ...): their docstrings point into scikit-learn's own
    documentation."""
    if what != "class" or skip:
        return None
    target = getattr(obj, "fget", obj)  # a property: its getter
    module = getattr(target, "__module__", None) or ""
    if callable(target) and not module.startswith(PACKAGE):
        return True
    return None


def constant_doc_comments(app, what, name, obj, options, lines):
    """A constant's ``#:`` comment where it is defined, not its type's
    docstring: ``skimgproc.io.DEFAULT_MAX_BYTES`` is documented in
    ``skimgproc/io/_mat.py``, the module the package re-exports it from."""
    if what != "data" or not name.startswith(PACKAGE + "."):
        return
    module_name, _, attr = name.rpartition(".")
    module = importlib.import_module(module_name)
    candidates = [module_name] + [
        f"{module_name}.{info.name}"
        for info in pkgutil.iter_modules(getattr(module, "__path__", []))]
    for candidate in candidates:
        docs = ModuleAnalyzer.for_module(candidate).find_attr_docs()
        if ("", attr) in docs:
            lines[:] = list(docs["", attr])
            return


def setup(app):
    app.connect("config-inited", write_api_pages)
    app.connect("autodoc-skip-member", skip_foreign_members)
    app.connect("autodoc-process-docstring", constant_doc_comments)
    app.add_directive("family-names", FamilyNames)
    app.add_directive("cli-reference", CliReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
