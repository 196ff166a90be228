"""Benchmarks of skimgproc against what users would otherwise write.

Run ``python -m benchmarks`` (or ``python benchmarks/run.py``) from the
repository root; ``--quick`` for a run of under a minute. See README.md.
"""
