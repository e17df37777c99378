"""Benchmarks: every experiment at full length, over several seeds, with time-to-accuracy and goals.

Run ``python -m benchmarks`` (``--help`` for the options). Each (experiment, seed) runs in its own
process, so its peak RSS is its own.
"""
