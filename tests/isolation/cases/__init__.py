"""Isolation declarations, one module per app (see tests/isolation/framework.py)."""
