"""Use cases: read the store once, run the pure core, save (one module per use case)."""
