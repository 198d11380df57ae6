"""Pure computations of the market domain: OCDS, red flags, collusion screens, risk, rules."""
