"""Plan rules and the checks of a design against them (pure: imports only ``openruimte.model``).

``model``      the normalised rule (:class:`~openruimte.rules.model.Rule`) both regimes become;
the checks of a design, clearance from cables, pipes and trees, and sun and shadow
live beside it, each in its own module.
"""
