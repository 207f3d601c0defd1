"""The HTTP API (REST, OGC API Features, vector tiles) and the web UI; thin over the core."""

from openruimte.api.app import create_app
from openruimte.settings import Settings

__all__ = ["Settings", "create_app"]
