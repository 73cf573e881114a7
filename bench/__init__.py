"""Benchmarks that print figures (`make bench SCALE=10k|100k|1m`). Never timed tests."""
