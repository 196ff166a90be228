"""Every example runs top to bottom and saves its figures, so none rots."""

import ast
import runpy
from pathlib import Path

import numpy as np
import pytest

from skimgproc import read_image

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("plot_*.py"))


def test_there_are_examples():
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_and_saves_figures(script, tmp_path, monkeypatch, capsys):
    docstring = ast.get_docstring(ast.parse(script.read_text()))
    assert docstring and docstring.splitlines()[0].strip(), "needs a title docstring"
    assert "# %%" in script.read_text()
    figures = tmp_path / "figures"
    monkeypatch.setenv("SKIMGPROC_FIGURES", str(figures))
    monkeypatch.chdir(tmp_path)  # anything written by mistake lands here
    # The legacy global generator is the point: examples must not touch it.
    state = np.random.get_state()  # noqa: NPY002
    runpy.run_path(str(script), run_name="__main__")
    saved = sorted(figures.glob("*.png"))
    assert saved, f"{script.name} saved no figure"
    for path in saved:
        figure = read_image(path, mode="RGB")
        assert figure.shape[0] > 100 and figure.shape[1] > 100
        assert figure.std() > 10  # not a blank canvas
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures"]
    assert "saved" in capsys.readouterr().out
    # Seeded examples leave NumPy's global generator alone.
    np.testing.assert_array_equal(np.random.get_state()[1], state[1])  # noqa: NPY002
