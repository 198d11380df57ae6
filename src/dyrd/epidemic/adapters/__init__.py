"""Implementations of the epidemic ports (in-process and Dask task runners)."""
