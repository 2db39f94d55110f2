"""Signals observations send, so integrations react without observations importing them.

``observation_acknowledged`` is sent with ``observation=`` and ``now=`` when the trainee
acknowledges an observation, inside the acknowledgement's transaction: a receiver's writes
commit or roll back with it, and jobs it queues run on commit. The learning records
(quizzes/xapi/receivers.py) connect to it.
"""

from django.dispatch import Signal

observation_acknowledged = Signal()
