"""Command modules per topic; importing one registers its commands on ``app``.

One import per line, so parallel work on different topics merges cleanly."""

from openruimte.cli import (
    backup,  # noqa: F401
    notify,  # noqa: F401
)
