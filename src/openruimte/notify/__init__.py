"""Change notifications and their webhooks.

A change of a plan's dates, geometry, phase or status (hardness), or its
deletion, tells every other organisation whose plans couple or conflict with it
(before or after the change): one notification per recipient, written through
the store's change hook (:mod:`openruimte.store.hooks`, subscribed by
:func:`openruimte.notify.changes.subscribe`) in the same transaction. What a
recipient may learn follows the one visibility rule (:mod:`openruimte.model.access`);
the SQL lives in :mod:`openruimte.store.notifications`.
"""
