"""Use cases: read the store or a file, run a pure core, save (one module per use case)."""
