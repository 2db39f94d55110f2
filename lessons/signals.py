"""Signals the lessons app sends, so other concerns can react without lessons importing them.

``lesson_completed`` is sent with ``user=``, ``lesson=`` and ``now=`` when a
trainee completes a lesson or re-reads one that changed since, inside the
completion's transaction. Certification connects to it in
quizzes/certification/receivers.py.

``lesson_materially_changed`` is sent with ``lesson=``, ``by=``, ``summary=`` and ``now=``
when an educator saves a lesson with a material change (trainees must re-read it),
inside the save's transaction; quizzes/updates/receivers.py asks certified trainees for
an update.
"""

from django.dispatch import Signal

lesson_completed = Signal()
lesson_materially_changed = Signal()
