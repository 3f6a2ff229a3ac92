"""Tests of the benchmark scripts in benchmarks/ (correctness at a small scale, not timing)."""
