"""Errors of the BIM package: each names the file and the problem, and the fix where there is one."""

from __future__ import annotations

from openruimte.model.errors import OpenRuimteError


class BimError(OpenRuimteError):
    """A model that cannot be read, placed or registered."""

    code = "invalid_ifc"
    status = 422


class NoGeoreference(BimError):
    """The model says nowhere where it lies."""

    code = "no_georeference"


class TooLarge(BimError):
    code = "too_large"
    status = 413
