"""Command-line edge: the root `dyrd` command."""
