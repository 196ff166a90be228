"""The README's Python snippets run as written, in order, so none rots."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_snippets_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 4
    namespace = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    # What the snippets claim in their comments.
    assert namespace["search"].best_params_ == {"tv_weight": 60}
    assert namespace["counter"].transform(namespace["houses"][None])[0, 0] == 48
    assert namespace["features"].chunksize == (100, 65536)
    assert namespace["first"].shape == (100, 65536)
    assert namespace["sigma_search"].best_params_ == {"gaussianblur__sigma": 1.0}
