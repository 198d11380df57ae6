"""Pure functions of the exchange domain: search, diffs, table checks, quality, CKAN and DCAT."""
