"""Tests of the exchange domain."""
