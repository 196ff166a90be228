"""Sphinx configuration of skimgproc's documentation.

Build it from the repository root (warnings are errors):

    pip install -e ".[docs]" && sphinx-build -W -b html docs docs/_build/html

Generated at every build, in this folder and not committed: ``api/`` (a page
per public name, from the ``__all__`` lists), ``auto_examples/`` (the gallery,
from ``../examples``, every example executed) and ``sg_execution_times.rst``.
"""

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

from skimgproc_docs import FigureFiles, FreshFigureFolder  # noqa: E402

import skimgproc  # noqa: E402

project = "skimgproc"
author = "the skimgproc developers"
copyright = "2026, the skimgproc developers"  # noqa: A001
release = skimgproc.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.extlinks",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "skimgproc_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**/*.ipynb", "**/*.md5", "**/*.zip",
                    "**/*.pickle", "auto_examples/*.py"]
templates_path = ["_templates"]
# :doi:`10.1109/CVPR.2005.177` in a docstring's References.
extlinks = {"doi": ("https://doi.org/%s", "doi:%s")}
default_role = "literal"  # `x` in a docstring is code, not a reference

# -- API pages ----------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False  # the class template lists the methods
numpydoc_class_members_toctree = False

# -- Markdown pages (README parts, benchmarks/README.md, CHANGELOG.md) --------
myst_heading_anchors = 3
# benchmarks/README.md goes from "##" straight to "####" tables.
suppress_warnings = ["myst.header"]

# -- The gallery -----------------------------------------------------------------
# The examples save PNG files drawn with Pillow: FigureFiles shows those, and
# matplotlib's own scraper any matplotlib figure, when matplotlib is there.
_scrapers = [FigureFiles()]
_resets = [FreshFigureFolder()]
if importlib.util.find_spec("matplotlib") is not None:
    _scrapers.append("matplotlib")
    _resets.append("matplotlib")

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": tuple(_scrapers),
    "reset_modules": tuple(_resets),
    "reset_modules_order": "both",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
}

# -- HTML ------------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"skimgproc {release}"
html_static_path = []
html_theme_options = {
    "description": "Classic image processing as scikit-learn estimators "
    "over batches of images",
    "fixed_sidebar": True,
}
