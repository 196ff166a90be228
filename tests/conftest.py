"""Fixtures shared by the test modules."""

from contextlib import contextmanager

import pytest

from skimgproc import config_context
from skimgproc._config import without

#: The paths the fast code can take: every accelerator installed, the base
#: install's (numba, OpenCV hidden: what ``pip install skimgproc`` gives,
#: whatever this machine has), and the numpy/scipy reference.
PATHS = ["accelerated", "base-install", "reference"]


@contextmanager
def on_path(path):
    """Run on ``path`` (one of PATHS); gives whether acceleration is on."""
    hidden = ("cv2",) if path == "base-install" else ()
    with config_context(accelerate=path != "reference"), without(*hidden):
        yield path != "reference"


def three_paths(request):
    """The body of a module's ``accelerate`` fixture over all PATHS, for the
    operations that use OpenCV where it is installed."""
    with on_path(request.param) as fast:
        yield fast


@pytest.fixture(params=[True, False], ids=["accelerated", "reference"])
def accelerate(request):
    """Run the test on both paths: the fast one and the numpy/scipy reference."""
    with config_context(accelerate=request.param):
        yield request.param
