"""Command modules per topic; importing one registers its commands on ``app``.

One import per line, kept sorted, so parallel work on different topics merges cleanly."""

import openruimte.cli.audit  # noqa: F401
import openruimte.cli.backup  # noqa: F401
import openruimte.cli.bim  # noqa: F401
import openruimte.cli.bimcheck  # noqa: F401
import openruimte.cli.clearance  # noqa: F401
import openruimte.cli.collab  # noqa: F401
import openruimte.cli.notify  # noqa: F401
import openruimte.cli.participation  # noqa: F401
import openruimte.cli.plan  # noqa: F401
import openruimte.cli.reports  # noqa: F401
import openruimte.cli.roadmap  # noqa: F401
import openruimte.cli.rules  # noqa: F401
import openruimte.cli.security  # noqa: F401
import openruimte.cli.sun  # noqa: F401
import openruimte.cli.weigh  # noqa: F401
