"""Signals certification sends, so integrations react without certification importing them.

Both are sent inside the transaction of the change, with ``certificate=``: a receiver's
writes (a webhook delivery, a learning record) commit or roll back with it, and jobs it
queues run on commit. ``certificate_revoked`` is also sent when a renewal supersedes the
previous certificate.
"""

from django.dispatch import Signal

certificate_issued = Signal()
certificate_revoked = Signal()
