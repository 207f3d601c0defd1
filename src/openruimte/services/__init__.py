"""Use cases: read the store once, run the pure core (io, analysis, planner, roadmap, ...), save."""
