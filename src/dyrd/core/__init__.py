"""Thin shared kernel: settings, database, errors, logging and shared types."""
