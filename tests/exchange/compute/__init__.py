"""Tests of the pure compute core of the exchange domain."""
