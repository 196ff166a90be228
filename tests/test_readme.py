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
