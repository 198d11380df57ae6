"""Use cases of the supply domain (one module per concept; import the module you need)."""
