"""Benchmarks that print tables (not tests): `make bench` or `python -m bench`."""
