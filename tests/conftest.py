"""Fixtures shared by the test modules."""

import pytest

from skimgproc import config_context


@pytest.fixture(params=[True, False], ids=["accelerated", "reference"])
def accelerate(request):
    """Run the test on both paths: the fast one and the numpy/scipy reference."""
    with config_context(accelerate=request.param):
        yield request.param
