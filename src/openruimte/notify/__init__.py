"""Change notifications and their webhooks.

A change of a plan's dates, geometry, phase or status (hardness), or its
deletion, tells every other organisation whose plans couple or conflict with it
(before or after the change): one notification per recipient, written by the
store's :class:`~openruimte.store.repository.Writer` in the same transaction.
"""

from openruimte.notify.visibility import Viewer, may_see

__all__ = ["Viewer", "may_see"]
