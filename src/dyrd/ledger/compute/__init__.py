"""Pure functions of the ledger: Merkle trees, canonical entries, tree-head signatures, audits."""
