"""Pure computations of the health-code domain: ID checks, CertLogic, colours, batch runs."""
