"""The package a user installs is whole and says what it is: ``python -m
build`` makes an sdist and a wheel that pass ``twine check``, with the
license inside, the metadata of pyproject.toml, and every module of the
source tree; the citation file agrees with the package; the README's
install lines work from a clone.

The build runs once, in its isolated environment as a release would (pip
fetches the build backend), into a temporary folder.
"""

import email.parser
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import tomllib
import yaml

import skimgproc

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LICENSE = (ROOT / "LICENSE").read_text()

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out),
         str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, f"python -m build failed:\n{done.stderr[-4000:]}"
    return out


@pytest.fixture(scope="module")
def wheel(dist):
    (path,) = dist.glob("*.whl")
    with zipfile.ZipFile(path) as archive:
        yield archive


@pytest.fixture(scope="module")
def metadata(wheel):
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return email.parser.Parser().parsestr(wheel.read(name).decode())


def test_twine_check_passes(dist):
    files = sorted(str(p) for p in dist.iterdir())
    assert len(files) == 2  # the sdist and the wheel
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *files],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


def test_wheel_carries_the_license(wheel, metadata):
    licenses = [n for n in wheel.namelist() if n.endswith("/LICENSE")]
    assert licenses, "no LICENSE in the wheel"
    assert wheel.read(licenses[0]).decode() == LICENSE
    assert "BSD 3-Clause License" in LICENSE
    assert metadata["License-Expression"] == "BSD-3-Clause"


def test_sdist_carries_the_license_and_the_readme(dist):
    (path,) = dist.glob("*.tar.gz")
    with tarfile.open(path) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", "README.md", "pyproject.toml"} <= names


def test_wheel_holds_every_module_of_the_source_tree(wheel):
    expected = {str(p.relative_to(ROOT)) for p in (ROOT / "skimgproc").rglob("*.py")}
    assert expected <= set(wheel.namelist()), sorted(expected - set(wheel.namelist()))


def test_metadata_is_pyprojects(metadata):
    project = PYPROJECT["project"]
    assert metadata["Name"] == "skimgproc"
    assert metadata["Version"] == skimgproc.__version__
    assert metadata["Requires-Python"] == project["requires-python"]
    assert sorted(metadata.get_all("Classifier")) == sorted(project["classifiers"])
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL"))
    assert {k.lower() for k in urls} == {k.lower() for k in project["urls"]}
    assert metadata["Description-Content-Type"] == "text/markdown"
    for extra in ("fast", "dask", "docs", "test"):
        assert extra in metadata.get_all("Provides-Extra")


def test_console_script_is_declared(wheel):
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    assert "skimgproc = skimgproc.cli:main" in wheel.read(name).decode()


def test_citation_file_agrees_with_the_package():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == skimgproc.__version__
    assert citation["license"] == PYPROJECT["project"]["license"]
    assert citation["title"] and citation["authors"] and citation["message"]


def test_changelog_has_the_current_version():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(rf"^## {re.escape(skimgproc.__version__)}\b", changelog, re.M)


def test_readme_installs_from_a_clone():
    # skimgproc is not on a package index: "pip install skimgproc[...]" fails.
    readme = (ROOT / "README.md").read_text()
    installs = re.findall(r"pip install[^`\n]*", readme)
    assert installs
    for line in installs:
        assert not re.search(r"""pip install (-e )?["']?skimgproc""", line), line
