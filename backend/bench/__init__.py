"""Benchmark scripts: each runs the reference library in the same process and prints the ratio."""
