"""Command modules per topic; importing one registers its commands on ``app``.

One import per line, so parallel work on different topics merges cleanly."""

from openruimte.cli import notify  # noqa: F401
from openruimte.cli import backup  # noqa: F401
