"""Pure functions of the region domain: table parsing and validation."""
