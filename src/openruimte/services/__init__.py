"""Use cases: read the store, run the pure core (io, analysis, planner, bim, ...), save.

One module per use case; API and CLI are thin over these modules.
"""
