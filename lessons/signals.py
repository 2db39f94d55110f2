"""Signals the lessons app sends, so other concerns can react without lessons importing them.

``lesson_completed`` is sent with ``user=``, ``lesson=`` and ``now=`` when a
trainee completes a lesson or re-reads one that changed since, inside the
completion's transaction. Certification connects to it in
quizzes/certification/receivers.py.
"""

from django.dispatch import Signal

lesson_completed = Signal()
