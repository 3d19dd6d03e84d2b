"""The domain: operations and computations, one module per area."""
