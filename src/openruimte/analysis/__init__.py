"""Analysis on arrays: pure functions, no database access."""
