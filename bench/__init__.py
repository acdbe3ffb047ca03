"""Synthetic data generator and benchmark for Helhet (`python -m bench generate|run`, `make bench`).

See docs/performance.md for the method and the figures measured.
"""
