"""The documentation builds as its one command does, warnings as errors, and
the site it gives is whole: a page for every public name, every family page
listing its module's names, the gallery executed with its figures, the
command-line reference and the benchmark results, and no broken link.

The build runs once (sphinx in a subprocess, into a temporary folder); what
it must contain is read from the code and the files themselves (the
package's ``__all__`` lists, the parser, the examples, benchmarks/README.md),
not from the documentation's own generator.
"""

import argparse
import html
import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import skimgproc
from skimgproc import cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The built site: sphinx-build -W, every example executed afresh."""
    out = tmp_path_factory.mktemp("docs")
    command = [
        sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
        "-j", "1", "-d", str(out / "doctrees"),
        # Run every example, even one that a previous build in docs/ cached.
        "-D", "sphinx_gallery_conf.run_stale_examples=True",
        str(DOCS), str(out / "html"),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=900)
    assert done.returncode == 0, (
        f"sphinx-build failed ({done.returncode}):\n{done.stderr[-6000:]}"
    )
    return out / "html"


class _Page(HTMLParser):
    """The ids, links and text of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.text = set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for attr in ("href", "src"):
            if attrs.get(attr):
                self.links.append(attrs[attr])

    def handle_data(self, data):
        self.text.append(data)


def _read(path):
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    # Sphinx's smart quotes: the source's ' and " as they were written.
    quotes = str.maketrans("\u2018\u2019\u201c\u201d", "''\"\"")
    text = " ".join(page.text).translate(quotes)
    page.text = " ".join(text.split())
    return page


@pytest.fixture(scope="module")
def pages(site):
    return {path: _read(path) for path in site.rglob("*.html")}


def _public_modules():
    names = [m.name for m in pkgutil.walk_packages(skimgproc.__path__, "skimgproc.")]
    return [n for n in names if not any(p.startswith("_") for p in n.split("."))]


def _ids_for(module_name, name):
    """The full names under which an object of a module's ``__all__`` may be
    documented: as the package exports it, as its module lists it, or under
    the public module that defines it."""
    obj = getattr(importlib.import_module(module_name), name)
    ids = {f"{module_name}.{name}"}
    if name in skimgproc.__all__ and getattr(skimgproc, name) is obj:
        ids.add(f"skimgproc.{name}")
    home = getattr(obj, "__module__", None) if callable(obj) else None
    while home and home.startswith("skimgproc"):
        ids.add(f"{home}.{name}")
        home = home.rpartition(".")[0]
    return ids


def test_every_exported_name_has_its_own_page(site):
    for name in skimgproc.__all__:
        page = site / "api" / f"skimgproc.{name}.html"
        assert page.exists(), f"no page for skimgproc.{name}"
        assert f"skimgproc.{name}" in _read(page).ids, f"{page.name} lacks it"


def test_every_public_module_name_is_documented(site, pages):
    documented = set().union(*(p.ids for path, p in pages.items()
                               if path.parent == site / "api"))
    missing = [f"{module}.{name}" for module in _public_modules()
               for name in getattr(importlib.import_module(module), "__all__", ())
               if not _ids_for(module, name) & documented]
    assert not missing, f"public names without a page: {missing}"


FAMILIES = {
    "filters": "skimgproc.filters", "gradients": "skimgproc.gradients",
    "thresholding": "skimgproc.thresholding", "morphology": "skimgproc.morphology",
    "measure": "skimgproc.measure", "features": "skimgproc.features",
    "denoise": "skimgproc.denoise", "preprocessing": "skimgproc.preprocessing",
    "metrics": "skimgproc.metrics", "io": "skimgproc.io",
    "plotting": "skimgproc.plotting", "datasets": "skimgproc.datasets",
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_page_links_every_name_of_its_module(site, pages, family):
    module = importlib.import_module(FAMILIES[family])
    page = pages[site / "families" / f"{family}.html"]
    targets = {urlsplit(link).fragment for link in page.links}
    for name in module.__all__:
        assert _ids_for(module.__name__, name) & targets, (
            f"families/{family}.html does not link {name}")


def test_config_page_links_the_configuration_functions(site, pages):
    page = pages[site / "families" / "config.html"]
    targets = {urlsplit(link).fragment for link in page.links}
    for name in ("config_context", "get_config", "set_config"):
        assert f"skimgproc.{name}" in targets


def test_estimator_pages_show_their_methods(site, pages):
    page = pages[site / "api" / "skimgproc.GaussianBlur.html"]
    for method in ("fit", "transform", "fit_transform", "get_feature_names_out"):
        assert f"skimgproc.GaussianBlur.{method}" in page.ids
    # The parameters section of the numpydoc docstring is rendered.
    assert "sigma" in page.text and "Parameters" in page.text


def _is_internal(link):
    parts = urlsplit(link)
    return not (parts.scheme or parts.netloc or link.startswith("#!"))


def test_no_internal_link_is_broken(site, pages):
    broken = []
    for path, page in pages.items():
        for link in filter(_is_internal, page.links):
            parts = urlsplit(link)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path \
                else path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path.relative_to(site)}: {link}")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _read(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{path.relative_to(site)}: {link} (no anchor)")
    assert not broken, "broken links:\n" + "\n".join(sorted(broken)[:50])


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_gallery_page_shows_the_example_run_and_its_figures(site, pages, script):
    page = pages[site / "auto_examples" / f"{script.stem}.html"]
    title = inspect.cleandoc(script.read_text().split('"""')[1]).splitlines()[0]
    assert title in page.text
    figures = [link for link in page.links
               if re.search(rf"_images/sphx_glr_{script.stem}_\d+\.png$", link)]
    assert figures, f"{script.name}: no figure on its gallery page"
    for link in figures:
        image = (site / "auto_examples" / link).resolve()
        assert image.exists() and image.stat().st_size > 1000
    assert "saved" in page.text  # the example's own output, from its run


def test_gallery_index_lists_every_example(site, pages):
    links = " ".join(pages[site / "auto_examples" / "index.html"].links)
    for script in EXAMPLES:
        assert f"{script.stem}.html" in links


def test_cli_reference_has_every_command_and_option(site, pages):
    text = pages[site / "cli.html"].text
    parser = cli._parser()
    commands = next(action.choices for action in parser._actions
                    if isinstance(action, argparse._SubParsersAction))
    for name, command in commands.items():
        assert f"skimgproc {name}" in text
        for action in command._actions:
            for option in action.option_strings:
                assert option in text, f"skimgproc {name} {option}"


def test_benchmark_page_is_the_benchmarks_readme(site, pages):
    text = pages[site / "benchmarks.html"].text
    readme = (ROOT / "benchmarks" / "README.md").read_text()
    headings = re.findall(r"^#{1,4} (.+)$", readme, flags=re.M)
    assert headings
    for heading in headings:
        assert " ".join(heading.replace("`", "").split()) in text


def test_getting_started_has_the_two_setup_commands(site, pages):
    text = html.unescape(pages[site / "getting_started.html"].text)
    readme = (ROOT / "README.md").read_text()
    setup = readme.split("## Set-up: two commands", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)\n```", setup, flags=re.S)
    assert len(commands) == 2
    for command in commands:
        assert command.strip() in text
    assert "GridSearchCV" in text  # the quickstart
