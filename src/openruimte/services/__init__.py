"""Use cases: read the store once, run the pure core (io, analysis, planner, ...), save.

One module per use case: ``importing`` (files into the store), ``analyse``
(couplings, conflicts, candidates), ``weigh`` (the weighting framework),
``plan`` (the programme optimiser), ``reports`` (dossier, programme, Gantt),
``demo`` (the demo municipality), ``bim`` (IFC models), ``roadmap`` (the BIM
routekaart). API and CLI are thin over these modules; the store calls none of
them (notifications subscribe to the store's write hooks).
"""
