"""Jurisdictions, the 41 cities, boundaries and long-form statistics with year and source."""
