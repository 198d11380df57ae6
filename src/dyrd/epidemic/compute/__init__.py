"""Pure maths of the epidemic domain: metapopulation SEIR, reporting delay, EAKF, data shaping."""
