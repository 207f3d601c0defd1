"""Working together around plans (pure: imports only :mod:`openruimte.model` and third-party).

- :mod:`~openruimte.collab.files`    content sniffing (magic bytes), safe file names, upload limits
- :mod:`~openruimte.collab.extract`  text of PDF, office (OOXML, ODF) and text files, for search
- :mod:`~openruimte.collab.threads`  discussions: subjects, mentions, restriction, resolution
- :mod:`~openruimte.collab.contacts` contact persons and their roles
- :mod:`~openruimte.collab.agenda`   the programming table's agenda and decisions (besluitenlijst)
- :mod:`~openruimte.collab.reactions` residents' reactions on public plans (participation, #16)
"""

from openruimte.collab.agenda import Agenda, AgendaItem, Decision, build_agenda
from openruimte.collab.contacts import ROLES, Contact
from openruimte.collab.extract import extract_text
from openruimte.collab.files import FileRefused, Sniffed, check_upload, safe_name, sniff
from openruimte.collab.threads import Subject, mentions

__all__ = [
    "ROLES",
    "Agenda",
    "AgendaItem",
    "Contact",
    "Decision",
    "FileRefused",
    "Sniffed",
    "Subject",
    "build_agenda",
    "check_upload",
    "extract_text",
    "mentions",
    "safe_name",
    "sniff",
]
